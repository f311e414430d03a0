import { peakFor } from '../devices';
import { flopsText, timeText } from '../format';
import { Finding } from '../ir';
import { signalsOf } from './signals';
import { Rule } from './types';
import { deviceLabel, make, tripsOf } from './util';

export const rule: Rule = {
  code: 'TC401',
  name: 'naive-convolution-loops',
  defaultSeverity: 'warning',
  summary: 'Nested Python loops compute a convolution one multiply-add at a time; im2col + GEMM or conv2d is orders of magnitude faster.',
  docs: {
    what: 'Finds loop nests whose innermost statement accumulates a product of a sliding window of the input and the kernel — `out[n, co, i, j] += x[n, ci, i + di, j + dj] * w[co, ci, di, dj]`, or `out[i, j] = np.sum(x[i:i+kh, j:j+kw] * w)` — and estimates the time the interpreter spends against one `conv2d` (or im2col + one GEMM) on the target device. Building the im2col matrix with loops over the kernel offsets (copies, no products) is not flagged.',
    why:
      'A convolution does N·C_out·H_out·W_out·C_in·kh·kw multiply-adds (2 FLOPs each). Written as Python loops every one is an interpreted step of ~`interpretedMacNanos` (100 ns assumed; NumPy scalar indexing is slower still): a 3×3 convolution of a (1, 64, 56, 56) input to 64 channels is 116 M multiply-adds, ~12 s. As one GEMM (im2col) or `F.conv2d` it is 231 MFLOP, a few microseconds of an H100 at fp32 peak — a speed-up of 10⁵ to 10⁶. The im2col matrix costs memory (see TC402); cuDNN\'s implicit GEMM avoids even that.',
    example: 'for co in range(C_out):\n    for ci in range(C_in):\n        for i in range(H_out):\n            for j in range(W_out):\n                for di in range(kh):\n                    for dj in range(kw):\n                        out[co, i, j] += x[ci, i + di, j + dj] * w[co, ci, di, dj]',
    useInstead: 'out = F.conv2d(x[None], w)[0]\n# NumPy: cols = sliding_window_view(x, (kh, kw), axis=(1, 2)) then one tensordot / matmul',
  },
  thresholds: [{ key: 'interpretedMacNanos', default: 100, description: 'Time assumed per interpreted multiply-add, nanoseconds.' }],
  check(ctx) {
    const out: Finding[] = [];
    // JavaScript loops are JIT-compiled: about 2 ns per multiply-add on typed arrays (an
    // assumption of the same kind as the threshold's 100 ns for interpreted Python).
    const js = ctx.ir.language !== 'python';
    const macNanos = js ? 2 : ctx.threshold('interpretedMacNanos');
    const perMac = macNanos * 1e-9;
    for (const s of signalsOf(ctx.ir).naiveConv) {
      const trips = s.iters.map((it) => tripsOf(it, ctx.bindings));
      let figures = `; ${s.iters.length} loops (${s.vars.join(', ')}): bind their bounds for the estimate`;
      if (trips.every((t) => t !== null)) {
        const macs = (trips as number[]).reduce((a, b) => a * b, 1);
        const py = macs * perMac;
        const gpu = (2 * macs) / peakFor(ctx.device, 'fp32');
        figures = `: ${macs.toLocaleString('en-US')} multiply-adds, ~${timeText(py)} ${js ? 'JIT-compiled' : 'interpreted'} at ${macNanos} ns each; as ${js ? 'tf.conv2d' : 'conv2d / im2col + GEMM'} it is ${flopsText(2 * macs)}, ≥${timeText(gpu)} at fp32 peak on ${deviceLabel(ctx.device)} (~${Math.round(py / gpu).toExponential(1)}× faster)`;
      }
      out.push(
        make(rule, s.header, `${s.iters.length} nested ${js ? 'JavaScript' : 'Python'} loops compute a convolution one multiply-add at a time (window ${s.windows[0]})${figures}`, {
          related: [{ range: s.accumulate, message: 'the multiply-accumulate of the innermost loop' }],
        }),
      );
    }
    return out;
  },
};
