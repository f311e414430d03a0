/// <reference types="@webgpu/types" />
/**
 * What every op module shares: the child's context, timing with progress, the input generator,
 * the output check and the assembly of the BenchResult.
 */
import { Gpu, pipeline as compile } from '../harness/gpu';
import { Normalized } from '../harness/request';
import { Recorder, Timed, timeRuns } from '../harness/timing';
import { BenchError, BenchProgress, BenchResult } from '../harness/types';
import { CheckResult, checkOutput, toleranceFor } from '../harness/verify';

export interface Ctx {
  gpu: Gpu;
  progress(p: BenchProgress): void;
}

export function requireF16(ctx: Ctx, req: Normalized): void {
  if (req.dtype === 'f16' && !ctx.gpu.hasF16) {
    throw new BenchError('unsupported',
      `this adapter (${ctx.gpu.adapterInfo.description || ctx.gpu.adapterInfo.vendor}) lacks the 'shader-f16' feature, so f16 kernels cannot run; use --dtype f32`);
  }
}

const cache = new Map<string, Promise<GPUComputePipeline>>();
/** Compiles each distinct WGSL source once per child. */
export function pipelineFor(ctx: Ctx, code: string, label: string): Promise<GPUComputePipeline> {
  let p = cache.get(code);
  if (!p) {
    p = compile(ctx.gpu.device, code, label);
    cache.set(code, p);
  }
  return p;
}

export async function time(ctx: Ctx, req: Normalized, record: Recorder): Promise<Timed> {
  ctx.progress({ stage: 'warmup', message: 'warming up', fraction: 0.2 });
  return timeRuns(ctx.gpu.device, record, {
    useTimestamps: ctx.gpu.hasTimestamps && req.timing === 'auto',
    repeats: req.repeats,
    warmup: req.warmup,
    timeBudgetMs: req.timeBudgetMs,
    onProgress: (stage, done, total) =>
      ctx.progress({
        stage,
        message: `${stage === 'warmup' ? 'warm-up' : 'timed run'} ${done}/${total}`,
        fraction: stage === 'warmup' ? 0.2 : 0.25 + (0.55 * done) / total,
      }),
  });
}

/** Checks the output, after the `perturb` test hook (if set) has corrupted one element. */
export function check(req: Normalized, got: Float32Array, ref: ArrayLike<number>, scale: ArrayLike<number>): CheckResult {
  if (req.debug === 'perturb' && got.length > 0) {
    const i = got.length - 1;
    got[i] = got[i] + 0.5 * Math.max(Math.abs(scale[i]), 1) + 1;
  }
  return checkOutput(got, ref, scale, toleranceFor(req.dtype, req.op, req.variant));
}

export interface Outcome {
  timed: Timed;
  check: CheckResult;
  /** Whether the check covered every output element. */
  complete: boolean;
  totalElements: number;
  flops: number;
  bytes: number;
  notes?: string[];
}

export function result(ctx: Ctx, req: Normalized, o: Outcome, extra: Partial<BenchResult> = {}): BenchResult {
  const seconds = o.timed.medianMs / 1e3;
  const notes = [...o.timed.notes, ...(o.notes ?? [])];
  if (!o.complete) notes.push(`checked ${o.check.checked} of ${o.totalElements} output elements (CPU reference over budget; pass --verify full to check all)`);
  if (!o.check.ok && o.check.firstFailure) {
    const f = o.check.firstFailure;
    notes.push(`output mismatch: checked element ${f.index} is ${f.got}, reference ${f.want} (relative error ${f.relError.toExponential(2)})`);
  }
  return {
    op: req.op,
    m: req.m,
    k: req.k,
    n: req.n,
    batch: req.batch,
    dtype: req.dtype,
    adapter: ctx.gpu.adapterInfo,
    medianMs: o.timed.medianMs,
    minMs: o.timed.minMs,
    repeats: o.timed.repeats,
    gflops: o.flops / seconds / 1e9,
    gbps: o.bytes / seconds / 1e9,
    verified: o.check.ok && o.complete,
    maxRelError: o.check.maxRelError,
    timing: o.timed.timing,
    predicted: null,
    variant: req.variant,
    flops: o.flops,
    bytes: o.bytes,
    tolerance: toleranceFor(req.dtype, req.op, req.variant),
    checkedElements: o.check.checked,
    totalElements: o.totalElements,
    ...extra,
    ...(notes.length ? { notes } : {}),
  };
}
