/**
 * Binds an op's symbolic cost to numbers and places it on a device's roofline (docs/cost-model.md):
 * attainable = min(peak, BW·intensity); time ≈ max(FLOPs/peak, bytes/BW); memory-bound when the
 * intensity is below the ridge point peak/BW.
 */
import { Device, peakFor } from '../devices';
import { DType } from '../dtypes';
import { OpCost, TensorOp } from '../ir';
import { Bindings, Poly } from '../symbolic';

export type Bound = 'memory' | 'compute';

export interface CostFigures {
  flops: number | null;
  macs: number | null;
  otherFlops: number | null;
  bytes: number | null;
  intensity: number | null;
  bound: Bound | null;
  timeSeconds: number | null;
  /** Attainable FLOP/s on the roofline at this intensity, and as a fraction of the dtype's peak. */
  attainable: number | null;
  fractionOfPeak: number | null;
  peak: number;
  ridge: number;
  /** Dims still unbound, sorted: what the user must bind to get numbers. */
  unbound: string[];
}

export function roofline(flops: number, bytes: number, device: Device, dtype: DType) {
  const peak = peakFor(device, dtype);
  const bw = device.bandwidth;
  const intensity = bytes > 0 ? flops / bytes : Infinity;
  const attainable = Math.min(peak, bw * intensity);
  const timeSeconds = Math.max(flops / peak, bytes / bw);
  const ridge = peak / bw;
  return { peak, ridge, intensity, attainable, fractionOfPeak: attainable / peak, timeSeconds, bound: (intensity < ridge ? 'memory' : 'compute') as Bound };
}

export function evaluateCost(cost: OpCost, dtype: DType, device: Device, bindings: Bindings, repeat: Poly = Poly.ONE): CostFigures {
  const unbound = new Set<string>();
  const num = (p: Poly) => {
    const full = p.mul(repeat);
    const v = full.evaluate(bindings);
    if (v === null) for (const s of full.substitute(bindings).freeSymbols()) unbound.add(s);
    // Costs are sums of non-negative terms: a negative or non-finite value comes from sizes no
    // tensor can have (a convolution's kernel larger than its input, a product past 1e308) and
    // is no figure at all.
    return v !== null && Number.isFinite(v) && v >= 0 ? v : null;
  };
  if (cost.unknown) return place(null, null, null, [], dtype, device);
  return place(num(cost.flops), num(cost.otherFlops), num(cost.bytes), unbound, dtype, device);
}

/** Figures from bound numbers (null where a dim is unbound): the op placed on the roofline. */
function place(flops: number | null, otherFlops: number | null, bytes: number | null, unbound: Iterable<string>, dtype: DType, device: Device): CostFigures {
  const peak = peakFor(device, dtype);
  const ridge = peak / device.bandwidth;
  let intensity: number | null = null;
  let bound: Bound | null = null;
  let timeSeconds: number | null = null;
  let attainable: number | null = null;
  let fractionOfPeak: number | null = null;
  if (flops !== null && otherFlops !== null && bytes !== null) {
    // Time and intensity use all arithmetic the op does; the GEMM figure alone stays in `flops`.
    const r = roofline(flops + otherFlops, bytes, device, dtype);
    intensity = bytes > 0 ? r.intensity : null;
    // An op that computes nothing and moves nothing (a view) is neither memory- nor compute-bound.
    bound = flops + otherFlops === 0 && bytes === 0 ? null : r.bound;
    timeSeconds = r.timeSeconds;
    attainable = r.attainable;
    fractionOfPeak = r.fractionOfPeak;
  }
  return { flops, macs: flops === null ? null : flops / 2, otherFlops, bytes, intensity, bound, timeSeconds, attainable, fractionOfPeak, peak, ridge, unbound: [...unbound].sort() };
}

export function evaluateOp(op: TensorOp, device: Device, bindings: Bindings): CostFigures {
  return evaluateCost(op.cost, op.dtype, device, bindings, op.repeat);
}

/**
 * The figures of a sum of ops from the ops' own figures: the same numbers as evaluating the
 * summed cost (costs are sums of non-negative terms, so nothing cancels), without building the
 * sum of thousands of polynomials on every re-analysis. Null when any op's figure is.
 */
export function sumFigures(parts: readonly Sums[], dtype: DType, device: Device): CostFigures {
  const t = addUp(parts);
  return place(t.flops, t.otherFlops, t.bytes, new Set(t.unbound), dtype, device);
}

/** What sums of figures add: the numbers (null when any part's is) and the unbound dims. */
export type Sums = Pick<CostFigures, 'flops' | 'otherFlops' | 'bytes' | 'unbound'>;

/**
 * The sums of `parts`, themselves summable: a file's total is added up per segment of ops and
 * then over the segments, so that a re-analysis adds again only the segments that changed.
 */
export function addUp(parts: readonly Sums[]): Sums {
  const unbound = new Set<string>();
  let flops: number | null = 0;
  let otherFlops: number | null = 0;
  let bytes: number | null = 0;
  for (const f of parts) {
    for (const u of f.unbound) unbound.add(u);
    flops = flops === null || f.flops === null ? null : flops + f.flops;
    otherFlops = otherFlops === null || f.otherFlops === null ? null : otherFlops + f.otherFlops;
    bytes = bytes === null || f.bytes === null ? null : bytes + f.bytes;
  }
  return { flops, otherFlops, bytes, unbound: [...unbound] };
}
