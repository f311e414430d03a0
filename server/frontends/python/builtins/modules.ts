/**
 * `torch.nn` modules: constructing one gives a module value with its parameter count; calling it
 * runs the same rule as the functional form. Containers (Sequential, ModuleList, ModuleDict) are
 * the interpreter's.
 *
 * The call receives the caller's BuiltinCtx so that the op is recorded in the frame that calls
 * the module (`self.c_attn(x)` inside `forward`), not where it was built.
 */
import { DType } from '../../../core/dtypes';
import { Dim, TensorType } from '../../../core/ir';
import { activation, dropout } from '../../../core/ops/elementwise';
import { embedding } from '../../../core/ops/embedding';
import { linear } from '../../../core/ops/linear';
import { batchNorm, groupNorm, layerNorm } from '../../../core/ops/normalization';
import { adaptivePool, pool } from '../../../core/ops/pool';
import { moved } from '../../../core/ops/copy';
import { resample } from '../../../core/ops/resample';
import { tensorBytes } from '../../../core/ops/types';
import { sdpa } from '../../../core/ops/attention';
import { flatten } from '../../../core/ops/shape';
import { Poly, product } from '../../../core/symbolic';
import { CallSite, ModuleCall, UNKNOWN, Value, asDim, tensor } from '../values';
import { boolOf, dimTupleOf, dtypeOf, intOf, pick, shapeValue, strOf } from './args';
import { softmaxValue } from './activations';
import { paddedCopy } from './shapes';
import { adaptiveSize, convGeometry, convValue, crossEntropyValue, resampleTarget } from './nnFunctional';
import { BuiltinCtx, defineFunction } from './registry';

const NN = 'torch.nn.';
type Forward = (x: TensorType, args: Value[], kwargs: Map<string, Value>, site: CallSite, ctx: BuiltinCtx) => Value;

/** A module value; `forward` runs with the caller's ctx when the interpreter passes one. */
export function moduleValue(cls: string, params: Poly, built: BuiltinCtx, forward: Forward): Value {
  const call: ModuleCall = (args, kwargs, site, caller) => {
    const x = args[0] ?? kwargs.get('input');
    // A value the analysis lost (`self.lstm(packed)` after an unmodelled call) is an input of
    // unknown shape: the layer's cost is unknown and said so, never a silent nothing.
    if (x?.kind === 'unknown') return forward({ shape: null, dtype: null }, args.slice(1), kwargs, site, caller ?? built);
    if (x?.kind !== 'tensor') return UNKNOWN;
    return forward(x.type, args.slice(1), kwargs, site, caller ?? built);
  };
  return { kind: 'module', cls, call, params };
}

const dimArg = (args: Value[], kw: Map<string, Value>, i: number, name: string): Dim | undefined => asDim(pick(args, kw, i, name));
const weightDtype = (kw: Map<string, Value>): DType | null => dtypeOf(kw.get('dtype')) ?? null;

/**
 * A layer's size arguments (`out_channels`, `in_features`, `groups`). A float there
 * (`mid_planes = out_planes/4`, a float in Python 3) makes PyTorch raise TypeError when the layer
 * allocates its weight: the figures say so, once per layer, and count the integral value the
 * author meant; a float that is not integral counts nothing.
 */
class Sizes {
  private readonly floats: string[] = [];
  private integral = true;
  constructor(private readonly args: Value[], private readonly kw: Map<string, Value>) {}

  get(i: number, name: string): Dim | undefined {
    const v = pick(this.args, this.kw, i, name);
    if (v?.kind !== 'float' || v.value === null) return asDim(v);
    const n = v.value;
    const integral = Number.isSafeInteger(n) && n >= 0;
    this.integral &&= integral;
    this.floats.push(`${name}=${Number.isInteger(n) ? n.toFixed(1) : String(n)}`);
    return integral ? Poly.const(n) : undefined;
  }

  report(cls: string, site: CallSite, ctx: BuiltinCtx): void {
    if (this.floats.length === 0) return;
    const what = this.floats.length === 1 ? 'a float size' : 'float sizes';
    const counted = this.integral ? `; counted as ${this.floats.length === 1 ? 'an integer' : 'integers'}` : '';
    ctx.raises?.(site, `\`nn.${cls}\` given ${what} (${this.floats.join(', ')}): PyTorch raises TypeError (sizes are ints; \`/\` gives a float in Python 3, \`//\` does not)${counted}`);
  }
}

defineFunction([`${NN}Linear`], (args, kw, site, ctx) => {
  const sizes = new Sizes(args, kw);
  const inF = sizes.get(0, 'in_features') ?? Poly.sym(ctx.fresh());
  const outF = sizes.get(1, 'out_features') ?? Poly.sym(ctx.fresh());
  sizes.report('Linear', site, ctx);
  const bias = boolOf(pick(args, kw, 2, 'bias'), true);
  const dtype = weightDtype(kw);
  return moduleValue('Linear', inF.mul(outF).add(bias ? outF : Poly.ZERO), ctx, (x, _a, _k, site, c) =>
    c.record(linear(x.dtype || !dtype ? x : { ...x, dtype }, [outF, inF], bias, c.opContext(x.dtype ?? dtype)), site, [x]),
  );
});

for (const nd of [1, 2, 3]) {
  for (const transposed of [false, true]) {
    const cls = transposed ? `ConvTranspose${nd}d` : `Conv${nd}d`;
    defineFunction([NN + cls], (args, kw, site, ctx) => {
      const sizes = new Sizes(args, kw);
      const cIn = sizes.get(0, 'in_channels') ?? Poly.sym(ctx.fresh());
      const cOut = sizes.get(1, 'out_channels') ?? Poly.sym(ctx.fresh());
      // `groups` is the seventh argument of both forms.
      const groupsArg = pick(args, kw, 6, 'groups');
      const groups = groupsArg?.kind === 'float' ? sizes.get(6, 'groups') : undefined;
      const groupsValue: Value | undefined = groupsArg?.kind === 'float' ? (groups ? { kind: 'int', value: groups } : UNKNOWN) : groupsArg;
      sizes.report(cls, site, ctx);
      const k = dimTupleOf(pick(args, kw, 2, 'kernel_size')) ?? [Poly.sym(ctx.fresh())];
      const kernel = Array.from({ length: nd }, (_, i) => k[k.length === 1 ? 0 : i] ?? k[0]);
      // Conv: (in, out, k, stride, padding, dilation, groups, bias); transposed: (in, out, k, stride, padding, output_padding, groups, bias, dilation).
      const g = transposed
        ? convGeometry({ stride: pick(args, kw, 3, 'stride'), padding: pick(args, kw, 4, 'padding'), outputPadding: pick(args, kw, 5, 'output_padding'), groups: groupsValue, dilation: pick(args, kw, 8, 'dilation') }, boolOf(pick(args, kw, 7, 'bias'), true))
        : convGeometry({ stride: pick(args, kw, 3, 'stride'), padding: pick(args, kw, 4, 'padding'), dilation: pick(args, kw, 5, 'dilation'), groups: groupsValue }, boolOf(pick(args, kw, 7, 'bias'), true));
      const weight = transposed ? [cIn, cOut.floordiv(g.groups), ...kernel] : [cOut, cIn.floordiv(g.groups), ...kernel];
      const params = product(weight).add(g.bias ? cOut : Poly.ZERO);
      return moduleValue(cls, params, ctx, (x, _a, _k, site, c) => convValue(x, weight, g, transposed, site, c, []));
    });
  }
}

defineFunction([`${NN}Embedding`], (args, kw, _site, ctx) => {
  const n = dimArg(args, kw, 0, 'num_embeddings') ?? Poly.sym(ctx.fresh());
  const d = dimArg(args, kw, 1, 'embedding_dim') ?? Poly.sym(ctx.fresh());
  const dtype = weightDtype(kw);
  return moduleValue('Embedding', n.mul(d), ctx, (x, _a, _k, site, c) => c.record(embedding(x, n, d, dtype, c.opContext(dtype)), site, [x]));
});

// `nn.Embedding.from_pretrained(table, freeze=True)` (nlp-tutorial's positional table): a lookup
// into the (n, d) table it is given; frozen, it trains nothing.
defineFunction([`${NN}Embedding.from_pretrained`], (args, kw, _site, ctx) => {
  const table = pick(args, kw, 0, 'embeddings');
  const shape = table?.kind === 'tensor' && table.type.shape?.length === 2 ? table.type.shape : undefined;
  const n = shape?.[0] ?? Poly.sym(ctx.fresh());
  const d = shape?.[1] ?? Poly.sym(ctx.fresh());
  const dtype = table?.kind === 'tensor' ? table.type.dtype : null;
  const frozen = boolOf(pick(args, kw, 1, 'freeze'), true);
  return moduleValue('Embedding', frozen ? Poly.ZERO : n.mul(d), ctx, (x, _a, _k, site, c) => c.record(embedding(x, n, d, dtype, c.opContext(dtype)), site, [x]));
});

for (const [cls, kind] of [['LayerNorm', 'layer_norm'], ['RMSNorm', 'rms_norm']] as const) {
  defineFunction([NN + cls], (args, kw, _site, ctx) => {
    const ns = dimTupleOf(pick(args, kw, 0, 'normalized_shape')) ?? [Poly.sym(ctx.fresh())];
    const affine = boolOf(pick(args, kw, 2, 'elementwise_affine'), true);
    const bias = kind === 'layer_norm' && affine && boolOf(pick(args, kw, 3, 'bias'), true);
    const params = product(ns).scale((affine ? 1 : 0) + (bias ? 1 : 0));
    return moduleValue(cls, params, ctx, (x, _a, _k, site, c) => c.record(layerNorm(x, ns, { weight: affine, bias }, c.opContext(x.dtype), kind), site, [x]));
  });
}

defineFunction([`${NN}GroupNorm`], (args, kw, _site, ctx) => {
  const groups = dimArg(args, kw, 0, 'num_groups') ?? Poly.sym(ctx.fresh());
  const channels = dimArg(args, kw, 1, 'num_channels') ?? Poly.sym(ctx.fresh());
  const affine = boolOf(pick(args, kw, 3, 'affine'), true);
  return moduleValue('GroupNorm', affine ? channels.scale(2) : Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(groupNorm(x, groups, channels, affine, c.opContext(x.dtype)), site, [x]));
});

// nn.InstanceNorm{1,2,3}d(num_features, eps, momentum, affine=False, ...): a group norm with one
// group per channel (the style-transfer and GAN generators of pytorch/examples and PyTorch-GAN).
for (const nd of [1, 2, 3]) {
  defineFunction([`${NN}InstanceNorm${nd}d`], (args, kw, _site, ctx) => {
    const channels = dimArg(args, kw, 0, 'num_features') ?? Poly.sym(ctx.fresh());
    const affine = boolOf(pick(args, kw, 3, 'affine'), false);
    return moduleValue(`InstanceNorm${nd}d`, affine ? channels.scale(2) : Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(groupNorm(x, channels, channels, affine, c.opContext(x.dtype)), site, [x]));
  });
}

// Padding layers (`nn.ReflectionPad2d(3)`, `nn.ZeroPad2d((1, 0, 1, 0))`): a copy into the padded
// shape, as `F.pad`; an int pads every side of the last nd dims.
for (const mode of ['Reflection', 'Replication', 'Zero', 'Constant', 'Circular']) {
  for (const nd of [1, 2, 3]) {
    const cls = `${mode}Pad${nd}d`;
    defineFunction([NN + cls], (args, kw, _site, ctx) => {
      const p = pick(args, kw, 0, 'padding');
      const one = asDim(p);
      const amounts = one ? Array<Poly>(2 * nd).fill(one) : p?.kind === 'tuple' && p.items.length === 2 * nd ? p.items.map(asDim) : undefined;
      return moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => {
        if (!x.shape || !amounts || amounts.some((a) => !a) || x.shape.length < nd) return tensor({ shape: null, dtype: x.dtype });
        return c.record(paddedCopy(x, x.shape, amounts as Dim[], c), site, [x]);
      });
    });
  }
}

// nn.PixelShuffle(r): (N, C·r², H, W) → (N, C, H·r, W·r), a copy (a reshape and a permute).
defineFunction([`${NN}PixelShuffle`], (args, kw, _site, ctx) => {
  const r = dimArg(args, kw, 0, 'upscale_factor');
  return moduleValue('PixelShuffle', Poly.ZERO, ctx, (x, _a, _k, site, c) => {
    if (!x.shape || !r || x.shape.length < 3) return tensor({ shape: null, dtype: x.dtype });
    const n = x.shape.length;
    const shape = [...x.shape.slice(0, n - 3), x.shape[n - 3].floordiv(r.mul(r)), x.shape[n - 2].mul(r), x.shape[n - 1].mul(r)];
    return c.record(moved(shape, x.dtype, tensorBytes(x.shape, x.dtype ?? c.opContext().dtype).scale(2)), site, [x]);
  });
});

for (const nd of [1, 2, 3]) {
  defineFunction([`${NN}BatchNorm${nd}d`], (args, kw, site, ctx) => {
    const sizes = new Sizes(args, kw);
    const channels = sizes.get(0, 'num_features') ?? Poly.sym(ctx.fresh());
    sizes.report(`BatchNorm${nd}d`, site, ctx);
    const affine = boolOf(pick(args, kw, 3, 'affine'), true);
    return moduleValue(`BatchNorm${nd}d`, affine ? channels.scale(2) : Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(batchNorm(x, channels, affine, c.opContext(x.dtype)), site, [x]));
  });
}

for (const cls of ['Dropout', 'Dropout1d', 'Dropout2d', 'Dropout3d', 'AlphaDropout']) {
  defineFunction([NN + cls], (_args, _kw, _site, ctx) => moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(dropout(x, c.opContext(x.dtype)), site, [x])));
}

const ACTIVATION_MODULES: Record<string, string> = {
  GELU: 'gelu', ReLU: 'relu', ReLU6: 'relu6', SiLU: 'silu', Tanh: 'tanh', Sigmoid: 'sigmoid', LeakyReLU: 'leaky_relu', ELU: 'elu', SELU: 'selu',
  CELU: 'celu', Softplus: 'softplus', Mish: 'mish', Hardswish: 'hardswish', Hardsigmoid: 'hardsigmoid', Hardtanh: 'hardtanh', LogSigmoid: 'logsigmoid', GLU: 'glu',
};
for (const [cls, fn] of Object.entries(ACTIVATION_MODULES)) {
  defineFunction([NN + cls], (_args, _kw, _site, ctx) => moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(activation(x, fn, c.opContext(x.dtype)), site, [x])));
}
for (const [cls, fn] of [['Softmax', 'softmax'], ['LogSoftmax', 'log_softmax']] as const) {
  defineFunction([NN + cls], (args, kw, _site, ctx) => {
    const dim = pick(args, kw, 0, 'dim');
    return moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => softmaxValue(x, dim, fn, site, c));
  });
}

for (const nd of [1, 2, 3]) {
  for (const op of ['max', 'avg'] as const) {
    const cls = `${op === 'max' ? 'Max' : 'Avg'}Pool${nd}d`;
    defineFunction([NN + cls], (args, kw, _site, ctx) => {
      const kernel = dimTupleOf(pick(args, kw, 0, 'kernel_size')) ?? [Poly.sym(ctx.fresh())];
      const g = {
        kernel,
        stride: dimTupleOf(pick(args, kw, 1, 'stride')) ?? [],
        padding: dimTupleOf(pick(args, kw, 2, 'padding')) ?? [Poly.ZERO],
        dilation: op === 'max' ? dimTupleOf(pick(args, kw, 3, 'dilation')) ?? [Poly.ONE] : [Poly.ONE],
        ceilMode: boolOf(pick(args, kw, op === 'max' ? 5 : 3, 'ceil_mode'), false),
      };
      return moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => c.record(pool(x, nd, g, op, c.opContext(x.dtype)), site, [x]));
    });
    const acls = `Adaptive${op === 'max' ? 'Max' : 'Avg'}Pool${nd}d`;
    defineFunction([NN + acls], (args, kw, _site, ctx) => {
      const size = adaptiveSize(pick(args, kw, 0, 'output_size'), nd);
      return moduleValue(acls, Poly.ZERO, ctx, (x, _a, _k, site, c) => (size ? c.record(adaptivePool(x, size, op, c.opContext(x.dtype)), site, [x]) : tensor({ shape: null, dtype: x.dtype })));
    });
  }
}

defineFunction([`${NN}Flatten`], (args, kw, _site, ctx) => {
  const s = intOf(pick(args, kw, 0, 'start_dim')) ?? 1;
  const e = intOf(pick(args, kw, 1, 'end_dim')) ?? -1;
  return moduleValue('Flatten', Poly.ZERO, ctx, (x, _a, _k, site, c) => (x.shape ? shapeValue(flatten(x.shape, s, e), x, 'copy', site, c) : tensor(x)));
});
// nn.Upsample(size=None, scale_factor=None, mode='nearest', align_corners=None); the 2-D
// UpsamplingNearest2d and UpsamplingBilinear2d take (size, scale_factor).
for (const [cls, fixed] of [['Upsample', undefined], ['UpsamplingNearest2d', 'nearest'], ['UpsamplingBilinear2d', 'bilinear']] as const) {
  defineFunction([NN + cls], (args, kw, _site, ctx) => {
    const target = resampleTarget(pick(args, kw, 0, 'size'), pick(args, kw, 1, 'scale_factor'));
    const mode = fixed ?? strOf(pick(args, kw, 2, 'mode')) ?? 'nearest';
    return moduleValue(cls, Poly.ZERO, ctx, (x, _a, _k, site, c) => (target ? c.record(resample(x, target, mode, c.opContext(x.dtype)), site, [x]) : tensor({ shape: null, dtype: x.dtype })));
  });
}
defineFunction([`${NN}Identity`], (_args, _kw, _site, ctx) => moduleValue('Identity', Poly.ZERO, ctx, (x) => tensor(x)));

// timm's losses (ConvNeXt's and DeiT's `criterion`): a cross entropy against mixed soft targets
// (B, classes) or smoothed labels, costed as `nn.CrossEntropyLoss`'s.
defineFunction(['timm.loss.SoftTargetCrossEntropy', 'timm.loss.LabelSmoothingCrossEntropy', 'timm.loss.cross_entropy.SoftTargetCrossEntropy', 'timm.loss.cross_entropy.LabelSmoothingCrossEntropy'], (_args, _kw, _site, ctx) =>
  moduleValue('CrossEntropyLoss', Poly.ZERO, ctx, (x, args, k, site, c) => {
    const t = args[0] ?? k.get('target');
    return crossEntropyValue(x, t?.kind === 'tensor' ? t.type : undefined, undefined, site, c);
  }),
);

defineFunction([`${NN}CrossEntropyLoss`, `${NN}NLLLoss`], (_args, kw, _site, ctx) => {
  const reduction = strOf(kw.get('reduction'));
  return moduleValue('CrossEntropyLoss', Poly.ZERO, ctx, (x, args, k, site, c) => {
    const t = args[0] ?? k.get('target');
    return crossEntropyValue(x, t?.kind === 'tensor' ? t.type : undefined, reduction, site, c);
  });
});

/**
 * nn.MultiheadAttention(embed_dim, num_heads, dropout, bias, add_bias_kv, add_zero_attn, kdim,
 * vdim, batch_first). Its forward is three input projections, attention and an output projection.
 * With `need_weights=True` (the default) PyTorch takes the unfused path that materialises the
 * attention weights, which the note says.
 */
defineFunction([`${NN}MultiheadAttention`], (args, kw, _site, ctx) => {
  const e = dimArg(args, kw, 0, 'embed_dim') ?? Poly.sym(ctx.fresh());
  const heads = dimArg(args, kw, 1, 'num_heads') ?? Poly.sym(ctx.fresh());
  const bias = boolOf(pick(args, kw, 3, 'bias'), true);
  const kdim = dimArg(args, kw, 6, 'kdim') ?? e;
  const vdim = dimArg(args, kw, 7, 'vdim') ?? e;
  const batchFirst = boolOf(pick(args, kw, 8, 'batch_first'), false);
  const params = e.mul(e).add(e.mul(kdim)).add(e.mul(vdim)).add(e.mul(e)).add(bias ? e.scale(4) : Poly.ZERO);
  return moduleValue('MultiheadAttention', params, ctx, (q, rest, k, site, c) => {
    const key = rest[0] ?? k.get('key');
    const value = rest[1] ?? k.get('value');
    const kt = key?.kind === 'tensor' ? key.type : q;
    const vt = value?.kind === 'tensor' ? value.type : kt;
    const needWeights = boolOf(rest[3] ?? k.get('need_weights'), true);
    const causal = boolOf(k.get('is_causal'), false);
    if (!q.shape || !kt.shape || !vt.shape || q.shape.length < 2) return { kind: 'tuple', items: [tensor({ shape: null, dtype: q.dtype }), UNKNOWN] };
    // To (N, L, E) whatever the layout; unbatched (L, E) gets N = 1.
    const nle = (t: Dim[]) => (t.length === 2 ? [Poly.ONE, ...t] : batchFirst ? t : [t[1], t[0], t[2]]);
    const [n, l] = nle(q.shape);
    const s = nle(kt.shape)[1];
    const oc = c.opContext(q.dtype);
    const qp = c.record(linear(q, [e, e], bias, oc), site, [q]);
    c.record(linear(kt, [e, kdim], bias, oc), site, [kt]);
    c.record(linear(vt, [e, vdim], bias, oc), site, [vt]);
    const hd = e.floordiv(heads);
    const split = (len: Dim): TensorType => ({ shape: [n, heads, len, hd], dtype: q.dtype });
    const att = sdpa(split(l), split(s), split(s), { causal }, oc);
    if (needWeights) att.cost = { ...att.cost, bytes: att.cost.variants![1].bytes, notes: ['need_weights=True: the unfused path materialises the attention weights', ...(att.cost.notes ?? [])] };
    c.record(att, site, [split(l), split(s), split(s)]);
    const out = c.record(linear({ shape: qp.kind === 'tensor' ? qp.type.shape : q.shape, dtype: q.dtype }, [e, e], bias, oc), site, []);
    const weights = needWeights ? tensor({ shape: q.shape.length === 2 ? [l, s] : [n, l, s], dtype: q.dtype }) : { kind: 'none' as const };
    return { kind: 'tuple', items: [out, weights] };
  });
});
