/**
 * Data movement without arithmetic: dtype casts (`.half()`, `.to(torch.bfloat16)`), `contiguous()`
 * and other materialising copies. Bytes: the source read and the result written, each in its own
 * dtype. `contiguous()` only copies when its input is not contiguous already; statically we cannot
 * always know, so it is priced as a copy and says so.
 */
import { DType } from '../dtypes';
import { Dim, TensorType } from '../ir';
import { Poly } from '../symbolic';
import { OpContext, OpResult, bytesOnly, tensorBytes, unknownResult } from './types';

export function cast(x: TensorType, to: DType, ctx: OpContext): OpResult {
  const from = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('copy', to);
  return {
    kind: 'copy',
    output: { shape: x.shape, dtype: to },
    cost: bytesOnly(tensorBytes(x.shape, from).add(tensorBytes(x.shape, to)), [`cast ${from} → ${to}`]),
    attrs: { from, to },
  };
}

export function copy(x: TensorType, ctx: OpContext, note: string): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('copy', dtype);
  return { kind: 'copy', output: { shape: x.shape, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).scale(2), [note]), attrs: {} };
}

/**
 * A tensor of `shape` made by moving data only (`cat`, `repeat`, `F.pad`, `gather`, a padding
 * layer): no arithmetic, the `bytes` its caller counted (what it reads and writes).
 */
export function moved(shape: readonly Dim[], dtype: DType | null, bytes: Dim, notes?: string[]): OpResult {
  return { kind: 'copy', output: { shape: [...shape], dtype }, cost: { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes, ...(notes ? { notes } : {}) }, attrs: {} };
}
