/// <reference types="@webgpu/types" />
/**
 * Prepares a (batched) GEMM dispatch for the op modules: GEMM and BMM themselves, the GEMM half
 * of im2col convolution and both GEMMs of materialised attention.
 */
import { bindGroup, checkGrid, grid1d, uniformBuffer } from '../harness/gpu';
import { naiveGemmWgsl, tiledGemmWgsl } from '../wgsl/gemm';
import { configLabel, configProblem, DEFAULT_GEMM, GemmConfig, uniformFallback } from '../wgsl/gemmConfig';
import { packPanelsWgsl, uniformGemmWgsl, UniformPlan, uniformPlanFor, WINDOW_FLOATS } from '../wgsl/gemmUniform';
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

/** Records the GEMM into a compute pass; `config` is the kernel that runs (see effectiveGemmConfig). */
export type GemmRecorder = ((pass: GPUComputePassEncoder) => void) & { config?: GemmConfig };

/**
 * The kernel a dispatch runs: the config asked for, except that a uniform-B config gives way to
 * the same kernel with narrower column blocks where k needs more windows than it may bind, and to
 * its fallback on shapes no uniform-B kernel takes (tuned winners are applied to every shape of a class).
 */
export function effectiveGemmConfig(config: GemmConfig, g: Pick<GemmDispatch, 'dtype' | 'm' | 'k' | 'n' | 'batch' | 'transB'>, maxUniformBuffers: number): { config: GemmConfig; plan?: UniformPlan } {
  if (config.stage !== 'uniform') return { config };
  const found = uniformPlanFor(config, { ...g, transB: g.transB ?? false }, maxUniformBuffers);
  return typeof found === 'string' ? { config: uniformFallback(config) } : found;
}

/** Returns a function that records the GEMM into a compute pass. */
export async function prepareGemm(ctx: Ctx, g: GemmDispatch, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): Promise<GemmRecorder> {
  const device = ctx.gpu.device;
  const transB = g.transB ?? false;
  if (g.variant === 'tiled') {
    const { config, plan } = effectiveGemmConfig(g.config ?? DEFAULT_GEMM, g, device.limits.maxUniformBuffersPerShaderStage);
    if (plan) {
      if (config.subgroup !== ctx.gpu.subgroupSize) {
        throw new BenchError('unsupported', `GEMM kernel ${configLabel(config)} needs subgroups of ${config.subgroup} lanes; this adapter's are ${ctx.gpu.subgroupSize ?? 'unavailable or of varying size'}`);
      }
      const record: GemmRecorder = await prepareUniformGemm(ctx, g, config, plan, a, b, c);
      record.config = config;
      return record;
    }
    g = { ...g, config };
  }
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
  const record: GemmRecorder = (pass) => {
    pass.setPipeline(pipe);
    pass.setBindGroup(0, bg);
    pass.dispatchWorkgroups(...counts);
  };
  record.config = g.variant === 'naive' ? undefined : g.config ?? DEFAULT_GEMM;
  return record;
}

/**
 * The uniform-B GEMM (../wgsl/gemmUniform.ts): one dispatch copies B into zero-padded column
 * panels, then one dispatch per panel binds that panel's 64 KiB windows as uniform buffers. The
 * copy is part of every recorded run, so its time counts as the GEMM's.
 */
async function prepareUniformGemm(ctx: Ctx, g: GemmDispatch, config: GemmConfig, plan: UniformPlan, a: GPUBuffer, b: GPUBuffer, c: GPUBuffer): Promise<GemmRecorder> {
  const device = ctx.gpu.device;
  const kpad = plan.windows * plan.kw;
  const windowBytes = WINDOW_FLOATS * 4;
  const packedBytes = plan.panels * plan.windows * windowBytes;
  if (packedBytes > device.limits.maxStorageBufferBindingSize) {
    throw new BenchError('too-large', `the B panels need ${packedBytes} bytes, above this adapter's maxStorageBufferBindingSize`);
  }
  const packed = device.createBuffer({ label: 'B panels', size: packedBytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.UNIFORM });
  const [pack, gemm] = await Promise.all([
    pipelineFor(ctx, packPanelsWgsl(plan.panel), 'gemm-pack-panels'),
    pipelineFor(ctx, uniformGemmWgsl(config, plan), 'gemm-uniform'),
  ]);
  const params = (p: number) => uniformBuffer(device, [g.m, g.k, g.n, plan.kw, g.alpha ?? 1, p, kpad, plan.panels], [4]);
  const packBg = device.createBindGroup({
    layout: pack.getBindGroupLayout(0),
    entries: [{ binding: 1, resource: { buffer: b } }, { binding: 2, resource: { buffer: packed } }, { binding: 3, resource: { buffer: params(0) } }],
  });
  const packGrid = grid1d(device, Math.ceil((plan.panels * kpad * plan.panel) / 4 / 64));
  const groups: GPUBindGroup[] = [];
  for (let p = 0; p < plan.panels; p++) {
    const entries: GPUBindGroupEntry[] = [{ binding: 0, resource: { buffer: a } }, { binding: 2, resource: { buffer: c } }, { binding: 3, resource: { buffer: params(p) } }];
    for (let w = 0; w < plan.windows; w++) {
      entries.push({ binding: 4 + w, resource: { buffer: packed, offset: (p * plan.windows + w) * windowBytes, size: windowBytes } });
    }
    groups.push(device.createBindGroup({ layout: gemm.getBindGroupLayout(0), entries }));
  }
  const counts: [number, number, number] = [plan.panel / config.tileN, Math.ceil(g.m / config.tileM), 1];
  checkGrid(device, counts);
  return (pass) => {
    pass.setPipeline(pack);
    pass.setBindGroup(0, packBg);
    pass.dispatchWorkgroups(...packGrid);
    pass.setPipeline(gemm);
    for (const bg of groups) {
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(...counts);
    }
  };
}
