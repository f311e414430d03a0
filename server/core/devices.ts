/**
 * The device catalogue (docs/devices.md): dense peaks from vendor datasheets, never sparse figures.
 * Peaks are FLOP/s, bandwidths byte/s, so every formula in the cost model works in base units.
 */
import { DType } from './dtypes';

export interface Device {
  id: string;
  name: string;
  /** Dense peak FLOP/s by math path. `null` where the unit does not exist (no TF32 on V100). */
  peak: { fp32: number; tf32: number | null; fp16: number; bf16: number | null; fp64?: number | null };
  /** Memory bandwidth, byte/s. */
  bandwidth: number;
  /** Device memory, bytes; null for unified memory. */
  memoryBytes: number | null;
  /** Streaming multiprocessors / compute units, for wave-quantisation rules. */
  sms: number;
  notes?: string;
  /** True for the "local" device built from calibration measurements. */
  measured?: boolean;
}

const T = 1e12;
const GB = 1e9;

export const DEVICES: readonly Device[] = [
  { id: 'v100', name: 'NVIDIA V100 SXM2', peak: { fp32: 15.7 * T, tf32: null, fp16: 125 * T, bf16: null }, bandwidth: 900 * GB, memoryBytes: 32 * GB, sms: 80 },
  { id: 'a100', name: 'NVIDIA A100 SXM 80GB', peak: { fp32: 19.5 * T, tf32: 156 * T, fp16: 312 * T, bf16: 312 * T }, bandwidth: 2039 * GB, memoryBytes: 80 * GB, sms: 108 },
  { id: 'a100-40gb', name: 'NVIDIA A100 40GB', peak: { fp32: 19.5 * T, tf32: 156 * T, fp16: 312 * T, bf16: 312 * T }, bandwidth: 1555 * GB, memoryBytes: 40 * GB, sms: 108 },
  { id: 'h100', name: 'NVIDIA H100 SXM', peak: { fp32: 66.9 * T, tf32: 494.7 * T, fp16: 989.4 * T, bf16: 989.4 * T }, bandwidth: 3350 * GB, memoryBytes: 80 * GB, sms: 132 },
  { id: 'h200', name: 'NVIDIA H200', peak: { fp32: 66.9 * T, tf32: 494.7 * T, fp16: 989.4 * T, bf16: 989.4 * T }, bandwidth: 4800 * GB, memoryBytes: 141 * GB, sms: 132 },
  { id: 'l4', name: 'NVIDIA L4', peak: { fp32: 30.3 * T, tf32: 60 * T, fp16: 121 * T, bf16: 121 * T }, bandwidth: 300 * GB, memoryBytes: 24 * GB, sms: 58 },
  { id: 't4', name: 'NVIDIA T4', peak: { fp32: 8.1 * T, tf32: null, fp16: 65 * T, bf16: null }, bandwidth: 320 * GB, memoryBytes: 16 * GB, sms: 40 },
  { id: 'rtx4090', name: 'NVIDIA RTX 4090', peak: { fp32: 82.6 * T, tf32: 82.6 * T, fp16: 165.2 * T, bf16: 165.2 * T }, bandwidth: 1008 * GB, memoryBytes: 24 * GB, sms: 128, notes: 'fp16/bf16 tensor peak with fp32 accumulate' },
  { id: 'mi300x', name: 'AMD MI300X', peak: { fp32: 163.4 * T, tf32: null, fp16: 1307.4 * T, bf16: 1307.4 * T }, bandwidth: 5300 * GB, memoryBytes: 192 * GB, sms: 304 },
  { id: 'm2max', name: 'Apple M2 Max (38-core GPU)', peak: { fp32: 13.6 * T, tf32: null, fp16: 13.6 * T, bf16: null }, bandwidth: 400 * GB, memoryBytes: null, sms: 38 },
];

export const DEFAULT_DEVICE_ID = 'h100';

/** Finds a device in the catalogue plus any user-defined or calibrated ones. */
export function findDevice(id: string, extra: readonly Device[] = []): Device | undefined {
  const key = id.toLowerCase();
  return extra.find((d) => d.id.toLowerCase() === key) ?? DEVICES.find((d) => d.id === key);
}

/**
 * The peak that applies to a GEMM-class op in this dtype. fp32 runs on SIMT units unless the code
 * enables TF32 (then `tf32` is passed); fp16/bf16 run on tensor cores. Falls back to fp16 for bf16
 * and to fp32 where a unit is missing, as the hardware would.
 */
export function peakFor(device: Device, dtype: DType): number {
  switch (dtype) {
    case 'fp16':
    case 'fp8':
      return device.peak.fp16;
    case 'bf16':
      return device.peak.bf16 ?? device.peak.fp32;
    case 'tf32':
      return device.peak.tf32 ?? device.peak.fp32;
    case 'fp64':
      return device.peak.fp64 ?? device.peak.fp32 / 2;
    default:
      return device.peak.fp32;
  }
}

/** Ridge point (FLOP/byte) for a dtype: below it an op is memory-bound. */
export function ridgePoint(device: Device, dtype: DType): number {
  return peakFor(device, dtype) / device.bandwidth;
}

/** Interconnect presets (docs/devices.md), byte/s per direction per GPU, and per-hop latency. */
export interface Interconnect {
  id: string;
  name: string;
  bandwidth: number;
  latencySeconds: number;
}

export const INTERCONNECTS: readonly Interconnect[] = [
  { id: 'nvlink', name: 'NVLink 4 (H100)', bandwidth: 450 * GB, latencySeconds: 2e-6 },
  { id: 'pcie', name: 'PCIe 4.0 x16', bandwidth: 25 * GB, latencySeconds: 5e-6 },
  { id: 'infiniband', name: 'InfiniBand NDR (per port)', bandwidth: 50 * GB, latencySeconds: 5e-6 },
];
