import { percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';
import { make, num } from './util';

const GEMMS = new Set(['matmul', 'bmm', 'linear', 'einsum']);

export const rule: Rule = {
  code: 'TC102',
  name: 'small-batch-gemm',
  defaultSeverity: 'information',
  summary: 'A compute-bound GEMM has too few output tiles to give every SM work: part of the GPU idles.',
  docs: {
    what: 'Counts the output tiles of a compute-bound GEMM — batch × ⌈m/tile⌉ × ⌈n/tile⌉ with `smallGemmTile` (128) — and flags it when there are fewer tiles than the device has streaming multiprocessors (132 on H100 SXM, 108 on A100), for ops whose roofline time is at least `smallGemmMinMicros`.',
    why:
      'GEMM kernels give each thread block one output tile; a block runs on one SM. With 64 tiles on a 132-SM H100 at most 48% of the SMs work and the op takes about twice its roofline time, even though its intensity is above the ridge point. Memory-bound GEMMs are TC101\'s business; this rule only looks at compute-bound ones, where SM occupancy is what limits.',
    example: 'def head(x: Float16[Tensor, "1024 16384"], w: Float16[Tensor, "16384 1024"]):\n    return x @ w   # 8×8 = 64 tiles of 128×128 for 132 SMs',
    useInstead: 'def head(x: Float16[Tensor, "4 1024 16384"], w: Float16[Tensor, "16384 1024"]):\n    return x @ w   # batch several inputs per call (256 tiles), or let the library split K',
  },
  thresholds: [
    { key: 'smallGemmTile', default: 128, description: 'Output tile edge (elements) assumed for the GEMM kernel.' },
    { key: 'smallGemmMinMicros', default: 5, description: 'Only ops whose roofline time is at least this many microseconds.' },
  ],
  check(ctx) {
    const tile = ctx.threshold('smallGemmTile');
    const minTime = ctx.threshold('smallGemmMinMicros') * 1e-6;
    const sms = ctx.device.sms;
    return ctx.opFindings(rule.code, `${tile}|${minTime}`, (op, f) => {
      if (!GEMMS.has(op.kind) || f.bound !== 'compute' || f.timeSeconds === null || f.timeSeconds < minTime || !sms) return null;
      const time = f.timeSeconds;
      const m = num(op.attrs.m, ctx.bindings);
      const n = num(op.attrs.n, ctx.bindings);
      const batch = num(op.attrs.batch, ctx.bindings) ?? 1;
      if (m === null || n === null || tile <= 0) return null;
      const tm = Math.ceil(m / tile);
      const tn = Math.ceil(n / tile);
      const tiles = batch * tm * tn;
      if (tiles >= sms) return null;
      const busy = tiles / sms;
      return make(
        rule,
        op.range,
        `${batch}×${tm}×${tn} = ${tiles} output tiles of ${tile}×${tile} for ${sms} SMs (≤${percentText(busy)} busy): ~${timeText(time / busy)} instead of ${timeText(time)}`,
      );
    });
  },
};
