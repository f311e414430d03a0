import { Finding, Range } from '../ir';
import { signalsOf } from './signals';
import { Rule, RuleContext } from './types';
import { contains, make, num } from './util';

const FP16_MAX = 65504;

export const rule: Rule = {
  code: 'TC302',
  name: 'fp16-overflow-risk',
  defaultSeverity: 'warning',
  summary: 'A constant or a reduction length makes fp16 overflow or underflow likely; bf16 has fp32\'s range.',
  docs: {
    what: 'In code that computes in fp16 (an fp16 autocast region, including a context held in a variable or on `self` whose dtype the interpreter decided; a `.half()` model; fp16 annotations or dtypes), flags constants beyond fp16\'s range — `masked_fill(mask, -1e9)`, `eps=1e-8` — and `sum` reductions over at least `fp16ReductionLength` elements whose result is fp16.',
    why:
      'fp16 holds magnitudes up to 65504; its smallest normal number is 6.1e-5 and its smallest subnormal 6e-8. `-1e9` cannot be represented: `masked_fill` raises "value cannot be converted to type at::Half without overflow", and in arithmetic it becomes -inf. An `eps` of 1e-8 rounds to 0 in fp16, so the division it guards can produce inf or NaN. A sum of 4096 values of magnitude 16 is 65536: past fp16\'s maximum. bf16 has 8 exponent bits (fp32\'s range, max ~3.4e38) and avoids all three, at 8 bits of mantissa.',
    example: 'with torch.autocast("cuda", dtype=torch.float16):\n    att = (q @ k.transpose(-2, -1)).masked_fill(mask == 0, -1e9)',
    useInstead: 'with torch.autocast("cuda", dtype=torch.float16):\n    s = q @ k.transpose(-2, -1)\n    att = s.masked_fill(mask == 0, torch.finfo(s.dtype).min)\n\n# or autocast to torch.bfloat16',
  },
  thresholds: [{ key: 'fp16ReductionLength', default: 4096, description: 'Flag fp16 sums over at least this many elements (4096 values of magnitude 16 reach 65536).' }],
  check(ctx) {
    const out: Finding[] = [];
    const sig = signalsOf(ctx.ir);
    for (const lit of sig.floatLiterals) {
      const why = fp16Context(ctx, lit.range);
      if (!why) continue;
      const a = Math.abs(lit.value);
      let msg: string;
      if (a > FP16_MAX) {
        msg = `${lit.text} is beyond fp16's range (max 65504) ${why}: it becomes ${lit.value < 0 ? '-inf' : 'inf'}${lit.context === 'masked_fill' ? ', and masked_fill raises "value cannot be converted to type at::Half without overflow"; use torch.finfo(x.dtype).min' : ''}; or compute in bf16 (fp32 range)`;
      } else {
        msg = `${lit.text} is below fp16's smallest subnormal (6e-8) ${why}: it rounds to 0${lit.context === 'eps' ? ' and no longer guards the division' : ''}; use at least 6.1e-5 (fp16's smallest normal) or compute in bf16/fp32`;
      }
      out.push(make(rule, lit.range, msg));
    }
    const minLen = ctx.threshold('fp16ReductionLength');
    ctx.ir.ops.forEach((op) => {
      if (op.kind !== 'reduction' || op.attrs.op !== 'sum' || op.output.dtype !== 'fp16') return;
      const n = num(op.attrs.length, ctx.bindings);
      if (n === null || n < minLen) return;
      out.push(make(rule, op.range, `fp16 sum over ${n.toLocaleString('en-US')} elements: the result passes fp16's max 65504 once the mean magnitude exceeds ${(FP16_MAX / n).toPrecision(3)}; sum with dtype=torch.float32 or in bf16`));
    });
    return out;
  },
};

/** Why the place computes in fp16, or null when it does not. */
function fp16Context(ctx: RuleContext, r: Range): string | null {
  const sig = signalsOf(ctx.ir);
  const region = sig.autocast.find((a) => contains(a.region, r));
  if (region) return region.dtype === 'fp16' ? 'inside fp16 autocast' : null;
  const fn = ctx.ir.functions.filter((f) => contains(f.range, r)).sort((a, b) => b.range.start.line - a.range.start.line)[0];
  if (fn && ctx.ir.ops.some((o) => o.function === fn.name && o.dtype === 'fp16')) return `in ${fn.name}, which computes in fp16`;
  if (sig.halfModel.length > 0) return 'with the model in fp16 (.half())';
  return null;
}
