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
import { AssertedBound, ContextFunction, ContextOp, ContextRef, FileIR, FunctionSummary, Reason, TensorOp, TensorType } from '../core/ir';
import { Analysis, FunctionFigures, lazyFindings, withoutFindings } from './analyze';
import type { DType } from '../core/dtypes';
import { GEMM_KINDS } from '../core/ir';
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
}

const opKey = (path: string, line: number, character: number) => `${path}\0${line}:${character}`;
const fnKey = (path: string, name: string) => `${path}\0${name}`;

/** Most distinct contexts kept per op or function. */
const MAX_VARIANTS = 16;

/** The contexts recorded by a set of analyses, by the file and op (or function) they ran. */
export function buildContextIndex(irs: Iterable<FileIR>): ContextIndex {
  const ops = new Map<string, ContextOp[]>();
  const functions = new Map<string, ContextFunction[]>();
  const bounds = new Map<string, AssertedBound>();
  const boundsByFile = new Map<string, Map<string, AssertedBound>>();
  const calls = new Map<ContextOp, number>();
  const opKeys = new Map<string, string[]>();
  for (const ir of irs) {
    for (const [k, b] of ir.captured?.bounds ?? []) if (!bounds.has(k)) bounds.set(k, b);
    if (ir.captured?.bounds?.length) boundsByFile.set(ir.programPath ?? ir.path, new Map(ir.captured.bounds));
    for (const o of ir.captured?.ops ?? []) {
      const k = opKey(o.path, o.range.start.line, o.range.start.character);
      const list = ops.get(k) ?? [];
      const same = list.find((x) => sameCost(x, o));
      if (same && same.context.path === o.context.path && same.context.line === o.context.line) calls.set(same, (calls.get(same) ?? outerCalls(same)) + outerCalls(o));
      else if (list.length < MAX_VARIANTS && !same) {
        list.push(o);
        if (o.outer) calls.set(o, outerCalls(o));
      }
      if (!ops.has(k)) {
        const keys = opKeys.get(o.path) ?? [];
        keys.push(k);
        opKeys.set(o.path, keys);
      }
      ops.set(k, list);
    }
    for (const f of ir.captured?.functions ?? []) {
      const k = fnKey(f.path, f.name);
      const list = functions.get(k) ?? [];
      if (list.length < MAX_VARIANTS && !list.some((x) => x.flops.equals(f.flops) && x.otherFlops.equals(f.otherFlops) && x.bytes.equals(f.bytes))) list.push(f);
      functions.set(k, list);
    }
  }
  return { ops, functions, bounds, boundsByFile, calls, opKeys };
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
const OP_MEMO = new WeakMap<TensorOp, { index: ContextIndex; key: string; own: CostFigures; path: string; figures?: CostFigures; context?: OpInContext; assumed?: Record<string, Assumed>; chosen?: ChosenContext }>();

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
function assumedDims(a: Analysis, unbound: Iterable<string>, index: ContextIndex): Map<string, Assumed> {
  const out = new Map<string, Assumed>();
  for (const f of a.functions) for (const [k, b] of Object.entries(f.summary.bounds ?? {})) if (!out.has(k) && !a.bindings.has(k)) out.set(k, { value: b.value, from: `assert at line ${b.line + 1}` });
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
  let figures = a.figures;
  const opContexts: (OpInContext | undefined)[] = [];
  const unboundAll = new Set<string>();
  for (const f of a.figures) for (const u of f.unbound) unboundAll.add(u);
  for (const f of a.functions) for (const u of f.figures.unbound) unboundAll.add(u);
  for (const u of a.moduleFigures?.unbound ?? []) unboundAll.add(u);
  const assumed = assumedDims(a, unboundAll, index);
  const withAssumed = new Map(bindings);
  for (const [k, v] of assumed) if (!withAssumed.has(k)) withAssumed.set(k, v.value);
  const opAssumed: (Record<string, Assumed> | undefined)[] = [];
  /** Per op, the context whose figures the rules read again (contextFindings.ts). */
  const chosen: (ChosenContext | undefined)[] = [];
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
  // Ops of statements an edit did not touch are the same objects as last time, and so are their
  // figures: what they were completed with is remembered while the index and defaults are.
  const memoKey = `${device.id}\0${[...bindings].join(',')}\0${[...assumed].map(([k, v]) => `${k}=${v.value}`).join(',')}`;
  // Ops no context ran and whose own figures are numbers are remembered too (with nothing to
  // apply): telling them apart means a key string per op, thousands per keystroke.
  a.ir.ops.forEach((op, i) => {
    const own = a.figures[i];
    const hit = OP_MEMO.get(op);
    if (hit && hit.index === index && hit.key === memoKey && hit.own === own && hit.path === path) {
      if (hit.figures) {
        if (figures === a.figures) figures = a.figures.slice();
        figures[i] = hit.figures;
      }
      if (hit.context) opContexts[i] = hit.context;
      if (hit.assumed) opAssumed[i] = hit.assumed;
      if (hit.chosen) chosen[i] = hit.chosen;
      return;
    }
    const ownComplete = complete(own) && !op.cost.unknown;
    if (ownComplete && !index.ops.has(opKey(path, op.range.start.line, op.range.start.character))) {
      OP_MEMO.set(op, { index, key: memoKey, own, path });
      return;
    }
    const before = figures[i];
    // Figures that are numbers on their own stay; the rules still read the contexts' calls and
    // dtypes (how often the op runs, under which autocast or TF32 switch).
    if (ownComplete) chosen[i] = largestContext(op);
    else completeOp(op, i, own);
    OP_MEMO.set(op, { index, key: memoKey, own, path, figures: figures[i] !== before ? figures[i] : undefined, context: opContexts[i], assumed: opAssumed[i], chosen: chosen[i] });
  });
  function largestContext(op: TensorOp): ChosenContext | undefined {
    let best: ChosenContext | undefined;
    for (const v of index.ops.get(opKey(path, op.range.start.line, op.range.start.character)) ?? []) {
      const f = evaluateCost(v.cost, v.dtype, device, bindings, v.repeat);
      if (!complete(f) || v.cost.unknown) continue;
      if (!best || larger(f, best.figures)) best = { v, figures: f, bindings, calls: index.calls.get(v) ?? 1 };
    }
    return best;
  }
  function completeOp(op: TensorOp, i: number, own: CostFigures): void {
    const variants = index.ops.get(opKey(path, op.range.start.line, op.range.start.character));
    const fallback = () => {
      if (assumed.size === 0 || op.cost.unknown) return;
      const f = evaluateCost(op.cost, op.dtype, device, withAssumed, op.repeat);
      if (!complete(f)) return;
      if (figures === a.figures) figures = a.figures.slice();
      figures[i] = f;
      opAssumed[i] = used(own.unbound);
    };
    if (!variants?.length) return fallback();
    let best: { f: CostFigures; v: ContextOp; b: Map<string, number> } | undefined;
    let usedAssumed: Record<string, Assumed> | undefined;
    let each: ContextFigures[] = [];
    for (const pass of assumed.size ? [0, 1] : [0]) {
      each = [];
      for (const v of variants) {
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
    if (usedAssumed) opAssumed[i] = usedAssumed;
    if (figures === a.figures) figures = a.figures.slice();
    figures[i] = best.f;
    opContexts[i] = { figures: best.f, context: best.v.context, count: variants.length, inputs: best.v.inputs, output: best.v.output, dtype: best.v.dtype, ...(each.length > 1 ? { each } : {}) };
    chosen[i] = { v: best.v, figures: best.f, bindings: best.b, calls: index.calls.get(best.v) ?? 1 };
  }
  const functions = a.functions.map((ff) => {
    const hit = FN_MEMO.get(ff);
    if (hit && hit.index === index && hit.key === memoKey) return hit.value;
    const value = completeFunction(ff);
    FN_MEMO.set(ff, { index, key: memoKey, value });
    return value;
  });
  function completeFunction(ff: FunctionFigures): FunctionFigures {
    const variants = index.functions.get(fnKey(path, ff.summary.name));
    let done = functionInContext(ff, variants, a, bindings);
    if (!done.context && (!complete(done.figures) || done.incomplete) && assumed.size > 0 && variants?.length) {
      // Each context with its own run's bounds: the first whose figures become numbers.
      const each: ContextFigures[] = [];
      for (const v of variants) {
        const own = assumedFor(v.context.path);
        const again = functionInContext(ff, [v], a, own.bindings);
        if (!again.context) continue;
        if (!again.incomplete) each.push({ context: v.context, flops: again.figures.flops, timeSeconds: again.figures.timeSeconds });
        const raw = evaluateCost({ flops: v.flops, otherFlops: v.otherFlops, bytes: v.bytes }, 'fp32', device, bindings);
        const candidate = { ...again, contexts: variants.length, assumed: own.used([...new Set([...raw.unbound, ...ff.figures.unbound])]) };
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
  const total = fileTotal(a, moduleFigures, functions);
  const totalAssumed = total.of === 'top-level code' ? moduleAssumed : functions.find((f) => f.summary.name === total.of)?.assumed;
  // The findings (the rules run again with the contexts' figures) are made when first read: a
  // hover asked right after a keystroke needs figures only, diagnostics pulled after it these.
  const findings = () => {
    const only = contextOnly(a, index, path, memoKey);
    return chosen.length || only.length ? contextFindings(a, figures, chosen, only, (op) => index.ops.get(opKey(path, op.range.start.line, op.range.start.character)) ?? []) : a.findings;
  };
  return lazyFindings({
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
  const own = new Set(a.ir.ops.map((o) => opKey(path, o.range.start.line, o.range.start.character)));
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
  const op = a.ir.ops.find((o) => o.function === s.name && GEMM_KINDS.has(o.kind));
  return op?.dtype ?? a.ir.facts.defaultDtype ?? a.settings.defaultDtype;
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
function fileTotal(a: Analysis, moduleFigures: CostFigures | undefined, functions: FunctionFigures[]): { figures: CostFigures; of?: string; reasons?: Reason[] } {
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
  for (const ff of functions) if (entries.has(ff.summary.name)) fromEntries.push({ f: ff.figures, of: ff.summary.name, reasons: ff.reasons });
  const e = pick(fromEntries);
  if (works(e)) return { figures: e!.f, of: e!.of, reasons: e!.reasons };
  // An entry point whose figures wait for dims, or that computes nothing the engine could follow,
  // says so (top-level code first: a script's run), never a silent 0.
  const waiting = fromEntries.find((c) => c.f.flops === null) ?? fromEntries.find((c) => c.reasons?.length);
  if (waiting) return { figures: waiting.f, of: waiting.of, reasons: waiting.reasons };
  const fn = pick(functions.map((ff) => ({ f: ff.figures, of: ff.summary.name, reasons: ff.reasons })));
  if (works(fn)) return { figures: fn!.f, of: fn!.of, reasons: fn!.reasons };
  const symbolic = functions.find((ff) => ff.figures.flops === null && ff.figures.unbound.length > 0);
  if (symbolic) return { figures: symbolic.figures, of: symbolic.summary.name, reasons: symbolic.reasons };
  // A function whose operands have shapes nobody gives (a model's `forward` with no caller in
  // the program) has no figures: the file says which and why, never a silent 0.
  const unknown = functions.find((ff) => ff.incomplete && ff.reasons?.length);
  if (unknown) {
    const f = unknown.figures;
    // Nothing known is not zero (as for a function in the JSON report).
    const none = (f.flops ?? 0) === 0 && (f.otherFlops ?? 0) === 0;
    return { figures: none ? { ...f, flops: null, otherFlops: null, bytes: null, timeSeconds: null } : f, of: unknown.summary.name, reasons: unknown.reasons };
  }
  return { figures: a.total };
}
