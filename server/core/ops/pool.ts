/**
 * Max / average pooling (1-D to 3-D, stride defaulting to the kernel, padding, dilation,
 * ceil_mode) and adaptive pooling. FLOPs ("other"): one compare or add per window element per
 * output; adaptive pooling touches each input element about once. Bytes: input and output once.
 */
import { Dim, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { OpContext, OpResult, numel, shapeText, tensorBytes, unknownResult } from './types';

export interface PoolGeometry {
  kernel: readonly Dim[];
  /** Empty means "the kernel" (PyTorch's default). */
  stride: readonly Dim[];
  padding: readonly Dim[];
  dilation: readonly Dim[];
  ceilMode: boolean;
}

const at = (l: readonly Dim[], i: number, dflt: Dim) => l[l.length === 1 ? 0 : i] ?? dflt;

export function pool(x: TensorType, nd: number, g: PoolGeometry, op: 'max' | 'avg', ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('pool', dtype);
  if (x.shape.length < nd + 1) return unknownResult('pool', dtype, `${op}_pool${nd}d expects at least ${nd + 1} dims, got ${shapeText(x.shape)}`);
  const lead = x.shape.slice(0, -nd);
  const spatial = x.shape.slice(-nd);
  const outSpatial = spatial.map((len, i) => {
    const k = at(g.kernel, i, Poly.ONE);
    const s = g.stride.length ? at(g.stride, i, k) : k;
    const p = at(g.padding, i, Poly.ZERO);
    const d = at(g.dilation, i, Poly.ONE);
    const span = len.add(p.scale(2)).sub(d.mul(k.sub(1))).sub(1);
    return (g.ceilMode ? span.ceildiv(s) : span.floordiv(s)).add(1);
  });
  const out = [...lead, ...outSpatial];
  const window = product(spatial.map((_, i) => at(g.kernel, i, Poly.ONE)));
  return {
    kind: 'pool',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: numel(out).mul(window), bytes: tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)) },
    attrs: { op, kernel: g.kernel },
  };
}

/** `adaptive_{avg,max}_pool{n}d(x, output_size)`; a null entry keeps the input size. */
export function adaptivePool(x: TensorType, outputSize: readonly (Dim | null)[], op: 'max' | 'avg', ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  const nd = outputSize.length;
  if (x.shape === null) return unknownResult('pool', dtype);
  if (x.shape.length < nd + 1) return unknownResult('pool', dtype, `adaptive_${op}_pool${nd}d expects at least ${nd + 1} dims, got ${shapeText(x.shape)}`);
  const lead = x.shape.slice(0, -nd);
  const spatial = x.shape.slice(-nd);
  const out = [...lead, ...outputSize.map((d, i) => d ?? spatial[i])];
  return {
    kind: 'pool',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops: numel(x.shape), bytes: tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)) },
    attrs: { op, adaptive: true },
  };
}
