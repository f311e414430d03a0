/// <reference types="@webgpu/types" />
/**
 * Prepares a (batched) GEMM dispatch for the op modules: GEMM and BMM themselves, the GEMM half
 * of im2col convolution and both GEMMs of materialised attention.
 */
import { bindGroup, checkGrid, uniformBuffer } from '../harness/gpu';
import { naiveGemmWgsl, tiledGemmWgsl } from '../wgsl/gemm';
import { configLabel, configProblem, DEFAULT_GEMM, GemmConfig } from '../wgsl/gemmConfig';
import { BenchError } from '../harness/types';
import { Ctx, pipelineFor } from './common';

export interface GemmDispatch {
  dtype: 'f32' | 'f16';
  variant: 'tiled' | 'naive';
  m: number;
  k: number;
  n: number;
  batch: number;
  strideA: number;
  strideB: number;
  strideC: number;
  transB?: boolean;
  alpha?: number;
  /** The tiled kernel's parameters (the tuned winner, a candidate, or DEFAULT_GEMM). */
  config?: GemmConfig;
}

/** Returns a function that records the GEMM into a compute pass. */
export async function prepareGemm(ctx: Ctx, g: GemmDispatch, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): Promise<(pass: GPUComputePassEncoder) => void> {
  const device = ctx.gpu.device;
  const transB = g.transB ?? false;
  let code: string;
  let counts: [number, number, number];
  if (g.variant === 'naive') {
    code = naiveGemmWgsl({ dtype: g.dtype, transB });
    counts = [Math.ceil(g.n / 16), Math.ceil(g.m / 16), g.batch];
  } else {
    const config = g.config ?? DEFAULT_GEMM;
    const problem = configProblem(config, {
      invocations: device.limits.maxComputeInvocationsPerWorkgroup,
      workgroupBytes: device.limits.maxComputeWorkgroupStorageSize,
    });
    if (problem) throw new BenchError('unsupported', `GEMM kernel ${configLabel(config)} does not fit this adapter: ${problem}`);
    if (transB && config.stage === 'none') throw new BenchError('internal', 'the unstaged GEMM kernel reads row-major B only');
    // vec4 access needs every row (and every batch offset) to start on a multiple of 4 elements.
    const v = config.vec4;
    const vecA = v && g.k % 4 === 0 && g.strideA % 4 === 0;
    const vecB = v && (transB ? g.k % 4 === 0 : g.n % 4 === 0) && g.strideB % 4 === 0;
    const vecC = v && g.n % 4 === 0 && g.strideC % 4 === 0;
    if (config.subgroup && config.subgroup !== ctx.gpu.subgroupSize) {
      throw new BenchError('unsupported', `GEMM kernel ${configLabel(config)} needs subgroups of ${config.subgroup} lanes; this adapter's are ${ctx.gpu.subgroupSize ?? 'unavailable or of varying size'}`);
    }
    // The subgroup path steps k by the subgroup size; other k run the plain unstaged code.
    const subgroup = config.subgroup && g.k % config.subgroup === 0 ? config.subgroup : undefined;
    code = tiledGemmWgsl({ dtype: g.dtype, transB, vecA, vecB, vecC, config, subgroup });
    counts = [Math.ceil(g.n / config.tileN), Math.ceil(g.m / config.tileM), g.batch];
  }
  checkGrid(device, counts);
  const pipe = await pipelineFor(ctx, code, `gemm-${g.variant}`);
  const tileK = g.variant === 'naive' ? 0 : (g.config ?? DEFAULT_GEMM).tileK;
  const params = uniformBuffer(device, [g.m, g.k, g.n, g.strideA, g.strideB, g.strideC, g.alpha ?? 1, tileK], [6]);
  const bg = bindGroup(device, pipe, [a, b, c, params]);
  return (pass) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...counts);
  };
}
