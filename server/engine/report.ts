/** The JSON report of `tensorcost check` (SPEC §14, version 1), built from analyses. */
import { CostFigures } from '../core/cost/evaluate';
import { ContextRef, Range, Reason, TensorOp, TensorType } from '../core/ir';
import { Analysis } from './analyze';
import type { OpInContext } from './contexts';
import { isMadeUpDim, userFacing } from '../core/symbolic';

export interface JsonOp {
  kind: string;
  name: string;
  range: Range;
  function: string | null;
  inputs: (string | number)[][] | null[];
  output: (string | number)[] | null;
  dtype: string;
  flops: number | null;
  flopsFormula: string;
  macs: number | null;
  otherFlops: number | null;
  bytes: number | null;
  intensity: number | null;
  bound: 'memory' | 'compute' | null;
  timeSeconds: number | null;
  unbound: string[];
  repeat?: string;
  /** The calling context the figures (and shapes) come from (docs/whole-program.md). */
  context?: JsonContext;
  /** Several calling contexts: each with its figures (`context` and the figures are the largest's). */
  contexts?: (JsonContext & { flops: number | null; timeSeconds: number | null })[];
  /** Stated defaults the figures used: `{"t": {"value": 1024, "from": "assert at line 172"}}`. */
  assumed?: Record<string, { value: number; from: string }>;
}

/** A calling context: the entry point's file, 0-based line of the call, and function. */
export interface JsonContext {
  path: string;
  line: number;
  function: string;
}

export interface JsonReason {
  message: string;
  range: Range;
  path?: string;
}

export interface JsonFile {
  path: string;
  language: string;
  ops: JsonOp[];
  functions: {
    name: string;
    range: Range;
    flops: number | null;
    flopsFormula: string;
    otherFlops: number | null;
    bytes: number | null;
    timeSeconds: number | null;
    upperBound: boolean;
    unbound: string[];
    /** Some ops of the function had unknown operand shapes: their cost is missing from the totals. */
    incomplete?: boolean;
    /** Trainable parameters of the method's class, where counted. */
    params?: number | string;
    /** Fields of the class called as modules that `params` does not count: it is a lower bound. */
    paramsUncounted?: string[];
    /** Why the figures are not the whole truth (a lower bound, or null). */
    reasons?: JsonReason[];
    context?: JsonContext;
    /** Several calling contexts: each with its figures (`context` and the figures are the largest's). */
    contexts?: (JsonContext & { flops: number | null; timeSeconds: number | null })[];
    /** Forward plus backward FLOPs of a training step (backward = 2× forward, matmul-class work). */
    trainingFlops?: number | null;
    assumed?: Record<string, { value: number; from: string }>;
  }[];
  diagnostics: { code: string; severity: string; message: string; range: Range }[];
  unmodelled: { name: string; range: Range }[];
  totals: {
    flops: number | null;
    otherFlops: number | null;
    bytes: number | null;
    timeSeconds: number | null;
    of?: string;
    /** The dims a figure that is null waits for (`?` for sizes the analysis could not read). */
    unbound?: string[];
    /** With FLOPs null only for sizes the analysis could not read: the FLOPs it could (`totalAtLeast`). */
    flopsAtLeast?: number;
    incomplete?: boolean;
    reasons?: JsonReason[];
    assumed?: Record<string, { value: number; from: string }>;
  };
}

export interface JsonReport {
  version: 1;
  device: string;
  files: JsonFile[];
}

/** The unbound dims a user can bind; sizes nobody gave are one `?`. */
function unboundJson(names: readonly string[]): string[] {
  const out = names.map((n) => (isMadeUpDim(n) ? '?' : n));
  return [...new Set(out)];
}

/** A dim is written as its number when constant, else as its formula (`"B"`, `"C//nh"`). */
export function shapeJson(t: TensorType): (string | number)[] | null {
  if (!t.shape) return null;
  return t.shape.map((d) => d.constValue() ?? userFacing(d.toString()));
}

function fig(f: CostFigures) {
  return { flops: f.flops, otherFlops: f.otherFlops, bytes: f.bytes, timeSeconds: f.timeSeconds };
}

export function contextJson(c: ContextRef, rel?: (p: string) => string): JsonContext {
  return { path: rel ? rel(c.path) : c.path, line: c.line, function: c.function };
}

function reasonJson(r: Reason, rel?: (p: string) => string): JsonReason {
  return { message: r.message, range: r.range, ...(r.path ? { path: rel ? rel(r.path) : r.path } : {}) };
}

/** One op with its figures, as the JSON report and the editor's custom requests show it. */
export function opJson(op: TensorOp, f: CostFigures, ctx?: OpInContext, rel?: (p: string) => string, assumed?: Record<string, { value: number; from: string }>): JsonOp {
  const formula = op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops;
  return {
    kind: op.kind,
    name: op.name,
    range: op.range,
    function: op.function,
    inputs: (ctx ? ctx.inputs : op.inputs).map(shapeJson) as (string | number)[][],
    output: shapeJson(ctx ? ctx.output : op.output),
    dtype: ctx ? ctx.dtype : op.dtype,
    flops: f.flops,
    flopsFormula: op.cost.unknown ? '?' : userFacing(formula.toString()),
    macs: f.macs,
    otherFlops: f.otherFlops,
    bytes: f.bytes,
    intensity: f.intensity,
    bound: f.bound,
    timeSeconds: f.timeSeconds,
    unbound: unboundJson(f.unbound),
    ...(op.repeat ? { repeat: userFacing(op.repeat.toString()) } : {}),
    ...(ctx ? { context: contextJson(ctx.context, rel), ...(ctx.each && ctx.each.length > 1 ? { contexts: ctx.each.map((e) => ({ ...contextJson(e.context, rel), flops: e.flops, timeSeconds: e.timeSeconds })) } : {}) } : {}),
    ...(assumed && Object.keys(assumed).length ? { assumed } : {}),
  };
}

export function fileJson(a: Analysis, rel?: (p: string) => string): JsonFile {
  return {
    path: a.ir.path,
    language: a.ir.language,
    ops: a.ir.ops.map((op, i) => opJson(op, a.figures[i], a.opContexts?.[i], rel, a.opAssumed?.[i])),
    functions: a.functions.map(({ summary, figures, incomplete, reasons, context, each, trainingFlops, upperBound, assumed }) => ({
      name: summary.name,
      range: summary.range,
      ...fig(figures),
      // Nothing known is not zero: a function whose only ops have unknown shapes has no figure.
      ...(incomplete && summary.flops.isZero() && summary.otherFlops.isZero() ? { flops: null, otherFlops: null, bytes: null, timeSeconds: null } : {}),
      ...(incomplete ? { incomplete: true } : {}),
      flopsFormula: context ? String(figures.flops) : incomplete && summary.flops.isZero() ? '?' : userFacing(summary.flops.toString()),
      upperBound: upperBound ?? summary.upperBound,
      unbound: unboundJson(figures.unbound),
      ...(summary.params ? { params: summary.params.evaluate(a.bindings) ?? summary.params.toString() } : {}),
      ...(summary.paramsUncounted ? { paramsUncounted: summary.paramsUncounted } : {}),
      ...(reasons?.length ? { reasons: reasons.map((r) => reasonJson(r, rel)) } : {}),
      ...(context ? { context: contextJson(context, rel), ...(each && each.length > 1 ? { contexts: each.map((e) => ({ ...contextJson(e.context, rel), flops: e.flops, timeSeconds: e.timeSeconds })) } : {}) } : {}),
      ...(trainingFlops !== undefined ? { trainingFlops } : {}),
      ...(assumed && Object.keys(assumed).length ? { assumed } : {}),
    })),
    diagnostics: a.findings.map((d) => ({ code: d.code, severity: d.severity, message: d.message, range: d.range })),
    unmodelled: a.ir.unmodelled,
    totals: totalsJson(a, rel),
  };
}

function totalsJson(a: Analysis, rel?: (p: string) => string): JsonFile['totals'] {
  const t = a.total;
  const waits = (t.flops === null || t.bytes === null || t.timeSeconds === null) && t.unbound.length > 0;
  const atLeast = totalAtLeast(a);
  return {
    ...fig(t),
    ...(a.totalOf ? { of: a.totalOf } : {}),
    ...(waits ? { unbound: unboundJson(t.unbound) } : {}),
    ...(atLeast !== null ? { flopsAtLeast: atLeast } : {}),
    ...(a.totalReasons?.length ? { incomplete: true, reasons: a.totalReasons.map((r) => reasonJson(r, rel)) } : {}),
    ...(a.totalAssumed ? { assumed: a.totalAssumed } : {}),
  };
}

/**
 * The FLOPs a total is at least when it has no number only for sizes the analysis could not read
 * (made-up dims, shown `?`: a dataset's length, a tokenizer's prompt): its terms free of them,
 * when every other term is surely positive (`Poly.lowerBound`). Null while a named dim waits to
 * be bound (binding it gives the number), or when the figures came from a calling context.
 */
export function totalAtLeast(a: Analysis): number | null {
  const t = a.total;
  if (t.flops !== null || t.unbound.length === 0 || !t.unbound.every(isMadeUpDim)) return null;
  const fn = a.totalOf === 'top-level code' ? undefined : a.functions.find((f) => f.summary.name === a.totalOf);
  if (fn?.context) return null;
  const summary = a.totalOf === 'top-level code' ? a.ir.moduleSummary : fn?.summary;
  // The costlier of undecided branches counted is no floor: the run may take the cheaper one.
  if (!summary || summary.upperBound) return null;
  const poly = summary.flops;
  const bindings = new Map(a.bindings);
  for (const [k, v] of Object.entries(a.totalAssumed ?? {})) if (!bindings.has(k)) bindings.set(k, v.value);
  const value = poly.lowerBound(bindings, isMadeUpDim);
  return value !== null && value > 0 ? value : null;
}

export function reportJson(analyses: Analysis[], deviceId: string, rel?: (p: string) => string): JsonReport {
  return { version: 1, device: deviceId, files: analyses.map((a) => fileJson(a, rel)) };
}

/** `totalAtLeast` as an optional field of a message (the status bar's notification). */
export function atLeastOf(a: Analysis): { flopsAtLeast?: number } {
  const v = totalAtLeast(a);
  return v === null ? {} : { flopsAtLeast: v };
}
