import { peakFor } from '../devices';
import { DType } from '../dtypes';
import { flopsText, timeText } from '../format';
import { ContextRef, Finding, GEMM_KINDS } from '../ir';
import { Bindings } from '../symbolic';
import { NaiveConvSignal, signalsOf } from './signals';
import { SiteOp, contextLabel, elements, siteFacts } from './siteOps';
import { Rule, RuleContext } from './types';
import { contains, deviceLabel, make, tripsOf } from './util';

export const rule: Rule = {
  code: 'TC401',
  name: 'naive-convolution-loops',
  defaultSeverity: 'warning',
  summary: 'Nested Python loops compute a convolution one multiply-add at a time; im2col + GEMM or conv2d is orders of magnitude faster.',
  docs: {
    what: 'Finds loop nests whose innermost statement accumulates a product of a sliding window of the input and the kernel — `out[n, co, i, j] += x[n, ci, i + di, j + dj] * w[co, ci, di, dj]`, `out[i, j] = np.sum(x[i:i+kh, j:j+kw] * w)`, the window taken into a variable first (`hs = h * stride; patch = X[b, hs:hs+kh, ws:ws+kw, :]; Y[b, h, w, c] = np.sum(patch * W[c])`), an einsum, `np.dot` or `@` of the window (flattened first or not: `window = x[:, :, i:i + k, j:j + k].reshape(n, -1); out[:, :, i, j] = window @ w_flat.T`, one GEMM per output pixel, which TC101 then leaves to this rule), or one loop sliding a 1-D window a sample a trip — and estimates the time the interpreter spends against one `conv2d` (or im2col + one GEMM) on the target device. The multiply-adds are the interpreter\'s: how many times the product runs (the trips of the loops around it, with the sizes bound in the function or by the calling context that ran it) times the elements of one product, in the arrays\' own dtype (float64 for `np.random.randn`). Building the im2col matrix with loops over the kernel offsets (copies, no products), pooling windows (no product) and mini-batch slices (a loop stepping by the slice\'s width) are not flagged.',
    why:
      'A convolution does N·C_out·H_out·W_out·C_in·kh·kw multiply-adds (2 FLOPs each). Written as Python loops every one is an interpreted step of ~`interpretedMacNanos` (100 ns assumed; NumPy scalar indexing is slower still): a 3×3 convolution of a (1, 64, 56, 56) input to 64 channels is 116 M multiply-adds, ~12 s. As one GEMM (im2col) or `F.conv2d` it is 231 MFLOP, a few microseconds of an H100 at fp32 peak — a speed-up of 10⁵ to 10⁶. The im2col matrix costs memory (see TC402); cuDNN\'s implicit GEMM avoids even that.',
    example: 'for co in range(C_out):\n    for ci in range(C_in):\n        for i in range(H_out):\n            for j in range(W_out):\n                for di in range(kh):\n                    for dj in range(kw):\n                        out[co, i, j] += x[ci, i + di, j + dj] * w[co, ci, di, dj]',
    useInstead: 'out = F.conv2d(x[None], w)[0]\n# NumPy: cols = sliding_window_view(x, (kh, kw), axis=(1, 2)) then one tensordot / matmul',
  },
  thresholds: [
    { key: 'interpretedMacNanos', default: 100, description: 'Time assumed per interpreted multiply-add, nanoseconds.' },
    { key: 'arrayCallNanos', default: 1000, description: 'Least time assumed per NumPy / PyTorch call on a small array from a Python loop (dispatch, allocation), nanoseconds.' },
  ],
  check(ctx) {
    const out: Finding[] = [];
    // JavaScript loops are JIT-compiled: about 2 ns per multiply-add on typed arrays (an
    // assumption of the same kind as the threshold's 100 ns for interpreted Python).
    const js = ctx.ir.language !== 'python';
    const macNanos = js ? 2 : ctx.threshold('interpretedMacNanos');
    const callNanos = ctx.threshold('arrayCallNanos');
    for (const s of signalsOf(ctx.ir).naiveConv) {
      const f = convFacts(ctx, s);
      let figures = `; ${s.iters.length} loops (${s.vars.join(', ')}): bind their bounds for the estimate`;
      if (f) {
        const gpu = (2 * f.macs) / peakFor(ctx.device, f.dtype);
        // One multiply-add per trip is a scalar step of the interpreter; a window per trip is a
        // few array calls, each with a fixed cost that dwarfs its few dozen multiply-adds.
        // The window form still does its multiply-adds: at best at the device's peak.
        const py = f.perRun === 1 ? f.macs * macNanos * 1e-9 : f.runs * f.calls * callNanos * 1e-9 + gpu;
        const how = f.perRun === 1
          ? `${f.macs.toLocaleString('en-US')} multiply-adds${f.dtype !== 'fp32' ? ` (${f.dtype})` : ''}, ~${timeText(py)} ${js ? 'JIT-compiled' : 'interpreted'} at ${macNanos} ns each`
          : `${f.runs.toLocaleString('en-US')} trips × ${f.perRun.toLocaleString('en-US')} = ${f.macs.toLocaleString('en-US')} multiply-adds (${f.dtype}), ≥${timeText(py)} interpreted (${f.calls} array call${f.calls === 1 ? '' : 's'} a trip at ≥${timeText(callNanos * 1e-9)} each)`;
        figures = `: ${how}; as ${js ? 'tf.conv2d' : 'conv2d / im2col + GEMM'} it is ${flopsText(2 * f.macs)}, ≥${timeText(gpu)} at ${f.dtype} peak on ${deviceLabel(ctx.device)} (~${ratioText(py / gpu)} faster)${f.context ? ` (sizes from the call at ${contextLabel(f.context)})` : ''}`;
      }
      const what = f && f.perRun > 1 ? 'a window at a time' : 'one multiply-add at a time';
      out.push(
        make(rule, s.header, `${s.iters.length === 1 ? `a ${js ? 'JavaScript' : 'Python'} loop computes` : `${s.iters.length} nested ${js ? 'JavaScript' : 'Python'} loops compute`} a convolution ${what} (window ${s.windows[0]})${figures}`, {
          related: [{ range: s.accumulate, message: 'the multiply-accumulate of the innermost loop' }],
        }),
      );
    }
    return out;
  },
};

function ratioText(r: number): string {
  return r < 1000 ? `${Math.round(r)}×` : `${r.toExponential(1)}×`;
}

interface ConvFacts {
  /** Executions of the innermost product, multiply-adds of one, and their product. */
  runs: number;
  perRun: number;
  macs: number;
  dtype: DType;
  /** Ops the accumulate statement runs per trip (the product, the sum...). */
  calls: number;
  context?: ContextRef;
}

/**
 * The multiply-adds of the nest from the interpreter's facts: how many times the product runs
 * (its op's repeat: the trips of every loop around it, in the file or in the calling context
 * that ran it) times the multiply-adds of one run (the product's element count: 27 for a 3×3×3
 * window, 1 for two scalars; half the FLOPs of a contraction call). Without a product op (TS/JS
 * frontends), the loops' trip counts from their `range(...)` bounds, one multiply-add a trip.
 */
function convFacts(ctx: RuleContext, s: NaiveConvSignal): ConvFacts | null {
  const scalar = s.windows.every((w) => !w.includes(':') && !w.includes('='));
  const perRunOf = (op: SiteOp, b: Bindings): number | null => {
    if (op.cost.unknown && !scalar) return null;
    if (GEMM_KINDS.has(op.kind)) {
      const f = op.cost.unknown ? null : op.cost.flops.evaluate(b);
      return f === null || f <= 0 ? (scalar ? 1 : null) : f / 2;
    }
    return elements(op.output, b) ?? (scalar ? 1 : null);
  };
  if (s.product) {
    const f = siteFacts(ctx, s.product, (op, b) => perRunOf(op, b) !== null && (!op.repeat || op.repeat.evaluate(b) !== null), 'runs');
    const perRun = f ? perRunOf(f.op, ctx.bindings) : null;
    if (f && perRun !== null && f.runs !== null) {
      const calls = Math.max(1, ctx.ir.ops.filter((o) => contains(s.accumulate, o.range)).length);
      return { runs: f.runs, perRun, macs: f.runs * perRun, dtype: f.op.dtype, calls, ...(f.context ? { context: f.context } : {}) };
    }
    if (!scalar) return null;
  }
  const trips = s.iters.map((it) => tripsOf(it, ctx.bindings));
  if (!trips.every((t) => t !== null)) return null;
  const macs = (trips as number[]).reduce((a, b) => a * b, 1);
  return { runs: macs, perRun: 1, macs, dtype: 'fp32', calls: 1 };
}
