/**
 * Byte figures of a hand-written attention (shared by TC201 and TC202): the scores tensor from
 * the op recorded at the scores matmul, and the passes the unfused chain makes over it.
 */
import { DType } from '../dtypes';
import { ManualAttentionSignal } from './signals';
import { RuleContext } from './types';
import { dtypeBytes, numel, opAt, shapeOf } from './util';

export interface AttentionFigures {
  shape: string;
  dtype: DType;
  scoresBytes: number;
  /** Bytes of one (Lq, Lk) score matrix. */
  perHeadBytes: number;
  /** Reads and writes of the scores the unfused chain makes. */
  passes: number;
  /** Bytes a fused kernel moves: q, k, v read once and the output written once. */
  fusedBytes: number | null;
}

export function attentionFigures(ctx: RuleContext, s: ManualAttentionSignal): AttentionFigures | null {
  const scores = opAt(ctx, s.scores);
  if (!scores) return null;
  const n = numel(scores.op, 'out', ctx.bindings);
  const shape = scores.op.output.shape;
  if (n === null || !shape || shape.length < 2) return null;
  const size = dtypeBytes(scores.op.dtype);
  const lq = shape[shape.length - 2].evaluate(ctx.bindings)!;
  const lk = shape[shape.length - 1].evaluate(ctx.bindings)!;
  // Written by the scores matmul, read by the output matmul, read+written by softmax and by each
  // elementwise pass (scale, mask, dropout) an eager framework runs as its own kernel.
  const passes = 2 + 2 + (s.scale !== 'none' ? 2 : 0) + (s.causal || s.attnMask ? 2 : 0) + (s.dropout ? 2 : 0);
  const outOp = opAt(ctx, s.output);
  const part = (op: typeof scores.op | undefined, which: number | 'out') => {
    const e = op ? numel(op, which, ctx.bindings) : null;
    return e === null ? null : e * dtypeBytes(op!.dtype);
  };
  const pieces = [part(scores.op, 0), part(scores.op, 1), part(outOp?.op, 1), part(outOp?.op, 'out')];
  const fusedBytes = pieces.every((p) => p !== null) ? (pieces as number[]).reduce((a, b) => a + b, 0) : null;
  return { shape: shapeOf(scores.op, 'out', ctx.bindings)!, dtype: scores.op.dtype, scoresBytes: n * size, perHeadBytes: lq * lk * size, passes, fusedBytes };
}
