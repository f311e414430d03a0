import { bytesText } from '../format';
import { Finding } from '../ir';
import { attentionFigures } from './attentionFigures';
import { contextLabel } from './siteOps';
import { inDeadBranch } from './tc202-manual-attention';
import { signalsOf } from './signals';
import { Rule } from './types';
import { dtypeBytes, make } from './util';

const MiB = 1024 * 1024;

export const rule: Rule = {
  code: 'TC201',
  name: 'quadratic-attention-memory',
  defaultSeverity: 'warning',
  summary: 'Materialised attention scores B·H·L²·bytes exceed a memory threshold.',
  docs: {
    what: 'Flags attention written so that the (L_q × L_k) score matrix of every head is stored in memory — `softmax(q @ kᵀ) @ v` by hand — when B·H·L_q·L_k·dtype_bytes reaches `attentionScoresMiB` (256 MiB: one fp32 head at L = 8192). A softmax written by hand (`e = exp(s - s.max(-1)); e / e.sum(-1)`, in a helper function or inline) is a softmax; the sizes are those the interpreter bound, in the function or, where only its caller knows them (a config, argparse defaults, the tensors a script builds), in the calling context that ran it. NumPy attention fires here too (TC202 stays silent on NumPy, which has no fused kernel to switch to): the message suggests computing the scores a block of queries at a time, or moving to PyTorch\'s `F.scaled_dot_product_attention`.',
    why:
      'The score matrix grows with the square of the sequence length: one head at L = 4096 in fp32 is 4096² × 4 B = 64 MiB, and a batch of B sequences with H heads holds B·H of them — 8 × 12 heads at L = 1024 in fp32 is 384 MiB, at L = 4096 it is 6 GiB. Training keeps the probabilities for the backward pass as well. ' +
      'A fused kernel (FlashAttention, `F.scaled_dot_product_attention`) computes the softmax block by block in on-chip memory and never stores the matrix: memory stays linear in L.',
    example: 'att = (q @ k.transpose(-2, -1)) / math.sqrt(d)   # (B, H, L, L) stored\natt = att.softmax(dim=-1)\ny = att @ v',
    useInstead: 'y = F.scaled_dot_product_attention(q, k, v, is_causal=True)   # scores stay on chip',
  },
  thresholds: [{ key: 'attentionScoresMiB', default: 256, description: 'Fire when the stored scores of one call (all batch items and heads) reach this many MiB.' }],
  check(ctx) {
    const out: Finding[] = [];
    const limit = ctx.threshold('attentionScoresMiB') * MiB;
    const sig = signalsOf(ctx.ir);
    const training = sig.backward.length > 0;
    for (const s of sig.manualAttention) {
      // The same facts as TC202: a hand-written fallback the engine decided is not taken (nanoGPT's
      // `else` of `if self.flash:`) stores nothing.
      if (inDeadBranch(ctx, s)) continue;
      const f = attentionFigures(ctx, s);
      // At the threshold fires: 256 MiB is one fp32 head at L = 8192, the textbook's own example.
      if (!f || f.scoresBytes < limit) continue;
      const heads = f.scoresBytes / f.perHeadBytes;
      out.push(
        make(
          rule,
          s.scores,
          `materialised attention scores ${f.shape} ${f.dtype} take ${bytesText(f.scoresBytes)} (${heads} score ${heads === 1 ? 'matrix' : 'matrices'} of ${bytesText(f.perHeadBytes)}, B·H·L²·${dtypeBytes(f.dtype)} B) ≥ ${bytesText(limit)}${f.context ? ` (sizes from the call at ${contextLabel(f.context)})` : ''}${training ? '; training keeps them for backward too' : ''}; ${s.framework === 'numpy' ? 'NumPy has no fused kernel: query blocks of the scores at a time, or PyTorch\'s F.scaled_dot_product_attention, never store them' : 'a fused kernel never stores them'}`,
          { related: [{ range: s.softmax, message: 'the softmax reads and writes the whole score matrix' }] },
        ),
      );
    }
    return out;
  },
};
