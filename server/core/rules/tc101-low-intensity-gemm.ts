import { intensityText, percentText, rateText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';
import { signalsOf } from './signals';
import { runsOnNumpy } from './numpyOps';
import { deviceLabel, make, num, opAt, sameRange } from './util';

const GEMMS = new Set(['matmul', 'bmm', 'linear', 'einsum']);

export const rule: Rule = {
  code: 'TC101',
  name: 'low-intensity-gemm',
  defaultSeverity: 'information',
  summary: "A GEMM's arithmetic intensity is far below the device's ridge point: it is memory-bound and leaves most of the tensor cores idle.",
  docs: {
    what: 'Flags matrix multiplications (`@`, `matmul`, `bmm`, `linear`, `einsum`) whose arithmetic intensity (FLOPs per byte moved) is below the target device\'s ridge point divided by `lowIntensityFactor`, when the op takes at least `lowIntensityMinMicros` on the roofline over all its calls: its loops, and, where a calling context runs it (a training script, a stack of layers), every call that context makes. The message gives the intensity, the ridge point, the share of peak the roofline allows and the calls counted. ' +
      'Which side is thin decides the advice. When m (the rows) is small, more rows per call help: batch requests or tokens. When n is the thin side (a LoRA down-projection `x @ A` with A of shape (d, r), r = 8…64) more rows change nothing, since the intensity tends to about n FLOP/B however many rows come: the fix is to read the input once for every GEMM that consumes it (concatenate A to the columns of the frozen weight it sits beside: one (d, d_out + r) GEMM), or to merge the adapter into the weight for inference (W + A·B·scale). A thin output layer with nothing beside it (10 classes) gets the same finding when its calls add up past the floor: the input is read for few outputs, and fusing it into the kernel that produces the input is then the remaining fix. ' +
      'NumPy GEMMs are left out: NumPy runs on the CPU, so the target device\'s ridge and peak say nothing about them (an op is NumPy\'s when its call names NumPy, `np.dot`, or when its file imports NumPy and none of torch, jax, tensorflow or cupy). A naive convolution\'s `window @ w_flat.T` is TC401\'s. ' +
      'The two GEMMs of attention written by hand (`q @ k.transpose(-2, -1)`, `att @ v`) are left to TC202, whose fix (a fused kernel) is the one that applies. ' +
      'The rule stays silent on a GEMM whose input is cut to the last position of the sequence (`self.lm_head(x[:, [-1], :])`, nanoGPT\'s generate): that thinness is deliberate, computing the logits of every position to make the GEMM wider would only add work.',
    why:
      'A GEMM of m×k by k×n does 2·m·k·n FLOPs and moves at least dtype_bytes·(m·k + k·n + m·n) bytes, so its intensity is about 2·m·k·n / (bytes·(m·k + k·n + m·n)). When m (or n) is small — one token at decode time, a batch of 8 — the k×n weight dominates the bytes and the intensity collapses to about m FLOP/B in fp16. ' +
      'The roofline caps attainable throughput at bandwidth × intensity: an H100 SXM moves 3.35 TB/s and peaks at 989.4 TFLOP/s in fp16, a ridge point of 295 FLOP/B, so an (8, 8192) @ (8192, 8192) fp16 GEMM at ~8 FLOP/B reaches at most 2.7% of peak no matter how good the kernel is. In fp32 (66.9 TFLOP/s) the ridge is 20 FLOP/B.',
    example: 'def decode(x: Float16[Tensor, "8 8192"], w: Float16[Tensor, "8192 8192"]):\n    return x @ w   # 8 rows: ~8 FLOP/B against a ridge of 295 FLOP/B',
    useInstead: 'def decode(x: Float16[Tensor, "256 8192"], w: Float16[Tensor, "8192 8192"]):\n    return x @ w   # batch requests/tokens so each weight byte feeds more FLOPs',
  },
  thresholds: [
    { key: 'lowIntensityFactor', default: 4, description: 'Fire when the intensity is below the ridge point divided by this factor (4: at most 25% of peak).' },
    { key: 'lowIntensityMinMicros', default: 10, description: 'Only ops whose roofline time over all their calls (loop trips, and the calls of the calling context that runs them) is at least this many microseconds.' },
  ],
  check(ctx) {
    const factor = ctx.threshold('lowIntensityFactor');
    const minTime = ctx.threshold('lowIntensityMinMicros') * 1e-6;
    const found = ctx.opFindings(rule.code, `${factor}|${minTime}`, (op, f) => {
      if (!GEMMS.has(op.kind) || f.intensity === null || f.timeSeconds === null || f.fractionOfPeak === null) return null;
      // Deliberately thin: only the last position's logits are wanted (the rule's docs).
      if (op.attrs.lastPosition) return null;
      const calls = ctx.context?.(op)?.calls ?? 1;
      if (f.intensity >= f.ridge / factor || f.timeSeconds * calls < minTime) return null;
      return explain(op, f, calls);
    });
    // The two GEMMs of attention written by hand are TC202's: a fused kernel is the fix there,
    // not more rows. Applied to the few findings, as signals move with the lines above them.
    const attention = signalsOf(ctx.ir).manualAttention;
    // NumPy runs on the CPU: the device's ridge says nothing about its GEMMs (the rule's docs).
    // Applied to the few findings, as the file's imports are not part of what is remembered per op.
    const onDevice = found.filter((x) => {
      const at = opAt(ctx, x.range);
      return !at || !runsOnNumpy(at.op, ctx.ir);
    });
    // Likewise a GEMM per output pixel of a convolution written as loops is TC401's: the fix is one
    // conv2d (or im2col + one GEMM), and "batch more rows" would misread the loop.
    const conv = signalsOf(ctx.ir).naiveConv;
    if (attention.length === 0 && conv.length === 0) return onDevice;
    return onDevice.filter((x) => !attention.some((s) => sameRange(s.scores, x.range) || sameRange(s.output, x.range)) && !conv.some((s) => !!s.product && sameRange(s.product, x.range)));

    function explain(op: (typeof ctx.ir.ops)[number], f: (typeof ctx.figures)[number], calls: number): Finding {
      const m = num(op.attrs.m, ctx.bindings);
      const n = num(op.attrs.n, ctx.bindings);
      const k = num(op.attrs.k, ctx.bindings);
      let why = '';
      if (m !== null && n !== null && k !== null) {
        if (Math.min(m, n) < k / 8) why = m <= n ? `; m=${m} makes it thin (GEMV-like): batch more rows per call` : `; n=${n} is the thin side: more rows will not help; read the input once for every GEMM that uses it (concatenate their weights along n), or merge an adapter into its layer for inference`;
        else if (k < Math.min(m, n) / 8) why = `; k=${k} is short: each output element reuses few inputs`;
      }
      // The figures hold the op's own loops (`repeat`); the context's calls multiply them. The count
      // said is every run of the op, so that the time is the time of one run times the count.
      const runs = calls * (num(op.repeat, ctx.bindings) ?? 1);
      const time = runs > 1 ? `${timeText(f.timeSeconds! * calls)} memory-bound over ${runs.toLocaleString('en-US')} calls` : `${timeText(f.timeSeconds!)} memory-bound`;
      return make(
        rule,
        op.range,
        `intensity ${intensityText(f.intensity!)} < ridge ${intensityText(f.ridge)} on ${deviceLabel(ctx.device)} (${op.dtype}): at most ${percentText(f.fractionOfPeak!)} of peak (${rateText(f.attainable ?? 0)} of ${rateText(f.peak)}), ${time}${why}`,
      );
    }
  },
};
