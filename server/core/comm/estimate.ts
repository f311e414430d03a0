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
import { Bindings, Poly } from '../symbolic';
import { DDP_BUCKET_BYTES, HOROVOD_FUSION_BYTES } from './collectives';
import { DEFAULT_GPUS_PER_NODE, LinkChoice, linkPlan } from './links';
import { DataParallelConfig, ScalingRow, powersOfTwo, scalingAt } from './scaling';
import { ClassParams, DistModelCall, DistScaling, DistSignals, DistSync, readDistSignals } from './signals';

/** Shared thresholds (documented on TC601, which owns them). */
export const DIST_DEFAULTS: Record<string, number> = {
  'dist.mfu': 0.5,
  'dist.gpusPerNode': DEFAULT_GPUS_PER_NODE,
  'dist.minSyncMs': 1,
};

/** The dim every world-size value of the code is (the Python frontend's distributedFacts.ts). */
const WORLD_SIZE_DIM = 'world_size';
const WORLD_DIMS = [WORLD_SIZE_DIM, 'WORLD_SIZE', 'ddp_world_size', 'num_gpus', 'n_gpus', 'ngpus'];
const BATCH_DIMS = ['batch_size', 'micro_batch_size', 'per_device_train_batch_size', 'B', 'batch', 'bs'];
const SEQ_DIMS = ['block_size', 'seq_len', 'seqlen', 'sequence_length', 'max_seq_len', 'context_length', 'n_ctx', 'T'];

export interface DistEstimate {
  /** The configured world size D (settings, else a `world_size` dim). */
  ranks: number;
  /**
   * Whether D is the `worldSize` setting, a value the code or a dims binding gives, or unset: the
   * code only reads it at run time (`dist.get_world_size()`) and nothing binds it, so D is 1.
   */
  ranksFrom: 'setting' | 'code' | 'unset';
  /** The line where the code launches D ranks (`mp.spawn(nprocs=4)`), when D comes from there. */
  ranksAt?: number;
  /** Products with the world size that scale the learning rate or the batch (TC602). */
  scaling: DistScaling[];
  sync: DistSync;
  signals: DistSignals;
  modelClass: string;
  params: number;
  paramsFormula: string;
  /** Fields of the model the syntactic count could not size: `params` is a lower bound. */
  paramsUncounted?: string[];
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

/** ` (batch 256 // world_size = 32 per rank at D=8)`, or ` (batch 32)` when D does not enter it. */
function batchText(batch: Poly, value: number, ranks: number): string {
  const formula = batch.toString().replace(/^\((.*)\)$/, '$1').replace(/\/\//g, ' // ');
  return batch.freeSymbols().size > 0 ? ` (batch ${formula} = ${value.toLocaleString('en-US')} per rank at D=${ranks})` : ` (batch ${value.toLocaleString('en-US')} per rank)`;
}

function firstBound(bindings: Bindings, names: string[]): number | undefined {
  for (const n of names) {
    const v = bindings.get(n);
    if (v !== undefined && v > 0) return v;
  }
  return undefined;
}

/**
 * The synchronised model: the class the wrapped variable was built from, else the largest model
 * the training code calls, else the largest root class of this file. Its parameters are the
 * interpreter's count of the object the training code calls (the model as its constructor ran:
 * layers appended in a loop, a config dataclass handed over as `c`), else the syntactic count of
 * this file's classes. The syntactic count wins where the user rebinds a dim it is symbolic in
 * (`# tensorcost: dims n_layer=6`, the `dims` setting): the interpreter built the model with the
 * config's own defaults, the formula follows the binding. A count of 0 or one in unbound dims never
 * hides a count that gives a number.
 */
function pickModel(s: DistSignals, sync: DistSync, bindings: Bindings, rebound: ReadonlySet<string>): ClassParams | undefined {
  const size = (p: { params: Poly }) => p.params.evaluate(bindings) ?? -1;
  const counted = (cls: string | undefined) => s.params.find((p) => p.cls === cls);
  const called = s.modelCalls.filter((c): c is DistModelCall & { params: Poly; tensors: Poly } => !!c.params && !!c.tensors);
  const fromCall = (c: DistModelCall & { params: Poly; tensors: Poly }): ClassParams => {
    const formula = counted(c.cls);
    const usable = formula && size(formula) > 0 ? formula : undefined;
    const built = { cls: c.cls, params: c.params, tensors: c.tensors, constructs: formula?.constructs ?? [], ...(c.uncounted ? { uncounted: c.uncounted } : {}) };
    if (usable && [...usable.params.freeSymbols()].some((d) => rebound.has(d))) return usable;
    return size(c) > 0 ? built : usable ?? formula ?? built;
  };
  const named = called.filter((c) => c.cls === sync.modelClass).sort((a, b) => size(b) - size(a))[0];
  if (named) return fromCall(named);
  const byName = counted(sync.modelClass);
  if (byName) return byName;
  if (called.length) return fromCall([...called].sort((a, b) => size(b) - size(a))[0]);
  const constructed = new Set(s.params.flatMap((p) => p.constructs));
  const roots = s.params.filter((p) => !constructed.has(p.cls));
  return [...roots].sort((a, b) => size(b) - size(a))[0];
}

/**
 * The model's training call as the interpreter ran it, at D ranks: the call of the model with the
 * most forward FLOPs per gradient sync (the training step inside its accumulation loop, not an
 * evaluation of the same batch), its batch per rank (`batch_size // world_size` bound at D) and
 * tokens. Undefined when no call of it was followed.
 */
function trainingCall(s: DistSignals, cls: string, at: Bindings): { call: DistModelCall; flops: number; batch?: number; tokens?: number } | undefined {
  let best: { call: DistModelCall; flops: number; batch?: number; tokens?: number; perSync: number; micro: boolean } | undefined;
  for (const call of s.modelCalls) {
    if (call.cls !== cls) continue;
    const flops = call.flops.evaluate(at) ?? 0;
    const batch = call.batch?.evaluate(at) ?? undefined;
    const tokens = call.tokens?.evaluate(at) ?? undefined;
    if (!(flops > 0) && !(tokens && tokens > 0)) continue;
    const micro = accumulation(s, call, at);
    const perSync = Math.max(flops, tokens ?? 0) * (micro?.trips ?? 1);
    if (perSync === 0) continue;
    // Equal figures: the call inside an accumulation loop is the training step (an evaluation
    // of the same batch elsewhere is not).
    if (!best || perSync > best.perSync || (perSync === best.perSync && micro && !best.micro)) best = { call, flops, perSync, micro: !!micro, ...(batch && batch > 0 ? { batch } : {}), ...(tokens && tokens > 0 ? { tokens } : {}) };
  }
  return best;
}

/** The innermost gradient-accumulation loop around the training call, with its trips at D. */
function accumulation(s: DistSignals, call: DistModelCall, at: Bindings): { trips: number; line: number } | undefined {
  const pos = (p: { line: number; character: number }) => p.line * 1e6 + p.character;
  const around = s.accumulation.filter((a) => a.path === call.path && pos(a.range.start) <= pos(call.range.start) && pos(call.range.end) <= pos(a.range.end));
  around.sort((a, b) => pos(b.range.start) - pos(a.range.start));
  for (const a of around) {
    const trips = a.trips.evaluate(at);
    // 0 trips: at this D the loop never runs (nanoGPT's 40 // 64), and neither does the step.
    if (trips !== null && Number.isFinite(trips) && trips >= 0) return { trips: Math.floor(trips), line: a.range.start.line + 1 };
  }
  return undefined;
}

/**
 * Products with the world size that scale a learning rate or the batch: the syntactic ones
 * (`lr = base_lr * world_size` with a constant `world_size`), and those the interpreter saw
 * multiply a value by the world size itself (`args.learning_rate * accelerator.num_processes`,
 * `lr *= hvd.size()`): a float hyperparameter (at most 1, as learning rates are) is a learning
 * rate; an int is the batch when it is the batch the model is fed per rank.
 */
function scalingSites(s: DistSignals, perRankBatch: Poly | undefined, at: Bindings): DistScaling[] {
  const out: DistScaling[] = [...s.scaling];
  const key = (r: DistScaling['range']) => `${r.start.line}:${r.start.character}`;
  const have = new Set(out.map((x) => key(x.range)));
  const batch = perRankBatch?.evaluate(at) ?? undefined;
  for (const f of s.worldScale) {
    let target: DistScaling['target'] | undefined;
    if (f.kind === 'float' && (f.value === undefined || (f.value > 0 && f.value <= 1))) target = 'lr';
    else if (f.kind === 'int' && f.factor && perRankBatch && (f.factor.equals(perRankBatch) || (batch !== undefined && f.factor.evaluate(at) === batch))) target = 'batch';
    if (!target || have.has(key(f.range))) continue;
    have.add(key(f.range));
    out.push({ target, text: f.text, range: f.range });
  }
  return out.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
}

export function estimateDistributed(ir: FileIR, device: Device, settings: Settings, bindings: Bindings): DistResult {
  const s = readDistSignals(ir.signals);
  const sync = s.sync.find((x) => x.kind !== 'all_reduce' || x.onGradients) ?? s.sync[0];
  if (!sync) return { ok: false, reason: 'no gradient synchronisation (DDP, FSDP, Horovod, Accelerate, all_reduce) in this file' };
  // Dims the user binds (settings, `# tensorcost: dims`), as opposed to the code's own defaults.
  const rebound = new Set([...Object.keys(settings.dims), ...(ir.facts.directiveDims?.keys() ?? [])]);
  const model = pickModel(s, sync, bindings, rebound);
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
  // The setting wins; else a world size the code gives by API (`init_process_group(world_size=4)`,
  // `mp.spawn(..., nprocs=4)`); else a bound `world_size` dim.
  const launched = settings.worldSize > 1 ? undefined : Math.max(0, ...s.worldSize.map((w) => w.value));
  const ranks = launched && launched > 1 ? launched : worldSize(settings, bindings);
  // D = 1 the user chose (a dims binding) is a world size; D = 1 because the frontend bound the
  // `world_size` the code reads at run time to the setting's default of 1 is none.
  const userBindsWorld = WORLD_DIMS.some((k) => k in settings.dims || ir.facts.directiveDims?.has(k));
  // Figures per rank: a batch the code divides by the world size is bound at D.
  const atRanks = new Map(bindings).set(WORLD_SIZE_DIM, ranks);
  const run = trainingCall(s, model.cls, atRanks);
  const idle = s.modelCalls.map((c) => (c.cls === model.cls ? accumulation(s, c, atRanks) : undefined)).find((a) => a?.trips === 0);
  if (idle) return { ok: false, reason: `at D=${ranks} the gradient-accumulation loop at line ${idle.line} runs 0 times: the training step never runs` };
  let forwardFlops: number;
  let source: string;
  if (run) {
    // What the interpreter counted for the training call, and never less than 2·N per token fed.
    const dense = run.tokens !== undefined ? 2 * params * run.tokens : 0;
    forwardFlops = Math.max(run.flops, dense);
    const perRank = run.call.batch && run.batch !== undefined ? batchText(run.call.batch, run.batch, ranks) : '';
    const where = `the call at ${run.call.path ? `${run.call.path.split('/').pop()}:` : 'line '}${run.call.range.start.line + 1}${perRank}`;
    source = run.flops >= dense ? `${model.cls} as the interpreter ran ${where}` : `2·N per token × ${run.tokens!.toLocaleString('en-US')} tokens fed to ${where}`;
    // Gradient accumulation: the gradients of `trips` micro-batches are synchronised once.
    const micro = accumulation(s, run.call, atRanks);
    if (micro && micro.trips > 1) {
      forwardFlops *= micro.trips;
      source += `, × ${micro.trips} micro-batches per sync (gradient accumulation, line ${micro.line})`;
    }
  } else {
    const summary = ir.functions.find((f) => f.name === `${model.cls}.forward`);
    const counted = summary?.flops.evaluate(atRanks) ?? null;
    const batch = firstBound(bindings, BATCH_DIMS);
    const seq = firstBound(bindings, SEQ_DIMS);
    const tokens = batch !== undefined ? batch * (seq ?? 1) : undefined;
    const dense = tokens !== undefined ? 2 * params * tokens : 0;
    forwardFlops = Math.max(counted ?? 0, dense);
    if (!(forwardFlops > 0)) return { ok: false, reason: `the forward FLOPs of ${model.cls} are unknown; bind the batch (${BATCH_DIMS.slice(0, 2).join(' or ')}) and sequence (${SEQ_DIMS.slice(0, 2).join(' or ')}) dims` };
    source =
      counted !== null && counted >= dense
        ? `${model.cls}.forward as counted`
        : `2·N per token × ${tokens!.toLocaleString('en-US')} tokens (${batch}${seq ? ` × ${seq}` : ''})${counted ? `, more than the ${counted.toExponential(2)} FLOP counted in ${model.cls}.forward` : ''}`;
  }
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
  return {
    ok: true,
    estimate: {
      ranks,
      ranksFrom: settings.worldSize > 1 ? 'setting' : (launched && launched > 1) || ranks > 1 || userBindsWorld ? 'code' : 'unset',
      ...(launched && launched > 1 ? { ranksAt: s.worldSize.find((w) => w.value === launched)!.range.start.line + 1 } : {}),
      scaling: scalingSites(s, run?.call.batch, atRanks),
      sync,
      signals: s,
      modelClass: model.cls,
      params,
      paramsFormula: model.params.toString(),
      ...(model.uncounted ? { paramsUncounted: model.uncounted } : {}),
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
