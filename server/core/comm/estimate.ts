/**
 * The data-parallel estimate of one file: which model is synchronised, how many gradient bytes,
 * how long one step computes, and what the sync costs at D ranks on the configured interconnect.
 * TC601–TC603 and the scaling table of the hover all read this one object, so they agree.
 *
 * Compute per step = 3 × forward FLOPs (backward ≈ 2× forward, docs/cost-model.md) at `dist.mfu` of the
 * dtype's peak. Forward FLOPs are the model's `forward` total where the engine could count it,
 * and never less than 2·N per token (every dense parameter is one multiply-accumulate per token,
 * Kaplan et al. 2020), which covers layers the engine does not model yet.
 */
import { Device, peakFor } from '../devices';
import { DType, DTYPE_BYTES, isDType } from '../dtypes';
import { FileIR } from '../ir';
import { Settings } from '../settings';
import { Bindings } from '../symbolic';
import { DDP_BUCKET_BYTES, HOROVOD_FUSION_BYTES } from './collectives';
import { DEFAULT_GPUS_PER_NODE, LinkChoice, linkPlan } from './links';
import { DataParallelConfig, ScalingRow, powersOfTwo, scalingAt } from './scaling';
import { ClassParams, DistSignals, DistSync, readDistSignals } from './signals';

/** Shared thresholds (documented on TC601, which owns them). */
export const DIST_DEFAULTS: Record<string, number> = {
  'dist.mfu': 0.5,
  'dist.gpusPerNode': DEFAULT_GPUS_PER_NODE,
};

const WORLD_DIMS = ['world_size', 'WORLD_SIZE', 'ddp_world_size', 'num_gpus', 'n_gpus', 'ngpus'];
const BATCH_DIMS = ['batch_size', 'micro_batch_size', 'per_device_train_batch_size', 'B', 'batch', 'bs'];
const SEQ_DIMS = ['block_size', 'seq_len', 'seqlen', 'sequence_length', 'max_seq_len', 'context_length', 'n_ctx', 'T'];

export interface DistEstimate {
  /** The configured world size D (settings, else a `world_size` dim). */
  ranks: number;
  sync: DistSync;
  signals: DistSignals;
  modelClass: string;
  params: number;
  paramsFormula: string;
  gradDtype: DType;
  gradBytes: number;
  compute: {
    forwardFlops: number;
    stepFlops: number;
    seconds: number;
    dtype: DType;
    peak: number;
    mfu: number;
    /** Where the forward figure came from, said in messages. */
    source: string;
  };
  /** Fraction of gradient bytes sent; null when a hook compresses by an amount not modelled (PowerSGD). */
  compression: number | null;
  compressionKind?: string;
  config: DataParallelConfig;
  /** The sync at the configured D; null at D = 1. */
  at: ScalingRow | null;
  linkAt(ranks: number): LinkChoice;
  table(ranks?: readonly number[]): ScalingRow[];
}

export type DistResult = { ok: true; estimate: DistEstimate } | { ok: false; reason: string };

export function distThreshold(settings: Settings, key: string, fallback?: number): number {
  const v = settings.thresholds[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  return DIST_DEFAULTS[key] ?? fallback ?? NaN;
}

export function worldSize(settings: Settings, bindings: Bindings): number {
  if (settings.worldSize > 1) return settings.worldSize;
  for (const k of WORLD_DIMS) {
    const v = bindings.get(k);
    if (v !== undefined && Number.isInteger(v) && v >= 1) return v;
  }
  return 1;
}

function firstBound(bindings: Bindings, names: string[]): number | undefined {
  for (const n of names) {
    const v = bindings.get(n);
    if (v !== undefined && v > 0) return v;
  }
  return undefined;
}

/** The synchronised model: the class the wrapped variable was built from, else the largest root. */
function pickModel(s: DistSignals, sync: DistSync, bindings: Bindings): ClassParams | undefined {
  const byName = s.params.find((p) => p.cls === sync.modelClass);
  if (byName) return byName;
  const constructed = new Set(s.params.flatMap((p) => p.constructs));
  const roots = s.params.filter((p) => !constructed.has(p.cls));
  const size = (p: ClassParams) => p.params.evaluate(bindings) ?? -1;
  return [...roots].sort((a, b) => size(b) - size(a))[0];
}

export function estimateDistributed(ir: FileIR, device: Device, settings: Settings, bindings: Bindings): DistResult {
  const s = readDistSignals(ir.signals);
  const sync = s.sync.find((x) => x.kind !== 'all_reduce' || x.onGradients) ?? s.sync[0];
  if (!sync) return { ok: false, reason: 'no gradient synchronisation (DDP, FSDP, Horovod, Accelerate, all_reduce) in this file' };
  const model = pickModel(s, sync, bindings);
  if (!model) return { ok: false, reason: 'no model class with parameters found in this file' };
  const params = model.params.evaluate(bindings);
  if (params === null || params <= 0) {
    const free = model.params.substitute(bindings).freeSymbols();
    return { ok: false, reason: `parameters of ${model.cls} are \`${model.params.toString()}\`; bind ${[...free].join(', ')} to get numbers` };
  }
  const castTo = s.paramDtype[0]?.dtype;
  const gradDtype: DType = castTo && isDType(castTo) ? castTo : 'fp32';
  const gradBytes = params * DTYPE_BYTES[gradDtype];

  const autocast = s.autocast[0]?.dtype;
  const dtype: DType = autocast && isDType(autocast) ? autocast : castTo && isDType(castTo) ? castTo : ir.facts.defaultDtype ?? settings.defaultDtype;
  const summary = ir.functions.find((f) => f.name === `${model.cls}.forward`);
  const counted = summary?.flops.evaluate(bindings) ?? null;
  const batch = firstBound(bindings, BATCH_DIMS);
  const seq = firstBound(bindings, SEQ_DIMS);
  const tokens = batch !== undefined ? batch * (seq ?? 1) : undefined;
  const dense = tokens !== undefined ? 2 * params * tokens : 0;
  const forwardFlops = Math.max(counted ?? 0, dense);
  if (!(forwardFlops > 0)) return { ok: false, reason: `the forward FLOPs of ${model.cls} are unknown; bind the batch (${BATCH_DIMS.slice(0, 2).join(' or ')}) and sequence (${SEQ_DIMS.slice(0, 2).join(' or ')}) dims` };
  const source =
    counted !== null && counted >= dense
      ? `${model.cls}.forward as counted`
      : `2·N per token × ${tokens!.toLocaleString('en-US')} tokens (${batch}${seq ? ` × ${seq}` : ''})${counted ? `, more than the ${counted.toExponential(2)} FLOP counted in ${model.cls}.forward` : ''}`;
  const mfu = distThreshold(settings, 'dist.mfu');
  const peak = peakFor(device, dtype);
  const stepFlops = 3 * forwardFlops;
  const seconds = stepFlops / (peak * mfu);

  const hooks = s.compression;
  const perElement = DTYPE_BYTES[gradDtype];
  let compression: number | null = 1;
  if (hooks.length) compression = hooks.every((h) => h.kind === 'fp16' || h.kind === 'bf16') ? Math.min(1, 2 / perElement) : null;
  const tensors = model.tensors.evaluate(bindings);
  const linkAt = linkPlan(settings.interconnect, distThreshold(settings, 'dist.gpusPerNode'));
  const config: DataParallelConfig = {
    gradBytes,
    computeSeconds: seconds,
    strategy: sync.kind === 'fsdp' ? 'fsdp' : 'all_reduce',
    bucketBytes: sync.bucketBytes ?? (sync.kind === 'horovod' ? HOROVOD_FUSION_BYTES : sync.kind === 'all_reduce' ? Infinity : DDP_BUCKET_BYTES),
    messages: sync.kind === 'all_reduce' && sync.perTensor && tensors !== null && tensors > 0 ? tensors : undefined,
    compression: compression ?? 1,
    linkFor: linkAt,
  };
  const ranks = worldSize(settings, bindings);
  return {
    ok: true,
    estimate: {
      ranks,
      sync,
      signals: s,
      modelClass: model.cls,
      params,
      paramsFormula: model.params.toString(),
      gradDtype,
      gradBytes,
      compute: { forwardFlops, stepFlops, seconds, dtype, peak, mfu, source },
      compression,
      compressionKind: hooks[0]?.kind,
      config,
      at: ranks > 1 ? scalingAt(config, ranks) : null,
      linkAt,
      table: (r = powersOfTwo()) => r.map((d) => scalingAt(config, d)),
    },
  };
}
