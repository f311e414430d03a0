/**
 * The same GEMM through TF.js's WebGPU backend (@tensorflow/tfjs-backend-webgpu), on the same
 * device and the same shader-filled input buffers (wrapped zero-copy, so TF.js never uploads
 * from the CPU, which would hit the lavapipe copy crash at 1 MiB), checked against the same CPU
 * reference. Each run is timed with TF.js's own profiler (tf.time: timestamp queries around each
 * of its programs, summed) when the adapter has timestamps, which is what our kernels use too;
 * otherwise from the matMul call until the queue drains.
 */
import { fillRandom, randomValues } from '../harness/fill';
import { preflight, storageBuffer } from '../harness/gpu';
import { dtypeBytes, Normalized } from '../harness/request';
import { median, quietly } from '../harness/timing';
import { BenchError, BenchResult } from '../harness/types';
import { rowsToCheck } from '../harness/verify';
import { gemmReference } from '../reference/gemm';
import { check, Ctx, result } from './common';
import { gemmCost, pickRows } from './gemm';

// Minimal typings of the parts of TF.js used here (its own typings pull in DOM-only types).
interface TfTensor { dispose(): void; data(): Promise<Float32Array> }
interface Tf {
  registerBackend(name: string, factory: () => unknown, priority?: number): boolean;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  env(): { set(flag: string, value: unknown): void };
  tensor(values: { buffer: GPUBuffer; zeroCopy?: boolean }, shape: number[], dtype: 'float32'): TfTensor;
  matMul(a: TfTensor, b: TfTensor): TfTensor;
  time(f: () => void): Promise<{ kernelMs: number | null; getExtraProfileInfo?: () => string }>;
}
interface TfBackend { endComputePassEncoder(): void; submitQueue(): void }

export async function runTfjsGemm(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  if (req.dtype !== 'f32') throw new BenchError('unsupported', 'TF.js has no float16 tensors; the tfjs variant runs f32 only');
  let tf: Tf;
  let WebGPUBackend: new (device: GPUDevice, info?: GPUAdapterInfo) => TfBackend;
  try {
    tf = require('@tensorflow/tfjs-core') as Tf;
    ({ WebGPUBackend } = require('@tensorflow/tfjs-backend-webgpu') as { WebGPUBackend: typeof WebGPUBackend });
  } catch (e) {
    throw new BenchError('unsupported', `TF.js is not installed: ${(e as Error).message}`);
  }
  const device = ctx.gpu.device;
  // The backend checks navigator.gpu, which Node does not define.
  const g = globalThis as { navigator?: { gpu?: GPU } };
  if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: {}, configurable: true, writable: true });
  g.navigator!.gpu = ctx.gpu.instance;
  const backend = new WebGPUBackend(device, ctx.gpu.adapter.info);
  // Kernels are registered under the name 'webgpu'. The package registers its own 'webgpu'
  // backend (with a device of its own) only if navigator.gpu existed when it was required, which
  // it did not, so the name is free for a backend on our device.
  tf.registerBackend('webgpu', () => backend, 10);
  // Keep every op on the GPU: TF.js otherwise runs small ops on the CPU.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  await tf.setBackend('webgpu');
  await tf.ready();

  const { m, k, n, batch } = req;
  const eb = dtypeBytes(req.dtype);
  preflight(device, [
    { label: `A (${batch}×${m}×${k} f32)`, bytes: batch * m * k * eb },
    { label: `B (${batch}×${k}×${n} f32)`, bytes: batch * k * n * eb },
    { label: `C (${batch}×${m}×${n} f32)`, bytes: batch * m * n * eb },
  ]);
  const a = await storageBuffer(device, batch * m * k * eb, 'A');
  const b = await storageBuffer(device, batch * k * n * eb, 'B');
  await fillRandom(device, a, batch * m * k, 'f32', req.seed);
  await fillRandom(device, b, batch * k * n, 'f32', req.seed + 1);
  await device.queue.onSubmittedWorkDone();
  const shapeA = req.op === 'bmm' ? [batch, m, k] : [m, k];
  const shapeB = req.op === 'bmm' ? [batch, k, n] : [k, n];
  const ta = tf.tensor({ buffer: a, zeroCopy: true }, shapeA, 'float32');
  const tb = tf.tensor({ buffer: b, zeroCopy: true }, shapeB, 'float32');

  const useTimestamps = ctx.gpu.hasTimestamps && req.timing === 'auto';
  let programs = '';
  const once = async (): Promise<number> => {
    if (useTimestamps) {
      let c: TfTensor | undefined;
      // Timestamps time the kernels, so the wait may sleep (as ours does: harness/timing.ts).
      const info = await quietly(tf.time(() => {
        c = tf.matMul(ta, tb);
      }));
      c?.dispose();
      programs = info.getExtraProfileInfo?.() ?? '';
      return info.kernelMs ?? NaN;
    }
    const t0 = performance.now();
    const c = tf.matMul(ta, tb);
    backend.endComputePassEncoder();
    backend.submitQueue();
    await device.queue.onSubmittedWorkDone();
    const ms = performance.now() - t0;
    c.dispose();
    return ms;
  };
  ctx.progress({ stage: 'warmup', message: 'warming up TF.js', fraction: 0.2 });
  const first = await once();
  const warmup = req.warmup ?? (first > 1000 ? 0 : 2);
  for (let i = 0; i < warmup; i++) await once();
  const repeats = req.repeats ?? Math.max(3, Math.min(30, Math.floor(req.timeBudgetMs / Math.max(first, 0.01))));
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    times.push(await once());
    ctx.progress({ stage: 'timing', message: `timed run ${r + 1}/${repeats}`, fraction: 0.25 + (0.55 * (r + 1)) / repeats });
  }

  ctx.progress({ stage: 'verify', message: 'checking the output against the CPU reference', fraction: 0.85 });
  const c = tf.matMul(ta, tb);
  const got = await c.data();
  const sel = rowsToCheck(batch * m, k * n, req.verifyBudget, req.verify === 'full');
  const { ref, scale } = gemmReference(
    randomValues(batch * m * k, 'f32', req.seed), randomValues(batch * k * n, 'f32', req.seed + 1),
    { m, k, n, strideA: m * k, strideB: k * n }, sel.rows);
  return result(ctx, req, {
    timed: { medianMs: median(times), minMs: Math.min(...times), repeats, timing: useTimestamps ? 'timestamp-query' : 'queue', notes: [] },
    check: check(req, pickRows(Float32Array.from(got), sel.rows, n), ref, scale), complete: sel.complete,
    totalElements: batch * m * n, ...gemmCost(req),
    notes: [`TF.js WebGPU backend 4.22.0 on the same device and inputs${programs ? ` (programs: ${programs})` : ''}`],
  });
}
