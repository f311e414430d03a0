/**
 * Dispatches a normalised request to its op module. Modules are required lazily (TF.js is large);
 * require rather than import(), which in CommonJS output would become an ESM import.
 */
import { Normalized } from '../harness/request';
import { BenchResult } from '../harness/types';
import { Ctx } from './common';

export async function runOp(ctx: Ctx, req: Normalized): Promise<BenchResult> {
  switch (req.op) {
    case 'gemm':
    case 'bmm':
      if (req.variant === 'tfjs') return (require('./tfjs') as typeof import('./tfjs')).runTfjsGemm(ctx, req);
      return (require('./gemm') as typeof import('./gemm')).runGemm(ctx, req);
    case 'conv2d':
      return (require('./conv2d') as typeof import('./conv2d')).runConv2d(ctx, req);
    case 'attention':
      return (require('./attention') as typeof import('./attention')).runAttention(ctx, req);
    case 'copy':
      return (require('./copy') as typeof import('./copy')).runCopy(ctx, req);
    case 'fma':
      return (require('./fma') as typeof import('./fma')).runFma(ctx, req);
  }
}
