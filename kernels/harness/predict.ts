/** Roofline prediction of a measured run (docs/cost-model.md): time ≈ max(FLOPs / peak, bytes / bandwidth). */
import type { Device } from '../../server/core/devices';
import type { BenchResult } from './types';

export function predictMs(r: Pick<BenchResult, 'flops' | 'bytes' | 'dtype'>, device: Device): { device: string; ms: number } {
  const peak = r.dtype === 'f16' ? device.peak.fp16 : device.peak.fp32;
  const seconds = Math.max(r.flops / peak, r.bytes / device.bandwidth);
  return { device: device.id, ms: seconds * 1e3 };
}
