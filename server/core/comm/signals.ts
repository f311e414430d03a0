/**
 * The shapes of the `dist.*` entries a frontend writes into `FileIR.signals` (the Python one in
 * server/frontends/python/distributed.ts), read by the communication estimate and TC601–TC603.
 * They live in the core so that rules never import a frontend.
 */
import { Range } from '../ir';
import { Poly } from '../symbolic';

export type SyncKind = 'ddp' | 'fsdp' | 'horovod' | 'accelerate' | 'deepspeed' | 'all_reduce';

export interface DistSync {
  kind: SyncKind;
  name: string;
  range: Range;
  /** The wrapped model variable (`DDP(model)` → 'model') and the user class it was built from. */
  model?: string;
  modelClass?: string;
  /** `bucket_cap_mb=` as bytes when given literally. */
  bucketBytes?: number;
  /** A hand-written all-reduce inside a loop: one message per parameter tensor. */
  perTensor?: boolean;
  /** The all-reduced expression mentions a gradient. */
  onGradients?: boolean;
}

export interface DistCompression {
  kind: 'powersgd' | 'fp16' | 'bf16' | 'custom';
  name: string;
  range: Range;
}

export interface DistScaling {
  target: 'lr' | 'batch';
  text: string;
  range: Range;
  /**
   * The command-line flag the scaling waits for, when it sits in a branch that a default run does
   * not take (`if args.scale_lr:` with `action="store_true"`): `--scale_lr`, as the script spells it.
   */
  optIn?: string;
}

/**
 * A call of a user model from a training function or top-level code, as the interpreter ran it
 * (server/frontends/python/distributedFacts.ts): the forward FLOPs of that one call and the batch
 * it was given, symbolic in dims such as `world_size` until bound.
 */
export interface DistModelCall {
  cls: string;
  flops: Poly;
  /** Leading dim of the first tensor the model is given. */
  batch?: Poly;
  /** B·T when the model is given token ids (B, T). */
  tokens?: Poly;
  /** Trainable parameters and parameter tensors of the model object called, where known. */
  params?: Poly;
  tensors?: Poly;
  /** Fields called as modules that the count found nothing in: `params` is a lower bound. */
  uncounted?: string[];
  range: Range;
  /** The file of `range` when it is not the analysed file (a call in an imported module). */
  path?: string;
}

/** A product with the world size: of a float (a learning rate) or of an int (`factor`). */
export interface DistWorldScale {
  kind: 'float' | 'int';
  text: string;
  range: Range;
  value?: number;
  factor?: Poly;
}

/** A gradient-accumulation loop: `trips` forward/backward passes per optimizer step (and sync). */
export interface DistAccumulation {
  trips: Poly;
  range: Range;
  path?: string;
}

/** A world size the code gives by API (`init_process_group(world_size=4)`, `mp.spawn(nprocs=4)`). */
export interface DistWorldSize {
  value: number;
  range: Range;
  path?: string;
}

export interface DistSite {
  name: string;
  range: Range;
  /** Pipeline stages and micro-batches (`chunks=`) when given literally. */
  stages?: number;
  microBatches?: number;
}

export interface DistDtype {
  dtype: string;
  range: Range;
}

export interface ClassParams {
  cls: string;
  params: Poly;
  /** Parameter tensors: one message each when gradients are synchronised unbucketed. */
  tensors: Poly;
  /** User classes this class's `__init__` constructs (a model's root constructs, nobody constructs it). */
  constructs: string[];
  /**
   * Fields its methods call as modules whose parameters the count could not size (a module passed
   * to `__init__`, a library layer): `params` is then a lower bound.
   */
  uncounted?: string[];
}

export interface DistSignals {
  sync: DistSync[];
  compression: DistCompression[];
  scaling: DistScaling[];
  tensorParallel: DistSite[];
  pipeline: DistSite[];
  autocast: DistDtype[];
  paramDtype: DistDtype[];
  params: ClassParams[];
  modelCalls: DistModelCall[];
  worldScale: DistWorldScale[];
  accumulation: DistAccumulation[];
  worldSize: DistWorldSize[];
}

export function readDistSignals(signals: Record<string, unknown[]>): DistSignals {
  const get = <T>(k: string) => (signals[`dist.${k}`] ?? []) as T[];
  return {
    sync: get('sync'),
    compression: get('compression'),
    scaling: get('scaling'),
    tensorParallel: get('tensorParallel'),
    pipeline: get('pipeline'),
    autocast: get('autocast'),
    paramDtype: get('paramDtype'),
    params: get('params'),
    modelCalls: get('modelCalls'),
    worldScale: get('worldScale'),
    accumulation: get('accumulation'),
    worldSize: get('worldSize'),
  };
}
