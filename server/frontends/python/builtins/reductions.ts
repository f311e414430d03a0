/**
 * Reductions as functions (`torch.sum(x, dim)`, `np.mean(x, axis=, keepdims=)`) and methods
 * (`x.sum(-1, keepdim=True)`). `torch.max(x, dim)` returns (values, indices); `torch.max(a, b)`
 * with two tensors is the elementwise maximum.
 */
import { REDUCTION_FLOPS, SCAN_FLOPS, reduce, scan } from '../../../core/ops/reduction';
import { TensorType } from '../../../core/ir';
import { CallSite, UNKNOWN, Value, int, tensor } from '../values';
import { Poly } from '../../../core/symbolic';
import { axesOf, boolOf } from './args';
import { sizesOf } from '../sequences';
import { elementwiseValues } from './elementwise';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';

/** Reductions that return (values, indices) when given a dim. */
const PAIRED = new Set(['max', 'min', 'median', 'mode', 'kthvalue', 'var_mean', 'std_mean']);

function reduceValue(x: TensorType | undefined, op: string, dimV: Value | undefined, keepV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  const dims = axesOf(dimV);
  if (dims === undefined) {
    // A dim we cannot read: the cost (every element once) is known, the result's rank is not.
    const r = reduce(x, null, false, op, ctx.opContext(x.dtype));
    ctx.record({ ...r, output: { shape: null, dtype: r.output.dtype } }, site, [x]);
    return tensor({ shape: null, dtype: r.output.dtype });
  }
  const out = ctx.record(reduce(x, dims, boolOf(keepV, false), op, ctx.opContext(x.dtype)), site, [x]);
  if (op === 'var_mean' || op === 'std_mean') return { kind: 'tuple', items: [out, out] };
  if (PAIRED.has(op) && dims !== null && out.kind === 'tensor') {
    return { kind: 'tuple', items: [out, tensor({ shape: out.type.shape, dtype: 'int64' })] };
  }
  return out;
}

for (const op of Object.keys(REDUCTION_FLOPS)) {
  defineFunction([`torch.${op}`], (args, kw, site, ctx) => {
    // torch.max(a, b): two tensors means the elementwise maximum.
    if ((op === 'max' || op === 'min') && args[1]?.kind === 'tensor') return elementwiseValues([args[0], args[1]], 1, site, ctx);
    const x = args[0]?.kind === 'tensor' ? args[0].type : kw.get('input')?.kind === 'tensor' ? (kw.get('input') as { type: TensorType }).type : undefined;
    return reduceValue(x, op, args[1] ?? kw.get('dim'), args[2] ?? kw.get('keepdim'), site, ctx);
  });
  defineMethod([op], (self, args, kw, site, ctx) => reduceValue(self, op, args[0] ?? kw.get('dim') ?? kw.get('axis'), args[1] ?? kw.get('keepdim') ?? kw.get('keepdims'), site, ctx));
  defineFunction([`numpy.${op}`, `jax.numpy.${op}`], (args, kw, site, ctx) => {
    // `int(np.prod(img_shape))` of a tuple of sizes (PyTorch-GAN's layer widths) is a size.
    const sizes = op === 'prod' || op === 'sum' ? sizesOf(args[0]) : undefined;
    if (sizes) return int(sizes.reduce((a, d) => (op === 'prod' ? a.mul(d) : a.add(d)), op === 'prod' ? Poly.ONE : Poly.ZERO));
    return reduceValue(args[0]?.kind === 'tensor' ? args[0].type : undefined, op, args[1] ?? kw.get('axis'), kw.get('keepdims'), site, ctx);
  });
}

defineFunction(['numpy.amax', 'jax.numpy.amax', 'numpy.amin', 'jax.numpy.amin'], (args, kw, site, ctx) =>
  reduceValue(args[0]?.kind === 'tensor' ? args[0].type : undefined, 'amax', args[1] ?? kw.get('axis'), kw.get('keepdims'), site, ctx),
);

/**
 * `np.linalg.norm(x, ord=None, axis=None, keepdims=False)` and `torch.linalg.vector_norm(x, ord=2,
 * dim=None, keepdim=False)`: a vector (or Frobenius) norm reads every element once, squares and
 * adds. A matrix norm of another order (`ord=2` of a matrix is its largest singular value, an
 * SVD) is not a reduction and stays unmodelled.
 */
defineFunction(['numpy.linalg.norm', 'jax.numpy.linalg.norm', 'torch.linalg.vector_norm'], (args, kw, site, ctx) => {
  const x = args[0]?.kind === 'tensor' ? args[0].type : undefined;
  const vector = site.name.endsWith('vector_norm');
  const ord = kw.get('ord') ?? args[1];
  const axis = vector ? kw.get('dim') ?? args[2] : kw.get('axis') ?? args[2];
  const axes = axesOf(axis);
  const rank = x?.shape?.length;
  const matrix = !vector && (axes === null ? rank !== undefined && rank >= 2 : axes !== undefined && axes.length === 2);
  const frobenius = !ord || ord.kind === 'none' || (ord.kind === 'str' && ord.value === 'fro');
  if (matrix && !frobenius) return ctx.unmodelled(site);
  return reduceValue(x, 'norm', axis, vector ? kw.get('keepdim') ?? args[3] : kw.get('keepdims') ?? args[3], site, ctx);
});

/** Scans (`torch.cumsum(x, dim)`, `x.cumprod(0)`): the result keeps the input's shape; cummax and cummin also give indices. */
for (const op of Object.keys(SCAN_FLOPS)) {
  const scanValue = (x: TensorType | undefined, site: CallSite, ctx: BuiltinCtx): Value => {
    if (!x) return UNKNOWN;
    const out = ctx.record(scan(x, op, ctx.opContext(x.dtype)), site, [x]);
    return op === 'cummax' || op === 'cummin' ? { kind: 'tuple', items: [out, tensor({ shape: out.kind === 'tensor' ? out.type.shape : null, dtype: 'int64' })] } : out;
  };
  defineFunction([`torch.${op}`, `numpy.${op}`, `jax.numpy.${op}`], (args, kw, site, ctx) => scanValue(args[0]?.kind === 'tensor' ? args[0].type : undefined, site, ctx));
  defineMethod([op], (self, _args, _kw, site, ctx) => scanValue(self, site, ctx));
}
