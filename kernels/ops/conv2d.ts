/**
 * conv2d, NCHW, [cout][cin][kh][kw] weights, no bias. FLOPs 2·N·cout·cin·kh·kw·hOut·wOut.
 * Ideal bytes (docs/cost-model.md): input + weights + output for `direct`; `im2col` adds its patch matrix
 * (N·hOut·wOut × cin·kh·kw elements), written once and read once.
 */
import { fillRandom, randomValues, toFloats } from '../harness/fill';
import { bindGroup, grid1d, pipeline, preflight, readBack, storageBuffer, uniformBuffer } from '../harness/gpu';
import { dtypeBytes, Normalized } from '../harness/request';
import { computePass } from '../harness/timing';
import { BenchResult } from '../harness/types';
import { rowsToCheck } from '../harness/verify';
import { conv2dReference, ConvShape } from '../reference/conv2d';
import { directConvWgsl, im2colWgsl } from '../wgsl/conv2d';
import { check, Ctx, requireF16, result, time } from './common';
import { pickRows } from './gemm';
import { prepareGemm } from './gemmKernel';

export function convShape(req: Normalized): ConvShape {
  const c = req.conv!;
  return {
    batch: req.batch, ...c,
    hOut: Math.floor((c.h + 2 * c.pad - c.kh) / c.stride) + 1,
    wOut: Math.floor((c.w + 2 * c.pad - c.kw) / c.stride) + 1,
  };
}

export function conv2dCost(req: Normalized): { flops: number; bytes: number } {
  const s = convShape(req);
  const eb = dtypeBytes(req.dtype);
  const K = s.cin * s.kh * s.kw;
  const P = s.hOut * s.wOut;
  const direct = eb * (s.batch * s.cin * s.h * s.w + s.cout * K + s.batch * s.cout * P);
  const col = eb * s.batch * P * K;
  return { flops: 2 * s.batch * s.cout * K * P, bytes: req.variant === 'im2col' ? direct + 2 * col : direct };
}

export async function runConv2d(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  requireF16(ctx, req);
  const s = convShape(req);
  const { dtype } = req;
  const eb = dtypeBytes(dtype);
  const device = ctx.gpu.device;
  const K = s.cin * s.kh * s.kw;
  const P = s.hOut * s.wOut;
  const xN = s.batch * s.cin * s.h * s.w;
  const wN = s.cout * K;
  const yN = s.batch * s.cout * P;
  const colN = s.batch * K * P;
  preflight(device, [
    { label: `input (${s.batch}×${s.cin}×${s.h}×${s.w} ${dtype})`, bytes: xN * eb },
    { label: `weights (${s.cout}×${s.cin}×${s.kh}×${s.kw} ${dtype})`, bytes: wN * eb },
    { label: `output (${s.batch}×${s.cout}×${s.hOut}×${s.wOut} ${dtype})`, bytes: yN * eb },
    ...(req.variant === 'im2col' ? [{ label: `im2col matrix (${s.batch}×${K}×${P} ${dtype})`, bytes: colN * eb }] : []),
  ]);
  ctx.progress({ stage: 'fill', message: 'filling inputs with random values', fraction: 0.05 });
  const x = await storageBuffer(device, xN * eb, 'input');
  const w = await storageBuffer(device, wN * eb, 'weights');
  const y = await storageBuffer(device, yN * eb, 'output');
  await fillRandom(device, x, xN, dtype, req.seed);
  await fillRandom(device, w, wN, dtype, req.seed + 1);
  const params = [s.batch, s.cin, s.h, s.w, s.cout, s.kh, s.kw, s.stride, s.pad, s.hOut, s.wOut];

  ctx.progress({ stage: 'compile', message: 'compiling the kernels', fraction: 0.1 });
  let record: (pass: GPUComputePassEncoder) => void;
  if (req.variant === 'direct') {
    const pipe = await pipeline(device, directConvWgsl(dtype), 'conv2d-direct');
    const bg = bindGroup(device, pipe, [x, w, y, uniformBuffer(device, [...params, yN])]);
    const [gx, gy] = grid1d(device, Math.ceil(yN / 64));
    record = (pass) => {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(gx, gy);
    };
  } else {
    const col = await storageBuffer(device, colN * eb, 'im2col matrix');
    const pipe = await pipeline(device, im2colWgsl(dtype), 'im2col');
    const bg = bindGroup(device, pipe, [x, col, uniformBuffer(device, [...params, colN])]);
    const [gx, gy] = grid1d(device, Math.ceil(colN / 256));
    // out[n] (cout × P) = W (cout × K, shared by every image) · colT[n] (K × P).
    const gemm = await prepareGemm(ctx, {
      dtype, variant: 'tiled', m: s.cout, k: K, n: P, batch: s.batch, strideA: 0, strideB: K * P, strideC: s.cout * P,
    }, w, col, y);
    record = (pass) => {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(gx, gy);
      gemm(pass);
    };
  }
  const timed = await time(ctx, req, (enc, ts) => computePass(enc, ts, record));

  ctx.progress({ stage: 'verify', message: 'checking the output against the CPU reference', fraction: 0.85 });
  const got = toFloats(await readBack(device, y, yN * eb), yN, dtype);
  const sel = rowsToCheck(s.batch * s.cout, K * P, req.verifyBudget, req.verify === 'full');
  const { ref, scale } = conv2dReference(randomValues(xN, dtype, req.seed), randomValues(wN, dtype, req.seed + 1), s, sel.rows);
  return result(ctx, req, {
    timed, check: check(req, pickRows(got, sel.rows, P), ref, scale), complete: sel.complete,
    totalElements: yN, ...conv2dCost(req),
  }, { conv: { ...req.conv!, hOut: s.hOut, wOut: s.wOut } });
}
