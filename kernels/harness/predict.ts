/**
 * Prediction of a measured run on a device (SPEC §5): the roofline time max(FLOPs / peak,
 * bytes / bandwidth), plus what calibration measured that the roofline lacks, where the device
 * has it: a launch overhead added to every run, and for GEMMs the fraction of the roofline their
 * shape class's tuned kernel reaches (the roofline time is divided by it).
 */
import type { Device } from '../../server/core/devices';
import { shapeClass } from '../wgsl/gemmConfig';
import type { BenchResult } from './types';

export interface Prediction {
  device: string;
  ms: number;
  /** The terms: roofline time, launch overhead and the efficiency applied (1 when none). */
  rooflineMs: number;
  overheadMs: number;
  efficiency: number;
}

type Measured = Pick<BenchResult, 'flops' | 'bytes' | 'dtype'> & Partial<Pick<BenchResult, 'op' | 'm' | 'k' | 'n' | 'batch'>>;

export function predictMs(r: Measured, device: Device): Prediction {
  const peak = r.dtype === 'f16' ? device.peak.fp16 : device.peak.fp32;
  const rooflineMs = Math.max(r.flops / peak, r.bytes / device.bandwidth) * 1e3;
  const overheadMs = (device.launchOverheadS ?? 0) * 1e3;
  const isGemm = (r.op === 'gemm' || r.op === 'bmm') && r.m !== undefined && r.n !== undefined;
  const eff = isGemm ? device.gemmEfficiency?.[shapeClass(r.m!, r.n!, r.batch ?? 1)] : undefined;
  const efficiency = eff !== undefined && Number.isFinite(eff) && eff > 0 ? eff : 1;
  return { device: device.id, ms: overheadMs + rooflineMs / efficiency, rooflineMs, overheadMs, efficiency };
}
