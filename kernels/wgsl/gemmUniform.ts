/**
 * The GEMM variant that reads B through uniform buffers (`stage: 'uniform'`), for adapters that
 * run shaders on CPU SIMD lanes (lavapipe).
 *
 * Why: lavapipe (Mesa 25.0's gallivm) compiles a storage-buffer or workgroup-memory load whose
 * address differs between lanes into a loop over the 8 lanes with a branch on the lane's mask and,
 * for storage buffers, a bounds-check branch per component: about ten instructions per element,
 * more than the multiply-adds they feed (the tuned unstaged kernel ran 17 instructions per vector
 * multiply in its inner loop, 900 compare-and-branch pairs per 1,024 multiplies). A uniform
 * buffer load with a per-lane address is a plain gather, about three instructions per element and
 * no branch. A uniform binding holds at most 64 KiB, so B is first copied into column panels of
 * `panel` columns, k-major ([panel][K][panel columns], zero-padded), and each dispatch binds the
 * consecutive 64 KiB windows of one panel (`kw` rows of k each) as separate uniform buffers.
 *
 * A reaches the lanes through subgroup broadcasts: in each block of S values of k (S = subgroup
 * size), lane l reads the one value A[row][k + l] and the k steps take the values from their lane
 * with subgroupBroadcast. Every storage load is expensive here whatever its address (gallivm's
 * uniform-address path only takes compile-time constant offsets, so a load whose address depends
 * on the loop's k is done lane by lane even when all lanes ask for the same value): in a kernel of
 * 24 rows per lane that read A as one vec4 per lane per 32 k, putting register values in place of
 * A's loads took 55–70% off the time (an upper bound: LLVM could then fold some products), and
 * reading A through a uniform window instead of storage took 15% off a 16×8 kernel (a uniform
 * window holds 16 rows of A at k = 1024, so A in windows needs a dispatch per block of rows, 256
 * for 1024³ at about 20 µs each, plus a pass that packs A: not done). One scalar per lane
 * per S k (a block of 8 k steps, not 32) measured as fast or faster than
 * the vec4 (11.8 against 14.0 CPU-ms for 512³ with 16×8 outputs per lane) and makes the loop body
 * a quarter as long, which lavapipe compiles in a quarter of the time (4 s against 16 s at 512³),
 * so that wider register blocks fit the compile budget: with 8 vec4 columns per lane A's loads
 * are shared by 64 columns instead of 32.
 * Each lane keeps rowsPerThread × colsPerThread outputs; the products of eight k steps are summed
 * as plain values before they are added to the accumulators, because every write of a variable
 * inside a loop costs lavapipe a masked blend.
 */
import { GemmConfig } from './gemmConfig';

/** Floats in one uniform window: WebGPU's minimum maxUniformBufferBindingSize, 64 KiB. */
export const WINDOW_FLOATS = 16384;

/** Windows per dispatch at most: each is a copy of the k loop in the shader (compile time). */
const MAX_WINDOWS = 4;

export interface UniformPlan {
  /** Columns of B per panel (and per run of dispatches' windows). */
  panel: number;
  /** Rows of k per 64 KiB window. */
  kw: number;
  /** Windows bound per dispatch: ceil(K / kw). */
  windows: number;
  /** Panels across N: one dispatch each. */
  panels: number;
}

/**
 * The panel width for a shape, or why this kernel cannot run it (the caller then uses another).
 * The kernel's k loop is written out once per window, and lavapipe's compile time grows with it
 * (eight windows of the 12-row kernel did not compile within minutes), so the panel is the
 * widest that keeps the windows as few as the narrowest panel (tileN columns) needs; at most
 * MAX_WINDOWS, and within the adapter's uniform bindings (one is taken by the parameters).
 * Narrow panels only mean more dispatches.
 */
export function uniformPlan(c: GemmConfig, s: { m: number; k: number; n: number; batch: number; dtype: 'f32' | 'f16'; transB: boolean }, maxUniformBuffers: number): UniformPlan | string {
  const lanes = c.subgroup ?? 0;
  if (s.dtype !== 'f32') return 'reads f32 only';
  if (s.transB) return 'reads row-major B only';
  if (s.batch !== 1) return 'runs one product per dispatch';
  const block = lanes;
  if (s.k % block !== 0) return `needs k to be a multiple of ${block}`;
  if (s.n % 4 !== 0) return 'needs n to be a multiple of 4';
  const bindings = Math.min(MAX_WINDOWS, maxUniformBuffers - 1);
  const plan = (panel: number): UniformPlan => {
    const kw = WINDOW_FLOATS / panel;
    return { panel, kw, windows: Math.ceil(s.k / kw), panels: Math.ceil(s.n / panel) };
  };
  if ((WINDOW_FLOATS / c.tileN) % block !== 0) return 'the tile is too wide for a 64 KiB window of whole k blocks';
  let best = plan(c.tileN);
  if (best.windows > bindings) return `k = ${s.k} needs more than ${bindings} uniform windows`;
  // Wider panels (fewer dispatches) while the windows stay as few; wider than n only pads.
  for (let panel = 2 * c.tileN; panel <= Math.max(s.n, c.tileN) && (WINDOW_FLOATS / panel) % block === 0; panel *= 2) {
    const p = plan(panel);
    if (p.windows > best.windows) break;
    best = p;
  }
  return best;
}

/**
 * The uniform-B config and plan that run a shape: the config itself, else the same rows with
 * narrower column blocks (a narrower panel holds more k per 64 KiB window: 4 columns per lane
 * take k up to 2048 where 8 take 1024), else why none can (the caller then uses uniformFallback).
 */
export function uniformPlanFor(c: GemmConfig, s: Parameters<typeof uniformPlan>[1], maxUniformBuffers: number): { config: GemmConfig; plan: UniformPlan } | string {
  const first = uniformPlan(c, s, maxUniformBuffers);
  if (typeof first !== 'string') return { config: c, plan: first };
  for (let cols = c.colsPerThread / 2; cols >= 4; cols /= 2) {
    const narrow: GemmConfig = { ...c, colsPerThread: cols, tileN: (c.subgroup ?? 0) * cols };
    const plan = uniformPlan(narrow, s, maxUniformBuffers);
    if (typeof plan !== 'string') return { config: narrow, plan };
  }
  return first;
}

/** Parameters of both kernels: panel index p is per dispatch. */
const PARAMS = `
struct Params { M: u32, K: u32, N: u32, kw: u32, alpha: f32, p: u32, kpad: u32, panels: u32 }
@group(0) @binding(3) var<uniform> P: Params;`;

/**
 * Copies row-major B [K][N] into panels [p][kk][c] of `panel` columns and kpad rows (kpad =
 * windows · kw), zeros past K and N, so that each window is one contiguous 64 KiB range.
 * One vec4 per thread; 64 threads per workgroup, workgroups folded into x and y.
 */
export function packPanelsWgsl(panel: number): string {
  const q = panel / 4;
  return `
@group(0) @binding(1) var<storage, read> B4: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> D4: array<vec4<f32>>;
${PARAMS}
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let idx = (wg.y * nwg.x + wg.x) * 64u + li;
  if (idx >= P.panels * P.kpad * ${q}u) { return; }
  let p = idx / (P.kpad * ${q}u);
  let rest = idx % (P.kpad * ${q}u);
  let kk = rest / ${q}u;
  let col = p * ${panel}u + (rest % ${q}u) * 4u;
  var v = vec4<f32>(0.0);
  if (kk < P.K && col < P.N) { v = B4[(kk * P.N + col) / 4u]; }
  D4[idx] = v;
}`;
}

/** The GEMM over one panel of B held in `windows` uniform bindings (4, 5, ...). */
export function uniformGemmWgsl(c: GemmConfig, plan: UniformPlan): string {
  const L = c.subgroup!;
  const TM = c.rowsPerThread;
  const V = c.colsPerThread / 4;
  const q = plan.panel / 4;
  const block = L;
  const body = (w: number): string => {
    const lines: string[] = [];
    for (let i = 0; i < TM; i++) lines.push(`      let a${i} = A1[aRow${i} + k + sl];`);
    for (let e0 = 0; e0 < block; e0 += 8) {
      const steps = Math.min(8, block - e0);
      for (let e = e0; e < e0 + steps; e++) {
        for (let j = 0; j < V; j++) lines.push(`      let b${e}_${j} = W${w}[(kb + ${e}u) * ${q}u + cq + ${j * L}u];`);
      }
      for (let i = 0; i < TM; i++) {
        for (let j = 0; j < V; j++) {
          const terms = Array.from({ length: steps }, (_, d) => `subgroupBroadcast(a${i}, ${e0 + d}u) * b${e0 + d}_${j}`);
          lines.push(`      acc${i}_${j} += ${terms.join(' + ')};`);
        }
      }
    }
    // The last window may hold fewer than kw rows of k; earlier ones are full.
    return `  for (var kb = 0u; kb < min(P.kw, P.K - ${w}u * P.kw); kb += ${block}u) {
    let k = ${w}u * P.kw + kb;
${lines.join('\n')}
  }`;
  };
  const decls: string[] = [];
  for (let i = 0; i < TM; i++) decls.push(`  let aRow${i} = min(m0 + ${i}u, P.M - 1u) * P.K;`);
  for (let i = 0; i < TM; i++) for (let j = 0; j < V; j++) decls.push(`  var acc${i}_${j} = vec4<f32>(0.0);`);
  const stores: string[] = [];
  for (let i = 0; i < TM; i++) {
    const row: string[] = [];
    for (let j = 0; j < V; j++) {
      row.push(`    { let col = P.p * ${plan.panel}u + (cq + ${j * L}u) * 4u; if (col < P.N) { C4[(rowOff + col) / 4u] = acc${i}_${j} * P.alpha; } }`);
    }
    stores.push(`  if (m0 + ${i}u < P.M) {\n    let rowOff = (m0 + ${i}u) * P.N;\n${row.join('\n')}\n  }`);
  }
  const windows = Array.from({ length: plan.windows }, (_, w) => `@group(0) @binding(${4 + w}) var<uniform> W${w}: array<vec4<f32>, ${WINDOW_FLOATS / 4}>;`);
  return `enable subgroups;
@group(0) @binding(0) var<storage, read> A1: array<f32>;
@group(0) @binding(2) var<storage, read_write> C4: array<vec4<f32>>;
${PARAMS}
${windows.join('\n')}

@compute @workgroup_size(${L}, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u, @builtin(subgroup_invocation_id) sl: u32) {
  let m0 = wg.y * ${TM}u;
  let cq = wg.x * ${L * V}u + lid.x;
${decls.join('\n')}
${Array.from({ length: plan.windows }, (_, w) => body(w)).join('\n')}
${stores.join('\n')}
}`;
}
