/**
 * Prediction of a measured run on a device (docs/cost-model.md): the roofline time max(FLOPs / peak,
 * bytes / bandwidth), plus what calibration measured that the roofline lacks, where the device
 * has it: a launch overhead added to every run; and for GEMMs, per shape class, the fraction of
 * the peak its tuned kernel reaches (dividing the compute term) and the bandwidth it streams at
 * (replacing the copy kernel's in the memory term). Where the run names the kernel it used, the
 * compute term counts the work that kernel does: m and n rounded up to its tile, since rows and
 * columns past the matrix are computed and dropped (an 8-row tile does the same work for m = 1
 * as for m = 8; a 64-row tile 64 times the useful work of a GEMV). A memory-bound GEMM streams
 * B once per tile of output rows (`streamedBytes`), which calibration's bandwidths count the same way.
 */
import type { Device } from '../../server/core/devices';
import { shapeClass } from '../wgsl/gemmConfig';
import type { BenchResult } from './types';

export interface Prediction {
  device: string;
  ms: number;
  /** The plain roofline time, the launch overhead, and the class's terms (1 and the device's bandwidth when none). */
  rooflineMs: number;
  overheadMs: number;
  efficiency: number;
  bandwidth: number;
}

type Measured = Pick<BenchResult, 'flops' | 'bytes' | 'dtype'> & Partial<Pick<BenchResult, 'op' | 'm' | 'k' | 'n' | 'batch' | 'kernelConfig'>>;

const usable = (x: number | undefined): x is number => x !== undefined && Number.isFinite(x) && x > 0;

/** The FLOPs a GEMM's kernel executes: its useful FLOPs scaled by the tile-padded m·n over m·n. */
export function executedFlops(r: Measured): number {
  const c = r.kernelConfig;
  const isGemm = r.op === 'gemm' || r.op === 'bmm';
  if (!c || !isGemm || !usable(r.m) || !usable(r.n) || !usable(c.tileM) || !usable(c.tileN)) return r.flops;
  const padded = (x: number, t: number) => Math.ceil(x / t) * t;
  return r.flops * ((padded(r.m, c.tileM) * padded(r.n, c.tileN)) / (r.m * r.n));
}

/**
 * The bytes a memory-bound GEMM's kernel streams: each tile of `tileM` output rows reads the
 * whole of B, so an 8-row GEMV run by a 4-row tile streams its weight twice (measured on lavapipe:
 * 8×1024² at 0.85 ms where 1, 2 and 4 rows took 0.46 ms with that kernel). Only where the run
 * is memory-bound: a compute-bound GEMM keeps B in cache across its row tiles.
 */
export function streamedBytes(r: Measured): number {
  const c = r.kernelConfig;
  const isGemm = r.op === 'gemm' || r.op === 'bmm';
  if (!c || !isGemm || !usable(r.m) || !usable(r.k) || !usable(r.n) || !usable(c.tileM)) return r.bytes;
  const passes = Math.ceil(r.m / c.tileM);
  const elem = r.dtype === 'f16' ? 2 : 4;
  return r.bytes + (passes - 1) * (r.batch ?? 1) * r.k * r.n * elem;
}

/**
 * A class's efficiency at a given executed work. Calibration stores, besides the class's own
 * figure (`square`, `batched`…), figures measured at given sizes as `<class>@<executed FLOPs>`
 * (the square ladder, 256³ upwards; the other classes at their tuning shape): efficiency then
 * follows the work between them, linearly in log(FLOPs), and stays at the nearest measured size
 * outside them; a class measured at one size follows the square ladder's shape. Small GEMMs reach a smaller
 * fraction of the peak on most adapters (too few workgroups for the device, caches), and on a
 * CPU adapter shared with other processes long runs lose more time to them than short ones.
 */
export function efficiencyAt(device: Device, cls: string, flops: number): number | undefined {
  const own = ladderOf(device, cls);
  if (!usable(flops) || !own.length) return device.gemmEfficiency?.[cls];
  if (own.length > 1) return interpolate(own, Math.log(flops));
  // A class measured at one size (`batched@F`) takes the square ladder's change with size,
  // relative to that size: its own factor at F, scaled as the square class scales from F.
  const square = ladderOf(device, 'square');
  if (cls === 'square' || square.length < 2) return own[0].y;
  return (own[0].y * interpolate(square, Math.log(flops))) / interpolate(square, own[0].x);
}

/** The `<cls>@<FLOPs>` figures of a class, as (log FLOPs, efficiency), by size. */
function ladderOf(device: Device, cls: string): { x: number; y: number }[] {
  return Object.entries(device.gemmEfficiency ?? {})
    .filter(([k, v]) => k.startsWith(`${cls}@`) && usable(v) && usable(Number(k.slice(cls.length + 1))))
    .map(([k, v]) => ({ x: Math.log(Number(k.slice(cls.length + 1))), y: v }))
    .sort((a, b) => a.x - b.x);
}

/** Linear between the points, the nearest point's value outside them. */
function interpolate(points: { x: number; y: number }[], x: number): number {
  if (x <= points[0].x) return points[0].y;
  const last = points[points.length - 1];
  if (x >= last.x) return last.y;
  const i = points.findIndex((p) => p.x >= x);
  const [a, b] = [points[i - 1], points[i]];
  return a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/**
 * The bandwidth a class's kernel streams for a run moving `bytes`. Calibration stores, besides
 * the class's figure, figures measured at given footprints as `<class>@<bytes>`: a CPU adapter
 * streams a matrix that fits its last-level cache several times faster than one that does not
 * (and a GPU's L2 does the same on a smaller scale), so bandwidth follows the footprint between
 * them, linearly in log(bytes), and stays at the nearest measured footprint outside them.
 */
export function bandwidthAt(device: Device, cls: string, bytes: number): number | undefined {
  const points = Object.entries(device.gemmBandwidth ?? {})
    .filter(([k, v]) => k.startsWith(`${cls}@`) && usable(v) && usable(Number(k.slice(cls.length + 1))))
    .map(([k, v]) => ({ x: Math.log(Number(k.slice(cls.length + 1))), y: v }))
    .sort((a, b) => a.x - b.x);
  if (!usable(bytes) || !points.length) return device.gemmBandwidth?.[cls];
  return interpolate(points, Math.log(bytes));
}

export function predictMs(r: Measured, device: Device): Prediction {
  const peak = r.dtype === 'f16' ? device.peak.fp16 : device.peak.fp32;
  const rooflineMs = Math.max(r.flops / peak, r.bytes / device.bandwidth) * 1e3;
  const overheadMs = (device.launchOverheadS ?? 0) * 1e3;
  const isGemm = (r.op === 'gemm' || r.op === 'bmm') && r.m !== undefined && r.n !== undefined;
  const cls = isGemm ? shapeClass(r.m!, r.n!, r.batch ?? 1) : undefined;
  const executed = executedFlops(r);
  const eff = cls ? efficiencyAt(device, cls, executed) : undefined;
  const bw = cls ? bandwidthAt(device, cls, r.bytes) : undefined;
  const efficiency = usable(eff) ? eff : 1;
  const bandwidth = usable(bw) ? bw : device.bandwidth;
  const computeS = executed / (peak * efficiency);
  // Memory-bound by its ideal bytes: what the kernel streams (streamedBytes) decides the time.
  const memoryS = (r.bytes / bandwidth > computeS ? streamedBytes(r) : r.bytes) / bandwidth;
  const modelMs = Math.max(computeS, memoryS) * 1e3;
  return { device: device.id, ms: overheadMs + modelMs, rooflineMs, overheadMs, efficiency, bandwidth };
}
