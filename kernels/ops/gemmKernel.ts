/// <reference types="@webgpu/types" />
/**
 * Prepares a (batched) GEMM dispatch for the op modules: GEMM and BMM themselves, the GEMM half
 * of im2col convolution and both GEMMs of materialised attention.
 */
import { bindGroup, checkGrid, uniformBuffer } from '../harness/gpu';
import { naiveGemmWgsl, tiledGemmWgsl, TILE_M, TILE_N } from '../wgsl/gemm';
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
    // vec4 access needs every row (and every batch offset) to start on a multiple of 4 elements.
    const vecA = g.k % 4 === 0 && g.strideA % 4 === 0;
    const vecB = (transB ? g.k % 4 === 0 : g.n % 4 === 0) && g.strideB % 4 === 0;
    const vecC = g.n % 4 === 0 && g.strideC % 4 === 0;
    code = tiledGemmWgsl({ dtype: g.dtype, transB, vecA, vecB, vecC });
    counts = [Math.ceil(g.n / TILE_N), Math.ceil(g.m / TILE_M), g.batch];
  }
  checkGrid(device, counts);
  const pipe = await pipelineFor(ctx, code, `gemm-${g.variant}`);
  const params = uniformBuffer(device, [g.m, g.k, g.n, g.strideA, g.strideB, g.strideC, g.alpha ?? 1, 32], [6]);
  const bg = bindGroup(device, pipe, [a, b, c, params]);
  return (pass) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...counts);
  };
}
