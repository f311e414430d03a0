/**
 * TF.js convolutions and pooling in channels-last layout (NHWC, NWC) on the core rules, which work
 * channels-first. TF's 'same' padding gives ceil(L / stride) outputs whatever the kernel and
 * dilation; PyTorch's rule knows 'same' only for stride 1, so for larger strides the output length
 * is set to ceil(L / s) and every figure that depends on it (FLOPs, output bytes, the im2col buffer)
 * is recomputed from it, not only the FLOPs.
 */
import { DTYPE_BYTES } from '../../core/dtypes';
import { Dim, TensorType } from '../../core/ir';
import { conv, convTranspose, ConvGeometry, DEFAULT_GEOMETRY } from '../../core/ops/conv';
import { OpContext, OpResult, numel, shapeText, tensorBytes, unknownResult } from '../../core/ops/types';
import { Poly, product } from '../../core/symbolic';

export type Padding = 'same' | 'valid' | Dim;

const at = (l: readonly Dim[], i: number): Dim => l[l.length === 1 ? 0 : i] ?? l[0] ?? Poly.ONE;

/** Channels-last input of rank nd+2 (batched) or nd+1 as channels-first dims. */
function toChannelsFirst(shape: readonly Dim[], nd: number): { shape: Dim[]; batched: boolean } | null {
  if (shape.length === nd + 2) return { shape: [shape[0], shape[nd + 1], ...shape.slice(1, nd + 1)], batched: true };
  if (shape.length === nd + 1) return { shape: [Poly.ONE, shape[nd], ...shape.slice(0, nd)], batched: false };
  return null;
}

function toChannelsLast(shape: readonly Dim[] | null, batched: boolean): Dim[] | null {
  if (!shape || shape.length < 3) return shape ? [...shape] : null;
  const [n, c, ...sp] = shape;
  return batched ? [n, ...sp, c] : [...sp, c];
}

export interface ConvOptions {
  strides: readonly Dim[];
  padding: Padding;
  dilations: readonly Dim[];
  /** Depthwise convolutions have one group per input channel. */
  groups?: Dim;
  bias: boolean;
}

/**
 * `weight` in the core's layout: (C_out, C_in / groups, *kernel). Returns the op with a
 * channels-last output.
 */
export function convChannelsLast(x: TensorType, weight: Dim[], o: ConvOptions, ctx: OpContext): OpResult {
  const nd = weight.length - 2;
  const dtype = x.dtype ?? ctx.dtype;
  if (!x.shape) return unknownResult('conv', dtype);
  const cf = toChannelsFirst(x.shape, nd);
  if (!cf) return unknownResult('conv', dtype, `conv${nd}d expects a ${nd + 1}-D or ${nd + 2}-D channels-last input, got ${shapeText(x.shape)}`);
  const strided = o.strides.some((s) => s.constValue() !== 1);
  const same = o.padding === 'same';
  const g: ConvGeometry = {
    ...DEFAULT_GEOMETRY,
    stride: same ? [Poly.ONE] : o.strides,
    padding: o.padding === 'same' ? 'same' : o.padding === 'valid' ? 'valid' : [o.padding],
    dilation: o.dilations,
    groups: o.groups ?? Poly.ONE,
    bias: o.bias,
  };
  let r = conv({ shape: cf.shape, dtype: x.dtype }, weight, g, ctx);
  if (same && strided && r.output.shape) {
    const outSpatial = cf.shape.slice(2).map((len, i) => len.ceildiv(at(o.strides, i)));
    r = withOutput(r, cf.shape, weight, outSpatial, o, dtype);
  }
  return { ...r, output: { ...r.output, shape: toChannelsLast(r.output.shape, cf.batched) } };
}

/** The conv result again for another output length: FLOPs, bytes and the im2col figures. */
function withOutput(r: OpResult, x: Dim[], weight: Dim[], outSpatial: Dim[], o: ConvOptions, dtype: keyof typeof DTYPE_BYTES): OpResult {
  const [n, cIn] = x;
  const [cOut, , ...kernel] = weight;
  const outShape = [n, cOut, ...outSpatial];
  const positions = n.mul(product(outSpatial));
  const size = DTYPE_BYTES[dtype];
  let direct = tensorBytes(x, dtype).add(tensorBytes(weight, dtype)).add(tensorBytes(outShape, dtype));
  if (o.bias) direct = direct.add(tensorBytes([cOut], dtype));
  const im2colElements = positions.mul(cIn).mul(product(kernel));
  const im2col = direct.add(im2colElements.scale(2 * size));
  return {
    ...r,
    output: { shape: outShape, dtype },
    cost: {
      ...r.cost,
      flops: positions.mul(product(weight)).scale(2),
      bytes: direct,
      variants: [
        { label: 'direct', bytes: direct },
        { label: 'im2col + GEMM', bytes: im2col, note: 'the unfolded N·∏out × C_in·∏kernel matrix is written, then read' },
      ],
      notes: [...(r.cost.notes ?? []), "TF 'same' padding: ceil(L / stride) outputs"],
    },
    attrs: { ...r.attrs, stride: o.strides, outSpatial, m: positions, im2colElements, im2colBytes: im2colElements.scale(size) },
  };
}

/** `tf.conv2dTranspose` / `layers.conv2dTranspose`: weight (C_in, C_out, *kernel) in the core's layout. */
export function convTransposeChannelsLast(x: TensorType, weight: Dim[], o: ConvOptions, ctx: OpContext): OpResult {
  const nd = weight.length - 2;
  const dtype = x.dtype ?? ctx.dtype;
  if (!x.shape) return unknownResult('conv_transpose', dtype);
  const cf = toChannelsFirst(x.shape, nd);
  if (!cf) return unknownResult('conv_transpose', dtype, `conv${nd}dTranspose expects a ${nd + 1}-D or ${nd + 2}-D channels-last input, got ${shapeText(x.shape)}`);
  const g: ConvGeometry = { ...DEFAULT_GEOMETRY, stride: o.strides, padding: [Poly.ZERO], dilation: o.dilations, bias: o.bias };
  let r = convTranspose({ shape: cf.shape, dtype: x.dtype }, weight, g, ctx);
  if (o.padding === 'same' && r.output.shape) {
    // TF's 'same' transposed convolution gives L · stride outputs; FLOPs depend on the input only.
    const outShape = [cf.shape[0], r.output.shape[1], ...cf.shape.slice(2).map((len, i) => len.mul(at(o.strides, i)))];
    const bytes = tensorBytes(cf.shape, dtype).add(tensorBytes(weight, dtype)).add(tensorBytes(outShape, dtype));
    r = { ...r, output: { shape: outShape, dtype }, cost: { ...r.cost, bytes } };
  }
  return { ...r, output: { ...r.output, shape: toChannelsLast(r.output.shape, cf.batched) } };
}

/**
 * Max / average pooling over the nd spatial dims before the channels. FLOPs ("other"): one
 * compare or add per window element per output, as the core's pooling rule counts them.
 */
export function poolChannelsLast(x: TensorType, nd: number, kernel: readonly Dim[], strides: readonly Dim[], padding: Padding, op: 'max' | 'avg', ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (!x.shape) return unknownResult('pool', dtype);
  if (x.shape.length < nd + 1) return unknownResult('pool', dtype, `${op}Pool${nd}d expects at least ${nd + 1} dims, got ${shapeText(x.shape)}`);
  const lead = x.shape.slice(0, x.shape.length - nd - 1);
  const spatial = x.shape.slice(x.shape.length - nd - 1, x.shape.length - 1);
  const c = x.shape[x.shape.length - 1];
  const outSpatial = spatial.map((len, i) => {
    const k = at(kernel, i);
    const s = strides.length ? at(strides, i) : k;
    if (padding === 'same') return len.ceildiv(s);
    const pad = padding === 'valid' ? Poly.ZERO : padding;
    const span = len.add(pad.scale(2)).sub(k);
    return (s.constValue() === 1 ? span : span.floordiv(s)).add(1);
  });
  const out = [...lead, ...outSpatial, c];
  const window = product(spatial.map((_, i) => at(kernel, i)));
  return {
    kind: 'pool',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: numel(out).mul(window), bytes: tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)) },
    attrs: { op, kernel },
  };
}
