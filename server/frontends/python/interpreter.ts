/**
 * An abstract interpreter over the tree-sitter Python tree. It runs each function once with the
 * shapes its annotations give (or symbols where they say nothing), follows calls into the same
 * file with the argument shapes of the call site, and records every tensor op it meets with its
 * symbolic cost. It never executes user code and never throws on odd input: anything it does not
 * understand becomes `unknown` and the analysis goes on.
 */
import { DType, parseDType } from '../../core/dtypes';
import { ContextFunction, ContextOp, ContextRef, Finding, FunctionSummary, GEMM_KINDS, OpCost, PrecisionFact, Range, Reason, TensorOp, TensorType, Unmodelled } from '../../core/ir';
import type { ProgramSession } from './session';
import { rememberStructure } from './nodeMemo';
import { bindImport } from './imports';
import { OpContext, OpResult } from '../../core/ops/types';
import { Bindings, Poly, isMadeUpDim, userFacing } from '../../core/symbolic';
import { detach } from '../../core/intern';
import { parseAnnotation } from './annotations';
import { notAnalysedWhy } from './notAnalysed';
import { BuiltinCtx, FUNCTIONS, LIBRARY_ROOTS, TENSOR_METHODS, canonical } from './builtins';
import { matmulValues } from './builtins/gemm';
import { joinPath, pathAttribute } from './builtins/paths';
import type { Node } from './parser';
import { CommentAnnotation, CommentInfo, CommentReuse, collectComments, docstringShapes, parseShapeComment } from './comments';
import { CALL_CONSTANTS, GRAD_SCALER, adaptCall, gradScalerMethod, isConfigFactory, isNotCompute } from './aliases';
import { isGenerator, yieldValue } from './generators';
import { BUILTINS, DICT_METHODS, LIST_METHODS, MATH_CONSTANTS, MODULE_METHODS, RETURNS_SELF, containerMethod, KEYS_SET_AT_RUN, missingEntry, newList } from './pybuiltins';
import { CountedWhile, LoopValues, TripTest, aliasesOf, conjuncts, countTrips, countWhile, firstTrip, namesOf, statementsOf, tripTest } from './countedWhile';
import { growthReason, mayAppend, tensorShapes } from './loopGrowth';
import { CallSite, ClassInfo, FunctionInfo, HEAP, NONE, OPEN_KEYWORDS, UNKNOWN, Value, asDim, born, int, itemCounts, tensor, touched, unreplayable } from './values';
import { CALL_MEMO, CallEntry, Captured, beginRecording, capturesAt, endRecording, instantiate, logCapture, polyKey, tensorKey } from './callMemo';
import type { SliceOrigin } from '../../core/rules/signals';
import { deriveGuess, isGuessed, markGuessed } from './guessed';
import { takesLastPosition } from './lastPosition';
import { environValue, isAccumulationLoop, launchedWorldSize, modelCallFact, worldScaleFact } from './distributedFacts';
import { callLibraryLayer, containerMembers, initLibraryLayer, libraryBase } from './librarySubclass';
import { cfgNodeMethod } from './yacsConfig';
import { isModuleLike } from './moduleTree';
import { PrecisionAcc, addFact, addFacts, autocastOfValues, boolArg, castTarget, castsToHalf, factText, isTrainingCall } from './precision';
import type { AutocastDecision } from './autocast';
import { BindingSnapshot, compareConstants, concatSequences, dictKey, isPlain, keyValue, loopSteps, mergedEntry, percentFormat, pythonText, repeatSequence, sameBindings, sameItem, sliceCounted, snapshotBindings, sortedOrder, truthy } from './sequences';
import { LARGE_TEXT_CHARS, textCache } from './textCaches';

/** A method whose node is looked up in its class's body only when something needs it. */
class MethodInfo implements FunctionInfo {
  private resolved?: Node;
  constructor(
    readonly qualName: string,
    readonly cls: ClassInfo,
    readonly chunk: number,
    private readonly member: (index: number, decorated: boolean) => Node,
    private readonly index: number,
    private readonly decorated: boolean,
    readonly owner: Interpreter,
  ) {}

  get node(): Node {
    this.resolved ??= this.member(this.index, this.decorated);
    return this.resolved;
  }
}

/**
 * Where a builder's anonymous dims start (`runBuilders`): far above what one statement makes,
 * and apart for builders with different names, so that two builders' dims are not mistaken for
 * the same dim. Anonymous dims print as `?` whatever their number.
 */
function builderFreshBase(name: string): number {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return 1_000_000 * (1 + (h % 100_000));
}

/** The first word of a top-level definition. */
const DEFINITION = /^(def|async\s+def|class|@)\b/;

/** Names a source calls (`name(` or `.name(`), remembered by the source's text. */
const CALLED = textCache<string, string[]>();
function calledNames(text: string): string[] {
  let names = CALLED.get(text);
  if (!names) {
    // The names are cut from a detached copy: the entry must not keep the document alive.
    const own = detach(text);
    names = [...new Set([...own.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]))];
    if (CALLED.size > 10_000) CALLED.clear();
    CALLED.set(own, names);
  }
  return names;
}

/**
 * A construction's arguments as a key, when every one is a known constant (numbers, strings,
 * classes, lists of them); undefined otherwise (`_resnet(arch, block, ...)` run on its own).
 */
function constructionKey(values: Value[], names: string[]): string | undefined {
  const keyOf = (v: Value, depth: number): string | undefined => {
    switch (v.kind) {
      case 'int': {
        const c = v.value.constValue();
        return c === undefined ? undefined : String(c);
      }
      case 'float': return v.value === null ? undefined : `f${v.value}`;
      case 'str': return (v.path ? 'p' : '') + JSON.stringify(v.value);
      case 'bool': return v.value === null ? undefined : String(v.value);
      case 'none': return 'None';
      case 'class': return `class ${v.cls.name}`;
      case 'function': return `fn ${v.def.qualName}`;
      case 'tuple': {
        if (depth > 3 || (v.repeat && !v.repeat.equals(Poly.ONE)) || v.counts) return undefined;
        const parts = v.items.map((x) => keyOf(x, depth + 1));
        return parts.some((p) => p === undefined) ? undefined : `(${parts.join(',')})`;
      }
      case 'dict': {
        const parts = [...v.entries].map(([k, x]) => `${k}:${keyOf(x, depth + 1)}`);
        return depth > 3 || parts.some((p) => p.endsWith(':undefined')) ? undefined : `{${parts.join(',')}}`;
      }
      default:
        return undefined;
    }
  };
  const parts = values.map((v) => keyOf(v, 0));
  return parts.some((p) => p === undefined) ? undefined : `${parts.join('|')}|${names.join(',')}`;
}

/**
 * How an `if` without `elif`/`else` that guards what follows it ends its block: with a `return`
 * (a guard clause of a function) or a `continue` (the rest of a loop's body is skipped); else
 * undefined.
 */
function guardEnd(s: Node): 'return_statement' | 'continue_statement' | undefined {
  if (s.childrenForFieldName('alternative').some((a) => !!a)) return undefined;
  const body = s.childForFieldName('consequence')?.namedChildren.filter((n) => n && n.type !== 'comment') ?? [];
  const last = body[body.length - 1]?.type;
  return last === 'return_statement' || last === 'continue_statement' ? last : undefined;
}

/**
 * A decorated class (`declareDecoratedClass`) by its text: name, bases, methods, literal defaults;
 * null when it is no class, or its body holds what `declareStatement` must walk (an import, a
 * default that is not a literal).
 */
interface DecoratedClassShape {
  name: string;
  bases: string[];
  methods: { name: string; index: number; decorated: boolean; key?: string }[];
  defaults: { name: string; type: LiteralType; text: string }[];
  /**
   * Annotated fields in order, each once, and each one's annotation without spaces (the last
   * given): what `declareField` makes of them one by one, made once per text (see
   * `ClassInfo.fields`), since every analysis declares every config class of the file again.
   */
  fields: string[];
  annotations: [string, string][];
}
const DECORATED_CLASSES = new Map<string, DecoratedClassShape | null>();

type LiteralType = 'integer' | 'float' | 'true' | 'false' | 'none';
const LITERALS = new Set<string>(['integer', 'float', 'true', 'false', 'none']);

/** A literal's value, as `eval` makes it from the node. */
function literalValue(type: LiteralType, text: string): Value {
  switch (type) {
    case 'integer': {
      const v = Number(text.replace(/_/g, ''));
      return Number.isFinite(v) ? int(v) : UNKNOWN;
    }
    case 'float':
      return { kind: 'float', value: Number(text.replace(/_/g, '')) };
    case 'true':
      return { kind: 'bool', value: true };
    case 'false':
      return { kind: 'bool', value: false };
    default:
      return NONE;
  }
}

/** What `declareStatement` reads of a decorated class, or null (see `DecoratedClassShape`). */
function decoratedClassShape(stmt: Node): DecoratedClassShape | null {
  if (stmt.type !== 'decorated_definition') return null;
  const def = stmt.childForFieldName('definition');
  if (def?.type !== 'class_definition') return null;
  const methods: DecoratedClassShape['methods'] = [];
  const defaults: DecoratedClassShape['defaults'] = [];
  const probe: ClassInfo = { name: '', node: stmt, bases: [], methods: new Map(), defaults: new Map() };
  const members = def.childForFieldName('body')?.namedChildren ?? [];
  for (let index = 0; index < members.length; index++) {
    const m = members[index];
    if (!m) continue;
    const d = m.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
    if (!d) continue;
    if (d.type === 'import_statement' || d.type === 'import_from_statement') return null;
    if (d.type === 'function_definition') {
      const name = detach(d.childForFieldName('name')?.text ?? '?');
      methods.push({ name, index, decorated: d !== m, key: accessorKey(m, name) });
    }
    const a = m.type === 'expression_statement' ? m.namedChild(0) : null;
    if (a?.type !== 'assignment') continue;
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    const annotation = a.childForFieldName('type');
    if (left?.type === 'identifier' && annotation) declareField(probe, detach(left.text), detach(annotation.text));
    if (left?.type !== 'identifier' || !right) continue;
    if (!LITERALS.has(right.type)) return null;
    defaults.push({ name: detach(left.text), type: right.type as LiteralType, text: detach(right.text) });
  }
  return {
    name: detach(def.childForFieldName('name')?.text ?? '?'),
    bases: (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((n): n is Node => !!n).map((n) => detach(n.text)),
    methods,
    defaults,
    fields: probe.fields ?? [],
    annotations: [...(probe.annotations ?? [])],
  };
}

/** What declaring a class learns from its text alone, shared by analyses of the same text. */
const CLASS_SHAPES = textCache<string, { name: string; bases: string[]; methods: { name: string; qualName: string; index: number; decorated: boolean; key?: string }[]; assigns: boolean }>();

/** Module-level functions whose names say a run starts there. */
const ENTRY_NAME = /^(main|_main|run|cli|train|test|evaluate|eval|demo|example|benchmark|bench|sample|profile|finetune|pretrain)(_\w*)?$|^(test|train|bench)\w*|_main$/i;

/** Whether a def's text makes it an entry point: no parameter without a default, or a `backward()`. */
const ENTRY_TEXTS = textCache<string, boolean>();
function entryByText(text: string): boolean {
  let hit = ENTRY_TEXTS.get(text);
  if (hit !== undefined) return hit;
  const m = /^(?:async\s+)?def\s+\w+\s*\(([^)]*)\)/.exec(text);
  const params = m ? m[1].split(',').map((p) => p.trim()).filter((p) => p !== '' && p !== '*' && p !== '/') : [];
  hit = (!!m && params.every((p) => p.includes('=') || p.startsWith('*'))) || /\.backward\s*\(/.test(text);
  if (ENTRY_TEXTS.size > 10_000) ENTRY_TEXTS.clear();
  ENTRY_TEXTS.set(detach(text), hit);
  return hit;
}

/** Calls deeper than this are not followed (their cost is then missing, never wrong). */
const MAX_CALL_DEPTH = 16;
/** Statements interpreted per analysis before we stop, so pathological input cannot hang us. */
const MAX_STEPS = 2_000_000;

export interface Acc extends PrecisionAcc {
  flops: Poly;
  otherFlops: Poly;
  bytes: Poly;
  upperBound: boolean;
  /** Why the figures are not complete (bounded: `addReason`). */
  reasons?: Reason[];
  /** A `backward()` ran. */
  trains?: boolean;
}

export function emptyAcc(): Acc {
  return { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO, upperBound: false };
}

/** Reasons kept per accumulator: enough to say why, never a list that grows with the code. */
const MAX_REASONS = 6;

export function addReason(acc: Acc, r: Reason): void {
  const list = (acc.reasons ??= []);
  if (list.some((x) => x.message === r.message && x.path === r.path && x.range.start.line === r.range.start.line)) return;
  if (list.length < MAX_REASONS) {
    list.push(r);
    return;
  }
  // Full: a reason that says more of what is missing (a loop counted once, a model that may run)
  // takes the place of the last of the least telling ones (an operand of unknown shape in a
  // helper): DiT's sampling loop was lost behind four such operands.
  const w = reasonWeight(r.message);
  let at = -1;
  for (let i = list.length - 1; i >= 0; i--) if (reasonWeight(list[i].message) < w && (at < 0 || reasonWeight(list[i].message) < reasonWeight(list[at].message))) at = i;
  if (at >= 0) list[at] = r;
}

/** How much a reason says of what the figures miss (`addReason` keeps the most telling). */
function reasonWeight(message: string): number {
  if (/^(loop at line|`while` loop)|trip count|recursive call|calls deeper|step budget|not known before run time/.test(message)) return 3;
  if (message.includes('the callee is unknown')) return 2;
  if (message.startsWith('operand of unknown shape')) return 0;
  return 1;
}

/** Adds what a callee or a branch accumulated (times `m`) to `to`. */
export function addAcc(to: Acc, from: Acc, m: Poly = Poly.ONE): void {
  const one = m.equals(Poly.ONE);
  to.flops = to.flops.add(one ? from.flops : from.flops.mul(m));
  to.otherFlops = to.otherFlops.add(one ? from.otherFlops : from.otherFlops.mul(m));
  to.bytes = to.bytes.add(one ? from.bytes : from.bytes.mul(m));
  to.upperBound ||= from.upperBound;
  if (from.reasons) for (const x of from.reasons) addReason(to, x);
  if (from.trains) to.trains = true;
  addFacts(to, from);
}

export interface Frame {
  env: Map<string, Value>;
  fn: FunctionInfo | null;
  /** Only the function being reported records ops and findings; inlined callees only add cost. */
  report: boolean;
  acc: Acc;
  /** Trip count of the enclosing loops. */
  multiplier: Poly;
  /**
   * In a calling context, how many times the callers' loops run this frame's call: the product of
   * every caller frame's multiplier on the way from the entry point (the rules count an op's calls
   * with it: a decoder's `for t in range(256)` around `dec.step(h)`). Absent: once.
   */
  outer?: Poly;
  depth: number;
  stack: FunctionInfo[];
  returns: Value[];
  returned: boolean;
  /** The dtype matmul/conv compute in inside `torch.autocast(...)`. */
  autocast: DType | null;
  /** A generator's frame: what its `yield`s give, in order, as a list (generators.ts). */
  yields?: Extract<Value, { kind: 'tuple' }>;
  /**
   * The calling context this frame runs in: set for frames called, directly or not, from an entry
   * point's frame; their ops and totals are recorded for the files they belong to.
   */
  context?: ContextRef;
  /** An entry point's own frame (top-level code, a `main`-like function): its calls start contexts. */
  entry?: boolean;
  /** The context a call from this entry frame is about to start (set by `call`). */
  pendingContext?: ContextRef;
  /** Gradients are off (`torch.no_grad()`, `torch.inference_mode()`): nothing here trains. */
  noGrad?: boolean;
  /**
   * The frame runs for an entry point that takes no tensor of unknown shape (a script's top
   * level, a `main()`), directly or through calls: every tensor here comes from the code's own
   * run, so one of unknown shape is one the analysis lost, not a parameter (`evalAssignedValue`).
   */
  closedRun?: boolean;
  /**
   * The counted loop whose body runs now (countedWhile.ts: a `while` the code counts, or a `for`
   * over a constant range), for its periodic tests and its `if ...: break`; `cost` is the frame's
   * FLOPs when the body began (what such a break finds counted before it).
   */
  loop?: { counted: CountedWhile; body: number; outer: Poly; cost?: Poly };
}

/** One parameter of a `def` as the tree has it (`signatureOf`). */
interface ParamSyntax {
  node: Node;
  type: string;
  name: string | undefined;
  typeNode: Node | null;
  dflt: Node | null;
  dfltNone: boolean;
}

/**
 * The polynomials of an op the file keeps, replaced by shared equal ones (`Poly.shared`; equal
 * values, so objects shared with other ops may be changed too): a file of megabytes kept a few
 * hundred bytes per polynomial, three or four per op, of a handful of distinct values.
 */
function sharePolys(cost: OpCost, attrs: Record<string, unknown>): void {
  cost.flops = Poly.shared(cost.flops);
  cost.otherFlops = Poly.shared(cost.otherFlops);
  cost.bytes = Poly.shared(cost.bytes);
  for (const k in attrs) {
    const v = attrs[k];
    if (v instanceof Poly) attrs[k] = Poly.shared(v);
  }
}

/** Signatures remembered at once (`signatureOf`): more than the functions of a 10,000-line file. */
const MAX_SIGNATURES = 4096;

interface Signature {
  params: ParamSyntax[];
  hints: Map<string, TensorType & { fromDocstring?: boolean }>;
  isInit: boolean;
}

/**
 * What a run sets for everything after it, shared by the interpreters of the program's files:
 * the default dtype (`torch.set_default_dtype`; a function analysed on its own starts without
 * it) and absl's flags (`flags.DEFINE_string('variant', '4b', ...)` read as `FLAGS.variant`).
 */
export interface RunState {
  dtype?: DType;
  flags?: Extract<Value, { kind: 'dict' }>;
}

export interface InterpreterOptions {
  bindings: Bindings;
  defaultDtype: DType;
  /** What the run set for everything after it, one holder for the program's files (`RunState`). */
  run?: RunState;
  /** The source text, for reading shape comments by line. */
  text?: string;
  /** The source of each top-level statement, when the caller has it already. */
  texts?: readonly string[];
  /** The text's lines, when the caller has split it already. */
  lines?: readonly string[];
  /**
   * The module parsed without a syntax error: a statement whose text starts with `def` or
   * `class` is then that definition, without asking the tree.
   */
  valid?: boolean;
  /** The document's comments of its last analysis, to reuse those of untouched statements. */
  comments?: CommentReuse;
  /** The file's path, for ranges in other files' reasons and contexts. */
  path?: string;
  /** The program the file belongs to: imports of its other files resolve through it. */
  program?: ProgramSession;
  /** The file runs as a script (`__name__ == "__main__"`); false when it is imported. */
  main?: boolean;
}

/** Attribute names of library modules that are dtypes. */
const DTYPE_ATTR = /^(float(16|32|64)|bfloat16|half|double|int(8|16|32|64)|uint8|long|short|bool_?|float8_e4m3fn|float8_e5m2)$/;

/** Statement kinds whose trailing comment sits on their first line, not their last. */
const COMPOUND = new Set(['if_statement', 'for_statement', 'while_statement', 'with_statement', 'try_statement', 'function_definition', 'class_definition', 'decorated_definition', 'match_statement']);

export function rangeOf(n: Node): Range {
  return {
    start: { line: n.startPosition.row, character: n.startPosition.column },
    end: { line: n.endPosition.row, character: n.endPosition.column },
  };
}

/** Default names for code that uses the usual aliases without importing them (snippets). */
const DEFAULT_ALIASES: Record<string, string> = {
  torch: 'torch', nn: 'torch.nn', F: 'torch.nn.functional', np: 'numpy', numpy: 'numpy', jnp: 'jax.numpy', jax: 'jax',
  einops: 'einops', tf: 'tensorflow',
  // Python's own types, so that `isinstance(x, int)` can name them.
  int: 'int', float: 'float', str: 'str', bool: 'bool', tuple: 'tuple', list: 'list', dict: 'dict',
};

/** Parameter names whose unknown value is a config object: attributes become named dims. */
const CONFIG_NAMES = /^(config|cfg|conf|args|hparams|params|opt|model_args|hp)$/;

export class Interpreter {
  ops: TensorOp[] = [];
  readonly findings: Finding[] = [];
  readonly unmodelledCalls: Unmodelled[] = [];
  /** Facts about distributed training met while running the code (distributedFacts.ts), by signal key. */
  distFacts: { key: string; value: unknown }[] = [];
  /** The accumulator of the last function call that returned: one call's cost, for `dist.modelCalls`. */
  lastCallAcc?: Acc;
  /**
   * Records a distributed-training fact in the analysis of the root file, with this file's path
   * when the code that met it is another file's (the training loop of a library-like module).
   */
  private noteDist<T extends { range: Range; path?: string }>(key: string, value: T): void {
    const root = this.options.program?.rootInterpreter() ?? this;
    unreplayable();
    if (root !== this) value.path = this.path;
    root.distFacts.push({ key, value });
  }
  /** Loops found to be gradient-accumulation loops, by node id (distributedFacts.ts). */
  readonly accumulationLoops = new Map<number, boolean>();
  readonly globals: Map<string, Value> = new Globals();
  readonly functions: FunctionInfo[] = [];
  readonly classes = new Map<string, ClassInfo>();
  /**
   * Statements and expressions interpreted since the analysis of the current function began:
   * shared with the other files' interpreters of the program, whose code that analysis runs.
   */
  /**
   * Trips of the constant ranges being unrolled around the statement that runs, multiplied: a
   * nest of loops unrolls only while the product stays within MAX_UNROLL, so that a convolution
   * written as six loops of 32 to 64 trips runs once per unrolled outer trip with the inner trips
   * as a multiplier, instead of two million times (and past the step budget).
   */
  private unrolled = 1;

  private get counter(): { steps: number } {
    return this.options.program?.counter ?? this.ownCounter;
  }
  private readonly ownCounter = { steps: 0 };
  private freshCounter = 0;
  private readonly instanceCache = new Map<ClassInfo, Value>();
  /** The frame multiplier a list was created under: appends in loops count relative to it. */
  readonly listOrigin = new WeakMap<object, Poly>();
  /**
   * The loops of unknown trip count the run is in, innermost last (what each one's count is), and
   * for each list how many of them were open when it was made: an item pushed onto a list from
   * inside a loop the list is older than makes its length unknown (`unknownTrips`), since the
   * one trip counted stands for a number of pushes nobody knows (minGPT's BPE `encode` extends
   * its output once per word of the prompt).
   */
  readonly uncounted: string[] = [];
  readonly listUncounted = new WeakMap<object, number>();

  /** Runs `body` as the one trip counted of a loop whose trip count is `what`, not known. */
  private uncountedTrip(what: string, body: () => void): void {
    this.uncounted.push(what);
    try {
      body();
    } finally {
      this.uncounted.pop();
    }
  }
  /**
   * The best-known construction of each class (`ResNet(Bottleneck, [3, 4, 6, 3])` found in
   * `resnet50()`): methods analysed on their own run on this instance, scored by how many of its
   * constructor arguments were known.
   */
  private readonly witnesses = new Map<ClassInfo, { inst: Value; score: number }>();
  private comments?: Map<number, CommentInfo>;
  private readonly commentCache = new Map<number, CommentAnnotation | null>();
  private readonly signatures = new Map<FunctionInfo, Signature>();

  /**
   * Bumped whenever analysing a function improves a class's witness (a construction with more
   * known arguments): the analysis of later functions may then differ, so a caller caching
   * per-function results must not cache the one that did it.
   */
  witnessChanges = 0;
  /** The module-level functions `discoverInstances` ran to construct this file's classes. */
  builders: FunctionInfo[] = [];
  /**
   * What the file's own runs (top-level code, the builders and entry points discovery runs) call
   * each model class on: `net(torch.randn(1, 3, 32, 32))` in `test()`. A builder's figures are its
   * model called on this input (`ResNet50()` as `test()` calls `ResNet18()`).
   */
  private readonly modelInputs = new Map<ClassInfo, { args: Value[]; kwargs: Map<string, Value> }>();
  /**
   * The distinct constructions of each class by module-level functions, in source order, keyed
   * by their arguments, with the outermost function that made them (`ResNet50`): a class built
   * several ways has no one set of figures for its methods.
   */
  private readonly constructions = new Map<ClassInfo, Map<string, string>>();
  /** Set while the file's own runs go (top-level code, discovery): see `modelInputs`. */
  private ownRun = false;
  /**
   * Builders that return a model and run nothing (no parameter without a default): each is
   * figured as its model called on the file's input (`runBuiltModel`). Found by discovery, which
   * runs on every analysis, so that a builder's cached figures and this set always agree.
   */
  private readonly modelBuilders = new Set<FunctionInfo>();

  constructor(
    /** The module's top-level statements, in source order. */
    private readonly statements: readonly Node[],
    private readonly options: InterpreterOptions,
  ) {}

  /**
   * Whether what ops and summaries keep is shared by value (`sharePolys`): for a text of
   * megabytes only, where it saves a third of what the analysis keeps; below, finding each
   * polynomial's key cost more time (about 7% of a 10,000-line file's analysis) than it saved.
   */
  private get sharesPolys(): boolean {
    return (this.options.text?.length ?? 0) > LARGE_TEXT_CHARS;
  }

  private shared(p: Poly): Poly {
    return this.sharesPolys ? Poly.shared(p) : p;
  }

  /**
   * Starts the numbering of anonymous dims afresh: a caller analysing top-level statements one
   * at a time does this before each, so a statement's results do not depend on how many
   * anonymous dims the statements before it made, and a cached result equals a fresh one.
   */
  resetFresh(): void {
    this.freshCounter = 0;
  }

  /** A top-level function's source, from the statement texts when the caller gave them. */
  private sourceOf(fn: FunctionInfo): string {
    const t = fn.chunk !== undefined ? this.options.texts?.[fn.chunk] : undefined;
    return t ?? fn.node.text;
  }

  /** Whether the class (or a base of this file) defines the method. */
  hasMethod(cls: ClassInfo, name: string): boolean {
    return !!findMethod(cls, name, this.classes, this);
  }

  fresh(): string {
    HEAP.fresh++;
    return `_${++this.freshCounter}`;
  }

  /** How many anonymous dims were made so far (callers tell whether a step made any). */
  get freshCount(): number {
    return this.freshCounter;
  }

  // ---------------------------------------------------------------- module pass

  /** First pass: imports, module-level constants, functions and classes. */
  declare(): void {
    const texts = this.options.texts;
    this.statements.forEach((stmt, i) => {
      const text = texts?.[i];
      // Most statements are not `def`s: the first character says so before any regex runs.
      const c = text !== undefined ? text.charCodeAt(0) : 0;
      const fn = c === 100 /* d */ || c === 97 /* a */ ? /^(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(text!) : null;
      if (fn && (this.options.valid || stmt.type === 'function_definition')) {
        // The common case, read from the text: no walk through the tree.
        const info: FunctionInfo = { qualName: fn[1], node: stmt, chunk: i, owner: this };
        this.functions.push(info);
        this.globals.set(fn[1], { kind: 'function', def: info });
      } else if (text !== undefined && /^class\b/.test(text) && (this.options.valid || stmt.type === 'class_definition')) this.declareClass(stmt, text, i);
      else if (!(c === 64 /* @ */ && this.options.valid && this.declareDecoratedClass(stmt, text!, i))) this.declareStatement(stmt, null, i);
    });
  }

  /**
   * A top-level class, from what an earlier analysis learnt of the same text (names, bases,
   * methods) when it can: its methods' nodes are only looked up when a method is analysed.
   */
  private declareClass(def: Node, text: string, chunk: number): void {
    let shape = CLASS_SHAPES.get(text);
    if (!shape) {
      const body = def.childForFieldName('body');
      const members = (body?.namedChildren ?? []).filter((n): n is Node => !!n);
      // Detached (core/intern.ts): the shape outlives this version of the document.
      const className = detach(def.childForFieldName('name')?.text ?? '?');
      shape = {
        name: className,
        bases: (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((n): n is Node => !!n).map((n) => detach(n.text)),
        methods: members.flatMap((m, index) => {
          const d = m.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
          if (d?.type !== 'function_definition') return [];
          const name = detach(d.childForFieldName('name')?.text ?? '?');
          return [{ name, qualName: `${className}.${name}`, index, decorated: d !== m, key: accessorKey(m, name) }];
        }),
        assigns: members.some((m) => m.type === 'expression_statement' && m.namedChild(0)?.type === 'assignment'),
      };
      if (CLASS_SHAPES.size > 10_000) CLASS_SHAPES.clear();
      CLASS_SHAPES.set(text, shape);
    }
    const info = this.declareClassShape(def, shape.name, shape.bases, shape.methods, chunk);
    if (!shape.assigns) return;
    // Dataclass-style defaults (`n_embd: int = 768`) give config values their numbers.
    const frame = this.newFrame(null, false);
    for (const s of def.childForFieldName('body')?.namedChildren ?? []) {
      const a = s?.type === 'expression_statement' ? s.namedChild(0) : null;
      if (a?.type !== 'assignment') continue;
      const left = a.childForFieldName('left');
      const right = a.childForFieldName('right');
      const annotation = a.childForFieldName('type');
      if (left?.type === 'identifier' && annotation) declareField(info, left.text, annotation.text);
      if (left?.type === 'identifier' && right) info.defaults.set(left.text, this.eval(right, frame));
    }
  }

  /**
   * Registers a class known from its shape (name, bases, where its methods are): its methods'
   * nodes are looked up only when a method is analysed.
   */
  private declareClassShape(def: Node, name: string, bases: string[], methods: readonly { name: string; index: number; decorated: boolean; key?: string }[], chunk: number): ClassInfo {
    const info: ClassInfo = { name, node: def, bases, methods: new Map(), defaults: new Map(), chunk, owner: this };
    this.classes.set(name, info);
    this.globals.set(name, { kind: 'class', cls: info });
    let members: (Node | null)[] | undefined;
    const member = (index: number, decorated: boolean): Node => {
      members ??= def.childForFieldName('body')?.namedChildren ?? [];
      const m = members[index]!;
      return decorated ? m.childForFieldName('definition')! : m;
    };
    for (const m of methods) {
      const fn = new MethodInfo(`${name}.${m.name}`, info, chunk, member, m.index, m.decorated, this);
      this.functions.push(fn);
      info.methods.set(m.key ?? m.name, fn);
    }
    return info;
  }

  /**
   * A decorated top-level class (`@dataclass class GPTConfig:`), as `declareStatement` declares
   * it, from what an earlier analysis learnt of the same text when its body holds only methods,
   * fields and literal defaults: a keystroke elsewhere in a file of many config classes then walks
   * none of their trees. False when the statement is something else (declared the usual way).
   */
  private declareDecoratedClass(stmt: Node, text: string, chunk: number): boolean {
    let shape = DECORATED_CLASSES.get(text);
    if (shape === undefined) {
      shape = decoratedClassShape(stmt);
      if (DECORATED_CLASSES.size > 10_000) DECORATED_CLASSES.clear();
      DECORATED_CLASSES.set(detach(text), shape);
    }
    if (shape === null) return false;
    const def = stmt.childForFieldName('definition')!;
    const info = this.declareClassShape(def, shape.name, shape.bases.slice(), shape.methods, chunk);
    if (shape.fields.length > 0) {
      info.fields = shape.fields.slice();
      info.annotations = new Map(shape.annotations);
    }
    for (const d of shape.defaults) {
      // As `eval` counts and evaluates the literal.
      this.counter.steps++;
      info.defaults.set(d.name, literalValue(d.type, d.text));
    }
    return true;
  }

  private declareStatement(stmt: Node, cls: ClassInfo | null, chunk: number): void {
    const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
    if (!def) return;
    if (def.type === 'function_definition') {
      const name = def.childForFieldName('name')?.text ?? '?';
      const info: FunctionInfo = { qualName: cls ? `${cls.name}.${name}` : name, node: def, cls: cls ?? undefined, chunk, owner: this };
      this.functions.push(info);
      if (cls) cls.methods.set(accessorKey(stmt, name) ?? name, info);
      else this.globals.set(name, { kind: 'function', def: info });
    } else if (def.type === 'class_definition' && !cls) {
      const name = def.childForFieldName('name')?.text ?? '?';
      const bases = (def.childForFieldName('superclasses')?.namedChildren ?? []).filter((n): n is Node => !!n).map((n) => n.text);
      const info: ClassInfo = { name, node: def, bases, methods: new Map(), defaults: new Map(), chunk, owner: this };
      this.classes.set(name, info);
      this.globals.set(name, { kind: 'class', cls: info });
      const body = def.childForFieldName('body');
      for (const s of body?.namedChildren ?? []) if (s) this.declareStatement(s, info, chunk);
      // Dataclass-style defaults (`n_embd: int = 768`) give config values their numbers.
      const frame = this.newFrame(null, false);
      for (const s of body?.namedChildren ?? []) {
        const a = s?.type === 'expression_statement' ? s.namedChild(0) : null;
        if (a?.type !== 'assignment') continue;
        const left = a.childForFieldName('left');
        const right = a.childForFieldName('right');
        const annotation = a.childForFieldName('type');
        if (left?.type === 'identifier' && annotation) declareField(info, left.text, annotation.text);
        if (left?.type === 'identifier' && right) info.defaults.set(left.text, this.eval(right, frame));
      }
    } else if (def.type === 'import_statement' || def.type === 'import_from_statement') {
      this.declareImport(def);
    }
  }

  /**
   * Binds what an import statement names: in `into`, the module's names for a top-level import,
   * the frame's for one inside a function (it must not change what other functions see, nor make
   * a function's analysis depend on whether another one ran before it).
   */
  private declareImport(n: Node, into: Map<string, Value> = this.globals): void {
    // Modules of the program (docs/whole-program.md) bind to what their files define.
    if (this.options.program && this.options.path && bindImport(this, n, this.options.program, this.options.path, into)) return;
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        if (!c) continue;
        if (c.type === 'dotted_name') {
          const root = c.text.split('.')[0];
          into.set(root, { kind: 'ref', path: root });
        } else if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name')?.text;
          const alias = c.childForFieldName('alias')?.text;
          if (name && alias) into.set(alias, { kind: 'ref', path: name });
        }
      }
    } else {
      const mod = n.childForFieldName('module_name')?.text;
      if (!mod) return;
      for (const c of n.childrenForFieldName('name')) {
        if (!c) continue;
        if (c.type === 'dotted_name') into.set(c.text, { kind: 'ref', path: `${mod}.${c.text}` });
        else if (c.type === 'aliased_import') {
          const name = c.childForFieldName('name')?.text;
          const alias = c.childForFieldName('alias')?.text;
          if (name && alias) into.set(alias, { kind: 'ref', path: `${mod}.${name}` });
        }
      }
    }
  }

  // ---------------------------------------------------------------- frames and recording

  newFrame(fn: FunctionInfo | null, report: boolean, parent?: Frame): Frame {
    return {
      env: new Map(),
      fn,
      report,
      acc: emptyAcc(),
      multiplier: Poly.ONE,
      depth: parent ? parent.depth + 1 : 0,
      stack: parent ? [...parent.stack, ...(fn ? [fn] : [])] : fn ? [fn] : [],
      returns: [],
      returned: false,
      autocast: parent?.autocast ?? null,
      ...(parent?.noGrad ? { noGrad: true } : {}),
      ...(parent?.closedRun ? { closedRun: true } : {}),
      context: parent ? parent.context ?? parent.pendingContext : undefined,
      ...(parent && (parent.context ?? parent.pendingContext) ? { outer: (parent.outer ?? Poly.ONE).mul(parent.multiplier) } : {}),
    };
  }

  /** The file's text (TC303 reads the entry file's TF32 switches from it). */
  get text(): string {
    return this.options.text ?? '';
  }

  /** The file's path (empty when the caller gave none). */
  get path(): string {
    return this.options.path ?? '';
  }

  get program(): ProgramSession | undefined {
    return this.options.program;
  }

  /** A reason of incompleteness at `node` of this file. */
  reasonAt(node: Node, message: string): Reason {
    return { message, range: rangeOf(node), ...(this.options.path ? { path: this.options.path } : {}) };
  }

  /** A class this file can name: its own, or one it imported from another file of the program. */
  classOf(name: string): ClassInfo | undefined {
    const own = this.classes.get(name);
    if (own) return own;
    const g = this.globals.get(name);
    if (g?.kind === 'class') return g.cls;
    // `models.Base`: a class of an imported module.
    const dot = name.lastIndexOf('.');
    if (dot > 0) {
      let v: Value | undefined = this.globals.get(name.slice(0, name.indexOf('.')));
      for (const part of name.split('.').slice(1)) v = v?.kind === 'pymodule' ? v.attribute(part) : undefined;
      if (v?.kind === 'class') return v.cls;
    }
    return undefined;
  }

  /**
   * The builtin context for one frame: recording goes to that frame's accumulator. The last one
   * made is given again for the same frame object (its functions read the frame when called, so
   * one per frame is the same as one per call): every op of a body asks for it, and each was an
   * object and six closures. A copy of a frame (`{ ...frame }`) is another object, with its own.
   */
  ctx(frame: Frame): BuiltinCtx {
    const last = this.lastCtx;
    if (last?.frame === frame) return last.ctx;
    const ctx = this.makeCtx(frame);
    this.lastCtx = { frame, ctx };
    return ctx;
  }

  private lastCtx?: { frame: Frame; ctx: BuiltinCtx };

  private makeCtx(frame: Frame): BuiltinCtx {
    return {
      record: (result, site, inputs) => this.record(result, site, inputs, frame),
      opContext: (operand) => this.opContext(frame, operand),
      fresh: () => this.fresh(),
      unmodelled: (site) => {
        if (frame.report) this.unmodelledCalls.push({ name: site.name, range: rangeOf(site.node) });
        addReason(frame.acc, this.reasonAt(site.node, `unmodelled call \`${site.name}\``));
        return UNKNOWN;
      },
      upperBound: () => {
        frame.acc.upperBound = true;
      },
      raises: (site, message) => {
        addReason(frame.acc, this.reasonAt(site.node, message));
        if (frame.report) this.findings.push({ code: 'TC002', severity: 'error', message, range: rangeOf(site.node) });
      },
      setDefaultDtype: (dtype) => {
        const run = this.options.run;
        if (!run || run.dtype === dtype) return;
        // Calls remembered before computed in the old default; one replayed would not set it.
        touched();
        unreplayable();
        run.dtype = dtype;
      },
      trains: () => {
        frame.acc.trains = true;
      },
    };
  }

  /**
   * The dtype of tensors made without one: what the run set (`torch.set_default_dtype`), shared
   * by the interpreters of the program's files, else the configured default.
   */
  private get defaultDtype(): DType {
    return this.options.run?.dtype ?? this.options.defaultDtype;
  }

  /** A run starts in the configured default dtype (see `defaultDtype`). */
  private resetRunDtype(): void {
    if (this.options.run?.dtype === undefined) return;
    touched();
    this.options.run.dtype = undefined;
  }

  /** absl's `FLAGS` of this run: the flags the program's files defined so far (`RunState`). */
  abslFlags(): Extract<Value, { kind: 'dict' }> {
    const run = (this.options.run ??= {});
    return (run.flags ??= { kind: 'dict', entries: new Map() });
  }

  opContext(frame: Frame, operand?: DType | null): OpContext {
    return { bindings: this.options.bindings, dtype: frame.autocast ?? operand ?? this.defaultDtype };
  }

  /** Records an op in its calling context (and in the remembered calls being recorded). */
  private capture(op: ContextOp): void {
    logCapture({ op });
    this.options.program!.captureOp(op);
  }

  record(result: OpResult, site: CallSite, inputs: TensorType[], frame: Frame): Value {
    const m = frame.multiplier;
    const c = result.cost;
    if (!c.unknown) {
      frame.acc.flops = frame.acc.flops.add(c.flops.mul(m));
      frame.acc.otherFlops = frame.acc.otherFlops.add(c.otherFlops.mul(m));
      frame.acc.bytes = frame.acc.bytes.add(c.bytes.mul(m));
    } else addReason(frame.acc, this.reasonAt(site.node, `operand of unknown shape in \`${site.name}\``));
    const isGemm = GEMM_KINDS.has(result.kind);
    // Under autocast GEMM-class ops compute in the autocast dtype, whatever their operands hold.
    const dtype = (isGemm && frame.autocast) || result.output.dtype || this.defaultDtype;
    // A GEMM on the last position only (`lm_head(x[:, [-1], :])`) is thin on purpose (TC101).
    const attrs = isGemm && takesLastPosition(site.node) ? { ...result.attrs, lastPosition: true } : result.attrs;
    if (!frame.report && frame.context && this.options.program) {
      this.capture({
        path: this.path,
        range: rangeOf(site.node),
        kind: result.kind,
        inputs,
        output: result.output,
        dtype,
        cost: c,
        ...(m.equals(Poly.ONE) ? {} : { repeat: m }),
        ...(frame.outer && !frame.outer.equals(Poly.ONE) ? { outer: frame.outer } : {}),
        context: frame.context,
        name: site.name,
        attrs,
      });
    }
    if (frame.report) {
      const range = rangeOf(site.node);
      if (this.sharesPolys) sharePolys(c, attrs);
      this.ops.push({
        kind: result.kind,
        name: site.name,
        range,
        function: frame.fn?.qualName ?? null,
        inputs,
        output: result.output,
        dtype,
        cost: c,
        attrs,
        repeat: m.equals(Poly.ONE) ? undefined : this.shared(m),
      });
      // A shape error on a guessed operand proves nothing (guessed.ts): no TC002 then.
      if (result.error && !inputs.some(isGuessed)) this.findings.push({ code: 'TC002', severity: 'error', message: result.error, range });
    }
    return tensor(deriveGuess(inputs, isGemm && frame.autocast ? { ...result.output, dtype: frame.autocast } : result.output));
  }

  // ---------------------------------------------------------------- functions

  /** Analyses one function standalone (report mode) and returns its summary. */
  analyseFunction(fn: FunctionInfo): FunctionSummary {
    // The step budget is per function analysed: a long file cannot starve its last functions,
    // and a function's result does not depend on what was analysed before it (caching).
    this.counter.steps = 0;
    this.bounds = {};
    this.resetRunDtype();
    // Calls remembered before are forgotten (callMemo.ts): the bindings may have changed since.
    touched();
    const frame = this.newFrame(fn, true);
    // A model builder starts the calling context its model runs in (`runBuiltModel`).
    frame.entry = this.isEntry(fn) || this.modelBuilders.has(fn);
    // A copy of the representative instance: what this method assigns to `self` (an `__init__`
    // run with symbolic arguments) must not leak into the analysis of the other methods.
    const inst = fn.cls ? this.instanceOf(fn.cls) : undefined;
    const self = inst?.kind === 'instance' ? ({ ...inst, fields: new Map(inst.fields) } as Value) : inst;
    this.bindParams(fn, frame, [], new Map(), self, true);
    // A builder's model runs on its forward's parameters as they stand: that run is open.
    if (frame.entry && !this.modelBuilders.has(fn) && ![...frame.env.values()].some((v) => v.kind === 'tensor' && v.type.shape === null)) frame.closedRun = true;
    this.applyDecorators(fn, frame);
    // The method runs on `self`: a call back into it on the same object is recursion.
    this.activeCalls.set(fn, [{ args: [], kwargs: new Map(), self }]);
    this.runBody(fn, () => this.execBody(fn.node.childForFieldName('body'), frame));
    this.activeCalls.delete(fn);
    if (this.modelBuilders.has(fn)) this.runBuiltModel(fn, frame);
    if (fn.cls) this.severalConstructions(fn, fn.cls, frame);
    const nameNode = fn.node.childForFieldName('name') ?? fn.node;
    this.budgetReason(frame, fn.node);
    return {
      name: fn.qualName,
      range: rangeOf(fn.node),
      nameRange: rangeOf(nameNode),
      flops: this.shared(frame.acc.flops),
      otherFlops: this.shared(frame.acc.otherFlops),
      bytes: this.shared(frame.acc.bytes),
      upperBound: frame.acc.upperBound,
      ...(frame.acc.reasons?.length ? { reasons: frame.acc.reasons } : {}),
      ...(frame.acc.trains ? { trains: true } : {}),
      ...(Object.keys(this.bounds).length ? { bounds: this.bounds } : {}),
      ...(frame.acc.precision?.length ? { precision: frame.acc.precision } : {}),
    };
  }

  /**
   * A builder (`def ResNet50(): return ResNet(Bottleneck, [3, 4, 6, 3])`) is figured as the model
   * it returns, called on the input the file's own run gives that class (`test()`'s
   * `net(torch.randn(1, 3, 32, 32))`), else on its forward's parameters as they stand on their own
   * (annotations, shape comments). The call starts a calling context named after the builder, so
   * the model's methods list each builder's figures (docs/whole-program.md, several contexts).
   */
  private runBuiltModel(fn: FunctionInfo, frame: Frame): void {
    const built = frame.returns.find((r): r is Extract<Value, { kind: 'instance' }> => r.kind === 'instance');
    if (!built || frame.returns.some((r) => r.kind === 'tensor')) return;
    const fwd = findMethod(built.cls, 'forward', this.classes, this);
    if (!fwd) return;
    let input = this.modelInputs.get(built.cls);
    if (!input) {
      const probe = this.newFrame(fwd, false);
      this.bindParams(fwd, probe, [], new Map(), built, true);
      const names = this.signatureOf(fwd).params.map((p) => p.name).filter((n): n is string => !!n).slice(1);
      input = { args: names.map((n) => probe.env.get(n) ?? UNKNOWN), kwargs: new Map() };
    }
    const body = fn.node.childForFieldName('body')?.namedChildren.filter((n): n is Node => !!n) ?? [];
    const at = [...body].reverse().find((n) => n.type === 'return_statement') ?? fn.node;
    this.call(built, input.args, input.kwargs, { node: at, name: `${fn.qualName}()` }, frame);
  }

  /**
   * A method of a class that the file's functions build in several ways (`ResNet18()` …
   * `ResNet152()`): its figures on their own are one construction's, so they say so, naming the
   * others; each builder's figures, and the method's calling contexts, give the rest.
   */
  private severalConstructions(fn: FunctionInfo, cls: ClassInfo, frame: Frame): void {
    const ways = this.constructions.get(cls);
    if (!ways || ways.size < 2 || fn.node.childForFieldName('name')?.text === '__init__') return;
    const a = frame.acc;
    if (a.flops.isZero() && a.otherFlops.isZero()) return;
    const names = [...new Set(ways.values())].map((n) => `${n}()`);
    const shown = names.length > 4 ? [...names.slice(0, 4), '…'] : names;
    addReason(a, this.reasonAt(fn.node.childForFieldName('name') ?? fn.node, `\`${cls.name}\` is built ${ways.size} ways in this file (${shown.join(', ')}): these figures are one of them (${names[0]}); each builder has its own`));
  }

  /**
   * The summary of a function whose analysis threw before its body could run (a default or a
   * decorator nested too deeply): no figures, and the reason, so that it is listed as not
   * analysed instead of missing from the report.
   */
  unanalysedFunction(fn: FunctionInfo, e: unknown): FunctionSummary {
    const name = fn.node.childForFieldName('name') ?? fn.node;
    const acc = emptyAcc();
    this.notAnalysed(name, `\`${fn.qualName}\` ${notAnalysedWhy(e)}`, acc, true);
    return { name: fn.qualName, range: rangeOf(fn.node), nameRange: rangeOf(name), flops: acc.flops, otherFlops: acc.otherFlops, bytes: acc.bytes, upperBound: false, reasons: acc.reasons };
  }

  /** Code skipped: a reason on the figures and, where this run reports, a TC000 warning at it. */
  private notAnalysed(at: Node, message: string, acc: Acc, report: boolean): void {
    addReason(acc, this.reasonAt(at, message));
    if (report) this.findings.push({ code: 'TC000', severity: 'warning', message, range: rangeOf(at) });
  }

  /**
   * Dims the function bounds itself (`assert t <= self.config.block_size`): a stated default for
   * a dim nothing else binds (docs/whole-program.md, "numbers first"), kept on the summary.
   */
  private bounds: Record<string, { value: number; line: number }> = {};

  private noteBound(s: Node, frame: Frame): void {
    const cmp = s.namedChild(0);
    if (cmp?.type !== 'comparison_operator') return;
    const [left, right] = cmp.namedChildren;
    const op = cmp.children.find((c) => c && !c.isNamed)?.text;
    if (!left || !right || (op !== '<=' && op !== '<')) return;
    const dim = asDim(this.eval(left, frame));
    const limit = asDim(this.eval(right, frame))?.constValue();
    const syms = dim ? [...dim.freeSymbols()] : [];
    if (!dim || limit === undefined || syms.length !== 1 || !dim.equals(Poly.sym(syms[0])) || isMadeUpDim(syms[0])) return;
    const value = op === '<' ? limit - 1 : limit;
    if (!Number.isSafeInteger(value) || value <= 0) return;
    unreplayable();
    if (frame.report) this.bounds[syms[0]] = { value, line: s.startPosition.row };
    // Other files' figures may hold the same dim (`t` of `GPT.forward`, called from a script).
    this.options.program?.noteBound(syms[0], { value, line: s.startPosition.row, path: this.path });
  }

  /** When the step budget ran out, the figures say so (never a silently truncated total). */
  private budgetReason(frame: Frame, at: Node): void {
    if (this.counter.steps > MAX_STEPS) addReason(frame.acc, this.reasonAt(at, `analysis stopped after ${MAX_STEPS.toLocaleString('en-US')} steps`));
  }

  /**
   * Entry points (docs/whole-program.md): module-level functions a run starts from, whose calls
   * give the code they reach its calling contexts. `main`-like names, test functions, training
   * loops (a `backward()` in the body), and functions every parameter of which has a default.
   */
  isEntry(fn: FunctionInfo): boolean {
    if (fn.cls || !this.options.program || fn.qualName.includes('.')) return false;
    // `def ResNet50(): return ResNet(...)` builds a model and runs nothing: the file's run is the
    // code that calls a model (its `test()`), not each builder's model (figured apart).
    if (this.modelBuilders.has(fn)) return false;
    if (ENTRY_NAME.test(fn.qualName)) return true;
    // Read from the source text, remembered by it: this runs for every function on every
    // keystroke, and the tree would be asked through WebAssembly for each parameter.
    return entryByText(this.sourceOf(fn));
  }

  /**
   * Runs, silently, the module-level functions that construct classes of this file
   * (`def resnet50(): return ResNet(Bottleneck, [3, 4, 6, 3])`), so that methods analysed on their
   * own see a real construction rather than one with symbolic arguments.
   */
  discoverInstances(lazy = false): void {
    if (this.classes.size === 0) return;
    const names = [...this.classes.keys()].filter((n) => /^[A-Za-z_]\w*$/.test(n));
    if (names.length === 0) return;
    // Builders, transitively: `resnet50()` passes `Bottleneck` to `_resnet(...)`, which calls
    // `ResNet(block, layers)`; only the outer call knows the arguments.
    const builders = new Set<FunctionInfo>();
    const wanted = new Set(names);
    for (let grew = true; grew; ) {
      grew = false;
      for (const fn of this.functions) {
        if (fn.cls || builders.has(fn) || !calledNames(this.sourceOf(fn)).some((n) => wanted.has(n))) continue;
        builders.add(fn);
        grew = true;
      }
      for (const f of builders) if (/^[A-Za-z_]\w*$/.test(f.qualName)) wanted.add(f.qualName);
    }
    this.builders = this.functions.filter((f) => builders.has(f));
    if (!lazy) this.runBuilders(this.builders);
  }

  private readonly ranBuilders = new Set<FunctionInfo>();

  /** Whether `runBuilders` found that `fn` builds a model it runs (it is then no entry point). */
  buildsModel(fn: FunctionInfo): boolean {
    return this.modelBuilders.has(fn);
  }

  /**
   * What an earlier analysis's run of `fn` found (`buildsModel`), for a builder that does not run
   * in this one because nothing that depends on it is analysed again (statementCache.ts): the
   * file's entry points must not depend on which builders a keystroke ran.
   */
  noteModelBuilder(fn: FunctionInfo): void {
    this.modelBuilders.add(fn);
  }

  /**
   * Runs the given builders (`discoverInstances`) that have not run yet, in file order. With
   * `discoverInstances(true)` the caller runs them when a function that reaches their classes is
   * about to be analysed (statementCache.ts), so that a keystroke does not run every builder of
   * the file again.
   */
  runBuilders(fns: readonly FunctionInfo[]): void {
    const saved = this.freshCounter;
    // The code a builder runs (the models it builds and calls) runs again when the classes'
    // methods are analysed: the memo keeps what it reads (`runBody`).
    const savedBuilding = this.building;
    this.building = true;
    touched();
    // Constructions in a builder are the file's own run (`modelInputs`, builder contexts).
    const savedOwn = this.ownRun;
    this.ownRun = true;
    for (const fn of fns) {
      if (this.ranBuilders.has(fn)) continue;
      this.ranBuilders.add(fn);
      // The anonymous dims a builder makes (kept in the witnesses) are numbered from a base
      // that depends on the builder's name alone, not on what ran before it: run when needed,
      // in any analysis, it makes the same dims.
      this.freshCounter = builderFreshBase(fn.qualName);
      this.counter.steps = 0;
      const frame = this.newFrame(fn, false);
      try {
        this.bindParams(fn, frame, [], new Map());
        this.runBody(fn, () => this.execBody(fn.node.childForFieldName('body'), frame));
        const built = frame.returns.find((r) => r.kind === 'instance');
        if (built?.kind === 'instance' && !frame.returns.some((r) => r.kind === 'tensor') && entryByText(this.sourceOf(fn)) && findMethod(built.cls, 'forward', this.classes, this)) {
          touched();
          this.modelBuilders.add(fn);
        }
      } catch {
        // Discovery is best effort; analysis proper still runs.
      }
    }
    this.freshCounter = saved;
    this.ownRun = savedOwn;
    this.building = savedBuilding;
  }

  /** Module-level statements, analysed like a function named by no one. */
  analyseModule(report = true): Acc {
    this.counter.steps = 0;
    touched();
    // An imported module's top level runs inside the importer's run: its default dtype stands.
    if (report) this.resetRunDtype();
    const frame = this.newFrame(null, report);
    frame.env = this.globals;
    // A script's top level is an entry point; an imported module's is not (it only defines).
    frame.entry = report && !!this.options.program && this.options.main !== false;
    if (frame.entry) frame.closedRun = true;
    const texts = this.options.valid ? this.options.texts : undefined;
    this.ownRun = true;
    this.statements.forEach((stmt, i) => {
      // Definitions are told by their first word when the module parsed cleanly (no call into
      // the tree per statement); otherwise by their node type.
      if (texts ? DEFINITION.test(texts[i]) : stmt.type === 'function_definition' || stmt.type === 'class_definition' || stmt.type === 'decorated_definition') return;
      this.exec(stmt, frame);
    });
    this.ownRun = false;
    if (this.statements[0]) this.budgetReason(frame, this.statements[0]);
    this.moduleAcc = frame.acc;
    return frame.acc;
  }

  /** What the top-level code of the last `analyseModule` accumulated. */
  moduleAcc: Acc = emptyAcc();

  /**
   * A representative instance of a class, built by running `__init__` with config-like
   * parameters as symbolic configs (their attributes become named dims).
   */
  instanceOf(cls: ClassInfo): Value {
    if (cls.owner && cls.owner !== this) return cls.owner.instanceOf(cls);
    const witness = this.witnesses.get(cls);
    if (witness) return witness.inst;
    const cached = this.instanceCache.get(cls);
    if (cached) return cached;
    const inst: Value = { kind: 'instance', cls, fields: new Map() };
    touched();
    this.instanceCache.set(cls, inst);
    const init = findMethod(cls, '__init__', this.classes, this);
    if (init) {
      const frame = this.newFrame(init, false);
      this.bindParams(init, frame, [], new Map(), inst);
      this.execBody(init.node.childForFieldName('body'), frame);
    }
    return inst;
  }

  /** Binds parameters: call arguments first, then annotations, defaults, and symbols. */
  /**
   * Binds parameters: call arguments first, then annotations (types, a directive above the `def`,
   * an HF docstring), defaults, and symbols. `standalone` is a function analysed on its own: a
   * parameter defaulting to None then stays unknown, since callers may pass something (`targets`).
   */
  bindParams(fn: FunctionInfo, frame: Frame, args: Value[], kwargs: Map<string, Value>, self?: Value, standalone = false): void {
    const { params, hints, isInit } = this.signatureOf(fn);
    // `**mapping` of keys not known here: a parameter it may set does not get its default.
    const open = kwargs.has(OPEN_KEYWORDS);
    let pos = 0;
    let first = true;
    for (const { node: p, type: pType, name, typeNode, dflt, dfltNone } of params) {
      if (pType === 'list_splat_pattern' || pType === 'dictionary_splat_pattern') {
        const n = p.namedChild(0)?.text;
        if (n) frame.env.set(n, pType === 'list_splat_pattern' ? { kind: 'tuple', items: args.slice(pos) } : this.extraKeywords(params, kwargs));
        if (pType === 'list_splat_pattern') pos = args.length;
        continue;
      }
      if (!name) continue;
      if (first && fn.cls && self) {
        first = false;
        frame.env.set(name, self);
        continue;
      }
      first = false;
      let v: Value | undefined = kwargs.get(name) ?? args[pos++];
      const opened = open && !v;
      // Whether the call passed this parameter: a value passed and lost is not the default.
      const passed = kwargs.has(name) || pos <= args.length;
      // A parameter the call left out gets its default, whatever its annotation says it may be
      // (`input_pos: torch.Tensor | None = None` is None in `attn(x, cos, sin)`, so litgpt's KV
      // cache branch, which raises without a cache, is not run); analysed alone, it is what the
      // annotation says.
      if ((!v || v.kind === 'unknown') && (passed || standalone || !dflt || opened)) {
        if (typeNode) {
          const ann = parseAnnotation(typeNode, this, frame);
          if (ann.value) v = ann.value;
        }
      }
      const hint = hints.get(name);
      // A docstring documents what callers pass: a value a caller passed and the analysis lost
      // takes its dims, which the figures then wait for (mamba-minimal's `input_ids: shape (b, l)`
      // of a tokenizer's prompt). In a closed run, not a name a module constant binds
      // (`Frame.closedRun`): that constant is not what the run passed.
      const constantNamed = frame.closedRun && passed && !standalone && !!hint?.fromDocstring && !!hint.shape?.some((d) => [...d.freeSymbols()].some((n) => this.boundByConstant(n)));
      if (hint && !constantNamed && (!v || v.kind === 'unknown' || (v.kind === 'tensor' && v.type.shape === null))) {
        v = tensor({ shape: hint.shape, dtype: hint.dtype ?? (v?.kind === 'tensor' ? v.type.dtype : null) });
      }
      // An argument the caller passed and the analysis lost (`pad_or_trim(mel, N_FRAMES)` with
      // N_FRAMES unread) is not the default (N_SAMPLES): that would be a confident wrong size.
      if ((!v || (v.kind === 'unknown' && !passed)) && dflt && !(standalone && dfltNone) && !opened) v = this.eval(dflt, this.newFrame(null, false));
      if (standalone && dfltNone && (!v || v.kind === 'unknown')) v = UNKNOWN;
      else if (!v || v.kind === 'unknown') {
        // A constructor's parameters are sizes and switches (`inplanes`, `planes`), not tensors:
        // as named dims, `planes * self.expansion` is arithmetic, not an elementwise op.
        v = CONFIG_NAMES.test(name) ? { kind: 'dict', entries: new Map() } : isInit ? int(Poly.sym(name)) : { kind: 'tensor', type: { shape: null, dtype: null } };
        // A config class of this file (`args: ModelArgs`, `config: "GPTConfig"`) gives its
        // defaults, Nones included (`n_kv_heads: Optional[int] = None`), whatever the name.
        const t = typeNode?.text.replace(/^["']|["']$/g, '').replace(/^Optional\[(.*)\]$/, '$1');
        const typed = t ? this.classOf(t) : undefined;
        // A model class of the program (`sam_model: Sam`, a class with a `forward`) is an instance
        // of it, built as the class builds one; a config class gives its fields.
        if (typed) v = findMethod(typed, 'forward', this.classes, this) ? this.instanceOf(typed) : this.configFromClass(typed, frame);
        else if (t && !CONFIG_NAMES.test(name)) {
          // A non-tensor annotation (int, str) says this is not a tensor.
          if (/^(int|float|bool|str)$/.test(t)) v = t === 'int' ? int(Poly.sym(name)) : UNKNOWN;
        }
      }
      frame.env.set(name, v);
    }
  }

  /**
   * What a `**kwargs` parameter receives: the keywords no named parameter takes, or unknown when
   * the call passed a mapping of keys not known here.
   */
  private extraKeywords(params: readonly ParamSyntax[], kwargs: Map<string, Value>): Value {
    if (kwargs.has(OPEN_KEYWORDS)) return UNKNOWN;
    const entries = new Map<string, Value>();
    for (const [k, v] of kwargs) if (!params.some((p) => p.name === k && p.type !== 'dictionary_splat_pattern')) entries.set(k, v);
    return { kind: 'dict', entries };
  }

  /**
   * A function's parameters as `bindParams` reads them, and its shape hints: read from the tree
   * once per analysis, not on every call followed (each read is a call into WebAssembly).
   */
  private signatureOf(fn: FunctionInfo): Signature {
    let sig = this.signatures.get(fn);
    if (sig) return sig;
    const params: ParamSyntax[] = [];
    for (const p of fn.node.childForFieldName('parameters')?.namedChildren ?? []) {
      if (!p) continue;
      const type = p.type;
      const nameNode = type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChild(0);
      const name = nameNode?.type === 'identifier' ? nameNode.text : undefined;
      const dflt = p.childForFieldName('value');
      params.push({ node: p, type, name, typeNode: p.childForFieldName('type'), dflt, dfltNone: dflt?.type === 'none' });
    }
    sig = { params, hints: this.paramHints(fn), isInit: fn.node.childForFieldName('name')?.text === '__init__' };
    // A signature holds tree nodes (about 2 KB of JavaScript objects per function): a file of
    // tens of thousands of functions would keep them all until the analysis ends. Read again
    // past that many, at the cost of a few WebAssembly reads.
    if (this.signatures.size >= MAX_SIGNATURES) this.signatures.clear();
    this.signatures.set(fn, sig);
    return sig;
  }

  /** A config object from a dataclass's defaults. */
  /**
   * The config a parameter annotated with a class of the program stands for (`args: ModelArgs`)
   * in a function analysed on its own: the class's defaults, and each integer field without one
   * (`d_model: int`) a dim named after it. A dataclass's `__post_init__` then derives the rest
   * (`self.d_inner = int(self.expand * self.d_model)`) as it does in a run.
   */
  configFromClass(cls: ClassInfo, frame: Frame): Value {
    const inst: Value = { kind: 'instance', cls, fields: configFields(cls) };
    for (const k of cls.fields ?? []) {
      if (!inst.fields.has(k) && INT_ANNOTATION.test(cls.annotations?.get(k) ?? '')) inst.fields.set(k, int(Poly.sym(k)));
    }
    this.postInit(inst, frame);
    return inst;
  }

  /** Runs a dataclass's `__post_init__` (one without `__init__` of its own) on a new instance. */
  private postInit(inst: Value & { kind: 'instance' }, frame: Frame): void {
    if (findMethod(inst.cls, '__init__', this.classes, this)) return;
    const post = findMethod(inst.cls, '__post_init__', this.classes, this);
    if (post) this.callFunction(post, [], new Map(), frame, inst);
  }

  callFunction(fn: FunctionInfo, args: Value[], kwargs: Map<string, Value>, caller: Frame, self?: Value, closure?: Map<string, Value>): Value {
    // A function of another file of the program runs in that file's interpreter: its names,
    // classes and comments are that file's. The caller's frame carries the costs back.
    if (fn.owner && fn.owner !== this) return fn.owner.callFunction(fn, args, kwargs, caller, self, closure);
    // Recursion is followed when each call differs in known constants or in the object it runs
    // on (DLA's `Tree(level=i)` building `Tree`s of lower levels, each `Tree.forward` on its own
    // child): it then ends as the program's does, or at the depth limit, which says so.
    const recursive = caller.stack.includes(fn);
    if (recursive) HEAP.recursions++;
    const active = (recursive ? this.activeCalls.get(fn) : undefined) ?? [];
    const key = recursive ? this.callKey(fn, args, kwargs, self) : undefined;
    if (caller.depth >= MAX_CALL_DEPTH || (recursive && (key === undefined || active.some((c) => this.callKey(fn, c.args, c.kwargs, c.self) === key)))) {
      const why = caller.depth >= MAX_CALL_DEPTH ? `calls deeper than ${MAX_CALL_DEPTH} not followed` : `recursive call of \`${fn.qualName}\` not followed`;
      addReason(caller.acc, this.reasonAt(fn.node.childForFieldName('name') ?? fn.node, why));
      return UNKNOWN;
    }
    // A call remembered with the same inputs, nothing changed since: its run replayed (callMemo.ts).
    const memoKey = recursive ? undefined : this.memoKey(fn, args, kwargs, caller, self, closure);
    if (memoKey !== undefined) {
      if (this.memoEpoch !== HEAP.epoch) {
        this.memo.clear();
        this.memoEpoch = HEAP.epoch;
      }
      const hit = this.memo.get(memoKey);
      const captured = hit && this.counter.steps + hit.steps <= MAX_STEPS ? capturesAt(hit, this.outerOf(caller), caller.context ?? caller.pendingContext) : undefined;
      if (hit && captured) return this.replay(hit, caller, captured);
    }
    if (!recursive) this.activeCalls.set(fn, active);
    active.push({ args, kwargs, self });
    const rec = memoKey !== undefined ? beginRecording(this.counter.steps) : undefined;
    let value: Value = UNKNOWN;
    let ok = false;
    try {
      value = this.runCall(fn, args, kwargs, caller, self, closure);
      ok = true;
      return value;
    } finally {
      active.pop();
      if (rec) {
        const given = [...args, ...kwargs.values()];
        const known = given.filter(byIdentity);
        if (self) known.push(self);
        const entry = endRecording(rec, ok, this.lastCallAcc, value, given.filter((v) => v.kind === 'tensor'), known, this.counter.steps, MAX_STEPS, this.outerOf(caller));
        if (entry) this.memo.set(memoKey!, entry);
      }
    }
  }

  /**
   * Drops the remembered calls once the analysis is done: they are valid only within it, and the
   * declarations a later analysis reuses keep this interpreter (their `owner`) reachable.
   */
  forgetCalls(): void {
    this.memo.clear();
    this.memoEpoch = -1;
    // The last frame holds the analysis's values: not kept past it.
    this.lastCtx = undefined;
  }

  /** Calls remembered (callMemo.ts) while `HEAP.epoch` is `memoEpoch`, by `memoKey`. */
  private readonly memo = new Map<string, CallEntry>();
  private memoEpoch = -1;

  /**
   * What a run of `fn` depends on besides the objects it reads (callMemo.ts): the function, the
   * object it runs on and the arguments (tensors by shape, numbers and strings by value, other
   * objects by identity, a tensor given twice as such), and the caller's state the callee's frame
   * inherits. Undefined when a call is not to be remembered.
   */
  private memoKey(fn: FunctionInfo, args: Value[], kwargs: Map<string, Value>, caller: Frame, self?: Value, closure?: Map<string, Value>): string | undefined {
    if (!CALL_MEMO.enabled || (self && !byIdentity(self))) return undefined;
    const ctx = caller.context ?? caller.pendingContext;
    let k = `${this.idOf(fn)}|${self ? this.idOf(self) : '-'}|${closure ? this.idOf(closure) : '-'}|${caller.depth}|${caller.autocast ?? ''}|${caller.noGrad ? 1 : 0}|${caller.closedRun ? 1 : 0}|${this.unrolled}|${this.ownRun ? 1 : 0}|`;
    for (const f of caller.stack) k += `${this.idOf(f)},`;
    // Whether the callee records in a calling context: which context, and the callers' loops
    // around the call there, are applied when a run is replayed (`capturesAt`).
    if (ctx && this.options.program) k += '|ctx';
    for (const a of args) k += `|${this.memoValueKey(a, args)}`;
    for (const [name, a] of kwargs) k += `|${name}=${this.memoValueKey(a, args)}`;
    return k;
  }

  private memoValueKey(v: Value, args: readonly Value[]): string {
    switch (v.kind) {
      case 'tensor': {
        // The same tensor object given twice is so in the key (a run could tell).
        const first = args.indexOf(v);
        return first >= 0 && args.indexOf(v, first + 1) >= 0 ? `${tensorKey(v)}@${first}` : tensorKey(v);
      }
      case 'int':
        return `i${polyKey(v.value)}`;
      case 'float':
        return `f${v.value === null ? 'null' : Object.is(v.value, -0) ? '-0' : v.value}`;
      // A path and a string of the same text are told apart: `p.name` reads them differently.
      case 'str':
        return `${v.path ? 'p' : 's'}${JSON.stringify(v.value)}`;
      case 'bool':
        return `b${v.value}`;
      case 'none':
        return v.name === undefined ? 'N' : `N${v.name}`;
      default:
        return `#${this.idOf(v)}`;
    }
  }

  private idOf(o: object): number {
    let n = this.objectIds.get(o);
    if (n === undefined) this.objectIds.set(o, (n = this.nextObjectId++));
    return n;
  }

  /**
   * The multiplier a call from `caller` runs under in its calling context (the callee frame's
   * `outer`, `newFrame`), or undefined when it records in none.
   */
  private outerOf(caller: Frame): Poly | undefined {
    return (caller.context ?? caller.pendingContext) && this.options.program ? (caller.outer ?? Poly.ONE).mul(caller.multiplier) : undefined;
  }

  /**
   * A remembered call's run, replayed in `caller` (callMemo.ts), with its captures as `capturesAt`
   * gives them: new objects, already in the caller's context.
   */
  private replay(hit: CallEntry, caller: Frame, captured: Captured[]): Value {
    CALL_MEMO.replays++;
    this.counter.steps += hit.steps;
    if (captured.length) {
      const program = this.options.program!;
      for (const c of captured) {
        logCapture(c);
        if ('op' in c) program.captureOp(c.op);
        else program.captureFunction(c.fn);
      }
    }
    addAcc(caller.acc, hit.acc, caller.multiplier);
    this.lastCallAcc = hit.acc;
    return instantiate(hit.value);
  }

  /** Calls of a function in progress, by `callKey`: a recursive call with the same key is refused. */
  private readonly activeCalls = new Map<FunctionInfo, { args: Value[]; kwargs: Map<string, Value>; self?: Value }[]>();
  private readonly objectIds = new WeakMap<object, number>();

  /**
   * What tells one call of a method from another: the identity of the object it runs on, or for
   * `__init__` (whose object is always new) its arguments' known constants. Undefined
   * for plain functions (`ping` calling `pong` calling `ping` stays refused at the re-entry) and
   * when an argument is a symbolic number (`f(n - 1)` would recurse until the depth limit).
   */
  private callKey(fn: FunctionInfo, args: Value[], kwargs: Map<string, Value>, self?: Value): string | undefined {
    // A function outside a class that walks a module tree (DINOv2's `named_apply(fn, child)`) is
    // told apart by the modules it is given, as a method by its object.
    const modules = !fn.cls || !self ? [...args, ...kwargs.values()].filter((a) => isModuleLike(a, this)) : [];
    if ((!fn.cls || !self) && modules.length === 0) return undefined;
    const id = (o: object) => {
      let n = this.objectIds.get(o);
      if (n === undefined) this.objectIds.set(o, (n = this.nextObjectId++));
      return `#${n}`;
    };
    const keyOf = (v: Value, depth = 0): string | undefined => {
      switch (v.kind) {
        case 'int': {
          const c = v.value.constValue();
          return c === undefined ? undefined : String(c);
        }
        case 'float': return `f${v.value}`;
        case 'str': return (v.path ? 'p' : '') + JSON.stringify(v.value);
        case 'bool': return `b${v.value}`;
        case 'none': return 'None';
        case 'class': return `class ${v.cls.name}`;
        case 'function': return `fn ${v.def.qualName}`;
        case 'tensor': return `T${v.type.shape?.map(String).join(',') ?? '?'}`;
        case 'tuple': {
          if (depth > 3 || v.repeat) return id(v);
          const parts = v.items.map((x) => keyOf(x, depth + 1));
          return parts.some((p) => p === undefined) ? undefined : `(${parts.join(',')})`;
        }
        case 'instance':
        case 'module':
        case 'dict':
          return id(v);
        default:
          return v.kind;
      }
    };
    // A method other than `__init__` is told apart by its object alone (`Tree.forward` on each
    // child `Tree`): objects built are finite, and the same object again is recursion.
    if (modules.length > 0) return modules.map((m) => keyOf(m)).join('|');
    if (fn.node.childForFieldName('name')?.text !== '__init__') return keyOf(self!);
    const parts = [...args, ...kwargs.values()].map((a) => keyOf(a));
    if (parts.some((p) => p === undefined)) return undefined;
    return `${parts.join('|')}|${[...kwargs.keys()].join(',')}`;
  }

  private nextObjectId = 0;

  /** How many times each function's body ran in this analysis (`runBody`). */
  private readonly bodyRuns = new Map<FunctionInfo, number>();
  /** Set while builders run (`runBuilders`). */
  private building = false;

  /**
   * Runs a function's body, with the nodes its tree leads to remembered from its second run on,
   * or from its first when a builder runs it (nodeMemo.ts, `rememberStructure`): code run once is
   * read once, and remembering it only kept its nodes alive; code run again (a block's forward per
   * caller and context, a model a builder built and called) is read from the memo from then on.
   */
  private runBody<T>(fn: FunctionInfo, body: () => T): T {
    const n = (this.bodyRuns.get(fn) ?? 0) + 1;
    this.bodyRuns.set(fn, n);
    const was = rememberStructure(n >= 2 || this.building);
    try {
      return body();
    } finally {
      rememberStructure(was);
    }
  }

  private runCall(fn: FunctionInfo, args: Value[], kwargs: Map<string, Value>, caller: Frame, self?: Value, closure?: Map<string, Value>): Value {
    const frame = this.newFrame(fn, false, caller);
    if (closure) for (const [k, v] of closure) frame.env.set(k, v);
    this.bindParams(fn, frame, args, kwargs, self);
    this.applyDecorators(fn, frame);
    if (isGenerator(fn.node)) frame.yields = newList([], this, frame);
    if (fn.node.type === 'lambda') {
      // A lambda's body is one expression: its value is the return value.
      const body = fn.node.childForFieldName('body');
      if (body) this.runBody(fn, () => frame.returns.push(this.eval(body, frame)));
    } else this.runBody(fn, () => this.execBody(fn.node.childForFieldName('body'), frame));
    const result = this.returnValue(frame);
    addAcc(caller.acc, frame.acc, caller.multiplier);
    this.lastCallAcc = frame.acc;
    // A model builder called (`net = ResNet18()` in `test()`) only constructs: its figures are its
    // model's run (`runBuiltModel`), which a construction-only context must not replace.
    if (frame.context && this.options.program && fn.node.type !== 'lambda' && !this.modelBuilders.has(fn)) {
      const a = frame.acc;
      // Zero-cost contexts count too: `get_lr(iter_num)` computes nothing on tensors when called
      // with an int, which its own analysis (an unknown parameter) cannot tell.
      const f: ContextFunction = {
        path: this.path,
        name: fn.qualName,
        flops: a.flops,
        otherFlops: a.otherFlops,
        bytes: a.bytes,
        upperBound: a.upperBound,
        ...(a.reasons?.length ? { reasons: a.reasons } : {}),
        ...(a.trains ? { trains: true } : {}),
        context: frame.context,
      };
      logCapture({ fn: f });
      this.options.program.captureFunction(f);
    }
    return result;
  }

  /**
   * What a call returns: its first known return value. Sizes that branches it could not decide
   * return differently (lit-llama's `find_multiple(n, 256)`: `n` when `n % 256 == 0`, else `n`
   * rounded up) give the largest, probing free dims as the branch choice does, and the figures
   * that use it are an upper bound, as for a branch that costs.
   */
  private returnValue(frame: Frame): Value {
    // A generator's call is the list of what it yields (`metric_logger.log_every(loader)`).
    if (frame.yields) return frame.yields;
    const known = frame.returns.filter((r) => r.kind !== 'unknown' && r.kind !== 'none');
    const first = known[0];
    if (first?.kind === 'int' && known.length > 1 && known.every((r) => r.kind === 'int') && known.some((r) => !(r as typeof first).value.equals(first.value))) {
      const probe = new Map(this.options.bindings);
      const size = (r: Value) => {
        const p = (r as typeof first).value;
        for (const sym of p.freeSymbols()) if (!probe.has(sym)) probe.set(sym, 1024);
        return p.evaluate(probe) ?? -Infinity;
      };
      frame.acc.upperBound = true;
      return known.reduce((a, b) => (size(b) > size(a) ? b : a));
    }
    return first ?? frame.returns[0] ?? NONE;
  }

  /** Constructs an instance of a class in this file: runs `__init__` with the call's arguments. */
  construct(cls: ClassInfo, args: Value[], kwargs: Map<string, Value>, caller: Frame): Value {
    if (cls.owner && cls.owner !== this) return cls.owner.construct(cls, args, kwargs, caller);
    // A construction changes state (fields, witnesses, constructions): no call around it is remembered.
    touched();
    const inst: Value = { kind: 'instance', cls, fields: configFields(cls) };
    const init = findMethod(cls, '__init__', this.classes, this);
    const layer = init ? undefined : libraryBase(cls, this, caller);
    if (init) this.callFunction(init, args, kwargs, caller, inst);
    else if (layer) initLibraryLayer(inst, layer, args, kwargs, this, caller, cls.node);
    else {
      // Dataclasses take their fields positionally, in the order they are declared, or by keyword.
      const names = cls.fields ?? [...cls.defaults.keys()];
      if (kwargs.has(OPEN_KEYWORDS)) openFields(cls, inst.fields);
      args.forEach((a, i) => names[i] && inst.fields.set(names[i], a));
      for (const [k, v] of kwargs) if (k !== OPEN_KEYWORDS) inst.fields.set(k, v);
      // `__post_init__` derives fields from the ones given (Mamba's `d_inner`, `dt_rank`).
      this.postInit(inst, caller);
    }
    const score = [...args, ...kwargs.values()].filter((a) => a.kind !== 'unknown' && !(a.kind === 'tensor' && a.type.shape === null)).length + 1;
    // Built by a module-level function (`def ResNet50(): return ResNet(Bottleneck, [3, 4, 6, 3])`)
    // from arguments all known: one of the class's constructions, named by the outermost function.
    const builder = caller.stack[0];
    if (this.ownRun && builder && !builder.cls && caller.fn && !caller.fn.cls) {
      const key = constructionKey([...args, ...kwargs.values()], [...kwargs.keys()]);
      if (key !== undefined) {
        const known = this.constructions.get(cls) ?? new Map<string, string>();
        if (!known.has(key)) known.set(key, builder.qualName);
        this.constructions.set(cls, known);
      }
    }
    if (score > (this.witnesses.get(cls)?.score ?? 0)) {
      this.witnesses.set(cls, { inst, score });
      this.witnessChanges++;
    }
    return inst;
  }

  // ---------------------------------------------------------------- statements

  execBody(body: Node | null, frame: Frame): void {
    if (!body) return;
    const stmts = body.namedChildren;
    for (let i = 0; i < stmts.length; i++) {
      const s = stmts[i];
      if (!s || frame.returned) break;
      // A guard clause (`if mask is None: return ...`) with statements after it: those are the
      // other path, not code that runs after the branch (counting both would add the two paths).
      // So is `if c: ...; continue` in a loop's body (litgpt's table of configs skips two entries
      // so): the statements after it run only when c is false.
      if (s.type === 'if_statement' && i < stmts.length - 1 && guardEnd(s) !== undefined) {
        this.exec(s, frame, stmts.slice(i + 1).filter((n): n is Node => !!n));
        break;
      }
      this.exec(s, frame);
    }
  }

  /** `rest`: the statements after a guard clause `s` (see `execBody`). */
  exec(s: Node, frame: Frame, rest?: Node[]): void {
    if (++this.counter.steps > MAX_STEPS) return;
    try {
      const anns = this.annotationsOf(s);
      if (anns.length === 0) return this.execStatement(s, frame, rest);
      const assigned = assignedNames(s);
      for (const a of anns) for (const [name, dims] of a.named ?? []) if (!assigned.has(name)) this.applyShape(name, dims, a, frame);
      this.execStatement(s, frame, rest);
      for (const a of anns) {
        for (const [name, dims] of a.named ?? []) if (assigned.has(name)) this.applyShape(name, dims, a, frame);
        if (a.anonymous && assigned.size === 1 && !COMPOUND.has(s.type)) this.applyShape([...assigned][0], a.anonymous, a, frame);
      }
    } catch (e) {
      // A statement the interpreter trips over (deep nesting, a handler's bug) is skipped; the
      // analysis of the rest of the function goes on, and the figures say what was skipped.
      this.notAnalysed(s, `statement at line ${s.startPosition.row + 1} ${notAnalysedWhy(e)}`, frame.acc, frame.report);
      return;
    }
  }

  private execStatement(s: Node, frame: Frame, rest?: Node[]): void {
    switch (s.type) {
      case 'expression_statement': {
        const e = s.namedChild(0);
        if (!e) return;
        if (e.type === 'assignment') this.assign(e, frame);
        else if (e.type === 'augmented_assignment') this.augAssign(e, frame);
        else this.eval(e, frame);
        return;
      }
      case 'return_statement': {
        const e = s.namedChild(0);
        frame.returns.push(e ? this.eval(e, frame) : NONE);
        frame.returned = true;
        return;
      }
      case 'if_statement':
        return this.execIf(s, frame, rest);
      case 'for_statement':
        return this.execFor(s, frame);
      case 'while_statement': {
        const counted = countWhile(s, this.loopValues(frame));
        if (counted) return this.execCountedWhile(s, counted, frame);
        // Otherwise the trip count of a `while` loop is not known statically: one trip is
        // counted, and the figures say so when the body computes anything (never a silent undercount).
        // A test that is false from the start runs no trip.
        const test = s.childForFieldName('condition');
        // Only a test that records nothing is evaluated (sizes and lengths, no tensor op).
        const plain = !!test && test.type !== 'true' && !/[\w\])]\s*\(/.test(test.text.replace(/\b(len|isinstance)\s*\(|\.(size|dim)\s*\(/g, ''));
        const decided = () => (plain ? truthy(this.eval(test!, frame)) : null);
        if (decided() === false) return;
        const body = s.childForFieldName('body');
        const line = s.startPosition.row + 1;
        const trip = () => this.uncountedTrip(`the trip count of the \`while\` loop at line ${line}`, () => this.execBody(body, frame));
        const before = frame.acc.flops.add(frame.acc.otherFlops);
        const computed = () => !frame.acc.flops.add(frame.acc.otherFlops).equals(before);
        trip();
        // A body that computes nothing and leaves the test decided (`while len(e.shape) <
        // len(h.shape): e = e[..., None]`, improved-diffusion's ResBlock) runs again until the test
        // fails: what it builds is what the code after it reads.
        for (let n = 1; n < MAX_SHAPE_TRIPS && !frame.returned && !computed() && decided() === true; n++) trip();
        if (computed()) addReason(frame.acc, this.reasonAt(test ?? s, `\`while\` loop at line ${line}: trip count unknown, one trip counted`));
        return;
      }
      case 'with_statement':
        return this.execWith(s, frame);
      case 'assert_statement':
        this.noteBound(s, frame);
        return;
      case 'try_statement':
        for (const c of s.namedChildren) if (c?.type === 'block') this.execBody(c, frame);
        return;
      case 'import_statement':
      case 'import_from_statement':
        return this.declareImport(s, frame.env);
      case 'function_definition':
      case 'decorated_definition': {
        const def = s.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
        const name = def?.childForFieldName('name')?.text;
        if (!def || !name) return;
        // A nested def sees the names of the function around it as they stand where it is
        // defined (a sibling defined above it: DeepSeek-V3's `find_correction_range` calling
        // `find_correction_dim`), and itself. At module level the globals serve.
        const closure = frame.env === this.globals ? undefined : new Map(frame.env);
        const value: Value = { kind: 'function', def: { qualName: `${frame.fn?.qualName ?? ''}.${name}`, node: def, owner: this }, ...(closure ? { closure } : {}) };
        closure?.set(name, value);
        frame.env.set(name, value);
        return;
      }
      default:
        return;
    }
  }

  // ---------------------------------------------------------------- shape comments

  private linesCache?: readonly string[];
  private lines(): readonly string[] {
    this.linesCache ??= this.options.lines ?? (this.options.text ?? this.statements.map((s) => s.text).join('\n')).split(/\r\n|\r|\n/);
    return this.linesCache;
  }

  /** The module's comments by row, collected once per analysis. */
  private allComments(): Map<number, CommentInfo> {
    this.comments ??= collectComments(this.statements, this.lines(), this.options.texts, this.options.comments);
    return this.comments;
  }

  private commentAt(row: number): CommentAnnotation | null {
    if (this.commentCache.has(row)) return this.commentCache.get(row)!;
    const info = this.allComments().get(row);
    const ann = info ? parseShapeComment(info) : null;
    this.commentCache.set(row, ann);
    return ann;
  }

  /** Annotations of a statement: the comment trailing it and the one on the line above it. */
  annotationsOf(s: Node): CommentAnnotation[] {
    if (s.type === 'comment') return [];
    const out: CommentAnnotation[] = [];
    const trailRow = COMPOUND.has(s.type) ? s.startPosition.row : s.endPosition.row;
    const trailing = this.commentAt(trailRow);
    if (trailing && !trailing.error && !this.comments!.get(trailRow)!.ownLine) out.push(trailing);
    const above = s.startPosition.row > 0 ? this.commentAt(s.startPosition.row - 1) : null;
    if (above && !above.error && this.comments!.get(s.startPosition.row - 1)!.ownLine) out.push(above);
    return out;
  }

  /** TC001 for every comment that is clearly meant as a shape but does not parse. */
  checkComments(): void {
    for (const [row, info] of this.allComments()) {
      const a = parseShapeComment(info);
      this.commentCache.set(row, a);
      if (a?.error) this.findings.push({ code: 'TC001', severity: 'error', message: a.error, range: a.range });
    }
  }

  /**
   * Gives `name` the annotated shape. A value whose shape the code already determines keeps it
   * (its formulas are exact) unless its dims are anonymous; a provable disagreement with the
   * comment is reported, as a warning, since stale comments are common and not a run-time error.
   */
  private applyShape(name: string, dims: Poly[], ann: CommentAnnotation, frame: Frame): void {
    const target = name.split('.');
    let v: Value;
    if (target.length === 1) v = this.lookup(name, frame);
    else {
      const obj = this.lookup(target[0], frame);
      v = target.length === 2 && obj.kind === 'instance' ? obj.fields.get(target[1]) ?? UNKNOWN : UNKNOWN;
    }
    const merged = this.reconcile(v, { shape: dims, dtype: ann.dtype ?? null }, ann, frame);
    if (target.length === 1) frame.env.set(name, merged);
    else {
      const obj = this.lookup(target[0], frame);
      if (target.length === 2 && obj.kind === 'instance') {
        touched();
        obj.fields.set(target[1], merged);
      }
    }
  }

  reconcile(v: Value, ann: TensorType, at: { range: Range }, frame: Frame): Value {
    if (v.kind !== 'tensor' && v.kind !== 'unknown') return v;
    if (v.kind !== 'tensor' || v.type.shape === null) {
      // In a closed run, `# (B, T, n_embd)` under `B, T = idx.size()` of a shape the analysis
      // lost names sizes this run does not know: the file's `B = 64` must not give them values.
      if (frame.closedRun && this.namesUnknownLocal(ann.shape, frame)) return v;
      return tensor({ shape: ann.shape, dtype: ann.dtype ?? (v.kind === 'tensor' ? v.type.dtype : null) });
    }
    const have = v.type.shape;
    const want = ann.shape!;
    const b = this.options.bindings;
    let conflict: string | undefined;
    if (have.length !== want.length) conflict = `rank ${want.length} vs ${have.length}`;
    else {
      for (let i = 0; i < have.length && !conflict; i++) {
        const x = have[i].evaluate(b);
        const y = want[i].evaluate(b);
        if (x !== null && y !== null && x !== y) conflict = `dim ${i} is ${y} in the comment, ${x} in the code`;
      }
    }
    // A guessed shape (guessed.ts) that disagrees with what the author wrote proves nothing: the
    // comment wins, silently. Where they agree, the guess keeps its (often concrete) dims.
    if (conflict && isGuessed(v.type)) return tensor({ shape: ann.shape, dtype: ann.dtype ?? v.type.dtype });
    if (conflict) {
      if (frame.report) {
        const dup = this.findings.some((f) => f.code === 'TC002' && f.range.start.line === at.range.start.line && f.range.start.character === at.range.start.character);
        const text = (s: Poly[]) => `(${s.map((d) => d.toString()).join(', ')})`;
        // Made-up dims (`_3`, a size the run decides) read as `?`, as in the reports.
        if (!dup) this.findings.push({ code: 'TC002', severity: 'warning', message: userFacing(`shape annotation ${text(want)} disagrees with the inferred shape ${text(have)}: ${conflict}`), range: at.range });
      }
      return v;
    }
    const anonymous = (d: Poly) => !d.isConst() && [...d.freeSymbols()].every(isMadeUpDim);
    // In a closed run a size the run lost (`T` of HellaSwag's `(4, ?)` rows) is not the file's
    // constant `T = 1024` because a comment names it so (as for a lost shape, above).
    const constantNamed = (d: Poly) => frame.closedRun && [...d.freeSymbols()].some((n) => this.boundByConstant(n));
    const shape = have.map((d, i) => (anonymous(d) && !constantNamed(want[i]) ? want[i] : d));
    return tensor({ shape, dtype: v.type.dtype ?? ann.dtype });
  }

  /** Shapes a function's parameters get from a directive above its `def` or an HF docstring. */
  private paramHints(fn: FunctionInfo): Map<string, TensorType & { fromDocstring?: boolean }> {
    const out = new Map<string, TensorType & { fromDocstring?: boolean }>();
    const body = fn.node.childForFieldName('body');
    // Sibling steps: a body's whole list of statements would be made as nodes only to look at the
    // first (the run reads its body through another node object on a function's first run).
    let first = body?.firstNamedChild ?? null;
    while (first?.type === 'comment') first = first.nextNamedSibling;
    const doc = first?.type === 'expression_statement' && first.namedChild(0)?.type === 'string' ? stringValue(first.namedChild(0)!) : '';
    if (doc.includes('shape')) for (const [k, dims] of docstringShapes(doc)) out.set(k, { shape: dims, dtype: null, fromDocstring: true });
    const holder = fn.node.parent?.type === 'decorated_definition' ? fn.node.parent : fn.node;
    for (const a of this.annotationsOf(holder)) {
      for (const [k, dims] of a.named ?? []) out.set(k, { shape: dims, dtype: a.dtype ?? null });
    }
    // A trailing directive on the `def` line itself (when the parameters span one line).
    const own = this.commentAt(fn.node.startPosition.row);
    if (own?.named && !own.error) for (const [k, dims] of own.named) out.set(k, { shape: dims, dtype: own.dtype ?? null });
    return out;
  }

  /** `rest`: the statements after a guard clause (see `execBody`), the path its branch skips. */
  /** A `while` loop whose trip count the code fixes: its body once, times the trips. */
  private execCountedWhile(s: Node, counted: CountedWhile, frame: Frame): void {
    const body = s.childForFieldName('body');
    const saved = frame.multiplier;
    const savedLoop = frame.loop;
    frame.multiplier = saved.mul(Poly.const(counted.trips));
    frame.loop = body ? { counted, body: body.id, outer: saved } : undefined;
    try {
      if (counted.trips === 0) {
        if (frame.report) this.execBody(body, { ...frame, env: new Map(frame.env), acc: emptyAcc(), returns: [], returned: false });
      } else this.execBody(body, frame);
    } finally {
      frame.multiplier = saved;
      frame.loop = savedLoop;
    }
  }

  /** What `countWhile` asks of the interpreter: constants and always-false guards, in `frame`. */
  private loopValues(frame: Frame): LoopValues {
    const constant = (n: Node): number | undefined => {
      const v = this.eval(n, frame);
      const c = v.kind === 'int' ? v.value.constValue() : undefined;
      return c !== undefined && Number.isSafeInteger(c) ? c : undefined;
    };
    const alwaysFalse = (n: Node, assigned: ReadonlySet<string>): boolean => {
      const parts = conjuncts(n);
      // `iter_num == 0 and eval_only` with `eval_only = False`: one part never true is enough.
      return parts.some((p) => !namesOf(p).some((x) => assigned.has(x)) && (() => {
        const v = this.eval(p, frame);
        return v.kind === 'bool' && v.value === false;
      })());
    };
    return { constant, alwaysFalse };
  }

  /**
   * An `if` at the top of a counted loop's body whose test involves the counter
   * (`if step % 250 == 0 or last_step:`) runs on the trips where the test holds: its branch is
   * counted that many times instead of every trip. Returns false when the test does not involve
   * the counter, cannot be counted, or has an `else`: the `if` is then run as any other.
   */
  private execPeriodicIf(s: Node, frame: Frame): boolean {
    const loop = frame.loop;
    const body = s.parent;
    if (!loop || !body || body.id !== loop.body) return false;
    // With an `else`, both sides would run on one frame, the second on what the first assigned.
    if (s.childForFieldName('alternative')) return false;
    const { counter, start, step, trips, stepAt } = loop.counted;
    const index = statementsOf(body).findIndex((x) => x.id === s.id);
    const values = {
      constant: this.loopValues(frame).constant,
      truth: (n: Node) => {
        const v = this.eval(n, frame);
        return v.kind === 'bool' && v.value !== null ? v.value : undefined;
      },
    };
    const test = tripTest(s.childForFieldName('condition')!, counter, aliasesOf(body, index), values);
    const consequence = s.childForFieldName('consequence');
    if (consequence && statementsOf(consequence).length === 1 && statementsOf(consequence)[0].type === 'break_statement') return this.execCountedBreak(s, test, frame);
    // The counter's value at this statement: one step further once the body has stepped it.
    const count = test ? countTrips(test, start + (index > stepAt ? step : 0), step, trips) : undefined;
    if (count === undefined) return false;
    const saved = frame.multiplier;
    try {
      frame.multiplier = loop.outer.mul(Poly.const(count));
      if (count > 0) this.execBody(s.childForFieldName('consequence'), frame);
    } finally {
      frame.multiplier = saved;
    }
    return true;
  }

  /**
   * `if last_step: break` in `for step in range(num_iterations + 1):` (llm.c's `train_gpt2.py`,
   * with `last_step = step == num_iterations`): the statements after it run on the trips before
   * the first whose test holds, not on every trip (11 training steps counted for 10 before).
   * Those before it run once more than that; counted on every trip, they are said to be.
   */
  private execCountedBreak(s: Node, test: TripTest | undefined, frame: Frame): boolean {
    const loop = frame.loop!;
    const { start, step, trips, stepAt } = loop.counted;
    // A counted `while` leaves through its own test (countedWhile.ts); only `for` loops here.
    if (!test || stepAt !== Infinity) return false;
    const k = firstTrip(test, start, step, trips);
    if (k === undefined) return false;
    if (k === trips) return true;
    if (k + 1 < trips && loop.cost && !frame.acc.flops.add(frame.acc.otherFlops).equals(loop.cost)) {
      addReason(frame.acc, this.reasonAt(s, `\`break\` at line ${s.startPosition.row + 1} leaves the loop after trip ${k + 1} of ${trips}; what runs before it is counted on every trip`));
    }
    frame.multiplier = loop.outer.mul(Poly.const(k));
    frame.loop = { ...loop, counted: { ...loop.counted, trips: k } };
    return true;
  }

  /**
   * `s` is an `if` statement, or an `elif` clause run as one with `following`, the clauses after
   * it in its statement (an `elif_clause` node holds none of them).
   */
  private execIf(s: Node, frame: Frame, rest?: Node[], following?: Node[]): void {
    if (frame.loop && !rest && this.execPeriodicIf(s, frame)) return;
    // Python's truthiness decides the branch: `if self.downsample:` on a module or None, `if n:` on
    // a known int, as the conditional expression and `not` already do.
    const taken = truthy(this.eval(s.childForFieldName('condition')!, frame));
    const consequence = s.childForFieldName('consequence');
    const alternatives = following ?? s.childrenForFieldName('alternative').filter((n): n is Node => !!n);
    const runRest = (f: Frame) => {
      for (const n of rest ?? []) {
        if (f.returned) break;
        this.exec(n, f);
      }
    };
    if (taken !== null) {
      if (taken) {
        this.execBody(consequence, frame);
        // After `continue`, the rest of the loop's body does not run.
        return rest && guardEnd(s) === 'continue_statement' ? undefined : runRest(frame);
      }
      if (rest) return runRest(frame);
      const alt = alternatives[0];
      if (!alt) return;
      if (alt.type === 'else_clause') return this.execBody(alt.childForFieldName('body'), frame);
      // An elif is an if of its own, followed by the clauses after it (`if a: ... elif b: ...
      // else: ...` with a and b false runs the else: improved-diffusion's 1×1 skip convolution).
      return this.execIf(alt, frame, undefined, alternatives.slice(1));
    }
    // Undecidable: run every branch on its own copy and keep the most expensive (an upper bound).
    const branches: (Node | Node[])[] = [consequence!, ...alternatives, ...(rest ? [rest] : [])];
    let best: { acc: Acc; env: Map<string, Value>; returned: boolean; returns: Value[] } | undefined;
    let bestScore = -1;
    const hasElse = !!rest || alternatives.some((a) => a.type === 'else_clause');
    // Without an else, "no branch taken" is a path too: its values count for the join below.
    const envs: Map<string, Value>[] = hasElse ? [] : [new Map(frame.env)];
    let allReturned = true;
    const otherReturns: Value[] = [];
    // `self.act_fn = F.relu` in one branch and `= F.gelu` in the next write to the same object:
    // each branch starts from the fields as they were, and the counted branch's fields stay.
    const selfObj = frame.env.get('self');
    const fields = selfObj?.kind === 'instance' ? selfObj.fields : undefined;
    const before = fields ? new Map(fields) : undefined;
    const fieldSets: Map<string, Value>[] = [];
    const branchAccs: Acc[] = [];
    let bestFields: Map<string, Value> | undefined;
    for (const b of branches) {
      if (fields && before) resetMap(fields, before);
      const sub: Frame = { ...frame, env: new Map(frame.env), acc: emptyAcc(), returns: [], returned: false };
      if (Array.isArray(b)) runRest(sub);
      else if (b.type === 'else_clause' || b.type === 'block') this.execBody(b.type === 'block' ? b : b.childForFieldName('body'), sub);
      else if (b.type === 'elif_clause') {
        this.eval(b.childForFieldName('condition')!, sub);
        this.execBody(b.childForFieldName('consequence'), sub);
      }
      envs.push(sub.env);
      branchAccs.push(sub.acc);
      if (fields) fieldSets.push(new Map(fields));
      allReturned &&= sub.returned;
      otherReturns.push(...sub.returns);
      const score = this.score(sub.acc);
      if (score > bestScore || !best) {
        bestScore = score;
        best = { acc: sub.acc, env: sub.env, returned: sub.returned, returns: sub.returns };
        bestFields = fields ? fieldSets[fieldSets.length - 1] : undefined;
      }
    }
    if (fields && bestFields) {
      // A field only another branch set (or the counted one lost to an unknown call) keeps that value.
      resetMap(fields, bestFields);
      for (const other of [before!, ...fieldSets]) {
        for (const [k, x] of other) {
          const cur = fields.get(k);
          if ((!cur || cur.kind === 'unknown') && x.kind !== 'unknown') {
            touched();
            fields.set(k, x);
          }
        }
      }
    }
    if (!best) return;
    const differs = branches.length > 1 || !hasElse;
    if (differs && bestScore > 0) frame.acc.upperBound = true;
    addAcc(frame.acc, best.acc);
    // What another branch could not model may be what runs: its reasons stand too.
    for (const a of branchAccs) {
      if (a.reasons) for (const x of a.reasons) addReason(frame.acc, x);
      if (a.trains) frame.acc.trains = true;
      // Precision facts are what may happen: an autocast in the cheaper branch is one too.
      addFacts(frame.acc, a);
    }
    for (const [k, v] of best.env) {
      // Join: where the counted branch lost a tensor's shape (`scores + mask` with an unknown
      // mask) but another branch kept it, keep the shape; later ops stay costed.
      const lost = v.kind === 'unknown' || (v.kind === 'tensor' && v.type.shape === null);
      // Likewise a config a branch rebuilt through an unknown call (`cfg = Config.from_dict(cfg)`
      // under `if isinstance(cfg, Dict)`) keeps what the other path knew of it.
      const others = lost ? envs.map((e) => e.get(k)) : [];
      const known = others.find((x) => x?.kind === 'tensor' && x.type.shape !== null) ?? (v.kind === 'unknown' ? others.find((x) => x !== undefined && x.kind !== 'unknown' && x.kind !== 'tensor') : undefined);
      frame.env.set(k, known ?? v);
    }
    frame.returns.push(...best.returns);
    // A branch that returned does not end the function unless every branch did (we cannot know).
    if (rest) {
      // After a guard clause every path was run: what the others return is a return value too.
      frame.returns.push(...otherReturns.filter((r) => !best!.returns.includes(r)));
      if (allReturned) frame.returned = true;
    }
  }

  /** Ranks accumulators for the upper-bound choice: numbers where bound, else a big stand-in dim. */
  private score(acc: Acc): number {
    const probe = new Map(this.options.bindings);
    const total = acc.flops.add(acc.otherFlops);
    for (const s of total.freeSymbols()) if (!probe.has(s)) probe.set(s, 1024);
    return total.evaluate(probe) ?? 0;
  }

  private execFor(s: Node, frame: Frame): void {
    const right = s.childForFieldName('right')!;
    const over = this.eval(right, frame);
    // `for layer in self:` in a subclass of `nn.Sequential`: its members.
    const it = over.kind === 'instance' ? containerMembers(over) ?? over : over;
    const unknownTrips = it.kind === 'tuple' ? it.unknownTrips : it.kind === 'dict' && it.readAtRun === KEYS_SET_AT_RUN ? 'the number of keys of a dict whose keys only the run knows' : undefined;
    if (!unknownTrips) return this.execForOver(s, it, frame);
    // Over a list of unknown length (a data loader's batches, a tokenizer's output): the reason
    // comes first among the loop's, and stays only when the loop may compute something.
    const before = frame.acc.flops.add(frame.acc.otherFlops);
    const had = frame.acc.reasons?.length ?? 0;
    addReason(frame.acc, this.reasonAt(right, `loop at line ${s.startPosition.row + 1}: ${unknownTrips} is unknown, one trip counted`));
    const added = (frame.acc.reasons?.length ?? 0) > had ? frame.acc.reasons![had] : undefined;
    // What the one trip appends to an older list (a generator's `yield`s) is of unknown length too.
    this.uncountedTrip(unknownTrips, () => this.execForOver(s, it, frame));
    // Kept when the body computed, or met something it could not follow (a reason of its own).
    if (added && frame.acc.flops.add(frame.acc.otherFlops).equals(before) && frame.acc.reasons!.length === had + 1) {
      const at = frame.acc.reasons!.indexOf(added);
      if (at >= 0) frame.acc.reasons!.splice(at, 1);
    }
  }

  private execForOver(s: Node, it: Value, frame: Frame): void {
    const left = s.childForFieldName('left')!;
    const right = s.childForFieldName('right')!;
    const body = s.childForFieldName('body');
    let trips: Poly = Poly.ONE;
    let item: Value = UNKNOWN;
    if (it.kind === 'tuple') {
      // In order: a trip may set what the next reads (`in_channels = x`). Building modules, a
      // short list runs trip by trip; else runs of the same item run once, times their length.
      const groups = loopSteps(it, !frame.report, MAX_UNROLL, MAX_DISTINCT_ITEMS) ?? groupItems(it);
      if (groups.length === 1) {
        trips = groups[0].count;
        item = groups[0].item;
      } else if (groups.length > 0) {
        // Different items (blocks built apart, a downsampling first block): the body runs once
        // per distinct item, weighted by how often that item occurs (bounded for huge literals).
        const saved = frame.multiplier;
        const steps = groups.slice(0, MAX_DISTINCT_ITEMS);
        // Whether the last trip left every binding as it found it (tracked while unrolling).
        let still = false;
        // The bindings as the last trip left them: nothing runs between two trips, so they are
        // the next trip's bindings before it runs.
        let last: BindingSnapshot | undefined;
        for (let i = 0; i < steps.length && !frame.returned; i++) {
          let count = steps[i].count;
          if (still && sameItem(steps[i - 1].item, steps[i].item)) {
            // The same item again, from the same state: the rest of the run behaves alike and
            // runs once, as often as it repeats (ResNet's 35 identical blocks of a stage).
            for (; i + 1 < steps.length && sameItem(steps[i + 1].item, steps[i].item); i++) count = count.add(steps[i + 1].count);
          }
          // Only a trip followed by the same item needs to know whether it left the bindings as it
          // found it (the check above): a trip before another item takes no snapshot.
          const watch = !frame.report && i + 1 < steps.length && sameItem(steps[i].item, steps[i + 1].item);
          const before = watch ? last ?? snapshotBindings(frame.env) : undefined;
          frame.multiplier = saved.mul(count);
          this.bindTarget(left, steps[i].item, frame);
          this.execBody(body, frame);
          last = before && snapshotBindings(frame.env);
          still = !!before && sameBindings(before, last!);
        }
        frame.multiplier = saved;
        return;
      } else trips = Poly.ZERO;
    } else if (it.kind === 'range') {
      trips = it.trips;
      item = int(Poly.sym(left.text));
      // Micro-steps of gradient accumulation (backward inside, the optimizer step after): one
      // gradient sync per `trips` forward passes, a fact for TC601–TC603.
      if (isAccumulationLoop(s, this.accumulationLoops)) this.noteDist('dist.accumulation', { trips, range: rangeOf(s) });
      const n = trips.constValue();
      // `range(0, depth, chunksize)` (DINOv2's chunked blocks): the range's own constant start and
      // step where the call's text does not give the start.
      const start = rangeStart(right, this, frame) ?? (it.step !== undefined ? it.start : undefined);
      const step = it.step ?? 1;
      if (!frame.report && n !== undefined && n * this.unrolled <= MAX_UNROLL && start !== undefined) {
        // While building modules (`for i in range(3): layers.append(Block(widths[i], ...))`) each
        // trip can differ: run them one by one. Reported functions keep one op per site instead.
        const outer = this.unrolled;
        this.unrolled = outer * Math.max(1, n);
        // Trips run one by one count a sequence that grows as it grows, when its shape is known;
        // one the run lost (a tokenizer's prompt) is the same unknown length every trip.
        const shapes = n > 1 && body && mayAppend(body.text) ? tensorShapes(frame.env) : undefined;
        const cost = frame.acc.flops.add(frame.acc.otherFlops);
        try {
          for (let i = 0; i < n && !frame.returned; i++) {
            this.bindTarget(left, int(start + i * step), frame);
            this.execBody(body, frame);
          }
        } finally {
          this.unrolled = outer;
        }
        const grew = shapes && !frame.acc.flops.add(frame.acc.otherFlops).equals(cost) ? growthReason(shapes, frame.env, body!, s.startPosition.row + 1, true) : undefined;
        if (grew) addReason(frame.acc, this.reasonAt(right, grew));
        return;
      }
    } else if (rangeOverName(right)) {
      // `for _ in range(max_new_tokens)` with an unannotated parameter: the trip count is a dim
      // named after it, which the user can bind, rather than one silent trip.
      trips = Poly.sym(rangeOverName(right)!);
      item = int(Poly.sym(left.text));
    } else if (it.kind === 'dict') {
      trips = Poly.const(it.entries.size);
      item = it.entries.size > 0 ? keyValue([...it.entries.keys()][0]) : UNKNOWN;
    } else if (it.kind === 'tensor' && it.type.shape && it.type.shape.length > 0) {
      trips = it.type.shape[0];
      item = tensor({ shape: it.type.shape.slice(1), dtype: it.type.dtype });
    } else {
      // Over something the engine cannot count: one trip, and the figures say so if it computes.
      const before = frame.acc.flops.add(frame.acc.otherFlops);
      this.bindTarget(left, item, frame);
      this.uncountedTrip(`the trip count of the loop at line ${s.startPosition.row + 1}`, () => this.execBody(body, frame));
      if (!frame.acc.flops.add(frame.acc.otherFlops).equals(before)) addReason(frame.acc, this.reasonAt(right, `loop at line ${s.startPosition.row + 1}: trip count unknown, one trip counted`));
      return;
    }
    this.bindTarget(left, item, frame);
    const saved = frame.multiplier;
    const savedLoop = frame.loop;
    frame.multiplier = saved.mul(trips);
    // `for step in range(max_steps):` with `if step % eval_interval == 0:` inside (execPeriodicIf).
    const n = trips.constValue();
    const first = it.kind === 'range' && left.type === 'identifier' && n !== undefined ? rangeStart(right, this, frame) : undefined;
    frame.loop = body && first !== undefined ? { counted: { counter: left.text, start: first, step: 1, trips: n!, stepAt: Infinity }, body: body.id, outer: saved, cost: frame.acc.flops.add(frame.acc.otherFlops) } : undefined;
    if (trips.constValue() === 0) {
      // A loop that runs zero times (`reversed(range(1, 1))` in a leaf of DLA's Tree) changes
      // nothing: what its body assigns, costs or cannot follow stays out of the figures. A
      // reported function still lists the body's ops (at zero runs).
      if (frame.report) this.execBody(body, { ...frame, env: new Map(frame.env), acc: emptyAcc(), returns: [], returned: false });
    } else if (trips.constValue() === 1 || !body) this.execBody(body, frame);
    else {
      // One trip stands for all only if it leaves what the next reads as it found it (the loop's
      // own targets are bound anew each trip).
      const shapes = tensorShapes(frame.env);
      for (const name of left.text.match(/\w+/g) ?? []) shapes.delete(name);
      const cost = frame.acc.flops.add(frame.acc.otherFlops);
      this.execBody(body, frame);
      const grew = frame.acc.flops.add(frame.acc.otherFlops).equals(cost) ? undefined : growthReason(shapes, frame.env, body, s.startPosition.row + 1);
      if (grew) addReason(frame.acc, this.reasonAt(right, grew));
    }
    frame.multiplier = saved;
    frame.loop = savedLoop;
  }

  private execWith(s: Node, frame: Frame): void {
    const saved = frame.autocast;
    const savedGrad = frame.noGrad;
    const clause = s.namedChildren.find((c) => c?.type === 'with_clause');
    const items = (clause?.namedChildren ?? []).map((item) => {
      const v = item?.childForFieldName('value');
      return v?.type === 'as_pattern' ? v.namedChild(0) : v;
    });
    // `with torch.autocast(...), torch.no_grad():` turns gradients off for the whole body.
    if (items.some((c) => c?.type === 'call' && NO_GRAD.test(c.childForFieldName('function')?.text ?? ''))) frame.noGrad = true;
    for (const ctx of items) {
      if (ctx?.type === 'call') {
        const d = this.autocastOf(ctx, frame);
        if (d === undefined) this.evalCall(ctx, frame);
        else if (d.on) {
          frame.autocast = d.likely;
          this.notePrecision(frame, { kind: 'enter', range: rangeOf(ctx), region: rangeOf(s), dtype: d.dtype, api: d.api });
        }
      } else if (ctx) {
        // `with ctx:` where `ctx = torch.amp.autocast(...)` was made earlier (nanoGPT), or `self.ctx`.
        const held = this.eval(ctx, frame);
        const dt = held.kind === 'dict' ? held.entries.get(AUTOCAST) : undefined;
        if (dt?.kind === 'dtype') {
          frame.autocast = dt.dtype;
          const decided = held.kind === 'dict' ? held.entries.get(AUTOCAST_DECIDED) : undefined;
          const api = held.kind === 'dict' ? held.entries.get(AUTOCAST_API) : undefined;
          this.notePrecision(frame, {
            kind: 'enter',
            range: rangeOf(ctx),
            region: rangeOf(s),
            dtype: decided?.kind === 'dtype' ? decided.dtype : null,
            api: api?.kind === 'str' && api.value === 'cuda.amp' ? 'cuda.amp' : 'amp',
            text: factText(ctx.text),
          });
        }
      }
    }
    this.execBody(s.childForFieldName('body'), frame);
    frame.autocast = saved;
    frame.noGrad = savedGrad;
  }

  /**
   * What a `torch.autocast(...)` / `torch.cuda.amp.autocast()` call turns on (autocast.ts decides:
   * on or off, the dtype when the arguments decide it); undefined when the call is no autocast.
   */
  private autocastOf(call: Node, frame: Frame): AutocastDecision | undefined {
    const callee = this.eval(call.childForFieldName('function')!, frame);
    if (callee.kind !== 'ref') return undefined;
    const d = autocastOfValues(canonical(callee.path), this.argsOf(call, frame), this.kwargsOf(call, frame));
    if (d) this.noteAutocast(frame, call, d);
    return d;
  }

  /** An autocast context made at `at`: what it turns on (autocast.ts decides, for every pass). */
  private noteAutocast(frame: Frame, at: Node, d: AutocastDecision): void {
    this.notePrecision(frame, d.on ? { kind: 'autocast', range: rangeOf(at), dtype: d.dtype, api: d.api, ...(d.maybeOff ? { enabled: null } : {}) } : { kind: 'autocast', range: rangeOf(at), api: d.api, enabled: false });
  }

  /**
   * Records a mixed-precision fact (precision.ts). Only the file analysed records them: another
   * file's code run from here has ranges of its own file, which this file's rules cannot place.
   */
  notePrecision(frame: Frame, f: PrecisionFact): void {
    if (this.options.main === false) return;
    addFact(frame.acc, frame.noGrad && f.kind === 'enter' ? { ...f, noGrad: true } : f);
  }

  /** `@torch.autocast(...)` / `@autocast()` on a def: its body runs under autocast. */
  private applyDecorators(fn: FunctionInfo, frame: Frame): void {
    for (const d of decoratorsOf(fn)) {
      if (d.type !== 'call') continue;
      if (NO_GRAD.test(d.childForFieldName('function')?.text ?? '')) frame.noGrad = true;
      const dt = this.autocastOf(d, frame);
      if (dt?.on) {
        frame.autocast = dt.likely;
        this.notePrecision(frame, { kind: 'enter', range: rangeOf(d), region: rangeOf(fn.node), dtype: dt.dtype, api: dt.api });
      }
    }
  }

  /** Runs an assignment and returns the value it bound. */
  private assign(a: Node, frame: Frame): Value {
    const left = a.childForFieldName('left')!;
    const right = a.childForFieldName('right');
    const typeNode = a.childForFieldName('type');
    // `self.patch_size = ph, pw = pair(patch_size)`: the chain's inner assignment comes first.
    let value: Value = right?.type === 'assignment' ? this.assign(right, frame) : right ? this.evalAssignedValue(left, right, frame) : UNKNOWN;
    if (typeNode) {
      const ann = parseAnnotation(typeNode, this, frame);
      if (ann.value?.kind === 'tensor' && ann.value.type.shape !== null && value.kind === 'tensor' && value.type.shape !== null) {
        // `z_flat: Float[Tensor, "batch posn heads_d_head"] = rearrange(...)`: the inferred shape is
        // exact and keeps its formulas; the annotation names its anonymous dims and is checked
        // against it (a provable disagreement is a TC002 warning).
        value = this.reconcile(value, ann.value.type, { range: rangeOf(typeNode) }, frame);
      } else if (ann.value && (ann.value.kind !== 'tensor' || ann.value.type.shape !== null || value.kind !== 'tensor')) {
        value = ann.value.kind === 'tensor' && value.kind === 'tensor' && ann.value.type.dtype === null ? tensor({ ...ann.value.type, dtype: value.type.dtype }) : ann.value;
      }
    }
    this.bindTarget(left, value, frame);
    return value;
  }

  /**
   * `B, T, C = x.size()` on a tensor of unknown shape gives it the shape (B, T, C): the names of
   * the targets become the dims. In a closed run (`Frame.closedRun`) the tensor's shape is one
   * the run computes and the analysis lost: a name that a module-level constant binds (`B = 64`
   * in the file of the code or of the entry point) would give it that constant's value, a size
   * the run may never have had (build-nanogpt's HellaSwag rows are 4 × a few dozen tokens, not
   * its training batch's 64 × 1024), so the shape stays unknown and its ops say they are
   * incomplete. A name no constant binds stays a dim the figures wait for.
   */
  private evalAssignedValue(left: Node, right: Node, frame: Frame): Value {
    const targets = left.type === 'pattern_list' || left.type === 'tuple_pattern' || left.type === 'list_pattern' ? left.namedChildren.filter((n): n is Node => !!n) : null;
    if (targets && targets.every((t) => t.type === 'identifier')) {
      let tensorNode: Node | null = null;
      if (right.type === 'call' && right.childForFieldName('function')?.type === 'attribute') {
        const f = right.childForFieldName('function')!;
        if (f.childForFieldName('attribute')?.text === 'size' && (right.childForFieldName('arguments')?.namedChildCount ?? 0) === 0) tensorNode = f.childForFieldName('object');
      } else if (right.type === 'attribute' && right.childForFieldName('attribute')?.text === 'shape') tensorNode = right.childForFieldName('object');
      if (tensorNode?.type === 'identifier' && !(frame.closedRun && targets.some((n) => this.boundByConstant(n.text)))) {
        const t = this.lookup(tensorNode.text, frame);
        if (t.kind === 'tensor' && t.type.shape === null) {
          const dims = targets.map((n) => Poly.sym(n.text === '_' ? this.fresh() : n.text));
          frame.env.set(tensorNode.text, tensor({ shape: dims, dtype: t.type.dtype }));
        }
      }
    }
    const value = this.eval(right, frame);
    // `vocab_size = len(chars)` at module level, of characters read from a file: a count only the
    // run knows, and a dim named after the global, which the user can bind (ng-video-lecture).
    if (value.kind === 'unknown' && frame.env === this.globals && left.type === 'identifier' && right.type === 'call' && right.childForFieldName('function')?.text === 'len') return int(Poly.sym(left.text));
    return value;
  }

  /** Whether an annotation's dims name a local variable of the frame whose value is not a size. */
  private namesUnknownLocal(shape: readonly Poly[] | null, frame: Frame): boolean {
    if (!shape || frame.env === this.globals) return false;
    for (const d of shape) {
      for (const name of d.freeSymbols()) {
        const local = frame.env.get(name);
        if (local && local.kind !== 'int') return true;
      }
    }
    return false;
  }

  /** Whether a module-level integer constant of this file or of the analysis's root is `name`. */
  private boundByConstant(name: string): boolean {
    const constant = (v: Value | undefined) => v?.kind === 'int' && v.value.constValue() !== undefined;
    return constant(this.globals.get(name)) || constant(this.program?.rootInterpreter()?.globals.get(name));
  }

  bindTarget(target: Node, value: Value, frame: Frame): void {
    switch (target.type) {
      case 'identifier':
        frame.env.set(target.text, value);
        return;
      case 'pattern_list':
      case 'tuple_pattern':
      case 'list_pattern':
      case 'expression_list':
      case 'tuple':
      case 'list': {
        const ts = target.namedChildren.filter((n): n is Node => !!n);
        // `b, c, *spatial = x.shape` (improved-diffusion's attention): the starred name takes
        // the items between those bound before and after it, as a list.
        const star = ts.findIndex((t) => t.type === 'list_splat_pattern' || t.type === 'list_splat');
        if (star >= 0) {
          const plain = value.kind === 'tuple' && !value.repeat && !value.counts && !value.unknownTrips ? value.items : undefined;
          const after = ts.length - star - 1;
          const fits = !!plain && plain.length >= ts.length - 1;
          ts.forEach((t, i) => {
            if (i === star) {
              const inner = t.namedChild(0);
              if (inner) this.bindTarget(inner, fits ? { kind: 'tuple', list: true, items: plain!.slice(star, plain!.length - after) } : UNKNOWN, frame);
            } else this.bindTarget(t, fits ? plain![i < star ? i : plain!.length - (ts.length - i)] : UNKNOWN, frame);
          });
          return;
        }
        const items = unpack(value, ts.length);
        ts.forEach((t, i) => this.bindTarget(t, items[i] ?? UNKNOWN, frame));
        return;
      }
      case 'parenthesized_expression':
        if (target.namedChild(0)) this.bindTarget(target.namedChild(0)!, value, frame);
        return;
      case 'subscript': {
        // `model_args['vocab_size'] = 50304`: a dict's entry by a constant key.
        const obj = this.eval(target.childForFieldName('value')!, frame);
        const keys = target.childrenForFieldName('subscript').filter((x): x is Node => !!x);
        if (obj.kind === 'dict' && keys.length === 1) {
          const k = dictKey(this.eval(keys[0], frame));
          if (k !== undefined) {
            touched();
            obj.entries.set(k, value);
          } else if (!obj.readAtRun) {
            // `CONFIGS[os.path.basename(path)] = json.load(f)` over files listed at run time: the
            // dict's keys are the run's to know, so no lookup of a key it lacks is decided.
            touched();
            obj.readAtRun = KEYS_SET_AT_RUN;
          }
        }
        return;
      }
      case 'attribute': {
        const obj = this.eval(target.childForFieldName('object')!, frame);
        const attr = target.childForFieldName('attribute')!.text;
        if (obj.kind === 'instance' || obj.kind === 'dict' || obj.kind === 'module') touched();
        // `self.max_seq_length = block_size` with a property setter (litgpt's GPT builds its RoPE
        // cache and registers it there): assigning runs the setter, as Python does.
        const setter = obj.kind === 'instance' ? findMethod(obj.cls, `${attr}.setter`, this.classes, this) : undefined;
        if (setter) this.callFunction(setter, [value], new Map(), frame, obj);
        else if (obj.kind === 'instance') obj.fields.set(attr, value);
        // An open config object (`C.n_layer = 12` on `C = CN()`, or on a config parameter).
        else if (obj.kind === 'dict') obj.entries.set(attr, value);
        // Weight tying (`self.transformer.wte.weight = self.lm_head.weight`): one tensor, two layers.
        else if (obj.kind === 'module' && obj.attrs && value.kind === 'tensor') obj.attrs.set(attr, value);
        return;
      }
      default:
        return;
    }
  }

  private augAssign(a: Node, frame: Frame): void {
    const left = a.childForFieldName('left')!;
    const op = a.childForFieldName('operator')?.text.replace('=', '') ?? '+';
    const cur = this.eval(left, frame);
    const right = this.eval(a.childForFieldName('right')!, frame);
    // `layers += [conv, bn, relu]` extends the list in place (inside a loop, once per trip).
    if (op === '+' && cur.kind === 'tuple' && cur.list && right.kind === 'tuple') {
      containerMethod(cur, 'extend', [right], this, frame);
      return;
    }
    const v = this.binary(op, cur, right, a, frame);
    this.bindTarget(left, v, frame);
  }

  // ---------------------------------------------------------------- expressions

  lookup(name: string, frame: Frame): Value {
    const v = frame.env.get(name) ?? this.globals.get(name);
    if (v) return v;
    // `if __name__ == "__main__":` runs in the script the program starts from, never on import.
    if (name === '__name__' && this.options.program) return { kind: 'str', value: this.options.main === false ? this.path.replace(/\.py$/, '') : '__main__' };
    if (DEFAULT_ALIASES[name]) return { kind: 'ref', path: DEFAULT_ALIASES[name] };
    return UNKNOWN;
  }

  eval(n: Node, frame: Frame): Value {
    if (++this.counter.steps > MAX_STEPS) return UNKNOWN;
    switch (n.type) {
      case 'identifier':
        return this.lookup(n.text, frame);
      case 'integer': {
        const v = Number(n.text.replace(/_/g, ''));
        return Number.isFinite(v) ? int(v) : UNKNOWN;
      }
      case 'float':
        return { kind: 'float', value: Number(n.text.replace(/_/g, '')) };
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return NONE;
      case 'string':
        return n.namedChildren.some((c) => c?.type === 'interpolation') ? this.formatted(n, frame) : { kind: 'str', value: stringValue(n) };
      case 'parenthesized_expression':
        return n.namedChild(0) ? this.eval(n.namedChild(0)!, frame) : UNKNOWN;
      case 'tuple':
      case 'expression_list':
        return born({ kind: 'tuple', items: this.evalItems(n, frame) });
      case 'list':
        return newList(this.evalItems(n, frame), this, frame);
      case 'dictionary':
        return this.evalDict(n, frame);
      case 'attribute':
        return this.evalAttribute(n, frame);
      case 'call':
        return this.evalCall(n, frame);
      case 'binary_operator': {
        const l = this.eval(n.childForFieldName('left')!, frame);
        const r = this.eval(n.childForFieldName('right')!, frame);
        return this.binary(n.childForFieldName('operator')?.text ?? '?', l, r, n, frame);
      }
      case 'unary_operator': {
        const v = this.eval(n.childForFieldName('argument')!, frame);
        const op = n.childForFieldName('operator')?.text;
        if (v.kind === 'int' && op === '-') return int(v.value.neg());
        if (v.kind === 'float' && op === '-' && v.value !== null) return { kind: 'float', value: -v.value };
        return v;
      }
      case 'not_operator': {
        const t = truthy(this.eval(n.childForFieldName('argument')!, frame));
        return { kind: 'bool', value: t === null ? null : !t };
      }
      case 'comparison_operator':
        return this.compare(n, frame);
      case 'boolean_operator': {
        // Python's short circuit: `heads == 1 and dim_head == dim` is False once the left is;
        // `x or default` is x when x is truthy, whatever the right side would be.
        const l = this.eval(n.childForFieldName('left')!, frame);
        const op = n.childForFieldName('operator')?.text;
        const lt = truthy(l);
        if (lt !== null && (op === 'and') !== lt) return l;
        const r = this.eval(n.childForFieldName('right')!, frame);
        if (lt !== null) return r;
        const rt = truthy(r);
        if (op === 'and' && rt === false) return { kind: 'bool', value: false };
        if (op === 'or' && rt === true) return { kind: 'bool', value: true };
        return { kind: 'bool', value: null };
      }
      case 'conditional_expression':
        return this.evalConditional(n, frame);
      case 'subscript':
        return this.evalSubscript(n, frame);
      case 'list_comprehension':
      case 'generator_expression':
        return this.evalComprehension(n, frame);
      case 'dictionary_comprehension':
        return this.evalDictComprehension(n, frame);
      case 'lambda':
        return { kind: 'function', def: { qualName: `${frame.fn?.qualName ?? ''}.<lambda>`, node: n, owner: this }, closure: new Map(frame.env) };
      case 'yield':
        return yieldValue(n, frame, this);
      default:
        return UNKNOWN;
    }
  }

  /**
   * `a if cond else b`. Undecidable, both arms run on their own accumulators and the costlier is
   * counted, as an upper bound (like an undecidable `if`); its value is the result. Arms of equal
   * cost (module constructions, say) give the more substantial value: a module over an
   * `nn.Identity()` or None, so a projection built on one arm is not lost.
   */
  private evalConditional(n: Node, frame: Frame): Value {
    const [a, c, b] = n.namedChildren;
    const t = c ? truthy(this.eval(c, frame)) : null;
    if (t === false && b) return this.eval(b, frame);
    if (t === true || !b) return a ? this.eval(a, frame) : UNKNOWN;
    const arms = [a, b].filter((x): x is Node => !!x).map((arm) => {
      const sub: Frame = { ...frame, acc: emptyAcc() };
      const value = this.eval(arm, sub);
      return { value, acc: sub.acc, score: this.score(sub.acc) };
    });
    if (arms.length < 2) return arms[0]?.value ?? UNKNOWN;
    const weight = (v: Value) => (v.kind === 'none' || v.kind === 'unknown' ? 0 : v.kind === 'module' && v.cls === 'Identity' ? 1 : 2);
    const [x, y] = arms;
    const best = y.score > x.score || (y.score === x.score && weight(y.value) > weight(x.value)) ? y : x;
    addAcc(frame.acc, best.acc);
    frame.acc.upperBound ||= x.score !== y.score;
    // What the other arm could not model may be what runs: its reasons stand too.
    for (const arm of arms) for (const r of arm.acc.reasons ?? []) addReason(frame.acc, r);
    for (const arm of arms) addFacts(frame.acc, arm.acc);
    return best.value;
  }

  evalItems(n: Node, frame: Frame): Value[] {
    const out: Value[] = [];
    for (const c of n.namedChildren) {
      if (!c || c.type === 'comment') continue;
      if (c.type === 'list_splat') {
        const v = this.eval(c.namedChild(0)!, frame);
        if (v.kind === 'tuple') out.push(...v.items);
        else out.push(UNKNOWN);
      } else out.push(this.eval(c, frame));
    }
    return out;
  }

  /** `[Block(config) for _ in range(n)]` is one item repeated n times. */
  /**
   * `{str(i): nn.Linear(d, d) for i in range(4) if keep(i)}` (nanochat's `nn.ModuleDict` of value
   * embeddings): over a short list or a constant range, one entry per item whose key is known;
   * over anything else, a dict of unknown keys (unknown).
   */
  private evalDictComprehension(n: Node, frame: Frame): Value {
    const pair = n.namedChildren.find((c) => c?.type === 'pair');
    const clauses = n.namedChildren.filter((c): c is Node => c?.type === 'for_in_clause');
    const key = pair?.childForFieldName('key');
    const value = pair?.childForFieldName('value');
    const right = clauses[0]?.childForFieldName('right');
    const left = clauses[0]?.childForFieldName('left');
    if (!key || !value || !right || !left || clauses.length !== 1) return UNKNOWN;
    const it = this.eval(right, frame);
    let items: Value[] | undefined;
    // A list already holds its items: a table of configs keyed by name (litgpt's 200 entries) is
    // read whole, each entry one evaluation of the key and the value.
    if (it.kind === 'tuple' && isPlain(it) && !it.unknownTrips && it.items.length <= MAX_TABLE) items = it.items;
    else if (it.kind === 'range') {
      const count = it.trips.constValue();
      const start = rangeStart(right, this, frame);
      if (count !== undefined && count <= MAX_UNROLL && start !== undefined) items = Array.from({ length: Math.max(0, count) }, (_, i) => int(start + i * (it.step ?? 1)));
    } else if (it.kind === 'dict' && it.entries.size <= MAX_TABLE) items = [...it.entries.keys()].map(keyValue);
    if (!items) return UNKNOWN;
    const conds = ifClauses(n);
    const entries = new Map<string, Value>();
    for (const x of items) {
      const sub: Frame = { ...frame, env: new Map(frame.env), acc: frame.acc };
      this.bindTarget(left, x, sub);
      const tests = conds.map((c) => truthy(this.eval(c, sub)));
      if (tests.some((t) => t === false)) continue;
      // An undecidable test: the entry may be there or not, so the dict is not known.
      if (tests.some((t) => t === null)) return UNKNOWN;
      const k = dictKey(this.eval(key, sub));
      if (k === undefined) return UNKNOWN;
      entries.set(k, this.eval(value, sub));
    }
    return { kind: 'dict', entries };
  }

  private evalComprehension(n: Node, frame: Frame): Value {
    const body = n.childForFieldName('body') ?? n.namedChild(0);
    const clause = n.namedChildren.find((c) => c?.type === 'for_in_clause');
    if (!body || !clause) return UNKNOWN;
    const right = clause.childForFieldName('right');
    const left = clause.childForFieldName('left');
    let it = right ? this.eval(right, frame) : UNKNOWN;
    // A known string gives its characters (`[word_dict[n] for n in 'SPPPP']`).
    if (it.kind === 'str' && it.value.length <= MAX_UNROLL) it = { kind: 'tuple', list: true, items: [...it.value].map((ch): Value => ({ kind: 'str', value: ch })) };
    // A dict whose keys the code fixes gives its keys, in order (gpt-fast's `[c for c in
    // transformer_configs if c.lower() in name.lower()]`); one whose keys only the run knows
    // stays a list of unknown length, and so does a long one (an `if` clause drops items only
    // from a list run item by item, below).
    if (it.kind === 'dict' && !it.readAtRun && it.entries.size <= MAX_UNROLL) it = { kind: 'tuple', list: true, items: [...it.entries.keys()].map(keyValue) };
    // Iterating a tensor gives its rows: `[data[i:i+T] for i in ix]` with `ix` of shape (B,).
    if (it.kind === 'tensor' && it.type.shape && it.type.shape.length > 0) {
      const rows = it.type.shape;
      const sub: Frame = { ...frame, env: new Map(frame.env), acc: frame.acc, multiplier: frame.multiplier.mul(rows[0]) };
      if (left) this.bindTarget(left, rows.length === 1 ? int(Poly.sym(this.fresh())) : tensor({ shape: rows.slice(1), dtype: it.type.dtype }), sub);
      return newList([this.eval(body, sub)], this, frame, { repeat: rows[0] });
    }
    // `range(config.n_layer)` whose size is None until a caller sets it: a dim named after it.
    const named = it.kind === 'unknown' && right ? rangeOverName(right) : undefined;
    if (named) it = { kind: 'range', trips: Poly.sym(named) };
    // A short list of distinct items (`[self.cfg[k] for k in ['expansion', 'kernel_size']]`): the
    // body runs per item, and an `if` clause that is decidably false drops the item.
    if (it.kind === 'tuple' && isPlain(it) && it.items.length <= MAX_UNROLL && left) {
      const conds = ifClauses(n);
      const items: Value[] = [];
      for (const x of it.items) {
        const sub: Frame = { ...frame, env: new Map(frame.env), acc: frame.acc };
        this.bindTarget(left, x, sub);
        if (conds.some((c) => truthy(this.eval(c, sub)) === false)) continue;
        items.push(this.eval(body, sub));
      }
      return newList(items, this, frame);
    }
    // Otherwise the body runs once for an item standing for all, its cost counted per trip.
    const total = it.kind === 'range' ? it.trips : it.kind === 'tuple' ? itemCounts(it).reduce((a, b) => a.add(b), Poly.ZERO) : Poly.ONE;
    const sub: Frame = { ...frame, env: new Map(frame.env), acc: frame.acc, multiplier: frame.multiplier.mul(total) };
    if (left) this.bindTarget(left, it.kind === 'tuple' ? it.items[0] ?? UNKNOWN : it.kind === 'range' ? int(Poly.sym(left.text)) : UNKNOWN, sub);
    const countable = it.kind === 'range' || it.kind === 'tuple';
    const before = countable ? undefined : frame.acc.flops.add(frame.acc.otherFlops);
    const item = this.eval(body, sub);
    if (countable) return newList([item], this, frame, it.kind === 'tuple' && it.unknownTrips ? { repeat: total, unknownTrips: it.unknownTrips } : { repeat: total });
    // Over something the engine cannot count (`enumerate(x.shape)` of a shape it lost): one item
    // counted, said where it computes, and a list of unknown length, not a list of one item
    // (`view(*shape)` would give a made-up shape).
    const what = `the length of the comprehension at line ${n.startPosition.row + 1}`;
    if (right && !frame.acc.flops.add(frame.acc.otherFlops).equals(before!)) addReason(frame.acc, this.reasonAt(right, `${what} is unknown, one item counted`));
    return newList([item], this, frame, { unknownTrips: what });
  }

  /**
   * An f-string: its text with each `{expr}` replaced by the value's text, as Python writes
   * strings, ints and booleans (`f"--{k}"`, improved-diffusion's argparse options named in a loop
   * over a dict of defaults). A value of another kind, a conversion or a format spec makes it
   * unknown: its literal parts alone are not its value (every option was named "--").
   */
  private formatted(n: Node, frame: Frame): Value {
    let out = '';
    for (const c of n.namedChildren) {
      if (!c || c.type === 'string_start' || c.type === 'string_end') continue;
      if (c.type === 'string_content') out += c.text;
      else if (c.type === 'escape_interpolation') out += c.text.charAt(0);
      else if (c.type === 'interpolation') {
        const e = c.childForFieldName('expression');
        if (!e || c.namedChildren.some((k) => k?.type === 'type_conversion' || k?.type === 'format_specifier')) return UNKNOWN;
        const piece = pythonText(this.eval(e, frame));
        if (piece === undefined) return UNKNOWN;
        out += piece;
      } else return UNKNOWN;
    }
    return { kind: 'str', value: out };
  }

  /**
   * `names.sort(key=len, reverse=True)` (gpt-fast's fuzzy match of a model name against its table
   * of configs): a list of constants, or of items whose key the code computes, is put in the order
   * Python leaves it in. A list whose order cannot be decided keeps its length with its items
   * unknown, unless they are all alike (`names[0]` after it must not be the item first before it),
   * and the call is listed as not modelled.
   */
  private sortList(list: Extract<Value, { kind: 'tuple' }>, args: Value[], kwargs: Map<string, Value>, site: CallSite, frame: Frame): Value {
    const r = kwargs.get('reverse');
    const flag = r?.kind === 'int' ? r.value.constValue() : undefined;
    const rev = !r ? false : r.kind === 'bool' ? r.value : flag !== undefined ? flag !== 0 : null;
    const keyArg = site.node.childForFieldName('arguments')?.namedChildren.find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'key');
    const keyNode = keyArg?.childForFieldName('value');
    let keys: Value[] | undefined;
    if (args.length === 0 && rev !== null && isPlain(list) && !list.unknownTrips) {
      if (!keyArg) keys = list.items;
      // `key=len` names the builtin unless the code rebinds it.
      else if (keyNode?.type === 'identifier' && keyNode.text === 'len' && this.lookup('len', frame).kind === 'unknown') keys = list.items.map((x) => BUILTINS.len([x], new Map(), this, frame));
      else {
        const f = kwargs.get('key');
        if (f && (f.kind === 'function' || f.kind === 'partial')) keys = list.items.map((x) => this.call(f, [x], new Map(), site, frame));
      }
    }
    const order = keys && sortedOrder(keys, rev!);
    if (!order && list.items.every((x) => sameItem(x, list.items[0]))) return NONE;
    touched();
    if (order) list.items.splice(0, list.items.length, ...order.map((i) => list.items[i]));
    else {
      // Named among the calls not modelled, so the figures say they may miss what follows.
      list.items.fill(UNKNOWN);
      this.ctx(frame).unmodelled(site);
    }
    return NONE;
  }

  /** `{"wte": nn.Embedding(...), **other}` with string keys; other keys are dropped; `**unknown` makes it unknown. */
  private evalDict(n: Node, frame: Frame): Value {
    const entries = new Map<string, Value>();
    // An entry under a key not known here, or a mapping read at run time spread in: the keys
    // are the run's to know (`KEYS_SET_AT_RUN`).
    let readAtRun: string | undefined;
    for (const c of n.namedChildren) {
      if (c?.type === 'pair') {
        const k = dictKey(this.eval(c.childForFieldName('key')!, frame));
        const v = this.eval(c.childForFieldName('value')!, frame);
        if (k !== undefined) entries.set(k, v);
        else readAtRun = KEYS_SET_AT_RUN;
      } else if (c?.type === 'dictionary_splat') {
        const v = this.eval(c.namedChild(0)!, frame);
        if (v.kind === 'dict') for (const [k, x] of v.entries) entries.set(k, x);
        // Keys not known here: the dict is not known either (its known keys are not all of it).
        else return UNKNOWN;
        if (v.kind === 'dict' && v.readAtRun) readAtRun ??= v.readAtRun;
      }
    }
    return readAtRun ? { kind: 'dict', entries, readAtRun } : { kind: 'dict', entries };
  }

  private evalAttribute(n: Node, frame: Frame): Value {
    return this.attributeOf(this.eval(n.childForFieldName('object')!, frame), n, frame);
  }

  /** The attribute `n` (an `attribute` node) of `obj`, its object already evaluated. */
  private attributeOf(obj: Value, n: Node, frame: Frame): Value {
    const attr = n.childForFieldName('attribute')?.text ?? '';
    switch (obj.kind) {
      case 'ref': {
        const path = `${obj.path}.${attr}`;
        // Every `nn.Linear`, `torch.randint` and `F.softmax` of a model comes here: the canonical
        // name is made once, and the root of the name is cut only for a dtype's attribute.
        const canon = canonical(path);
        const constant = MATH_CONSTANTS[path] ?? MATH_CONSTANTS[canon];
        if (constant !== undefined) return { kind: 'float', value: constant };
        if (canon === 'absl.flags.FLAGS') return this.abslFlags();
        // `x[:, np.newaxis]` (whisper's `sinusoids`): numpy's name for None.
        if (attr === 'newaxis' && /^(numpy|jax\.numpy)$/.test(canonical(obj.path))) return NONE;
        // `torch.__version__.split('.')` (Swin's config.py): a text the installed library decides,
        // not a function of it.
        if (attr === '__version__') return UNKNOWN;
        // `torch.bfloat16`, `np.float32`, `jnp.float16`: dtype objects, not callables.
        const dt = DTYPE_ATTR.test(attr) && LIBRARY_ROOTS.has(canon.split('.')[0]) ? parseDType(attr) : undefined;
        if (dt) return { kind: 'dtype', dtype: dt };
        return { kind: 'ref', path };
      }
      case 'instance': {
        const f = obj.fields.get(attr);
        // A function the class body assigns (`transcribe = transcribe_function`, whisper's Whisper)
        // is a method: read through the instance, it is bound to it, as Python binds it. One set
        // on the instance (`self.act = F.gelu`) is not.
        if (f?.kind === 'function' && !f.self && f === this.classDefault(obj.cls, attr)) return { ...f, self: obj };
        if (f) return f;
        // `self.__dict__.update(kwargs)` (minGPT's CfgNode): the object's own fields, as a dict.
        if (attr === '__dict__') return { kind: 'dict', entries: obj.fields };
        const m = findMethod(obj.cls, attr, this.classes, this);
        // `@property def head_dim(self)`: reading the attribute runs the getter.
        if (m && decoratorsOf(m).some((d) => /^(functools\.)?(property|cached_property)$/.test(d.text))) return this.callFunction(m, [], new Map(), frame, obj);
        if (m) return boundMethod(m, obj, { kind: 'class', cls: obj.cls });
        const d = this.classDefault(obj.cls, attr);
        if (d) return d;
        return MODULE_METHODS.has(attr) ? { kind: 'method', of: obj, name: attr } : UNKNOWN;
      }
      case 'tuple':
        // `nn.Sequential(...).to(device)`, `layers.eval()`: a module container moved or switched.
        return LIST_METHODS.has(attr) || RETURNS_SELF.has(attr) ? { kind: 'method', of: obj, name: attr } : UNKNOWN;
      case 'class': {
        const m = findMethod(obj.cls, attr, this.classes, this);
        if (m) return boundMethod(m, undefined, obj);
        return this.classDefault(obj.cls, attr) ?? UNKNOWN;
      }
      case 'dict': {
        // An unknown config object: its attributes are dims named after them (`config.n_embd`).
        const e = obj.entries.get(attr);
        // `C.n_layer = None` read back: still None to `is None`, a dim named n_layer as a size.
        if (e?.kind === 'none') return { kind: 'none', name: attr };
        if (e) return e;
        return DICT_METHODS.has(attr) ? { kind: 'method', of: obj, name: attr } : int(Poly.sym(attr));
      }
      case 'tensor':
        return tensorAttribute(obj.type, attr, n, this, frame);
      case 'str':
        // `'{:.6f}'.format(loss)`, `sen.split()`: Python's own string methods (pybuiltins.ts);
        // `checkpoint_path.parent.name` of a `pathlib.Path` (builtins/paths.ts).
        return (obj.path && pathAttribute(obj.value, attr)) || { kind: 'method', of: obj, name: attr };
      case 'pymodule':
        return obj.attribute(attr) ?? UNKNOWN;
      case 'module':
        // `nn.Linear(2048, 10).cuda()`: a library layer's own methods, as a user module's.
        return obj.attrs?.get(attr) ?? (MODULE_METHODS.has(attr) ? { kind: 'method', of: obj, name: attr } : UNKNOWN);
      default:
        return UNKNOWN;
    }
  }

  /** A class attribute (`expansion = 4`), looked up through the bases. */
  private classDefault(cls: ClassInfo, attr: string, seen = new Set<ClassInfo>()): Value | undefined {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
    const d = cls.defaults.get(attr);
    if (d) return d;
    for (const b of cls.bases) {
      const base = baseClass(cls, b, this.classes, this);
      const found = base && this.classDefault(base, attr, seen);
      if (found) return found;
    }
    return undefined;
  }

  private evalSubscript(n: Node, frame: Frame): Value {
    const subs = n.childrenForFieldName('subscript').filter((x): x is Node => !!x);
    // `models_mae.__dict__[args.model]` (MAE's, DeiT's and ConvNeXt's model factories by name):
    // the module's attribute of that name.
    const target = n.childForFieldName('value')!;
    let v: Value;
    if (target.type === 'attribute' && target.childForFieldName('attribute')?.text === '__dict__' && subs.length === 1) {
      // The object is evaluated once, whether or not it is a module.
      const obj = this.eval(target.childForFieldName('object')!, frame);
      if (obj.kind === 'pymodule') {
        const key = this.eval(subs[0], frame);
        return key.kind === 'str' ? obj.attribute(key.value) ?? UNKNOWN : UNKNOWN;
      }
      v = this.attributeOf(obj, target, frame);
    } else v = this.eval(target, frame);
    // `int(os.environ["WORLD_SIZE"])`: the world size (distributedFacts.ts).
    if (v.kind === 'ref' && v.path === 'os.environ' && subs.length === 1) return environValue(this.eval(subs[0], frame)) ?? UNKNOWN;
    if (v.kind === 'tuple' && subs.length === 1 && subs[0].type !== 'slice') {
      const idx = asDim(this.eval(subs[0], frame));
      const i = idx?.constValue();
      if (i !== undefined && Number.isInteger(i)) {
        if (v.repeat && !v.repeat.equals(Poly.ONE)) return v.items[0] ?? UNKNOWN;
        return indexWithCounts(v, i);
      }
      // `self.layers[i]` inside `for i in range(n_layers)`: the items are alike (one block
      // repeated), so any of them stands for the i-th.
      if (idx && (v.repeat || v.items.length === 1 || (v.counts && v.items.length > 0))) return v.items[0] ?? UNKNOWN;
    }
    // `x.shape[:-1]`, `dims[1:]`: constant slices of a plain tuple (not a repeated one) are tuples.
    // `list(range(T))[::-1]` (improved-diffusion's sampling steps): the list reversed, as
    // `reversed(...)` gives it, whatever its items stand for.
    if (v.kind === 'tuple' && subs.length === 1 && subs[0].type === 'slice' && (v.repeat || v.counts || v.unknownTrips)) {
      const sl = this.evalIndex(subs[0], frame);
      if (sl.kind === 'slice' && (sl.start === null || sl.start.kind === 'none') && (sl.stop === null || sl.stop.kind === 'none') && sl.step && asDim(sl.step)?.constValue() === -1) {
        return { ...v, items: [...v.items].reverse(), counts: v.counts ? [...v.counts].reverse() : undefined };
      }
      // `blocks_list[i : i + chunksize]` of a comprehension's blocks (DINOv2's chunked blocks):
      // with constant bounds and counts, the items the slice takes, each as often as it takes it.
      const k = v.unknownTrips ? undefined : constantSlice(sl);
      if (k) {
        const taken = sliceCounted(v, (len) => sliceIndices(len, k.start, k.stop, k.step));
        if (taken) return { kind: 'tuple', ...taken, list: v.list, ...(v.sequential && k.step > 0 ? { sequential: true } : {}) };
      }
    }
    if (v.kind === 'tuple' && subs.length === 1 && subs[0].type === 'slice' && !v.repeat && !v.counts && !v.unknownTrips) {
      // `list(range(T))[::-1]`, `list(enumerate(mult))[::-1]` (improved-diffusion's sampling
      // steps and decoder levels): a negative step walks back from the end, as Python does.
      const k = constantSlice(this.evalIndex(subs[0], frame));
      if (k) {
        const items = sliceIndices(v.items.length, k.start, k.stop, k.step).map((i) => v.items[i]);
        // `self.out_layers[1:]` of an `nn.Sequential` is an `nn.Sequential` (improved-diffusion's
        // ResBlock runs its norm apart, then the rest).
        return { kind: 'tuple', items, list: v.list, ...(v.sequential && k.step > 0 ? { sequential: true } : {}) };
      }
    }
    // `word[:-1]`, `word[-1]` of a known string (nlp-tutorial's TextLSTM batches): its characters.
    if (v.kind === 'str' && subs.length === 1) {
      const sl = this.evalIndex(subs[0], frame);
      const n = v.value.length;
      const at = (x: Value | null, dflt: number) => (x === null || x.kind === 'none' ? dflt : asDim(x)?.constValue());
      if (sl.kind === 'slice') {
        const [a, b, c] = [at(sl.start, 0), at(sl.stop, n), at(sl.step, 1)];
        if (a !== undefined && b !== undefined && c === 1) return { kind: 'str', value: v.value.slice(a, b) };
      } else {
        const i = at(sl, NaN);
        if (i !== undefined && Number.isInteger(i) && i >= -n && i < n) return { kind: 'str', value: v.value[i < 0 ? n + i : i] };
      }
      return UNKNOWN;
    }
    if (v.kind === 'tensor') return indexTensor(v.type, subs, this, frame);
    if (v.kind === 'dict' && subs.length === 1) {
      const k = dictKey(this.eval(subs[0], frame));
      if (k !== undefined) return v.entries.get(k) ?? (v.readAtRun ? missingEntry(v, k) : UNKNOWN);
      // Entries stored under keys only the run knows: which one a key not known here reads is not known.
      if (v.readAtRun === KEYS_SET_AT_RUN) return UNKNOWN;
      // A table of presets looked up by a key we do not know: what the presets agree on.
      const merged = mergedEntry(v);
      if (merged) return merged;
      // A table of builders (`sam_model_registry[args.model_type]`, a required option): which one
      // runs is not known, and the figures say so rather than lose the model without a word.
      const rows = [...v.entries.values()];
      if (rows.length > 1 && rows.every((r) => r.kind === 'function' || r.kind === 'class')) {
        const keys = [...v.entries.keys()];
        const shown = keys.length > 6 ? `${keys.slice(0, 6).join(', ')}, …` : keys.join(', ');
        addReason(frame.acc, this.reasonAt(n, `\`${factText(n.text)}\`: the key is not known before run time, so which of its ${keys.length} entries (${shown}) runs is unknown`));
      }
      return UNKNOWN;
    }
    return UNKNOWN;
  }

  /** One index of a subscript: slices and `...` as values of their own, the rest evaluated. */
  evalIndex(s: Node, frame: Frame): Value {
    if (s.type === 'ellipsis') return { kind: 'ellipsis' };
    if (s.type !== 'slice') return this.eval(s, frame);
    // tree-sitter gives a slice's parts in order, with the ':' tokens between them.
    const parts: (Value | null)[] = [null, null, null];
    let at = 0;
    for (const c of s.children) {
      if (!c) continue;
      if (c.type === ':') at++;
      else if (c.isNamed && at < 3) parts[at] = sliceBound(c, this.eval(c, frame));
    }
    return { kind: 'slice', start: parts[0], stop: parts[1], step: parts[2] };
  }

  private compare(n: Node, frame: Frame): Value {
    const operands = n.namedChildren.filter((x): x is Node => !!x);
    if (operands.length !== 2) return { kind: 'bool', value: null };
    const a = this.eval(operands[0], frame);
    const b = this.eval(operands[1], frame);
    // `not in` and `is not` are two tokens.
    const op = n.children.filter((c) => c && !c.isNamed).map((c) => c!.text).join(' ');
    const decided = op === 'is' || op === 'is not' ? undefined : compareConstants(op, a, b, this.options.bindings);
    if (decided !== undefined) return { kind: 'bool', value: decided };
    const x = asDim(a)?.evaluate(this.options.bindings) ?? (a.kind === 'float' ? a.value : null);
    const y = asDim(b)?.evaluate(this.options.bindings) ?? (b.kind === 'float' ? b.value : null);
    if (op === 'is' || op === 'is not') {
      if (b.kind === 'none' && a.kind !== 'unknown') return { kind: 'bool', value: (a.kind === 'none') === (op === 'is') };
      // `if drop_path_uniform is True:` (DINOv2) with a flag the code gives: True and False are
      // singletons, so `is` compares them as `==` does.
      if (b.kind === 'bool' && b.value !== null && ((a.kind === 'bool' && a.value !== null) || a.kind === 'none')) return { kind: 'bool', value: (a.kind === 'bool' && a.value === b.value) === (op === 'is') };
      return { kind: 'bool', value: null };
    }
    // `if __name__ == "__main__":`, `if init_from == 'scratch':`: strings compare as Python does.
    if (a.kind === 'str' && b.kind === 'str' && (op === '==' || op === '!=')) return { kind: 'bool', value: (a.value === b.value) === (op === '==') };
    if (x === null || y === null || x === undefined || y === undefined) return { kind: 'bool', value: null };
    const r = { '<': x < y, '>': x > y, '<=': x <= y, '>=': x >= y, '==': x === y, '!=': x !== y }[op ?? ''];
    return { kind: 'bool', value: r ?? null };
  }

  binary(op: string, l: Value, r: Value, node: Node, frame: Frame): Value {
    if (op === '@') return matmulValues(l, r, { node, name: '@' }, this.ctx(frame));
    if (op === '*' && (l.kind === 'int' || r.kind === 'int')) {
      const scale = worldScaleFact(l, r, node, rangeOf(node));
      if (scale) this.noteDist('dist.worldScale', scale);
    }
    const a = asDim(l);
    const b = asDim(r);
    if (a && b) {
      switch (op) {
        case '+': return int(a.add(b));
        case '-': return int(a.sub(b));
        case '*': return int(a.mul(b));
        case '//': return int(a.floordiv(b));
        case '%': return int(a.mod(b));
        case '/': {
          const x = a.constValue();
          const y = b.constValue();
          if (x !== undefined && y !== undefined && y !== 0) return { kind: 'float', value: x / y };
          return int(a.div(b));
        }
        case '**': {
          const e = b.constValue();
          const base = a.constValue();
          // Constants are evaluated (`range(2**10)`), while exact in a double.
          if (e !== undefined && base !== undefined && Number.isInteger(e) && e >= 0) {
            const v = base ** e;
            return Number.isSafeInteger(v) ? int(v) : { kind: 'float', value: v };
          }
          if (e !== undefined && Number.isInteger(e) && e >= 0 && e <= 8) return int(a.pow(e));
          return UNKNOWN;
        }
      }
    }
    // `[stride] + [1] * (num_blocks - 1)`: lists keep their order and how often each item occurs.
    if (l.kind === 'tuple' && r.kind === 'tuple' && op === '+') return this.sequenceLike(l, concatSequences(l, r), frame);
    if (op === '*' && (l.kind === 'tuple' || r.kind === 'tuple')) {
      const [xs, n] = l.kind === 'tuple' ? [l, r] : [r as Extract<Value, { kind: 'tuple' }>, l];
      const repeated = repeatSequence(xs, n);
      return repeated ? this.sequenceLike(xs, repeated, frame) : UNKNOWN;
    }
    // `"%d params" % n`, `"a" + name`: formatting and concatenation, never a tensor op.
    if (l.kind === 'str' && op === '%') return percentFormat(l.value, r) ?? UNKNOWN;
    // `Path(root) / "model.pth"` (builtins/paths.ts).
    if (op === '/' && l.kind === 'str' && l.path) return r.kind === 'str' ? joinPath(l.value, r.value) : UNKNOWN;
    if (l.kind === 'str') return op === '+' && r.kind === 'str' ? { kind: 'str', value: l.value + r.value } : { kind: 'str', value: l.value };
    if (r.kind === 'str') return UNKNOWN;
    if (l.kind === 'tensor' || r.kind === 'tensor') {
      const handler = FUNCTIONS.get(`operator.${op}`);
      const out = handler ? handler([l, r], new Map(), { node, name: op }, this.ctx(frame)) : l.kind === 'tensor' ? l : r;
      // `scores + mask` with a mask of unknown shape: the known operand's shape is the likely
      // result (masks and biases broadcast into it), and keeping it keeps later ops costed.
      const known = [l, r].find((x) => x.kind === 'tensor' && x.type.shape !== null);
      const vague = (x: Value) => x.kind === 'unknown' || (x.kind === 'tensor' && x.type.shape === null);
      if (known?.kind === 'tensor' && vague(out) && [l, r].some(vague)) return tensor(markGuessed({ shape: known.type.shape, dtype: known.type.dtype }));
      return out;
    }
    const fx = l.kind === 'float' ? l.value : a?.constValue();
    const fy = r.kind === 'float' ? r.value : b?.constValue();
    if (typeof fx === 'number' && typeof fy === 'number') {
      const v = { '+': fx + fy, '-': fx - fy, '*': fx * fy, '/': fx / fy, '**': fx ** fy }[op];
      if (v !== undefined) return { kind: 'float', value: v };
    }
    // Arithmetic on a float nobody knows (`time.time() - t0`) is a float nobody knows: a number,
    // never a tensor whose cost goes missing where it is passed (nanoGPT's `estimate_mfu(.., dt)`).
    const numeric = (x: Value) => x.kind === 'float' || x.kind === 'int';
    if ((l.kind === 'float' || r.kind === 'float') && numeric(l) && numeric(r) && ['+', '-', '*', '/', '**', '//', '%'].includes(op)) return { kind: 'float', value: null };
    return UNKNOWN;
  }

  /** A new list (or tuple, as `like` is) holding `parts`. */
  private sequenceLike(like: Extract<Value, { kind: 'tuple' }>, parts: { items: Value[]; counts?: Poly[] }, frame: Frame): Value {
    const extra = parts.counts ? { counts: parts.counts } : {};
    return like.list ? newList(parts.items, this, frame, extra) : { kind: 'tuple', items: parts.items, ...extra };
  }

  argsOf(call: Node, frame: Frame): Value[] {
    const list = call.childForFieldName('arguments');
    if (!list) return [];
    if (list.type === 'generator_expression') return [this.eval(list, frame)];
    const out: Value[] = [];
    for (const c of list.namedChildren) {
      if (!c || c.type === 'keyword_argument' || c.type === 'dictionary_splat' || c.type === 'comment') continue;
      if (c.type === 'list_splat') {
        const v = this.eval(c.namedChild(0)!, frame);
        if (v.kind === 'tuple') {
          // `*layers` of n repeated items passes n items; we keep the repeat on a single tuple arg.
          // So is `*shape` of a list of unknown length: its one item stands for how many nobody knows.
          const counted = v.counts?.some((c) => !c.equals(Poly.ONE)) || !!v.unknownTrips;
          if ((v.repeat && !v.repeat.equals(Poly.ONE)) || counted) out.push({ ...v, splat: true } as Value);
          else out.push(...v.items);
        } else out.push(UNKNOWN);
      } else out.push(this.eval(c, frame));
    }
    return out;
  }

  kwargsOf(call: Node, frame: Frame): Map<string, Value> {
    let out: Map<string, Value> | undefined;
    for (const c of call.childForFieldName('arguments')?.namedChildren ?? []) {
      // `ModelConfig(**PRESETS[name])`, `DataLoader(ds, **train_kwargs)`: a dict of known keys passes them as keywords.
      if (c?.type === 'dictionary_splat') {
        const d = c.namedChild(0) ? this.eval(c.namedChild(0)!, frame) : UNKNOWN;
        out ??= new Map();
        if (d.kind === 'dict') for (const [k, v] of d.entries) out.set(k, v);
        // A mapping not known here (a checkpoint's `model_args`, a JSON config) may set any parameter.
        if (d.kind !== 'dict' || d.readAtRun) out.set(OPEN_KEYWORDS, UNKNOWN);
        continue;
      }
      if (c?.type !== 'keyword_argument') continue;
      const name = c.childForFieldName('name')?.text;
      const value = c.childForFieldName('value');
      if (name && value) (out ??= new Map()).set(name, this.eval(value, frame));
    }
    // Most calls pass no keyword: they share one empty map (a sixth of the maps an analysis made).
    return out ?? NO_KEYWORDS;
  }

  evalCall(n: Node, frame: Frame): Value {
    const fnNode = n.childForFieldName('function')!;
    const callee = this.eval(fnNode, frame);
    const args = this.argsOf(n, frame);
    const kwargs = this.kwargsOf(n, frame);
    const name = calleeName(fnNode);
    if (kwargs.has(OPEN_KEYWORDS) && (callee.kind === 'class' || callee.kind === 'function')) this.noteOpenKeywords(n, name, frame);
    if (isTrainingCall(name, callee)) this.notePrecision(frame, { kind: 'train', range: rangeOf(n) });
    // `model.half()`, `x.to(torch.float16)`: whether a model's weights or a tensor become fp16.
    // Told by the callee's text: asking the tree for the attribute is a call into WebAssembly.
    if ((name.endsWith('.half') && args.length === 0) || (name.endsWith('.to') && castsToHalf(args, kwargs))) {
      this.notePrecision(frame, { kind: 'cast', range: rangeOf(n), target: castTarget(callee), text: factText(n.text) });
    }
    return this.call(callee, args, kwargs, { node: n, name }, frame);
  }

  /**
   * A call of the program's own code given `**mapping` of keys not known before run time
   * (`GPTConfig(**checkpoint["model_args"])`): the parameters and fields it may set are unknown,
   * not their defaults, and the figures say where that came from.
   */
  private noteOpenKeywords(call: Node, name: string, frame: Frame): void {
    const splat = call.childForFieldName('arguments')?.namedChildren.find((c) => c?.type === 'dictionary_splat');
    const text = factText(splat?.text ?? '**…');
    addReason(frame.acc, this.reasonAt(call, `\`${factText(name)}(${text})\`: the keywords of \`${text}\` are not known before run time, so what they may set is unknown, not its default`));
  }

  /** `nn.Sequential` runs its members in order, each as often as it occurs. */
  private callSequential(seq: Extract<Value, { kind: 'tuple' }>, args: Value[], kwargs: Map<string, Value>, site: CallSite, frame: Frame): Value {
    let x = args[0] ?? UNKNOWN;
    const counts = itemCounts(seq);
    const saved = frame.multiplier;
    seq.items.forEach((m, i) => {
      frame.multiplier = saved.mul(counts[i]);
      x = this.call(m, i === 0 ? [x, ...args.slice(1)] : [x], i === 0 ? kwargs : new Map(), site, frame);
    });
    frame.multiplier = saved;
    return x;
  }

  call(callee: Value, args: Value[], kwargs: Map<string, Value>, site: CallSite, frame: Frame): Value {
    // A call from an entry point starts a calling context for what it reaches.
    if (frame.entry && frame.report && this.options.program) frame.pendingContext = { path: this.path, line: site.node.startPosition.row, function: frame.fn?.qualName ?? '<module>' };
    switch (callee.kind) {
      case 'ref': {
        let name = canonical(callee.path);
        const launch = launchedWorldSize(name, args, kwargs);
        if (launch) this.noteDist('dist.worldSize', { value: launch, range: rangeOf(site.node) });
        // `mp.spawn(train, args=(cfg,), nprocs=n)` runs `train(rank, cfg)` in each process: the
        // figures are one process's, as rank 0 runs it.
        const spawned = args[0];
        if (/^torch\.multiprocessing\.(spawn|start_processes)$/.test(name) && spawned?.kind === 'function') {
          const extra = kwargs.get('args') ?? args[1];
          this.callFunction(spawned.def, [int(0), ...(extra?.kind === 'tuple' ? extra.items : [])], new Map(), frame, spawned.self, spawned.closure);
          return NONE;
        }
        if (Object.prototype.hasOwnProperty.call(CALL_CONSTANTS, name)) return CALL_CONSTANTS[name]();
        // Wrappers that return the module they wrap, to run it the same way (docs/whole-program.md).
        if (MODEL_WRAPPERS.test(name) && args[0]) return args[0];
        if (GRAD_SCALER.test(name)) {
          // `GradScaler(enabled=(dtype == 'float16'))` (nanoGPT) scales only when that holds.
          const enabled = boolArg(kwargs.get('enabled'));
          this.notePrecision(frame, { kind: 'scaler', range: rangeOf(site.node), enabled: enabled === undefined ? true : enabled });
          return { kind: 'ref', path: 'torch.amp.GradScaler()' };
        }
        // An autocast context made to be entered later: it carries the dtype it turns on, and
        // what was decided of it, for the rules.
        if (/^torch\.(cuda\.|cpu\.)?(amp\.)?autocast$/.test(name)) {
          const d = autocastOfValues(name, args, kwargs)!;
          this.noteAutocast(frame, site.node, d);
          const entries = new Map<string, Value>([[AUTOCAST, d.on ? { kind: 'dtype', dtype: d.likely } : NONE], [AUTOCAST_API, { kind: 'str', value: d.api }]]);
          if (d.on && d.dtype) entries.set(AUTOCAST_DECIDED, { kind: 'dtype', dtype: d.dtype });
          return { kind: 'dict', entries };
        }
        // Optimisers and schedulers are objects whose methods compute nothing to model.
        if (/^torch\.optim\.(lr_scheduler\.)?[A-Z]\w*$/.test(name)) return { kind: 'ref', path: `${name}()` };
        const scaler = gradScalerMethod(name);
        if (scaler) return scaler === 'identity' ? args[0] ?? UNKNOWN : NONE;
        const adapted = adaptCall(name, args);
        if (adapted) ({ name, args } = adapted);
        // `C = CN()`: an open config object; its attributes are set later or read as named dims.
        if (isConfigFactory(name) && !LIBRARY_ROOTS.has(name.split('.')[0])) return { kind: 'dict', entries: new Map(kwargs) };
        // Containers and Python builtins first: they run user code the op handlers cannot.
        const own = Object.prototype.hasOwnProperty.call(BUILTINS, name) ? BUILTINS[name] : undefined;
        if (own && (name.startsWith('torch.nn.') || name.startsWith('math.') || name.startsWith('collections.'))) return own(args, kwargs, this, frame, site);
        const handler = FUNCTIONS.get(name);
        if (handler) return guessedFrom(kwargs.size ? [...args, ...kwargs.values()] : args, handler(args, kwargs, site, this.ctx(frame)));
        if (own) return own(args, kwargs, this, frame, site);
        if (LIBRARY_ROOTS.has(name.split('.')[0]) && !isNotCompute(name)) return this.ctx(frame).unmodelled({ ...site, name });
        // A call into code the engine cannot read (a module outside the program) that is given a
        // tensor or a model may compute: the figures say they miss it.
        if (!LIBRARY_ROOTS.has(name.split('.')[0]) && !NOT_COMPUTE_ROOTS.test(name) && !isNotCompute(name) && passesModel(args, kwargs)) {
          addReason(frame.acc, this.reasonAt(site.node, `unmodelled call \`${site.name}\` (${name.split('.')[0]} is outside the program)`));
        }
        // A plot made (`fig = plt.figure()`, `ax = fig.add_subplot(...)`) is matplotlib's object:
        // `ax.matshow(attn)` plots, it is no model of unknown cost.
        if (name.split('.')[0] === 'matplotlib') return { kind: 'ref', path: `${name}()` };
        return UNKNOWN;
      }
      case 'method': {
        if (callee.of.kind === 'tensor' && callee.name === 'backward') {
          // The step trains: its backward pass is reported beside the forward (trainingFlops).
          frame.acc.trains = true;
          return NONE;
        }
        if (callee.of.kind === 'tensor') {
          const h = TENSOR_METHODS.get(callee.name);
          if (h) {
            const out = h(callee.of.type, args, kwargs, site, this.ctx(frame));
            return isGuessed(callee.of.type) ? guessedFrom([callee.of], out) : guessedFrom(args, out);
          }
          // Writing an array out (an `np.memmap`'s flush, nanoGPT's prepare.py), or reading it back
          // as Python values, computes nothing.
          if (IO_METHODS.has(callee.name)) return UNKNOWN;
          // A parameter nothing is known of is not necessarily a tensor: `optimizer.step()`.
          if (callee.of.type.shape === null && NOT_TENSOR_METHODS.has(callee.name)) return UNKNOWN;
          // Nor is a value nothing says is one (llm.c's `enc.decode_bytes([i])`, a tokenizer):
          // its call is named as written, not as a tensor method.
          return this.ctx(frame).unmodelled({ ...site, name: callee.of.type.shape === null ? site.name : `Tensor.${callee.name}` });
        }
        if (callee.of.kind === 'dict') {
          const cfg = cfgNodeMethod(callee.of, callee.name, args, site, this, frame);
          if (cfg) return cfg;
        }
        if (callee.of.kind === 'tuple' && callee.name === 'sort') return this.sortList(callee.of, args, kwargs, site, frame);
        return containerMethod(callee.of, callee.name, args, this, frame, kwargs);
      }
      case 'tuple':
        if (callee.sequential) return this.callSequential(callee, args, kwargs, site, frame);
        // A list called on a tensor (a module container the analysis did not keep as one):
        // whatever it computes is missing, and the figures say so.
        if (passesModel(args, kwargs)) addReason(frame.acc, this.reasonAt(site.node, `unmodelled call \`${site.name}(...)\`: the callee is a list, not a module`));
        return UNKNOWN;
      case 'function':
        // A function defined outside any class and bound to an instance (a method the class body
        // assigns): the instance is its first argument.
        if (callee.self && !callee.def.cls) return this.callFunction(callee.def, [callee.self, ...args], kwargs, frame, undefined, callee.closure);
        return this.callFunction(callee.def, args, kwargs, frame, callee.self, callee.closure);
      case 'class':
        return this.construct(callee.cls, args, kwargs, frame);
      case 'partial':
        return this.call(callee.target, [...callee.args, ...args], new Map([...callee.kwargs, ...kwargs]), site, frame);
      case 'instance': {
        const fwd = findMethod(callee.cls, 'forward', this.classes, this) ?? findMethod(callee.cls, '__call__', this.classes, this);
        // The file's own run calls a model on an input (`net(torch.randn(1, 3, 32, 32))`): the
        // input its builders' figures use. The first with every tensor's shape known.
        if (fwd && this.ownRun && !frame.fn?.cls && !this.modelInputs.has(callee.cls) && args.length > 0 && [...args, ...kwargs.values()].every((a) => a.kind !== 'tensor' || a.type.shape !== null) && args.some((a) => a.kind === 'tensor')) {
          touched();
          this.modelInputs.set(callee.cls, { args, kwargs });
        }
        if (fwd) {
          (fwd.owner ?? this).lastCallAcc = undefined;
          const out = this.callFunction(fwd, args, kwargs, frame, callee);
          // A model called from a training function or top-level code (not a layer inside a
          // model's forward): its one call's FLOPs and batch are facts for TC601–TC603.
          const acc = (fwd.owner ?? this).lastCallAcc;
          if (acc && !/\.(forward|__call__)$/.test(frame.fn?.qualName ?? '')) this.noteDist('dist.modelCalls', modelCallFact(callee, callee.cls.name, args, kwargs, acc.flops, rangeOf(site.node)));
          return out;
        }
        return callLibraryLayer(callee, args, kwargs, site, this, frame);
      }
      case 'module':
        return callee.call(args, kwargs, site, this.ctx(frame));
      default: {
        const builtin = Object.prototype.hasOwnProperty.call(BUILTINS, site.name) ? BUILTINS[site.name] : undefined;
        if (builtin && callee.kind === 'unknown') return builtin(args, kwargs, this, frame, site);
        // `model(x)` on a parameter nothing says anything about: whatever it computes is missing.
        const vague = callee.kind === 'unknown' || (callee.kind === 'tensor' && callee.type.shape === null);
        // A bare name (a parameter such as `model`) or a field of a module (`self.hook`) may be a
        // model; a method of some unknown library object (`enc.decode(l)`) is only suspect when
        // it is given a tensor whose shape is known.
        const target = site.node.childForFieldName?.('function');
        const bare = target?.type === 'identifier';
        // ... or of an object of the program's own classes that self holds (`self.model.
        // prompt_encoder(...)` in SAM's predictor, `self.model` a parameter typed `Sam`): a module
        // the object was built with, whatever it is given. A library object (`self.deque`, a
        // tokenizer) is not.
        const owner = target?.type === 'attribute' ? target.childForFieldName('object') : undefined;
        const field = !!owner && (owner.text === 'self' || (/^self(\.\w+)+$/.test(owner.text) && this.eval(owner, frame).kind === 'instance'));
        // Calling a parameter nothing says anything about (`model(data)` in `train(model, ...)`)
        // may run a whole model, whatever it is given.
        if (vague && !(bare && NOT_COMPUTE_ROOTS.test(site.name)) && (bare || passesModel(args, kwargs, !field))) addReason(frame.acc, this.reasonAt(site.node, `unmodelled call \`${site.name}(...)\`: the callee is unknown`));
        // What an unknown callee makes of a tensor of known shape is most likely a tensor (DiT's
        // timm `self.attn(...)`): one of unknown shape, so `x + gate * self.attn(h)` is unknown too,
        // not `gate`'s shape as if the call had returned a number.
        if (vague && [...args, ...kwargs.values()].some((a) => a.kind === 'tensor' && a.type.shape !== null)) return tensor({ shape: null, dtype: null });
        return UNKNOWN;
      }
    }
  }
}

/** The entry of an autocast context object that holds the dtype it turns on. */
const AUTOCAST = '__autocast__';
/** Contexts and decorators that turn gradients off: what runs inside them does not train. */
const NO_GRAD = /(^|\.)(no_grad|inference_mode)$/;
/** The dtype PyTorch would use when the call's arguments decide it (absent: undecided), and the API. */
const AUTOCAST_DECIDED = '__autocast_dtype__';
const AUTOCAST_API = '__autocast_api__';

/** Methods of objects that are not tensors (optimisers, modules, containers), called on unknowns. */
const IO_METHODS = new Set(['tobytes', 'tofile', 'tolist', 'flush']);
const NOT_TENSOR_METHODS = new Set(['zero_grad', 'step', 'update', 'pop', 'setdefault', 'train', 'eval', 'parameters', 'named_parameters', 'state_dict', 'load_state_dict', 'items', 'keys', 'values', 'append', 'extend', 'get', 'add_param_group', 'modules', 'children', 'apply', 'log', 'info', 'write', 'close', 'flush', 'add_scalar', 'set_postfix', 'set_description']);

/** Library wrappers whose value is the model they wrap. */
const MODEL_WRAPPERS = /^(torch\.compile|torch\.nn\.parallel\.(DistributedDataParallel|DataParallel)|torch\.nn\.(DataParallel)|torch\.distributed\.fsdp\.(fully_sharded_data_parallel\.)?FullyShardedDataParallel|torch\.jit\.script|torch\.jit\.trace|(\w+\.)*(DDP|FSDP|DistributedDataParallel|FullyShardedDataParallel))$/;

/** Roots of calls that never compute on tensors (logging, plotting, progress, files). */
const NOT_COMPUTE_ROOTS = /^(globals|locals|exec|eval|input|dir|hash|callable|compile|delattr|bytes|bytearray|frozenset|ord|chr|bin|hex|oct|round|divmod|pow|print|len|str|repr|format|logging|logger|log|warnings|os|sys|time|json|pickle|pathlib|shutil|random|math|re|argparse|tqdm|wandb|tensorboard|SummaryWriter|writer|plt|matplotlib|pprint|copy|itertools|functools|collections|typing|dataclasses|contextlib|inspect|gc|psutil|yaml|omegaconf|hydra|csv|io|glob|subprocess|socket|datetime|assert\w*|setattr|getattr|hasattr|isinstance|issubclass|id|type|enumerate|zip|iter|next|sorted|reversed|list|tuple|dict|set|sum|min|max|any|all|range|open|vars|super|[A-Z]\w*(Error|Exception|Warning)|StopIteration|KeyboardInterrupt|SystemExit)(\.|$)/;

/**
 * Whether a call is given a tensor or a model (what a call into unread code may compute on);
 * with `known`, only a tensor whose shape is known counts.
 */
function passesModel(args: Value[], kwargs: Map<string, Value>, known = false): boolean {
  const computes = (v: Value) => (v.kind === 'tensor' && (!known || v.type.shape !== null)) || v.kind === 'instance' || v.kind === 'module';
  return args.some(computes) || [...kwargs.values()].some(computes);
}

/**
 * A slice bound is an int: one whose value is not known (`k[:, :, :T, :T]` with `T` a parameter
 * nobody bound) is the dim named after it, not an anonymous length.
 */
function sliceBound(n: Node, v: Value): Value {
  if (v.kind !== 'unknown' && v.kind !== 'tensor') return v;
  const name = n.type === 'identifier' ? n.text : n.type === 'attribute' ? n.childForFieldName('attribute')?.text : undefined;
  return name && /^[A-Za-z_]\w*$/.test(name) ? int(Poly.sym(name)) : v;
}

/**
 * A slice whose bounds are constants (null where omitted) and whose step is a nonzero integer
 * (1 where omitted), as `sliceIndices` takes it; undefined otherwise.
 */
function constantSlice(sl: Value): { start: number | null; stop: number | null; step: number } | undefined {
  if (sl.kind !== 'slice') return undefined;
  const bound = (x: Value | null) => (x === null || x.kind === 'none' ? null : asDim(x)?.constValue());
  const [start, stop, step] = [bound(sl.start), bound(sl.stop), bound(sl.step)];
  if (start === undefined || stop === undefined || step === undefined) return undefined;
  if (step !== null && !(Number.isInteger(step) && step !== 0)) return undefined;
  return { start, stop, step: step ?? 1 };
}

/**
 * The indices a slice `[a:b:c]` takes of a sequence of length n, as Python's `slice.indices` gives
 * them: c a nonzero integer, null for an omitted bound, a negative bound counted from the end.
 */
function sliceIndices(n: number, a: number | null, b: number | null, c: number): number[] {
  const [lo, hi] = c > 0 ? [0, n] : [-1, n - 1];
  const norm = (x: number | null, dflt: number) => (x === null ? dflt : Math.max(lo, Math.min(hi, x < 0 ? n + x : x)));
  const out: number[] = [];
  for (let i = norm(a, c > 0 ? 0 : n - 1), end = norm(b, c > 0 ? n : -1); c > 0 ? i < end : i > end; i += c) out.push(i);
  return out;
}

/** Most trips of a `while` loop that only reshapes, run one by one while its test stays decided. */
const MAX_SHAPE_TRIPS = 8;

/** Longest constant `range` unrolled while building modules. */
const MAX_UNROLL = 64;

/**
 * The keywords of a call that passes none, shared by every such call: nothing may add to it, so
 * an attempt throws (and the statement is said not analysed) instead of leaking keywords into
 * every other call.
 */
const NO_KEYWORDS: Map<string, Value> = new (class extends Map<string, Value> {
  override set(): this {
    throw new Error('the keywords of a call without keywords are not to be changed');
  }
})();
/** Longest list a dict comprehension reads entry by entry. */
const MAX_TABLE = 1024;

/** The constant start of a `range(...)` call (0 for `range(n)`), else undefined. */
function rangeStart(n: Node, it: Interpreter, frame: Frame): number | undefined {
  if (n.type !== 'call' || n.childForFieldName('function')?.text !== 'range') return undefined;
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  if (args.length === 1) return 0;
  if (args.length === 3) return undefined;
  return asDim(it.eval(args[0], frame))?.constValue();
}

/** Most distinct items a loop body is run for, one run each. */
const MAX_DISTINCT_ITEMS = 256;

/** The distinct items of a list with how often each occurs; equal numbers and the same object merge. */
function groupItems(v: Extract<Value, { kind: 'tuple' }>): { item: Value; count: Poly }[] {
  const counts = itemCounts(v);
  const out: { item: Value; count: Poly; key?: string }[] = [];
  v.items.forEach((item, i) => {
    const key = item.kind === 'int' ? `int:${item.value.toString()}` : item.kind === 'str' ? `str:${item.value}` : undefined;
    const same = out.find((g) => g.item === item || (key !== undefined && g.key === key));
    if (same) same.count = same.count.add(counts[i]);
    else out.push({ item, count: counts[i], key });
  });
  return out;
}

export function findMethod(cls: ClassInfo, name: string, classes: Map<string, ClassInfo>, it?: Interpreter, seen = new Set<ClassInfo>()): FunctionInfo | undefined {
  if (seen.has(cls)) return undefined;
  seen.add(cls);
  const m = cls.methods.get(name);
  if (m) return m;
  for (const b of cls.bases) {
    const base = baseClass(cls, b, classes, it);
    if (base) {
      const found = findMethod(base, name, classes, it, seen);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The class a base name of `cls` names: looked up in the file that defines `cls` (its own classes,
 * then what it imported from other files of the program), else in `classes`.
 */
export function baseClass(cls: ClassInfo, name: string, classes: Map<string, ClassInfo>, it?: Interpreter): ClassInfo | undefined {
  const owner = cls.owner ?? it;
  return owner ? owner.classOf(name) : classes.get(name);
}

/** Item `i` of a list whose items occur `counts` times each. */
function indexWithCounts(v: Extract<Value, { kind: 'tuple' }>, i: number): Value {
  if (!v.counts) return v.items[i < 0 ? v.items.length + i : i] ?? UNKNOWN;
  const counts = v.counts.map((c) => c.constValue());
  // With symbolic counts we cannot say which item sits at i: any of them is a fair guess.
  if (counts.some((c) => c === undefined)) return v.items[i < 0 ? v.items.length - 1 : 0] ?? UNKNOWN;
  const total = (counts as number[]).reduce((a, b) => a + b, 0);
  let k = i < 0 ? total + i : i;
  for (let j = 0; j < v.items.length; j++) {
    if (k < (counts[j] as number)) return v.items[j];
    k -= counts[j] as number;
  }
  return UNKNOWN;
}

/** Names a simple statement binds: `x = ...`, `a, b = ...`, `self.w = ...` (as `self.w`). */
function assignedNames(s: Node): Set<string> {
  const out = new Set<string>();
  const e = s.type === 'expression_statement' ? s.namedChild(0) : null;
  if (!e || (e.type !== 'assignment' && e.type !== 'augmented_assignment')) return out;
  const visit = (t: Node | null) => {
    if (!t) return;
    if (t.type === 'identifier') out.add(t.text);
    else if (t.type === 'attribute' && t.childForFieldName('object')?.type === 'identifier') out.add(t.text.replace(/\s+/g, ''));
    else if (['pattern_list', 'tuple_pattern', 'list_pattern', 'expression_list', 'tuple', 'list', 'parenthesized_expression'].includes(t.type)) for (const c of t.namedChildren) visit(c);
  };
  visit(e.childForFieldName('left'));
  // `a = b = x` chains: tree-sitter nests the second assignment as the right side.
  return out;
}

function unpack(v: Value, n: number): Value[] {
  if (v.kind === 'tuple') {
    if (v.items.length === n) return v.items;
    if (v.items.length === 1 && v.repeat) return Array(n).fill(v.items[0]);
    // Tensors unpacked into another count than the analysis has (pieces of a split whose count it
    // could not tell): each is a tensor of unknown shape, so what reads them says its cost is
    // missing, rather than an unknown value whose ops are silently left out.
    if (v.items.length > 0 && v.items.every((x) => x.kind === 'tensor')) {
      const dtype = (v.items[0] as Extract<Value, { kind: 'tensor' }>).type.dtype;
      return Array.from({ length: n }, () => tensor({ shape: null, dtype }));
    }
  }
  return Array(n).fill(UNKNOWN);
}

function calleeName(n: Node): string {
  return n.text.length > 80 ? n.text.slice(0, 80) + '…' : n.text.replace(/\s+/g, '');
}

export function stringValue(n: Node): string {
  const parts = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text);
  if (parts.length > 0) return parts.join('');
  return n.text.replace(/^[rbuf]*("""|'''|"|')/i, '').replace(/("""|'''|"|')$/, '');
}

/** `x.T`, `x.shape`, `x.dtype`, `x.ndim`; other attributes are methods looked up when called. */
function tensorAttribute(t: TensorType, attr: string, n: Node, it: Interpreter, frame: Frame): Value {
  switch (attr) {
    case 'shape':
      return t.shape ? { kind: 'tuple', items: t.shape.map((d) => int(d)) } : UNKNOWN;
    case 'dtype':
      return t.dtype ? { kind: 'dtype', dtype: t.dtype } : UNKNOWN;
    case 'ndim':
      return t.shape ? int(t.shape.length) : UNKNOWN;
    // `self.pos_embed.data.copy_(...)` (DiT): the parameter's storage, the same tensor.
    case 'data':
      return tensor(t);
    case 'T':
    case 'mT': {
      const h = TENSOR_METHODS.get(attr === 'T' ? 'T' : 'mT');
      if (h) return h(t, [], new Map(), { node: n, name: `.${attr}` }, it.ctx(frame));
      if (!t.shape) return tensor(t);
      return tensor({ shape: attr === 'T' ? [...t.shape].reverse() : [...t.shape.slice(0, -2), ...t.shape.slice(-2).reverse()], dtype: t.dtype });
    }
    default:
      return { kind: 'method', of: tensor(t), name: attr };
  }
}

/** Integer indexing drops a dim, slices keep it, `None` adds one, `...` skips. */
function indexTensor(t: TensorType, subs: Node[], it: Interpreter, frame: Frame): Value {
  const h = TENSOR_METHODS.get('__getitem__');
  if (!h) return tensor({ shape: null, dtype: t.dtype });
  const r = h(t, subs.map((s) => it.evalIndex(s, frame)), new Map(), { node: subs[0]?.parent ?? subs[0] ?? ({} as Node), name: '[]' }, it.ctx(frame));
  // A row or a column (`X[i]`, `X[:, j]`: an axis indexed, others kept) keeps the shape of the
  // array it was taken from: the ops that read it tell TC502 how large that array is.
  if (r.kind === 'tensor' && t.shape && t.shape.length > 1 && r.type.shape && subs.some((s) => s.type !== 'slice' && s.type !== 'ellipsis' && s.type !== 'none')) {
    return tensor({ ...r.type, viewOf: t.shape } as TensorType & SliceOrigin);
  }
  return r;
}

/**
 * A method read from an object or a class: `@classmethod`s get the class as their first
 * parameter (`cls.get_default_config()`), `@staticmethod`s nothing, others the instance if any.
 */
function boundMethod(m: FunctionInfo, inst: Value | undefined, cls: Value): Value {
  const decorators = decoratorsOf(m).map((d) => d.text);
  if (decorators.includes('staticmethod')) return { kind: 'function', def: m };
  if (decorators.includes('classmethod')) return { kind: 'function', def: m, self: cls };
  return inst ? { kind: 'function', def: m, self: inst } : { kind: 'function', def: m };
}

/** The tests of a comprehension's `if` clauses. */
function ifClauses(n: Node): Node[] {
  return n.namedChildren.filter((c): c is Node => c?.type === 'if_clause').map((c) => c.namedChild(0)).filter((c): c is Node => !!c);
}

/**
 * What a library call made from a guessed shape is a guess too (guessed.ts), whichever handler
 * made it: a cast (`x.type(torch.float32)` in CLIP's LayerNorm) or a view of a guess is no
 * proof of a shape error either.
 */
function guessedFrom(inputs: readonly Value[], out: Value): Value {
  // On every library call: no array is made unless an input is a guess.
  let guess: TensorType | undefined;
  for (const v of inputs) if (v.kind === 'tensor' && isGuessed(v.type)) guess = v.type;
  if (!guess) return out;
  if (out.kind === 'tensor') deriveGuess([guess], out.type);
  else if (out.kind === 'tuple') for (const x of out.items) if (x.kind === 'tensor') deriveGuess([guess], x.type);
  return out;
}

/**
 * The key a property's setter or deleter (`@max_seq_length.setter def max_seq_length(...)`) is
 * kept under among its class's methods (`max_seq_length.setter`), so that it does not replace the
 * getter of the same name; undefined for any other def. `holder` is the class member.
 */
function accessorKey(holder: Node, name: string): string | undefined {
  if (holder.type !== 'decorated_definition') return undefined;
  for (const c of holder.namedChildren) {
    const text = c?.type === 'decorator' ? c.namedChild(0)?.text : undefined;
    if (text === `${name}.setter` || text === `${name}.deleter`) return text;
  }
  return undefined;
}

/** The decorator expressions of a function (`property`, `torch.no_grad()`, `autocast()`). */
export function decoratorsOf(fn: FunctionInfo): Node[] {
  const holder = fn.node.parent;
  if (holder?.type !== 'decorated_definition') return [];
  return holder.namedChildren.filter((c): c is Node => c?.type === 'decorator').map((d) => d.namedChild(0)).filter((e): e is Node => !!e);
}

/** Records an annotated field of a class (`ClassInfo.fields`), once, in declaration order. */
function declareField(info: ClassInfo, name: string, annotation: string): void {
  info.fields ??= [];
  info.annotations ??= new Map();
  if (!info.annotations.has(name)) info.fields.push(name);
  info.annotations.set(name, annotation.replace(/\s+/g, ''));
}

/**
 * A class's defaults as an object's fields. A negative integer default is a placeholder
 * (`vocab_size: int = -1  # defined later by tokenizer`): it reads as a dim named after the field,
 * which the user binds, rather than as a size that would make costs negative.
 */
function configFields(cls: ClassInfo): Map<string, Value> {
  const out = new Map<string, Value>();
  for (const [k, v] of cls.defaults) {
    const n = v.kind === 'int' ? v.value.constValue() : undefined;
    out.set(k, n !== undefined && n < 0 ? int(Poly.sym(k)) : v);
  }
  return out;
}

/** A field's annotation that makes it a size (`int`, `Optional[int]`). */
const INT_ANNOTATION = /^(int|Optional\[int\])$/;

/**
 * The fields of a dataclass built from a mapping of keys not known here
 * (`GPTConfig(**checkpoint["model_args"])`): not their defaults, since the run may set any of them.
 * A field declared `int` is a dim named after it (`n_embd`), for the user to bind, as for a
 * parameter annotated with the class (`configFromClass`); any other field is unknown.
 */
function openFields(cls: ClassInfo, fields: Map<string, Value>): void {
  const open = (k: string) => fields.set(k, INT_ANNOTATION.test(cls.annotations?.get(k) ?? '') ? int(Poly.sym(k)) : UNKNOWN);
  for (const k of [...cls.defaults.keys(), ...(cls.fields ?? [])]) open(k);
  for (const s of cls.node.childForFieldName('body')?.namedChildren ?? []) {
    const a = s?.type === 'expression_statement' ? s.namedChild(0) : null;
    const left = a?.type === 'assignment' ? a.childForFieldName('left') : null;
    if (left?.type === 'identifier') open(left.text);
  }
}

function resetMap<K, V>(target: Map<K, V>, from: Map<K, V>): void {
  // Most branches change no field: the object is then left as it is (the same entries in the
  // same order), and no remembered call is forgotten (callMemo.ts).
  if (sameEntries(target, from)) return;
  touched();
  target.clear();
  for (const [k, v] of from) target.set(k, v);
}

/** Values the call memo's key holds by identity (`memoValueKey`); the others by value. */
function byIdentity(v: Value): boolean {
  return !(v.kind === 'tensor' || v.kind === 'int' || v.kind === 'float' || v.kind === 'str' || v.kind === 'bool' || v.kind === 'none');
}

/** The same keys holding the same objects, in the same order. */
function sameEntries<K, V>(a: Map<K, V>, b: Map<K, V>): boolean {
  if (a.size !== b.size) return false;
  const other = b.entries();
  for (const [k, v] of a) {
    const [k2, v2] = other.next().value as [K, V];
    if (k !== k2 || v !== v2) return false;
  }
  return true;
}

/** A module's globals: binding one changes what calls read (callMemo.ts). */
class Globals extends Map<string, Value> {
  set(k: string, v: Value): this {
    touched();
    return super.set(k, v);
  }

  delete(k: string): boolean {
    touched();
    return super.delete(k);
  }

  clear(): void {
    touched();
    super.clear();
  }
}

/** `range(name)` over a bare name or an attribute (`config.n_layer`): that name, else undefined. */
function rangeOverName(n: Node): string | undefined {
  if (n.type !== 'call' || n.childForFieldName('function')?.text !== 'range') return undefined;
  const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  if (args.length !== 1) return undefined;
  if (args[0].type === 'identifier') return args[0].text;
  return args[0].type === 'attribute' ? args[0].childForFieldName('attribute')?.text : undefined;
}
