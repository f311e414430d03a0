/**
 * Convolutions (1-D, 2-D, 3-D, grouped, dilated, strided, 'same'/'valid' padding) and transposed
 * convolutions. FLOPs: 2·N·C_out·(C_in/groups)·∏kernel·∏out_spatial (FlopCounterMode). Bytes, two
 * ways (docs/cost-model.md): direct (input, weight, output once each) and im2col, whose unfolded matrix of
 * N·∏out × C_in·∏kernel elements is written and then read by the GEMM.
 */
import { Dim, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { DTYPE_BYTES } from '../dtypes';
import { OpContext, OpResult, dimsDiffer, dtypeOf, shapeText, tensorBytes, unknownResult } from './types';

export interface ConvGeometry {
  /** One entry per spatial dim (a single entry is repeated). */
  stride: readonly Dim[];
  padding: readonly Dim[] | 'same' | 'valid';
  dilation: readonly Dim[];
  groups: Dim;
  bias: boolean;
  /** Transposed convolutions only. */
  outputPadding?: readonly Dim[];
}

export const DEFAULT_GEOMETRY: ConvGeometry = { stride: [Poly.ONE], padding: [Poly.ZERO], dilation: [Poly.ONE], groups: Poly.ONE, bias: true };

function per(list: readonly Dim[], i: number): Dim {
  return list[list.length === 1 ? 0 : i] ?? list[0] ?? Poly.ONE;
}

/** Splits an input of rank nd+2 (batched) or nd+1 (unbatched) into batch, channels and spatial dims. */
function parts(x: readonly Dim[], nd: number): { n: Dim; c: Dim; spatial: Dim[]; batched: boolean } | undefined {
  if (x.length === nd + 2) return { n: x[0], c: x[1], spatial: x.slice(2), batched: true };
  if (x.length === nd + 1) return { n: Poly.ONE, c: x[0], spatial: x.slice(1), batched: false };
  return undefined;
}

/** Output length of one spatial dim: ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1. */
export function convOutLength(len: Dim, k: Dim, stride: Dim, pad: Dim, dil: Dim): Dim {
  const span = len.add(pad.scale(2)).sub(dil.mul(k.sub(1))).sub(1);
  return stride.constValue() === 1 ? span.add(1) : span.floordiv(stride).add(1);
}

/** weight: (C_out, C_in/groups, *kernel). */
export function conv(x: TensorType, weight: readonly Dim[], g: ConvGeometry, ctx: OpContext): OpResult {
  const nd = weight.length - 2;
  const dtype = dtypeOf(ctx, x);
  if (x.shape === null || nd < 1) return unknownResult('conv', dtype);
  const p = parts(x.shape, nd);
  if (!p) return unknownResult('conv', dtype, `conv${nd}d expects a ${nd + 1}-D or ${nd + 2}-D input, got ${shapeText(x.shape)} with weight ${shapeText(weight)}`);
  const [cOut, cInPerGroup, ...kernel] = weight;
  const cIn = cInPerGroup.mul(g.groups);
  let error: string | undefined;
  if (dimsDiffer(p.c, cIn, ctx.bindings)) {
    error = `conv${nd}d channel mismatch: input ${shapeText(x.shape)} has ${p.c.toString()} channels, weight ${shapeText(weight)} expects ${cIn.toString()}${g.groups.constValue() === 1 ? '' : ` (${cInPerGroup.toString()} × groups ${g.groups.toString()})`}`;
  }
  const outSpatial = p.spatial.map((len, i) => {
    if (g.padding === 'same') return len;
    const pad = g.padding === 'valid' ? Poly.ZERO : per(g.padding, i);
    return convOutLength(len, kernel[i], per(g.stride, i), pad, per(g.dilation, i));
  });
  const outShape = p.batched ? [p.n, cOut, ...outSpatial] : [cOut, ...outSpatial];
  const positions = p.n.mul(product(outSpatial));
  const flops = positions.mul(product(weight)).scale(2);
  const size = DTYPE_BYTES[dtype];
  let direct = tensorBytes(x.shape, dtype).add(tensorBytes(weight, dtype)).add(tensorBytes(outShape, dtype));
  if (g.bias) direct = direct.add(tensorBytes([cOut], dtype));
  const im2colElements = positions.mul(cIn).mul(product(kernel));
  const im2col = direct.add(im2colElements.scale(2 * size));
  return {
    kind: 'conv',
    output: { shape: outShape, dtype },
    cost: {
      flops,
      otherFlops: Poly.ZERO,
      bytes: direct,
      variants: [
        { label: 'direct', bytes: direct },
        { label: 'im2col + GEMM', bytes: im2col, note: 'the unfolded N·∏out × C_in·∏kernel matrix is written, then read' },
      ],
      notes: g.bias ? ['bias add not counted (FlopCounterMode convention)'] : undefined,
    },
    attrs: {
      dims: nd, batchSize: p.n, cIn, cOut, kernel, stride: g.stride, padding: g.padding, dilation: g.dilation, groups: g.groups, outSpatial,
      im2colElements, im2colBytes: im2colElements.scale(size),
      // The GEMM the im2col lowering runs, for the GEMM rules: (N·∏out) × (C_in/g·∏k) × C_out/g per group.
      m: positions, k: cInPerGroup.mul(product(kernel)), n: cOut.floordiv(g.groups), batch: g.groups,
    },
    error,
  };
}

/**
 * Transposed convolution; weight (C_in, C_out/groups, *kernel). Output length
 * (L−1)·s − 2p + d(k−1) + output_padding + 1. FLOPs 2·N·∏in_spatial·C_in·(C_out/groups)·∏kernel
 * (each input element scatters into a kernel-sized window of every output channel of its group).
 */
export function convTranspose(x: TensorType, weight: readonly Dim[], g: ConvGeometry, ctx: OpContext): OpResult {
  const nd = weight.length - 2;
  const dtype = dtypeOf(ctx, x);
  if (x.shape === null || nd < 1) return unknownResult('conv_transpose', dtype);
  const p = parts(x.shape, nd);
  if (!p) return unknownResult('conv_transpose', dtype, `conv_transpose${nd}d expects a ${nd + 1}-D or ${nd + 2}-D input, got ${shapeText(x.shape)} with weight ${shapeText(weight)}`);
  const [cIn, cOutPerGroup, ...kernel] = weight;
  let error: string | undefined;
  if (dimsDiffer(p.c, cIn, ctx.bindings)) error = `conv_transpose${nd}d channel mismatch: input ${shapeText(x.shape)} has ${p.c.toString()} channels, weight ${shapeText(weight)} expects ${cIn.toString()}`;
  const cOut = cOutPerGroup.mul(g.groups);
  const pads = g.padding === 'same' || g.padding === 'valid' ? [Poly.ZERO] : g.padding;
  const outSpatial = p.spatial.map((len, i) =>
    len.sub(1).mul(per(g.stride, i)).sub(per(pads, i).scale(2)).add(per(g.dilation, i).mul(kernel[i].sub(1))).add(per(g.outputPadding ?? [Poly.ZERO], i)).add(1),
  );
  const outShape = p.batched ? [p.n, cOut, ...outSpatial] : [cOut, ...outSpatial];
  const flops = p.n.mul(product(p.spatial)).mul(product(weight)).scale(2);
  let bytes = tensorBytes(x.shape, dtype).add(tensorBytes(weight, dtype)).add(tensorBytes(outShape, dtype));
  if (g.bias) bytes = bytes.add(tensorBytes([cOut], dtype));
  return {
    kind: 'conv_transpose',
    output: { shape: outShape, dtype },
    cost: { flops, otherFlops: Poly.ZERO, bytes },
    attrs: { dims: nd, batchSize: p.n, cIn, cOut, kernel, stride: g.stride, groups: g.groups, outSpatial },
    error,
  };
}
