/**
 * Data-parallel scaling: gradient synchronisation time against compute time per step, for
 * D = 1, 2, 4, ..., 1024 ranks (docs/cost-model.md). Weak scaling: each rank keeps its per-GPU batch, so its
 * compute per step is the same at every D and only the synchronisation grows.
 *
 * Two efficiencies bracket what real frameworks achieve:
 * - no overlap: step = compute + comm, efficiency = compute / (compute + comm);
 * - overlapped with the backward pass (DDP and Horovod start all-reducing finished buckets while
 *   backward runs): step = forward + max(backward, comm), with backward ≈ 2/3 of the step.
 */
import { DDP_BUCKET_BYTES, Link, allGather, bucketCount, reduceScatter, ringAllReduce } from './collectives';

/** How gradients are synchronised: an all-reduce (DDP, Horovod, manual) or FSDP/ZeRO-3 sharding. */
export type SyncStrategy = 'all_reduce' | 'fsdp';

export interface DataParallelConfig {
  /** Bytes of gradients synchronised per step (parameters × gradient dtype bytes). */
  gradBytes: number;
  /** Compute (forward + backward) of one step on one rank, seconds. */
  computeSeconds: number;
  strategy: SyncStrategy;
  /** Bytes per message: DDP's bucket (25 MiB), Horovod's fusion buffer; Infinity for one message. */
  bucketBytes: number;
  /** When set, the number of messages regardless of size (one per parameter tensor, unbucketed). */
  messages?: number;
  /** Fraction of gradient bytes actually sent (0.5 for an fp16 compression hook on fp32 grads). */
  compression: number;
  /** The link the ring's slowest hop uses at D ranks. */
  linkFor(ranks: number): Link;
}

export interface ScalingRow {
  ranks: number;
  commSeconds: number;
  bandwidthSeconds: number;
  latencySeconds: number;
  /** comm / compute. */
  ratio: number;
  efficiency: number;
  efficiencyOverlapped: number;
  link: Link;
}

/** Backward ≈ 2× forward for GEMMs, so backward is 2/3 of a training step (docs/cost-model.md). */
export const BACKWARD_FRACTION = 2 / 3;

export function syncTime(c: DataParallelConfig, ranks: number) {
  const link = c.linkFor(ranks);
  const bytes = c.gradBytes * c.compression;
  const messages = c.messages ?? bucketCount(bytes, c.bucketBytes);
  if (c.strategy === 'fsdp') {
    // ZeRO-3: parameters are all-gathered for forward and again for backward, gradients are
    // reduce-scattered: 3 · (D−1)/D · S, i.e. 1.5× the bytes of DDP's all-reduce.
    const ag = allGather(c.gradBytes, ranks, link, messages);
    const rs = reduceScatter(bytes, ranks, link, messages);
    return {
      link,
      seconds: 2 * ag.seconds + rs.seconds,
      bandwidthSeconds: 2 * ag.bandwidthSeconds + rs.bandwidthSeconds,
      latencySeconds: 2 * ag.latencySeconds + rs.latencySeconds,
    };
  }
  const ar = ringAllReduce(bytes, ranks, link, messages);
  return { link, seconds: ar.seconds, bandwidthSeconds: ar.bandwidthSeconds, latencySeconds: ar.latencySeconds };
}

export function scalingAt(c: DataParallelConfig, ranks: number): ScalingRow {
  const t = syncTime(c, ranks);
  const compute = c.computeSeconds;
  const forward = compute * (1 - BACKWARD_FRACTION);
  const backward = compute * BACKWARD_FRACTION;
  return {
    ranks,
    commSeconds: t.seconds,
    bandwidthSeconds: t.bandwidthSeconds,
    latencySeconds: t.latencySeconds,
    ratio: compute > 0 ? t.seconds / compute : Infinity,
    efficiency: compute > 0 ? compute / (compute + t.seconds) : 0,
    efficiencyOverlapped: compute > 0 ? compute / (forward + Math.max(backward, t.seconds)) : 0,
    link: t.link,
  };
}

/** D = 1, 2, 4, ..., up to `max` (1024 by default). */
export function powersOfTwo(max = 1024): number[] {
  const out: number[] = [];
  for (let d = 1; d <= max; d *= 2) out.push(d);
  return out;
}

export function scalingTable(c: DataParallelConfig, ranks: readonly number[] = powersOfTwo()): ScalingRow[] {
  return ranks.map((d) => scalingAt(c, d));
}

export const DEFAULT_BUCKET_BYTES = DDP_BUCKET_BYTES;
