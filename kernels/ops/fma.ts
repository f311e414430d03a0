/**
 * The compute probe: m threads each run FMA_CHAINS independent vec4 chains a = a·b + c for k
 * steps, so FLOPs = m·k·FMA_CHAINS·4·2 and memory traffic is one f32 per thread. With b = 1/2
 * and c = 1/4 every chain converges to 1/2 whatever its start, which the CPU reproduces exactly;
 * the kernel cannot know that, since b and c arrive in a uniform buffer.
 */
import { bindGroup, grid1d, pipeline, preflight, readBack, storageBuffer, uniformBuffer } from '../harness/gpu';
import { Normalized } from '../harness/request';
import { computePass } from '../harness/timing';
import { BenchResult } from '../harness/types';
import { FMA_CHAINS, fmaChainWgsl } from '../wgsl/probes';
import { check, Ctx, requireF16, result, time } from './common';

const B = 0.5;
const C = 0.25;

/** The chain in the dtype's precision: f32 rounding via Math.fround; f16 chains end at 1/2 too. */
function expected(threads: number, iters: number): Float64Array {
  const perX = new Float64Array(1024);
  for (let xi = 0; xi < 1024; xi++) {
    const x = xi / 1024;
    let total = 0;
    for (let c = 0; c < FMA_CHAINS; c++) {
      for (const a0 of [x + c, x - c, x * 0.5, x + 0.25]) {
        let a = Math.fround(a0);
        for (let t = 0; t < iters; t++) a = Math.fround(Math.fround(a * B) + C);
        total += a;
      }
    }
    perX[xi] = total;
  }
  const out = new Float64Array(threads);
  for (let i = 0; i < threads; i++) out[i] = perX[i % 1024];
  return out;
}

export async function runFma(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  requireF16(ctx, req);
  const device = ctx.gpu.device;
  const threads = req.m;
  preflight(device, [{ label: `probe output (${threads} f32)`, bytes: threads * 4 }]);
  const out = await storageBuffer(device, threads * 4, 'probe output');
  ctx.progress({ stage: 'compile', message: 'compiling the kernel', fraction: 0.1 });
  const pipe = await pipeline(device, fmaChainWgsl(req.dtype, req.variant === 'chain8' ? 8 : 1), `fma-${req.variant}`);
  const bg = bindGroup(device, pipe, [out, uniformBuffer(device, [threads, req.k, B, C], [2, 3])]);
  const [gx, gy] = grid1d(device, Math.ceil(threads / 64));
  const timed = await time(ctx, req, (enc, ts) => computePass(enc, ts, (pass) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(gx, gy);
  }));
  ctx.progress({ stage: 'verify', message: 'checking the probe output', fraction: 0.85 });
  const got = new Float32Array(await readBack(device, out, threads * 4), 0, threads);
  const want = expected(threads, req.k);
  const scale = want.map((w) => Math.max(Math.abs(w), 1));
  return result(ctx, req, {
    timed, check: check(req, got, want, scale), complete: true, totalElements: threads,
    flops: threads * req.k * FMA_CHAINS * 4 * 2, bytes: threads * 4,
  });
}
