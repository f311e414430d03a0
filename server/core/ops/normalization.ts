/**
 * Softmax and the normalisations. Per-element FLOP counts follow LLM-Viewer: softmax 5 (max,
 * subtract, exp, sum, divide), layer norm 7 (mean, subtract, square, sum, rsqrt-scale, ·γ, +β).
 * RMS norm is 4 (square, sum, ·rsqrt, ·γ). `F.normalize` (p = 2) is 3 (square, sum, divide; the
 * square root per row is negligible). Group norm and batch norm compute layer-norm-like
 * statistics: 7 (training-mode statistics; in eval mode batch norm folds to a scale and shift).
 * All of it is "other" FLOPs. Bytes: input read once, output written once, affine params read once.
 */
import { Dim, OpKind, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { dimsDiffer, normAxis, numel, OpContext, OpResult, shapeText, tensorBytes, unknownResult } from './types';

export const SOFTMAX_FLOPS = 5;
export const LAYER_NORM_FLOPS = 7;
export const RMS_NORM_FLOPS = 4;
export const NORMALIZE_FLOPS = 3;
export const GROUP_NORM_FLOPS = 7;
export const BATCH_NORM_FLOPS = 7;

function perElement(kind: OpKind, x: TensorType, ctx: OpContext, per: number, paramElems: Dim, attrs: Record<string, unknown>, note: string): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  const shape = x.shape!;
  return {
    kind,
    output: { shape, dtype },
    cost: {
      flops: Poly.ZERO,
      otherFlops: numel(shape).scale(per),
      bytes: tensorBytes(shape, dtype).scale(2).add(tensorBytes([paramElems], dtype)),
      notes: [note],
    },
    attrs,
  };
}

export function softmax(x: TensorType, dim: number | null, ctx: OpContext, name = 'softmax'): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('softmax', dtype);
  const axis = dim === null ? x.shape.length - 1 : normAxis(dim, x.shape.length);
  if (axis === undefined) return unknownResult('softmax', dtype, `${name}: dim ${dim} out of range for shape ${shapeText(x.shape)}`);
  return perElement('softmax', x, ctx, SOFTMAX_FLOPS, Poly.ZERO, { dim: axis, length: x.shape[axis] }, `${name}: ${SOFTMAX_FLOPS} FLOP/element`);
}

/** `F.normalize(x, p, dim)`: x divided by its p-norm along `dim`; the shape is kept. */
export function lpNormalize(x: TensorType, dim: number, ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('normalize', dtype);
  const axis = normAxis(dim, x.shape.length);
  if (axis === undefined) return { ...unknownResult('normalize', dtype, `normalize: dim ${dim} out of range for shape ${shapeText(x.shape)}`), output: { shape: x.shape, dtype } };
  return perElement('normalize', x, ctx, NORMALIZE_FLOPS, Poly.ZERO, { dim: axis }, `normalize: ${NORMALIZE_FLOPS} FLOP/element`);
}

/** `normalized` are the trailing dims normalised over; they must match x's trailing dims. */
export function layerNorm(x: TensorType, normalized: readonly Dim[], affine: { weight: boolean; bias: boolean }, ctx: OpContext, kind: 'layer_norm' | 'rms_norm' = 'layer_norm'): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult(kind, dtype);
  const tail = x.shape.slice(x.shape.length - normalized.length);
  const bad = normalized.length > x.shape.length || normalized.some((d, i) => dimsDiffer(d, tail[i], ctx.bindings));
  if (bad) return { ...unknownResult(kind, dtype, `${kind}: normalized_shape ${shapeText(normalized)} does not match the trailing dims of ${shapeText(x.shape)}`), output: { shape: x.shape, dtype } };
  const per = kind === 'layer_norm' ? LAYER_NORM_FLOPS : RMS_NORM_FLOPS;
  const params = product(normalized).scale((affine.weight ? 1 : 0) + (affine.bias ? 1 : 0));
  return perElement(kind, x, ctx, per, params, { normalized: [...normalized] }, `${kind}: ${per} FLOP/element`);
}

/** Group norm over (N, C, *): C must be the declared channel count. */
export function groupNorm(x: TensorType, groups: Dim, channels: Dim, affine: boolean, ctx: OpContext): OpResult {
  return channelNorm('group_norm', x, channels, affine, ctx, GROUP_NORM_FLOPS, { groups });
}

/** Batch norm over (N, C, *) (or (N, C)). */
export function batchNorm(x: TensorType, channels: Dim, affine: boolean, ctx: OpContext): OpResult {
  return channelNorm('batch_norm', x, channels, affine, ctx, BATCH_NORM_FLOPS, {});
}

function channelNorm(kind: 'group_norm' | 'batch_norm', x: TensorType, channels: Dim, affine: boolean, ctx: OpContext, per: number, attrs: Record<string, unknown>): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult(kind, dtype);
  const c = x.shape.length >= 2 ? x.shape[1] : x.shape[0];
  if (c === undefined || dimsDiffer(c, channels, ctx.bindings)) {
    return { ...unknownResult(kind, dtype, `${kind}: input ${shapeText(x.shape)} has ${c?.toString() ?? 'no'} channels, the layer expects ${channels.toString()}`), output: { shape: x.shape, dtype } };
  }
  const note = kind === 'batch_norm' ? `${kind}: ${per} FLOP/element (training-mode statistics)` : `${kind}: ${per} FLOP/element`;
  return perElement(kind, x, ctx, per, affine ? channels.scale(2) : Poly.ZERO, { ...attrs, channels }, note);
}
