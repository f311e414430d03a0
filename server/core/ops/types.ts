/**
 * The contract every operation's shape-and-cost rule follows. Frontends call these rules with the
 * operand types they inferred; the rules are language-neutral and know nothing of syntax.
 */
import { DType } from '../dtypes';
import { Dim, OpCost, OpKind, TensorType } from '../ir';
import { Bindings } from '../symbolic';

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
