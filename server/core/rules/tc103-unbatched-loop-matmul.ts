import { roofline } from '../cost/evaluate';
import { flopsText, timeText } from '../format';
import { Finding } from '../ir';
import { signalsOf } from './signals';
import { Rule } from './types';
import { deviceLabel, make, opAt, shapeOf, tripsOf } from './util';

export const rule: Rule = {
  code: 'TC103',
  name: 'unbatched-loop-matmul',
  defaultSeverity: 'warning',
  summary: 'A Python loop issues one matmul per item where one batched matmul (bmm / einsum / broadcast @) would do.',
  docs: {
    what: 'Flags a matmul inside a `for` loop whose operands are indexed by the loop variable (`A[i] @ B[i]`) or are the loop item itself, when the result does not feed the next trip (a chain such as `h = h @ W[i]` cannot be batched). Loops with fewer than `loopMatmulMinTrips` known trips are left alone.',
    why:
      'Each trip launches its own small kernel: a launch costs several microseconds (`kernelLaunchMicros`, 5 µs by default) of CPU and GPU time, and a small matmul fills a fraction of the GPU. 64 trips of a (128, 64) @ (64, 128) matmul (2.1 MFLOP each) spend ~320 µs in launches alone, where one `torch.bmm` of the stacked operands does the 134 MFLOP in a single launch in a few microseconds. NumPy pays the interpreter on each trip the same way; `np.matmul` batches over leading dims.',
    example: 'for i in range(B):\n    out[i] = A[i] @ W[i]',
    useInstead: 'out = torch.bmm(A, W)      # or torch.einsum("bij,bjk->bik", A, W); np.matmul(A, W) in NumPy',
  },
  thresholds: [
    { key: 'loopMatmulMinTrips', default: 4, description: 'Only loops with at least this many trips (loops with unknown trip counts are flagged).' },
    { key: 'kernelLaunchMicros', default: 5, description: 'Cost of one kernel launch assumed in the estimate, microseconds.' },
  ],
  check(ctx) {
    const out: Finding[] = [];
    const minTrips = ctx.threshold('loopMatmulMinTrips');
    const launch = ctx.threshold('kernelLaunchMicros') * 1e-6;
    const sig = signalsOf(ctx.ir);
    const numpy = sig.imports.some((i) => i.module === 'numpy') && !sig.imports.some((i) => i.module === 'torch' || i.module.startsWith('torch.'));
    for (const loop of sig.loops) {
      if (!/^(range|zip|enumerate)\(|^[\w.]+$/.test(loop.iter)) continue;
      for (const m of loop.matmuls) {
        if (m.loopCarried || m.kind === 'bmm' && m.operands.every((o) => o.indexedBy.length === 0)) continue;
        const perItem = m.operands.map((o) => o.indexedBy.length > 0 || o.isLoopVar);
        if (!perItem.some(Boolean)) continue;
        const found = opAt(ctx, m.range);
        const trips = tripsOf(loop.iter, ctx.bindings) ?? (found?.op.repeat?.evaluate(ctx.bindings) ?? null);
        if (trips !== null && trips < minTrips) continue;
        let figures = '';
        if (found) {
          const f = ctx.figures[found.index];
          const reps = trips ?? 1;
          if (f.flops !== null && f.bytes !== null && trips !== null) {
            const per = f.flops / reps;
            const perTime = roofline(per, f.bytes / reps, ctx.device, found.op.dtype).timeSeconds;
            const loopTime = trips * Math.max(launch, perTime);
            const batched = roofline(f.flops, f.bytes, ctx.device, found.op.dtype).timeSeconds + launch;
            figures = `: ${trips} launches of ${shapeOf(found.op, 0, ctx.bindings)} @ ${shapeOf(found.op, 1, ctx.bindings)} (${flopsText(per)} each), ~${timeText(loopTime)} on ${deviceLabel(ctx.device)} with ${timeText(launch)} per launch, vs ~${timeText(batched)} for one batched call of ${flopsText(f.flops)}`;
          }
        }
        const bases = m.operands.map((o, i) => (perItem[i] ? (o.base && o.indexedBy.length && o.text.replace(/\s+/g, '') === `${o.base}[${loop.vars[0]}]` ? o.base : null) : o.text));
        const simpleTarget = m.target && new RegExp(`^([\\w.]+)\\[${loop.vars[0]}\\]$`).exec(m.target.replace(/\s+/g, ''));
        let data: Record<string, unknown> | undefined;
        if (/^range\(\s*[^,]+\)$/.test(loop.iter) && simpleTarget && bases.every((b) => b !== null) && loop.matmuls.length === 1 && m.statement && sameLines(loop.range, m.statement)) {
          const [a, b] = bases as string[];
          const both = perItem.every(Boolean);
          const call = numpy ? `np.matmul(${a}, ${b})` : both ? `torch.bmm(${a}, ${b})` : `${a} @ ${b}`;
          data = { fix: 'bmm', title: `Replace the loop with ${call}`, edits: [{ range: loop.range, newText: `${simpleTarget[1]} = ${call}` }] };
        }
        const what = trips === null ? `a loop over ${loop.iter}` : `a loop of ${trips} trips (${loop.iter})`;
        out.push(
          make(rule, m.range, `${what} issues one matmul per item${figures}; one ${numpy ? 'np.matmul' : 'torch.bmm / einsum'} over the stacked operands does it in one launch`, {
            related: [{ range: loop.header, message: `the loop over ${loop.vars.join(', ')}` }],
            data,
          }),
        );
      }
    }
    return out;
  },
};

/** The loop's body is just the one statement (the header plus one line of body). */
function sameLines(loop: { start: { line: number }; end: { line: number } }, st: { start: { line: number }; end: { line: number } }): boolean {
  return st.end.line === loop.end.line && st.start.line === loop.start.line + 1;
}
