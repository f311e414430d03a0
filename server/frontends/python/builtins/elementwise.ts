/**
 * Elementwise arithmetic with broadcasting: the binary operators the interpreter dispatches as
 * `operator.+` etc., the torch / NumPy / JAX math functions and their tensor methods (in-place
 * `add_` included), comparisons (bool results), `where`, `clamp`, `masked_fill`.
 */
import { DType } from '../../../core/dtypes';
import { TensorType } from '../../../core/ir';
import { ELEMENTWISE_FLOPS, Operand, SCALAR, elementwise } from '../../../core/ops/elementwise';
import { CallSite, UNKNOWN, Value } from '../values';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';
import { markGuessed } from '../guessed';

const LIBS = ['torch.', 'numpy.', 'jax.numpy.'];

/** A tensor operand, or a scalar: numbers and values we know nothing about broadcast freely. */
function operand(v: Value | undefined): Operand | undefined {
  if (!v) return undefined;
  if (v.kind === 'tensor') return v.type;
  if (v.kind === 'tuple' || v.kind === 'none') return undefined;
  return SCALAR;
}

export function elementwiseValues(values: (Value | undefined)[], flops: number, site: CallSite, ctx: BuiltinCtx, outDtype?: DType): Value {
  const ops = values.map(operand).filter((o): o is Operand => o !== undefined);
  const tensors = ops.filter((o): o is TensorType => o !== SCALAR);
  if (tensors.length === 0) return UNKNOWN;
  const r = elementwise(ops, ctx.opContext(tensors.find((t) => t.dtype && t.dtype !== 'bool')?.dtype), { flopsPerElement: flops, outDtype });
  const out = ctx.record(r, site, tensors);
  // A value we know nothing about may be a tensor bigger than the known operand (a grid from an
  // unmodelled call times a small vector): the result's shape is then only a guess, and a shape
  // error found downstream of it proves nothing (guessed.ts).
  if (out.kind === 'tensor' && values.some((v) => v?.kind === 'unknown')) markGuessed(out.type);
  return out;
}

/** Binary operators on tensors, as dispatched by the interpreter. */
const OPERATORS: Record<string, number> = { '+': 1, '-': 1, '*': 1, '/': 1, '//': 1, '%': 1, '**': 1, '&': 1, '|': 1, '^': 1, '<<': 1, '>>': 1 };
for (const [op, f] of Object.entries(OPERATORS)) defineFunction([`operator.${op}`], (args, _kw, site, ctx) => elementwiseValues([args[0], args[1]], f, site, ctx));

const BINARY: Record<string, number> = {
  add: 1, sub: 1, subtract: 1, mul: 1, multiply: 1, div: 1, divide: 1, true_divide: 1, floor_divide: 1, remainder: 1, mod: 1, fmod: 1,
  pow: 1, power: 1, float_power: 1, maximum: 1, minimum: 1, fmax: 1, fmin: 1, atan2: 1, arctan2: 1, hypot: 1, copysign: 1,
  logical_and: 1, logical_or: 1, logical_xor: 1, bitwise_and: 1, bitwise_or: 1, bitwise_xor: 1, xlogy: 2,
};
const COMPARE = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'greater', 'less', 'greater_equal', 'less_equal', 'equal', 'not_equal', 'isclose'];
const UNARY: Record<string, number> = {
  exp: 1, exp2: 1, expm1: 1, log: 1, log2: 1, log10: 1, log1p: 1, sqrt: 1, rsqrt: 1, sin: 1, cos: 1, tan: 1, arcsin: 1, arccos: 1, arctan: 1,
  asin: 1, acos: 1, atan: 1, sinh: 1, cosh: 1, abs: 1, absolute: 1, neg: 1, negative: 1, square: 1, reciprocal: 1, sign: 1, floor: 1, ceil: 1,
  round: 1, trunc: 1, erf: 1, erfc: 1, logical_not: 1, bitwise_not: 1, nan_to_num: 1, frac: 1, sgn: 1, positive: 0,
};
const UNARY_BOOL = ['isnan', 'isinf', 'isfinite', 'signbit'];
const TERNARY: Record<string, number> = { lerp: ELEMENTWISE_FLOPS.lerp, addcmul: ELEMENTWISE_FLOPS.addcmul, addcdiv: ELEMENTWISE_FLOPS.addcmul };

const names = (n: string) => LIBS.map((l) => l + n);
/** A method, its in-place form and its dunder (`add`, `add_`, `__add__`, `__radd__`, `__iadd__`). */
const methodNames = (n: string) => [n, `${n}_`, `__${n}__`, `__r${n}__`, `__i${n}__`];

for (const [n, f] of Object.entries(BINARY)) {
  defineFunction(names(n), (args, kw, site, ctx) => elementwiseValues([args[0] ?? kw.get('input'), args[1] ?? kw.get('other')], f, site, ctx));
  defineMethod(methodNames(n), (self, args, kw, site, ctx) => elementwiseValues([{ kind: 'tensor', type: self }, args[0] ?? kw.get('other')], f, site, ctx));
}
defineMethod(['__truediv__', '__rtruediv__', '__itruediv__', '__floordiv__', '__rfloordiv__'], (self, args, _kw, site, ctx) =>
  elementwiseValues([{ kind: 'tensor', type: self }, args[0]], 1, site, ctx),
);
for (const n of COMPARE) {
  defineFunction(names(n), (args, kw, site, ctx) => elementwiseValues([args[0] ?? kw.get('input'), args[1] ?? kw.get('other')], 1, site, ctx, 'bool'));
  defineMethod([n, `__${n}__`], (self, args, kw, site, ctx) => elementwiseValues([{ kind: 'tensor', type: self }, args[0] ?? kw.get('other')], 1, site, ctx, 'bool'));
}
for (const [n, f] of Object.entries(UNARY)) {
  defineFunction(names(n), (args, kw, site, ctx) => elementwiseValues([args[0] ?? kw.get('input') ?? kw.get('x')], f, site, ctx));
  defineMethod([n, `${n}_`, `__${n}__`], (self, _a, _k, site, ctx) => elementwiseValues([{ kind: 'tensor', type: self }], f, site, ctx));
}
for (const n of UNARY_BOOL) {
  defineFunction(names(n), (args, kw, site, ctx) => elementwiseValues([args[0] ?? kw.get('input')], 1, site, ctx, 'bool'));
  defineMethod([n], (self, _a, _k, site, ctx) => elementwiseValues([{ kind: 'tensor', type: self }], 1, site, ctx, 'bool'));
}
for (const [n, f] of Object.entries(TERNARY)) {
  defineFunction(names(n), (args, _kw, site, ctx) => elementwiseValues(args.slice(0, 3), f, site, ctx));
  defineMethod([n, `${n}_`], (self, args, _kw, site, ctx) => elementwiseValues([{ kind: 'tensor', type: self }, ...args.slice(0, 2)], f, site, ctx));
}

/** `where(cond, x, y)`: one select per element; the result has x's dtype. */
defineFunction(names('where'), (args, kw, site, ctx) => {
  const [c, x, y] = [args[0] ?? kw.get('condition'), args[1] ?? kw.get('input'), args[2] ?? kw.get('other')];
  if (!x) return UNKNOWN; // One-argument where gives indices of unknown count.
  const dtype = x.kind === 'tensor' ? x.type.dtype : y?.kind === 'tensor' ? y.type.dtype : null;
  return elementwiseValues([c, x, y], ELEMENTWISE_FLOPS.where, site, ctx, dtype ?? undefined);
});
defineMethod(['where'], (self, args, _kw, site, ctx) => elementwiseValues([args[0], { kind: 'tensor', type: self }, args[1]], 1, site, ctx, self.dtype ?? undefined));

/** `clamp(x, min, max)` / `clip`: two compares per element; tensor bounds broadcast. */
defineFunction([...names('clamp'), ...names('clip')], (args, kw, site, ctx) =>
  elementwiseValues([args[0] ?? kw.get('input'), args[1] ?? kw.get('min'), args[2] ?? kw.get('max')], ELEMENTWISE_FLOPS.clamp, site, ctx),
);
defineMethod(['clamp', 'clamp_', 'clip', 'clip_', 'clamp_min', 'clamp_max'], (self, args, kw, site, ctx) =>
  elementwiseValues([{ kind: 'tensor', type: self }, args[0] ?? kw.get('min'), args[1] ?? kw.get('max')], ELEMENTWISE_FLOPS.clamp, site, ctx),
);
defineFunction(['torch.masked_fill'], (args, _kw, site, ctx) => elementwiseValues([args[0], args[1]], 1, site, ctx, args[0]?.kind === 'tensor' ? args[0].type.dtype ?? undefined : undefined));
defineMethod(['masked_fill', 'masked_fill_'], (self, args, kw, site, ctx) =>
  elementwiseValues([{ kind: 'tensor', type: self }, args[0] ?? kw.get('mask')], ELEMENTWISE_FLOPS.masked_fill, site, ctx, self.dtype ?? undefined),
);
