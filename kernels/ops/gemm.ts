/**
 * GEMM and batched GEMM (bmm): C[b] = A[b]·B[b], A [m][k], B [k][n], row-major.
 * FLOPs 2·batch·m·k·n; ideal bytes dtype·batch·(mk + kn + mn) (docs/cost-model.md).
 */
import { fillRandom, randomValues } from '../harness/fill';
import { preflight, readBack, storageBuffer } from '../harness/gpu';
import { dtypeBytes, Normalized } from '../harness/request';
import { computePass, Recorder, Timed } from '../harness/timing';
import { BenchResult } from '../harness/types';
import { toFloats } from '../harness/fill';
import { rowsToCheck } from '../harness/verify';
import { gemmReference } from '../reference/gemm';
import { check, Ctx, requireF16, result, time } from './common';
import { prepareGemm } from './gemmKernel';
import { configLabel, DEFAULT_GEMM } from '../wgsl/gemmConfig';

export function gemmCost(req: Normalized): { flops: number; bytes: number } {
  const { m, k, n, batch } = req;
  return { flops: 2 * batch * m * k * n, bytes: dtypeBytes(req.dtype) * batch * (m * k + k * n + m * n) };
}

export async function runGemm(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  requireF16(ctx, req);
  const { m, k, n, batch, dtype } = req;
  const eb = dtypeBytes(dtype);
  const device = ctx.gpu.device;
  preflight(device, [
    { label: `A (${batch}×${m}×${k} ${dtype})`, bytes: batch * m * k * eb },
    { label: `B (${batch}×${k}×${n} ${dtype})`, bytes: batch * k * n * eb },
    { label: `C (${batch}×${m}×${n} ${dtype})`, bytes: batch * m * n * eb },
  ]);
  ctx.progress({ stage: 'fill', message: 'filling inputs with random values', fraction: 0.05 });
  const a = await storageBuffer(device, batch * m * k * eb, 'A');
  const b = await storageBuffer(device, batch * k * n * eb, 'B');
  const c = await storageBuffer(device, batch * m * n * eb, 'C');
  await fillRandom(device, a, batch * m * k, dtype, req.seed);
  await fillRandom(device, b, batch * k * n, dtype, req.seed + 1);

  ctx.progress({ stage: 'compile', message: 'compiling the kernel', fraction: 0.1 });
  const tiled = req.variant !== 'naive';
  const config = tiled ? req.kernel ?? DEFAULT_GEMM : undefined;
  const record = await prepareGemm(ctx, {
    dtype, variant: tiled ? 'tiled' : 'naive', m, k, n, batch,
    strideA: m * k, strideB: k * n, strideC: m * n, config,
  }, a, b, c);
  const run: Recorder = (enc, ts) => computePass(enc, ts, record);

  // The output is checked before anything is timed: a wrong kernel (a bad tuning candidate
  // above all) must never get a time that calibration could pick.
  ctx.progress({ stage: 'verify', message: 'checking the output against the CPU reference', fraction: 0.15 });
  const t0 = performance.now();
  const enc = device.createCommandEncoder();
  run(enc, null);
  device.queue.submit([enc.finish()]);
  const got = toFloats(await readBack(device, c, batch * m * n * eb), batch * m * n, dtype);
  const firstMs = performance.now() - t0;
  const sel = rowsToCheck(batch * m, k * n, req.verifyBudget, req.verify === 'full');
  const av = randomValues(batch * m * k, dtype, req.seed);
  const bv = randomValues(batch * k * n, dtype, req.seed + 1);
  const { ref, scale } = gemmReference(av, bv, { m, k, n, strideA: m * k, strideB: k * n }, sel.rows);
  const checked = check(req, pickRows(got, sel.rows, n), ref, scale);
  // The kernel that ran: a uniform-B config gives way to its fallback on shapes it cannot take.
  const ran = record.config ?? config;
  const kernel = ran ? { kernel: configLabel(ran), kernelConfig: ran } : {};
  const timed: Timed = checked.ok
    ? await time(ctx, req, run)
    : { medianMs: firstMs, minMs: firstMs, repeats: 1, timing: 'queue', notes: ['not timed: the output did not match the CPU reference (the time is the checked run, read-back included)'] };
  return result(ctx, req, {
    timed, check: checked, complete: sel.complete,
    totalElements: batch * m * n, ...gemmCost(req),
  }, kernel);
}

/** The elements of the chosen rows, in the order the reference produced them. */
export function pickRows(all: Float32Array, rows: number[], width: number): Float32Array {
  if (rows.length * width === all.length) return all;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => out.set(all.subarray(r * width, (r + 1) * width), i * width));
  return out;
}
