/**
 * The bandwidth probe: copies m elements (read once, written once: 2·m·dtype bytes) with a
 * shader, or with copyBufferToBuffer. The source is always written by a shader (the fill
 * kernel): a CPU-written copy source of 1 MiB or more crashes Dawn on lavapipe.
 */
import { fillRandom, randomValues, toFloats } from '../harness/fill';
import { bindGroup, grid1d, padded, pipeline, preflight, readBack, storageBuffer, uniformBuffer } from '../harness/gpu';
import { dtypeBytes, Normalized } from '../harness/request';
import { computePass, TimestampSlot } from '../harness/timing';
import { BenchResult } from '../harness/types';
import { copyWgsl } from '../wgsl/probes';
import { check, Ctx, requireF16, result, time } from './common';

export async function runCopy(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  requireF16(ctx, req);
  const device = ctx.gpu.device;
  const bytes = req.m * dtypeBytes(req.dtype);
  preflight(device, [{ label: `copy buffer (${req.m} ${req.dtype})`, bytes }]);
  ctx.progress({ stage: 'fill', message: 'filling the source with random values', fraction: 0.05 });
  const src = await storageBuffer(device, bytes, 'source');
  const dst = await storageBuffer(device, bytes, 'destination');
  await fillRandom(device, src, req.m, req.dtype, req.seed);
  const size = padded(bytes);

  let record: (enc: GPUCommandEncoder, ts: TimestampSlot | null) => void;
  if (req.variant === 'copyBufferToBuffer') {
    // Timestamps can only sit on passes, so two empty passes bracket the copy.
    record = (enc, ts) => {
      if (ts) enc.beginComputePass({ timestampWrites: { querySet: ts.querySet, endOfPassWriteIndex: ts.begin } }).end();
      enc.copyBufferToBuffer(src, 0, dst, 0, size);
      if (ts) enc.beginComputePass({ timestampWrites: { querySet: ts.querySet, beginningOfPassWriteIndex: ts.end } }).end();
    };
  } else {
    ctx.progress({ stage: 'compile', message: 'compiling the kernel', fraction: 0.1 });
    const pipe = await pipeline(device, copyWgsl(), 'copy');
    const words = size / 16;
    const bg = bindGroup(device, pipe, [src, dst, uniformBuffer(device, [words])]);
    const [gx, gy] = grid1d(device, Math.ceil(words / 256));
    record = (enc, ts) => computePass(enc, ts, (pass) => {
      pass.setPipeline(pipe);
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(gx, gy);
    });
  }
  const timed = await time(ctx, req, record);

  ctx.progress({ stage: 'verify', message: 'checking the copy', fraction: 0.85 });
  const got = toFloats(await readBack(device, dst, bytes), req.m, req.dtype);
  const want = randomValues(req.m, req.dtype, req.seed);
  const scale = new Float32Array(req.m).fill(1);
  return result(ctx, req, {
    timed, check: check(req, got, want, scale), complete: true, totalElements: req.m,
    flops: 0, bytes: 2 * bytes,
  });
}
