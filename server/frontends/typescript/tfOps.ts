/**
 * TF.js core operations (`tf.matMul`, `tf.conv2d`, `x.maxPool(...)`...): shape and cost through
 * the same core op rules as Python. A method form `x.op(a, b)` is `tf.op(x, a, b)` in TF.js, so
 * one table serves both; the interpreter puts the receiver first.
 */
import { DTYPE_BYTES, DType, parseDType } from '../../core/dtypes';
import { Dim, TensorType } from '../../core/ir';
import { Operand, SCALAR, activation, dropout, elementwise } from '../../core/ops/elementwise';
import { einsum } from '../../core/ops/einsum';
import { matmul } from '../../core/ops/matmul';
import { softmax, layerNorm, BATCH_NORM_FLOPS } from '../../core/ops/normalization';
import { reduce } from '../../core/ops/reduction';
import { cat, reshape as reshapeShape, stack } from '../../core/ops/shape';
import { cast } from '../../core/ops/copy';
import { OpContext, OpResult, bytesOnly, normAxis, numel, shapeText, tensorBytes, unknownResult } from '../../core/ops/types';
import { Poly } from '../../core/symbolic';
import { convChannelsLast, convTransposeChannelsLast, Padding, poolChannelsLast } from './convNhwc';
import { TfValue, TensorValue, UNKNOWN, dimOf, dimsOf, intConst, isTensor, strOf, tensorOf } from './values';

export interface OpCall {
  /** Arguments, the receiver first for method forms. */
  args: TfValue[];
  ctx: OpContext;
  /** Records the op at the call site; its cost counts unless it has a shape error. */
  record(r: OpResult, inputs: TensorType[]): TensorValue;
}

export type Handler = (c: OpCall) => TfValue;

const NULL_TYPE: TensorType = { shape: null, dtype: null };

/** A tensor operand's type; anything not known to be a tensor has an unknown shape. */
const typeOf = (v: TfValue | undefined): TensorType => (isTensor(v) ? v.type : NULL_TYPE);

export function tfDtype(v: TfValue | undefined, fallback: DType | null): DType | null {
  const s = strOf(v);
  if (!s) return fallback;
  return s === 'float32' ? 'fp32' : s === 'int32' ? 'int32' : s === 'bool' ? 'bool' : s === 'complex64' ? fallback : parseDType(s) ?? fallback;
}

/** An axis argument (number or list of numbers); null means all. */
function axesOf(v: TfValue | undefined): number[] | null | undefined {
  if (v === undefined || v.kind === 'unknown') return null;
  const i = intConst(v);
  if (i !== undefined) return [i];
  if (v.kind === 'list') {
    const out = v.items.map(intConst);
    return out.every((x) => x !== undefined) ? (out as number[]) : undefined;
  }
  return undefined;
}

function transposeLast2(t: TensorType): TensorType {
  if (!t.shape || t.shape.length < 2) return t;
  const s = t.shape;
  return { ...t, shape: [...s.slice(0, -2), s[s.length - 1], s[s.length - 2]] };
}

const flag = (v: TfValue | undefined) => v?.kind === 'bool' && v.value;

const matMul: Handler = (c) => {
  const [a, b, ta, tb] = c.args;
  const x = flag(ta) ? transposeLast2(typeOf(a)) : typeOf(a);
  const y = flag(tb) ? transposeLast2(typeOf(b)) : typeOf(b);
  return c.record(matmul(x, y, { ...c.ctx, dtype: x.dtype ?? c.ctx.dtype }), [typeOf(a), typeOf(b)]);
};

/** `tf.dot(a, b)`: vector·vector, matrix·vector or matrix·matrix. */
const dot: Handler = (c) => {
  const [a, b] = c.args;
  const x = typeOf(a);
  const y = typeOf(b);
  if (x.shape?.length === 1 && y.shape?.length === 1) {
    const r = matmul({ ...x, shape: [Poly.ONE, x.shape[0]] }, { ...y, shape: [y.shape[0], Poly.ONE] }, c.ctx);
    return c.record({ ...r, output: { ...r.output, shape: [] } }, [x, y]);
  }
  return c.record(matmul(x, y, c.ctx), [x, y]);
};

const operand = (v: TfValue | undefined): Operand => (v?.kind === 'int' ? SCALAR : typeOf(v));

/** Elementwise ops with broadcasting; numbers are free scalars. */
const ew = (flops: number, kind?: 'elementwise' | 'activation', outDtype?: DType): Handler => (c) => {
  const args = c.args.filter((a) => a.kind !== 'str' && a.kind !== 'bool');
  // `x.div(scale)` with an unseen non-tensor `scale` beside a known tensor: taken as a number
  // (a tensor there would broadcast to the known operand's shape in the common cases).
  const known = args.some((a) => isTensor(a) && a.type.shape);
  const ops = args.map((a) => (known && a.kind === 'unknown' ? SCALAR : operand(a)));
  if (!ops.some((o) => o !== SCALAR)) return UNKNOWN;
  return c.record(elementwise(ops, c.ctx, { flopsPerElement: flops, kind, outDtype }), ops.filter((o): o is TensorType => o !== SCALAR));
};

const act = (name: string): Handler => (c) => c.record(activation(typeOf(c.args[0]), name, c.ctx), [typeOf(c.args[0])]);

const softmaxOp: Handler = (c) => {
  const x = typeOf(c.args[0]);
  return c.record(softmax(x, intConst(c.args[1]) ?? -1, c.ctx), [x]);
};

const reduction = (op: string): Handler => (c) => {
  const x = typeOf(c.args[0]);
  const axes = axesOf(c.args[1]);
  if (axes === undefined) return c.record(unknownResult('reduction', x.dtype), [x]);
  return c.record(reduce(x, axes, flag(c.args[2]), op, c.ctx), [x]);
};

/** Shape-only results (no data moved): reshape, expandDims, squeeze, as4D... */
const view = (t: TfValue | undefined, shape: Dim[] | null): TfValue => tensorOf(shape, isTensor(t) ? t.type.dtype : null);

function reshapeTo(x: TfValue | undefined, target: TfValue | undefined, c: OpCall): TfValue {
  const t = typeOf(x);
  const want = target?.kind === 'list' ? target.items.map((i) => (intConst(i) === -1 ? -1 : dimOf(i))) : null;
  if (!t.shape && want && want[0] === -1 && want.slice(1).every((d) => d !== null && d !== -1)) {
    // `x.as4D(-1, 28, 28, 1)` of an unseen tensor: the inferred leading dim is taken as the batch.
    return view(x, [Poly.sym('batch'), ...(want.slice(1) as Dim[])]);
  }
  if (!t.shape || !want || want.some((d) => d === null)) return view(x, want && !want.some((d) => d === null || d === -1) ? (want as Dim[]) : null);
  const r = reshapeShape(t.shape, want as (Dim | -1)[], c.ctx.bindings);
  if ('error' in r) {
    // A reshape that changes the element count: TC002, recorded at zero cost.
    c.record({ kind: 'copy', output: { shape: null, dtype: t.dtype }, cost: bytesOnly(Poly.ZERO), attrs: {}, error: r.error }, [t]);
    return view(x, null);
  }
  return view(x, r.shape);
}

const asND = (n: number): Handler => (c) => reshapeTo(c.args[0], { kind: 'list', items: c.args.slice(1, n + 1) }, c);

function transposeOp(c: OpCall): TfValue {
  const x = typeOf(c.args[0]);
  if (!x.shape) return view(c.args[0], null);
  const perm = c.args[1] ? c.args[1].kind === 'list' ? c.args[1].items.map(intConst) : [undefined] : x.shape.map((_, i) => x.shape!.length - 1 - i);
  if (perm.some((p) => p === undefined || normAxis(p, x.shape!.length) === undefined)) return view(c.args[0], null);
  const shape = (perm as number[]).map((p) => x.shape![normAxis(p, x.shape!.length)!]);
  // TF.js materialises a transpose (a copy kernel), unlike a PyTorch view.
  return c.record({ kind: 'copy', output: { shape, dtype: x.dtype ?? c.ctx.dtype }, cost: bytesOnly(tensorBytes(x.shape, x.dtype ?? c.ctx.dtype).scale(2), ['transpose: a copy in TF.js']), attrs: {} }, [x]);
}

function expandDims(c: OpCall): TfValue {
  const x = typeOf(c.args[0]);
  if (!x.shape) return view(c.args[0], null);
  const a = intConst(c.args[1]) ?? 0;
  const at = a < 0 ? x.shape.length + 1 + a : a;
  const s = [...x.shape];
  s.splice(at, 0, Poly.ONE);
  return view(c.args[0], s);
}

function squeeze(c: OpCall): TfValue {
  const x = typeOf(c.args[0]);
  if (!x.shape) return view(c.args[0], null);
  const axes = axesOf(c.args[1]);
  if (axes === undefined) return view(c.args[0], null);
  const rank = x.shape.length;
  const drop = new Set((axes ?? x.shape.map((d, i) => (d.constValue() === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => (a < 0 ? a + rank : a)));
  return view(c.args[0], x.shape.filter((_, i) => !drop.has(i)));
}

/** Dims of a nested array literal (`[[1, 2], [3, 4]]` is (2, 2)). */
function literalDims(v: TfValue | undefined): Dim[] | null {
  if (v?.kind !== 'list') return v?.kind === 'int' ? [] : null;
  if (v.items.length === 0) return [Poly.ZERO];
  const inner = literalDims(v.items[0]);
  return inner ? [Poly.const(v.items.length), ...inner] : null;
}

/** `tf.tensor2d(values, shape?, dtype?)`: the shape argument, else the literal's nesting. */
const fromValues = (rank: number | null): Handler => (c) => {
  const [values, shape, dt] = c.args;
  const given = shape && shape.kind === 'list' ? dimsOf(shape) : null;
  let dims = given ?? literalDims(values);
  if (dims && rank !== null && dims.length !== rank) dims = rank === 1 && values?.kind === 'list' ? [Poly.const(values.items.length)] : null;
  return tensorOf(dims, tfDtype(given ? dt : shape?.kind === 'str' ? shape : dt, null));
};

/** `tf.zeros(shape, dtype)`, `tf.randomNormal(shape, mean, std, dtype)`. */
const fromShape = (dtypeIndex: number): Handler => (c) => tensorOf(dimsOf(c.args[0]), tfDtype(c.args[dtypeIndex], null));

const like: Handler = (c) => tensorOf(typeOf(c.args[0]).shape, typeOf(c.args[0]).dtype);

/** Conv strides / dilations: a number or a list. */
export function pairOf(v: TfValue | undefined, dflt: number): Dim[] {
  return dimsOf(v) ?? [Poly.const(dflt)];
}

export function paddingOf(v: TfValue | undefined): Padding {
  const s = strOf(v);
  if (s === 'same' || s === 'valid') return s;
  return v?.kind === 'int' ? v.value : 'valid';
}

/** `tf.conv1d(x, filter (k, C_in, C_out), stride, pad, dataFormat, dilation)`. */
const convN = (nd: number): Handler => (c) => {
  const [x, f, strides, pad, , dil] = c.args;
  const fs = typeOf(f).shape;
  if (!fs || fs.length !== nd + 2) return c.record(unknownResult('conv', typeOf(x).dtype), [typeOf(x), typeOf(f)]);
  const kernel = fs.slice(0, nd);
  const [cin, cout] = fs.slice(nd);
  return c.record(convChannelsLast(typeOf(x), [cout, cin, ...kernel], { strides: pairOf(strides, 1), padding: paddingOf(pad), dilations: pairOf(dil, 1), bias: false }, c.ctx), [typeOf(x), typeOf(f)]);
};

/** `tf.depthwiseConv2d(x, filter (kh, kw, C_in, multiplier), strides, pad)`: one group per channel. */
const depthwise: Handler = (c) => {
  const [x, f, strides, pad, , dil] = c.args;
  const fs = typeOf(f).shape;
  if (!fs || fs.length !== 4) return c.record(unknownResult('conv', typeOf(x).dtype), [typeOf(x), typeOf(f)]);
  const [kh, kw, cin, mult] = fs;
  return c.record(convChannelsLast(typeOf(x), [cin.mul(mult), Poly.ONE, kh, kw], { strides: pairOf(strides, 1), padding: paddingOf(pad), dilations: pairOf(dil, 1), groups: cin, bias: false }, c.ctx), [typeOf(x), typeOf(f)]);
};

/** `tf.separableConv2d(x, depthwiseFilter, pointwiseFilter, strides, pad)`: two convolutions. */
const separable: Handler = (c) => {
  const [x, df, pf, strides, pad] = c.args;
  const mid = depthwise({ ...c, args: [x, df, strides, pad] });
  const ps = typeOf(pf).shape;
  if (!ps || ps.length !== 4) return c.record(unknownResult('conv', typeOf(x).dtype), [typeOf(mid), typeOf(pf)]);
  return c.record(convChannelsLast(typeOf(mid), [ps[3], ps[2], Poly.ONE, Poly.ONE], { strides: [Poly.ONE], padding: 'valid', dilations: [Poly.ONE], bias: false }, c.ctx), [typeOf(mid), typeOf(pf)]);
};

/** `tf.conv2dTranspose(x, filter (kh, kw, C_out, C_in), outputShape, strides, pad)`. */
const conv2dTranspose: Handler = (c) => {
  const [x, f, , strides, pad] = c.args;
  const fs = typeOf(f).shape;
  if (!fs || fs.length !== 4) return c.record(unknownResult('conv_transpose', typeOf(x).dtype), [typeOf(x), typeOf(f)]);
  const [kh, kw, cout, cin] = fs;
  return c.record(convTransposeChannelsLast(typeOf(x), [cin, cout, kh, kw], { strides: pairOf(strides, 1), padding: paddingOf(pad), dilations: [Poly.ONE], bias: false }, c.ctx), [typeOf(x), typeOf(f)]);
};

/** `tf.maxPool(x, filterSize, strides, pad)`. */
const poolOp = (op: 'max' | 'avg', nd: number): Handler => (c) => {
  const [x, size, strides, pad] = c.args;
  return c.record(poolChannelsLast(typeOf(x), nd, pairOf(size, 1), pairOf(strides, 1), paddingOf(pad), op, c.ctx), [typeOf(x)]);
};

/** A loss over (labels, predictions): `perElement` FLOPs per prediction element, a scalar out. */
const loss = (perElement: number, kind: 'cross_entropy' | 'elementwise'): Handler => (c) => {
  const [labels, preds] = c.args;
  const a = typeOf(labels);
  const b = typeOf(preds);
  const dtype = b.dtype ?? c.ctx.dtype;
  if (!a.shape || !b.shape) return c.record(unknownResult(kind, dtype), [a, b]);
  const r = elementwise([a, b], c.ctx, { flopsPerElement: perElement, kind });
  if (r.error || !r.output.shape) return c.record(r, [a, b]);
  const n = numel(r.output.shape);
  return c.record({ kind, output: { shape: [], dtype }, cost: { flops: Poly.ZERO, otherFlops: n.scale(perElement), bytes: tensorBytes(a.shape, a.dtype ?? dtype).add(tensorBytes(b.shape, dtype)).add(DTYPE_BYTES[dtype]), notes: [`${perElement} FLOP per element, reduced to a scalar`] }, attrs: {} }, [a, b]);
};

/** `tf.oneHot(indices, depth)`: (…, depth) written, indices read. */
const oneHot: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const depth = c.args[1]?.kind === 'int' ? c.args[1].value : null;
  if (!x.shape || !depth) return c.record(unknownResult('copy', 'int32'), [x]);
  const out = [...x.shape, depth];
  return c.record({ kind: 'copy', output: { shape: out, dtype: 'int32' }, cost: bytesOnly(tensorBytes(x.shape, 'int32').add(tensorBytes(out, 'int32')), ['one-hot: indices read, (…, depth) written']), attrs: {} }, [x]);
};

/** `tf.gather(x, indices, axis)`: the selected slices read and written. */
const gather: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const idx = c.args[1]?.kind === 'list' ? { shape: [Poly.const(c.args[1].items.length)], dtype: 'int32' as DType } : typeOf(c.args[1]);
  const axis = intConst(c.args[2]) ?? 0;
  const dtype = x.dtype ?? c.ctx.dtype;
  if (!x.shape || !idx.shape) return c.record(unknownResult('embedding', dtype), [x, idx]);
  const a = normAxis(axis, x.shape.length);
  if (a === undefined) return c.record(unknownResult('embedding', dtype, `gather: axis ${axis} out of range for ${shapeText(x.shape)}`), [x, idx]);
  const out = [...x.shape.slice(0, a), ...idx.shape, ...x.shape.slice(a + 1)];
  return c.record({ kind: 'embedding', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(idx.shape, 'int32').add(tensorBytes(out, dtype).scale(2)), ['gather: selected slices read, result written']), attrs: {} }, [x, idx]);
};

function tensorsOf(v: TfValue | undefined): TensorType[] | null {
  if (v?.kind !== 'list') return null;
  return v.items.map(typeOf);
}

const concat: Handler = (c) => {
  const xs = tensorsOf(c.args[0]);
  const dtype = xs?.[0]?.dtype ?? c.ctx.dtype;
  if (!xs || xs.some((t) => !t.shape)) return c.record(unknownResult('copy', dtype), xs ?? []);
  const r = cat(xs.map((t) => t.shape!), intConst(c.args[1]) ?? 0, c.ctx.bindings);
  if ('error' in r) return c.record(unknownResult('copy', dtype, r.error), xs);
  const read = xs.reduce((acc, t) => acc.add(tensorBytes(t.shape!, t.dtype ?? dtype)), Poly.ZERO);
  return c.record({ kind: 'copy', output: { shape: r.shape, dtype }, cost: bytesOnly(read.add(tensorBytes(r.shape, dtype)), ['concat: inputs read, result written']), attrs: {} }, xs);
};

const stackOp: Handler = (c) => {
  const xs = tensorsOf(c.args[0]);
  const dtype = xs?.[0]?.dtype ?? c.ctx.dtype;
  if (!xs || xs.some((t) => !t.shape)) return c.record(unknownResult('copy', dtype), xs ?? []);
  const r = stack(xs.map((t) => t.shape!), intConst(c.args[1]) ?? 0, c.ctx.bindings);
  if ('error' in r) return c.record(unknownResult('copy', dtype, r.error), xs);
  return c.record({ kind: 'copy', output: { shape: r.shape, dtype }, cost: bytesOnly(tensorBytes(r.shape, dtype).scale(2), ['stack: inputs read, result written']), attrs: {} }, xs);
};

const castOp: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const to = tfDtype(c.args[1], null) ?? c.ctx.dtype;
  return c.record(cast(x, to, c.ctx), [x]);
};

/** `tf.batchNorm(x, mean, variance, offset, scale)`: 7 FLOPs per element, as the core counts. */
const batchNormOp: Handler = (c) => {
  const x = typeOf(c.args[0]);
  return c.record(elementwise([x], c.ctx, { flopsPerElement: BATCH_NORM_FLOPS, kind: 'batch_norm', note: `batch norm: ${BATCH_NORM_FLOPS} FLOP/element` }), [x]);
};

/** `tf.moments(x, axes)`: mean and variance, two reductions. */
const moments: Handler = (c) => {
  const m = reduction('mean')(c);
  const v = reduction('var')(c);
  return { kind: 'object', fields: new Map([['mean', m], ['variance', v]]) };
};

/** `tf.slice(x, begin, size)`: a copy of the slice; -1 in size runs to the end. */
const slice: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const begin = dimsOf(c.args[1]);
  const size = c.args[2]?.kind === 'list' ? c.args[2].items : null;
  if (!x.shape || !size) return view(c.args[0], null);
  const out = x.shape.map((d, i) => {
    const s = size[i];
    if (!s || intConst(s) === -1) return begin?.[i] ? d.sub(begin[i]) : d;
    return s.kind === 'int' ? s.value : d;
  });
  const dtype = x.dtype ?? c.ctx.dtype;
  return c.record({ kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(out, dtype).scale(2), ['slice: a copy in TF.js']), attrs: {} }, [x]);
};

const dropoutOp: Handler = (c) => c.record(dropout(typeOf(c.args[0]), c.ctx), [typeOf(c.args[0])]);

const layerNormLast: Handler = (c) => {
  const x = typeOf(c.args[0]);
  return c.record(layerNorm(x, x.shape ? [x.shape[x.shape.length - 1]] : [], { weight: false, bias: false }, c.ctx), [x]);
};

const rangeOp: Handler = (c) => {
  const [a, b] = c.args;
  if (a?.kind === 'int' && b?.kind === 'int') return tensorOf([b.value.sub(a.value)], tfDtype(c.args[3], null));
  return tensorOf(a?.kind === 'int' && !b ? [a.value] : null, null);
};

const einsumOp: Handler = (c) => {
  const [eq, ...xs] = c.args;
  const types = xs.map(typeOf);
  if (eq?.kind !== 'str') return c.record(unknownResult('einsum', types[0]?.dtype ?? null), types);
  return c.record(einsum(eq.value, types, { ...c.ctx, dtype: types[0]?.dtype ?? c.ctx.dtype }), types);
};

/** `tf.outerProduct(v1, v2)`: an (m, 1) × (1, n) GEMM. */
const outer: Handler = (c) => {
  const a = typeOf(c.args[0]);
  const b = typeOf(c.args[1]);
  if (!a.shape || !b.shape) return c.record(unknownResult('matmul', a.dtype), [a, b]);
  return c.record(matmul({ ...a, shape: [a.shape[0], Poly.ONE] }, { ...b, shape: [Poly.ONE, b.shape[0]] }, c.ctx), [a, b]);
};

/** `tf.tile(x, reps)`: the input read once, the tiled result written. */
const tile: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const reps = dimsOf(c.args[1]);
  const dtype = x.dtype ?? c.ctx.dtype;
  if (!x.shape || !reps || reps.length !== x.shape.length) return c.record(unknownResult('copy', dtype), [x]);
  const out = x.shape.map((d, i) => d.mul(reps[i]));
  return c.record({ kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)), ['tile: input read, result written']), attrs: {} }, [x]);
};

/** `tf.pad(x, [[before, after], ...])`: a copy into the larger tensor. */
const pad: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const p = c.args[1]?.kind === 'list' ? c.args[1].items.map(dimsOf) : null;
  const dtype = x.dtype ?? c.ctx.dtype;
  if (!x.shape || !p || p.length !== x.shape.length || p.some((q) => !q || q.length !== 2)) return c.record(unknownResult('copy', dtype), [x]);
  const out = x.shape.map((d, i) => d.add(p[i]![0]).add(p[i]![1]));
  return c.record({ kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)), ['pad: input read, padded result written']), attrs: {} }, [x]);
};

/** `tf.multinomial(logits, numSamples)`: a softmax and a cumulative sum over each row, then sampling. */
const multinomial: Handler = (c) => {
  const x = typeOf(c.args[0]);
  const n = c.args[1]?.kind === 'int' ? c.args[1].value : null;
  if (!x.shape || !n) return c.record(unknownResult('softmax', 'int32'), [x]);
  const out = [...x.shape.slice(0, -1), n];
  const r = softmax(x, -1, c.ctx, 'multinomial');
  return c.record({ ...r, output: { shape: out, dtype: 'int32' }, cost: { ...r.cost, otherFlops: numel(x.shape).scale(6), notes: ['multinomial: softmax (5/element) and a cumulative sum (1/element) per row'] } }, [x]);
};

/** Tensor methods and functions that give a same-shaped tensor without computing anything. */
const identity: Handler = (c) => (isTensor(c.args[0]) ? c.args[0] : tensorOf(null, null));

export const TF_OPS: Record<string, Handler> = {
  // Constructors.
  scalar: (c) => tensorOf([], tfDtype(c.args[1], null)),
  tensor: (c) => tensorOf(dimsOf(c.args[1]) ?? literalDims(c.args[0]), tfDtype(c.args[1]?.kind === 'str' ? c.args[1] : c.args[2], null)),
  tensor1d: fromValues(1),
  tensor2d: fromValues(2),
  tensor3d: fromValues(3),
  tensor4d: fromValues(4),
  tensor5d: fromValues(5),
  zeros: fromShape(1),
  ones: fromShape(1),
  randomNormal: fromShape(3),
  randomUniform: fromShape(3),
  truncatedNormal: fromShape(3),
  randomStandardNormal: fromShape(1),
  fill: (c) => tensorOf(dimsOf(c.args[0]), tfDtype(c.args[2], null)),
  zerosLike: like,
  onesLike: like,
  eye: (c) => (c.args[0]?.kind === 'int' ? tensorOf([c.args[0].value, c.args[1]?.kind === 'int' ? c.args[1].value : c.args[0].value], null) : tensorOf(null, null)),
  range: rangeOp,
  linspace: (c) => tensorOf(c.args[2]?.kind === 'int' ? [c.args[2].value] : null, null),
  variable: identity,
  clone: identity,
  keep: identity,
  // GEMM-class.
  matMul,
  dot,
  outerProduct: outer,
  einsum: einsumOp,
  conv1d: convN(1),
  conv2d: convN(2),
  conv3d: convN(3),
  depthwiseConv2d: depthwise,
  separableConv2d: separable,
  conv2dTranspose,
  maxPool: poolOp('max', 2),
  avgPool: poolOp('avg', 2),
  maxPool3d: poolOp('max', 3),
  avgPool3d: poolOp('avg', 3),
  // Elementwise arithmetic and math.
  add: ew(1), sub: ew(1), mul: ew(1), div: ew(1), divNoNan: ew(1), floorDiv: ew(1), mod: ew(1), pow: ew(1),
  maximum: ew(1), minimum: ew(1), squaredDifference: ew(2), addN: (c) => ew(1)({ ...c, args: c.args[0]?.kind === 'list' ? c.args[0].items : [] }),
  neg: ew(1), abs: ew(1), exp: ew(1), expm1: ew(1), log: ew(1), log1p: ew(1), sqrt: ew(1), rsqrt: ew(1), square: ew(1), reciprocal: ew(1),
  sin: ew(1), cos: ew(1), tan: ew(1), sign: ew(1), round: ew(1), floor: ew(1), ceil: ew(1), clipByValue: ew(2), erf: ew(1),
  equal: ew(1, 'elementwise', 'bool'), notEqual: ew(1, 'elementwise', 'bool'), greater: ew(1, 'elementwise', 'bool'), greaterEqual: ew(1, 'elementwise', 'bool'),
  less: ew(1, 'elementwise', 'bool'), lessEqual: ew(1, 'elementwise', 'bool'), logicalAnd: ew(1, 'elementwise', 'bool'), logicalOr: ew(1, 'elementwise', 'bool'), logicalNot: ew(1, 'elementwise', 'bool'),
  where: (c) => ew(1)({ ...c, args: c.args.slice(1) }),
  // Activations.
  relu: act('relu'), relu6: act('relu6'), elu: act('elu'), selu: act('selu'), leakyRelu: act('leaky_relu'), prelu: act('leaky_relu'),
  sigmoid: act('sigmoid'), tanh: act('tanh'), softplus: act('softplus'), logSigmoid: act('logsigmoid'), step: act('relu'),
  softmax: softmaxOp,
  logSoftmax: softmaxOp,
  // Normalisation and regularisation.
  batchNorm: batchNormOp,
  batchNormalization: batchNormOp,
  localResponseNormalization: batchNormOp,
  moments,
  dropout: dropoutOp,
  layerNorm: layerNormLast,
  // Reductions.
  sum: reduction('sum'), mean: reduction('mean'), max: reduction('max'), min: reduction('min'), prod: reduction('prod'),
  argMax: reduction('argmax'), argMin: reduction('argmin'), logSumExp: reduction('logsumexp'), all: reduction('all'), any: reduction('any'),
  norm: reduction('norm'), euclideanNorm: reduction('norm'),
  // Shapes and data movement.
  reshape: (c) => reshapeTo(c.args[0], c.args[1], c),
  as1D: (c) => reshapeTo(c.args[0], { kind: 'list', items: [{ kind: 'int', value: Poly.const(-1) }] }, c),
  as2D: asND(2), as3D: asND(3), as4D: asND(4), as5D: asND(5),
  asScalar: (c) => view(c.args[0], []),
  flatten: (c) => reshapeTo(c.args[0], { kind: 'list', items: [{ kind: 'int', value: Poly.const(-1) }] }, c),
  expandDims,
  squeeze,
  transpose: transposeOp,
  concat,
  concat1d: concat, concat2d: concat, concat3d: concat, concat4d: concat,
  stack: stackOp,
  slice,
  gather,
  oneHot,
  cast: castOp,
  tile,
  pad,
  multinomial,
  reverse: (c) => (isTensor(c.args[0]) && c.args[0].type.shape ? c.record({ kind: 'copy', output: c.args[0].type, cost: bytesOnly(tensorBytes(c.args[0].type.shape, c.args[0].type.dtype ?? c.ctx.dtype).scale(2), ['reverse: a copy']), attrs: {} }, [c.args[0].type]) : tensorOf(null, null)),
  cumsum: (c) => c.record(elementwise([typeOf(c.args[0])], c.ctx, { flopsPerElement: 1 }), [typeOf(c.args[0])]),
  toFloat: (c) => castOp({ ...c, args: [c.args[0], { kind: 'str', value: 'float32' }] }),
  toInt: (c) => castOp({ ...c, args: [c.args[0], { kind: 'str', value: 'int32' }] }),
  // Losses (tf.losses.*) and metrics.
  'losses.softmaxCrossEntropy': loss(7, 'cross_entropy'),
  'losses.sigmoidCrossEntropy': loss(6, 'cross_entropy'),
  'losses.logLoss': loss(5, 'cross_entropy'),
  'losses.meanSquaredError': loss(3, 'elementwise'),
  'losses.absoluteDifference': loss(3, 'elementwise'),
  'losses.huberLoss': loss(5, 'elementwise'),
  'losses.hingeLoss': loss(4, 'elementwise'),
  'losses.cosineDistance': loss(3, 'elementwise'),
  'metrics.categoricalCrossentropy': loss(3, 'cross_entropy'),
  'metrics.binaryCrossentropy': loss(5, 'cross_entropy'),
  'metrics.meanSquaredError': loss(3, 'elementwise'),
  'metrics.categoricalAccuracy': loss(2, 'elementwise'),
  'metrics.binaryAccuracy': loss(2, 'elementwise'),
};

/**
 * Methods only tensors have (`x.as4D`, `x.dataSync()`...) beyond the functions above. Those that
 * read data back or manage memory compute nothing and are not "unmodelled".
 */
export const TENSOR_READBACK = new Set(['dataSync', 'data', 'array', 'arraySync', 'print', 'dispose', 'buffer', 'bufferSync', 'toString', 'bytes', 'get', 'throwIfDisposed']);

/**
 * `tf.*` functions that set things up or move data in and out, and compute no tensor op (an
 * optimizer's methods other than `minimize`, which runs a training step). `tf.grad` / `tf.grads`
 * return functions whose backward pass is not modelled: they are listed as unmodelled.
 */
export const TF_SETUP = /^(optimizer\.|tidy|dispose|disposeVariables|keep|memory|setBackend|getBackend|ready|enableProdMode|enableDebugMode|env|engine|nextFrame|time|profile|print|util\.|train\.|io\.|data\.|browser\.|node\.|initializers\.|regularizers\.|constraints\.|callbacks\.|loadLayersModel|loadGraphModel|registerOp|version|serialization\.|backend|findBackend|removeBackend|registerBackend|ENV|layers\.Layer|LayersModel|Sequential|Tensor|Variable|tensorBuffer|buffer)/;
