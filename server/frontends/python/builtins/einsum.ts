/**
 * `torch.einsum` / `np.einsum` / `jnp.einsum` (equation first, operands as arguments or one
 * list) and `einops.einsum` (operands first, the space-separated pattern last). einops'
 * rearrange / repeat / reduce are in einopsOps.ts.
 */
import { TensorType } from '../../../core/ir';
import { einsum } from '../../../core/ops/einsum';
import { CallSite, UNKNOWN, Value } from '../values';
import { BuiltinCtx, defineFunction } from './registry';

function einsumValue(equation: string, operands: Value[], style: 'letters' | 'names', site: CallSite, ctx: BuiltinCtx): Value {
  const ts = operands.map((v) => (v.kind === 'tensor' ? v.type : undefined));
  if (ts.some((t) => !t)) return UNKNOWN;
  const types = ts as TensorType[];
  return ctx.record(einsum(equation, types, ctx.opContext(types.find((t) => t.dtype)?.dtype), style), site, types);
}

defineFunction(['torch.einsum', 'numpy.einsum', 'jax.numpy.einsum', 'opt_einsum.contract'], (args, _kw, site, ctx) => {
  const eq = args[0];
  if (eq?.kind !== 'str') return UNKNOWN;
  const rest = args.slice(1);
  const operands = rest.length === 1 && rest[0].kind === 'tuple' ? rest[0].items : rest;
  return einsumValue(eq.value, operands, 'letters', site, ctx);
});

defineFunction(['einops.einsum'], (args, _kw, site, ctx) => {
  const pattern = args[args.length - 1];
  if (pattern?.kind !== 'str') return UNKNOWN;
  return einsumValue(pattern.value, args.slice(0, -1), 'names', site, ctx);
});
