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
  /**
   * Measured by calibration on the local device only: the time of a dispatch that does almost
   * nothing (added to every kernel's time), and per GEMM shape class (`square`, `tall-skinny`,
   * `batched`) the fraction of the peak its tuned kernel reaches on a compute-bound shape.
   * Absent: 0 and 1.
   */
  launchOverheadS?: number;
  gemmEfficiency?: Record<string, number>;
  /**
   * Per GEMM shape class, the byte/s its tuned kernel streams on a memory-bound shape, where that
   * differs from what the copy kernel (`bandwidth`) reaches; it replaces `bandwidth` in the
   * memory term of that class's predictions. `gemmEfficiency` then scales the compute term only.
   */
  gemmBandwidth?: Record<string, number>;
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
  // Integrated and laptop GPUs, where browser code (TF.js, ONNX Runtime Web) usually runs.
  // Intel Iris Xe, 96 EUs, as in the Core i7-1185G7. Intel ARK (i7-1185G7): 96 execution units,
  // graphics max dynamic frequency 1.35 GHz, memory DDR4-3200 or LPDDR4x-4267 on 2 channels.
  // Intel's oneAPI GPU Optimization Guide (Xe-LP): an EU does 8 FP32 and 16 FP16 operations per
  // clock, each an FMA of 2 FLOP (Intel's Hot Chips 2020 talk: 96 EUs, 1536 32-bit ops/clock).
  // Intel publishes no TFLOP/s figure for this SKU, so the peak is derived: 96 · 16 · 1.35 GHz =
  // 2.07 TFLOP/s FP32, 4.15 FP16. Memory is the CPU's, shared: LPDDR4x-4267 on a 128-bit bus =
  // 4267 MT/s · 16 B = 68.3 GB/s (Intel publishes no bandwidth figure here either). The 6 dual
  // sub-slices of 16 EUs (oneAPI guide) play the part of SMs.
  { id: 'iris-xe', name: 'Intel Iris Xe (96 EU)', peak: { fp32: 2.07 * T, tf32: null, fp16: 4.15 * T, bf16: null }, bandwidth: 68.3 * GB, memoryBytes: null, sms: 6, notes: 'integrated; memory shared with the CPU; peak derived from EUs and clock' },
  // Apple M1, 8-core GPU. Apple's M1 announcement (newsroom, 10 Nov 2020) gives 2.6 TFLOP/s and
  // 128 execution units, without naming the precision; Apple publishes neither the clock nor the
  // bandwidth. The figure matches FP32 derived from the GPU's 1024 ALUs (8 cores · 128) · 2 FLOP
  // per FMA · 1.278 GHz = 2.62 TFLOP/s (clock and per-ALU rates measured in philipturner/
  // metal-benchmarks, which also measured FP16 at the FP32 rate on this GPU). Bandwidth derived
  // from the LPDDR4X-4266 memory on a 128-bit bus: 4266 MT/s · 16 B = 68.25 GB/s, consistent with
  // Apple's M2 announcement (2022) calling M2's 100 GB/s "50 percent more than M1".
  { id: 'm1', name: 'Apple M1 (8-core GPU)', peak: { fp32: 2.6 * T, tf32: null, fp16: 2.6 * T, bf16: null }, bandwidth: 68.25 * GB, memoryBytes: null, sms: 8, notes: 'unified memory; bandwidth derived from the memory type' },
  // NVIDIA GeForce RTX 3060 Laptop GPU (NVIDIA's laptop specifications: 3840 CUDA cores, boost
  // up to 1703 MHz at the highest TGP, 6 GB GDDR6 on 192 bits at 14 Gbps = 336 GB/s; 30 SMs).
  // FP32 3840 · 2 · 1.703 GHz = 13.1 TFLOP/s; tensor cores per the Ampere GA10x whitepaper:
  // 512 dense FP16 FLOP/clock/SM with FP32 accumulate (26.2 TFLOP/s), TF32 half that.
  { id: 'rtx3060-laptop', name: 'NVIDIA RTX 3060 Laptop GPU', peak: { fp32: 13.1 * T, tf32: 13.1 * T, fp16: 26.2 * T, bf16: 26.2 * T }, bandwidth: 336 * GB, memoryBytes: 6 * GB, sms: 30, notes: 'boost clock at the highest TGP; fp16/bf16 tensor peak with fp32 accumulate' },
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
