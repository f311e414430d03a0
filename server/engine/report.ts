/** The JSON report of `tensorcost check` (SPEC §14, version 1), built from analyses. */
import { CostFigures } from '../core/cost/evaluate';
import { Range, TensorOp, TensorType } from '../core/ir';
import { Analysis } from './analyze';

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
  }[];
  diagnostics: { code: string; severity: string; message: string; range: Range }[];
  unmodelled: { name: string; range: Range }[];
  totals: { flops: number | null; otherFlops: number | null; bytes: number | null; timeSeconds: number | null };
}

export interface JsonReport {
  version: 1;
  device: string;
  files: JsonFile[];
}

/** A dim is written as its number when constant, else as its formula (`"B"`, `"C//nh"`). */
export function shapeJson(t: TensorType): (string | number)[] | null {
  if (!t.shape) return null;
  return t.shape.map((d) => d.constValue() ?? d.toString());
}

function fig(f: CostFigures) {
  return { flops: f.flops, otherFlops: f.otherFlops, bytes: f.bytes, timeSeconds: f.timeSeconds };
}

/** One op with its figures, as the JSON report and the editor's custom requests show it. */
export function opJson(op: TensorOp, f: CostFigures): JsonOp {
  const formula = op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops;
  return {
    kind: op.kind,
    name: op.name,
    range: op.range,
    function: op.function,
    inputs: op.inputs.map(shapeJson) as (string | number)[][],
    output: shapeJson(op.output),
    dtype: op.dtype,
    flops: f.flops,
    flopsFormula: op.cost.unknown ? '?' : formula.toString(),
    macs: f.macs,
    otherFlops: f.otherFlops,
    bytes: f.bytes,
    intensity: f.intensity,
    bound: f.bound,
    timeSeconds: f.timeSeconds,
    unbound: f.unbound,
    ...(op.repeat ? { repeat: op.repeat.toString() } : {}),
  };
}

export function fileJson(a: Analysis): JsonFile {
  return {
    path: a.ir.path,
    language: a.ir.language,
    ops: a.ir.ops.map((op, i) => opJson(op, a.figures[i])),
    functions: a.functions.map(({ summary, figures, incomplete }) => ({
      name: summary.name,
      range: summary.range,
      ...fig(figures),
      // Nothing known is not zero: a function whose only ops have unknown shapes has no figure.
      ...(incomplete && summary.flops.isZero() && summary.otherFlops.isZero() ? { flops: null, otherFlops: null, bytes: null, timeSeconds: null } : {}),
      ...(incomplete ? { incomplete: true } : {}),
      flopsFormula: incomplete && summary.flops.isZero() ? '?' : summary.flops.toString(),
      upperBound: summary.upperBound,
      unbound: figures.unbound,
      ...(summary.params ? { params: summary.params.evaluate(a.bindings) ?? summary.params.toString() } : {}),
    })),
    diagnostics: a.findings.map((d) => ({ code: d.code, severity: d.severity, message: d.message, range: d.range })),
    unmodelled: a.ir.unmodelled,
    totals: fig(a.total),
  };
}

export function reportJson(analyses: Analysis[], deviceId: string): JsonReport {
  return { version: 1, device: deviceId, files: analyses.map(fileJson) };
}
