/**
 * WGSL for scaled dot-product attention (non-causal), Q [bh][lq][d], K and V [bh][lk][d],
 * O [bh][lq][d]. The materialised path runs scores = Q·Kᵀ/√d and O = P·V with the GEMM kernels
 * and `softmaxRowsWgsl` in between; the flash path is `flashAttentionWgsl`, one pass that never
 * writes the lq×lk matrix.
 */

function header(dtype: 'f32' | 'f16'): string {
  return dtype === 'f16' ? 'enable f16;\n' : '';
}

/** In-place softmax of each row of S ([rows][cols]); one 64-thread workgroup per row. */
export function softmaxRowsWgsl(dtype: 'f32' | 'f16'): string {
  const T = dtype;
  return `${header(T)}
@group(0) @binding(0) var<storage, read_write> S: array<${T}>;
struct Params { rows: u32, cols: u32, _a: u32, _b: u32 }
@group(0) @binding(1) var<uniform> P: Params;
var<workgroup> red: array<f32, 64>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let row = wg.y * nwg.x + wg.x;
  // The row index is uniform across the workgroup, so this early exit keeps barriers uniform.
  if (row >= P.rows) { return; }
  let base = row * P.cols;
  var m = -3.0e38;
  for (var j = li; j < P.cols; j += 64u) { m = max(m, f32(S[base + j])); }
  red[li] = m;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = max(red[li], red[li + s]); }
    workgroupBarrier();
  }
  let rowMax = red[0];
  workgroupBarrier();
  var sum = 0.0;
  for (var j = li; j < P.cols; j += 64u) { sum += exp(f32(S[base + j]) - rowMax); }
  red[li] = sum;
  workgroupBarrier();
  for (var s = 32u; s > 0u; s >>= 1u) {
    if (li < s) { red[li] = red[li] + red[li + s]; }
    workgroupBarrier();
  }
  let inv = 1.0 / red[0];
  for (var j = li; j < P.cols; j += 64u) { S[base + j] = ${T}(exp(f32(S[base + j]) - rowMax) * inv); }
}`;
}

/**
 * Keys per block held in workgroup memory, so that K and V blocks (2·BC·d f32) stay within
 * 16 KiB, the smallest maxComputeWorkgroupStorageSize WebGPU guarantees.
 */
export function flashBlock(d: number): number {
  return Math.max(1, Math.min(32, Math.floor(2048 / d)));
}

/**
 * FlashAttention-style forward: each thread owns one query row (q and the output accumulator in
 * registers, d fixed at compile time); the workgroup streams blocks of BC keys and values through
 * workgroup memory and keeps a running max and sum (online softmax), rescaling the accumulator
 * once per block.
 */
export function flashAttentionWgsl(dtype: 'f32' | 'f16', d: number): string {
  const T = dtype;
  const BC = flashBlock(d);
  return `${header(T)}
const D = ${d}u;
const BC = ${BC}u;
@group(0) @binding(0) var<storage, read> Q: array<${T}>;
@group(0) @binding(1) var<storage, read> K: array<${T}>;
@group(0) @binding(2) var<storage, read> V: array<${T}>;
@group(0) @binding(3) var<storage, read_write> O: array<${T}>;
struct Params { LQ: u32, LK: u32, scale: f32, _a: u32 }
@group(0) @binding(4) var<uniform> P: Params;
var<workgroup> Ks: array<f32, ${BC * d}>;
var<workgroup> Vs: array<f32, ${BC * d}>;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let bh = wg.y;
  let row = wg.x * 64u + li;
  let valid = row < P.LQ;
  let qOff = (bh * P.LQ + min(row, P.LQ - 1u)) * D;
  let kvOff = bh * P.LK * D;
  var q: array<f32, ${d}>;
  var acc: array<f32, ${d}>;
  var s: array<f32, ${BC}>;
  for (var c = 0u; c < D; c++) { q[c] = f32(Q[qOff + c]) * P.scale; acc[c] = 0.0; }
  var m = -3.0e38;
  var l = 0.0;
  for (var j0 = 0u; j0 < P.LK; j0 += BC) {
    let nk = min(BC, P.LK - j0);
    for (var t = li; t < BC * D; t += 64u) {
      let j = t / D;
      var kv = 0.0;
      var vv = 0.0;
      if (j < nk) { kv = f32(K[kvOff + (j0 + j) * D + t % D]); vv = f32(V[kvOff + (j0 + j) * D + t % D]); }
      Ks[t] = kv;
      Vs[t] = vv;
    }
    workgroupBarrier();
    if (valid) {
      var bm = m;
      for (var j = 0u; j < nk; j++) {
        var dot = 0.0;
        for (var c = 0u; c < D; c++) { dot += q[c] * Ks[j * D + c]; }
        s[j] = dot;
        bm = max(bm, dot);
      }
      let corr = exp(m - bm);
      l = l * corr;
      for (var c = 0u; c < D; c++) { acc[c] = acc[c] * corr; }
      for (var j = 0u; j < nk; j++) {
        let p = exp(s[j] - bm);
        l += p;
        for (var c = 0u; c < D; c++) { acc[c] += p * Vs[j * D + c]; }
      }
      m = bm;
    }
    workgroupBarrier();
  }
  if (valid) {
    let inv = 1.0 / l;
    for (var c = 0u; c < D; c++) { O[qOff + c] = ${T}(acc[c] * inv); }
  }
}`;
}
