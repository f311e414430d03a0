/**
 * Embedding lookup: a gather, no arithmetic. Bytes: the indices read, the selected rows read and
 * the result written (the table itself is not streamed, only the rows used).
 */
import { DType } from '../dtypes';
import { Dim, TensorType } from '../ir';
import { Poly } from '../symbolic';
import { OpContext, OpResult, tensorBytes, unknownResult } from './types';

export function embedding(indices: TensorType, numEmbeddings: Dim, dim: Dim, tableDtype: DType | null, ctx: OpContext): OpResult {
  const dtype = tableDtype ?? ctx.dtype;
  if (indices.shape === null) return unknownResult('embedding', dtype);
  const out = [...indices.shape, dim];
  const rows = tensorBytes(out, dtype);
  return {
    kind: 'embedding',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: tensorBytes(indices.shape, indices.dtype ?? 'int64').add(rows.scale(2)), notes: ['gather: selected rows read, result written; no FLOPs'] },
    attrs: { numEmbeddings, dim },
  };
}
