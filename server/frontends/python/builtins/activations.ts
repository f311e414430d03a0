/**
 * Activations, softmax, normalisations and dropout as functions and tensor methods: torch,
 * `torch.nn.functional` (F), `jax.nn`, and their method forms (`x.relu()`, `x.softmax(-1)`).
 */
import { TensorType } from '../../../core/ir';
import { ACTIVATION_FLOPS, activation, dropout } from '../../../core/ops/elementwise';
import { batchNorm, groupNorm, layerNorm, lpNormalize, softmax } from '../../../core/ops/normalization';
import { Poly } from '../../../core/symbolic';
import { CallSite, UNKNOWN, Value } from '../values';
import { boolOf, dimTupleOf, intOf, pick, tensorArg } from './args';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';

export function activationValue(x: TensorType | undefined, name: string, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  return ctx.record(activation(x, name, ctx.opContext(x.dtype)), site, [x]);
}

const ALIASES: Record<string, string> = { swish: 'silu', gelu_new: 'gelu', hard_swish: 'hardswish', hard_sigmoid: 'hardsigmoid', hard_tanh: 'hardtanh', log_sigmoid: 'logsigmoid' };

for (const name of [...Object.keys(ACTIVATION_FLOPS), ...Object.keys(ALIASES)]) {
  const canon = ALIASES[name] ?? name;
  const fnNames = [`torch.nn.functional.${name}`, `torch.nn.functional.${name}_`, `jax.nn.${name}`, `torch.${name}`, `torch.${name}_`];
  // jnp.tanh / np.tanh are math functions with the same count.
  if (name === 'tanh') fnNames.push('numpy.tanh', 'jax.numpy.tanh');
  defineFunction(fnNames, (args, kw, site, ctx) => activationValue(tensorArg(args, kw, 0, 'input') ?? tensorArg(args, kw, 0, 'x'), canon, site, ctx));
  defineMethod([name, `${name}_`], (self, _a, _k, site, ctx) => activationValue(self, canon, site, ctx));
}

export function softmaxValue(x: TensorType | undefined, dim: Value | undefined, name: string, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  // PyTorch's implicit dim (none given) is the last one for the tensors models use.
  const d = intOf(dim);
  return ctx.record(softmax(x, d ?? null, ctx.opContext(x.dtype), name), site, [x]);
}

for (const name of ['softmax', 'log_softmax']) {
  defineFunction([`torch.nn.functional.${name}`, `torch.${name}`, `torch.special.${name}`], (args, kw, site, ctx) =>
    softmaxValue(tensorArg(args, kw, 0, 'input'), pick(args, kw, 1, 'dim'), name, site, ctx),
  );
  defineFunction([`jax.nn.${name}`, `jax.scipy.special.${name}`, `scipy.special.${name}`], (args, kw, site, ctx) =>
    softmaxValue(tensorArg(args, kw, 0, 'x'), pick(args, kw, 1, 'axis'), name, site, ctx),
  );
  defineMethod([name], (self, args, kw, site, ctx) => softmaxValue(self, args[0] ?? kw.get('dim'), name, site, ctx));
}

defineFunction(['torch.nn.functional.dropout', 'torch.dropout', 'torch.nn.functional.dropout1d', 'torch.nn.functional.dropout2d', 'torch.nn.functional.dropout3d', 'torch.nn.functional.alpha_dropout'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  return x ? ctx.record(dropout(x, ctx.opContext(x.dtype)), site, [x]) : UNKNOWN;
});

/** F.normalize(x, p=2, dim=1, eps): x over its norm along `dim` (1 by default, as in PyTorch). */
defineFunction(['torch.nn.functional.normalize'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  if (!x) return UNKNOWN;
  const dim = pick(args, kw, 2, 'dim');
  const d = dim ? intOf(dim) : 1;
  if (d === undefined) return ctx.unmodelled(site);
  return ctx.record(lpNormalize(x, d, ctx.opContext(x.dtype)), site, [x]);
});

/** F.layer_norm(x, normalized_shape, weight=None, bias=None, eps). */
defineFunction(['torch.nn.functional.layer_norm', 'torch.layer_norm'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  const ns = dimTupleOf(pick(args, kw, 1, 'normalized_shape'));
  if (!x) return UNKNOWN;
  const has = (i: number, n: string) => !!pick(args, kw, i, n) && pick(args, kw, i, n)!.kind !== 'none';
  const shape = ns ?? (x.shape ? x.shape.slice(-1) : []);
  return ctx.record(layerNorm(x, shape, { weight: has(2, 'weight'), bias: has(3, 'bias') }, ctx.opContext(x.dtype)), site, [x]);
});
defineFunction(['torch.nn.functional.rms_norm', 'torch.rms_norm'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  if (!x) return UNKNOWN;
  const ns = dimTupleOf(pick(args, kw, 1, 'normalized_shape')) ?? (x.shape ? x.shape.slice(-1) : []);
  const w = pick(args, kw, 2, 'weight');
  return ctx.record(layerNorm(x, ns, { weight: !!w && w.kind !== 'none', bias: false }, ctx.opContext(x.dtype), 'rms_norm'), site, [x]);
});
defineFunction(['torch.nn.functional.group_norm', 'torch.group_norm'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  if (!x) return UNKNOWN;
  const groups = pick(args, kw, 1, 'num_groups');
  const c = x.shape && x.shape.length >= 2 ? x.shape[1] : Poly.ONE;
  const g = groups?.kind === 'int' ? groups.value : Poly.ONE;
  return ctx.record(groupNorm(x, g, c, boolOf(pick(args, kw, 2, 'weight'), false), ctx.opContext(x.dtype)), site, [x]);
});
defineFunction(['torch.nn.functional.batch_norm', 'torch.batch_norm'], (args, kw, site, ctx) => {
  const x = tensorArg(args, kw, 0, 'input');
  if (!x) return UNKNOWN;
  const mean = tensorArg(args, kw, 1, 'running_mean');
  const c = mean?.shape?.[0] ?? (x.shape && x.shape.length >= 2 ? x.shape[1] : Poly.ONE);
  const w = pick(args, kw, 3, 'weight');
  return ctx.record(batchNorm(x, c, !!w && w.kind !== 'none', ctx.opContext(x.dtype)), site, [x]);
});
