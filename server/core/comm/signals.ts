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
  };
}
