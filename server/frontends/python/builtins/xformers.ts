/**
 * xFormers' attention, which model code calls when the library is installed (DINOv2's
 * `MemEffAttention`, many diffusion models): `memory_efficient_attention(q, k, v, attn_bias)`
 * takes (B, M, H, K) — heads after the sequence — or (B, M, K), and gives (B, M, H, Kv). Its cost
 * is scaled-dot-product attention's over B·H (core/ops/attention.ts). A `LowerTriangularMask()`
 * bias makes it causal; a bias tensor is a dense mask; a bias object of another kind (a block-
 * diagonal mask over packed sequences) is counted dense, an upper bound, and said so.
 * `xformers.ops.unbind` is `torch.unbind`.
 */
import { TensorType } from '../../../core/ir';
import { sdpa } from '../../../core/ops/attention';
import { UNKNOWN, Value, tensor } from '../values';
import { pick, tensorArg } from './args';
import { sdpaValue } from './nnFunctional';
import { defineFunction } from './registry';
import { unbindValue } from './shapes';

const ROOTS = ['xformers.ops.', 'xformers.ops.fmha.'];
const names = (n: string) => ROOTS.map((r) => r + n);

/** (B, M, H, K) as (B, H, M, K), and back: the two axes before the last swapped. */
function swapHeads(t: TensorType | undefined): TensorType | undefined {
  if (!t?.shape || t.shape.length < 4) return t;
  const s = [...t.shape];
  [s[s.length - 3], s[s.length - 2]] = [s[s.length - 2], s[s.length - 3]];
  return { ...t, shape: s };
}

const CAUSAL_BIAS = /LowerTriangularMask(FromBottomRight)?\(\)$/;

defineFunction(names('LowerTriangularMask'), () => ({ kind: 'ref', path: 'xformers.ops.LowerTriangularMask()' }));

defineFunction(names('memory_efficient_attention'), (args, kw, site, ctx) => {
  const bias: Value | undefined = pick(args, kw, 3, 'attn_bias');
  const causal = bias?.kind === 'ref' && CAUSAL_BIAS.test(bias.path);
  const mask = bias?.kind === 'tensor' ? bias.type : undefined;
  const dense = !bias || bias.kind === 'none' || causal || mask !== undefined;
  const [q, k, v] = [tensorArg(args, kw, 0, 'query'), tensorArg(args, kw, 1, 'key'), tensorArg(args, kw, 2, 'value')].map(swapHeads);
  if (!q || !k || !v) return UNKNOWN;
  let out: Value;
  if (dense) out = sdpaValue(q, k, v, causal, mask, site, ctx);
  else {
    const result = sdpa(q, k, v, { causal: false }, ctx.opContext(q.dtype ?? k.dtype));
    result.cost = { ...result.cost, notes: ['attn_bias of a kind not modelled here: counted as unmasked attention, the costlier side (an upper bound)', ...(result.cost.notes ?? [])] };
    ctx.upperBound?.();
    out = ctx.record(result, site, [q, k, v]);
  }
  return out.kind === 'tensor' ? tensor(swapHeads(out.type)!) : out;
});

defineFunction(names('unbind'), (args, kw) => (args[0]?.kind === 'tensor' ? unbindValue(args[0].type, args[1] ?? kw.get('dim')) : UNKNOWN));
