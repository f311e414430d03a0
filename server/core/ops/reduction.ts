/**
 * Reductions over some or all dims (`sum`, `mean`, `amax`, `var`...). Each input element takes
 * part in a fixed number of operations (one add or compare for sum/max; mean, subtract, square
 * and add for the variance's two passes); reading the input once and writing the result once.
 */
import { DType } from '../dtypes';
import { Dim, TensorType } from '../ir';
import { Poly } from '../symbolic';
import { OpContext, OpResult, normAxis, numel, shapeText, tensorBytes, unknownResult } from './types';

/** FLOPs per input element by reduction. */
export const REDUCTION_FLOPS: Record<string, number> = {
  sum: 1, mean: 1, max: 1, min: 1, amax: 1, amin: 1, argmax: 1, argmin: 1, prod: 1, any: 1, all: 1,
  nansum: 1, norm: 2, logsumexp: 3, var: 4, std: 4, var_mean: 4, std_mean: 4, count_nonzero: 1,
};

/** FLOPs per element of the scans, whose result has the input's shape. */
export const SCAN_FLOPS: Record<string, number> = { cumsum: 1, cumprod: 1, cummax: 1, cummin: 1, logcumsumexp: 3 };

/**
 * `cumsum(x, dim)` and the other scans along one dim: one operation per element (three for
 * `logcumsumexp`), the input read once and a result of the same shape written once.
 */
export function scan(x: TensorType, op: string, ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('reduction', dtype);
  const bytes = tensorBytes(x.shape, dtype).scale(2);
  return { kind: 'reduction', output: { shape: x.shape, dtype }, cost: { flops: Poly.ZERO, otherFlops: numel(x.shape).scale(SCAN_FLOPS[op] ?? 1), bytes }, attrs: { op, scan: true } };
}

/** Reductions whose result holds indices. */
const INDEX_RESULT = new Set(['argmax', 'argmin']);

/**
 * `dims` null reduces everything. `keepdim` keeps reduced dims as 1. An axis out of range is a
 * shape error (TC002) naming the shape.
 */
export function reduce(x: TensorType, dims: readonly number[] | null, keepdim: boolean, op: string, ctx: OpContext): OpResult {
  const dtype: DType = INDEX_RESULT.has(op) ? 'int64' : (x.dtype ?? ctx.dtype);
  if (x.shape === null) return unknownResult('reduction', dtype);
  const rank = x.shape.length;
  const axes = new Set<number>();
  for (const d of dims ?? x.shape.map((_, i) => i)) {
    const a = normAxis(d, rank);
    if (a === undefined) return unknownResult('reduction', dtype, `${op}: dim ${d} out of range for shape ${shapeText(x.shape)}`);
    axes.add(a);
  }
  const out: Dim[] = [];
  x.shape.forEach((d, i) => {
    if (!axes.has(i)) out.push(d);
    else if (keepdim) out.push(Poly.ONE);
  });
  const per = REDUCTION_FLOPS[op] ?? 1;
  return {
    kind: 'reduction',
    output: { shape: out, dtype },
    cost: {
      flops: Poly.ZERO,
      otherFlops: numel(x.shape).scale(per),
      bytes: tensorBytes(x.shape, x.dtype ?? ctx.dtype).add(tensorBytes(out, dtype)),
      notes: [`${op}: ${per} FLOP per input element`],
    },
    attrs: { op, length: numel(x.shape.filter((_, i) => axes.has(i))) },
  };
}
