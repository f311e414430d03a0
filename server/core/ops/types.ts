/**
 * The contract every operation's shape-and-cost rule follows. Frontends call these rules with the
 * operand types they inferred; the rules are language-neutral and know nothing of syntax.
 */
import { DTYPE_BYTES, DType } from '../dtypes';
import { Dim, OpCost, OpKind, TensorType } from '../ir';
import { Bindings, Poly, product } from '../symbolic';

export interface OpContext {
  /** Dim values known so far, used only to prove two dims different (TC002). */
  bindings: Bindings;
  /** The dtype the op computes in when operands do not say (autocast, settings). */
  dtype: DType;
}

export interface OpResult {
  kind: OpKind;
  output: TensorType;
  cost: OpCost;
  attrs: Record<string, unknown>;
  /** A shape error (TC002): the message names both shapes. The output is then best-effort. */
  error?: string;
}

/** Two dims are provably different only when both have known, different values. */
export function dimsDiffer(a: Dim, b: Dim, bindings: Bindings): boolean {
  const x = a.evaluate(bindings);
  const y = b.evaluate(bindings);
  return x !== null && y !== null && x !== y;
}

/** Dims are taken as equal when they are the same formula or evaluate to the same number. */
export function dimsEqual(a: Dim, b: Dim, bindings: Bindings): boolean {
  if (a.equals(b)) return true;
  const x = a.evaluate(bindings);
  const y = b.evaluate(bindings);
  return x !== null && x === y;
}

export function shapeText(shape: readonly Dim[] | null): string {
  if (shape === null) return '(?)';
  return `(${shape.map((d) => d.toString()).join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** The element count of a shape. */
export function numel(shape: readonly Dim[]): Dim {
  return product(shape);
}

/** Bytes of a tensor of this shape in this dtype. */
export function tensorBytes(shape: readonly Dim[], dtype: DType): Dim {
  return product(shape).scale(DTYPE_BYTES[dtype]);
}

/** A Python-style axis (negative counts from the end) as an index, or undefined when out of range. */
export function normAxis(axis: number, rank: number): number | undefined {
  const a = axis < 0 ? axis + rank : axis;
  return Number.isInteger(a) && a >= 0 && a < rank ? a : undefined;
}

/** The cost of an op we can shape but not price: operands unknown. */
export function unknownOpCost(): OpCost {
  return { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO, unknown: true, notes: ['operand shapes unknown: cost not computed'] };
}

/** A result whose shape is unknown (rank unknown too), optionally with a shape error. */
export function unknownResult(kind: OpKind, dtype: DType | null, error?: string): OpResult {
  return { kind, output: { shape: null, dtype }, cost: unknownOpCost(), attrs: {}, error };
}

/** A cost with no FLOPs of either class. */
export function bytesOnly(bytes: Dim, notes?: string[]): OpCost {
  return { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes, notes };
}

/** Mixed-precision operands compute in the first known dtype, else the context's. */
export function dtypeOf(ctx: OpContext, ...ts: (TensorType | undefined | null)[]): DType {
  for (const t of ts) if (t?.dtype) return t.dtype;
  return ctx.dtype;
}
