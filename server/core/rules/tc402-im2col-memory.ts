import { bytesText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';
import { make, num, shapeOf } from './util';

const MiB = 1024 * 1024;

export const rule: Rule = {
  code: 'TC402',
  name: 'im2col-memory',
  defaultSeverity: 'information',
  summary: 'The im2col buffer of a convolution exceeds a memory threshold.',
  docs: {
    what: 'For each convolution, computes the matrix im2col lowering builds — N·H_out·W_out rows of C_in·kh·kw elements — and flags it when it exceeds `im2colMiB` (256 MiB). It matters for code that lowers convolutions to one GEMM itself (`F.unfold`, `sliding_window_view`) and for backends that do (CPU, WebGPU, TF.js); cuDNN\'s implicit-GEMM kernels never store it.',
    why:
      'The unfolded matrix repeats every input element kh·kw times (divided by the stride squared): a 3×3 convolution of a (32, 64, 224, 224) fp32 batch unfolds 32·224·224 = 1.6 M rows of 64·9 = 576 elements, 3.45 GiB — 9× the 392 MiB input — written once and read once by the GEMM. That can exhaust device memory and costs 6.9 GiB of traffic, ~2 ms at the H100\'s 3.35 TB/s, on top of the convolution.',
    example: 'cols = F.unfold(x, kernel_size=3, padding=1)           # (N, C·9, H·W) materialised\nout = (w.view(C_out, -1) @ cols).view(N, C_out, H, W)',
    useInstead: 'out = F.conv2d(x, w, padding=1)   # implicit GEMM: no unfolded copy\n# or unfold in chunks of the batch to bound the buffer',
  },
  thresholds: [{ key: 'im2colMiB', default: 256, description: 'Fire when the unfolded matrix of one call exceeds this many MiB.' }],
  check(ctx) {
    const out: Finding[] = [];
    const limit = ctx.threshold('im2colMiB') * MiB;
    for (const op of ctx.ir.ops) {
      if (op.kind !== 'conv') continue;
      const bytes = num(op.attrs.im2colBytes, ctx.bindings);
      const rows = num(op.attrs.m, ctx.bindings);
      const cols = num(op.attrs.k, ctx.bindings);
      const groups = num(op.attrs.groups, ctx.bindings) ?? 1;
      if (bytes === null || bytes <= limit) continue;
      const input = shapeOf(op, 0, ctx.bindings);
      out.push(
        make(
          rule,
          op.range,
          `im2col of this convolution${input ? ` on ${input}` : ''} is ${rows !== null && cols !== null ? `${rows.toLocaleString('en-US')} × ${(cols * groups).toLocaleString('en-US')} ${op.dtype} elements = ` : ''}${bytesText(bytes)} (> ${bytesText(limit)}), written then read: ${bytesText(2 * bytes)} of traffic where lowering goes through im2col; implicit-GEMM conv (cuDNN) or a chunked unfold avoids it`,
        ),
      );
    }
    return out;
  },
};
