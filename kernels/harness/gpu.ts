/// <reference types="@webgpu/types" />
/**
 * The child's GPU context: adapter and device acquisition, buffers that respect the adapter's
 * limits, pipelines, read-back and error reporting. Only the child process imports this file.
 */
import { BenchError, AdapterSummary } from './types';

export interface Gpu {
  /** The Dawn instance. It must stay referenced: once collected, every later GPU call crashes. */
  instance: GPU;
  adapter: GPUAdapter;
  device: GPUDevice;
  adapterInfo: AdapterSummary;
  hasTimestamps: boolean;
  hasF16: boolean;
  /** The subgroup size when the adapter has `subgroups` and a single fixed size; else null. */
  subgroupSize: number | null;
}

/** Set by openGpu; the child reports it instead of a result once the device is gone. */
export let deviceLostReason: string | null = null;

/** Holds the Dawn instance for the life of the process (see Gpu.instance). */
let keepAlive: GPU | null = null;

export async function openGpu(): Promise<Gpu> {
  // `webgpu` is ESM-only; tsc (module Node16) keeps this dynamic import as a real import().
  let mod: { create(o: string[]): GPU; globals: object };
  try {
    mod = (await import('webgpu')) as unknown as typeof mod;
  } catch (e) {
    throw new BenchError('no-adapter', `the 'webgpu' package could not be loaded: ${(e as Error).message}`);
  }
  Object.assign(globalThis, mod.globals);
  const gpu = mod.create([]);
  keepAlive = gpu;
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new BenchError('no-adapter',
      'no WebGPU adapter found (Vulkan/Metal/D3D12). On Linux without a GPU, install Mesa 25 ' +
      "lavapipe: 'apt-get install -t bookworm-backports mesa-vulkan-drivers'.");
  }
  const hasTimestamps = adapter.features.has('timestamp-query');
  const hasF16 = adapter.features.has('shader-f16');
  const requiredFeatures: GPUFeatureName[] = [];
  if (hasTimestamps) requiredFeatures.push('timestamp-query');
  if (hasF16) requiredFeatures.push('shader-f16');
  // Subgroup kernels are generated for one size, so only an adapter with a fixed size runs them.
  const sgInfo = adapter.info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  const subgroupSize = adapter.features.has('subgroups' as GPUFeatureName) && sgInfo.subgroupMinSize && sgInfo.subgroupMinSize === sgInfo.subgroupMaxSize
    ? sgInfo.subgroupMinSize : null;
  if (subgroupSize) requiredFeatures.push('subgroups' as GPUFeatureName);
  const L = adapter.limits;
  // The defaults (128 MiB bindings, 16 KiB shared memory) are below what most adapters offer.
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: {
      maxStorageBufferBindingSize: L.maxStorageBufferBindingSize,
      maxBufferSize: L.maxBufferSize,
      maxComputeWorkgroupStorageSize: L.maxComputeWorkgroupStorageSize,
      maxComputeInvocationsPerWorkgroup: L.maxComputeInvocationsPerWorkgroup,
      maxComputeWorkgroupSizeX: L.maxComputeWorkgroupSizeX,
      maxComputeWorkgroupsPerDimension: L.maxComputeWorkgroupsPerDimension,
    },
  });
  void device.lost.then((info) => {
    if (info.reason !== 'destroyed') deviceLostReason = info.message || 'unknown reason';
  });
  const info = adapter.info;
  return {
    instance: gpu,
    adapter,
    device,
    hasTimestamps,
    hasF16,
    subgroupSize,
    adapterInfo: { vendor: info.vendor, architecture: info.architecture, description: info.description || info.device, subgroupSize },
  };
}

export function formatBytes(b: number): string {
  if (b >= 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
  if (b >= 2 ** 20) return `${(b / 2 ** 20).toFixed(1)} MiB`;
  if (b >= 2 ** 10) return `${(b / 2 ** 10).toFixed(1)} KiB`;
  return `${b} B`;
}

/** Storage buffers are padded to 16 bytes so vec4 views always cover the whole tensor. */
export function padded(bytes: number): number {
  return Math.max(16, Math.ceil(bytes / 16) * 16);
}

/**
 * Refuses a run whose buffers exceed the device's limits, before anything is allocated on the
 * GPU or the CPU, naming the buffer and the limit.
 */
export function preflight(device: GPUDevice, buffers: { label: string; bytes: number }[]): void {
  const bind = device.limits.maxStorageBufferBindingSize;
  const max = device.limits.maxBufferSize;
  for (const b of buffers) {
    const size = padded(b.bytes);
    if (size > bind) {
      throw new BenchError('too-large',
        `${b.label} needs ${formatBytes(size)}, above this adapter's maxStorageBufferBindingSize of ${formatBytes(bind)}`);
    }
    if (size > max) {
      throw new BenchError('too-large', `${b.label} needs ${formatBytes(size)}, above this adapter's maxBufferSize of ${formatBytes(max)}`);
    }
  }
}

export async function storageBuffer(device: GPUDevice, bytes: number, label: string): Promise<GPUBuffer> {
  device.pushErrorScope('out-of-memory');
  const buf = device.createBuffer({
    label,
    size: padded(bytes),
    usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST,
  });
  const err = await device.popErrorScope();
  if (err) throw new BenchError('too-large', `out of GPU memory allocating ${label} (${formatBytes(bytes)}): ${err.message}`);
  return buf;
}

/** A small uniform buffer from 32-bit words; `f` marks the indices written as f32. */
export function uniformBuffer(device: GPUDevice, words: number[], floatIndices: number[] = []): GPUBuffer {
  const n = Math.max(4, Math.ceil(words.length / 4) * 4);
  const data = new ArrayBuffer(n * 4);
  const u = new Uint32Array(data);
  const f = new Float32Array(data);
  words.forEach((w, i) => {
    if (floatIndices.includes(i)) f[i] = w;
    else u[i] = w >>> 0;
  });
  // writeBuffer is fine here: these buffers are tiny and never the source of a copy.
  const buf = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buf, 0, data);
  return buf;
}

/**
 * Compiles a compute pipeline, collecting compile and validation errors with an error scope so
 * that a broken kernel becomes a message rather than an uncaptured error.
 */
export async function pipeline(device: GPUDevice, code: string, label: string): Promise<GPUComputePipeline> {
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code, label });
  const p = device.createComputePipeline({ label, layout: 'auto', compute: { module, entryPoint: 'main' } });
  const err = await device.popErrorScope();
  if (err) {
    const info = await module.getCompilationInfo();
    const msgs = info.messages.map((m) => `${m.type} ${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
    throw new BenchError('gpu-error', `the ${label} kernel failed to compile: ${err.message}\n${msgs}`);
  }
  return p;
}

export function bindGroup(device: GPUDevice, p: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
  return device.createBindGroup({
    layout: p.getBindGroupLayout(0),
    entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })),
  });
}

/**
 * Workgroup counts for a 1-D problem of `groups` workgroups, folded into two dimensions when it
 * exceeds maxComputeWorkgroupsPerDimension; kernels rebuild the linear index from both.
 */
export function grid1d(device: GPUDevice, groups: number): [number, number] {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  if (groups <= maxX) return [Math.max(1, groups), 1];
  const y = Math.ceil(groups / maxX);
  if (y > maxX) throw new BenchError('too-large', `the problem needs ${groups} workgroups, more than this adapter can dispatch`);
  return [Math.ceil(groups / y), y];
}

/** Checks a dispatch's workgroup counts against the adapter limit, naming the limit. */
export function checkGrid(device: GPUDevice, counts: number[]): void {
  const maxX = device.limits.maxComputeWorkgroupsPerDimension;
  for (const c of counts) {
    if (c > maxX) throw new BenchError('too-large', `the problem needs ${c} workgroups in one dimension, above maxComputeWorkgroupsPerDimension (${maxX})`);
  }
}

/**
 * Copies a buffer the GPU wrote into a mappable one and returns its bytes. (Copies from buffers
 * filled by the CPU crash lavapipe above 1 MiB; every buffer read here was written by a shader.)
 */
export async function readBack(device: GPUDevice, src: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
  const size = Math.ceil(bytes / 4) * 4;
  const dst = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(src, 0, dst, 0, size);
  device.queue.submit([enc.finish()]);
  await dst.mapAsync(GPUMapMode.READ);
  const copy = dst.getMappedRange().slice(0);
  dst.unmap();
  dst.destroy();
  return copy;
}
