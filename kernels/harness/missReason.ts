/**
 * What the model lacks, in words, for a run it predicted more than the tolerance off (SPEC §9:
 * the model says what it does not know rather than leaving a bare ratio). The prediction is
 * overhead + max(compute term, memory term) (./predict.ts); this names the term that decided it,
 * whether the run lies inside the sizes calibration measured that term at, and whether the
 * run's own timings were steady enough to judge. No WebGPU here.
 */
import type { Device } from '../../server/core/devices';
import { shapeClass } from '../wgsl/gemmConfig';
import { executedFlops, Prediction } from './predict';
import type { BenchResult } from './types';

type Measured = Pick<BenchResult, 'flops' | 'bytes' | 'dtype'> & Partial<Pick<BenchResult, 'op' | 'm' | 'k' | 'n' | 'batch' | 'kernelConfig'>>;

/**
 * A row's measurement: its figure, how far its slowest round's median was above it, whether
 * a second round confirmed it (kernels/harness/timing.ts, fastestConfirmed), and how the run's
 * probes compared with calibration's.
 */
export interface RowTiming {
  measuredMs: number;
  spread: number;
  confirmed?: boolean;
  /** This run's probes over calibration's (fastest runs): FMA probe and copy kernel. */
  drift?: { fma: number; copy: number };
}

/** The `<cls>@<x>` points of a calibration table, as sizes. */
function pointsOf(table: Record<string, number> | undefined, cls: string): number[] {
  return Object.keys(table ?? {}).filter((k) => k.startsWith(`${cls}@`)).map((k) => Number(k.slice(cls.length + 1))).filter((x) => x > 0);
}

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
const mflop = (f: number) => `${(f / 1e6).toFixed(0)} MFLOP`;

/**
 * Why `p` missed `row`, as one sentence of causes, most specific first. Where nothing more
 * specific applies, what is missing is a figure measured near this shape: the class's kernel
 * behaves differently here than at its calibrated points.
 */
export function whatTheModelLacks(run: Measured, p: Prediction, row: RowTiming, device: Device): string {
  const causes: string[] = [];
  const slow = row.measuredMs > p.ms;
  if (row.confirmed === false) {
    causes.push(`no second round confirmed its fastest run (the slowest round's median ${row.spread.toFixed(1)}× it): load from other processes, so the figure may be a disturbed one`);
  } else if (row.spread > 1.5) {
    causes.push(`its timings were unsteady (the slowest round's median ${row.spread.toFixed(1)}× its fastest run, which a second round confirmed): load from other processes`);
  }
  const busier = row.drift && Math.min(row.drift.fma, row.drift.copy) < 0.8;
  if (slow && busier) {
    // Two rounds can agree on the slow mode when other processes hold a core throughout.
    causes.push(`this run's probes reached ×${row.drift!.fma.toFixed(2)} (FMA) and ×${row.drift!.copy.toFixed(2)} (copy) of calibration's: the machine was busier than when calibrated, so even the row's fastest run may be a slowed one`);
  }
  if (p.overheadMs >= 0.5 * p.ms) {
    causes.push(`the launch overhead (${p.overheadMs.toFixed(3)} ms, a 4×4×4 GEMM's fastest run) is most of the prediction, and a dispatch's fixed cost that grows with its grid is not modelled`);
  }
  const isGemm = (run.op === 'gemm' || run.op === 'bmm') && run.m !== undefined && run.n !== undefined;
  if (isGemm) {
    const cls = shapeClass(run.m!, run.n!, run.batch ?? 1);
    const peak = run.dtype === 'f16' ? device.peak.fp16 : device.peak.fp32;
    const executed = executedFlops(run);
    const computeMs = (executed / (peak * p.efficiency)) * 1e3;
    const memoryMs = (run.bytes / p.bandwidth) * 1e3;
    if (computeMs >= memoryMs) {
      const ownPts = pointsOf(device.gemmEfficiency, cls);
      const own = ownPts.length > 1;
      const pts = own ? ownPts : pointsOf(device.gemmEfficiency, 'square');
      const where = own ? `the ${cls} class's` : `the square ladder's (the ${cls} class has ${ownPts.length ? 'one point' : 'none'} of its own)`;
      if (pts.length && (executed < Math.min(...pts) / 2 || executed > Math.max(...pts) * 2)) {
        causes.push(`its work (${mflop(executed)} executed) is outside ${where} calibrated sizes (${mflop(Math.min(...pts))}–${mflop(Math.max(...pts))}), where the efficiency is extrapolated flat`);
      } else {
        causes.push(`it is compute-bound at ${(100 * p.efficiency).toFixed(0)}% of the peak (interpolated from ${where} calibrated sizes), and its kernel ran ${slow ? 'slower' : 'faster'} here: a per-shape efficiency measured near this shape is missing`);
      }
    } else {
      const pts = pointsOf(device.gemmBandwidth, cls);
      if (pts.length && (run.bytes < Math.min(...pts) / 2 || run.bytes > Math.max(...pts) * 2)) {
        causes.push(`its footprint (${mib(run.bytes)}) is outside the ${cls} class's calibrated footprints (${mib(Math.min(...pts))}–${mib(Math.max(...pts))}), where the bandwidth is extrapolated flat`);
      } else {
        causes.push(`it is memory-bound at ${(p.bandwidth / 1e9).toFixed(2)} GB/s (${pts.length ? `interpolated from the ${cls} class's calibrated footprints` : "the copy kernel's"}), and its kernel streamed ${slow ? 'slower' : 'faster'} here: a bandwidth measured near this footprint is missing`);
      }
    }
  }
  return causes.join('; ');
}
