/**
 * The calibration probes. `copyWgsl` streams 16-byte words (read once, written once) to measure
 * the bandwidth kernels can reach; `fmaChainWgsl` runs independent multiply-add chains in
 * registers to measure arithmetic throughput with no memory traffic. The chains use `a * b + c`
 * rather than fma(): that is what real kernels contain, and on lavapipe fma() becomes a call.
 */

export function copyWgsl(): string {
  return `
@group(0) @binding(0) var<storage, read> src: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<u32>>;
struct Params { count: u32, _a: u32, _b: u32, _c: u32 }
@group(0) @binding(2) var<uniform> P: Params;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i < P.count) { dst[i] = src[i]; }
}`;
}

/** Each thread runs CHAINS independent vec4 chains of `iters` steps: 2·4·CHAINS FLOPs per step. */
export const FMA_CHAINS = 4;

/**
 * `steps` multiply-adds of each chain per loop iteration (k a multiple of it). With one, lavapipe
 * writes each chain's variable under the loop's lane mask at every step (a blend, and spills);
 * with eight the steps are plain values and the masked write comes once per eight, as in GEMM
 * kernels that sum their products before adding them to the accumulators.
 */
export function fmaChainWgsl(dtype: 'f32' | 'f16', steps = 1): string {
  const T = dtype;
  const init = Array.from({ length: FMA_CHAINS }, (_, c) => `  var a${c} = vec4<${T}>(x + ${T}(${c}), x - ${T}(${c}), x * ${T}(0.5), x + ${T}(0.25));`).join('\n');
  const step = Array.from({ length: FMA_CHAINS }, (_, c) => `    a${c} = ${'('.repeat(steps - 1)}a${c} * b + cc${') * b + cc'.repeat(steps - 1)};`).join('\n');
  const sum = Array.from({ length: FMA_CHAINS }, (_, c) => `a${c}`).join(' + ');
  return `${dtype === 'f16' ? 'enable f16;\n' : ''}
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
struct Params { threads: u32, iters: u32, b: f32, c: f32 }
@group(0) @binding(1) var<uniform> P: Params;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 64u + li;
  if (i >= P.threads) { return; }
  let x = ${T}(f32(i % 1024u) * (1.0 / 1024.0));
  let b = ${T}(P.b);
  let cc = vec4<${T}>(${T}(P.c));
${init}
  for (var t = 0u; t < P.iters; t += ${steps}u) {
${step}
  }
  let r = ${sum};
  out[i] = f32(r.x) + f32(r.y) + f32(r.z) + f32(r.w);
}`;
}
