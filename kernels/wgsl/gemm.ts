/**
 * WGSL for (batched) GEMM: C[b] = alpha · A[b] · op(B[b]), A [m][k], B [k][n] (or [n][k] when
 * transposed), C [m][n], all row-major, with per-batch element strides (0 broadcasts).
 *
 * `tiled`: a 64×64 output tile per workgroup of 16×4 threads, k-tile 32, each thread holding a
 * 16-row × 4-column block of accumulators (16 vec4). Tiles are staged in workgroup memory as
 * k-major vec4 rows so the inner loop reads one vec4 of B and four vec4 of A per k for sixteen
 * vec4 FMAs. Global loads are vec4 when the row length is a multiple of 4 (so a vec4 never
 * straddles a row end), scalar otherwise; every load and store is bounds-checked, so any size
 * works. f16 storage is widened to f32 on load: accumulation is always f32.
 */

export interface GemmKernelOptions {
  dtype: 'f32' | 'f16';
  transB: boolean;
  /** Row lengths allow vec4 access: k % 4 == 0 for A (and Bᵀ), n % 4 == 0 for B and C. */
  vecA: boolean;
  vecB: boolean;
  vecC: boolean;
}

export const TILE_M = 64;
export const TILE_N = 64;
const TILE_K = 32;

/** Uniforms shared by both GEMM kernels. */
const PARAMS = `
struct Params { M: u32, K: u32, N: u32, strideA: u32, strideB: u32, strideC: u32, alpha: f32, tileK: u32 }
@group(0) @binding(3) var<uniform> P: Params;`;

function header(dtype: 'f32' | 'f16'): string {
  return dtype === 'f16' ? 'enable f16;\n' : '';
}

/**
 * Loads a 64-row × 32-k panel whose rows run along k in global memory (A, or B transposed) into
 * a k-major workgroup array `dst` (dst[kk*16 + row/4][row%4]).
 */
function loadKRows(src: string, dst: string, rows: string, off: string, base: string, vec: boolean): string {
  if (vec) {
    // 64 rows × 8 vec4 = 512 vec4 per panel, 8 per thread.
    return `
  for (var t = 0u; t < P.tileK / 4u; t++) {
    let idx = li + t * 64u;
    let r = idx / 8u;
    let kq = idx % 8u;
    let gr = ${base} + r;
    let gk = k0 + kq * 4u;
    var v = vec4<f32>(0.0);
    if (gr < ${rows} && gk < P.K) { v = vec4<f32>(${src}4[(${off} + gr * P.K + gk) / 4u]); }
    let c = r / 4u;
    let lane = r % 4u;
    ${dst}[(kq * 4u + 0u) * 16u + c][lane] = v.x;
    ${dst}[(kq * 4u + 1u) * 16u + c][lane] = v.y;
    ${dst}[(kq * 4u + 2u) * 16u + c][lane] = v.z;
    ${dst}[(kq * 4u + 3u) * 16u + c][lane] = v.w;
  }`;
  }
  return `
  for (var t = 0u; t < P.tileK; t++) {
    let idx = li + t * 64u;
    let r = idx / 32u;
    let kk = idx % 32u;
    let gr = ${base} + r;
    let gk = k0 + kk;
    var v = 0.0;
    if (gr < ${rows} && gk < P.K) { v = f32(${src}[${off} + gr * P.K + gk]); }
    ${dst}[kk * 16u + r / 4u][r % 4u] = v;
  }`;
}

/** Loads a 32-k × 64-column panel of row-major B ([k][n]) into Bs[kk*16 + col/4]. */
function loadBRows(vec: boolean): string {
  if (vec) {
    return `
  for (var t = 0u; t < P.tileK / 4u; t++) {
    let idx = li + t * 64u;
    let kk = idx / 16u;
    let c4 = idx % 16u;
    let gk = k0 + kk;
    let gn = n0 + c4 * 4u;
    var v = vec4<f32>(0.0);
    if (gk < P.K && gn < P.N) { v = vec4<f32>(B4[(bOff + gk * P.N + gn) / 4u]); }
    Bs[kk * 16u + c4] = v;
  }`;
  }
  return `
  for (var t = 0u; t < P.tileK; t++) {
    let idx = li + t * 64u;
    let kk = idx / 64u;
    let c = idx % 64u;
    let gk = k0 + kk;
    let gn = n0 + c;
    var v = 0.0;
    if (gk < P.K && gn < P.N) { v = f32(B[bOff + gk * P.N + gn]); }
    Bs[kk * 16u + c / 4u][c % 4u] = v;
  }`;
}

export function tiledGemmWgsl(o: GemmKernelOptions): string {
  const T = o.dtype;
  const fmas: string[] = [];
  for (let i = 0; i < 4; i++) {
    fmas.push(`      let a${i} = As[kk * 16u + ty * 4u + ${i}u];`);
    for (const [j, lane] of ['x', 'y', 'z', 'w'].entries()) fmas.push(`      acc[${i * 4 + j}] += a${i}.${lane} * b;`);
  }
  const store = o.vecC
    ? `if (col < P.N) { C4[(cOff + row * P.N + col) / 4u] = vec4<${T}>(acc[r] * P.alpha); }`
    : `for (var j = 0u; j < 4u; j++) { if (col + j < P.N) { C[cOff + row * P.N + col + j] = ${T}(acc[r][j] * P.alpha); } }`;
  return `${header(T)}
@group(0) @binding(0) var<storage, read> ${o.vecA ? 'A4: array<vec4<' + T + '>>' : 'A: array<' + T + '>'};
@group(0) @binding(1) var<storage, read> ${o.vecB ? 'B4: array<vec4<' + T + '>>' : 'B: array<' + T + '>'};
@group(0) @binding(2) var<storage, read_write> ${o.vecC ? 'C4: array<vec4<' + T + '>>' : 'C: array<' + T + '>'};
${PARAMS}
var<workgroup> As: array<vec4<f32>, ${(TILE_K * TILE_M) / 4}>;
var<workgroup> Bs: array<vec4<f32>, ${(TILE_K * TILE_N) / 4}>;

@compute @workgroup_size(16, 4)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tx = lid.x;
  let ty = lid.y;
  let m0 = wg.y * ${TILE_M}u;
  let n0 = wg.x * ${TILE_N}u;
  let aOff = wg.z * P.strideA;
  let bOff = wg.z * P.strideB;
  let cOff = wg.z * P.strideC;
  var acc: array<vec4<f32>, 16>;
  for (var k0 = 0u; k0 < P.K; k0 += ${TILE_K}u) {
${loadKRows('A', 'As', 'P.M', 'aOff', 'm0', o.vecA)}
${o.transB ? loadKRows('B', 'Bs', 'P.N', 'bOff', 'n0', o.vecB) : loadBRows(o.vecB)}
    workgroupBarrier();
    // The bound comes from a uniform (always 32) so that LLVM does not unroll this loop: fully
    // unrolled, lavapipe spends tens of seconds compiling the kernel on first use.
    for (var kk = 0u; kk < P.tileK; kk++) {
      let b = Bs[kk * 16u + tx];
${fmas.join('\n')}
    }
    workgroupBarrier();
  }
  let col = n0 + tx * 4u;
  for (var r = 0u; r < 16u; r++) {
    let row = m0 + ty * 16u + r;
    if (row < P.M) {
      ${store}
    }
  }
}`;
}

/** One output per thread, 16×16 threads: the baseline the tiled kernel is measured against. */
export function naiveGemmWgsl(o: Pick<GemmKernelOptions, 'dtype' | 'transB'>): string {
  const T = o.dtype;
  const bIndex = o.transB ? 'bOff + col * P.K + kk' : 'bOff + kk * P.N + col';
  return `${header(T)}
@group(0) @binding(0) var<storage, read> A: array<${T}>;
@group(0) @binding(1) var<storage, read> B: array<${T}>;
@group(0) @binding(2) var<storage, read_write> C: array<${T}>;
${PARAMS}
@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) g: vec3u, @builtin(workgroup_id) wg: vec3u) {
  let row = g.y;
  let col = g.x;
  if (row >= P.M || col >= P.N) { return; }
  let aOff = wg.z * P.strideA + row * P.K;
  let bOff = wg.z * P.strideB;
  var acc = 0.0;
  for (var kk = 0u; kk < P.K; kk++) {
    acc += f32(A[aOff + kk]) * f32(B[${bIndex}]);
  }
  C[wg.z * P.strideC + row * P.N + col] = ${T}(acc * P.alpha);
}`;
}
