/**
 * The GEMM winners calibration stores with the local device (per dtype and shape class), and how
 * a request picks its kernel from them. No WebGPU here: the runner applies this in the parent.
 */
import { GemmConfig, configProblem, ShapeClass, SHAPE_CLASSES, shapeClass } from '../wgsl/gemmConfig';
import type { BenchRequest } from './types';

export interface TunedEntry {
  config: GemmConfig;
  /** What the winner measured on its tuning shape, and that shape. */
  gflops: number;
  shape: { m: number; k: number; n: number; batch: number };
}

export type TunedKernels = Partial<Record<'f32' | 'f16', Partial<Record<ShapeClass, TunedEntry>>>>;

/**
 * The kernel for a shape: the winner of its own dtype and class, else the same dtype's square
 * winner (f16 is tuned on the square class only), else the f32 winner of the class (the template
 * is the same for both dtypes), else none (the shipped default runs).
 */
export function pickKernel(tuned: TunedKernels | undefined, dtype: 'f32' | 'f16', m: number, n: number, batch: number): { config: GemmConfig; cls: ShapeClass } | undefined {
  if (!tuned) return undefined;
  const cls = shapeClass(m, n, batch);
  const entry = tuned[dtype]?.[cls] ?? (cls === 'tall-skinny' ? undefined : tuned[dtype]?.square) ?? tuned.f32?.[cls];
  return entry ? { config: entry.config, cls } : undefined;
}

/** The request with the tuned kernel filled in, when it is a tiled GEMM that names none. */
export function withTunedKernel(req: BenchRequest, tuned: TunedKernels | undefined): BenchRequest {
  if ((req.op !== 'gemm' && req.op !== 'bmm') || (req.variant ?? 'tiled') !== 'tiled' || req.kernel) return req;
  const m = req.m ?? 256;
  const pick = pickKernel(tuned, req.dtype ?? 'f32', m, req.n ?? m, req.batch ?? (req.op === 'bmm' ? 4 : 1));
  return pick ? { ...req, kernel: pick.config } : req;
}

/** Parses stored winners, dropping any entry that is malformed (a hand-edited or older file). */
export function parseTuned(raw: unknown): TunedKernels | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const out: TunedKernels = {};
  for (const dtype of ['f32', 'f16'] as const) {
    const byClass = (raw as Record<string, unknown>)[dtype];
    if (!byClass || typeof byClass !== 'object') continue;
    for (const cls of SHAPE_CLASSES) {
      const e = (byClass as Record<string, TunedEntry | undefined>)[cls];
      if (!e || typeof e !== 'object' || configProblem(e.config, { invocations: 1024, workgroupBytes: 65536 }) !== null) continue;
      if (typeof e.gflops !== 'number' || !e.shape) continue;
      (out[dtype] ??= {})[cls] = e;
    }
  }
  return out.f32 || out.f16 ? out : undefined;
}
