/// <reference types="@webgpu/types" />
/**
 * Random inputs, generated on the GPU by a shader and regenerated bit-for-bit on the CPU from the
 * same seed. Filling by shader avoids uploading large buffers (a CPU-filled copy source of 1 MiB
 * or more crashes Dawn on lavapipe) and costs nothing on the bus. Every value is ±[1, 2), built
 * from the hash bits directly (no float arithmetic), so it is never zero and both sides agree.
 */
import { bindGroup, grid1d, pipeline, uniformBuffer } from './gpu';

const HASH_WGSL = /* wgsl */ `
fn hash(x: u32) -> u32 {
  var v = x;
  v = v ^ (v >> 16u); v = v * 0x7feb352du;
  v = v ^ (v >> 15u); v = v * 0x846ca68bu;
  v = v ^ (v >> 16u);
  return v;
}`;

function hash(x: number): number {
  let v = x >>> 0;
  v = Math.imul(v ^ (v >>> 16), 0x7feb352d);
  v = Math.imul(v ^ (v >>> 15), 0x846ca68b);
  return (v ^ (v >>> 16)) >>> 0;
}

/** The 32-bit word the fill shader writes at `i`: one f32 or two f16 values. */
function word(i: number, seedHash: number, f16: boolean): number {
  const h = hash((Math.imul(i, 0x9e3779b9) + seedHash) >>> 0);
  if (!f16) return (((h & 1) << 31) | 0x3f800000 | (h >>> 9)) >>> 0;
  const lo = (((h >>> 15) & 1) << 15) | 0x3c00 | (h & 0x3ff);
  const hi = ((h >>> 31) << 15) | 0x3c00 | ((h >>> 16) & 0x3ff);
  return (lo | (hi << 16)) >>> 0;
}

const FILL_WGSL = /* wgsl */ `
${HASH_WGSL}
struct P { words: u32, seedHash: u32, f16: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> p: P;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= p.words) { return; }
  let h = hash(i * 0x9e3779b9u + p.seedHash);
  if (p.f16 == 0u) {
    out[i] = ((h & 1u) << 31u) | 0x3f800000u | (h >> 9u);
  } else {
    let lo = (((h >> 15u) & 1u) << 15u) | 0x3c00u | (h & 0x3ffu);
    let hi = ((h >> 31u) << 15u) | 0x3c00u | ((h >> 16u) & 0x3ffu);
    out[i] = lo | (hi << 16u);
  }
}`;

const pipelines = new WeakMap<GPUDevice, Promise<GPUComputePipeline>>();

/** Fills `elements` values of `dtype` in `buf` on the GPU (submitted, not awaited). */
export async function fillRandom(device: GPUDevice, buf: GPUBuffer, elements: number, dtype: 'f32' | 'f16', seed: number): Promise<void> {
  let p = pipelines.get(device);
  if (!p) {
    p = pipeline(device, FILL_WGSL, 'fill');
    pipelines.set(device, p);
  }
  const pipe = await p;
  const words = dtype === 'f16' ? Math.ceil(elements / 2) : elements;
  const params = uniformBuffer(device, [words, hash(seed), dtype === 'f16' ? 1 : 0, 0]);
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  pass.setPipeline(pipe);
  pass.setBindGroup(0, bindGroup(device, pipe, [buf, params]));
  const [x, y] = grid1d(device, Math.ceil(words / 256));
  pass.dispatchWorkgroups(x, y);
  pass.end();
  device.queue.submit([enc.finish()]);
}

/** The same values on the CPU, as numbers (f16 values widened exactly). */
export function randomValues(elements: number, dtype: 'f32' | 'f16', seed: number): Float32Array {
  const sh = hash(seed);
  const f16 = dtype === 'f16';
  const words = f16 ? Math.ceil(elements / 2) : elements;
  const raw = new Uint32Array(words);
  for (let i = 0; i < words; i++) raw[i] = word(i, sh, f16);
  if (!f16) return new Float32Array(raw.buffer);
  return halvesToFloat(new Uint16Array(raw.buffer, 0, elements));
}

/** IEEE binary16 → number, via a 64 Ki-entry table built once. */
let HALF_TABLE: Float32Array | null = null;
export function halvesToFloat(h: Uint16Array): Float32Array {
  if (!HALF_TABLE) {
    HALF_TABLE = new Float32Array(65536);
    for (let b = 0; b < 65536; b++) {
      const s = b & 0x8000 ? -1 : 1;
      const e = (b >> 10) & 0x1f;
      const m = b & 0x3ff;
      HALF_TABLE[b] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
    }
  }
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = HALF_TABLE[h[i]];
  return out;
}

/** Reads `elements` values of `dtype` from bytes returned by readBack. */
export function toFloats(bytes: ArrayBuffer, elements: number, dtype: 'f32' | 'f16'): Float32Array {
  return dtype === 'f16' ? halvesToFloat(new Uint16Array(bytes, 0, elements)) : new Float32Array(bytes, 0, elements);
}
