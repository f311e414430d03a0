/**
 * The TF.js Layers API (`tf.layers.dense({units})`...): each layer a shape-and-cost function of its
 * input types, on the core op rules, in TF's channels-last layout. The batch dim of a declared
 * `inputShape` is the symbol `batch` (bind it like any dim) unless `batchSize` or
 * `batchInputShape` gives it.
 */
import ts from 'typescript';
import { Dim, TensorType } from '../../core/ir';
import { activation, dropout, elementwise } from '../../core/ops/elementwise';
import { embedding } from '../../core/ops/embedding';
import { linear } from '../../core/ops/linear';
import { matmul } from '../../core/ops/matmul';
import { BATCH_NORM_FLOPS, layerNorm, softmax } from '../../core/ops/normalization';
import { cat, reshape } from '../../core/ops/shape';
import { OpResult, bytesOnly, numel, shapeText, tensorBytes, unknownResult } from '../../core/ops/types';
import { Poly, product } from '../../core/symbolic';
import { convChannelsLast, convTransposeChannelsLast, poolChannelsLast } from './convNhwc';
import { pairOf, paddingOf } from './tfOps';
import { Layer, Recorder, TfValue, dimOf, dimsOf, field, intConst, strOf } from './values';

export const BATCH = 'batch';

/** Keras activation names to the core's activation table (linear: none). */
const ACTIVATIONS: Record<string, string> = {
  relu: 'relu', relu6: 'relu6', elu: 'elu', selu: 'selu', sigmoid: 'sigmoid', hardSigmoid: 'hardsigmoid', tanh: 'tanh',
  softplus: 'softplus', softsign: 'softsign', swish: 'silu', mish: 'mish', gelu: 'gelu', gelu_new: 'gelu', leakyReLU: 'leaky_relu',
};

/** The batch dim a layer config gives: `batchSize`, else the symbol `batch`. */
function batchOf(cfg: TfValue | undefined): Dim {
  const b = field(cfg, 'batchSize');
  return b?.kind === 'int' ? b.value : Poly.sym(BATCH);
}

/** `inputShape` (batch excluded), `batchInputShape`, or dense's `inputDim`. */
export function declaredInput(cfg: TfValue | undefined): Dim[] | null {
  const bis = field(cfg, 'batchInputShape');
  if (bis?.kind === 'list') {
    const [b, ...rest] = bis.items;
    const dims = dimsOf({ kind: 'list', items: rest });
    if (dims) return [b?.kind === 'int' ? b.value : Poly.sym(BATCH), ...dims];
  }
  const is = dimsOf(field(cfg, 'inputShape'));
  if (is) return [batchOf(cfg), ...is];
  const dim = dimOf(field(cfg, 'inputDim'));
  if (dim && field(cfg, 'units')) return [batchOf(cfg), dim];
  const len = dimOf(field(cfg, 'inputLength'));
  if (len) return [batchOf(cfg), len];
  return null;
}

type Body = (x: TensorType, cfg: TfValue | undefined, r: Recorder, site: ts.Node | null, name: string, xs: TensorType[]) => TensorType | null;

/** Records an op and gives its output (null when unknown). */
function emit(r: Recorder, res: OpResult, inputs: TensorType[], site: ts.Node | null, name: string): TensorType | null {
  r.record(res, inputs, site, name);
  return res.output.shape ? res.output : null;
}

/** The `activation` of a layer config, as its own op after the layer's main one. */
function withActivation(y: TensorType | null, cfg: TfValue | undefined, r: Recorder, site: ts.Node | null, name: string): TensorType | null {
  const a = strOf(field(cfg, 'activation'));
  if (!y || !a || a === 'linear') return y;
  if (a === 'softmax') return emit(r, softmax(y, -1, r.ctx), [y], site, `${name} (softmax)`);
  return emit(r, activation(y, ACTIVATIONS[a] ?? a, r.ctx), [y], site, `${name} (${a})`);
}

const useBias = (cfg: TfValue | undefined) => field(cfg, 'useBias')?.kind !== 'bool' || (field(cfg, 'useBias') as { value: boolean }).value;

const dense: Body = (x, cfg, r, site, name) => {
  const units = dimOf(field(cfg, 'units'));
  if (!units || !x.shape) return emit(r, unknownResult('linear', x.dtype), [x], site, name);
  const inF = x.shape[x.shape.length - 1];
  const y = emit(r, linear(x, [units, inF], useBias(cfg), r.ctx), [x], site, name);
  return withActivation(y, cfg, r, site, name);
};

const convLayer = (nd: number, mode: 'conv' | 'depthwise' | 'separable' | 'transpose'): Body => (x, cfg, r, site, name) => {
  const k = pairOf(field(cfg, 'kernelSize'), 1);
  const kernel = Array.from({ length: nd }, (_, i) => k[k.length === 1 ? 0 : i] ?? k[0]);
  const filters = dimOf(field(cfg, 'filters'));
  const strides = pairOf(field(cfg, 'strides'), 1);
  const dilations = pairOf(field(cfg, 'dilationRate'), 1);
  const padding = paddingOf(field(cfg, 'padding'));
  const bias = useBias(cfg);
  const cin = x.shape ? x.shape[x.shape.length - 1] : null;
  if (!cin || (mode !== 'depthwise' && !filters)) return emit(r, unknownResult('conv', x.dtype), [x], site, name);
  let y: TensorType | null;
  if (mode === 'transpose') {
    y = emit(r, convTransposeChannelsLast(x, [cin, filters!, ...kernel], { strides, padding, dilations, bias }, r.ctx), [x], site, name);
  } else if (mode === 'conv') {
    y = emit(r, convChannelsLast(x, [filters!, cin, ...kernel], { strides, padding, dilations, bias }, r.ctx), [x], site, name);
  } else {
    const mult = field(cfg, 'depthMultiplier')?.kind === 'int' ? (field(cfg, 'depthMultiplier') as { value: Poly }).value : Poly.ONE;
    y = emit(r, convChannelsLast(x, [cin.mul(mult), Poly.ONE, ...kernel], { strides, padding, dilations, groups: cin, bias: bias && mode === 'depthwise' }, r.ctx), [x], site, mode === 'separable' ? `${name} (depthwise)` : name);
    if (y && mode === 'separable') {
      const ones = kernel.map(() => Poly.ONE);
      y = emit(r, convChannelsLast(y, [filters!, cin.mul(mult), ...ones], { strides: [Poly.ONE], padding: 'valid', dilations: [Poly.ONE], bias }, r.ctx), [y], site, `${name} (pointwise)`);
    }
  }
  return withActivation(y, cfg, r, site, name);
};

const poolLayer = (nd: number, op: 'max' | 'avg'): Body => (x, cfg, r, site, name) => {
  const size = pairOf(field(cfg, 'poolSize'), 2);
  const strides = field(cfg, 'strides') ? pairOf(field(cfg, 'strides'), 1) : size;
  return emit(r, poolChannelsLast(x, nd, size, strides, paddingOf(field(cfg, 'padding')), op, r.ctx), [x], site, name);
};

/** Global pooling: every spatial element read once, (N, C) written. */
const globalPool = (nd: number, op: 'max' | 'avg'): Body => (x, _cfg, r, site, name) => {
  const dtype = x.dtype ?? r.ctx.dtype;
  if (!x.shape || x.shape.length < nd + 2) return emit(r, unknownResult('pool', dtype), [x], site, name);
  const out = [x.shape[0], x.shape[x.shape.length - 1]];
  return emit(r, { kind: 'pool', output: { shape: out, dtype }, cost: { flops: Poly.ZERO, otherFlops: numel(x.shape), bytes: tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)) }, attrs: { op, global: true } }, [x], site, name);
};

/** Shape-only layers move no data in TF.js (a reshape is a view). */
const flatten: Body = (x) => (x.shape && x.shape.length >= 1 ? { ...x, shape: [x.shape[0], product(x.shape.slice(1))] } : null);

const reshapeLayer: Body = (x, cfg, r, site, name) => {
  const target = field(cfg, 'targetShape');
  if (!x.shape || target?.kind !== 'list') return null;
  const want = target.items.map((i) => (intConst(i) === -1 ? -1 : dimOf(i)));
  if (want.some((d) => d === null)) return null;
  const res = reshape(x.shape.slice(1), want as (Dim | -1)[], r.ctx.bindings);
  if ('error' in res) {
    emit(r, { ...unknownResult('copy', x.dtype, `reshape layer: ${res.error}`), cost: bytesOnly(Poly.ZERO) }, [x], site, name);
    return null;
  }
  return { ...x, shape: [x.shape[0], ...res.shape] };
};

const permuteLayer: Body = (x, cfg, r, site, name) => {
  const dims = dimsOf(field(cfg, 'dims'))?.map((d) => d.constValue());
  if (!x.shape || !dims || dims.some((d) => d === undefined || d < 1 || d >= x.shape!.length)) return null;
  const out = [x.shape[0], ...dims.map((d) => x.shape![d!])];
  const dtype = x.dtype ?? r.ctx.dtype;
  return emit(r, { kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).scale(2), ['permute: a copy']), attrs: {} }, [x], site, name);
};

const dropoutLayer: Body = (x, _cfg, r, site, name) => emit(r, dropout(x, r.ctx), [x], site, name);

const batchNormLayer: Body = (x, _cfg, r, site, name) => emit(r, elementwise([x], r.ctx, { flopsPerElement: BATCH_NORM_FLOPS, kind: 'batch_norm', note: `batch norm: ${BATCH_NORM_FLOPS} FLOP/element` }), [x], site, name);

const layerNormLayer: Body = (x, _cfg, r, site, name) => emit(r, layerNorm(x, x.shape ? [x.shape[x.shape.length - 1]] : [], { weight: true, bias: true }, r.ctx), [x], site, name);

const embeddingLayer: Body = (x, cfg, r, site, name) => {
  const n = dimOf(field(cfg, 'inputDim'));
  const d = dimOf(field(cfg, 'outputDim'));
  if (!n || !d) return emit(r, unknownResult('embedding', null), [x], site, name);
  return emit(r, embedding({ ...x, dtype: x.dtype ?? 'int32' }, n, d, null, r.ctx), [x], site, name);
};

/** Gates per time step: SimpleRNN 1, GRU 3, LSTM 4. */
const GATES: Record<string, number> = { simpleRNN: 1, gru: 3, lstm: 4 };
/** Elementwise FLOPs per unit per step: the gate activations (4 each) and the state update. */
const STEP_OTHER: Record<string, number> = { simpleRNN: 4 + 1, gru: 3 * 4 + 5, lstm: 4 * 4 + 4 + 5 };

/**
 * A recurrent layer over (N, T, in): per time step, the input and recurrent projections
 * 2·N·(in + units)·gates·units FLOPs, times T steps.
 */
const recurrent = (type: string): Body => (x, cfg, r, site, name) => {
  const units = dimOf(field(cfg, 'units'));
  const dtype = x.dtype ?? r.ctx.dtype;
  if (!units || !x.shape || x.shape.length !== 3) {
    return emit(r, unknownResult('matmul', dtype, x.shape && x.shape.length !== 3 ? `${type} expects (batch, time, features), got ${shapeText(x.shape)}` : undefined), [x], site, name);
  }
  const [n, t, inF] = x.shape;
  const u = units;
  const g = GATES[type];
  const weights = [inF.add(u), u.scale(g)];
  const seq = field(cfg, 'returnSequences')?.kind === 'bool' && (field(cfg, 'returnSequences') as { value: boolean }).value;
  const out = seq ? [n, t, u] : [n, u];
  const flops = t.mul(n).mul(inF.add(u)).mul(u).scale(2 * g);
  const bytes = tensorBytes(x.shape, dtype).add(tensorBytes(weights, dtype)).add(tensorBytes(out, dtype));
  const res: OpResult = {
    kind: 'matmul',
    output: { shape: out, dtype },
    cost: { flops, otherFlops: t.mul(n).mul(u).scale(STEP_OTHER[type]), bytes, notes: [`${type}: ${g} gate(s) of (in + units) × units per time step, × ${t.toString()} steps`] },
    attrs: { m: n, k: inF.add(u), n: u.scale(g), batch: t, batchShape: [t] },
  };
  return emit(r, res, [x], site, name);
};

/** Merge layers over a list of inputs. */
const merge = (flops: number): Body => (_x, _cfg, r, site, name, xs) => emit(r, elementwise(xs, r.ctx, { flopsPerElement: flops }), xs, site, name);

const concatenateLayer: Body = (_x, cfg, r, site, name, xs) => {
  const dtype = xs[0]?.dtype ?? r.ctx.dtype;
  if (xs.some((t) => !t.shape)) return emit(r, unknownResult('copy', dtype), xs, site, name);
  const res = cat(xs.map((t) => t.shape!), intConst(field(cfg, 'axis')) ?? -1, r.ctx.bindings);
  if ('error' in res) return emit(r, unknownResult('copy', dtype, res.error), xs, site, name);
  const read = xs.reduce((acc, t) => acc.add(tensorBytes(t.shape!, t.dtype ?? dtype)), Poly.ZERO);
  return emit(r, { kind: 'copy', output: { shape: res.shape, dtype }, cost: bytesOnly(read.add(tensorBytes(res.shape, dtype)), ['concatenate: inputs read, result written']), attrs: {} }, xs, site, name);
};

/** `tf.layers.dot({axes})` on two (N, ...) inputs: a batched matmul over the given axes. */
const dotLayer: Body = (_x, cfg, r, site, name, xs) => {
  const [a, b] = xs;
  const ax = field(cfg, 'axes');
  const axes = ax?.kind === 'list' ? ax.items.map(intConst) : [intConst(ax), intConst(ax)];
  if (!a?.shape || !b?.shape || axes.some((v) => v === undefined)) return emit(r, unknownResult('bmm', a?.dtype ?? null), xs, site, name);
  const [i, j] = (axes as number[]).map((v, k) => (v < 0 ? v + xs[k].shape!.length : v));
  const swap = (t: TensorType): TensorType => ({ ...t, shape: [...t.shape!.slice(0, -2), t.shape![t.shape!.length - 1], t.shape![t.shape!.length - 2]] });
  if (a.shape.length === 2 && b.shape.length === 2) {
    // Row-wise dot products: (N, d)·(N, d) → (N, 1).
    const res = elementwise([a, b], r.ctx, { flopsPerElement: 2 });
    return emit(r, { ...res, output: { ...res.output, shape: [a.shape[0], Poly.ONE] } }, xs, site, name);
  }
  const left = i === a.shape.length - 1 ? a : swap(a);
  const right = j === b.shape.length - 2 ? b : swap(b);
  return emit(r, matmul(left, right, r.ctx, 'bmm'), xs, site, name);
};

const repeatVector: Body = (x, cfg, r, site, name) => {
  const n = dimOf(field(cfg, 'n'));
  if (!x.shape || x.shape.length !== 2 || !n) return null;
  const out = [x.shape[0], n, x.shape[1]];
  const dtype = x.dtype ?? r.ctx.dtype;
  return emit(r, { kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)), ['repeatVector: input read, n copies written']), attrs: {} }, [x], site, name);
};

const activationLayer = (fixed?: string): Body => (x, cfg, r, site, name) => {
  const a = fixed ?? strOf(field(cfg, 'activation')) ?? 'linear';
  if (a === 'linear') return x;
  if (a === 'softmax') return emit(r, softmax(x, -1, r.ctx), [x], site, name);
  return emit(r, activation(x, ACTIVATIONS[a] ?? a, r.ctx), [x], site, name);
};

const upSampling: Body = (x, cfg, r, site, name) => {
  const size = pairOf(field(cfg, 'size'), 2);
  if (!x.shape || x.shape.length !== 4) return null;
  const out = [x.shape[0], x.shape[1].mul(size[0]), x.shape[2].mul(size[size.length - 1]), x.shape[3]];
  const dtype = x.dtype ?? r.ctx.dtype;
  return emit(r, { kind: 'copy', output: { shape: out, dtype }, cost: bytesOnly(tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)), ['upsampling: input read, output written']), attrs: {} }, [x], site, name);
};

const zeroPadding: Body = (x, cfg) => {
  const p = pairOf(field(cfg, 'padding'), 1);
  if (!x.shape || x.shape.length !== 4) return null;
  return { ...x, shape: [x.shape[0], x.shape[1].add(p[0].scale(2)), x.shape[2].add(p[p.length - 1].scale(2)), x.shape[3]] };
};

const BODIES: Record<string, Body> = {
  dense,
  conv1d: convLayer(1, 'conv'),
  conv2d: convLayer(2, 'conv'),
  conv3d: convLayer(3, 'conv'),
  conv2dTranspose: convLayer(2, 'transpose'),
  depthwiseConv2d: convLayer(2, 'depthwise'),
  separableConv2d: convLayer(2, 'separable'),
  maxPooling1d: poolLayer(1, 'max'),
  maxPooling2d: poolLayer(2, 'max'),
  maxPooling3d: poolLayer(3, 'max'),
  averagePooling1d: poolLayer(1, 'avg'),
  averagePooling2d: poolLayer(2, 'avg'),
  avgPool2d: poolLayer(2, 'avg'),
  maxPool2d: poolLayer(2, 'max'),
  globalAveragePooling1d: globalPool(1, 'avg'),
  globalAveragePooling2d: globalPool(2, 'avg'),
  globalMaxPooling1d: globalPool(1, 'max'),
  globalMaxPooling2d: globalPool(2, 'max'),
  // The aliases tf.layers exports for the same classes.
  globalMaxPool1d: globalPool(1, 'max'),
  globalMaxPool2d: globalPool(2, 'max'),
  globalAvgPool1d: globalPool(1, 'avg'),
  globalAvgPool2d: globalPool(2, 'avg'),
  avgPool1d: poolLayer(1, 'avg'),
  avgPooling1d: poolLayer(1, 'avg'),
  avgPooling2d: poolLayer(2, 'avg'),
  maxPool1d: poolLayer(1, 'max'),
  flatten,
  reshape: reshapeLayer,
  permute: permuteLayer,
  dropout: dropoutLayer,
  spatialDropout1d: dropoutLayer,
  spatialDropout2d: dropoutLayer,
  gaussianNoise: dropoutLayer,
  gaussianDropout: dropoutLayer,
  alphaDropout: dropoutLayer,
  batchNormalization: batchNormLayer,
  layerNormalization: layerNormLayer,
  embedding: embeddingLayer,
  simpleRNN: recurrent('simpleRNN'),
  gru: recurrent('gru'),
  lstm: recurrent('lstm'),
  repeatVector,
  dot: dotLayer,
  concatenate: concatenateLayer,
  add: merge(1),
  multiply: merge(1),
  average: merge(1),
  subtract: merge(1),
  maximum: merge(1),
  minimum: merge(1),
  activation: activationLayer(),
  reLU: activationLayer('relu'),
  leakyReLU: activationLayer('leakyReLU'),
  elu: activationLayer('elu'),
  softmax: activationLayer('softmax'),
  prelu: activationLayer('leakyReLU'),
  thresholdedReLU: activationLayer('relu'),
  upSampling2d: upSampling,
  zeroPadding2d: zeroPadding,
  inputLayer: (x) => x,
};

/** Wrappers take a layer in their config. */
function wrapper(type: 'timeDistributed' | 'bidirectional', inner: Layer | undefined, cfg: TfValue | undefined): Body {
  return (x, _cfg, r, site, name) => {
    if (!inner || !x.shape) return emit(r, unknownResult('matmul', x.dtype), [x], site, name);
    if (type === 'timeDistributed') {
      // The inner layer on every time step at once: (N·T, ...) in, (N, T, ...) out.
      const [n, t, ...rest] = x.shape;
      const y = inner.call([{ ...x, shape: [n.mul(t), ...rest] }], r);
      return y?.shape ? { ...y, shape: [n, t, ...y.shape.slice(1)] } : null;
    }
    const f = inner.call([x], r);
    const b = inner.call([x], r);
    if (!f?.shape || !b?.shape) return null;
    const mode = strOf(field(cfg, 'mergeMode')) ?? 'concat';
    if (mode !== 'concat') return emit(r, elementwise([f, b], r.ctx, { flopsPerElement: 1 }), [f, b], site, `${name} (${mode})`);
    return { ...f, shape: [...f.shape.slice(0, -1), f.shape[f.shape.length - 1].scale(2)] };
  };
}

/** Layer types of `tf.layers` this module models. */
export function isLayerType(type: string): boolean {
  return type in BODIES || type === 'timeDistributed' || type === 'bidirectional';
}

/** `tf.layers.<type>(cfg)` made at `site`. */
export function makeLayer(type: string, cfg: TfValue | undefined, site: ts.Node | null): Layer {
  const inner = field(cfg, 'layer');
  const body = type === 'timeDistributed' || type === 'bidirectional' ? wrapper(type, inner?.kind === 'layer' ? inner : undefined, cfg) : BODIES[type];
  const name = `tf.layers.${type}`;
  let inputShape = declaredInput(cfg);
  if (!inputShape && inner?.kind === 'layer') inputShape = inner.inputShape;
  return {
    kind: 'layer',
    type,
    site,
    inputShape,
    config: cfg,
    call(xs, r) {
      // A layer type not modelled was listed as unmodelled where it was made.
      if (!body) return null;
      const x = xs[0] ?? { shape: null, dtype: null };
      return body(x, cfg, r, site, name, xs);
    },
  };
}
