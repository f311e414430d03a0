/**
 * Calling contexts joined into a file's figures (docs/whole-program.md). Every analysis records
 * what its entry points did in the code they called (`FileIR.captured`), in its own file and in
 * others; this module gathers those records per file and completes an analysis with them:
 *
 * - an op or a function whose figures are not numbers on their own (unbound dims, unknown shapes)
 *   takes those of the contexts that ran it, with the context named (one: its figures; several:
 *   the largest, and how many there were);
 * - a dim the user bound wins: figures that are numbers on their own stay as they are;
 * - the file's total is that of its entry point (the largest when several), else that of its most
 *   expensive function, named — never a sum of every op once.
 */
import { CostFigures, evaluateCost } from '../core/cost/evaluate';
import type { Poly } from '../core/symbolic';
import { AssertedBound, ContextFunction, ContextOp, ContextRef, FileIR, FunctionSummary, Reason, TensorOp, TensorType } from '../core/ir';
import { Analysis, FunctionFigures, lazyFindings, withoutFindings } from './analyze';
import type { DType } from '../core/dtypes';
import { GEMM_KINDS } from '../core/ir';
import { commonEnds } from '../core/splice';
import { ChosenContext, contextFindings } from './contextFindings';

export interface ContextIndex {
  ops: Map<string, ContextOp[]>;
  functions: Map<string, ContextFunction[]>;
  /** Dims the program's code bounds (`assert t <= block_size`), for stated defaults. */
  bounds: Map<string, AssertedBound>;
  /** The same, as each entry file's runs met them: a context's own bounds come first. */
  boundsByFile: Map<string, Map<string, AssertedBound>>;
  /**
   * How many times each kept variant ran in its context: the same op with the same cost met again
   * by the same entry point (every layer of a stack, each split of an evaluation loop), each
   * capture counted as often as the callers' loops ran it (`ContextOp.outer`). Absent: once.
   */
  calls: Map<ContextOp, number>;
  /** The keys of `ops` per file, for ops a context ran that the file's own analysis did not record. */
  opKeys: Map<string, string[]>;
  /** The key of `ops` for an op's site, without making the string again (undefined: no context ran it). */
  siteKey(path: string, line: number, character: number): string | undefined;
}

const opKey = (path: string, line: number, character: number) => `${path}\0${line}:${character}`;
const fnKey = (path: string, name: string) => `${path}\0${name}`;

/** Most distinct contexts kept per op or function. */
const MAX_VARIANTS = 16;

/**
 * Keys of `opKey`/`fnKey` made once per distinct site while an index is built: an entry point
 * records the same op once per call (every layer of a stack, each trip of a loop), tens of
 * thousands of captures for a few thousand ops on a file of many models, and a fresh key string
 * per capture (made, then hashed) was most of the index's time.
 */
class Keys {
  private readonly byPath = new Map<string, { ops: Map<number, string>; fns: Map<string, string> }>();
  private readonly wide = new Map<string, string>();

  private of(path: string) {
    let m = this.byPath.get(path);
    if (!m) this.byPath.set(path, (m = { ops: new Map(), fns: new Map() }));
    return m;
  }

  /** The key made for a site, if any was. */
  find(path: string, line: number, character: number): string | undefined {
    if (character >= 0x100000) return this.wide.get(opKey(path, line, character));
    return this.byPath.get(path)?.ops.get(line * 0x100000 + character);
  }

  op(path: string, line: number, character: number): string {
    // One number per position while it is exact: columns past 2^20 (never in real code) take the string.
    if (character >= 0x100000) {
      const wide = opKey(path, line, character);
      if (!this.wide.has(wide)) this.wide.set(wide, wide);
      return this.wide.get(wide)!;
    }
    const m = this.of(path).ops;
    const n = line * 0x100000 + character;
    let k = m.get(n);
    if (k === undefined) m.set(n, (k = opKey(path, line, character)));
    return k;
  }

  fn(path: string, name: string): string {
    const m = this.of(path).fns;
    let k = m.get(name);
    if (k === undefined) m.set(name, (k = fnKey(path, name)));
    return k;
  }
}

/** The contexts recorded by a set of analyses, by the file and op (or function) they ran. */
export function buildContextIndex(irs: Iterable<FileIR>): ContextIndex {
  const ops = new Map<string, ContextOp[]>();
  const functions = new Map<string, ContextFunction[]>();
  const bounds = new Map<string, AssertedBound>();
  const boundsByFile = new Map<string, Map<string, AssertedBound>>();
  const calls = new Map<ContextOp, number>();
  const opKeys = new Map<string, string[]>();
  const keys = new Keys();
  // The captures of one call share their loop multiplier: evaluated once per polynomial met in a row.
  let lastOuter: Poly | undefined;
  let lastOuterCalls = 1;
  const outerOf = (o: ContextOp) => {
    if (!o.outer) return 1;
    if (o.outer !== lastOuter) {
      lastOuter = o.outer;
      lastOuterCalls = outerCalls(o);
    }
    return lastOuterCalls;
  };
  for (const ir of irs) {
    for (const [k, b] of ir.captured?.bounds ?? []) if (!bounds.has(k)) bounds.set(k, b);
    if (ir.captured?.bounds?.length) boundsByFile.set(ir.programPath ?? ir.path, new Map(ir.captured.bounds));
    for (const o of ir.captured?.ops ?? []) {
      const k = keys.op(o.path, o.range.start.line, o.range.start.character);
      let list = ops.get(k);
      if (!list) {
        ops.set(k, (list = []));
        let pathKeys = opKeys.get(o.path);
        if (!pathKeys) opKeys.set(o.path, (pathKeys = []));
        pathKeys.push(k);
      }
      const same = list.find((x) => sameCost(x, o));
      if (same && same.context.path === o.context.path && same.context.line === o.context.line) calls.set(same, (calls.get(same) ?? outerCalls(same)) + outerOf(o));
      else if (!same) {
        const at = admitAt(list, o.cost, (x) => x.cost);
        if (at >= 0) {
          if (at < list.length) calls.delete(list[at]);
          list[at] = o;
          if (o.outer) calls.set(o, outerOf(o));
        }
      }
    }
    for (const f of ir.captured?.functions ?? []) {
      const k = keys.fn(f.path, f.name);
      let list = functions.get(k);
      if (!list) functions.set(k, (list = []));
      if (list.some((x) => x.flops.equals(f.flops) && x.otherFlops.equals(f.otherFlops) && x.bytes.equals(f.bytes))) continue;
      const at = admitAt(list, f, (x) => x);
      if (at >= 0) list[at] = f;
    }
  }
  return { ops, functions, bounds, boundsByFile, calls, opKeys, siteKey: (path, line, character) => keys.find(path, line, character) };
}

/** The figures of a context: its FLOPs and bytes, as polynomials in the dims its run left open. */
interface CostPolys {
  flops: Poly;
  bytes: Poly;
}

/** The dims a context's figures are written in (an elementwise op's are in its bytes alone). */
function openDims(c: CostPolys): Set<string> {
  const out = c.flops.freeSymbols();
  for (const k of c.bytes.freeSymbols()) out.add(k);
  return out;
}

/**
 * Where a new context's figures go in a list of at most `MAX_VARIANTS`: at the end while there is
 * room; else in place of the kept context with the most dims its run left open, when the new one
 * leaves fewer; else nowhere (-1). A script's many runs of a model whose config it reads at run
 * time (nanochat's evaluation loops) then do not crowd out the one run that fixes every size
 * (its `base_train.py`), whichever file comes first.
 */
function admitAt<T>(list: readonly T[], cost: CostPolys, costOf: (x: T) => CostPolys): number {
  if (list.length < MAX_VARIANTS) return list.length;
  let worst = -1;
  let most = openDims(cost).size;
  list.forEach((x, i) => {
    const n = openDims(costOf(x)).size;
    if (n > most) {
      most = n;
      worst = i;
    }
  });
  return worst;
}

/**
 * How many times the callers' loops ran one capture of an op (its function's call inside
 * `for t in range(256)`): 1 where no loop is around the call or a trip count is not a number.
 */
function outerCalls(o: ContextOp): number {
  const n = o.outer?.evaluate(new Map());
  return n !== null && n !== undefined && Number.isFinite(n) && n >= 1 ? n : 1;
}

function sameCost(a: ContextOp, b: ContextOp): boolean {
  return a.cost.flops.equals(b.cost.flops) && a.cost.bytes.equals(b.cost.bytes) && a.cost.otherFlops.equals(b.cost.otherFlops) && (a.repeat?.toString() ?? '') === (b.repeat?.toString() ?? '') && a.dtype === b.dtype && !!a.tf32 === !!b.tf32;
}

/** One calling context's figures, for the list of several. */
export interface ContextFigures {
  context: ContextRef;
  flops: number | null;
  timeSeconds: number | null;
}

/** An op's figures in the calling context they come from. */
export interface OpInContext {
  figures: CostFigures;
  context: ContextRef;
  /** How many distinct contexts ran the op (the figures are the largest's). */
  count: number;
  /** Each calling context with numbers, when there are several. */
  each?: ContextFigures[];
  inputs: TensorType[];
  output: TensorType;
  /** The dtype the context ran the op in (its operands', or its autocast's): the figures' dtype. */
  dtype: DType;
}

const FN_MEMO = new WeakMap<FunctionFigures, { index: ContextIndex; key: string; value: FunctionFigures }>();
/** What `withContexts` applies to one op: figures, the context they come from, defaults, the rules' context. */
interface Applied {
  /** The op's offset in its segment. */
  k: number;
  figures?: CostFigures;
  context?: OpInContext;
  assumed?: Record<string, Assumed>;
  chosen?: ChosenContext;
}
const OP_MEMO = new WeakMap<TensorOp, { index: ContextIndex; key: string; own: CostFigures; path: string; value?: Omit<Applied, 'k'> }>();

/** What `withContexts` remembers of one segment of ops (`FileIR.segments`). */
interface SegmentRecord {
  /** The ops' own figures (the analysis's), compared by identity: the record holds while they are the same objects. */
  own: CostFigures[];
  /** The dims those figures leave unbound. */
  unbound: readonly string[];
  /** The ops completed with one index, defaults and file: only those with something applied. */
  completed?: { index: ContextIndex; key: string; path: string; applied: Applied[] };
}
const SEGMENT_MEMO = new WeakMap<readonly TensorOp[], SegmentRecord>();

/** No dims: one array for every segment and function that leaves none unbound. */
const NONE: readonly string[] = [];

/** The segment's record, made again when its ops' own figures are other objects than it was made from. */
function recordOf(ops: readonly TensorOp[], figures: readonly CostFigures[], offset: number): SegmentRecord {
  const hit = SEGMENT_MEMO.get(ops);
  if (hit && hit.own.length === ops.length && hit.own.every((f, k) => f === figures[offset + k])) return hit;
  const own = figures.slice(offset, offset + ops.length);
  const unbound = new Set<string>();
  for (const f of own) for (const u of f.unbound) unbound.add(u);
  const r: SegmentRecord = { own, unbound: unbound.size ? [...unbound] : NONE };
  SEGMENT_MEMO.set(ops, r);
  return r;
}

/**
 * What the last `withContexts` call read and made, by position, for the next call on the same
 * file (a keystroke's): one file at a time, as the engine's other per-segment products
 * (core/splice.ts).
 */
interface LastCall {
  path: string;
  segments: readonly (readonly TensorOp[])[];
  /** Where each segment's ops start among the file's ops, and the number of ops at the end. */
  offsets: readonly number[];
  /** The analysis's own figures. */
  own: readonly CostFigures[];
  segUnbound: readonly (readonly string[])[];
  functionsIn: readonly FunctionFigures[];
  fnUnbound: readonly (readonly string[])[];
  fnBounds: readonly FunctionSummary['bounds'][];
  fnNames: readonly string[];
  /** What the results below were completed with. */
  index: ContextIndex;
  key: string;
  figures: readonly CostFigures[];
  opContexts: readonly (OpInContext | undefined)[];
  opAssumed: readonly (Record<string, Assumed> | undefined)[];
  chosen: readonly (ChosenContext | undefined)[];
  functionsOut: readonly FunctionFigures[];
  /** `FunctionNumbers` of `functionsOut`. */
  fnSize: readonly number[];
  fnTime: readonly number[];
  /** Per op, 1 where `figures` waits for a dim. */
  waits: Uint8Array;
}
let LAST: LastCall | undefined;

/** How many ops of a completed analysis have figures that wait for a dim (`waitingOps`). */
const WAITING = new WeakMap<Analysis, number>();

/**
 * How many ops of `a` have figures that still wait for a dim, where `a` is what `withContexts`
 * made (it counts them from its last call's for the ops a keystroke did not touch); else undefined.
 */
export function waitingOps(a: Analysis): number | undefined {
  return WAITING.get(a);
}

interface Ends {
  /** Common leading and trailing items. */
  p: number;
  q: number;
}
const NO_ENDS: Ends & { ops: Ends } = { p: 0, q: 0, ops: { p: 0, q: 0 } };

/**
 * The segments taken from the last call by position: the common leading and trailing ones, with
 * the number of ops they hold, provided those ops' own figures are the same objects as then
 * (none otherwise: other bindings or another device made every figure anew).
 */
function sameEnds(last: LastCall, segments: readonly (readonly TensorOp[])[], figures: readonly CostFigures[]): Ends & { ops: Ends } {
  const { p, q } = commonEnds(last.segments, segments);
  const m = last.segments.length;
  const lastN = last.offsets[m];
  const ops = { p: last.offsets[p], q: lastN - last.offsets[m - q] };
  const n = figures.length;
  for (let i = 0; i < ops.p; i++) if (figures[i] !== last.own[i]) return NO_ENDS;
  for (let i = 1; i <= ops.q; i++) if (figures[n - i] !== last.own[lastN - i]) return NO_ENDS;
  return { p, q, ops };
}

const complete = (f: CostFigures) => f.flops !== null && f.otherFlops !== null && f.bytes !== null && f.unbound.length === 0;

/** Larger first: FLOPs, then time. */
function larger(a: CostFigures, b: CostFigures): boolean {
  const fa = (a.flops ?? 0) + (a.otherFlops ?? 0);
  const fb = (b.flops ?? 0) + (b.otherFlops ?? 0);
  return fa !== fb ? fa > fb : (a.timeSeconds ?? 0) > (b.timeSeconds ?? 0);
}

/** A default the code states for a dim nothing binds: its value and where it comes from. */
export interface Assumed {
  value: number;
  from: string;
}

/** Dims that name a batch: with nothing else to go by, one sequence or image (stated). */
const BATCH = /^(b|B|bs|bsz|batch|batch_size|n_batch|nbatch)$/;

/**
 * Stated defaults for the dims a file leaves unbound (docs/whole-program.md, "numbers first"):
 * the bounds its functions assert (`assert t <= self.config.block_size`), and 1 for a batch.
 */
function assumedDims(a: Analysis, unbound: Iterable<string>, index: ContextIndex, fnBounds: readonly FunctionSummary['bounds'][]): Map<string, Assumed> {
  const out = new Map<string, Assumed>();
  for (const bounds of fnBounds) if (bounds) for (const [k, b] of Object.entries(bounds)) if (!out.has(k) && !a.bindings.has(k)) out.set(k, { value: b.value, from: `assert at line ${b.line + 1}` });
  const self = a.ir.programPath ?? a.ir.path;
  // The bounds this file's own run met first (a notebook's `from_pretrained` model asserts
  // t <= 1024), then those of the program's other runs (the adder project's t <= 11).
  for (const [k, b] of [...(index.boundsByFile.get(self) ?? []), ...index.bounds]) {
    if (out.has(k) || a.bindings.has(k)) continue;
    const file = b.path.slice(b.path.lastIndexOf('/') + 1);
    out.set(k, { value: b.value, from: b.path === self ? `assert at line ${b.line + 1}` : `assert at ${file}:${b.line + 1}` });
  }
  for (const u of unbound) if (!out.has(u) && BATCH.test(u)) out.set(u, { value: 1, from: 'batch defaults to 1' });
  return out;
}

/**
 * `a` completed with the contexts of `index`: a new analysis object (the figures arrays are
 * copied where they change; what the incremental engine memoises is never modified in place).
 * Precedence: the user's bindings, then the calling contexts, then the defaults the code states.
 */
export function withContexts(a: Analysis, index: ContextIndex): Analysis {
  const path = a.ir.programPath ?? a.ir.path;
  const { device, bindings } = a;
  const n = a.ir.ops.length;
  const segments = a.ir.segments && a.ir.segments.reduce((k, ops) => k + ops.length, 0) === n ? a.ir.segments : [a.ir.ops];
  const ns = segments.length;
  // A keystroke changes the segments of ops (`FileIR.segments`) and the functions of one
  // statement: the others are the same objects as in the last call, with the same own figures.
  // What the last call read and made for them is taken by position (pointer comparisons over
  // arrays); reading every op and function of the file again, a few thousand objects spread over
  // the heap, cost more than the rest of this function.
  const last = LAST?.path === path ? LAST : undefined;
  const ends = last ? sameEnds(last, segments, a.figures) : NO_ENDS;
  const lastCount = last?.segments.length ?? 0;
  const fromLast = (s: number) => (s < ends.p ? s : s >= ns - ends.q ? s - ns + lastCount : -1);
  const offsets = new Array<number>(ns + 1);
  const segUnbound = new Array<readonly string[]>(ns);
  /** The middle segments' records (`SEGMENT_MEMO`), by segment index. */
  const records: (SegmentRecord | undefined)[] = [];
  for (let s = 0, offset = 0; s < ns; s++) {
    const j = fromLast(s);
    offsets[s] = offset;
    if (j >= 0) segUnbound[s] = last!.segUnbound[j];
    else segUnbound[s] = (records[s] = recordOf(segments[s], a.figures, offset)).unbound;
    offset += j >= 0 ? last!.offsets[j + 1] - last!.offsets[j] : segments[s].length;
  }
  offsets[ns] = n;
  const unboundAll = new Set<string>();
  for (const list of segUnbound) if (list !== NONE) for (const u of list) unboundAll.add(u);
  const nf = a.functions.length;
  const fEnds = last ? commonEnds(last.functionsIn, a.functions) : NO_ENDS;
  const fnFromLast = (i: number) => (i < fEnds.p ? i : i >= nf - fEnds.q ? i - nf + last!.functionsIn.length : -1);
  const fnUnbound = new Array<readonly string[]>(nf);
  const fnBounds = new Array<FunctionSummary['bounds']>(nf);
  const fnNames = new Array<string>(nf);
  for (let i = 0; i < nf; i++) {
    const j = fnFromLast(i);
    if (j >= 0) {
      fnUnbound[i] = last!.fnUnbound[j];
      fnBounds[i] = last!.fnBounds[j];
      fnNames[i] = last!.fnNames[j];
    } else {
      const f = a.functions[i];
      fnUnbound[i] = f.figures.unbound.length ? f.figures.unbound : NONE;
      fnBounds[i] = f.summary.bounds;
      fnNames[i] = f.summary.name;
    }
  }
  for (const list of fnUnbound) if (list !== NONE) for (const u of list) unboundAll.add(u);
  for (const u of a.moduleFigures?.unbound ?? []) unboundAll.add(u);
  const assumed = assumedDims(a, unboundAll, index, fnBounds);
  const withAssumed = new Map(bindings);
  for (const [k, v] of assumed) if (!withAssumed.has(k)) withAssumed.set(k, v.value);
  let figures = a.figures;
  // Per op, made at the file's length when first written: an op's index written into an empty
  // array far from its end made the array a dictionary, slow to write and to read. Filled with
  // undefined rather than holes, as the arrays written op by op in order were where every op had
  // an entry (on the GPT-style file, every op has a chosen context).
  const none = <T>(k: number): (T | undefined)[] => new Array<T | undefined>(k).fill(undefined);
  let opContexts: (OpInContext | undefined)[] = [];
  let opAssumed: (Record<string, Assumed> | undefined)[] = [];
  /** Per op, the context whose figures the rules read again (contextFindings.ts). */
  let chosen: (ChosenContext | undefined)[] = [];
  const setFigures = (i: number, f: CostFigures) => {
    if (figures === a.figures) figures = a.figures.slice();
    figures[i] = f;
  };
  const setContext = (i: number, v: OpInContext) => ((opContexts.length ? opContexts : (opContexts = none(n)))[i] = v);
  const setAssumed = (i: number, v: Record<string, Assumed>) => ((opAssumed.length ? opAssumed : (opAssumed = none(n)))[i] = v);
  const setChosen = (i: number, v: ChosenContext) => ((chosen.length ? chosen : (chosen = none(n)))[i] = v);
  const used = (unbound: readonly string[]) => Object.fromEntries(unbound.filter((u) => assumed.has(u)).map((u) => [u, assumed.get(u)!]));
  // A context's figures take the bounds its own run asserted first (chargpt's `t <= 128`, not the
  // 1,024 of another script), then the file's.
  const perContext = new Map<string, { bindings: Map<string, number>; used: (u: readonly string[]) => Record<string, Assumed> }>();
  const assumedFor = (ctxPath: string) => {
    let hit = perContext.get(ctxPath);
    if (!hit) {
      const own = new Map<string, Assumed>();
      for (const [k, b] of index.boundsByFile.get(ctxPath) ?? []) if (!bindings.has(k)) own.set(k, { value: b.value, from: `assert at ${b.path.slice(b.path.lastIndexOf('/') + 1)}:${b.line + 1}` });
      for (const [k, v] of assumed) if (!own.has(k)) own.set(k, v);
      const b = new Map(bindings);
      for (const [k, v] of own) if (!b.has(k)) b.set(k, v.value);
      hit = { bindings: b, used: (u) => Object.fromEntries(u.filter((x) => own.has(x)).map((x) => [x, own.get(x)!])) };
      perContext.set(ctxPath, hit);
    }
    return hit;
  };
  /**
   * The dims a run of another file left open that this file's config class defaults bound
   * (`GPTConfig(**checkpoint["model_args"])` in sample.py, the class in model.py): stated with the
   * figures as defaults taken, since that run's config is not the class's defaults.
   */
  const configAssumed = (ctxPath: string, free: Iterable<string>, into?: Record<string, Assumed>): Record<string, Assumed> | undefined => {
    const defaults = a.ir.facts.configDefaults;
    if (ctxPath === path || !defaults) return into;
    let out: Record<string, Assumed> | undefined;
    for (const k of free) {
      const cls = defaults.get(k);
      const v = bindings.get(k);
      if (cls && v !== undefined && !(k in a.settings.dims) && !a.ir.facts.directiveDims.has(k)) (out ??= { ...into })[k] = { value: v, from: `${cls} default` };
    }
    return out ?? into;
  };
  /** Whether a run of another file left open dims that only this file's config defaults bind. */
  const leansOnDefaults = (ctxPath: string, cost: CostPolys) => ctxPath !== path && !!a.ir.facts.configDefaults && configAssumed(ctxPath, openDims(cost)) !== undefined;
  // What an op is completed with depends on the index, the defaults and the file only.
  const memoKey = `${device.id}\0${[...bindings].join(',')}\0${[...assumed].map(([k, v]) => `${k}=${v.value}`).join(',')}`;
  const apply = (i: number, x: Omit<Applied, 'k'>) => {
    if (x.figures) setFigures(i, x.figures);
    if (x.context) setContext(i, x.context);
    if (x.assumed) setAssumed(i, x.assumed);
    if (x.chosen) setChosen(i, x.chosen);
  };
  // The last call's results hold for the segments taken by position when it completed with the
  // same index and defaults: copied as they are.
  const sameCompletion = !!last && last.index === index && last.key === memoKey;
  if (sameCompletion) {
    // Native copies of the leading and trailing ranges (the middle's entries are made below).
    const L = last!;
    const lastN = L.offsets[lastCount];
    const { p, q } = ends.ops;
    const spliced = <T>(arr: readonly T[], middle: readonly T[]): T[] => arr.slice(0, p).concat(middle as T[], arr.slice(lastN - q));
    if (L.figures !== L.own) figures = spliced(L.figures, a.figures.slice(p, n - q));
    const middle = none<never>(n - p - q);
    if (L.opContexts.length) opContexts = spliced(L.opContexts, middle);
    if (L.opAssumed.length) opAssumed = spliced(L.opAssumed, middle);
    if (L.chosen.length) chosen = spliced(L.chosen, middle);
  }
  for (let s = 0; s < ns; s++) {
    if (sameCompletion && fromLast(s) >= 0) continue;
    const ops = segments[s];
    const offset = offsets[s];
    const r = records[s] ?? recordOf(ops, a.figures, offset);
    const done = r.completed;
    if (done && done.index === index && done.key === memoKey && done.path === path) {
      for (const x of done.applied) apply(offset + x.k, x);
      continue;
    }
    const applied: Applied[] = [];
    for (let k = 0; k < ops.length; k++) {
      const x = completeOp(ops[k], a.figures[offset + k]);
      if (x) {
        apply(offset + k, x);
        applied.push({ k, ...x });
      }
    }
    r.completed = { index, key: memoKey, path, applied };
  }
  /**
   * What op `i` is completed with, or undefined when nothing (its own figures are numbers and no
   * context ran it). Remembered per op as well, for ops met again in a segment made anew.
   */
  function completeOp(op: TensorOp, own: CostFigures): Omit<Applied, 'k'> | undefined {
    const hit = OP_MEMO.get(op);
    if (hit && hit.index === index && hit.key === memoKey && hit.own === own && hit.path === path) return hit.value;
    const ownComplete = complete(own) && !op.cost.unknown;
    let value: Omit<Applied, 'k'> | undefined;
    // Figures that are numbers on their own stay; the rules still read the contexts' calls and
    // dtypes (how often the op runs, under which autocast or TF32 switch).
    if (!ownComplete) value = inContext(op, own);
    else if (index.siteKey(path, op.range.start.line, op.range.start.character) !== undefined) {
      const c = largestContext(op);
      value = c ? { chosen: c } : undefined;
    }
    OP_MEMO.set(op, { index, key: memoKey, own, path, value });
    return value;
  }
  function variantsAt(op: TensorOp): ContextOp[] | undefined {
    const k = index.siteKey(path, op.range.start.line, op.range.start.character);
    return k === undefined ? undefined : index.ops.get(k);
  }
  function largestContext(op: TensorOp): ChosenContext | undefined {
    let best: ChosenContext | undefined;
    for (const v of variantsAt(op) ?? []) {
      const f = evaluateCost(v.cost, v.dtype, device, bindings, v.repeat);
      if (!complete(f) || v.cost.unknown) continue;
      if (!best || larger(f, best.figures)) best = { v, figures: f, bindings, calls: index.calls.get(v) ?? 1 };
    }
    return best;
  }
  /** Figures from the largest context that ran the op, else from the code's stated defaults. */
  function inContext(op: TensorOp, own: CostFigures): Omit<Applied, 'k'> | undefined {
    const variants = variantsAt(op);
    const fallback = (): Omit<Applied, 'k'> | undefined => {
      if (assumed.size === 0 || op.cost.unknown) return undefined;
      const f = evaluateCost(op.cost, op.dtype, device, withAssumed, op.repeat);
      if (!complete(f)) return undefined;
      return { figures: f, assumed: used(own.unbound) };
    };
    if (!variants?.length) return fallback();
    let best: { f: CostFigures; v: ContextOp; b: Map<string, number> } | undefined;
    let usedAssumed: Record<string, Assumed> | undefined;
    let each: ContextFigures[] = [];
    // A context that leans on this file's config defaults has numbers only with stated defaults:
    // it competes with the others in the second pass, where those are stated.
    // Found once per op, and only in a file with config classes (most ops have contexts).
    const leaning = a.ir.facts.configDefaults ? new Set(variants.filter((v) => leansOnDefaults(v.context.path, v.cost))) : undefined;
    for (const pass of assumed.size || leaning?.size ? [0, 1] : [0]) {
      each = [];
      for (const v of variants) {
        if (!pass && leaning?.has(v)) continue;
        const b = pass ? assumedFor(v.context.path).bindings : bindings;
        const f = evaluateCost(v.cost, v.dtype, device, b, v.repeat);
        if (!complete(f) || v.cost.unknown) continue;
        each.push({ context: v.context, flops: f.flops, timeSeconds: f.timeSeconds });
        if (!best || larger(f, best.f)) best = { f, v, b };
      }
      if (best) {
        if (pass) usedAssumed = assumedFor(best.v.context.path).used(evaluateCost(best.v.cost, best.v.dtype, device, bindings, best.v.repeat).unbound);
        break;
      }
    }
    if (!best) return fallback();
    usedAssumed = configAssumed(best.v.context.path, openDims(best.v.cost), usedAssumed);
    return {
      figures: best.f,
      context: { figures: best.f, context: best.v.context, count: variants.length, inputs: best.v.inputs, output: best.v.output, dtype: best.v.dtype, ...(each.length > 1 ? { each } : {}) },
      ...(usedAssumed ? { assumed: usedAssumed } : {}),
      chosen: { v: best.v, figures: best.f, bindings: best.b, calls: index.calls.get(best.v) ?? 1 },
    };
  }
  const functions = new Array<FunctionFigures>(nf);
  for (let i = 0; i < nf; i++) {
    const j = sameCompletion ? fnFromLast(i) : -1;
    if (j >= 0) {
      functions[i] = last!.functionsOut[j];
      continue;
    }
    const ff = a.functions[i];
    const hit = FN_MEMO.get(ff);
    if (hit && hit.index === index && hit.key === memoKey) functions[i] = hit.value;
    else {
      functions[i] = completeFunction(ff);
      FN_MEMO.set(ff, { index, key: memoKey, value: functions[i] });
    }
  }
  function completeFunction(ff: FunctionFigures): FunctionFigures {
    const variants = index.functions.get(fnKey(path, ff.summary.name));
    const firm = variants?.filter((v) => !leansOnDefaults(v.context.path, v));
    let done = functionInContext(ff, firm, a, bindings);
    if (!done.context && (!complete(done.figures) || done.incomplete) && variants?.length && (assumed.size > 0 || firm!.length < variants.length)) {
      // Each context with its own run's bounds: the first whose figures become numbers.
      const each: ContextFigures[] = [];
      for (const v of variants) {
        const own = assumedFor(v.context.path);
        const again = functionInContext(ff, [v], a, own.bindings);
        if (!again.context) continue;
        if (!again.incomplete) each.push({ context: v.context, flops: again.figures.flops, timeSeconds: again.figures.timeSeconds });
        const raw = evaluateCost({ flops: v.flops, otherFlops: v.otherFlops, bytes: v.bytes }, 'fp32', device, bindings);
        const candidate = { ...again, contexts: variants.length, assumed: configAssumed(v.context.path, openDims(v), own.used([...new Set([...raw.unbound, ...ff.figures.unbound])])) };
        if (!done.context || larger(candidate.figures, done.figures)) done = candidate;
      }
      // Several contexts with stated defaults are each listed too, as without them (several builders).
      if (done.context && each.length > 1) done = { ...done, each };
    }
    if (done.context || (complete(done.figures) && !done.incomplete) || assumed.size === 0) return done;
    const s = ff.summary;
    const f = evaluateCost({ flops: s.flops, otherFlops: s.otherFlops, bytes: s.bytes }, dtypeOf(a, s), device, withAssumed);
    if (!complete(f)) return done;
    return { ...done, figures: f, assumed: used(done.figures.unbound), ...(s.trains ? { trainingFlops: f.flops === null ? null : 3 * f.flops } : {}) };
  }
  let moduleFigures = a.moduleFigures;
  let moduleAssumed: Record<string, Assumed> | undefined;
  const m = a.ir.moduleSummary;
  if (moduleFigures && m && !complete(moduleFigures) && assumed.size > 0) {
    const f = evaluateCost({ flops: m.flops, otherFlops: m.otherFlops, bytes: m.bytes }, a.ir.facts.defaultDtype ?? a.settings.defaultDtype, device, withAssumed);
    if (complete(f)) {
      moduleAssumed = used(moduleFigures.unbound);
      moduleFigures = f;
    }
  }
  const fnSize = new Array<number>(nf);
  const fnTime = new Array<number>(nf);
  for (let i = 0; i < nf; i++) {
    const j = sameCompletion ? fnFromLast(i) : -1;
    if (j >= 0) {
      fnSize[i] = last!.fnSize[j];
      fnTime[i] = last!.fnTime[j];
    } else {
      const f = functions[i].figures;
      fnSize[i] = f.flops === null ? NaN : f.flops + (f.otherFlops ?? 0);
      fnTime[i] = f.timeSeconds ?? 0;
    }
  }
  const total = fileTotal(a, moduleFigures, functions, { names: fnNames, size: fnSize, time: fnTime });
  // The names by position: the first function of that name, found without reading every function.
  const totalAssumed = total.of === 'top-level code' ? moduleAssumed : total.of === undefined ? undefined : functions[fnNames.indexOf(total.of)]?.assumed;
  // The findings (the rules run again with the contexts' figures) are made when first read: a
  // hover asked right after a keystroke needs figures only, diagnostics pulled after it these.
  const findings = () => {
    const only = contextOnly(a, index, path, memoKey);
    return chosen.length || only.length ? contextFindings(a, figures, chosen, only, (op) => variantsAt(op) ?? []) : a.findings;
  };
  // Which ops' figures still wait for a dim (the hover's view of the dims asks on every keystroke).
  const waits = new Uint8Array(n);
  let from = 0;
  let to = n;
  if (sameCompletion) {
    const lastN = last!.offsets[lastCount];
    waits.set(last!.waits.subarray(0, ends.ops.p));
    waits.set(last!.waits.subarray(lastN - ends.ops.q), n - ends.ops.q);
    from = ends.ops.p;
    to = n - ends.ops.q;
  }
  for (let i = from; i < to; i++) waits[i] = figures[i].unbound.length > 0 ? 1 : 0;
  let waiting = 0;
  for (let i = 0; i < n; i++) waiting += waits[i];
  LAST = { path, segments, offsets, own: a.figures, segUnbound, functionsIn: a.functions, fnUnbound, fnBounds, fnNames, index, key: memoKey, figures, opContexts, opAssumed, chosen, functionsOut: functions, fnSize, fnTime, waits };
  const completed = lazyFindings({
    ...withoutFindings(a),
    figures,
    opContexts,
    opAssumed,
    functions,
    moduleFigures,
    total: total.figures,
    totalOf: total.of,
    ...(total.reasons?.length ? { totalReasons: total.reasons } : {}),
    ...(totalAssumed && Object.keys(totalAssumed).length ? { totalAssumed } : {}),
  }, findings);
  WAITING.set(completed, waiting);
  return completed;
}

const ONLY_MEMO = new WeakMap<ContextOp[], { key: string; value: ChosenContext | undefined }>();

/**
 * Ops that calling contexts ran in this file where its own analysis recorded none (an operand
 * whose shape only the caller knows, split from another op's result): the largest context of
 * each, for the rules (contextFindings.ts). Figures with the user's bindings only.
 */
function contextOnly(a: Analysis, index: ContextIndex, path: string, memoKey: string): ChosenContext[] {
  const keys = index.opKeys.get(path);
  if (!keys?.length) return [];
  // The index's own key strings: an op at a site no context ran has none, and is no key of `keys` either.
  const own = new Set<string>();
  for (const o of a.ir.ops) {
    const k = index.siteKey(path, o.range.start.line, o.range.start.character);
    if (k !== undefined) own.add(k);
  }
  const out: ChosenContext[] = [];
  for (const k of keys) {
    if (own.has(k)) continue;
    const variants = index.ops.get(k)!;
    const hit = ONLY_MEMO.get(variants);
    let value = hit?.key === memoKey ? hit.value : undefined;
    if (!hit || hit.key !== memoKey) {
      for (const v of variants) {
        const f = evaluateCost(v.cost, v.dtype, a.device, a.bindings, v.repeat);
        if (!complete(f) || v.cost.unknown) continue;
        if (!value || larger(f, value.figures)) value = { v, figures: f, bindings: a.bindings, calls: index.calls.get(v) ?? 1 };
      }
      ONLY_MEMO.set(variants, { key: memoKey, value });
    }
    if (value) out.push(value);
  }
  return out;
}

function functionInContext(ff: FunctionFigures, variants: ContextFunction[] | undefined, a: Analysis, bindings: Map<string, number>): FunctionFigures {
  const reasons = ff.summary.reasons;
  const withTraining = (x: FunctionFigures, trains: boolean | undefined, flops: number | null): FunctionFigures =>
    trains ? { ...x, trainingFlops: flops === null ? null : 3 * flops } : x;
  const base: FunctionFigures = { ...ff, incomplete: ff.incomplete || !!reasons?.length, ...(reasons?.length ? { reasons } : {}) };
  if (complete(ff.figures) && !base.incomplete) return withTraining(base, ff.summary.trains, ff.figures.flops);
  if (!variants?.length) return withTraining(base, ff.summary.trains, ff.figures.flops);
  const dtype = dtypeOf(a, ff.summary);
  let best: { f: CostFigures; v: ContextFunction } | undefined;
  // Every context with numbers, for "several → each, and the maximum" (docs/whole-program.md).
  const each: ContextFigures[] = [];
  for (const v of variants) {
    const f = evaluateCost({ flops: v.flops, otherFlops: v.otherFlops, bytes: v.bytes }, dtype, a.device, bindings);
    if (!complete(f)) continue;
    // A context whose figures miss something (reasons) is no figure to list beside the others.
    if (!v.reasons?.length) each.push({ context: v.context, flops: f.flops, timeSeconds: f.timeSeconds });
    if (!best || larger(f, best.f)) best = { f, v };
  }
  if (!best) return withTraining(base, ff.summary.trains, ff.figures.flops);
  const r: Reason[] | undefined = best.v.reasons;
  return withTraining(
    {
      ...ff,
      figures: best.f,
      incomplete: !!r?.length,
      ...(r?.length ? { reasons: r } : { reasons: undefined }),
      context: best.v.context,
      contexts: variants.length,
      ...(each.length > 1 ? { each } : {}),
      upperBound: best.v.upperBound,
    },
    best.v.trains ?? ff.summary.trains,
    best.f.flops,
  );
}

/** The dtype of the function's first GEMM-class op (its roofline placement), else the default. */
function dtypeOf(a: Analysis, s: FunctionSummary) {
  let all = GEMM_DTYPES_OF.get(a);
  if (!all) {
    // The file's, merged once per analysis from its segments' (first in file order wins).
    all = new Map();
    for (const ops of a.ir.segments ?? [a.ir.ops]) for (const [name, dtype] of gemmDtypes(ops)) if (!all.has(name)) all.set(name, dtype);
    GEMM_DTYPES_OF.set(a, all);
  }
  return all.get(s.name) ?? a.ir.facts.defaultDtype ?? a.settings.defaultDtype;
}

const GEMM_DTYPES_OF = new WeakMap<Analysis, Map<string, DType>>();

const GEMM_DTYPES = new WeakMap<readonly TensorOp[], Map<string, DType>>();

/**
 * Per function, the dtype of its first GEMM-class op in a segment of ops, made once per segment:
 * a function completed after a keystroke looked through every op of the file for it.
 */
function gemmDtypes(ops: readonly TensorOp[]): Map<string, DType> {
  let m = GEMM_DTYPES.get(ops);
  if (!m) {
    m = new Map();
    for (const o of ops) if (o.function !== null && GEMM_KINDS.has(o.kind) && !m.has(o.function)) m.set(o.function, o.dtype);
    GEMM_DTYPES.set(ops, m);
  }
  return m;
}

interface Candidate {
  f: CostFigures;
  of: string;
  reasons?: Reason[];
}

/**
 * The file's total: its entry point's figures (the largest entry when several), else its most
 * expensive function's; null figures (with the dims to bind) rather than a number that leaves
 * out what an entry point does; the reasons when the chosen figures are incomplete.
 */
/**
 * The functions' names and completed figures as numbers, by position (`withContexts` keeps them
 * from its last call for the functions a keystroke did not touch): the total is chosen by reading
 * these arrays, not every function object of the file. `size` is FLOPs plus other FLOPs (NaN where
 * the FLOPs are not a number), `time` the time in seconds (0 where none).
 */
interface FunctionNumbers {
  names: readonly string[];
  size: readonly number[];
  time: readonly number[];
}

function fileTotal(a: Analysis, moduleFigures: CostFigures | undefined, functions: FunctionFigures[], numbers: FunctionNumbers): { figures: CostFigures; of?: string; reasons?: Reason[] } {
  const entries = new Set(a.ir.entries ?? []);
  const pick = (cands: Candidate[]) => {
    let best: Candidate | undefined;
    for (const c of cands) if (c.f.flops !== null && (!best || larger(c.f, best.f))) best = c;
    return best;
  };
  const works = (c: Candidate | undefined) => !!c && ((c.f.flops ?? 0) > 0 || (c.f.otherFlops ?? 0) > 0);
  const fromEntries: Candidate[] = [];
  const m = a.ir.moduleSummary;
  // A script's top-level code is its run: when it computes anything, numbers or not, it is the total.
  if (entries.has('<module>') && moduleFigures && m && (!m.flops.isZero() || !m.otherFlops.isZero())) {
    return { figures: moduleFigures, of: 'top-level code', reasons: m.reasons };
  }
  if (entries.has('<module>') && moduleFigures) fromEntries.push({ f: moduleFigures, of: 'top-level code', reasons: m?.reasons });
  if (entries.size) for (let i = 0; i < functions.length; i++) if (entries.has(numbers.names[i])) fromEntries.push({ f: functions[i].figures, of: numbers.names[i], reasons: functions[i].reasons });
  const e = pick(fromEntries);
  if (works(e)) return { figures: e!.f, of: e!.of, reasons: e!.reasons };
  // An entry point whose figures wait for dims, or that computes nothing the engine could follow,
  // says so (top-level code first: a script's run), never a silent 0.
  const waiting = fromEntries.find((c) => c.f.flops === null) ?? fromEntries.find((c) => c.reasons?.length);
  if (waiting) return { figures: waiting.f, of: waiting.of, reasons: waiting.reasons };
  // The most expensive function, found without a candidate object per function (a file has hundreds).
  // (`larger` on the numbers: FLOPs first, then time; the first of equals.)
  let best = -1;
  const { size, time } = numbers;
  for (let i = 0; i < functions.length; i++) if (!Number.isNaN(size[i]) && (best < 0 || (size[i] !== size[best] ? size[i] > size[best] : time[i] > time[best]))) best = i;
  const most = best < 0 ? undefined : functions[best];
  if (most && (most.figures.flops ?? 0) > 0) return { figures: most.figures, of: most.summary.name, reasons: most.reasons };
  // A function that waits for dims comes before one whose numbers are elementwise work only (a
  // constructor filling a positional table): the model's forward is what the file computes. Of
  // several, the one whose formula has the most terms (a model's forward has its layers'), the
  // later of equals (a file defines its blocks before the model that runs them).
  let symbolic: FunctionFigures | undefined;
  for (const ff of functions) {
    if (ff.figures.flops !== null || ff.figures.unbound.length === 0) continue;
    if (!symbolic || ff.summary.flops.termCount() >= symbolic.summary.flops.termCount()) symbolic = ff;
  }
  if (symbolic) return { figures: symbolic.figures, of: symbolic.summary.name, reasons: symbolic.reasons };
  // A function whose operands have shapes nobody gives, or whose callee is unknown (a model's
  // `forward` with no caller in the program, aiayn's `Translator` of a model read from a
  // checkpoint), has no figures: the file says which and why, never a helper's elementwise work
  // as its silent 0 FLOPs.
  // Of several, the one whose known work has the most terms (it calls the most), the later of equals.
  let unknown: FunctionFigures | undefined;
  const work = (ff: FunctionFigures) => ff.summary.flops.termCount() + ff.summary.otherFlops.termCount();
  for (const ff of functions) if (ff.incomplete && ff.reasons?.length && (!unknown || work(ff) >= work(unknown))) unknown = ff;
  if (unknown) {
    const f = unknown.figures;
    // Nothing known is not zero (as for a function in the JSON report).
    const none = (f.flops ?? 0) === 0 && (f.otherFlops ?? 0) === 0;
    return { figures: none ? { ...f, flops: null, otherFlops: null, bytes: null, timeSeconds: null } : f, of: unknown.summary.name, reasons: unknown.reasons };
  }
  if (most && works({ f: most.figures, of: most.summary.name })) return { figures: most.figures, of: most.summary.name, reasons: most.reasons };
  return { figures: a.total };
}
