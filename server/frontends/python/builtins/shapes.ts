/**
 * Shape operations: view/reshape (-1 inferred, TC002 when the element count provably changes),
 * transpose, permute, flatten, (un)squeeze, expand, split/chunk (tuples), cat/stack, `.T`/`.mT`,
 * indexing, `size()`. Views are free and not recorded; copies (`contiguous`, `repeat`, `cat`,
 * `stack`) are recorded with their bytes.
 */
import { Dim, TensorType } from '../../../core/ir';
import { copy, moved } from '../../../core/ops/copy';
import { IndexItem, cat, chunk, expand, flatten, index, padded, permute, reshape, split, squeeze, stack, transpose, unsqueeze } from '../../../core/ops/shape';
import { tensorBytes, unknownResult } from '../../../core/ops/types';
import { Poly, product } from '../../../core/symbolic';
import { CallSite, NONE, UNKNOWN, Value, asDim, int, itemCounts, tensor } from '../values';
import { isPlain } from '../sequences';
import { axesOf, dimsFrom, intOf, reshapeDimsFrom, shapeValue, shapesValue } from './args';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';

const LIBS = ['torch.', 'numpy.', 'jax.numpy.'];
const names = (...ns: string[]) => ns.flatMap((n) => LIBS.map((l) => l + n));
const unknownOf = (x: TensorType): Value => tensor({ shape: null, dtype: x.dtype });
const bindingsOf = (ctx: BuiltinCtx) => ctx.opContext().bindings;

function reshapeValue(x: TensorType, args: Value[], site: CallSite, ctx: BuiltinCtx): Value {
  // A shape of repeated items, or of a length nobody knows (`view(*shape)` of a list built over
  // a shape the analysis lost), is not a list of sizes.
  if (args.length === 1 && args[0].kind === 'tuple' && (args[0].unknownTrips || !isPlain(args[0]))) return unknownOf(x);
  // Every size given (no -1): the result's shape is the target's whatever the input's was
  // (build-nanogpt's `buf[:-1].view(B, T)` of tokens read from a file).
  if (!x.shape) {
    const items = args.length === 1 && args[0].kind === 'tuple' ? args[0].items : args;
    const dims = items.map(asDim);
    const given = dims.every((d): d is Dim => !!d && d.constValue() !== -1);
    return given && dims.length ? tensor({ shape: dims as Dim[], dtype: x.dtype }) : unknownOf(x);
  }
  const target = reshapeDimsFrom(args, ctx);
  if (!target) return unknownOf(x);
  return shapeValue(reshape(x.shape, target, bindingsOf(ctx)), x, 'copy', site, ctx);
}
defineMethod(['view', 'reshape'], (x, args, kw, site, ctx) => {
  // x.view(torch.float16) reinterprets the dtype; only same-size dtypes keep the shape.
  if (args.length === 1 && args[0].kind === 'ref') return unknownOf(x);
  return reshapeValue(x, args.length ? args : kw.get('shape') ? [kw.get('shape')!] : [], site, ctx);
});
defineFunction(names('reshape'), (args, kw, site, ctx) => {
  const x = args[0];
  if (x?.kind !== 'tensor') return UNKNOWN;
  const rest = args.slice(1);
  return reshapeValue(x.type, rest.length ? rest : kw.get('shape') ?? kw.get('newshape') ? [(kw.get('shape') ?? kw.get('newshape'))!] : [], site, ctx);
});
defineMethod(['view_as', 'reshape_as', 'expand_as'], (x, args, _kw, site, ctx) => {
  const o = args[0];
  if (o?.kind !== 'tensor' || !o.type.shape || !x.shape) return unknownOf(x);
  return shapeValue(reshape(x.shape, o.type.shape, bindingsOf(ctx)), x, 'copy', site, ctx);
});

function transposeValue(x: TensorType, a: Value | undefined, b: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const i = intOf(a);
  const j = intOf(b);
  if (!x.shape || i === undefined || j === undefined) return unknownOf(x);
  return shapeValue(transpose(x.shape, i, j), x, 'copy', site, ctx);
}
defineMethod(['transpose', 'swapaxes', 'swapdims', 'transpose_'], (x, args, kw, site, ctx) => {
  // NumPy's arr.transpose() / arr.transpose(axes) permute; torch's takes two dims.
  if (args.length === 0) return x.shape ? tensor({ shape: [...x.shape].reverse(), dtype: x.dtype }) : unknownOf(x);
  if (args.length === 1 && args[0].kind === 'tuple') return permuteValue(x, args, site, ctx);
  if (args.length > 2) return permuteValue(x, args, site, ctx);
  return transposeValue(x, args[0] ?? kw.get('dim0'), args[1] ?? kw.get('dim1'), site, ctx);
});
defineFunction(['torch.transpose', 'torch.swapaxes', 'torch.swapdims', 'numpy.swapaxes', 'jax.numpy.swapaxes'], (args, kw, site, ctx) =>
  args[0]?.kind === 'tensor' ? transposeValue(args[0].type, args[1] ?? kw.get('dim0') ?? kw.get('axis1'), args[2] ?? kw.get('dim1') ?? kw.get('axis2'), site, ctx) : UNKNOWN,
);
defineFunction(['numpy.transpose', 'jax.numpy.transpose'], (args, kw, site, ctx) => {
  const x = args[0];
  if (x?.kind !== 'tensor') return UNKNOWN;
  const axes = args[1] ?? kw.get('axes');
  if (!axes || axes.kind === 'none') return x.type.shape ? tensor({ shape: [...x.type.shape].reverse(), dtype: x.type.dtype }) : unknownOf(x.type);
  return permuteValue(x.type, [axes], site, ctx);
});
const reverse2 = (x: TensorType): Value => (x.shape && x.shape.length >= 2 ? tensor({ shape: [...x.shape.slice(0, -2), x.shape[x.shape.length - 1], x.shape[x.shape.length - 2]], dtype: x.dtype }) : tensor(x));
defineMethod(['T'], (x) => (x.shape ? tensor({ shape: [...x.shape].reverse(), dtype: x.dtype }) : unknownOf(x)));
defineMethod(['mT', 't', 'mH', 'H'], (x) => reverse2(x));
defineFunction(['torch.t'], (args) => (args[0]?.kind === 'tensor' ? reverse2(args[0].type) : UNKNOWN));

function permuteValue(x: TensorType, args: Value[], site: CallSite, ctx: BuiltinCtx): Value {
  const order = axesOf(args.length === 1 ? args[0] : { kind: 'tuple', items: args });
  if (!x.shape || !order) return unknownOf(x);
  return shapeValue(permute(x.shape, order), x, 'copy', site, ctx);
}
defineMethod(['permute'], (x, args, kw, site, ctx) => permuteValue(x, args.length ? args : kw.get('dims') ? [kw.get('dims')!] : [], site, ctx));
defineFunction(['torch.permute', 'jax.numpy.permute_dims', 'numpy.permute_dims'], (args, kw, site, ctx) =>
  args[0]?.kind === 'tensor' ? permuteValue(args[0].type, args.slice(1).length ? args.slice(1) : [kw.get('dims') ?? kw.get('axes') ?? UNKNOWN], site, ctx) : UNKNOWN,
);

function flattenValue(x: TensorType, s: Value | undefined, e: Value | undefined, site: CallSite, ctx: BuiltinCtx, dflt = 0): Value {
  if (!x.shape) return unknownOf(x);
  return shapeValue(flatten(x.shape, intOf(s) ?? dflt, intOf(e) ?? -1), x, 'copy', site, ctx);
}
defineMethod(['flatten'], (x, args, kw, site, ctx) => flattenValue(x, args[0] ?? kw.get('start_dim'), args[1] ?? kw.get('end_dim'), site, ctx));
defineMethod(['ravel'], (x, _a, _k, site, ctx) => flattenValue(x, undefined, undefined, site, ctx));
defineFunction(['torch.flatten', 'numpy.ravel', 'jax.numpy.ravel', 'torch.ravel'], (args, kw, site, ctx) =>
  args[0]?.kind === 'tensor' ? flattenValue(args[0].type, args[1] ?? kw.get('start_dim'), args[2] ?? kw.get('end_dim'), site, ctx) : UNKNOWN,
);

function unsqueezeValue(x: TensorType, d: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const i = intOf(d);
  if (!x.shape || i === undefined) return unknownOf(x);
  return shapeValue(unsqueeze(x.shape, i), x, 'copy', site, ctx);
}
defineMethod(['unsqueeze', 'unsqueeze_'], (x, args, kw, site, ctx) => unsqueezeValue(x, args[0] ?? kw.get('dim'), site, ctx));
defineFunction(['torch.unsqueeze', 'numpy.expand_dims', 'jax.numpy.expand_dims'], (args, kw, site, ctx) =>
  args[0]?.kind === 'tensor' ? unsqueezeValue(args[0].type, args[1] ?? kw.get('dim') ?? kw.get('axis'), site, ctx) : UNKNOWN,
);

function squeezeValue(x: TensorType, d: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const axes = axesOf(d);
  if (!x.shape || axes === undefined) return unknownOf(x);
  return shapeValue(squeeze(x.shape, axes, bindingsOf(ctx)), x, 'copy', site, ctx);
}
defineMethod(['squeeze', 'squeeze_'], (x, args, kw, site, ctx) => squeezeValue(x, args[0] ?? kw.get('dim') ?? kw.get('axis'), site, ctx));
defineFunction(names('squeeze'), (args, kw, site, ctx) => (args[0]?.kind === 'tensor' ? squeezeValue(args[0].type, args[1] ?? kw.get('dim') ?? kw.get('axis'), site, ctx) : UNKNOWN));

defineMethod(['expand'], (x, args, _kw, site, ctx) => {
  const sizes = reshapeDimsFrom(args, ctx);
  if (!x.shape || !sizes) return unknownOf(x);
  return shapeValue(expand(x.shape, sizes, bindingsOf(ctx)), x, 'copy', site, ctx);
});
defineFunction(['torch.broadcast_to', 'numpy.broadcast_to', 'jax.numpy.broadcast_to'], (args, kw, site, ctx) => {
  const x = args[0];
  const sizes = reshapeDimsFrom([args[1] ?? kw.get('size') ?? kw.get('shape') ?? UNKNOWN], ctx);
  if (x?.kind !== 'tensor' || !x.type.shape || !sizes) return UNKNOWN;
  return shapeValue(expand(x.type.shape, sizes, bindingsOf(ctx)), x.type, 'copy', site, ctx);
});

/** `repeat(*sizes)` copies: each dim multiplied. */
defineMethod(['repeat', 'tile'], (x, args, _kw, site, ctx) => {
  const reps = dimsFrom(args);
  if (!x.shape || !reps || reps.length < x.shape.length) return unknownOf(x);
  const lead = reps.length - x.shape.length;
  const out = reps.map((r, i) => (i < lead ? r : r.mul(x.shape![i - lead])));
  const dtype = x.dtype ?? ctx.opContext().dtype;
  return ctx.record(moved(out, x.dtype, tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype))), site, [x]);
});

defineMethod(['contiguous'], (x, _a, _k, site, ctx) => (x.shape ? ctx.record(copy(x, ctx.opContext(x.dtype), 'contiguous(): copies only when the input is not contiguous already'), site, [x]) : tensor(x)));
defineMethod(['clone', 'copy'], (x, _a, _k, site, ctx) => (x.shape ? ctx.record(copy(x, ctx.opContext(x.dtype), 'copy'), site, [x]) : tensor(x)));
// `buf.copy_(src, non_blocking=True)` (nanochat's data loader): `src` copied into `buf`, which it returns.
defineMethod(['copy_'], (x, args, kw, site, ctx) => {
  const src = args[0] ?? kw.get('src');
  const from = src?.kind === 'tensor' && src.type.shape ? src.type : x;
  if (!from.shape) return tensor(x);
  ctx.record(copy(from, ctx.opContext(from.dtype), 'copy_ into an existing tensor'), site, [from]);
  return tensor(x);
});
defineMethod(['detach', 'cpu', 'cuda', 'requires_grad_', 'numpy', 'pin_memory', 'share_memory_', 'block_until_ready', 'coalesce'], (x) => tensor(x));
// In-place fills and initialisers (`torch.empty(n, n).fill_(-inf).triu_(1)` builds Whisper's mask):
// the same tensor, written once when it is made; nothing a forward pass computes.
defineMethod(['fill_', 'zero_', 'normal_', 'uniform_', 'bernoulli_', 'exponential_', 'random_', 'fill_diagonal_'], (x) => tensor(x));

function splitValue(x: TensorType, sizeV: Value | undefined, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x.shape || !sizeV) return UNKNOWN;
  const dim = intOf(dimV) ?? 0;
  const sizes = sizeV.kind === 'tuple' ? dimsFrom([sizeV]) : asDim(sizeV);
  if (!sizes) return UNKNOWN;
  return shapesValue(split(x.shape, sizes, dim, bindingsOf(ctx)), x, site, ctx);
}
defineMethod(['split'], (x, args, kw, site, ctx) => splitValue(x, args[0] ?? kw.get('split_size') ?? kw.get('split_size_or_sections'), args[1] ?? kw.get('dim'), site, ctx));
defineFunction(['torch.split'], (args, kw, site, ctx) => (args[0]?.kind === 'tensor' ? splitValue(args[0].type, args[1] ?? kw.get('split_size_or_sections'), args[2] ?? kw.get('dim'), site, ctx) : UNKNOWN));

function chunkValue(x: TensorType, nV: Value | undefined, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const n = intOf(nV);
  if (!x.shape || n === undefined) return UNKNOWN;
  return shapesValue(chunk(x.shape, n, intOf(dimV) ?? 0, bindingsOf(ctx)), x, site, ctx);
}
defineMethod(['chunk'], (x, args, kw, site, ctx) => chunkValue(x, args[0] ?? kw.get('chunks'), args[1] ?? kw.get('dim'), site, ctx));
defineFunction(['torch.chunk'], (args, kw, site, ctx) => (args[0]?.kind === 'tensor' ? chunkValue(args[0].type, args[1] ?? kw.get('chunks'), args[2] ?? kw.get('dim'), site, ctx) : UNKNOWN));
/** NumPy's split(x, n, axis) takes a section count; with a list it takes split indices (not sizes). */
defineFunction(['numpy.split', 'jax.numpy.split', 'numpy.array_split', 'jax.numpy.array_split'], (args, kw, site, ctx) =>
  args[0]?.kind === 'tensor' && args[1]?.kind === 'int' ? chunkValue(args[0].type, args[1], args[2] ?? kw.get('axis'), site, ctx) : UNKNOWN,
);
/** `x.unbind(dim)`, `torch.unbind(x, dim)`: the views along `dim`, as a tuple. */
export function unbindValue(x: TensorType, dimV: Value | undefined): Value {
  const d = intOf(dimV) ?? 0;
  if (!x.shape || d >= x.shape.length || d < -x.shape.length) return UNKNOWN;
  const i = d < 0 ? d + x.shape.length : d;
  const piece = tensor({ shape: x.shape.filter((_, j) => j !== i), dtype: x.dtype });
  const n = x.shape[i].constValue();
  return n !== undefined && n <= 4096 ? { kind: 'tuple', items: Array(n).fill(piece) } : { kind: 'tuple', items: [piece], repeat: x.shape[i] };
}
defineMethod(['unbind'], (x, args, kw) => unbindValue(x, args[0] ?? kw.get('dim')));
// `q, k, v = torch.unbind(qkv, 2)` (DINOv2's attention).
defineFunction(['torch.unbind'], (args, kw) => (args[0]?.kind === 'tensor' ? unbindValue(args[0].type, args[1] ?? kw.get('dim')) : UNKNOWN));

function joinValue(kind: 'cat' | 'stack', listV: Value | undefined, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (listV?.kind === 'tuple' && listV.repeat && !listV.repeat.equals(Poly.ONE)) return joinRepeated(kind, listV.items[0], listV.repeat, dimV, site, ctx);
  if (listV?.kind !== 'tuple') return UNKNOWN;
  const ts = listV.items.map((v) => (v.kind === 'tensor' ? v.type : undefined));
  if (ts.length === 0 || ts.some((t) => !t)) return UNKNOWN;
  const types = ts as TensorType[];
  const dtype = types.find((t) => t.dtype)?.dtype ?? null;
  if (types.some((t) => !t.shape)) return tensor({ shape: null, dtype });
  if (listV.unknownTrips || !isPlain(listV)) return joinCounted(kind, types, listV.unknownTrips ? undefined : itemCounts(listV), dimV, site, ctx);
  const shapes = types.map((t) => t.shape!);
  const dim = intOf(dimV) ?? 0;
  const r = kind === 'cat' ? cat(shapes, dim, bindingsOf(ctx)) : stack(shapes, dim, bindingsOf(ctx));
  if ('error' in r) return ctx.record(unknownResult('copy', dtype, r.error), site, types);
  const size = dtype ?? ctx.opContext().dtype;
  const bytes = tensorBytes(r.shape, size).scale(2);
  return ctx.record(moved(r.shape, dtype, bytes), site, types);
}
/**
 * `torch.stack([x[i:i+T] for i in ix])`: one item repeated n times (a comprehension over a tensor
 * or a range) stacks into a new dim of size n, or concatenates into n times the dim.
 */
function joinRepeated(kind: 'cat' | 'stack', item: Value | undefined, n: Poly, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (item?.kind !== 'tensor' || !item.type.shape) return UNKNOWN;
  return joinCounted(kind, [item.type], [n], dimV, site, ctx);
}
/**
 * A list appended to in a loop (`ys.append(y)` in `for i in range(l)`) holds each item as often as
 * its count says: Mamba's `torch.stack(ys, dim=1)` has `l` rows, not one. A list whose length
 * nobody knows (`counts` undefined) joins into a dim of its own, unknown (shown as `?`).
 */
function joinCounted(kind: 'cat' | 'stack', types: TensorType[], counts: Poly[] | undefined, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  const first = types[0].shape!;
  const rank = kind === 'stack' ? first.length + 1 : first.length;
  const d0 = intOf(dimV) ?? 0;
  const d = d0 < 0 ? d0 + rank : d0;
  const dtype = types.find((t) => t.dtype)?.dtype ?? null;
  if (d < 0 || d >= rank) return UNKNOWN;
  if (types.some((t) => t.shape!.length !== first.length)) return tensor({ shape: null, dtype });
  let shape: Dim[];
  if (kind === 'stack') {
    const n = counts ? counts.reduce((a, b) => a.add(b), Poly.ZERO) : Poly.sym(ctx.fresh());
    shape = [...first.slice(0, d), n, ...first.slice(d)];
  } else {
    const n = counts ? types.reduce((a, t, i) => a.add(t.shape![d].mul(counts[i])), Poly.ZERO) : Poly.sym(ctx.fresh());
    shape = first.map((x, i) => (i === d ? n : x));
  }
  const bytes = tensorBytes(shape, dtype ?? ctx.opContext().dtype).scale(2);
  return ctx.record(moved(shape, dtype, bytes), site, [types[0]]);
}

/**
 * `F.pad(x, (left, right, top, bottom, ...))`: pairs from the last dim backwards, negative ones
 * cropping; a copy into the padded shape (read the input, write the output). An amount not known
 * leaves the shape unknown, which the ops after it then say.
 */
/** A copy of `x` (of `shape`) into its padded shape: the input read, the output written. */
export function paddedCopy(x: TensorType, shape: readonly Dim[], amounts: readonly Dim[], ctx: BuiltinCtx) {
  const out = padded(shape, amounts);
  const size = x.dtype ?? ctx.opContext().dtype;
  return moved(out, x.dtype, tensorBytes(shape, size).add(tensorBytes(out, size)));
}
defineFunction(['torch.nn.functional.pad'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input');
  const p = args[1] ?? kw.get('pad');
  if (x?.kind !== 'tensor') return UNKNOWN;
  const shape = x.type.shape;
  const amounts = p?.kind === 'tuple' && !p.repeat ? p.items.map(asDim) : undefined;
  if (!shape || !amounts || amounts.length % 2 !== 0 || amounts.length / 2 > shape.length || amounts.some((a) => !a)) return unknownOf(x.type);
  return ctx.record(paddedCopy(x.type, shape, amounts as Dim[], ctx), site, [x.type]);
});

/**
 * `torch.gather(x, dim, index)` / `x.gather(dim, index)` and `take_along_dim`: the result has the
 * index's shape; reads the index and as many elements of `x`, writes the result.
 */
function gatherValue(x: TensorType | undefined, index: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  if (index?.kind !== 'tensor' || !index.type.shape) return unknownOf(x);
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const shape = index.type.shape;
  const bytes = tensorBytes(shape, dtype).scale(2).add(tensorBytes(shape, index.type.dtype ?? 'int64'));
  return ctx.record(moved(shape, x.dtype, bytes), site, [x, index.type]);
}
defineFunction(['torch.gather', 'torch.take_along_dim', 'numpy.take_along_axis', 'jax.numpy.take_along_axis'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input') ?? kw.get('arr');
  const takeAlong = site.name.endsWith('take_along_dim') || site.name.endsWith('take_along_axis');
  return gatherValue(x?.kind === 'tensor' ? x.type : undefined, takeAlong ? args[1] ?? kw.get('indices') : args[2] ?? kw.get('index'), site, ctx);
});
defineMethod(['gather'], (x, args, kw, site, ctx) => gatherValue(x, args[1] ?? kw.get('index'), site, ctx));
defineMethod(['take_along_dim'], (x, args, kw, site, ctx) => gatherValue(x, args[0] ?? kw.get('indices'), site, ctx));

/** `x.index_select(dim, index)`: `x` with that dim as long as the (1-D) index; a copy. */
function indexSelectValue(x: TensorType | undefined, dimV: Value | undefined, index: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  const d0 = asDim(dimV)?.constValue();
  if (!x.shape || d0 === undefined || index?.kind !== 'tensor' || index.type.shape?.length !== 1) return unknownOf(x);
  const d = d0 < 0 ? d0 + x.shape.length : d0;
  if (d < 0 || d >= x.shape.length) return unknownOf(x);
  const shape = x.shape.map((n, i) => (i === d ? index.type.shape![0] : n));
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const bytes = tensorBytes(shape, dtype).scale(2).add(tensorBytes(index.type.shape, index.type.dtype ?? 'int64'));
  return ctx.record(moved(shape, x.dtype, bytes), site, [x, index.type]);
}
defineFunction(['torch.index_select'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input');
  return indexSelectValue(x?.kind === 'tensor' ? x.type : undefined, args[1] ?? kw.get('dim'), args[2] ?? kw.get('index'), site, ctx);
});
defineMethod(['index_select'], (x, args, kw, site, ctx) => indexSelectValue(x, args[0] ?? kw.get('dim'), args[1] ?? kw.get('index'), site, ctx));

/**
 * `x.index_copy(dim, index, source)`: `x` with the rows `index` names along `dim` replaced by
 * `source`'s (a KV cache written at the new positions, lit-llama's `cache_k.index_copy(2, pos, k)`).
 * Out of place it reads `x` and writes a copy of it, then reads `source` and `index`; in place
 * (`index_copy_`) it writes only `source`'s elements. The result has `x`'s shape.
 */
function indexCopyValue(x: TensorType | undefined, index: Value | undefined, source: Value | undefined, inPlace: boolean, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  if (!x.shape || source?.kind !== 'tensor' || !source.type.shape || index?.kind !== 'tensor' || !index.type.shape) return unknownOf(x);
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const written = tensorBytes(source.type.shape, dtype).scale(2).add(tensorBytes(index.type.shape, index.type.dtype ?? 'int64'));
  const bytes = inPlace ? written : written.add(tensorBytes(x.shape, dtype).scale(2));
  return ctx.record(moved(x.shape, x.dtype, bytes), site, [x, index.type, source.type]);
}
defineFunction(['torch.index_copy'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input');
  return indexCopyValue(x?.kind === 'tensor' ? x.type : undefined, args[2] ?? kw.get('index'), args[3] ?? kw.get('source'), false, site, ctx);
});
defineMethod(['index_copy', 'index_copy_'], (x, args, kw, site, ctx) => indexCopyValue(x, args[1] ?? kw.get('index'), args[2] ?? kw.get('source'), site.name.endsWith('_'), site, ctx));

// `torch.roll(x, shifts, dims)`, `torch.flip(x, dims)`: the same elements in another order, a copy.
const reordered = (x: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value =>
  x?.kind !== 'tensor' ? UNKNOWN : x.type.shape ? ctx.record(copy(x.type, ctx.opContext(x.type.dtype), `${site.name.split('.').pop()}: a copy`), site, [x.type]) : unknownOf(x.type);
defineFunction(names('roll', 'flip', 'fliplr', 'flipud'), (args, kw, site, ctx) => reordered(args[0] ?? kw.get('input') ?? kw.get('a') ?? kw.get('m'), site, ctx));
defineMethod(['roll', 'flip', 'fliplr', 'flipud'], (x, _a, _k, site, ctx) => reordered({ kind: 'tensor', type: x }, site, ctx));

/**
 * `torch.repeat_interleave(x, n, dim)` with a constant count: `x` with `dim` n times as long (each
 * element repeated in place), a copy; without `dim`, flattened first. A tensor of counts gives a
 * length the values decide: unknown.
 */
function repeatInterleaveValue(x: TensorType | undefined, repeats: Value | undefined, dimV: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x) return UNKNOWN;
  const n = repeats?.kind === 'int' ? repeats.value : undefined;
  if (!x.shape || !n) return unknownOf(x);
  const noDim = !dimV || dimV.kind === 'none';
  const d0 = noDim ? 0 : asDim(dimV)?.constValue();
  const base = noDim ? [product(x.shape)] : x.shape;
  if (d0 === undefined || !Number.isInteger(d0)) return unknownOf(x);
  const d = d0 < 0 ? d0 + base.length : d0;
  if (d < 0 || d >= base.length) return unknownOf(x);
  const out = base.map((s, i) => (i === d ? s.mul(n) : s));
  const dtype = x.dtype ?? ctx.opContext().dtype;
  return ctx.record(moved(out, x.dtype, tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype))), site, [x]);
}
defineFunction(['torch.repeat_interleave'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input');
  return repeatInterleaveValue(x?.kind === 'tensor' ? x.type : undefined, args[1] ?? kw.get('repeats'), args[2] ?? kw.get('dim'), site, ctx);
});
defineMethod(['repeat_interleave'], (x, args, kw, site, ctx) => repeatInterleaveValue(x, args[0] ?? kw.get('repeats'), args[1] ?? kw.get('dim'), site, ctx));

// `torch.is_tensor(x)` (whisper's audio loading): decided where the value is.
defineFunction(['torch.is_tensor'], (args) => ({ kind: 'bool', value: args[0]?.kind === 'tensor' ? true : args[0] && args[0].kind !== 'unknown' ? false : null }));

defineFunction(names('cat', 'concat', 'concatenate'), (args, kw, site, ctx) => joinValue('cat', args[0] ?? kw.get('tensors') ?? kw.get('arrays'), args[1] ?? kw.get('dim') ?? kw.get('axis'), site, ctx));
defineFunction(names('stack'), (args, kw, site, ctx) => joinValue('stack', args[0] ?? kw.get('tensors') ?? kw.get('arrays'), args[1] ?? kw.get('dim') ?? kw.get('axis'), site, ctx));
defineFunction(['numpy.vstack', 'jax.numpy.vstack'], (args, _kw, site, ctx) => joinValue('cat', args[0], int(0), site, ctx));
defineFunction(['numpy.hstack', 'jax.numpy.hstack'], (args, _kw, site, ctx) => joinValue('cat', args[0], int(-1), site, ctx));

/** Index values as the interpreter passes them: ints, slices, None, `...`, index tensors, lists. */
function indexItem(v: Value, ctx: BuiltinCtx): IndexItem | undefined {
  switch (v.kind) {
    case 'slice': {
      const d = (x: Value | null) => (x && x.kind !== 'none' ? asDim(x) : null);
      const [start, stop, step] = [d(v.start), d(v.stop), d(v.step)];
      // A bound we cannot read gives a slice of fresh, unknown length.
      if (start === undefined || stop === undefined || step === undefined) return { kind: 'slice', start: Poly.ZERO, stop: Poly.sym(ctx.fresh()), step: null };
      return { kind: 'slice', start, stop, step };
    }
    case 'ellipsis':
      return { kind: 'ellipsis' };
    case 'int':
      return { kind: 'int' };
    case 'none':
      return { kind: 'none' };
    case 'str':
      return v.value === '...' ? { kind: 'ellipsis' } : v.value === ':' ? { kind: 'slice' } : undefined;
    case 'tensor':
      return { kind: 'tensor', shape: v.type.shape, bool: v.type.dtype === 'bool' };
    case 'tuple':
      // A list's length counts its items' repeats; of a list of unknown length it is unknown.
      if (v.repeat) return undefined;
      return { kind: 'tensor', shape: [v.unknownTrips ? Poly.sym(ctx.fresh()) : itemCounts(v).reduce((a, b) => a.add(b), Poly.ZERO)], bool: false };
    default:
      return undefined;
  }
}

defineMethod(['__getitem__'], (x, args, _kw, site, ctx) => {
  const flat = args.length === 1 && args[0].kind === 'tuple' && !args[0].list ? args[0].items : args;
  const items = flat.map((v) => indexItem(v, ctx));
  if (!x.shape || items.some((i) => !i)) return unknownOf(x);
  const r = index(x.shape, items as IndexItem[], bindingsOf(ctx), () => ctx.fresh());
  if ('unknown' in r) return unknownOf(x);
  return shapeValue(r, x, 'copy', site, ctx);
});

defineMethod(['size'], (x, args, kw) => {
  if (!x.shape) return UNKNOWN;
  const d = args[0] ?? kw.get('dim');
  if (!d) return { kind: 'tuple', items: x.shape.map((s) => int(s)) };
  const i = intOf(d);
  if (i === undefined) return UNKNOWN;
  const j = i < 0 ? i + x.shape.length : i;
  return x.shape[j] ? int(x.shape[j]) : UNKNOWN;
});
defineMethod(['dim', 'ndimension'], (x) => (x.shape ? int(x.shape.length) : UNKNOWN));
defineMethod(['numel', 'nelement'], (x) => (x.shape ? int(product(x.shape)) : UNKNOWN));
defineFunction(['torch.numel', 'numpy.size', 'jax.numpy.size'], (args) => (args[0]?.kind === 'tensor' && args[0].type.shape ? int(product(args[0].type.shape)) : UNKNOWN));
defineFunction(['numpy.shape', 'jax.numpy.shape'], (args) => (args[0]?.kind === 'tensor' && args[0].type.shape ? { kind: 'tuple', items: args[0].type.shape.map((d: Dim) => int(d)) } : UNKNOWN));

/**
 * `x.narrow(dim, start, length)` / `torch.narrow`: a view of `length` along `dim` (DeepSeek-V3's
 * `convert.py` shards weights with it); no data moves.
 */
function narrowValue(x: TensorType, dimV: Value | undefined, lengthV: Value | undefined): Value {
  const d0 = asDim(dimV)?.constValue();
  const length = asDim(lengthV);
  if (!x.shape || d0 === undefined || !length) return tensor({ shape: null, dtype: x.dtype });
  const d = d0 < 0 ? d0 + x.shape.length : d0;
  if (d < 0 || d >= x.shape.length) return tensor({ shape: null, dtype: x.dtype });
  return tensor({ shape: x.shape.map((n, i) => (i === d ? length : n)), dtype: x.dtype });
}
defineMethod(['narrow'], (x, args, kw) => narrowValue(x, args[0] ?? kw.get('dim'), args[2] ?? kw.get('length')));
defineFunction(['torch.narrow'], (args, kw) => {
  const x = args[0] ?? kw.get('input');
  return x?.kind === 'tensor' ? narrowValue(x.type, args[1] ?? kw.get('dim'), args[3] ?? kw.get('length')) : UNKNOWN;
});

/**
 * `torch.bincount(x, minlength=n)`: a count per value, 1-D of `minlength` when the values stay
 * below it (DeepSeek-V3's tokens per expert), else of a length the data decides. Reads the input,
 * writes the counts.
 */
function bincountValue(x: TensorType | undefined, minlength: Value | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x?.shape) return tensor({ shape: [Poly.sym(ctx.fresh())], dtype: 'int64' });
  const out = [asDim(minlength) ?? Poly.sym(ctx.fresh())];
  const bytes = tensorBytes(x.shape, x.dtype ?? 'int64').add(tensorBytes(out, 'int64'));
  return ctx.record(moved(out, 'int64', bytes, ['bincount: the input read, one count per value written']), site, [x]);
}
defineFunction(['torch.bincount'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('input');
  return bincountValue(x?.kind === 'tensor' ? x.type : undefined, kw.get('minlength') ?? args[2], site, ctx);
});
defineMethod(['bincount'], (x, args, kw, site, ctx) => bincountValue(x, kw.get('minlength') ?? args[1], site, ctx));

/**
 * `F.one_hot(x, num_classes)`: x's shape and one more dim of `num_classes` (makemore's
 * `F.one_hot(xs, num_classes=27).float()`); without it, of a size the data decides (the largest
 * value plus one). Reads the indices, writes the int64 result.
 */
defineFunction(['torch.nn.functional.one_hot'], (args, kw, site, ctx) => {
  const x = args[0] ?? kw.get('tensor') ?? kw.get('input');
  if (x?.kind !== 'tensor' || !x.type.shape) return tensor({ shape: null, dtype: 'int64' });
  const given = asDim(args[1] ?? kw.get('num_classes'));
  const n = given && given.constValue() !== -1 ? given : Poly.sym(ctx.fresh());
  const shape = [...x.type.shape, n];
  const bytes = tensorBytes(x.type.shape, x.type.dtype ?? 'int64').add(tensorBytes(shape, 'int64'));
  return ctx.record(moved(shape, 'int64', bytes, ['one_hot: the indices read, the one-hot result written']), site, [x.type]);
});

// `x.retain_grad()` (makemore's backprop lecture) keeps a gradient; it computes nothing here.
defineMethod(['retain_grad'], () => NONE);

/**
 * `np.append(arr, values)` without `axis`: both flattened into one 1-D array (DiT's and guided
 * diffusion's `np.append(1.0, alphas_cumprod[:-1])`); a copy of both. With `axis`, a `cat`.
 */
defineFunction(['numpy.append'], (args, kw, site, ctx) => {
  const [a, b] = [args[0] ?? kw.get('arr'), args[1] ?? kw.get('values')];
  const axis = args[2] ?? kw.get('axis');
  if (axis && axis.kind !== 'none') return joinValue('cat', { kind: 'tuple', items: [a ?? UNKNOWN, b ?? UNKNOWN] }, axis, site, ctx);
  const count = (v: Value | undefined): Poly | undefined => (v?.kind === 'tensor' ? (v.type.shape ? product(v.type.shape) : undefined) : v?.kind === 'int' || v?.kind === 'float' ? Poly.ONE : undefined);
  const [na, nb] = [count(a), count(b)];
  const dtype = (a?.kind === 'tensor' ? a.type.dtype : null) ?? (b?.kind === 'tensor' ? b.type.dtype : null) ?? 'fp64';
  if (!na || !nb) return tensor({ shape: null, dtype });
  const shape = [na.add(nb)];
  return ctx.record(moved(shape, dtype, tensorBytes(shape, dtype).scale(2)), site, [a, b].filter((v): v is Extract<Value, { kind: 'tensor' }> => v?.kind === 'tensor').map((v) => v.type));
});
