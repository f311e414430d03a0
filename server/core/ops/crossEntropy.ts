/**
 * Cross-entropy over logits (N, C) / (C,) / (N, C, d1, ...) with class-index targets (N, d1, ...)
 * or class-probability targets of the logits' shape. FLOPs ("other"): log-softmax 5 per logit,
 * plus picking and averaging one value per row (2 per row). Bytes: logits, targets, result once.
 */
import { Dim, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { SOFTMAX_FLOPS } from './normalization';
import { OpContext, OpResult, dimsDiffer, numel, shapeText, tensorBytes, unknownResult } from './types';

export function crossEntropy(logits: TensorType, target: TensorType, reduction: 'mean' | 'sum' | 'none', ctx: OpContext): OpResult {
  const dtype = logits.dtype ?? ctx.dtype;
  if (logits.shape === null || logits.shape.length === 0) return unknownResult('cross_entropy', dtype);
  const x = logits.shape;
  // Row dims: all but the class dim (dim 1, or dim 0 for unbatched logits).
  const rowsShape: Dim[] = x.length === 1 ? [] : [x[0], ...x.slice(2)];
  let error: string | undefined;
  if (target.shape) {
    const t = target.shape;
    const probabilities = t.length === x.length;
    const expect = probabilities ? x : rowsShape;
    if (t.length !== expect.length || t.some((d, i) => dimsDiffer(d, expect[i], ctx.bindings))) {
      error = `cross_entropy: target ${shapeText(t)} does not fit logits ${shapeText(x)} (expected ${shapeText(expect)})`;
    }
  }
  const out = reduction === 'none' ? rowsShape : [];
  const rows = product(rowsShape);
  let bytes = tensorBytes(x, dtype).add(tensorBytes(out, dtype));
  if (target.shape) bytes = bytes.add(tensorBytes(target.shape, target.dtype ?? 'int64'));
  return {
    kind: 'cross_entropy',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: numel(x).scale(SOFTMAX_FLOPS).add(rows.scale(2)), bytes, notes: ['log-softmax 5 FLOP/logit + 2 per row'] },
    attrs: { classes: x.length === 1 ? x[0] : x[1], rows },
    error,
  };
}
