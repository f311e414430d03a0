/**
 * The language-neutral IR: tensor types with symbolic shapes, tensor operations with their
 * symbolic costs, functions with inclusive totals, and findings. Frontends (Python, TS/JS)
 * produce it; the cost model, the rules, the CLI and the language server consume it.
 *
 * Positions are LSP positions (0-based line and UTF-16 character) so that every consumer can use
 * them as they are.
 */
import { DType } from './dtypes';
import { Poly } from './symbolic';

export type Dim = Poly;

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TensorType {
  /** Dims, outermost first; null when even the rank is unknown. */
  shape: Dim[] | null;
  /** null when no source says (the cost model then uses the default dtype). */
  dtype: DType | null;
}

/** GEMM-class kinds are what PyTorch's FlopCounterMode counts; the rest goes to `otherFlops`. */
export type OpKind =
  | 'matmul'
  | 'bmm'
  | 'linear'
  | 'einsum'
  | 'conv'
  | 'conv_transpose'
  | 'sdpa'
  | 'softmax'
  | 'layer_norm'
  | 'rms_norm'
  | 'normalize'
  | 'group_norm'
  | 'batch_norm'
  | 'activation'
  | 'elementwise'
  | 'reduction'
  | 'embedding'
  | 'cross_entropy'
  | 'pool'
  | 'dropout'
  | 'copy';

export const GEMM_KINDS: ReadonlySet<OpKind> = new Set(['matmul', 'bmm', 'linear', 'einsum', 'conv', 'conv_transpose', 'sdpa']);

/** Symbolic costs of one execution of an op. */
export interface OpCost {
  /** Matmul-class FLOPs (2 per multiply-accumulate); zero for non-GEMM ops. */
  flops: Poly;
  /** Elementwise / normalisation / softmax / activation FLOPs. */
  otherFlops: Poly;
  /** Ideal bytes: every operand read once, the result written once. */
  bytes: Poly;
  /** Alternative byte counts worth showing (materialised vs fused attention, direct vs im2col conv). */
  variants?: { label: string; bytes: Poly; flops?: Poly; note?: string }[];
  /** Conventions applied, said aloud in the hover (e.g. "causal: halved"). */
  notes?: string[];
  /** Set when operand shapes were unknown: the figures are then not computed (null in reports). */
  unknown?: boolean;
}

export interface TensorOp {
  kind: OpKind;
  /** What the source called: `@`, `torch.matmul`, `F.linear`, `self.c_attn`... */
  name: string;
  range: Range;
  /** `Class.method` or a bare function name; null at module level. */
  function: string | null;
  inputs: TensorType[];
  output: TensorType;
  /** The dtype the op computes in (autocast and defaults applied). */
  dtype: DType;
  cost: OpCost;
  /** Op-specific facts rules need (GEMM m/k/n, attention L, conv geometry...). */
  attrs: Record<string, unknown>;
  /** How many times the op runs per call of its function when inside a loop with a known trip count. */
  repeat?: Poly;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface RelatedLocation {
  range: Range;
  message: string;
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  range: Range;
  related?: RelatedLocation[];
  /** Machine-readable data for quick fixes. */
  data?: Record<string, unknown>;
  /**
   * The finding stands without the figures its message would give (the sizes wait for a calling
   * context): the same rule's finding at the same range from a context that gives them replaces it.
   */
  unsized?: boolean;
}

export interface FunctionSummary {
  name: string;
  range: Range;
  /** Range of the name identifier, for hovers on the name. */
  nameRange: Range;
  /** Inclusive cost of one call (calls followed, loops multiplied, max over undecidable branches). */
  flops: Poly;
  otherFlops: Poly;
  bytes: Poly;
  /** True when a branch could not be decided and the larger side was counted. */
  upperBound: boolean;
  /** Trainable parameters created in `__init__` (classes) where known. */
  params?: Poly;
  /**
   * Fields the class calls as modules whose parameters the count could not size (a module passed
   * to `__init__`, a layer of a library it does not know): `params` is then a lower bound.
   */
  paramsUncounted?: string[];
  /**
   * Why the figures are not the whole truth (docs/whole-program.md, "never a silent number"):
   * calls the engine cannot model, operands of unknown shape, limits reached. Absent or empty:
   * complete. Propagates from callees to callers.
   */
  reasons?: Reason[];
  /** The function trains (a `backward()` call runs in it or in what it calls). */
  trains?: boolean;
  /** Dims the function bounds (`assert t <= block_size`): stated defaults, by dim, with the assert's 0-based line. */
  bounds?: Record<string, { value: number; line: number }>;
  /** Mixed-precision facts the interpreter established running it, its callees in this file included. */
  precision?: PrecisionFact[];
}

/**
 * A mixed-precision fact the interpreter established (issue 15), at a range of the file analysed:
 * - `autocast`: an autocast context made (`torch.autocast(...)`, held or in a `with`), with the
 *   dtype it turns on (null: undecided) or `enabled: false`;
 * - `enter`: an autocast context entered over `region` (a `with` statement, a decorated def);
 *   `range` is the context expression (`torch.autocast(...)`, `ctx`, `self.ctx`), `text` its text
 *   when it is a held context;
 * - `scaler`: a GradScaler made, with whether it is enabled (null: undecided);
 * - `cast`: `.half()` / `.to(torch.float16)` on a module, a tensor or an unknown value;
 * - `train`: a `backward()` or an optimizer step reached.
 */
export interface PrecisionFact {
  kind: 'autocast' | 'enter' | 'scaler' | 'cast' | 'train';
  range: Range;
  region?: Range;
  dtype?: DType | null;
  api?: 'cuda.amp' | 'amp';
  enabled?: boolean | null;
  target?: 'module' | 'tensor' | 'unknown';
  text?: string;
  /** An `enter` under `torch.no_grad()` / `torch.inference_mode()`: it cannot train. */
  noGrad?: boolean;
}

/** One cause of an incomplete figure, where it is. */
export interface Reason {
  message: string;
  range: Range;
  /** The file the range is in, when it is not the file of the figure. */
  path?: string;
}

/** Where a calling context starts: a call in an entry point (`train.py:42 main`). */
export interface ContextRef {
  path: string;
  /** 0-based line of the call in the entry point. */
  line: number;
  /** The entry point: a function's name, or `<module>` for top-level code. */
  function: string;
}

/**
 * An op as it ran in a calling context, recorded while an entry point of some file ran through
 * the code of `path` with the arguments it passes (docs/whole-program.md).
 */
export interface ContextOp {
  path: string;
  range: Range;
  kind: OpKind;
  inputs: TensorType[];
  output: TensorType;
  dtype: DType;
  cost: OpCost;
  repeat?: Poly;
  /** How many times the callers' loops ran the function around the op, from the entry point (absent: once). */
  outer?: Poly;
  context: ContextRef;
  /** What the source called, and the op's attributes in this context (GEMM m/k/n...), for the rules. */
  name?: string;
  attrs?: Record<string, unknown>;
  /** The entry point switched TF32 matmuls on before this call (`allow_tf32 = True`, matmul precision 'high'). */
  tf32?: boolean;
}

/** A function's inclusive cost of one call in a calling context: a summary's figures, placed. */
export interface ContextFunction extends Pick<FunctionSummary, 'flops' | 'otherFlops' | 'bytes' | 'upperBound' | 'reasons' | 'trains'> {
  path: string;
  name: string;
  context: ContextRef;
}

/** A dim the code bounds (`assert t <= block_size`, 0-based line), a stated default for it. */
export interface AssertedBound {
  value: number;
  line: number;
  path: string;
}

export interface Unmodelled {
  name: string;
  range: Range;
}

/** A dim-binding or dtype fact found in the source (`B, T = 8, 1024`, `# tensorcost: dims`). */
export interface SourceFacts {
  dims: Map<string, number>;
  /** File-level directive dims, which win over everything else (SPEC §3). */
  directiveDims: Map<string, number>;
  /**
   * The dims of `dims` that a config class's defaults give (`n_embd` from `GPTConfig`'s
   * `n_embd: int = 768`), with the class's name: a run from another file that reads its config at
   * run time (`GPTConfig(**checkpoint["model_args"])`) leaves those dims open, and its figures
   * say they took the class's default.
   */
  configDefaults?: Map<string, string>;
  defaultDtype?: DType;
  /** A device id a file directive picks (`// tensorcost: device iris-xe`), over the setting. */
  device?: string;
  /** Suppressions by line (`# noqa: TC101`); an empty set means all codes. */
  noqa: Map<number, Set<string>>;
  fileIgnores: Set<string>;
}

/** The frontend's output for one file, before the cost model binds dims. */
export interface FileIR {
  path: string;
  language: 'python' | 'typescript' | 'javascript';
  ops: TensorOp[];
  /**
   * `ops` cut at the top-level statements that produced them, in order: their concatenation is
   * `ops`. A segment the frontend reused unchanged from the previous analysis of the same
   * document is the same array object, so the engine remembers figures and per-op findings per
   * segment instead of looking at every op of the file again. Absent: one segment, `ops`.
   */
  segments?: TensorOp[][];
  functions: FunctionSummary[];
  /** Frontend findings (TC001, TC002) and findings of syntactic rules. */
  findings: Finding[];
  unmodelled: Unmodelled[];
  facts: SourceFacts;
  /** Syntactic facts rules need (autocast regions, backward calls, loops...), by rule. */
  signals: Record<string, unknown[]>;
  /**
   * What the entry points of this file did in the code they called, in this file and in others:
   * the calling contexts other files' figures are completed with (docs/whole-program.md).
   */
  captured?: { ops: ContextOp[]; functions: ContextFunction[]; bounds?: [string, AssertedBound][] };
  /** The file's name in its program (absolute, '/'-separated), when analysed as part of one. */
  programPath?: string;
  /** The files of the program this analysis read (its imports, transitively). */
  dependencies?: string[];
  /** Entry points of the file (top-level code, `main`-like functions), for the file's total. */
  entries?: string[];
  /** What the file's top-level code computes when it runs as a script. */
  moduleSummary?: Pick<FunctionSummary, 'flops' | 'otherFlops' | 'bytes' | 'upperBound' | 'reasons' | 'trains'>;
}
