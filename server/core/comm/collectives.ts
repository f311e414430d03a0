/**
 * Collective communication costs (docs/cost-model.md), in the α–β model NCCL's performance notes use.
 *
 * A ring all-reduce of S bytes over D ranks moves 2(D−1)/D · S bytes through every rank's link
 * (a reduce-scatter then an all-gather, each (D−1)/D · S) and takes 2(D−1) sequential steps, each
 * paying the link latency α:
 *
 *   t_allreduce(S, D) = 2(D−1)/D · S/BW + 2(D−1)·α
 *   t_reducescatter(S, D) = t_allgather(S, D) = (D−1)/D · S/BW + (D−1)·α
 *
 * The bandwidth term tends to 2·S/BW as D grows and does not shrink: a gradient all-reduce is not
 * "O(log D) rounds" (a mistake docs/cost-model.md lists). Only the latency term grows with D, linearly for a
 * ring, and it is small next to the bandwidth term for gradient-sized messages.
 *
 * NCCL reports the same model through its bus bandwidth: algbw = S/t, and
 * busbw = algbw · 2(D−1)/D for all-reduce, algbw · (D−1)/D for reduce-scatter / all-gather, so
 * that busbw is comparable with the link's bandwidth whatever D is.
 */

/** The link a collective runs over: bandwidth per direction per GPU (byte/s) and per-step latency (s). */
export interface Link {
  bandwidth: number;
  latencySeconds: number;
}

export type CollectiveKind = 'all_reduce' | 'reduce_scatter' | 'all_gather';

export interface CollectiveTime {
  seconds: number;
  /** The β term: bytes each rank sends over its link divided by the bandwidth. */
  bandwidthSeconds: number;
  /** The α term: sequential ring steps times the link latency (per message, times the messages). */
  latencySeconds: number;
  /** Bytes each rank sends (and receives) in all. */
  bytesPerRank: number;
}

/** The fraction of S that crosses each rank's link: 2(D−1)/D for all-reduce, (D−1)/D otherwise. */
export function busFactor(kind: CollectiveKind, ranks: number): number {
  if (ranks <= 1) return 0;
  const f = (ranks - 1) / ranks;
  return kind === 'all_reduce' ? 2 * f : f;
}

/** Sequential ring steps of one collective: 2(D−1) for all-reduce, D−1 otherwise. */
export function ringSteps(kind: CollectiveKind, ranks: number): number {
  if (ranks <= 1) return 0;
  return kind === 'all_reduce' ? 2 * (ranks - 1) : ranks - 1;
}

/**
 * Time of a ring collective over `bytes` split into `messages` equal messages (DDP buckets, one
 * message per parameter tensor when nothing buckets them). Splitting does not change the bytes;
 * each message pays the ring's latency again.
 */
export function collectiveTime(kind: CollectiveKind, bytes: number, ranks: number, link: Link, messages = 1): CollectiveTime {
  if (ranks <= 1 || bytes <= 0) return { seconds: 0, bandwidthSeconds: 0, latencySeconds: 0, bytesPerRank: 0 };
  const bytesPerRank = busFactor(kind, ranks) * bytes;
  const bandwidthSeconds = bytesPerRank / link.bandwidth;
  const latencySeconds = Math.max(1, messages) * ringSteps(kind, ranks) * link.latencySeconds;
  return { seconds: bandwidthSeconds + latencySeconds, bandwidthSeconds, latencySeconds, bytesPerRank };
}

export const ringAllReduce = (bytes: number, ranks: number, link: Link, messages = 1) => collectiveTime('all_reduce', bytes, ranks, link, messages);
export const reduceScatter = (bytes: number, ranks: number, link: Link, messages = 1) => collectiveTime('reduce_scatter', bytes, ranks, link, messages);
export const allGather = (bytes: number, ranks: number, link: Link, messages = 1) => collectiveTime('all_gather', bytes, ranks, link, messages);

/** NCCL's algorithm bandwidth: message bytes over elapsed time. */
export function algBandwidth(bytes: number, seconds: number): number {
  return bytes / seconds;
}

/** NCCL's bus bandwidth: algbw scaled by the collective's bus factor (nccl-tests PERFORMANCE.md). */
export function busBandwidth(kind: CollectiveKind, bytes: number, seconds: number, ranks: number): number {
  return algBandwidth(bytes, seconds) * busFactor(kind, ranks);
}

/** PyTorch DDP's default gradient bucket: `bucket_cap_mb=25`, i.e. 25 MiB. */
export const DDP_BUCKET_BYTES = 25 * 1024 * 1024;

/** Horovod's default tensor-fusion buffer (HOROVOD_FUSION_THRESHOLD): 64 MiB. */
export const HOROVOD_FUSION_BYTES = 64 * 1024 * 1024;

/** Number of all-reduce messages when gradients are packed into buckets of `bucketBytes`. */
export function bucketCount(bytes: number, bucketBytes: number): number {
  if (bytes <= 0) return 0;
  if (!(bucketBytes > 0) || !Number.isFinite(bucketBytes)) return 1;
  return Math.ceil(bytes / bucketBytes);
}
