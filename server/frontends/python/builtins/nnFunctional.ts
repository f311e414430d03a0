/**
 * The GEMM-class and gather/loss/pooling functions of `torch.nn.functional` and friends:
 * linear, addmm, baddbmm, conv{1,2,3}d, conv_transpose{1,2,3}d, scaled_dot_product_attention,
 * jax.nn.dot_product_attention, embedding, cross_entropy, max/avg/adaptive pooling.
 */
import { Dim, TensorType } from '../../../core/ir';
import { sdpa } from '../../../core/ops/attention';
import { ConvGeometry, conv, convTranspose } from '../../../core/ops/conv';
import { crossEntropy } from '../../../core/ops/crossEntropy';
import { embedding } from '../../../core/ops/embedding';
import { addmm, linear } from '../../../core/ops/linear';
import { adaptivePool, pool } from '../../../core/ops/pool';
import { ResampleTarget, resample } from '../../../core/ops/resample';
import { Poly } from '../../../core/symbolic';
import { CallSite, UNKNOWN, Value, asDim, tensor } from '../values';
import { boolOf, decidedBool, dimTupleOf, pick, strOf, tensorArg } from './args';
import { BuiltinCtx, defineFunction } from './registry';

const F = 'torch.nn.functional.';
const present = (v: Value | undefined) => !!v && v.kind !== 'none';

export function linearValue(x: TensorType | undefined, weight: TensorType | undefined, bias: boolean, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x || !weight?.shape) return UNKNOWN;
  return ctx.record(linear(x, weight.shape, bias, ctx.opContext(x.dtype ?? weight.dtype)), site, [x, weight]);
}

defineFunction([`${F}linear`], (args, kw, site, ctx) => linearValue(tensorArg(args, kw, 0, 'input'), tensorArg(args, kw, 1, 'weight'), present(pick(args, kw, 2, 'bias')), site, ctx));

for (const [name, kind] of [['addmm', 'matmul'], ['baddbmm', 'bmm']] as const) {
  defineFunction([`torch.${name}`], (args, kw, site, ctx) => {
    const [c, a, b] = [tensorArg(args, kw, 0, 'input'), tensorArg(args, kw, 1, kind === 'bmm' ? 'batch1' : 'mat1'), tensorArg(args, kw, 2, kind === 'bmm' ? 'batch2' : 'mat2')];
    if (!c || !a || !b) return UNKNOWN;
    return ctx.record(addmm(c, a, b, ctx.opContext(a.dtype ?? b.dtype), kind), site, [c, a, b]);
  });
}

/** stride / padding / dilation / groups of a conv call or module, from positional or keyword arguments. */
export function convGeometry(v: { stride?: Value; padding?: Value; dilation?: Value; groups?: Value; outputPadding?: Value }, bias: boolean): ConvGeometry {
  const pad = strOf(v.padding);
  return {
    stride: dimTupleOf(v.stride) ?? [Poly.ONE],
    padding: pad === 'same' || pad === 'valid' ? pad : dimTupleOf(v.padding) ?? [Poly.ZERO],
    dilation: dimTupleOf(v.dilation) ?? [Poly.ONE],
    groups: v.groups?.kind === 'int' ? v.groups.value : Poly.ONE,
    bias,
    outputPadding: dimTupleOf(v.outputPadding) ?? [Poly.ZERO],
  };
}

export function convValue(x: TensorType | undefined, weight: readonly Poly[] | null | undefined, g: ConvGeometry, transposed: boolean, site: CallSite, ctx: BuiltinCtx, inputs: TensorType[]): Value {
  if (!x || !weight) return UNKNOWN;
  const c = ctx.opContext(x.dtype);
  return ctx.record(transposed ? convTranspose(x, weight, g, c) : conv(x, weight, g, c), site, [x, ...inputs]);
}

for (const nd of [1, 2, 3]) {
  // conv{n}d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1)
  defineFunction([`${F}conv${nd}d`, `torch.conv${nd}d`], (args, kw, site, ctx) => {
    const w = tensorArg(args, kw, 1, 'weight');
    const g = convGeometry({ stride: pick(args, kw, 3, 'stride'), padding: pick(args, kw, 4, 'padding'), dilation: pick(args, kw, 5, 'dilation'), groups: pick(args, kw, 6, 'groups') }, present(pick(args, kw, 2, 'bias')));
    return convValue(tensorArg(args, kw, 0, 'input'), w?.shape, g, false, site, ctx, w ? [w] : []);
  });
  // conv_transpose{n}d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1)
  defineFunction([`${F}conv_transpose${nd}d`, `torch.conv_transpose${nd}d`], (args, kw, site, ctx) => {
    const w = tensorArg(args, kw, 1, 'weight');
    const g = convGeometry(
      { stride: pick(args, kw, 3, 'stride'), padding: pick(args, kw, 4, 'padding'), outputPadding: pick(args, kw, 5, 'output_padding'), groups: pick(args, kw, 6, 'groups'), dilation: pick(args, kw, 7, 'dilation') },
      present(pick(args, kw, 2, 'bias')),
    );
    return convValue(tensorArg(args, kw, 0, 'input'), w?.shape, g, true, site, ctx, w ? [w] : []);
  });
}

/**
 * `is_causal` as given: a switch the engine cannot decide (`is_causal=self.causal`, `causal` an
 * argument nobody gives) counts the costlier side, not causal, and says so.
 */
export function causalArg(v: Value | undefined): boolean | 'undecided' {
  return decidedBool(v) ? boolOf(v, false) : 'undecided';
}

export function sdpaValue(q: TensorType | undefined, k: TensorType | undefined, v: TensorType | undefined, causal: boolean | 'undecided', mask: TensorType | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!q || !k || !v) return UNKNOWN;
  const result = sdpa(q, k, v, { causal: causal === true, mask }, ctx.opContext(q.dtype ?? k.dtype));
  if (causal === 'undecided') {
    result.cost = { ...result.cost, notes: ['is_causal unknown here: counted as not causal, the costlier side (an upper bound)', ...(result.cost.notes ?? [])] };
    ctx.upperBound?.();
  }
  return ctx.record(result, site, [q, k, v]);
}

defineFunction([`${F}scaled_dot_product_attention`], (args, kw, site, ctx) =>
  sdpaValue(tensorArg(args, kw, 0, 'query'), tensorArg(args, kw, 1, 'key'), tensorArg(args, kw, 2, 'value'), causalArg(pick(args, kw, 5, 'is_causal')), tensorArg(args, kw, 3, 'attn_mask'), site, ctx),
);

/** jax.nn.dot_product_attention takes (B, T, N, H): heads after the sequence. */
defineFunction(['jax.nn.dot_product_attention'], (args, kw, site, ctx) => {
  const swap = (t: TensorType | undefined): TensorType | undefined => {
    if (!t?.shape || t.shape.length < 3) return t;
    const s = [...t.shape];
    [s[s.length - 3], s[s.length - 2]] = [s[s.length - 2], s[s.length - 3]];
    return { ...t, shape: s };
  };
  const out = sdpaValue(swap(tensorArg(args, kw, 0, 'query')), swap(tensorArg(args, kw, 1, 'key')), swap(tensorArg(args, kw, 2, 'value')), causalArg(kw.get('is_causal')), undefined, site, ctx);
  return out.kind === 'tensor' ? tensor(swap(out.type)!) : out;
});

defineFunction([`${F}embedding`], (args, kw, site, ctx) => {
  const idx = tensorArg(args, kw, 0, 'input');
  const w = tensorArg(args, kw, 1, 'weight');
  if (!idx || !w?.shape || w.shape.length !== 2) return UNKNOWN;
  return ctx.record(embedding(idx, w.shape[0], w.shape[1], w.dtype, ctx.opContext(w.dtype)), site, [idx, w]);
});

export function crossEntropyValue(x: TensorType | undefined, t: TensorType | undefined, reduction: string | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  const red = reduction === 'none' || reduction === 'sum' ? reduction : 'mean';
  return ctx.record(crossEntropy(x, t ?? { shape: null, dtype: 'int64' }, red, ctx.opContext(x.dtype)), site, t ? [x, t] : [x]);
}
defineFunction([`${F}cross_entropy`, `${F}nll_loss`], (args, kw, site, ctx) =>
  crossEntropyValue(tensorArg(args, kw, 0, 'input'), tensorArg(args, kw, 1, 'target'), strOf(kw.get('reduction')), site, ctx),
);

for (const nd of [1, 2, 3]) {
  for (const op of ['max', 'avg'] as const) {
    // {max,avg}_pool{n}d(input, kernel_size, stride=None, padding=0, [dilation=1 (max)], ceil_mode=False)
    defineFunction([`${F}${op}_pool${nd}d`, `torch.${op}_pool${nd}d`], (args, kw, site, ctx) => {
      const x = tensorArg(args, kw, 0, 'input');
      const kernel = dimTupleOf(pick(args, kw, 1, 'kernel_size'));
      if (!x || !kernel) return UNKNOWN;
      const geometry = {
        kernel,
        stride: dimTupleOf(pick(args, kw, 2, 'stride')) ?? [],
        padding: dimTupleOf(pick(args, kw, 3, 'padding')) ?? [Poly.ZERO],
        dilation: op === 'max' ? dimTupleOf(pick(args, kw, 4, 'dilation')) ?? [Poly.ONE] : [Poly.ONE],
        ceilMode: boolOf(pick(args, kw, op === 'max' ? 5 : 4, 'ceil_mode'), false),
      };
      return ctx.record(pool(x, nd, geometry, op, ctx.opContext(x.dtype)), site, [x]);
    });
    defineFunction([`${F}adaptive_${op}_pool${nd}d`, `torch.adaptive_${op}_pool${nd}d`], (args, kw, site, ctx) => {
      const x = tensorArg(args, kw, 0, 'input');
      const size = adaptiveSize(pick(args, kw, 1, 'output_size'), nd);
      if (!x || !size) return UNKNOWN;
      return ctx.record(adaptivePool(x, size, op, ctx.opContext(x.dtype)), site, [x]);
    });
  }
}

/** `output_size` of adaptive pooling: an int for every dim, or a tuple whose None keeps a dim. */
export function adaptiveSize(v: Value | undefined, nd: number): (Poly | null)[] | undefined {
  if (!v) return undefined;
  if (v.kind === 'int') return Array(nd).fill(v.value);
  if (v.kind === 'tuple' && v.items.length === nd) {
    const out: (Poly | null)[] = [];
    for (const it of v.items) {
      if (it.kind === 'int') out.push(it.value);
      else if (it.kind === 'none') out.push(null);
      else return undefined;
    }
    return out;
  }
  return undefined;
}

/**
 * `size=` (an int or a tuple) or `scale_factor=` (a number or a tuple) of `F.interpolate` and
 * `nn.Upsample`; undefined when neither is known.
 */
export function resampleTarget(size: Value | undefined, scale: Value | undefined): ResampleTarget | undefined {
  const dims = (v: Value): Dim[] | undefined => {
    const items = v.kind === 'tuple' ? v.items : [v];
    const ds = items.map(asDim);
    return ds.every((d): d is Dim => !!d) ? ds : undefined;
  };
  const factor = (v: Value): number | undefined => (v.kind === 'float' ? v.value ?? undefined : asDim(v)?.constValue());
  if (size && size.kind !== 'none') {
    const d = dims(size);
    return d ? { size: d } : undefined;
  }
  if (scale && scale.kind !== 'none') {
    const items = scale.kind === 'tuple' ? scale.items : [scale];
    const fs = items.map(factor);
    return fs.every((f): f is number => f !== undefined && f > 0) ? { scale: fs } : undefined;
  }
  return undefined;
}

// interpolate(input, size=None, scale_factor=None, mode='nearest', align_corners=None, ...)
defineFunction([`${F}interpolate`, `${F}upsample`, `${F}upsample_nearest`, `${F}upsample_bilinear`], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  if (!x) return UNKNOWN;
  const target = resampleTarget(pick(args, kw, 1, 'size'), pick(args, kw, 2, 'scale_factor'));
  const fixed = site.name.endsWith('upsample_nearest') ? 'nearest' : site.name.endsWith('upsample_bilinear') ? 'bilinear' : undefined;
  const mode = fixed ?? strOf(pick(args, kw, 3, 'mode')) ?? 'nearest';
  if (!target) return tensor({ shape: null, dtype: x.dtype });
  return ctx.record(resample(x, target, mode, ctx.opContext(x.dtype)), site, [x]);
});
