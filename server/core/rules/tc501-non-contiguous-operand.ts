import { bytesText } from '../format';
import { Finding } from '../ir';
import { signalsOf } from './signals';
import { Rule } from './types';
import { dtypeBytes, make, numel, opAt } from './util';

export const rule: Rule = {
  code: 'TC501',
  name: 'non-contiguous-operand',
  defaultSeverity: 'information',
  summary: 'A transposed/permuted tensor is copied into a contiguous layout on every loop trip, or viewed where its layout needs a copy.',
  docs: {
    what: 'Flags, inside loops, a loop-invariant `permute(...)` / `transpose(...)` that moves batch dimensions and is fed to a matmul, and `.transpose(...).contiguous()` of a loop-invariant tensor: both copy the same data on every trip. Also flags `.view(...)` applied straight to a transposed tensor, which cannot be done without a copy. Swapping only the last two dims (`.T` of a matrix, `.mT`, `.transpose(-2, -1)`) is free: BLAS reads the transposed layout directly.',
    why:
      'Batched matmul kernels need each operand\'s matrices laid out with unit stride in one of the last two dims; a permute that moves a batch dim breaks that, so `matmul` first copies the operand to a contiguous buffer — a full read and write of the tensor, every time it runs. Computed inside a loop from a tensor that does not change, the same copy repeats on every trip. `view` never copies: on a transposed tensor it raises "view size is not compatible with input tensor\'s size and stride"; `reshape` silently copies.',
    example: 'for step in range(n_steps):\n    y = x[step] @ w.permute(0, 2, 1, 3)   # same copy of w every trip',
    useInstead: 'w_t = w.permute(0, 2, 1, 3).contiguous()   # once, outside the loop\nfor step in range(n_steps):\n    y = x[step] @ w_t',
  },
  check(ctx) {
    const out: Finding[] = [];
    const sig = signalsOf(ctx.ir);
    for (const t of sig.transposeInLoop) {
      if (!t.invariant) continue;
      const use = t.useKind === 'matmul' ? opAt(ctx, t.use) : undefined;
      const rank = use && t.operand !== undefined ? use.op.inputs[t.operand]?.shape?.length ?? null : null;
      if (t.useKind === 'matmul' && !movesBatchDims(t.text, rank)) continue;
      let size = '';
      if (use && t.operand !== undefined) {
        const n = numel(use.op, t.operand, ctx.bindings);
        const trips = use.op.repeat?.evaluate(ctx.bindings) ?? null;
        if (n !== null) size = `: ${bytesText(2 * n * dtypeBytes(use.op.dtype))} read and written per trip${trips !== null ? `, ${bytesText(2 * n * dtypeBytes(use.op.dtype) * trips)} over ${trips} trips` : ''}`;
      }
      out.push(
        make(rule, t.range, `${t.text} does not change inside the loop but is copied to a contiguous layout on every trip${t.useKind === 'matmul' ? ' by the matmul' : ''}${size}; make it contiguous once before the loop`, {
          related: [{ range: t.loopHeader, message: 'the loop it is recomputed in' }],
        }),
      );
    }
    for (const v of sig.viewOfTranspose) {
      out.push(make(rule, v.range, `view() of a transposed tensor: its strides are not contiguous, so view raises at run time; call .contiguous() first (one copy) or use .reshape()`));
    }
    return out;
  },
};

/** Whether a transpose/permute moves a dim other than the last two (the BLAS-free case). */
function movesBatchDims(text: string, rank: number | null): boolean {
  const t = text.replace(/\s+/g, '');
  // `.T` reverses every dim: on more than two dims it moves batch dims too.
  if (/\.T$/.test(t)) return rank !== null && rank > 2;
  if (/\.(mT|mH|H|t\(\))$/.test(t)) return false;
  const perm = /\.permute\(([-\d,]+)\)$/.exec(t);
  if (perm) {
    const p = perm[1].split(',').filter(Boolean).map(Number);
    const n = p.length;
    const norm = p.map((x) => (x < 0 ? x + n : x));
    return norm.slice(0, n - 2).some((x, i) => x !== i);
  }
  const tr = /\.(transpose|swapaxes|swapdims)\((-?\d+),(-?\d+)\)$/.exec(t);
  if (tr) {
    // Positive axes only say which dims they are once the rank is known; unsure means no finding.
    const a = [Number(tr[2]), Number(tr[3])].map((x) => (x < 0 && rank !== null ? x + rank : x)).sort((x, y) => x - y);
    if (a[0] === -2 && a[1] === -1) return false;
    if (rank === null) return false;
    return !(a[0] === rank - 2 && a[1] === rank - 1);
  }
  return rank !== null && rank > 2;
}
