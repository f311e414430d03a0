/**
 * One file through the whole pipeline: frontend → IR → cost figures on the chosen device → rules.
 * Used unchanged by the language server, the CLI and the tests; it reads no files itself.
 */
import { CostFigures, Sums, addUp, evaluateCost, evaluateOp, sumFigures } from '../core/cost/evaluate';
import { DEFAULT_DEVICE_ID, Device, findDevice } from '../core/devices';
import { FileIR, Finding, FunctionSummary, TensorOp } from '../core/ir';
import { DType } from '../core/dtypes';
import { runRules } from '../core/rules/run';
import { figuresContext, intern } from '../core/intern';
import { Splicer, concatAll } from '../core/splice';
import { Settings } from '../core/settings';
import { PythonProgram, PythonState, analysePython, disposePythonState } from '../frontends/python';
import type { ContextRef, Reason } from '../core/ir';
import type { Assumed, ContextFigures, OpInContext } from './contexts';
import { initPython } from '../frontends/python/parser';
import { notAnalysedIR } from '../core/notAnalysed';
import { lazyProperty } from '../core/lazyProperty';
import { refusal } from './refused';

export type LanguageId = 'python' | 'typescript' | 'javascript';

export interface SourceFile {
  path: string;
  text: string;
  languageId: LanguageId;
  /** Reads a relative import of a TS/JS file (the host has the file system; the engine has not). */
  readModule?: (fromPath: string, specifier: string) => { path: string; text: string } | undefined;
}

export interface FunctionFigures {
  summary: FunctionSummary;
  figures: CostFigures;
  /**
   * Some of the function's own ops had operand shapes the engine could not infer (an
   * unannotated parameter, say): its totals then miss their cost, and say so.
   */
  incomplete: boolean;
  /** Why the figures are incomplete (calls not modelled, limits reached), where known. */
  reasons?: Reason[];
  /** The calling context the figures come from, when the function is not bound on its own. */
  context?: ContextRef;
  /** How many distinct calling contexts ran the function (the figures are the largest's). */
  contexts?: number;
  /** Each calling context with numbers, when there are several. */
  each?: ContextFigures[];
  /** Whether the figures are an upper bound (an undecidable branch counted its costlier side). */
  upperBound?: boolean;
  /** A training step's FLOPs: forward plus backward (2× forward for matmul-class work). */
  trainingFlops?: number | null;
  /** Stated defaults the figures used for dims nothing binds (`assert t <= block_size`, batch 1). */
  assumed?: Record<string, Assumed>;
}

export interface Analysis {
  ir: FileIR;
  /** The settings this analysis ran with (per resource). */
  settings: Settings;
  device: Device;
  /** Set when the configured device id is unknown and the default was used instead. */
  deviceWarning?: string;
  bindings: Map<string, number>;
  /** Figures of `ir.ops[i]` at index i. */
  figures: CostFigures[];
  functions: FunctionFigures[];
  findings: Finding[];
  /** Sum over the file's top-level statements and functions not called by others is not
   * meaningful (calls would double count); the file total is the sum of op figures. */
  total: CostFigures;
  /** Whose figures the total is (an entry point, or the file's most expensive function). */
  totalOf?: string;
  /** Figures of the file's top-level code, when it runs as a script (whole-program analyses). */
  moduleFigures?: CostFigures;
  /** Per op (by index), the calling context its figures come from (`withContexts`). */
  opContexts?: (OpInContext | undefined)[];
  /** Per op (by index), the stated defaults its figures used (`withContexts`). */
  opAssumed?: (Record<string, Assumed> | undefined)[];
  /** Why the total is not the whole truth (the chosen entry point's reasons). */
  totalReasons?: Reason[];
  /** Stated defaults the total used. */
  totalAssumed?: Record<string, Assumed>;
  /**
   * What the next analysis of the same document reuses (its parsed statements and per-statement
   * results); Python only. Whoever keeps it must `disposePythonState` it when done.
   */
  state?: PythonState;
}

export async function initEngine(): Promise<void> {
  await initPython();
}

export function resolveDevice(settings: Settings): { device: Device; warning?: string } {
  const d = findDevice(settings.device, settings.customDevices);
  if (d) return { device: d };
  return {
    device: findDevice(DEFAULT_DEVICE_ID)!,
    warning: `unknown device '${settings.device}'; using ${DEFAULT_DEVICE_ID}. Run 'tensorcost devices' for the list${settings.device === 'local' ? ", or 'tensorcost calibrate' to measure this machine" : ''}.`,
  };
}

export interface Incremental {
  /** The state of the previous analysis of the same document, to reuse (updated in place). */
  reuse?: PythonState;
  /** Keep the state in `Analysis.state` for the next analysis (implied by `reuse`). */
  keep?: boolean;
  /** The program the file belongs to: imports of its other files resolve (docs/whole-program.md). */
  program?: PythonProgram;
  /**
   * Called between the phases of a Python analysis whose state is not kept (after the
   * interpreter, and once the tree is deleted, before the figures and rules): the CLI collects
   * the garbage of the phase before there after a large file (`collectAfterLargeParse`).
   */
  afterParse?: () => void;
  /**
   * Run the rules when `findings` is first read rather than now (`lazyFindings`). The language
   * server answers a hover after a keystroke from figures alone; the diagnostics that read the
   * findings are pulled after it, and get the same findings as an eager analysis.
   */
  deferRules?: boolean;
}

/** A Python analysis whose state is not kept: deleted here, so that no frame of the caller holds its tree. */
function analysePythonOnce(file: SourceFile, settings: Settings, program?: PythonProgram, betweenPhases?: () => void): FileIR {
  const r = analysePython(file.path, file.text, settings, undefined, program, betweenPhases);
  disposePythonState(r.state);
  return r.ir;
}

/**
 * Analyses one file. Without `incremental`, everything is parsed and analysed afresh and nothing
 * outlives the call; the language server passes the previous state of the document instead.
 */
export function analyzeSource(file: SourceFile, settings: Settings, incremental?: Incremental): Analysis {
  // A lone CR ends a line for LSP and editors but not for tree-sitter, which then put every op
  // of a CR-only file on line 1. As a LF of the same length it ends a line for both, and every
  // offset stays where it was.
  if (file.text.includes('\r') && /\r(?!\n)/.test(file.text)) file = { ...file, text: file.text.replace(/\r(?!\n)/g, '\n') };
  let ir: FileIR;
  let state: PythonState | undefined;
  const refused = refusal(file.text, settings);
  if (refused) ir = notAnalysedIR(file.path, file.languageId, refused, 'warning');
  else if (file.languageId === 'python') {
    if (incremental?.reuse || incremental?.keep) {
      const r = analysePython(file.path, file.text, settings, incremental?.reuse, incremental?.program);
      ir = r.ir;
      state = r.state;
    } else {
      ir = analysePythonOnce(file, settings, incremental?.program, incremental?.afterParse);
      incremental?.afterParse?.();
    }
  } else {
    // Loaded on first use: the TypeScript compiler is large, and most sessions only see Python.
    const { analyseTypeScript } = require('../frontends/typescript') as typeof import('../frontends/typescript');
    ir = analyseTypeScript(file.path, file.text, settings, file.languageId, { readModule: file.readModule });
  }
  // A file's device directive wins over the setting.
  const { device, warning } = resolveDevice(ir.facts.device ? { ...settings, device: ir.facts.device } : settings);
  const bindings = new Map<string, number>(Object.entries(settings.dims));
  for (const [k, v] of ir.facts.dims) bindings.set(k, v);
  for (const [k, v] of ir.facts.directiveDims) bindings.set(k, v);
  // Ops and function summaries reused from the previous analysis are the same objects, and so
  // are the segments of ops of unchanged statements: their figures are too, as long as the
  // device and the bindings are. Work per keystroke is then per segment, not per op.
  const memoKey = figuresContext(device, bindings);
  const segments = ir.segments ?? [ir.ops];
  const segmentFigures = FIGURES.map(memoKey, segments, (ops) => segmentOf(ops).figures(memoKey, () => ops.map((op) => memo(OP_FIGURES, op.cost, memoKey, op.dtype, op.repeat, () => evaluateOp(op, device, bindings)))));
  const figures = segmentFigures.length === 1 ? segmentFigures[0] : concatAll(segmentFigures);
  const defaultDtype = ir.facts.defaultDtype ?? settings.defaultDtype;
  const factsList = FACTS.map('', segments, (ops) => segmentOf(ops).facts());
  // A function's roofline dtype is that of its first GEMM-class op in the file, and it is
  // incomplete when one of its ops has an unknown cost: facts of the segments. Only the names
  // in segments the edit changed (before or after) can have other facts than last time; the
  // summaries of other names, where the last analysis had them, keep their figures.
  const changed = FACTS.changed;
  // Read once: kept, it held the previous analysis's facts, a whole other document's after a switch.
  FACTS.changed = undefined;
  const affected = changed && new Set(changed.replaced.concat(factsList.slice(changed.from, changed.to)).flatMap((f) => [...f.firstDtype.map(([n]) => n), ...f.unknownIn]));
  // A few names (a keystroke's) are looked up by a scan; many (a fresh analysis), in maps.
  let facts: { gemmDtype: Map<string, DType>; withUnknown: Set<string> } | undefined;
  let lookups = 0;
  const factsFor = (name: string): { dtype?: DType; incomplete: boolean } => {
    if (!facts && ++lookups <= 8) return scanFacts(factsList, name);
    facts ??= mergeFacts(factsList);
    return { dtype: facts.gemmDtype.get(name), incomplete: facts.withUnknown.has(name) };
  };
  const functions = FUNCTIONS.map(
    intern(`${memoKey}\0${defaultDtype}`),
    ir.functions,
    (summary) => {
      const found = factsFor(summary.name);
      const dtype = found.dtype ?? defaultDtype;
      const incomplete = found.incomplete;
      const hit = FUNCTION_FIGURES.get(summary);
      if (hit && hit.key === memoKey && hit.dtype === dtype && hit.value.incomplete === incomplete) return hit.value;
      const value = { summary, incomplete, figures: memo(FUNCTION_COST, summary.flops, memoKey, dtype, summary.otherFlops, () => evaluateCost({ flops: summary.flops, otherFlops: summary.otherFlops, bytes: summary.bytes }, dtype, device, bindings), summary.bytes) };
      FUNCTION_FIGURES.set(summary, { key: memoKey, dtype, value });
      return value;
    },
    (summary) => !!affected && !affected.has(summary.name),
  );
  const rules = () => runRules(ir, figures, device, settings, bindings, segmentFigures);
  // Added up per segment (ops of unknown cost left out), then over the segments.
  const partials = SUMS.map(memoKey, segments, (ops, k) => segmentOf(ops).sums(memoKey, segmentFigures[k]));
  const total = sumFigures(partials, defaultDtype, device);
  const m = ir.moduleSummary;
  const moduleFigures = m ? evaluateCost({ flops: m.flops, otherFlops: m.otherFlops, bytes: m.bytes }, defaultDtype, device, bindings) : undefined;
  if (!incremental?.deferRules) return { ir, settings, device, deviceWarning: warning, bindings, figures, functions, findings: rules(), total, state, ...(moduleFigures ? { moduleFigures } : {}) };
  return lazyFindings({ ir, settings, device, deviceWarning: warning, bindings, figures, functions, total, state, ...(moduleFigures ? { moduleFigures } : {}) }, rules);
}

/**
 * `a` with `findings` computed by `compute` when first read, then kept (`lazyProperty`); a copy
 * that must not compute them leaves the key out (`withoutFindings`).
 */
export function lazyFindings(a: Omit<Analysis, 'findings'>, compute: () => Finding[]): Analysis {
  return lazyProperty(a as Analysis, 'findings', compute);
}

/** The properties of `a` other than `findings`, copied without reading it (a lazy one stays unrun). */
export function withoutFindings(a: Analysis): Omit<Analysis, 'findings'> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(a)) if (k !== 'findings') out[k] = (a as unknown as Record<string, unknown>)[k];
  return out as unknown as Omit<Analysis, 'findings'>;
}

interface Memo<T> {
  key: string;
  dtype: string;
  a: unknown;
  b: unknown;
  value: T;
}
const OP_FIGURES = new WeakMap<object, Memo<CostFigures>>();
/** By the summary's flops polynomial: a summary copied with its parameter count keeps it. */
const FUNCTION_COST = new WeakMap<object, Memo<CostFigures>>();
const FUNCTION_FIGURES = new WeakMap<FunctionSummary, { key: string; dtype: DType; value: FunctionFigures }>();

/**
 * `compute()`, remembered per `owner` while the (interned) key, the dtype and the objects `a`
 * and `b` stay the same. Called for every op of a changed segment: no allocation on a hit.
 */
function memo<T>(m: WeakMap<object, Memo<T>>, owner: object, key: string, dtype: string, a: unknown, compute: () => T, b?: unknown): T {
  const hit = m.get(owner);
  if (hit && hit.key === key && hit.dtype === dtype && hit.a === a && hit.b === b) return hit.value;
  const value = compute();
  m.set(owner, { key, dtype, a, b, value });
  return value;
}

/**
 * Per function, the dtype of its first GEMM-class op (with a cost), for the function's roofline
 * placement; and the functions some of whose ops have an unknown cost. Facts of the ops alone.
 */
interface SegmentFacts {
  firstDtype: [string, DType][];
  unknownIn: string[];
}

/** Per function name, the first GEMM dtype and whether some op has an unknown cost, in file order. */
function mergeFacts(list: readonly SegmentFacts[]): { gemmDtype: Map<string, DType>; withUnknown: Set<string> } {
  const gemmDtype = new Map<string, DType>();
  const withUnknown = new Set<string>();
  for (const f of list) {
    for (const [fn, dtype] of f.firstDtype) if (!gemmDtype.has(fn)) gemmDtype.set(fn, dtype);
    for (const fn of f.unknownIn) withUnknown.add(fn);
  }
  return { gemmDtype, withUnknown };
}

/** `mergeFacts` for one name, by a scan of the segments. */
function scanFacts(list: readonly SegmentFacts[], name: string): { dtype?: DType; incomplete: boolean } {
  let dtype: DType | undefined;
  let incomplete = false;
  for (const f of list) {
    if (dtype === undefined) for (const [fn, d] of f.firstDtype) if (fn === name) dtype = d;
    if (!incomplete) for (const fn of f.unknownIn) if (fn === name) incomplete = true;
  }
  return { dtype, incomplete };
}

/** What the engine remembers of one segment of ops (`FileIR.segments`), while it is in use. */
class SegmentMemo {
  private figuresKey?: string;
  private figuresValue?: CostFigures[];
  private factsValue?: SegmentFacts;

  constructor(private readonly ops: readonly TensorOp[]) {}

  /** The segment's figures for one device and set of bindings (`figuresContext`). */
  figures(key: string, compute: () => CostFigures[]): CostFigures[] {
    if (this.figuresKey !== key || !this.figuresValue) {
      this.figuresValue = compute();
      this.figuresKey = key;
    }
    return this.figuresValue;
  }

  /** The segment's figures added up, ops of unknown cost left out (`figures` must be this segment's). */
  sums(key: string, figures: readonly CostFigures[]): Sums {
    if (this.sumsKey !== key || this.sumsFigures !== figures || !this.sumsValue) {
      this.sumsValue = addUp(figures.filter((_, i) => !this.ops[i].cost.unknown));
      this.sumsKey = key;
      this.sumsFigures = figures;
    }
    return this.sumsValue;
  }

  private sumsKey?: string;
  private sumsFigures?: readonly CostFigures[];
  private sumsValue?: Sums;

  facts(): SegmentFacts {
    if (!this.factsValue) {
      const first = new Map<string, DType>();
      const unknown = new Set<string>();
      for (const o of this.ops) {
        if (!o.function) continue;
        if (o.cost.unknown) unknown.add(o.function);
        else if (!first.has(o.function) && !o.cost.flops.isZero()) first.set(o.function, o.dtype);
      }
      this.factsValue = { firstDtype: [...first], unknownIn: [...unknown] };
    }
    return this.factsValue;
  }
}

const SEGMENTS = new WeakMap<readonly TensorOp[], SegmentMemo>();
/** The last analysis's per-segment products, for the next keystroke in the same document. */
const FIGURES = new Splicer<readonly TensorOp[], CostFigures[]>();
const FACTS = new Splicer<readonly TensorOp[], SegmentFacts>(true);
const SUMS = new Splicer<readonly TensorOp[], Sums>();
const FUNCTIONS = new Splicer<FunctionSummary, FunctionFigures>();

function segmentOf(ops: readonly TensorOp[]): SegmentMemo {
  let m = SEGMENTS.get(ops);
  if (!m) SEGMENTS.set(ops, (m = new SegmentMemo(ops)));
  return m;
}
