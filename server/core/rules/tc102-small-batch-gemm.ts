import { percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';
import { runsOnNumpy } from './numpyOps';
import { make, num, opAt } from './util';

const GEMMS = new Set(['matmul', 'bmm', 'linear', 'einsum']);

export const rule: Rule = {
  code: 'TC102',
  name: 'small-batch-gemm',
  defaultSeverity: 'information',
  summary: 'A compute-bound GEMM has too few output tiles, or a last wave too thin, to keep the SMs busy: a material part of its time the GPU idles.',
  docs: {
    what: 'Counts the output tiles of a compute-bound GEMM — batch × ⌈m/tile⌉ × ⌈n/tile⌉ with `smallGemmTile` (128) — and the waves they take on the device\'s streaming multiprocessors (132 on H100 SXM, 108 on A100): ⌈tiles / SMs⌉. The SMs are busy tiles / (waves × SMs) of the time; the rule flags the GEMM when the idle share, 1 − that, is at least `smallGemmMinLoss` (25%), and the op takes at least `smallGemmMinMicros` over all its calls (its loops, and the calls of the calling context that runs it). An under-filled GPU (64 tiles on 132 SMs, 52% idle) and a thin last wave (140 tiles: two waves, the second with 8 tiles, 47% idle) both count; 128 tiles on 132 SMs (3% idle) or 260 tiles (2% idle) do not: effects of a few percent are within what the roofline estimate itself can miss. ' +
      'NumPy GEMMs are left out: NumPy runs on the CPU, which has no SMs (an op is NumPy\'s when its call names NumPy, `np.dot`, or when its file imports NumPy and none of torch, jax, tensorflow or cupy).',
    why:
      'GEMM kernels give each thread block one output tile; a block runs on one SM. With 64 tiles on a 132-SM H100 at most 48% of the SMs work and the op takes about twice its roofline time, even though its intensity is above the ridge point. Tiles run in waves of one per SM: 140 tiles take two full wave times on 132 SMs, the second with 8 tiles, so 47% of the SM time idles. Memory-bound GEMMs are TC101\'s business; this rule only looks at compute-bound ones, where SM occupancy is what limits.',
    example: 'def head(x: Float16[Tensor, "1024 16384"], w: Float16[Tensor, "16384 1024"]):\n    return x @ w   # 8×8 = 64 tiles of 128×128 for 132 SMs',
    useInstead: 'def head(x: Float16[Tensor, "4 1024 16384"], w: Float16[Tensor, "16384 1024"]):\n    return x @ w   # batch several inputs per call (256 tiles), or let the library split K',
  },
  thresholds: [
    { key: 'smallGemmTile', default: 128, description: 'Output tile edge (elements) assumed for the GEMM kernel.' },
    { key: 'smallGemmMinMicros', default: 5, description: 'Only ops whose roofline time over all their calls is at least this many microseconds.' },
    { key: 'smallGemmMinLoss', default: 0.25, description: 'Fire when at least this share of the SMs\' time idles (under-fill or wave quantisation), 0–1.' },
  ],
  check(ctx) {
    const tile = ctx.threshold('smallGemmTile');
    const minTime = ctx.threshold('smallGemmMinMicros') * 1e-6;
    const minLoss = ctx.threshold('smallGemmMinLoss');
    const sms = ctx.device.sms;
    const found = ctx.opFindings(rule.code, `${tile}|${minTime}|${minLoss}`, (op, f) => {
      if (!GEMMS.has(op.kind) || f.bound !== 'compute' || f.timeSeconds === null || !sms) return null;
      const calls = ctx.context?.(op)?.calls ?? 1;
      const time = f.timeSeconds * calls;
      if (time < minTime) return null;
      const m = num(op.attrs.m, ctx.bindings);
      const n = num(op.attrs.n, ctx.bindings);
      const batch = num(op.attrs.batch, ctx.bindings) ?? 1;
      if (m === null || n === null || tile <= 0) return null;
      const tm = Math.ceil(m / tile);
      const tn = Math.ceil(n / tile);
      const tiles = batch * tm * tn;
      const waves = Math.ceil(tiles / sms);
      const busy = tiles / (waves * sms);
      if (1 - busy < minLoss) return null;
      const layout = waves === 1 ? `for ${sms} SMs` : `on ${sms} SMs: ${waves} waves, the last with ${tiles - (waves - 1) * sms}`;
      // Every run of the op: the context's calls times its own loops (the figures hold the loops).
      const runs = calls * (num(op.repeat, ctx.bindings) ?? 1);
      const over = runs > 1 ? ` over ${runs.toLocaleString('en-US')} calls` : '';
      return make(
        rule,
        op.range,
        `${batch}×${tm}×${tn} = ${tiles} output tiles of ${tile}×${tile} ${layout} (≤${percentText(busy)} busy): ~${timeText(time / busy)} instead of ${timeText(time)}${over}`,
      );
    });
    // NumPy runs on the CPU, which has no SMs to fill (the rule's docs). Applied to the few
    // findings, as the file's imports are not part of what is remembered per op.
    return found.filter((x) => {
      const at = opAt(ctx, x.range);
      return !at || !runsOnNumpy(at.op, ctx.ir);
    });
  },
};
