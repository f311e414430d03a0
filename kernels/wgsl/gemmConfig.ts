/**
 * The parameters of the tiled GEMM template (./gemm.ts), the search space calibration tunes over,
 * and the shape classes a tuned winner is stored for. Nothing here loads WebGPU: the CLI, the
 * extension host and the tests import it freely.
 */

/**
 * One point of the search space. A workgroup computes a `tileM` × `tileN` block of C, stepping
 * through k in panels of `tileK` staged in workgroup memory; each thread accumulates
 * `rowsPerThread` × `colsPerThread` outputs in registers, so the workgroup has
 * (tileN / colsPerThread) × (tileM / rowsPerThread) threads.
 */
export interface GemmConfig {
  tileM: number;
  tileN: number;
  tileK: number;
  rowsPerThread: number;
  /** A multiple of 4: a thread's columns are vec4 groups, `tileN / colsPerThread` groups apart. */
  colsPerThread: number;
  /** vec4 global loads and stores where the row lengths allow them; scalar ones otherwise. */
  vec4: boolean;
  /**
   * `workgroup` (default): panels of A and B staged in workgroup memory between barriers.
   * `none`: no staging; the workgroup is one row of tileN / colsPerThread threads that share
   * all tileM (= rowsPerThread) rows, so loads of A are uniform across it (tileK is unused).
   * `uniform`: B is copied into column panels read through 64 KiB uniform-buffer windows, A
   * through subgroup broadcasts (./gemmUniform.ts); one subgroup per workgroup, tileN =
   * subgroup × colsPerThread, tileK = subgroup (the k block). Shapes it cannot run (f16,
   * batched, k not a multiple of tileK, n not a multiple of 4) use uniformFallback's kernel.
   */
  stage?: 'workgroup' | 'none' | 'uniform';
  /**
   * Unstaged only: the adapter's fixed subgroup size. Each lane then loads one value of A per
   * row for `subgroup` consecutive k, and the k steps take them from each other with
   * subgroupBroadcast instead of loading them again. Used when k is a multiple of it.
   */
  subgroup?: number;
}

/** The kernel this project shipped before tuning existed; the fallback when nothing is stored. */
export const DEFAULT_GEMM: GemmConfig = { tileM: 64, tileN: 64, tileK: 32, rowsPerThread: 16, colsPerThread: 4, vec4: true };

export function workgroupShape(c: GemmConfig): [number, number] {
  return [c.tileN / c.colsPerThread, c.tileM / c.rowsPerThread];
}

/** Bytes of workgroup memory the kernel declares: an f32 panel of A and one of B. */
export function workgroupBytes(c: GemmConfig): number {
  return c.stage === 'none' || c.stage === 'uniform' ? 0 : 4 * c.tileK * (c.tileM + c.tileN);
}

/**
 * The kernel a `uniform` config runs on shapes it cannot take: the unstaged subgroup kernel of
 * the same subgroup size with 16×4 outputs per lane (the square winner before this variant).
 */
export function uniformFallback(c: GemmConfig): GemmConfig {
  const size = c.subgroup ?? 8;
  return { ...u(16, size, 4), subgroup: size };
}

/** e.g. "64×64×32 t16×4 vec4 (16×4 threads)", "8×64 unstaged t8×8 vec4 (8×1 threads)". */
export function configLabel(c: GemmConfig): string {
  const [x, y] = workgroupShape(c);
  const tile = c.stage === 'uniform' ? `${c.tileM}×${c.tileN} uniform-B subgroup ${c.subgroup}`
    : c.stage === 'none' ? `${c.tileM}×${c.tileN} unstaged${c.subgroup ? ` subgroup ${c.subgroup}` : ''}` : `${c.tileM}×${c.tileN}×${c.tileK}`;
  return `${tile} t${c.rowsPerThread}×${c.colsPerThread} ${c.vec4 ? 'vec4' : 'scalar'} (${x}×${y} threads)`;
}

const isPow2 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 1024 && (x & (x - 1)) === 0;

/**
 * Why a config cannot be generated, or null when it can. Limits are WebGPU's defaults (256
 * invocations, 16 KiB of workgroup memory) unless the device's own are given.
 */
export function configProblem(c: GemmConfig, limits: { invocations: number; workgroupBytes: number } = { invocations: 256, workgroupBytes: 16384 }): string | null {
  if (!c || typeof c !== 'object') return 'the kernel config is not an object';
  if (c.stage === 'uniform') {
    // Rows per lane need not be a power of two here (12 fits the registers best on lavapipe).
    if (!Number.isInteger(c.rowsPerThread) || c.rowsPerThread < 1 || c.rowsPerThread > 32) return `rowsPerThread must be an integer from 1 to 32, got ${c.rowsPerThread}`;
    if (!isPow2(c.colsPerThread) || !isPow2(c.tileN) || !isPow2(c.tileK)) return 'colsPerThread, tileN and tileK must be powers of two';
    if (!isPow2(c.subgroup) || c.subgroup < 4 || c.subgroup > 64) return 'a uniform-B kernel needs a subgroup size from 4 to 64';
    if (c.tileN !== c.subgroup * c.colsPerThread || c.tileM !== c.rowsPerThread) return 'a uniform-B kernel is one subgroup: tileN = subgroup × colsPerThread, tileM = rowsPerThread';
    // (Winners stored before the 8-step block had tileK = 4 × subgroup: they are refused, so the
    // default kernel runs until calibration tunes again.)
    if (c.tileK !== c.subgroup) return 'a uniform-B kernel steps k by the subgroup size (tileK)';
    if (!c.vec4) return 'a uniform-B kernel reads vec4';
    if (c.colsPerThread < 4 || c.rowsPerThread * (c.colsPerThread / 4) > 48) return 'a uniform-B kernel keeps at most 48 vec4 accumulators per lane';
    return null;
  }
  for (const key of ['tileM', 'tileN', 'tileK', 'rowsPerThread', 'colsPerThread'] as const) {
    if (!isPow2(c[key])) return `${key} must be a power of two from 1 to 1024, got ${c[key]}`;
  }
  if (typeof c.vec4 !== 'boolean') return 'vec4 must be true or false';
  if (c.stage !== undefined && c.stage !== 'workgroup' && c.stage !== 'none' && c.stage !== 'uniform') return `stage must be 'workgroup', 'none' or 'uniform', got ${c.stage}`;
  if (c.stage === 'none' && c.rowsPerThread !== c.tileM) return 'an unstaged kernel has one row of threads: rowsPerThread must equal tileM';
  if (c.subgroup !== undefined) {
    if (c.stage !== 'none') return 'subgroup applies to unstaged kernels only';
    if (!isPow2(c.subgroup) || c.subgroup < 4 || c.subgroup > 128) return `subgroup must be a power of two from 4 to 128, got ${c.subgroup}`;
    if ((c.tileN / c.colsPerThread) % c.subgroup !== 0) return 'the row of threads must be whole subgroups';
  }
  if (c.colsPerThread < 4) return 'colsPerThread must be at least 4 (columns are vec4 groups)';
  if (c.tileN < c.colsPerThread || c.tileM < c.rowsPerThread) return 'a tile must hold at least one thread\'s block';
  if (c.tileK < 4) return 'tileK must be at least 4';
  const [x, y] = workgroupShape(c);
  if (x * y > limits.invocations) return `${x}×${y} threads per workgroup, above the limit of ${limits.invocations}`;
  if (workgroupBytes(c) > limits.workgroupBytes) return `${workgroupBytes(c)} bytes of workgroup memory, above the limit of ${limits.workgroupBytes}`;
  if (c.rowsPerThread * (c.colsPerThread / 4) > 64) return 'more than 64 vec4 accumulators per thread';
  return null;
}

/**
 * What a GEMM's shape asks of the kernel. `tall-skinny`: few rows of output (m ≤ 64: a linear
 * layer on a small batch of tokens, a matrix-vector product), memory-bound and wasting most of a
 * 64-row tile; `batched`: more than one product per dispatch; `square`: everything else.
 * A product with few columns (n ≤ 64) but many rows uses the square winner.
 */
export type ShapeClass = 'square' | 'tall-skinny' | 'batched';
export const SHAPE_CLASSES: readonly ShapeClass[] = ['square', 'tall-skinny', 'batched'];

export function shapeClass(m: number, n: number, batch: number): ShapeClass {
  if (m <= 64) return 'tall-skinny';
  if (batch > 1) return 'batched';
  return 'square';
}

/** The shape each class is tuned on: large enough to time, small enough for a CPU adapter. */
export function tuningShape(cls: ShapeClass, software: boolean): { m: number; k: number; n: number; batch: number } {
  const s = software ? 512 : 2048;
  switch (cls) {
    case 'square': return { m: s, k: s, n: s, batch: 1 };
    case 'tall-skinny': return { m: 8, k: 2 * s, n: 2 * s, batch: 1 };
    case 'batched': return { m: s / 4, k: s / 4, n: s / 4, batch: 8 };
  }
}

/**
 * The shapes calibration measures each class's efficiency (or bandwidth) on, after tuning, for
 * the cost model. They are kept off the shapes that `npm run bench:kernels` checks the model on
 * (powers of two: m = 1..8 against 1024², squares 128..1024, 8×128³ and 4×256³ batched on a CPU
 * adapter), so that the bench's prediction errors are errors on shapes the model was not fitted
 * on: 6 rows against 1536² (and one row, for the class's bandwidth), 6×192³ batched. The square
 * ladder runs on 192·2^i for the same reason (server/cli/calibrate.ts).
 */
export function calibrationShape(cls: Exclude<ShapeClass, 'square'>, software: boolean): { m: number; k: number; n: number; batch: number } {
  // (The one-row shape is also measured against half the matrix side: see gemvSides.)
  const s = software ? 1536 : 6144;
  switch (cls) {
    case 'tall-skinny': return { m: 6, k: s, n: s, batch: 1 };
    case 'batched': return software ? { m: 192, k: 192, n: 192, batch: 6 } : { m: 768, k: 768, n: 768, batch: 6 };
  }
}

/**
 * The batched class's efficiency ladder: the calibration shape with half and twice its side, so
 * that the class follows its own kernel's change with size rather than the square winner's (the
 * batched class runs another kernel, and on lavapipe its trend differed from the square ladder's:
 * prediction rows at 8×128³ and 4×256³ missed by 1.5–1.9× either way when they took the square
 * ladder's). 6×96³, 6×192³, 6×384³ on a CPU adapter bracket the bench's 8×128³ and 4×256³ in
 * FLOPs while staying off its powers of two.
 */
export function batchedLadder(software: boolean): { m: number; k: number; n: number; batch: number }[] {
  const base = calibrationShape('batched', software);
  return [base.m / 2, base.m, base.m * 2].map((s) => ({ m: s, k: s, n: s, batch: base.batch }));
}

/**
 * The matrix sides the one-row GEMV is measured at, for the tall-skinny class's bandwidth by
 * footprint (predict.ts, bandwidthAt): 768² and 1536² f32 (2.25 and 9 MiB) on a CPU adapter,
 * either side of the bench's 1024² and of a typical last-level cache slice.
 */
export function gemvSides(software: boolean): number[] {
  const s = calibrationShape('tall-skinny', software).k;
  return [s / 2, s];
}

/** First size of the square ladder (then doubling): 192, 384, 768, 1536, off the bench's powers of two. */
export const SQUARE_LADDER_START = 192;

const c = (tileM: number, tileN: number, tileK: number, rowsPerThread: number, colsPerThread: number, vec4 = true): GemmConfig =>
  ({ tileM, tileN, tileK, rowsPerThread, colsPerThread, vec4 });
/** An unstaged config: `lanes` threads in a row, each with rows × cols outputs. */
const u = (rows: number, lanes: number, cols: number, vec4 = true): GemmConfig =>
  ({ tileM: rows, tileN: lanes * cols, tileK: 4, rowsPerThread: rows, colsPerThread: cols, vec4, stage: 'none' });

/**
 * The candidates per class. Large-tile classes vary the tile (32..128), the k-panel (8..32), the
 * register block per thread (4×4 to 16×8) and with them the workgroup shape (32 to 256 threads),
 * scalar loads, and unstaged kernels; the tall-skinny class uses tiles of 1 to 8 rows and wide
 * column panels, since a 64-row tile would multiply the work of an 8-row product by eight. Kept
 * small on purpose: every candidate costs a compile (about a second on lavapipe) and a timed run
 * at calibration, and every one is compiled and verified by the tests.
 */
export function searchSpace(cls: ShapeClass): GemmConfig[] {
  if (cls === 'tall-skinny') {
    return [
      c(8, 128, 16, 8, 4), c(8, 64, 32, 8, 4), c(8, 256, 8, 8, 4), c(8, 128, 16, 4, 8), c(8, 128, 16, 8, 4, false), c(1, 128, 16, 1, 4),
      u(8, 8, 4), u(8, 8, 8), u(4, 8, 8), u(1, 8, 8), u(8, 16, 4), u(8, 8, 4, false),
    ];
  }
  return [
    DEFAULT_GEMM, { ...DEFAULT_GEMM, vec4: false },
    c(64, 64, 16, 8, 8), c(64, 64, 32, 8, 8), c(128, 64, 16, 8, 8), c(64, 128, 16, 8, 8),
    c(128, 128, 8, 8, 8), c(64, 64, 16, 4, 4), c(32, 64, 32, 8, 4), c(64, 64, 32, 16, 8),
    u(4, 8, 8), u(8, 8, 8), u(4, 16, 8), u(8, 8, 4), u(8, 8, 8, false),
  ];
}

/**
 * Unstaged configs sharing A through subgroups of `size` lanes (one row of `size` threads), for
 * every class: on lavapipe (subgroups of 8) the 8×4 one ran 1.4× faster than the same block
 * without subgroups (12.6 and 11.5 against 8.5 and 8.5 GFLOP/s at 512³, one child, two rounds).
 */
export function subgroupConfigs(cls: ShapeClass, size: number): GemmConfig[] {
  // Ordered by how they fared on lavapipe, best first (16×4 won the square class in every quiet
  // calibration before the uniform-B kernels): tuning measures them first when its time box is
  // tight. The uniform-B kernels run one product per dispatch, so the batched class has none.
  // Uniform-B at 512³ on lavapipe, CPU-ms per product under load (the loads of A cost most, so
  // wider column blocks, which share them, won): 16×8 11.7–14.0, 24×8 12.2–14.7, 12×8 13.0,
  // 12×4 13.6–17.3, 16×16 17.1, 8×16 20.6. Few-row products get 8-row blocks.
  const uniformShapes = cls === 'batched' ? [] : cls === 'tall-skinny' ? [[8, 8], [8, 4], [16, 8]] : [[16, 8], [24, 8], [12, 8], [12, 4]];
  const uniform = uniformShapes.map(([rows, cols]) => uniformConfig(rows, size, cols));
  return [...uniform, ...[[16, 4], [8, 4], [8, 8], [4, 4], [4, 8]].map(([rows, cols]) => ({ ...u(rows, size, cols), subgroup: size }))];
}

/** A uniform-B config: one subgroup of `size` lanes, each with rows × cols outputs. */
export function uniformConfig(rows: number, size: number, cols: number): GemmConfig {
  return { tileM: rows, tileN: size * cols, tileK: size, rowsPerThread: rows, colsPerThread: cols, vec4: true, stage: 'uniform', subgroup: size };
}

/** Every distinct config of every class: what the tests verify. */
export function allConfigs(): GemmConfig[] {
  const seen = new Map<string, GemmConfig>();
  for (const cls of SHAPE_CLASSES) for (const cfg of searchSpace(cls)) seen.set(configLabel(cfg), cfg);
  return [...seen.values()];
}
