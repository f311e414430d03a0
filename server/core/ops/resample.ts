/**
 * Resampling: `F.interpolate`, `nn.Upsample` (and `nn.UpsamplingNearest2d`,
 * `nn.UpsamplingBilinear2d`). The dims after the first two (batch, channels) become `size`, or
 * each times `scale_factor`, floored. FLOPs ("other"): nearest (and nearest-exact) only copy;
 * the linear modes (linear, bilinear, trilinear) weigh the 2^d neighbours of every output element
 * (2^d multiplies and 2^d − 1 adds); bicubic 4^d of them. Bytes: the input read once and the
 * output written once. Kind `pool`: a resampling of the spatial dims, placed as pooling is.
 */
import { Dim, TensorType } from '../ir';
import { Poly } from '../symbolic';
import { OpContext, OpResult, numel, shapeText, tensorBytes, unknownResult } from './types';

export interface ResampleTarget {
  /** One size per spatial dim (a single one applies to every spatial dim). */
  size?: readonly Dim[];
  /** One factor per spatial dim (a single one applies to every spatial dim). */
  scale?: readonly number[];
}

/** Neighbours weighed per output element for each mode, in `d` spatial dims. */
function taps(mode: string, d: number): number | undefined {
  if (mode === 'nearest' || mode === 'nearest-exact') return 0;
  if (mode === 'linear' || mode === 'bilinear' || mode === 'trilinear') return 2 ** d;
  if (mode === 'bicubic') return 4 ** d;
  if (mode === 'area') return 0;
  return undefined;
}

export function resample(x: TensorType, target: ResampleTarget, mode: string, ctx: OpContext): OpResult {
  const dtype = x.dtype ?? ctx.dtype;
  if (x.shape === null) return unknownResult('pool', dtype);
  const nd = x.shape.length - 2;
  if (nd < 1) return unknownResult('pool', dtype, `interpolate expects a batch, channels and at least one spatial dim, got ${shapeText(x.shape)}`);
  const pick = <T>(l: readonly T[], i: number) => l[l.length === 1 ? 0 : i];
  if ((target.size && target.size.length !== 1 && target.size.length !== nd) || (target.scale && target.scale.length !== 1 && target.scale.length !== nd)) {
    return unknownResult('pool', dtype, `interpolate of ${shapeText(x.shape)}: ${nd} spatial dims, ${target.size?.length ?? target.scale?.length} sizes given`);
  }
  const spatial = x.shape.slice(2).map((len, i): Dim | undefined => {
    if (target.size) return pick(target.size, i);
    const f = target.scale ? pick(target.scale, i) : undefined;
    if (f === undefined) return undefined;
    // floor(len · f): exact for integer factors; for others, of a length that is a number.
    if (Number.isInteger(f)) return len.scale(f);
    const n = len.constValue();
    return n === undefined ? undefined : Poly.const(Math.floor(n * f));
  });
  if (spatial.some((d) => !d)) return unknownResult('pool', dtype);
  const out = [...x.shape.slice(0, 2), ...(spatial as Dim[])];
  const t = taps(mode, nd);
  // An unknown mode still moves the data; its arithmetic is said to be left out.
  const otherFlops = t ? numel(out).scale(2 * t - 1) : Poly.ZERO;
  return {
    kind: 'pool',
    output: { shape: out, dtype },
    cost: { flops: Poly.ZERO, otherFlops, bytes: tensorBytes(x.shape, dtype).add(tensorBytes(out, dtype)), ...(t === undefined ? { notes: [`mode '${mode}': its arithmetic is not counted`] } : {}) },
    attrs: { op: 'resample', mode },
  };
}
