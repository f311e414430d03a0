/**
 * The syntactic facts a frontend collects for the rules (`FileIR.signals`), as types. The Python
 * frontend fills them in one tree pass (server/frontends/python/signals.ts); rules read them with
 * `signalsOf(ir)`. Ranges are LSP ranges of the same nodes ops are recorded at, so a rule finds the
 * op of a signal by its range.
 */
import { Dim, FileIR, Range } from '../ir';

export type { Range };

export interface OperandInfo {
  text: string;
  /** Identifiers the operand reads. */
  names: string[];
  /** Identifiers used inside its subscripts (`i` in `A[i]`). */
  subscriptNames: string[];
  /** Loop variables of the innermost loop used in its subscripts. */
  indexedBy: string[];
  /** The operand is the loop variable itself (`for a in As: a @ w`). */
  isLoopVar: boolean;
  /** The subscripted base (`A` in `A[i]`, `self.W` in `self.W[i, :]`), when it is one. */
  base?: string;
  /** `x.T`, `x.transpose(..)`, `x.permute(..)`, `x.mT`, `x.swapaxes(..)`. */
  transposed: boolean;
}

export interface MatmulSite {
  range: Range;
  /** `@`, `torch.matmul`, `np.dot`, `x.mm`... as written. */
  callee: string;
  /** `matmul`, `bmm`, `einsum`, `linear`... */
  kind: string;
  operands: OperandInfo[];
  /** Assignment target or list appended to, as text. */
  target?: string;
  /** True when the result is written to a name the matmul also reads (a chain across trips). */
  loopCarried: boolean;
  statement?: Range;
}

export interface ManualAttentionSignal {
  /** `q @ k.transpose(-2, -1)`: the scores matmul. */
  scores: Range;
  softmax: Range;
  /** `att @ v`: the output matmul. */
  output: Range;
  q: string;
  k: string;
  v: string;
  /** Mask handling seen between the matmuls. */
  causal: boolean;
  /** SDPA `attn_mask` expression (True = attend) when a non-causal mask was applied. */
  attnMask?: string;
  dropout?: string;
  /** The scores call as written when it is not a matmul with a transposed key (an einsum). */
  scoresText?: string;
  /** Reads and writes of the scores the softmax makes when it is written by hand (a library one: 2). */
  softmaxPasses?: number;
  /** The output call as written when it is an einsum. */
  outputText?: string;
  /** Scale applied to the scores: 'default' (1/sqrt(d)), 'none', or the expression. */
  scale: string;
  /** Statements from the scores to the output, when they are consecutive: the quick fix range. */
  statements?: Range;
  /** Assignment target of the output matmul. */
  target?: string;
  indent: string;
  /** Library of the code: decides whether a fused kernel exists and how to spell it. */
  framework: 'torch' | 'jax' | 'numpy' | 'tfjs';
  /** How the fused call is spelled with this file's imports. */
  sdpaCallee: string;
}

export interface AutocastSignal {
  /** The `torch.autocast(...)` call in the `with` header. */
  range: Range;
  /** The whole `with` statement, body included. */
  region: Range;
  /** null when the code leaves it to the device default we cannot see. */
  dtype: 'fp16' | 'bf16' | null;
  /** `torch.cuda.amp` (older API) or `torch.amp`/`torch.autocast`: decides the GradScaler spelling. */
  api: 'cuda.amp' | 'amp';
  /**
   * Whether a training step (backward, optimizer step) is reached where the region runs, as the
   * interpreter found it; absent where the interpreter did not reach the region.
   */
  trained?: boolean;
  /** A held context entered (`with ctx:`, `with self.ctx:`): its text. */
  held?: string;
  /** The region runs directly in a function (or top-level code) that itself trains. */
  direct?: boolean;
}

/** A `.half()` / `.to(torch.float16)` call, with what the interpreter found it casts. */
export interface HalfCastSignal extends CallSignal {
  /** A model (its weights become fp16), a tensor (an input batch), or unknown. */
  target?: 'module' | 'tensor' | 'unknown';
}

export interface CallSignal {
  range: Range;
  /** Source text of the call. */
  text: string;
  /** Receiver text of a method call (`loss` in `loss.backward()`). */
  receiver?: string;
  /** Range of the statement holding the call, and its indentation, for quick fixes. */
  statement: Range;
  indent: string;
}

export interface Tf32Signal {
  range: Range;
  /** What the line sets, and whether it enables TF32 (or bf16-pass) matmuls. */
  setting: 'allow_tf32' | 'matmul_precision' | 'cudnn.allow_tf32';
  enabled: boolean;
}

export interface LoopSignal {
  /** The `for`/`while` header (keyword to colon). */
  header: Range;
  /** The whole loop statement. */
  range: Range;
  vars: string[];
  /** Text of the iterable (`range(B)`), or the while condition. */
  iter: string;
  indent: string;
  /** Matmul-like calls directly in this loop's body (not in nested function definitions). */
  matmuls: MatmulSite[];
  /** Number of loops enclosing this one. */
  depth: number;
}

export interface NaiveConvSignal {
  /** The outermost loop of the nest. */
  range: Range;
  header: Range;
  /** The multiply-accumulate statement in the innermost loop. */
  accumulate: Range;
  /** The product of the window and the kernel (`patch * W[c]`, `x[...] * w[...]`): its op's shape and dtype are the interpreter's. */
  product?: Range;
  /** Loop variables, outermost first, and the text of each loop's iterable. */
  vars: string[];
  iters: string[];
  /** Index expressions that combine two loop variables (`i + di`) or slide a window (`i:i+kh`). */
  windows: string[];
}

/**
 * What the interpreter keeps on a tensor taken across an array's rows (`X[:, j]`): the shape of
 * that array. Ops reading the column carry it on their input (TC502 reads it there).
 */
export interface SliceOrigin {
  viewOf?: Dim[];
}

/** A loop that walks an array across its memory layout (TC502). */
export interface StridedTraversalSignal {
  /** The loop, and its header (keyword to colon). */
  loop: Range;
  header: Range;
  /** The subscript that takes a column (`X[:, j]`) or a row (`X[i, :]`), and its text. */
  access: Range;
  text: string;
  /** The array subscripted, as written. */
  base: string;
  /** Its layout as the file made it: 'C' (row-major, the default) or 'F' (column-major). */
  order: 'C' | 'F';
  /** What the loop takes per trip: a column of a row-major array, or a row of a column-major one. */
  axis: 'column' | 'row';
  loopVar: string;
  /** The subscript and the reads of a name it was assigned to: where ops read the slice. */
  uses: Range[];
}

export interface TransposeInLoopSignal {
  /** The transpose/permute expression. */
  range: Range;
  text: string;
  /** The matmul (or `.contiguous()`) it feeds. */
  use: Range;
  useKind: 'matmul' | 'contiguous';
  /** Operand position in the matmul, when it feeds one. */
  operand?: number;
  loop: Range;
  loopHeader: Range;
  /** True when the transposed value does not depend on the loop: it could be computed once. */
  invariant: boolean;
}

export interface ViewOfTransposeSignal {
  range: Range;
  text: string;
}

export interface FloatLiteralSignal {
  range: Range;
  value: number;
  text: string;
  /** `masked_fill` value, an `eps`, a `clamp` bound, or another place. */
  context: 'masked_fill' | 'eps' | 'other';
}

export interface ImportSignal {
  module: string;
  alias: string;
}

export interface Signals {
  imports: ImportSignal[];
  autocast: AutocastSignal[];
  gradScaler: CallSignal[];
  /** GradScalers the interpreter found disabled (`enabled=False`, a false flag): they scale nothing. */
  gradScalerOff: CallSignal[];
  backward: CallSignal[];
  optimizerStep: CallSignal[];
  halfModel: HalfCastSignal[];
  tf32: Tf32Signal[];
  loops: LoopSignal[];
  naiveConv: NaiveConvSignal[];
  manualAttention: ManualAttentionSignal[];
  transposeInLoop: TransposeInLoopSignal[];
  stridedTraversal: StridedTraversalSignal[];
  viewOfTranspose: ViewOfTransposeSignal[];
  floatLiterals: FloatLiteralSignal[];
}

/** Typed access for rules; a frontend that collects nothing gives empty lists. */
export function signalsOf(ir: FileIR): Signals {
  const raw = ir.signals as Partial<Record<keyof Signals, unknown[]>>;
  const get = <K extends keyof Signals>(k: K): Signals[K] => (raw[k] ?? []) as Signals[K];
  return {
    imports: get('imports'), autocast: get('autocast'), gradScaler: get('gradScaler'), gradScalerOff: get('gradScalerOff'), backward: get('backward'),
    optimizerStep: get('optimizerStep'), halfModel: get('halfModel'), tf32: get('tf32'), loops: get('loops'),
    naiveConv: get('naiveConv'), manualAttention: get('manualAttention'), transposeInLoop: get('transposeInLoop'),
    viewOfTranspose: get('viewOfTranspose'), floatLiterals: get('floatLiterals'), stridedTraversal: get('stridedTraversal'),
  };
}
