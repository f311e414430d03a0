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
import { ContextFunction, ContextOp, ContextRef, FileIR, FunctionSummary, Reason, TensorType } from '../core/ir';
import type { Analysis, FunctionFigures } from './analyze';
import { GEMM_KINDS } from '../core/ir';

export interface ContextIndex {
  ops: Map<string, ContextOp[]>;
  functions: Map<string, ContextFunction[]>;
}

const opKey = (path: string, line: number, character: number) => `${path}\0${line}:${character}`;
const fnKey = (path: string, name: string) => `${path}\0${name}`;

/** Most distinct contexts kept per op or function. */
const MAX_VARIANTS = 16;

/** The contexts recorded by a set of analyses, by the file and op (or function) they ran. */
export function buildContextIndex(irs: Iterable<FileIR>): ContextIndex {
  const ops = new Map<string, ContextOp[]>();
  const functions = new Map<string, ContextFunction[]>();
  for (const ir of irs) {
    for (const o of ir.captured?.ops ?? []) {
      const k = opKey(o.path, o.range.start.line, o.range.start.character);
      const list = ops.get(k) ?? [];
      if (list.length < MAX_VARIANTS && !list.some((x) => sameCost(x, o))) list.push(o);
      ops.set(k, list);
    }
    for (const f of ir.captured?.functions ?? []) {
      const k = fnKey(f.path, f.name);
      const list = functions.get(k) ?? [];
      if (list.length < MAX_VARIANTS && !list.some((x) => x.flops.equals(f.flops) && x.otherFlops.equals(f.otherFlops) && x.bytes.equals(f.bytes))) list.push(f);
      functions.set(k, list);
    }
  }
  return { ops, functions };
}

function sameCost(a: ContextOp, b: ContextOp): boolean {
  return a.cost.flops.equals(b.cost.flops) && a.cost.bytes.equals(b.cost.bytes) && a.cost.otherFlops.equals(b.cost.otherFlops) && (a.repeat?.toString() ?? '') === (b.repeat?.toString() ?? '') && a.dtype === b.dtype;
}

/** An op's figures in the calling context they come from. */
export interface OpInContext {
  figures: CostFigures;
  context: ContextRef;
  /** How many distinct contexts ran the op (the figures are the largest's). */
  count: number;
  inputs: TensorType[];
  output: TensorType;
}

const complete = (f: CostFigures) => f.flops !== null && f.otherFlops !== null && f.bytes !== null && f.unbound.length === 0;

/** Larger first: FLOPs, then time. */
function larger(a: CostFigures, b: CostFigures): boolean {
  const fa = (a.flops ?? 0) + (a.otherFlops ?? 0);
  const fb = (b.flops ?? 0) + (b.otherFlops ?? 0);
  return fa !== fb ? fa > fb : (a.timeSeconds ?? 0) > (b.timeSeconds ?? 0);
}

/**
 * `a` completed with the contexts of `index`: a new analysis object (the figures arrays are
 * copied where they change; what the incremental engine memoises is never modified in place).
 */
export function withContexts(a: Analysis, index: ContextIndex): Analysis {
  const path = a.ir.programPath ?? a.ir.path;
  const { device, bindings } = a;
  let figures = a.figures;
  const opContexts: (OpInContext | undefined)[] = [];
  a.ir.ops.forEach((op, i) => {
    const own = a.figures[i];
    if (complete(own) && !op.cost.unknown) return;
    const variants = index.ops.get(opKey(path, op.range.start.line, op.range.start.character));
    if (!variants?.length) return;
    let best: { f: CostFigures; v: ContextOp } | undefined;
    for (const v of variants) {
      const f = evaluateCost(v.cost, v.dtype, device, bindings, v.repeat);
      if (!complete(f) || v.cost.unknown) continue;
      if (!best || larger(f, best.f)) best = { f, v };
    }
    if (!best) return;
    if (figures === a.figures) figures = a.figures.slice();
    figures[i] = best.f;
    opContexts[i] = { figures: best.f, context: best.v.context, count: variants.length, inputs: best.v.inputs, output: best.v.output };
  });
  const functions = a.functions.map((ff) => functionInContext(ff, index.functions.get(fnKey(path, ff.summary.name)), a));
  const total = fileTotal(a, functions);
  return { ...a, figures, opContexts, functions, total: total.figures, totalOf: total.of };
}

function functionInContext(ff: FunctionFigures, variants: ContextFunction[] | undefined, a: Analysis): FunctionFigures {
  const reasons = ff.summary.reasons;
  const withTraining = (x: FunctionFigures, trains: boolean | undefined, flops: number | null): FunctionFigures =>
    trains ? { ...x, trainingFlops: flops === null ? null : 3 * flops } : x;
  const base: FunctionFigures = { ...ff, incomplete: ff.incomplete || !!reasons?.length, ...(reasons?.length ? { reasons } : {}) };
  if (complete(ff.figures) && !base.incomplete) return withTraining(base, ff.summary.trains, ff.figures.flops);
  if (!variants?.length) return withTraining(base, ff.summary.trains, ff.figures.flops);
  const dtype = ff.figures.peak !== undefined ? dtypeOf(a, ff.summary) : a.settings.defaultDtype;
  let best: { f: CostFigures; v: ContextFunction } | undefined;
  for (const v of variants) {
    const f = evaluateCost({ flops: v.flops, otherFlops: v.otherFlops, bytes: v.bytes }, dtype, a.device, a.bindings);
    if (!complete(f)) continue;
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

function fileTotal(a: Analysis, functions: FunctionFigures[]): { figures: CostFigures; of?: string } {
  const entries = new Set(a.ir.entries ?? []);
  const pick = (cands: { f: CostFigures; of: string }[]) => {
    let best: { f: CostFigures; of: string } | undefined;
    for (const c of cands) if (c.f.flops !== null && (!best || larger(c.f, best.f))) best = c;
    return best;
  };
  const fromEntries: { f: CostFigures; of: string }[] = [];
  if (entries.has('<module>') && a.moduleFigures) fromEntries.push({ f: a.moduleFigures, of: 'top-level code' });
  for (const ff of functions) if (entries.has(ff.summary.name)) fromEntries.push({ f: ff.figures, of: ff.summary.name });
  const e = pick(fromEntries);
  if (e && ((e.f.flops ?? 0) > 0 || (e.f.otherFlops ?? 0) > 0)) return { figures: e.f, of: e.of };
  const fn = pick(functions.map((ff) => ({ f: ff.figures, of: ff.summary.name })));
  if (fn && ((fn.f.flops ?? 0) > 0 || (fn.f.otherFlops ?? 0) > 0)) return { figures: fn.f, of: fn.of };
  return { figures: a.total };
}
