/**
 * The public types of the kernel benchmark harness (docs/cli.md).
 *
 * The editor ("Benchmark this matmul"), `tensorcost bench`, `tensorcost calibrate` and
 * `npm run bench:kernels` all go through `runBenchmark` in ./runner, which forks
 * out/kernels/harness/child.js and exchanges the JSON messages below over Node's IPC channel.
 * Nothing in this file loads WebGPU, so it is safe to import from the extension host.
 */

/** Kernels the harness can run. `fma` is the compute probe; `copy` the bandwidth probe. */
export type BenchOp = 'gemm' | 'bmm' | 'conv2d' | 'attention' | 'copy' | 'fma';

/** Element type in memory. f16 GEMMs accumulate in f32; f16 needs the adapter's `shader-f16`. */
export type BenchDtype = 'f32' | 'f16';

/**
 * Kernel variants, per op (the first one is the default):
 * - gemm / bmm: `tiled` (64×64 tile, k-tile 32, 16×4 outputs per thread, vec4 loads where the
 *   row lengths allow), `naive` (16×16 threads, one output each), `tfjs` (TF.js WebGPU backend
 *   on the same device and the same inputs; gemm and bmm, f32 and f16).
 * - conv2d: `im2col` (im2col pass + the tiled batched GEMM), `direct`.
 * - attention: `flash` (fused online softmax), `materialized` (scores, softmax, PV: three passes).
 * - copy: `shader` (a vec4 copy kernel), `copyBufferToBuffer`.
 * - fma: `chain` (independent FMA chains in registers, one step per loop iteration), `chain8`
 *   (the same chains, eight steps per loop iteration; k must be a multiple of 8).
 */
export type BenchVariant =
  | 'tiled' | 'naive' | 'tfjs'
  | 'im2col' | 'direct'
  | 'flash' | 'materialized'
  | 'shader' | 'copyBufferToBuffer'
  | 'chain' | 'chain8';

export interface BenchRequest {
  op: BenchOp;
  dtype?: BenchDtype;
  variant?: BenchVariant;
  /**
   * GEMM: C[m×n] = A[m×k] · B[k×n], `batch` independent products for bmm.
   * Attention: m = query length, n = key length (default m), k = head dim, batch = batch × heads.
   * Copy: m = number of elements copied. FMA: m = number of threads (default chosen by the child).
   */
  m?: number;
  k?: number;
  n?: number;
  batch?: number;
  /**
   * gemm / bmm `tiled` only: the template's parameters (a tuning candidate, or the winner stored
   * by calibration for the shape's class). Absent: the winner the runner was given, else the
   * shipped default.
   */
  kernel?: import('../wgsl/gemmConfig').GemmConfig;
  /** conv2d only: NCHW input (batch, cin, h, w), weights (cout, cin, kh, kw), square stride/pad. */
  conv?: { cin: number; h: number; w: number; cout: number; kh: number; kw: number; stride?: number; pad?: number };
  /** Timed runs after warm-up; the default fits the run into about `timeBudgetMs`. */
  repeats?: number;
  warmup?: number;
  /** Soft budget for the timed runs when `repeats` is not given (default 4000 ms). */
  timeBudgetMs?: number;
  /** `auto` uses timestamp queries when the adapter has them; `queue` forces onSubmittedWorkDone. */
  timing?: 'auto' | 'queue';
  /**
   * `full` checks every output element (however long the CPU reference takes); `auto` (default)
   * does so up to `verifyBudget` multiply-accumulates and otherwise checks a sample of rows and
   * reports `verified: false` (only a complete check may say true).
   */
  verify?: 'auto' | 'full';
  verifyBudget?: number;
  /** Seed of the input generator; the CPU regenerates the same values from it. */
  seed?: number;
  /**
   * Test hooks, never set by users: `perturb` changes one output element after read-back (the
   * check must then fail), `crash` aborts the child (the parent must survive).
   */
  debug?: 'perturb' | 'crash';
}

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  description: string;
  /** The fixed subgroup size, when the adapter has `subgroups` with one size (tuning uses it). */
  subgroupSize?: number | null;
}

/** One benchmark run: the object of docs/cli.md plus a few fields that explain it. */
export interface BenchResult {
  op: BenchOp;
  m: number;
  k: number;
  n: number;
  batch: number;
  dtype: BenchDtype;
  adapter: AdapterSummary;
  medianMs: number;
  minMs: number;
  repeats: number;
  /** Matmul-class FLOPs (2 per MAC, docs/cost-model.md) per millisecond-scaled second; 0 for copy. */
  gflops: number;
  /** Ideal bytes (each operand read once, result written once; docs/cost-model.md) per second. */
  gbps: number;
  /** True only when every output element was checked against the CPU reference and passed. */
  verified: boolean;
  /**
   * Largest |gpu − cpu| / scale over the checked elements, where scale is Σ|a·b| of the element's
   * dot product (its condition), so the figure stays meaningful where the result is near zero.
   */
  maxRelError: number;
  timing: 'timestamp-query' | 'queue';
  /** Roofline prediction from the calibrated local device; null when not calibrated. */
  predicted: import('./predict').Prediction | null;
  variant: BenchVariant;
  flops: number;
  bytes: number;
  /** Tolerance the check used, the elements checked, and the output's element count. */
  tolerance: number;
  checkedElements: number;
  totalElements: number;
  conv?: Required<NonNullable<BenchRequest['conv']>> & { hOut: number; wOut: number };
  /** The tiled GEMM's parameters, as a label (configLabel) and as given. */
  kernel?: string;
  kernelConfig?: import('../wgsl/gemmConfig').GemmConfig;
  notes?: string[];
}

/** Progress events forwarded from the child (for the editor's progress notification). */
export interface BenchProgress {
  stage: 'starting' | 'adapter' | 'compile' | 'fill' | 'warmup' | 'timing' | 'verify' | 'done';
  message: string;
  /** 0..1 within the whole run, when known. */
  fraction?: number;
}

export interface RunOptions {
  /** Kill the child and reject after this long (default 120 000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (p: BenchProgress) => void;
  /**
   * Node binary for the child. Defaults to process.execPath; inside VS Code that is Electron,
   * whose ABI differs from the `webgpu` package's prebuilt Node addon, so the editor should pass
   * a real `node` here (found on PATH or configured).
   */
  execPath?: string;
  /** Extra environment for the child (e.g. LP_NUM_THREADS for lavapipe). */
  env?: Record<string, string>;
  /** Fills `predicted` from this device (normally the calibrated "local" one). */
  predictWith?: import('../../server/core/devices').Device;
  /**
   * Tuned GEMM kernels per dtype and shape class (stored by calibration): a gemm/bmm `tiled`
   * request without its own `kernel` runs the winner for its class.
   */
  tuned?: import('./tuned').TunedKernels;
  /** Called with the child's pid once it is spawned (tests use it to prove the kill). */
  onSpawn?: (pid: number) => void;
}

/** Why a run failed; `kind` lets callers word the message (e.g. exit codes in the CLI). */
export type BenchErrorKind =
  | 'no-adapter' | 'unsupported' | 'too-large' | 'bad-request'
  | 'device-lost' | 'gpu-error' | 'timeout' | 'aborted' | 'child-crashed' | 'internal';

export class BenchError extends Error {
  constructor(readonly kind: BenchErrorKind, message: string) {
    super(message);
    this.name = 'BenchError';
  }
}

/** Messages on the IPC channel. */
export type ParentToChild = { type: 'run'; request: BenchRequest } | { type: 'runMany'; requests: BenchRequest[] };
/** One answer of a runMany: its result, or why that request failed (the others still ran). */
export type ManyResult = { result: BenchResult } | { error: { kind: BenchErrorKind; message: string } };
export type ChildToParent =
  | { type: 'progress'; progress: BenchProgress }
  | { type: 'result'; result: BenchResult }
  | { type: 'results'; results: ManyResult[] }
  | { type: 'error'; kind: BenchErrorKind; message: string };
