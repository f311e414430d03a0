/**
 * Elementwise operations with NumPy broadcasting: arithmetic, comparisons, `where`, math
 * functions and activations. Their arithmetic is "other" FLOPs (never GEMM FLOPs): a fixed count
 * per output element, documented in the tables below. Bytes: each tensor operand read once as
 * stored (an unbroadcast operand is not re-read), the result written once; Python scalars are free.
 */
import { DType } from '../dtypes';
import { OpKind, TensorType } from '../ir';
import { Poly } from '../symbolic';
import { broadcastMany } from './broadcast';
import { OpContext, OpResult, numel, shapeText, tensorBytes, unknownResult } from './types';

/** A Python number operand: broadcasts to anything and costs no bytes. */
export const SCALAR = 'scalar' as const;
export type Operand = TensorType | typeof SCALAR;

/**
 * FLOPs per output element of the elementwise functions we model. Transcendentals count as one
 * FLOP each (as FlopCounter-style tools and LLM-Viewer do); composite functions count their steps.
 */
export const ELEMENTWISE_FLOPS: Record<string, number> = {
  add: 1, sub: 1, mul: 1, div: 1, floordiv: 1, mod: 1, pow: 1, neg: 1, abs: 1,
  exp: 1, log: 1, sqrt: 1, rsqrt: 1, sin: 1, cos: 1, square: 1, reciprocal: 1, sign: 1,
  maximum: 1, minimum: 1, clamp: 2, where: 1, compare: 1, logical: 1, masked_fill: 1,
  // x + alpha * y written as one call (torch.add with alpha, lerp, addcmul...): two steps.
  fma: 2, addcmul: 3, lerp: 3,
};

/**
 * FLOPs per element of activations. relu: one compare. sigmoid: neg, exp, add, divide = 4.
 * tanh: 4 (as sigmoid, two exps share work). silu = x·sigmoid(x) = 5. gelu (tanh approximation,
 * also the count we use for the erf form): x³, ·0.044715, +x, ·√(2/π), tanh, +1, ·x, ·0.5 = 8.
 * softplus log(1+exp x) = 3; elu/leaky_relu: compare, exp or multiply, select ≈ 2-3; mish =
 * x·tanh(softplus x) = 8; hardswish/hardsigmoid: add, clamp, multiply, divide ≈ 4.
 */
export const ACTIVATION_FLOPS: Record<string, number> = {
  relu: 1, relu6: 2, leaky_relu: 2, elu: 3, selu: 4, celu: 3, gelu: 8, silu: 5, swish: 5,
  sigmoid: 4, tanh: 4, softplus: 3, mish: 8, hardswish: 4, hardsigmoid: 3, hardtanh: 2,
  logsigmoid: 4, softsign: 3, glu: 5, quick_gelu: 6,
};

export interface ElementwiseOptions {
  /** FLOPs per output element. */
  flopsPerElement: number;
  kind?: OpKind;
  /** The result dtype when it is not the operands' (comparisons give bool). */
  outDtype?: DType;
  note?: string;
}

export function elementwise(operands: readonly Operand[], ctx: OpContext, opts: ElementwiseOptions): OpResult {
  const kind = opts.kind ?? 'elementwise';
  const tensors = operands.filter((o): o is TensorType => o !== SCALAR);
  // A boolean mask or condition does not set the result type; the data operands do.
  const dtype = opts.outDtype ?? tensors.find((t) => t.dtype && t.dtype !== 'bool')?.dtype ?? ctx.dtype;
  if (tensors.length === 0 || tensors.some((t) => t.shape === null)) return unknownResult(kind, dtype);
  const shapes = tensors.map((t) => t.shape!);
  const bc = broadcastMany(shapes, ctx.bindings);
  if ('error' in bc) {
    const text = shapes.map((s) => shapeText(s)).join(' and ');
    return unknownResult(kind, dtype, `elementwise operands do not broadcast: ${text} (${bc.error})`);
  }
  const out = bc.shape;
  let bytes = tensorBytes(out, dtype);
  for (const t of tensors) bytes = bytes.add(tensorBytes(t.shape!, t.dtype ?? ctx.dtype));
  return {
    kind,
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: numel(out).scale(opts.flopsPerElement), bytes, notes: opts.note ? [opts.note] : undefined },
    attrs: {},
  };
}

/** An activation function by name; unknown names count one FLOP per element. */
export function activation(x: TensorType, name: string, ctx: OpContext): OpResult {
  const per = ACTIVATION_FLOPS[name] ?? 1;
  const r = elementwise([x], ctx, { flopsPerElement: per, kind: 'activation', note: `${name}: ${per} FLOP/element` });
  return { ...r, attrs: { activation: name } };
}

/** Dropout: a mask multiply at run time in training, no FLOPs counted; identity in eval mode. */
export function dropout(x: TensorType, ctx: OpContext): OpResult {
  const r = elementwise([x], ctx, { flopsPerElement: 0, kind: 'dropout', note: 'dropout: no FLOPs counted (identity in eval mode)' });
  return r;
}
