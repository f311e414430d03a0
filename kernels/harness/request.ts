/**
 * Validation and defaults of a BenchRequest. Used by the parent (to refuse bad requests without
 * forking) and by the child (which must not trust its input either).
 */
import { configProblem, GemmConfig } from '../wgsl/gemmConfig';
import { BenchError, BenchRequest, BenchVariant } from './types';

export const VARIANTS: Record<BenchRequest['op'], BenchVariant[]> = {
  gemm: ['tiled', 'naive', 'tfjs'],
  bmm: ['tiled', 'naive', 'tfjs'],
  conv2d: ['im2col', 'direct'],
  attention: ['flash', 'materialized'],
  copy: ['shader', 'copyBufferToBuffer'],
  fma: ['chain', 'chain8'],
};

/** A request with every field filled in. */
export interface Normalized {
  op: BenchRequest['op'];
  dtype: 'f32' | 'f16';
  variant: BenchVariant;
  m: number;
  k: number;
  n: number;
  batch: number;
  conv?: { cin: number; h: number; w: number; cout: number; kh: number; kw: number; stride: number; pad: number };
  repeats?: number;
  warmup?: number;
  timeBudgetMs: number;
  timing: 'auto' | 'queue';
  verify: 'auto' | 'full';
  verifyBudget: number;
  seed: number;
  kernel?: GemmConfig;
  debug?: BenchRequest['debug'];
}

/** Largest dimension accepted before even asking the adapter: beyond it, indices overflow u32. */
const MAX_DIM = 2 ** 31 - 1;

function dim(name: string, v: number | undefined, dflt: number, min = 1): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < min || x > MAX_DIM) {
    throw new BenchError('bad-request', `${name} must be an integer from ${min} to ${MAX_DIM}, got ${v}`);
  }
  return x;
}

export function normalize(r: BenchRequest): Normalized {
  const variants = VARIANTS[r.op];
  if (!variants) throw new BenchError('bad-request', `unknown op '${r.op}' (expected ${Object.keys(VARIANTS).join(', ')})`);
  const variant = r.variant ?? variants[0];
  if (!variants.includes(variant)) {
    throw new BenchError('bad-request', `op '${r.op}' has no variant '${variant}' (expected ${variants.join(', ')})`);
  }
  const dtype = r.dtype ?? 'f32';
  if (dtype !== 'f32' && dtype !== 'f16') throw new BenchError('bad-request', `dtype must be f32 or f16, got '${dtype}'`);
  const out: Normalized = {
    op: r.op, dtype, variant,
    m: 1, k: 1, n: 1, batch: 1,
    repeats: r.repeats === undefined ? undefined : dim('repeats', r.repeats, 1),
    warmup: r.warmup === undefined ? undefined : dim('warmup', r.warmup, 1, 0),
    timeBudgetMs: r.timeBudgetMs ?? 4000,
    timing: r.timing ?? 'auto',
    verify: r.verify ?? 'auto',
    verifyBudget: r.verifyBudget ?? 2 ** 31,
    seed: (r.seed ?? 12345) >>> 0,
    debug: r.debug,
  };
  if (r.kernel !== undefined) {
    if ((r.op !== 'gemm' && r.op !== 'bmm') || variant !== 'tiled') throw new BenchError('bad-request', 'a kernel config applies to the tiled gemm and bmm only');
    // The child checks the device's own limits; here only what no adapter could run.
    const problem = configProblem(r.kernel, { invocations: 1024, workgroupBytes: 65536 });
    if (problem) throw new BenchError('bad-request', `bad kernel config: ${problem}`);
    const { tileM, tileN, tileK, rowsPerThread, colsPerThread, vec4, stage, subgroup } = r.kernel;
    out.kernel = { tileM, tileN, tileK, rowsPerThread, colsPerThread, vec4, ...(stage ? { stage } : {}), ...(subgroup ? { subgroup } : {}) };
  }
  if (out.repeats !== undefined && out.repeats > 1000) throw new BenchError('bad-request', 'repeats must be at most 1000');
  switch (r.op) {
    case 'gemm':
    case 'bmm':
      out.m = dim('m', r.m, 256);
      out.k = dim('k', r.k, out.m);
      out.n = dim('n', r.n, out.m);
      out.batch = dim('batch', r.batch, r.op === 'bmm' ? 4 : 1);
      if (r.op === 'gemm' && out.batch !== 1) throw new BenchError('bad-request', 'gemm has batch 1; use bmm for batched products');
      break;
    case 'attention':
      out.m = dim('m (query length)', r.m, 256);
      out.n = dim('n (key length)', r.n, out.m);
      out.k = dim('k (head dim)', r.k, 64);
      out.batch = dim('batch (batch × heads)', r.batch, 1);
      if (out.k > 256) throw new BenchError('bad-request', `head dim ${out.k} is above the 256 these attention kernels keep in registers`);
      break;
    case 'conv2d': {
      const c = r.conv ?? { cin: 16, h: 32, w: 32, cout: 32, kh: 3, kw: 3 };
      const conv = {
        cin: dim('cin', c.cin, 16), h: dim('h', c.h, 32), w: dim('w', c.w, 32),
        cout: dim('cout', c.cout, 32), kh: dim('kh', c.kh, 3), kw: dim('kw', c.kw, 3),
        stride: dim('stride', c.stride, 1), pad: dim('pad', c.pad, 0, 0),
      };
      out.batch = dim('batch', r.batch, 1);
      const hOut = Math.floor((conv.h + 2 * conv.pad - conv.kh) / conv.stride) + 1;
      const wOut = Math.floor((conv.w + 2 * conv.pad - conv.kw) / conv.stride) + 1;
      if (hOut < 1 || wOut < 1) throw new BenchError('bad-request', 'the kernel is larger than the padded input');
      out.conv = conv;
      // Reported as the implicit GEMM: m = output pixels, k = cin·kh·kw, n = cout.
      out.m = out.batch * hOut * wOut;
      out.k = conv.cin * conv.kh * conv.kw;
      out.n = conv.cout;
      break;
    }
    case 'copy':
      out.m = dim('m (elements)', r.m, 16 * 2 ** 20);
      break;
    case 'fma':
      out.m = dim('m (threads)', r.m, 65536);
      out.k = dim('k (iterations)', r.k, 512);
      if (out.variant === 'chain8' && out.k % 8 !== 0) throw new BenchError('bad-request', `the chain8 probe runs k in steps of 8, got k = ${out.k}`);
      break;
  }
  return out;
}

export function dtypeBytes(dtype: 'f32' | 'f16'): number {
  return dtype === 'f16' ? 2 : 4;
}
