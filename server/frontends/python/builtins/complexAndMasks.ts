/**
 * What rotary embeddings and causal masks are built from (the LLaMA reference code): complex views
 * (`view_as_complex` drops the trailing pair dim, `view_as_real` adds it back), `polar`, `outer`,
 * triangular masks, and `topk` / `multinomial` for sampling. The complex dtype is not modelled:
 * a complex view keeps the float dtype of its parts, so its bytes count half the complex storage.
 */
import { DType } from '../../../core/dtypes';
import { TensorType } from '../../../core/ir';
import { Poly } from '../../../core/symbolic';
import { moved } from '../../../core/ops/copy';
import { tensorBytes } from '../../../core/ops/types';
import { CallSite, UNKNOWN, Value, asDim, tensor } from '../values';
import { elementwiseValues } from './elementwise';
import { intOf } from './args';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';

const asType = (v: Value | undefined): TensorType | undefined => (v?.kind === 'tensor' ? v.type : undefined);

function viewAsComplex(x: TensorType): Value {
  if (!x.shape || x.shape.length === 0) return tensor({ shape: null, dtype: x.dtype });
  return tensor({ shape: x.shape.slice(0, -1), dtype: x.dtype });
}
function viewAsReal(x: TensorType): Value {
  return tensor({ shape: x.shape ? [...x.shape, Poly.const(2)] : null, dtype: x.dtype });
}
defineFunction(['torch.view_as_complex'], (args) => (asType(args[0]) ? viewAsComplex(asType(args[0])!) : UNKNOWN));
defineFunction(['torch.view_as_real'], (args) => (asType(args[0]) ? viewAsReal(asType(args[0])!) : UNKNOWN));

/** polar(abs, angle): abs·cos(angle) + i·abs·sin(angle), about 3 FLOPs per element. */
defineFunction(['torch.polar'], (args, kw, site, ctx) => elementwiseValues([args[0] ?? kw.get('abs'), args[1] ?? kw.get('angle')], 3, site, ctx));

function outer(a: Value | undefined, b: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const x = asType(a);
  const y = asType(b);
  if (!x?.shape || !y?.shape || x.shape.length !== 1 || y.shape.length !== 1) return UNKNOWN;
  // The outer product is a broadcast multiply of (n, 1) by (1, m).
  return elementwiseValues([tensor({ shape: [x.shape[0], Poly.ONE], dtype: x.dtype }), tensor({ shape: [Poly.ONE, y.shape[0]], dtype: y.dtype })], 1, site, ctx);
}
defineFunction(['torch.outer', 'torch.ger', 'numpy.outer', 'jax.numpy.outer'], (args, kw, site, ctx) => outer(args[0] ?? kw.get('input'), args[1] ?? kw.get('vec2'), site, ctx));
defineMethod(['outer', 'ger'], (self, args, _kw, site, ctx) => outer(tensor(self), args[0], site, ctx));

/** Triangular masks keep the shape (one select per element). */
const triangular = (x: TensorType | undefined, site: CallSite, ctx: BuiltinCtx) => (x ? elementwiseValues([tensor(x)], 0, site, ctx) : UNKNOWN);
defineFunction(['torch.tril', 'torch.triu', 'numpy.tril', 'numpy.triu', 'jax.numpy.tril', 'jax.numpy.triu'], (args, kw, site, ctx) => triangular(asType(args[0] ?? kw.get('input')), site, ctx));
defineMethod(['tril', 'triu', 'tril_', 'triu_'], (self, _args, _kw, site, ctx) => triangular(self, site, ctx));

function replaceDim(x: TensorType, dimArg: Value | undefined, size: Poly, dtype: DType | null): TensorType {
  if (!x.shape) return { shape: null, dtype };
  const d = intOf(dimArg) ?? -1;
  const i = d < 0 ? x.shape.length + d : d;
  if (i < 0 || i >= x.shape.length) return { shape: null, dtype };
  return { shape: x.shape.map((s, j) => (j === i ? size : s)), dtype };
}
function topk(x: TensorType | undefined, k: Value | undefined, dim: Value | undefined): Value {
  const kk = asDim(k);
  if (!x || !kk) return UNKNOWN;
  return { kind: 'tuple', items: [tensor(replaceDim(x, dim, kk, x.dtype)), tensor(replaceDim(x, dim, kk, 'int64'))] };
}
defineFunction(['torch.topk'], (args, kw) => topk(asType(args[0] ?? kw.get('input')), args[1] ?? kw.get('k'), args[2] ?? kw.get('dim')));
defineMethod(['topk'], (self, args, kw) => topk(self, args[0] ?? kw.get('k'), args[1] ?? kw.get('dim')));
defineFunction(['torch.multinomial'], (args, kw) => {
  const x = asType(args[0] ?? kw.get('input'));
  const n = asDim(args[1] ?? kw.get('num_samples'));
  return x && n ? tensor(replaceDim(x, undefined, n, 'int64')) : UNKNOWN;
});

/**
 * `torch.sort(x, dim)` → (values, indices) and `torch.argsort(x, dim)` → indices, of x's shape
 * (MAE's random masking argsorts the noise per sample): the input read, the results written;
 * the comparisons are not counted as FLOPs (a note says so).
 */
function sorted(x: TensorType | undefined, site: CallSite, ctx: BuiltinCtx, values: boolean): Value {
  if (!x) return UNKNOWN;
  if (!x.shape) return values ? { kind: 'tuple', items: [tensor(x), tensor({ shape: null, dtype: 'int64' })] } : tensor({ shape: null, dtype: 'int64' });
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const bytes = tensorBytes(x.shape, dtype).add(tensorBytes(x.shape, 'int64')).add(values ? tensorBytes(x.shape, dtype) : Poly.ZERO);
  const idx = ctx.record(moved(x.shape, 'int64', bytes, ['sort: the input read, the sorted indices (and values) written; comparisons not counted']), site, [x]);
  return values ? { kind: 'tuple', items: [tensor(x), idx] } : idx;
}
defineFunction(['torch.sort'], (args, kw, site, ctx) => sorted(asType(args[0] ?? kw.get('input')), site, ctx, true));
defineFunction(['torch.argsort'], (args, kw, site, ctx) => sorted(asType(args[0] ?? kw.get('input')), site, ctx, false));
defineMethod(['sort'], (self, _args, _kw, site, ctx) => sorted(self, site, ctx, true));
defineMethod(['argsort'], (self, _args, _kw, site, ctx) => sorted(self, site, ctx, false));
