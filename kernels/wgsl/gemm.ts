/**
 * WGSL for (batched) GEMM: C[b] = alpha · A[b] · op(B[b]), A [m][k], B [k][n] (or [n][k] when
 * transposed), C [m][n], all row-major, with per-batch element strides (0 broadcasts).
 *
 * `tiledGemmWgsl` is one template over the parameters of GemmConfig (./gemmConfig): a workgroup
 * computes a tileM × tileN block of C; panels of tileK columns of A and rows of B are staged in
 * workgroup memory (A k-major, B as vec4 rows) so that each k step of a thread reads its
 * rowsPerThread values of A and colsPerThread/4 vec4 of B once and does rowsPerThread ×
 * colsPerThread/4 vec4 multiply-adds. Global loads are vec4 when the config asks for it and the
 * row length is a multiple of 4 (so a vec4 never straddles a row end), scalar otherwise; every
 * load and store is bounds-checked, so any size works. f16 storage is widened to f32 on load:
 * accumulation is always f32.
 */
import { DEFAULT_GEMM, GemmConfig, workgroupShape } from './gemmConfig';

export interface GemmKernelOptions {
  dtype: 'f32' | 'f16';
  transB: boolean;
  /** Row lengths allow vec4 access: k % 4 == 0 for A (and Bᵀ), n % 4 == 0 for B and C. */
  vecA: boolean;
  vecB: boolean;
  vecC: boolean;
  config?: GemmConfig;
  /** Set (to config.subgroup) only when the adapter runs that subgroup size and k is a multiple of it. */
  subgroup?: number;
}

/** Uniforms shared by both GEMM kernels. */
const PARAMS = `
struct Params { M: u32, K: u32, N: u32, strideA: u32, strideB: u32, strideC: u32, alpha: f32, tileK: u32 }
@group(0) @binding(3) var<uniform> P: Params;`;

function header(dtype: 'f32' | 'f16'): string {
  return dtype === 'f16' ? 'enable f16;\n' : '';
}

/** Writes element `e` of the k-major f32 panel `dst` (vec4-packed when `packed`). */
function panelStore(dst: string, index: string, packed: boolean, value: string): string {
  return packed ? `${dst}[(${index}) / 4u][(${index}) % 4u] = ${value};` : `${dst}[${index}] = ${value};`;
}

/**
 * Loads a `rows` × tileK panel whose rows run along k in global memory (A, or B transposed) into
 * the k-major workgroup array `dst`: element (row r, kk) at kk * rows + r.
 */
function loadKRows(g: GemmConfig, threads: number, src: string, dst: string, packed: boolean, tileRows: number, rows: string, off: string, base: string, vec: boolean): string {
  if (vec) {
    const perRow = g.tileK / 4;
    const stores = ['x', 'y', 'z', 'w'].map((lane, e) => panelStore(dst, `(kq * 4u + ${e}u) * ${tileRows}u + r`, packed, `v.${lane}`)).join('\n      ');
    return `
    for (var idx = li; idx < ${tileRows * perRow}u; idx += ${threads}u) {
      let r = idx / ${perRow}u;
      let kq = idx % ${perRow}u;
      let gr = ${base} + r;
      let gk = k0 + kq * 4u;
      var v = vec4<f32>(0.0);
      if (gr < ${rows} && gk < P.K) { v = vec4<f32>(${src}4[(${off} + gr * P.K + gk) / 4u]); }
      ${stores}
    }`;
  }
  return `
    for (var idx = li; idx < ${tileRows * g.tileK}u; idx += ${threads}u) {
      let r = idx / ${g.tileK}u;
      let kk = idx % ${g.tileK}u;
      let gr = ${base} + r;
      let gk = k0 + kk;
      var v = 0.0;
      if (gr < ${rows} && gk < P.K) { v = f32(${src}[${off} + gr * P.K + gk]); }
      ${panelStore(dst, `kk * ${tileRows}u + r`, packed, 'v')}
    }`;
}

/** Loads a tileK × tileN panel of row-major B ([k][n]) into Bs[kk * tileN/4 + col/4]. */
function loadBRows(g: GemmConfig, threads: number, vec: boolean): string {
  const n4 = g.tileN / 4;
  if (vec) {
    return `
    for (var idx = li; idx < ${g.tileK * n4}u; idx += ${threads}u) {
      let kk = idx / ${n4}u;
      let c4 = idx % ${n4}u;
      let gk = k0 + kk;
      let gn = n0 + c4 * 4u;
      var v = vec4<f32>(0.0);
      if (gk < P.K && gn < P.N) { v = vec4<f32>(B4[(bOff + gk * P.N + gn) / 4u]); }
      Bs[kk * ${n4}u + c4] = v;
    }`;
  }
  return `
    for (var idx = li; idx < ${g.tileK * g.tileN}u; idx += ${threads}u) {
      let kk = idx / ${g.tileN}u;
      let c = idx % ${g.tileN}u;
      let gk = k0 + kk;
      let gn = n0 + c;
      var v = 0.0;
      if (gk < P.K && gn < P.N) { v = f32(B[bOff + gk * P.N + gn]); }
      Bs[kk * ${n4}u + c / 4u][c % 4u] = v;
    }`;
}

export function tiledGemmWgsl(o: GemmKernelOptions): string {
  const T = o.dtype;
  const g = o.config ?? DEFAULT_GEMM;
  if (g.stage === 'none') return unstagedGemmWgsl(o, g);
  const [wgX, wgY] = workgroupShape(g);
  const threads = wgX * wgY;
  const TM = g.rowsPerThread;
  const TN4 = g.colsPerThread / 4;
  const n4 = g.tileN / 4;
  // The A panel is vec4-packed when each thread's rows fill whole vec4s, so a k step reads them
  // with TM/4 loads; otherwise it is a scalar array read element by element.
  const aPacked = TM % 4 === 0;
  const bTPacked = true;
  const inner: string[] = [];
  for (let j = 0; j < TN4; j++) inner.push(`      let b${j} = Bs[kk * ${n4}u + tx + ${j * wgX}u];`);
  if (aPacked) {
    for (let q = 0; q < TM / 4; q++) inner.push(`      let a${q} = As[kk * ${g.tileM / 4}u + ty * ${TM / 4}u + ${q}u];`);
  } else {
    for (let i = 0; i < TM; i++) inner.push(`      let a${i} = As[kk * ${g.tileM}u + ty * ${TM}u + ${i}u];`);
  }
  for (let i = 0; i < TM; i++) {
    const a = aPacked ? `a${i >> 2}.${'xyzw'[i & 3]}` : `a${i}`;
    for (let j = 0; j < TN4; j++) inner.push(`      acc${i}_${j} += ${a} * b${j};`);
  }
  const decls: string[] = [];
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN4; j++) decls.push(`  var acc${i}_${j} = vec4<f32>(0.0);`);
  // Accumulators are separate variables and the store is written out in full: indexing an
  // array of accumulators with a loop variable makes some compilers keep all of them in memory.
  const stores: string[] = [];
  for (let i = 0; i < TM; i++) {
    const body: string[] = [];
    for (let j = 0; j < TN4; j++) {
      const v = `acc${i}_${j}`;
      body.push(o.vecC
        ? `    { let col = colBase + ${j * wgX * 4}u; if (col < P.N) { C4[(rowOff + col) / 4u] = vec4<${T}>(${v} * P.alpha); } }`
        : `    { let col = colBase + ${j * wgX * 4}u; for (var e = 0u; e < 4u; e++) { if (col + e < P.N) { C[rowOff + col + e] = ${T}(${v}[e] * P.alpha); } } }`);
    }
    stores.push(`  if (rowBase + ${i}u < P.M) {\n    let rowOff = cOff + (rowBase + ${i}u) * P.N;\n${body.join('\n')}\n  }`);
  }
  const bLoad = o.transB
    ? loadKRows(g, threads, 'B', 'Bs', bTPacked, g.tileN, 'P.N', 'bOff', 'n0', o.vecB)
    : loadBRows(g, threads, o.vecB);
  return `${header(T)}
@group(0) @binding(0) var<storage, read> ${o.vecA ? 'A4: array<vec4<' + T + '>>' : 'A: array<' + T + '>'};
@group(0) @binding(1) var<storage, read> ${o.vecB ? 'B4: array<vec4<' + T + '>>' : 'B: array<' + T + '>'};
@group(0) @binding(2) var<storage, read_write> ${o.vecC ? 'C4: array<vec4<' + T + '>>' : 'C: array<' + T + '>'};
${PARAMS}
var<workgroup> As: array<${aPacked ? 'vec4<f32>' : 'f32'}, ${aPacked ? (g.tileK * g.tileM) / 4 : g.tileK * g.tileM}>;
var<workgroup> Bs: array<vec4<f32>, ${g.tileK * n4}>;

@compute @workgroup_size(${wgX}, ${wgY})
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(local_invocation_index) li: u32) {
  let tx = lid.x;
  let ty = lid.y;
  let m0 = wg.y * ${g.tileM}u;
  let n0 = wg.x * ${g.tileN}u;
  let aOff = wg.z * P.strideA;
  let bOff = wg.z * P.strideB;
  let cOff = wg.z * P.strideC;
${decls.join('\n')}
  for (var k0 = 0u; k0 < P.K; k0 += ${g.tileK}u) {
${loadKRows(g, threads, 'A', 'As', aPacked, g.tileM, 'P.M', 'aOff', 'm0', o.vecA)}
${bLoad}
    workgroupBarrier();
    // The bound comes from a uniform (always tileK) so that LLVM does not unroll this loop: fully
    // unrolled, lavapipe spends tens of seconds compiling the kernel on first use.
    for (var kk = 0u; kk < P.tileK; kk++) {
${inner.join('\n')}
    }
    workgroupBarrier();
  }
  let colBase = n0 + tx * 4u;
  let rowBase = m0 + ty * ${TM}u;
${stores.join('\n')}
}`;
}

/**
 * The template without workgroup memory (`stage: 'none'`): a workgroup is one row of threads
 * sharing the tile's rows, so every load of A has the same address in all of them and each k
 * step is rowsPerThread loads of A, colsPerThread/4 vec4 loads of B and rowsPerThread ×
 * colsPerThread/4 vec4 multiply-adds, with no barrier. Compilers that run a workgroup as SIMD
 * lanes of a CPU (lavapipe) load such uniform values once for all lanes, where the staged kernel
 * pays a per-lane load from workgroup memory; on GPUs it lacks the staging's reuse and loses.
 * Rows and columns past the matrix are clamped for loading (their results are never stored), so
 * the inner loop has no branch. B is row-major only (transB is refused by the caller).
 */
function unstagedGemmWgsl(o: GemmKernelOptions, g: GemmConfig): string {
  const T = o.dtype;
  const [wgX] = workgroupShape(g);
  const TM = g.rowsPerThread;
  const TN4 = g.colsPerThread / 4;
  // With vec4 A the k loop steps by 4, reading one vec4 of each of the tile's rows; with
  // subgroups it steps by the subgroup size, each lane reading one k of each row.
  const L = o.subgroup ?? 0;
  const vecA = o.vecA && !L;
  const kStep = L || (vecA ? 4 : 1);
  const lines: string[] = [];
  for (let i = 0; i < TM; i++) {
    lines.push(L
      ? `      let a${i} = f32(A[aRow${i} + k + sl]);`
      : vecA
        ? `      let a${i} = vec4<f32>(A4[(aRow${i} + k) / 4u]);`
        : `      let a${i} = f32(A[aRow${i} + k]);`);
  }
  for (let e = 0; e < kStep; e++) {
    for (let j = 0; j < TN4; j++) {
      const row = `bOff + (k + ${e}u) * P.N`;
      const el = (d: number) => `f32(B[${row} + min(col${j} + ${d}u, P.N - 1u)])`;
      lines.push(o.vecB
        ? `      let b${e}_${j} = vec4<f32>(B4[(${row} + col${j}) / 4u]);`
        : `      let b${e}_${j} = vec4<f32>(${el(0)}, ${el(1)}, ${el(2)}, ${el(3)});`);
    }
    for (let i = 0; i < TM; i++) {
      const a = L ? `ab${e}_${i}` : vecA ? `a${i}.${'xyzw'[e]}` : `a${i}`;
      if (L) lines.push(`      let ab${e}_${i} = subgroupBroadcast(a${i}, ${e}u);`);
      for (let j = 0; j < TN4; j++) lines.push(`      acc${i}_${j} += ${a} * b${e}_${j};`);
    }
  }
  const setup: string[] = [];
  for (let i = 0; i < TM; i++) setup.push(`  let aRow${i} = aOff + min(m0 + ${i}u, P.M - 1u) * P.K;`);
  // vec4 B clamps whole groups (n % 4 == 0 there); scalar B clamps each element as it loads.
  for (let j = 0; j < TN4; j++) {
    setup.push(o.vecB
      ? `  let col${j} = min(n0 + (tx + ${j * wgX}u) * 4u, P.N - 4u);`
      : `  let col${j} = n0 + (tx + ${j * wgX}u) * 4u;`);
  }
  for (let i = 0; i < TM; i++) for (let j = 0; j < TN4; j++) setup.push(`  var acc${i}_${j} = vec4<f32>(0.0);`);
  const stores: string[] = [];
  for (let i = 0; i < TM; i++) {
    const body: string[] = [];
    for (let j = 0; j < TN4; j++) {
      const v = `acc${i}_${j}`;
      body.push(o.vecC
        ? `    { let col = n0 + (tx + ${j * wgX}u) * 4u; if (col < P.N) { C4[(rowOff + col) / 4u] = vec4<${T}>(${v} * P.alpha); } }`
        : `    { let col = n0 + (tx + ${j * wgX}u) * 4u; for (var e = 0u; e < 4u; e++) { if (col + e < P.N) { C[rowOff + col + e] = ${T}(${v}[e] * P.alpha); } } }`);
    }
    stores.push(`  if (m0 + ${i}u < P.M) {\n    let rowOff = cOff + (m0 + ${i}u) * P.N;\n${body.join('\n')}\n  }`);
  }
  return `${header(T)}${L ? 'enable subgroups;\n' : ''}
@group(0) @binding(0) var<storage, read> ${vecA ? 'A4: array<vec4<' + T + '>>' : 'A: array<' + T + '>'};
@group(0) @binding(1) var<storage, read> ${o.vecB ? 'B4: array<vec4<' + T + '>>' : 'B: array<' + T + '>'};
@group(0) @binding(2) var<storage, read_write> ${o.vecC ? 'C4: array<vec4<' + T + '>>' : 'C: array<' + T + '>'};
${PARAMS}

@compute @workgroup_size(${wgX}, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u${L ? ', @builtin(subgroup_invocation_id) sl: u32' : ''}) {
  let tx = lid.x;
  let m0 = wg.y * ${g.tileM}u;
  let n0 = wg.x * ${g.tileN}u;
  let aOff = wg.z * P.strideA;
  let bOff = wg.z * P.strideB;
  let cOff = wg.z * P.strideC;
${setup.join('\n')}
  for (var k = 0u; k < P.K; k += ${kStep}u) {
${lines.join('\n')}
  }
${stores.join('\n')}
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
