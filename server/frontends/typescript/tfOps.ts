/** TF.js operations: shape and cost through the same core op rules as Python. */
import { DTYPE_BYTES, DType, parseDType } from '../../core/dtypes';
import { Dim, TensorType } from '../../core/ir';
import { broadcastShapes } from '../../core/ops/broadcast';
import { conv, DEFAULT_GEOMETRY } from '../../core/ops/conv';
import { einsum } from '../../core/ops/einsum';
import { matmul } from '../../core/ops/matmul';
import { OpResult } from '../../core/ops/types';
import { Bindings, Poly, product } from '../../core/symbolic';

export type TfValue =
  | { kind: 'tensor'; type: TensorType }
  | { kind: 'int'; value: Poly }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'list'; items: TfValue[] }
  | { kind: 'object'; fields: Map<string, TfValue> }
  | { kind: 'layer'; apply: (x: TfValue, ctx: TfCtx) => TfValue }
  | { kind: 'fn'; run: () => TfValue }
  | { kind: 'unknown' };

export interface TfCtx {
  args: TfValue[];
  self?: TfValue;
  dtype: DType;
  bindings: Bindings;
  fresh(): string;
  record(r: OpResult, inputs: TensorType[]): TfValue;
}

type Handler = (ctx: TfCtx) => TfValue;

const UNKNOWN: TfValue = { kind: 'unknown' };

function dims(v: TfValue | undefined): Dim[] | null {
  if (v?.kind !== 'list') return null;
  const out: Dim[] = [];
  for (const x of v.items) {
    if (x.kind !== 'int') return null;
    out.push(x.value);
  }
  return out;
}

function dtypeArg(v: TfValue | undefined, fallback: DType): DType {
  if (v?.kind === 'str') return parseDType(v.value) ?? fallback;
  return fallback;
}

const tensor = (shape: Dim[] | null, dtype: DType | null): TfValue => ({ kind: 'tensor', type: { shape, dtype } });

/** `tf.zeros(shape, dtype)`, `tf.randomNormal(shape, mean, std, dtype)`. */
const fromShapeArg = (dtypeIndex: number): Handler => (c) => tensor(dims(c.args[0]), c.args[dtypeIndex]?.kind === 'str' ? dtypeArg(c.args[dtypeIndex], c.dtype) : null);
/** `tf.tensor2d(values, shape, dtype)`. */
const fromValues: Handler = (c) => tensor(dims(c.args[1]), c.args[2]?.kind === 'str' ? dtypeArg(c.args[2], c.dtype) : null);

function transpose2(t: TensorType): TensorType {
  if (!t.shape || t.shape.length < 2) return t;
  return { ...t, shape: [...t.shape.slice(0, -2), t.shape[t.shape.length - 1], t.shape[t.shape.length - 2]] };
}

const matMul: Handler = (c) => {
  const a = c.self ?? c.args[0];
  const rest = c.self ? c.args : c.args.slice(1);
  if (a?.kind !== 'tensor' || rest[0]?.kind !== 'tensor') return UNKNOWN;
  // tf.matMul(a, b, transposeA, transposeB)
  const flag = (v: TfValue | undefined) => v?.kind === 'bool' && v.value;
  const x = flag(rest[1]) ? transpose2(a.type) : a.type;
  const y = flag(rest[2]) ? transpose2(rest[0].type) : rest[0].type;
  return c.record(matmul(x, y, { bindings: c.bindings, dtype: x.dtype ?? c.dtype }), [a.type, y]);
};

/** Elementwise ops with broadcasting; `flopsPerElem` arithmetic per output element. */
const elementwise = (flopsPerElem: number): Handler => (c) => {
  const xs = (c.self ? [c.self, ...c.args] : c.args).filter((v): v is Extract<TfValue, { kind: 'tensor' }> => v.kind === 'tensor');
  if (xs.length === 0) return UNKNOWN;
  let shape: Dim[] | null = xs[0].type.shape;
  let error: string | undefined;
  for (const x of xs.slice(1)) {
    if (!shape || !x.type.shape) {
      shape = null;
      break;
    }
    const r = broadcastShapes(shape, x.type.shape, c.bindings);
    if ('error' in r) {
      error = r.error;
      break;
    }
    shape = r.shape;
  }
  const dtype = xs[0].type.dtype ?? c.dtype;
  if (!shape || xs.some((x) => !x.type.shape)) return tensor(shape, dtype);
  const n = product(shape);
  const bytes = xs.reduce((acc, x) => acc.add(product(x.type.shape!)), n).scale(DTYPE_BYTES[dtype]);
  return c.record({ kind: 'elementwise', output: { shape, dtype }, cost: { flops: Poly.ZERO, otherFlops: n.scale(flopsPerElem), bytes }, attrs: {}, error }, xs.map((x) => x.type));
};

/** `tf.layers.dense({units})`: a Linear on the last dim when applied. */
const dense: Handler = (c) => {
  const cfg = c.args[0];
  const units = cfg?.kind === 'object' ? cfg.fields.get('units') : undefined;
  if (units?.kind !== 'int') return UNKNOWN;
  return {
    kind: 'layer',
    apply: (x, ctx) => {
      if (x.kind !== 'tensor' || !x.type.shape) return UNKNOWN;
      const inDim = x.type.shape[x.type.shape.length - 1];
      const w: TensorType = { shape: [inDim, units.value], dtype: x.type.dtype };
      const r = matmul(x.type, w, { bindings: ctx.bindings, dtype: x.type.dtype ?? ctx.dtype });
      return ctx.record({ ...r, kind: 'linear' }, [x.type, w]);
    },
  };
};

const apply: Handler = (c) => (c.self?.kind === 'layer' && c.args[0] ? c.self.apply(c.args[0], c) : UNKNOWN);

const reshape: Handler = (c) => {
  const x = c.self ?? c.args[0];
  const shape = dims(c.self ? c.args[0] : c.args[1]);
  return x?.kind === 'tensor' ? tensor(shape, x.type.dtype) : UNKNOWN;
};

const transpose: Handler = (c) => {
  const x = c.self ?? c.args[0];
  if (x?.kind !== 'tensor' || !x.type.shape) return x ?? UNKNOWN;
  const perm = dims(c.self ? c.args[0] : c.args[1]);
  const s = x.type.shape;
  if (!perm) return tensor([...s].reverse(), x.type.dtype);
  const idx = perm.map((p) => p.constValue());
  if (idx.some((i) => i === undefined || i < 0 || i >= s.length)) return tensor(null, x.type.dtype);
  return tensor(idx.map((i) => s[i!]), x.type.dtype);
};

const input: Handler = (c) => {
  const cfg = c.args[0];
  const shape = cfg?.kind === 'object' ? dims(cfg.fields.get('shape')) : null;
  // tf.input's shape excludes the batch dim, which is symbolic.
  return tensor(shape ? [Poly.sym('batch'), ...shape] : null, cfg?.kind === 'object' ? dtypeArg(cfg.fields.get('dtype'), c.dtype) : null);
};

/** `tf.einsum(equation, ...tensors)`. */
const einsumOp: Handler = (c) => {
  const [eq, ...xs] = c.args;
  if (eq?.kind !== 'str' || xs.some((x) => x.kind !== 'tensor')) return UNKNOWN;
  const types = xs.map((x) => (x as Extract<TfValue, { kind: 'tensor' }>).type);
  return c.record(einsum(eq.value, types, { bindings: c.bindings, dtype: types[0]?.dtype ?? c.dtype }), types);
};

/**
 * `tf.conv2d(x, filter, strides, pad)`: NHWC input, filter (fh, fw, C_in, C_out). The core rule
 * works in NCHW, so shapes are permuted in and the output permuted back.
 */
const conv2d: Handler = (c) => {
  const [x, f, strides, pad] = c.args;
  if (x?.kind !== 'tensor' || f?.kind !== 'tensor' || !x.type.shape || !f.type.shape || f.type.shape.length !== 4) return UNKNOWN;
  const batched = x.type.shape.length === 4;
  const [n, h, w, ch] = batched ? x.type.shape : [Poly.ONE, ...x.type.shape];
  const [fh, fw, cin, cout] = f.type.shape;
  const stride = strides?.kind === 'int' ? [strides.value] : dims(strides) ?? [Poly.ONE];
  const same = pad?.kind === 'str' && pad.value === 'same';
  const geometry = { ...DEFAULT_GEOMETRY, stride, bias: false, padding: 'valid' as const };
  let r = conv({ shape: [n, ch, h, w], dtype: x.type.dtype }, [cout, cin, fh, fw], same ? { ...geometry, padding: 'same' } : geometry, { bindings: c.bindings, dtype: x.type.dtype ?? c.dtype });
  if (same && stride.some((st) => st.constValue() !== 1)) {
    // TF's 'same' with stride s gives ceil(in / s) outputs; PyTorch's rule has no such mode.
    const out = [h, w].map((len, i) => len.ceildiv(stride[Math.min(i, stride.length - 1)]));
    const per = product(out).mul(n).mul(cout).mul(cin).mul(fh).mul(fw).scale(2);
    r = { ...r, output: { ...r.output, shape: [n, cout, ...out] }, cost: { ...r.cost, flops: per } };
  }
  const o = r.output.shape;
  const nhwc = o && o.length === 4 ? (batched ? [o[0], o[2], o[3], o[1]] : [o[2], o[3], o[1]]) : null;
  return c.record({ ...r, output: { ...r.output, shape: nhwc } }, [x.type, f.type]);
};

export const TF_OPS: Record<string, Handler> = {
  einsum: einsumOp,
  conv2d,
  zeros: fromShapeArg(1),
  ones: fromShapeArg(1),
  randomNormal: fromShapeArg(3),
  randomUniform: fromShapeArg(3),
  truncatedNormal: fromShapeArg(3),
  fill: (c) => tensor(dims(c.args[0]), c.args[2]?.kind === 'str' ? dtypeArg(c.args[2], c.dtype) : null),
  tensor: fromValues,
  tensor1d: (c) => tensor(null, c.args[1]?.kind === 'str' ? dtypeArg(c.args[1], c.dtype) : null),
  tensor2d: fromValues,
  tensor3d: fromValues,
  tensor4d: fromValues,
  variable: (c) => c.args[0] ?? UNKNOWN,
  input,
  matMul,
  '.matMul': matMul,
  dot: matMul,
  '.dot': matMul,
  add: elementwise(1),
  '.add': elementwise(1),
  sub: elementwise(1),
  '.sub': elementwise(1),
  mul: elementwise(1),
  '.mul': elementwise(1),
  div: elementwise(1),
  '.div': elementwise(1),
  relu: elementwise(1),
  '.relu': elementwise(1),
  sigmoid: elementwise(4),
  '.sigmoid': elementwise(4),
  tanh: elementwise(6),
  '.tanh': elementwise(6),
  exp: elementwise(1),
  '.exp': elementwise(1),
  softmax: elementwise(5),
  '.softmax': elementwise(5),
  reshape,
  '.reshape': reshape,
  transpose,
  '.transpose': transpose,
  'layers.dense': dense,
  '.apply': apply,
};
