/**
 * Scaled dot-product attention forward (non-causal). FLOPs 4·BH·lq·lk·d (the two GEMMs; the
 * softmax is "other" work, docs/cost-model.md). Ideal bytes: Q, K, V read and O written; the materialised
 * path adds the lq×lk score matrix per head, written once and read once.
 */
import { fillRandom, randomValues, toFloats } from '../harness/fill';
import { bindGroup, checkGrid, grid1d, pipeline, preflight, readBack, storageBuffer, uniformBuffer } from '../harness/gpu';
import { dtypeBytes, Normalized } from '../harness/request';
import { computePass } from '../harness/timing';
import { BenchResult } from '../harness/types';
import { rowsToCheck } from '../harness/verify';
import { attentionReference } from '../reference/attention';
import { flashAttentionWgsl, softmaxRowsWgsl } from '../wgsl/attention';
import { check, Ctx, requireF16, result, time } from './common';
import { pickRows } from './gemm';
import { prepareGemm } from './gemmKernel';

export function attentionCost(req: Normalized): { flops: number; bytes: number } {
  const { batch: bh, m: lq, n: lk, k: d } = req;
  const eb = dtypeBytes(req.dtype);
  const io = eb * bh * (2 * lq * d + 2 * lk * d);
  const scores = req.variant === 'materialized' ? 2 * eb * bh * lq * lk : 0;
  return { flops: 4 * bh * lq * lk * d, bytes: io + scores };
}

export async function runAttention(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  requireF16(ctx, req);
  const { batch: bh, m: lq, n: lk, k: d, dtype } = req;
  const eb = dtypeBytes(dtype);
  const device = ctx.gpu.device;
  const qN = bh * lq * d;
  const kN = bh * lk * d;
  preflight(device, [
    { label: `Q (${bh}×${lq}×${d} ${dtype})`, bytes: qN * eb },
    { label: `K and V (${bh}×${lk}×${d} ${dtype})`, bytes: kN * eb },
    ...(req.variant === 'materialized' ? [{ label: `scores (${bh}×${lq}×${lk} ${dtype})`, bytes: bh * lq * lk * eb }] : []),
  ]);
  ctx.progress({ stage: 'fill', message: 'filling inputs with random values', fraction: 0.05 });
  const q = await storageBuffer(device, qN * eb, 'Q');
  const k = await storageBuffer(device, kN * eb, 'K');
  const v = await storageBuffer(device, kN * eb, 'V');
  const o = await storageBuffer(device, qN * eb, 'O');
  await fillRandom(device, q, qN, dtype, req.seed);
  await fillRandom(device, k, kN, dtype, req.seed + 1);
  await fillRandom(device, v, kN, dtype, req.seed + 2);
  const scale = 1 / Math.sqrt(d);

  ctx.progress({ stage: 'compile', message: 'compiling the kernels', fraction: 0.1 });
  let record: (pass: GPUComputePassEncoder) => void;
  if (req.variant === 'flash') {
    const pipe = await pipeline(device, flashAttentionWgsl(dtype, d), 'flash-attention');
    const bg = bindGroup(device, pipe, [q, k, v, o, uniformBuffer(device, [lq, lk, scale, 0], [2])]);
    const counts: [number, number] = [Math.ceil(lq / 64), bh];
    checkGrid(device, counts);
    record = (pass) => {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(...counts);
    };
  } else {
    const sBuf = await storageBuffer(device, bh * lq * lk * eb, 'scores');
    const scores = await prepareGemm(ctx, {
      dtype, variant: 'tiled', m: lq, k: d, n: lk, batch: bh, strideA: lq * d, strideB: lk * d, strideC: lq * lk,
      transB: true, alpha: scale,
    }, q, k, sBuf);
    const sm = await pipeline(device, softmaxRowsWgsl(dtype), 'softmax');
    const smBg = bindGroup(device, sm, [sBuf, uniformBuffer(device, [bh * lq, lk, 0, 0])]);
    const [gx, gy] = grid1d(device, bh * lq);
    const pv = await prepareGemm(ctx, {
      dtype, variant: 'tiled', m: lq, k: lk, n: d, batch: bh, strideA: lq * lk, strideB: lk * d, strideC: lq * d,
    }, sBuf, v, o);
    record = (pass) => {
      scores(pass);
      pass.setPipeline(sm);
      pass.setBindGroup(0, smBg);
      pass.dispatchWorkgroups(gx, gy);
      pv(pass);
    };
  }
  const timed = await time(ctx, req, (enc, ts) => computePass(enc, ts, record));

  ctx.progress({ stage: 'verify', message: 'checking the output against the CPU reference', fraction: 0.85 });
  const got = toFloats(await readBack(device, o, qN * eb), qN, dtype);
  const sel = rowsToCheck(bh * lq, 2 * lk * d, req.verifyBudget, req.verify === 'full');
  const ref = attentionReference(
    randomValues(qN, dtype, req.seed), randomValues(kN, dtype, req.seed + 1), randomValues(kN, dtype, req.seed + 2),
    { bh, lq, lk, d }, sel.rows);
  return result(ctx, req, {
    timed, check: check(req, pickRows(got, sel.rows, d), ref.ref, ref.scale), complete: sel.complete,
    totalElements: qN, ...attentionCost(req),
  });
}
