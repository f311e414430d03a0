/**
 * `scaled_dot_product_attention`: softmax(Q·Kᵀ/√d)·V as two GEMMs. FLOPs 2·B·H·Lq·Lk·d for the
 * scores plus 2·B·H·Lq·Lk·d_v for the weighted sum (4·B·H·Lq·Lk·d when d = d_v); halved when
 * causal, the FlashAttention / Megatron convention, and said so. The softmax over the scores is
 * "other" FLOPs (5 per score). Bytes two ways: fused (flash: Q, K, V read and the output written
 * once; the primary figure, since PyTorch dispatches SDPA to fused kernels) and materialised (the
 * B·H·Lq·Lk score matrix also written and read back).
 */
import { DTYPE_BYTES } from '../dtypes';
import { TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { broadcastMany } from './broadcast';
import { SOFTMAX_FLOPS } from './normalization';
import { OpContext, OpResult, dimsDiffer, dtypeOf, shapeText, tensorBytes, unknownResult } from './types';

export interface AttentionOptions {
  causal: boolean;
  /** An explicit mask is read once. */
  mask?: TensorType | null;
}

export function sdpa(q: TensorType, k: TensorType, v: TensorType, opts: AttentionOptions, ctx: OpContext): OpResult {
  const dtype = dtypeOf(ctx, q, k, v);
  if (q.shape === null || k.shape === null || v.shape === null) return unknownResult('sdpa', dtype);
  const text = `q ${shapeText(q.shape)}, k ${shapeText(k.shape)}, v ${shapeText(v.shape)}`;
  if (q.shape.length < 2 || k.shape.length < 2 || v.shape.length < 2) return unknownResult('sdpa', dtype, `attention operands need (..., L, E): ${text}`);
  const [lq, e] = q.shape.slice(-2);
  const [lk, ek] = k.shape.slice(-2);
  const [lv, ev] = v.shape.slice(-2);
  let error: string | undefined;
  if (dimsDiffer(e, ek, ctx.bindings)) error = `attention: query and key head dims differ (${e.toString()} vs ${ek.toString()}): ${text}`;
  else if (dimsDiffer(lk, lv, ctx.bindings)) error = `attention: key and value lengths differ (${lk.toString()} vs ${lv.toString()}): ${text}`;
  const qb = q.shape.slice(0, -2);
  // Grouped-query attention: K/V with fewer heads are shared; the batch dims are the query's.
  const bc = broadcastMany([qb, k.shape.slice(0, -2), v.shape.slice(0, -2)], ctx.bindings);
  const batchShape = 'error' in bc ? qb : bc.shape;
  if ('error' in bc && qb.length !== k.shape.length - 2) error = error ?? `attention batch dims: ${bc.error}`;
  const batch = product(batchShape);
  const outShape = [...batchShape, lq, ev];
  const scores = batch.mul(lq).mul(lk);
  const factor = opts.causal ? 0.5 : 1;
  const flops = scores.mul(e.add(ev)).scale(2 * factor);
  const size = DTYPE_BYTES[dtype];
  let fused = tensorBytes(q.shape, dtype).add(tensorBytes(k.shape, dtype)).add(tensorBytes(v.shape, dtype)).add(tensorBytes(outShape, dtype));
  if (opts.mask?.shape) fused = fused.add(tensorBytes(opts.mask.shape, opts.mask.dtype ?? dtype));
  const scoreBytes = scores.scale(size);
  const materialised = fused.add(scoreBytes.scale(2));
  const notes = ['fused (flash) kernel: the score matrix never reaches memory'];
  if (opts.causal) notes.unshift('causal: FLOPs halved (only the lower triangle is computed)');
  return {
    kind: 'sdpa',
    output: { shape: outShape, dtype },
    cost: {
      flops,
      otherFlops: scores.scale(SOFTMAX_FLOPS * factor),
      bytes: fused,
      variants: [
        { label: 'fused (flash)', bytes: fused },
        { label: 'materialised scores', bytes: materialised, note: 'B·H·Lq·Lk scores written, then read' },
      ],
      notes,
    },
    attrs: {
      batch, batchShape, heads: batchShape[batchShape.length - 1] ?? Poly.ONE, lq, lk, d: e, dv: ev, causal: opts.causal,
      scoresBytes: scoreBytes, scoresPerHeadBytes: lq.mul(lk).scale(size),
    },
    error,
  };
}

