/**
 * The timm layers model code imports instead of writing its own (DiT's
 * `from timm.models.vision_transformer import PatchEmbed, Attention, Mlp`; MAE and many ViT
 * variants do the same): a library outside the program, so every call into them was an unknown
 * callee and the model's figures stopped there. Each is modelled as timm's source defines it:
 *
 * - `PatchEmbed(img_size=224, patch_size=16, in_chans=3, embed_dim=768, norm_layer=None,
 *   flatten=True, bias=True)`: a convolution of kernel and stride `patch_size`, then
 *   `flatten(2).transpose(1, 2)` (views) to (B, N, D); `num_patches` as an attribute.
 * - `Attention(dim, num_heads=8, qkv_bias=False, qk_norm=False, ...)`: one `qkv` linear to 3·dim,
 *   scaled-dot-product attention over `num_heads` heads (timm's fused path, not causal), a `proj`
 *   linear with bias; with `qk_norm`, a LayerNorm of the head dim on q and on k.
 * - `Mlp(in_features, hidden_features=None, out_features=None, act_layer=nn.GELU, bias=True)`:
 *   `fc1`, the activation (counted as a GELU: what `act_layer` makes is a callable the handler
 *   does not run), `fc2`.
 * - `Block(dim, num_heads, mlp_ratio=4., qkv_bias=False, ...)`: the pre-norm residual block of
 *   the two (MAE imports it with PatchEmbed).
 */
import { Dim, TensorType } from '../../../core/ir';
import { activation, dropout, elementwise } from '../../../core/ops/elementwise';
import { linear } from '../../../core/ops/linear';
import { layerNorm } from '../../../core/ops/normalization';
import { sdpa } from '../../../core/ops/attention';
import { conv } from '../../../core/ops/conv';
import { Poly } from '../../../core/symbolic';
import { CallSite, Value, asDim, int, tensor } from '../values';
import { boolOf, dimTupleOf, pick } from './args';
import { moduleValue } from './modules';
import { BuiltinCtx, defineFunction } from './registry';

const ROOTS = ['timm.models.vision_transformer.', 'timm.layers.', 'timm.models.layers.', 'timm.layers.patch_embed.', 'timm.layers.mlp.', 'timm.layers.attention.'];
const names = (cls: string) => ROOTS.map((r) => r + cls);

/** `img_size=32` or `(32, 32)`: the two sides. */
function pair(v: Value | undefined, dflt: number): [Dim, Dim] | undefined {
  if (!v) return [Poly.const(dflt), Poly.const(dflt)];
  const t = dimTupleOf(v);
  if (t && t.length === 2) return [t[0], t[1]];
  const d = asDim(v);
  return d ? [d, d] : undefined;
}

defineFunction(names('PatchEmbed'), (args, kw, _site, ctx) => {
  const img = pair(pick(args, kw, 0, 'img_size'), 224);
  const patch = pair(pick(args, kw, 1, 'patch_size'), 16);
  const inC = asDim(pick(args, kw, 2, 'in_chans') ?? int(3)) ?? Poly.sym(ctx.fresh());
  const dim = asDim(pick(args, kw, 3, 'embed_dim') ?? int(768)) ?? Poly.sym(ctx.fresh());
  const bias = boolOf(kw.get('bias'), true);
  const flat = boolOf(kw.get('flatten'), true);
  if (!patch) return { kind: 'unknown' };
  const weight = [dim, inC, patch[0], patch[1]];
  const params = dim.mul(inC).mul(patch[0]).mul(patch[1]).add(bias ? dim : Poly.ZERO);
  const m = moduleValue('PatchEmbed', params, ctx, (x, _a, _k, site, c) => {
    const y = c.record(conv(x, weight, { stride: patch, padding: [Poly.ZERO], dilation: [Poly.ONE], groups: Poly.ONE, bias, outputPadding: [Poly.ZERO] }, c.opContext(x.dtype)), site, [x]);
    if (!flat || y.kind !== 'tensor' || !y.type.shape || y.type.shape.length !== 4) return y;
    const [b, d, h, w] = y.type.shape;
    return tensor({ shape: [b, h.mul(w), d], dtype: y.type.dtype });
  });
  if (m.kind === 'module' && img) {
    const grid = [img[0].floordiv(patch[0]), img[1].floordiv(patch[1])];
    m.attrs = new Map<string, Value>([
      ['num_patches', int(grid[0].mul(grid[1]))],
      ['grid_size', { kind: 'tuple', items: grid.map(int) }],
      ['patch_size', { kind: 'tuple', items: patch.map(int) }],
    ]);
  }
  return m;
});

/** timm's Attention forward on `x` (B, N, dim): qkv, (q/k norms), SDPA, proj. */
function attentionForward(x: TensorType, dim: Dim, heads: Dim, qkvBias: boolean, qkNorm: boolean, site: CallSite, c: BuiltinCtx): Value {
  if (!x.shape || x.shape.length !== 3) return tensor({ shape: null, dtype: x.dtype });
  const [b, n] = x.shape;
  const hd = dim.floordiv(heads);
  const oc = c.opContext(x.dtype);
  c.record(linear(x, [dim.scale(3), dim], qkvBias, oc), site, [x]);
  const head: TensorType = { shape: [b, heads, n, hd], dtype: x.dtype };
  if (qkNorm) for (let i = 0; i < 2; i++) c.record(layerNorm(head, [hd], { weight: true, bias: true }, oc), site, [head]);
  c.record(sdpa(head, head, head, { causal: false }, oc), site, [head, head, head]);
  const merged: TensorType = { shape: [b, n, dim], dtype: x.dtype };
  return c.record(linear(merged, [dim, dim], true, oc), site, [merged]);
}

const attentionParams = (dim: Dim, heads: Dim, qkvBias: boolean, qkNorm: boolean) =>
  dim.mul(dim.scale(3)).add(qkvBias ? dim.scale(3) : Poly.ZERO).add(dim.mul(dim)).add(dim).add(qkNorm ? dim.floordiv(heads).scale(4) : Poly.ZERO);

defineFunction(names('Attention'), (args, kw, _site, ctx) => {
  const dim = asDim(pick(args, kw, 0, 'dim')) ?? Poly.sym(ctx.fresh());
  const heads = asDim(pick(args, kw, 1, 'num_heads') ?? int(8)) ?? Poly.sym(ctx.fresh());
  const qkvBias = boolOf(pick(args, kw, 2, 'qkv_bias'), false);
  const qkNorm = boolOf(pick(args, kw, 3, 'qk_norm'), false);
  return moduleValue('Attention', attentionParams(dim, heads, qkvBias, qkNorm), ctx, (x, _a, _k, site, c) => attentionForward(x, dim, heads, qkvBias, qkNorm, site, c));
});

/** timm's Mlp forward: fc1, the activation (counted as a GELU), fc2. */
function mlpForward(x: TensorType, inF: Dim, hidden: Dim, out: Dim, bias: boolean, site: CallSite, c: BuiltinCtx): Value {
  const oc = c.opContext(x.dtype);
  const h = c.record(linear(x, [hidden, inF], bias, oc), site, [x]);
  if (h.kind !== 'tensor') return h;
  const a = c.record(activation(h.type, 'gelu', oc), site, [h.type]);
  if (a.kind !== 'tensor') return a;
  return c.record(linear(a.type, [out, hidden], bias, oc), site, [a.type]);
}

defineFunction(names('Mlp'), (args, kw, _site, ctx) => {
  const inF = asDim(pick(args, kw, 0, 'in_features')) ?? Poly.sym(ctx.fresh());
  const hidden = asDim(pick(args, kw, 1, 'hidden_features')) ?? inF;
  const out = asDim(pick(args, kw, 2, 'out_features')) ?? inF;
  const bias = boolOf(kw.get('bias'), true);
  const params = inF.mul(hidden).add(hidden.mul(out)).add(bias ? hidden.add(out) : Poly.ZERO);
  return moduleValue('Mlp', params, ctx, (x, _a, _k, site, c) => mlpForward(x, inF, hidden, out, bias, site, c));
});

/**
 * `Block(dim, num_heads, mlp_ratio=4., qkv_bias=False, ...)` (MAE's encoder and decoder): pre-norm
 * residual blocks, `x + attn(norm1(x))` then `x + mlp(norm2(x))`, the norms LayerNorms over `dim`
 * (MAE passes `partial(nn.LayerNorm, eps=1e-6)`; the eps changes no cost).
 */
defineFunction(names('Block'), (args, kw, _site, ctx) => {
  const dim = asDim(pick(args, kw, 0, 'dim')) ?? Poly.sym(ctx.fresh());
  const heads = asDim(pick(args, kw, 1, 'num_heads') ?? int(8)) ?? Poly.sym(ctx.fresh());
  const ratio = pick(args, kw, 2, 'mlp_ratio');
  const r = ratio?.kind === 'float' ? ratio.value : ratio ? asDim(ratio)?.constValue() : 4;
  const qkvBias = boolOf(pick(args, kw, 3, 'qkv_bias'), false);
  const qkNorm = boolOf(kw.get('qk_norm'), false);
  if (r === undefined || r === null) return { kind: 'unknown' };
  const hidden = dim.scale(r).rounded('floor') ?? Poly.sym(ctx.fresh());
  const params = attentionParams(dim, heads, qkvBias, qkNorm).add(dim.mul(hidden).scale(2)).add(hidden.add(dim)).add(dim.scale(4));
  return moduleValue('Block', params, ctx, (x, _a, _k, site, c) => {
    const oc = c.opContext(x.dtype);
    const norm = (t: TensorType) => c.record(layerNorm(t, [dim], { weight: true, bias: true }, oc), site, [t]);
    const residual = (t: TensorType, y: Value) => (y.kind === 'tensor' ? c.record(elementwise([t, y.type], oc, { flopsPerElement: 1 }), site, [t, y.type]) : tensor({ shape: null, dtype: t.dtype }));
    const n1 = norm(x);
    const h = residual(x, n1.kind === 'tensor' ? attentionForward(n1.type, dim, heads, qkvBias, qkNorm, site, c) : n1);
    if (h.kind !== 'tensor') return h;
    const n2 = norm(h.type);
    return residual(h.type, n2.kind === 'tensor' ? mlpForward(n2.type, dim, hidden, dim, true, site, c) : n2);
  });
});

/**
 * timm's helpers that model code imports beside its layers (Swin's
 * `from timm.models.layers import DropPath, to_2tuple, trunc_normal_`): without them every size
 * made by `to_2tuple(img_size)` was unknown, and with it the whole model.
 *
 * - `to_2tuple(x)` (and `to_1tuple`..`to_4tuple`, `to_ntuple(n)(x)`): an iterable as a tuple,
 *   anything else repeated n times, as timm's `_ntuple` does.
 * - `trunc_normal_(t, ...)` and the other initialisers: fill `t` in place when the model is built;
 *   nothing a forward pass computes.
 * - `DropPath(drop_prob)`: stochastic depth, identity in eval mode, so counted as a dropout.
 */
function ntuple(n: number, x: Value | undefined): Value {
  if (!x) return { kind: 'unknown' };
  if (x.kind === 'tuple') return x.unknownTrips ? { kind: 'unknown' } : { ...x, list: undefined };
  if (x.kind === 'unknown' || x.kind === 'str' || x.kind === 'dict' || x.kind === 'range' || x.kind === 'tensor') return { kind: 'unknown' };
  return { kind: 'tuple', items: Array(n).fill(x) };
}
for (const n of [1, 2, 3, 4]) defineFunction(names(`to_${n}tuple`), (args) => ntuple(n, args[0]));
for (const init of ['trunc_normal_', 'trunc_normal_tf_', 'lecun_normal_', 'variance_scaling_']) defineFunction(names(init), (args) => args[0] ?? { kind: 'unknown' });
defineFunction(names('DropPath'), (_args, _kw, _site, ctx) => moduleValue('DropPath', Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(dropout(x, c.opContext(x.dtype)), site, [x])));
