/** The matmul family: `@`, matmul, mm, bmm across torch, NumPy and JAX. */
import { matmul } from '../../../core/ops/matmul';
import { UNKNOWN, Value, asTensor } from '../values';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';
import { CallSite } from '../values';
import { TensorType } from '../../../core/ir';

export function matmulValues(a: Value | undefined, b: Value | undefined, site: CallSite, ctx: BuiltinCtx, kind: 'matmul' | 'bmm' = 'matmul'): Value {
  const x = asTensor(a);
  const y = asTensor(b);
  if (!x || !y) return UNKNOWN;
  return ctx.record(matmul(x, y, ctx.opContext(x.dtype ?? y.dtype), kind), site, [x, y]);
}

defineFunction(['torch.matmul', 'torch.mm', 'torch.dot', 'numpy.matmul', 'numpy.dot', 'jax.numpy.matmul', 'jax.numpy.dot'], (args, kw, site, ctx) =>
  matmulValues(args[0] ?? kw.get('input'), args[1] ?? kw.get('other'), site, ctx),
);
defineFunction(['torch.bmm'], (args, kw, site, ctx) => matmulValues(args[0] ?? kw.get('input'), args[1] ?? kw.get('mat2'), site, ctx, 'bmm'));

const method = (kind: 'matmul' | 'bmm') => (self: TensorType, args: Value[], _kw: Map<string, Value>, site: CallSite, ctx: BuiltinCtx) =>
  matmulValues({ kind: 'tensor', type: self }, args[0], site, ctx, kind);
defineMethod(['matmul', 'mm', '__matmul__', 'dot'], method('matmul'));
defineMethod(['bmm'], method('bmm'));
