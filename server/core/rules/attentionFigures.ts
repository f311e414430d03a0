/**
 * Byte figures of a hand-written attention (shared by TC201 and TC202): the scores tensor from
 * the op recorded at the scores matmul, and the passes the unfused chain makes over it. Both
 * rules read the same facts: the file's own op when its sizes are bound, else the op as the
 * calling context that ran it saw it (sizes from a config, argparse or the caller's tensors).
 */
import { DType } from '../dtypes';
import { ContextRef } from '../ir';
import { ManualAttentionSignal } from './signals';
import { SiteOp, dimsOf, elements, siteFacts } from './siteOps';
import { RuleContext } from './types';
import { dtypeBytes } from './util';

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
  /** Where the sizes come from when the function alone does not bind them. */
  context?: ContextRef;
}

/**
 * TC201 and TC202 ask for the same signal's figures, in the file's pass and again in the pass
 * over context ops: remembered per signal for the same ops and bindings (the figures read
 * nothing else), since finding them means weighing every calling context that ran the chain.
 */
const MEMO = new WeakMap<ManualAttentionSignal, { ir: RuleContext['ir']; bindings: RuleContext['bindings']; value: AttentionFigures | null }>();

export function attentionFigures(ctx: RuleContext, s: ManualAttentionSignal): AttentionFigures | null {
  const hit = MEMO.get(s);
  if (hit && hit.ir === ctx.ir && hit.bindings === ctx.bindings) return hit.value;
  const value = computeAttentionFigures(ctx, s);
  MEMO.set(s, { ir: ctx.ir, bindings: ctx.bindings, value });
  return value;
}

function computeAttentionFigures(ctx: RuleContext, s: ManualAttentionSignal): AttentionFigures | null {
  const scores = siteFacts(ctx, s.scores);
  if (!scores) return null;
  const dims = dimsOf(scores.op.output, ctx.bindings);
  if (dims === null || dims.length < 2) return null;
  const n = dims.reduce((a, x) => a * x, 1);
  const size = dtypeBytes(scores.op.dtype);
  const lq = dims[dims.length - 2];
  const lk = dims[dims.length - 1];
  // Written by the scores matmul, read by the output matmul, read+written by softmax and by each
  // elementwise pass (scale, mask, dropout) an eager framework runs as its own kernel.
  const passes = 2 + (s.softmaxPasses ?? 2) + (s.scale !== 'none' ? 2 : 0) + (s.causal || s.attnMask ? 2 : 0) + (s.dropout ? 2 : 0);
  // The output op from the same source as the scores: the same calling context when there is one.
  const outFacts = siteFacts(ctx, s.output);
  const outOp = outFacts && (!scores.context || outFacts.context?.line === scores.context.line) ? outFacts.op : undefined;
  const part = (op: SiteOp | undefined, which: number | 'out') => {
    const e = op ? elements(which === 'out' ? op.output : op.inputs[which], ctx.bindings) : null;
    return e === null ? null : e * dtypeBytes(op!.dtype);
  };
  const pieces = [part(scores.op, 0), part(scores.op, 1), part(outOp, 1), part(outOp, 'out')];
  const fusedBytes = pieces.every((p) => p !== null) ? (pieces as number[]).reduce((a, b) => a + b, 0) : null;
  return { shape: `(${dims.join(', ')})`, dtype: scores.op.dtype, scoresBytes: n * size, perHeadBytes: lq * lk * size, passes, fusedBytes, ...(scores.context ? { context: scores.context } : {}) };
}
