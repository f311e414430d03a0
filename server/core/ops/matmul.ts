/**
 * `@` / torch.matmul / np.matmul with the full rank rules: 1-D operands are promoted and the
 * promoted dim removed, batch dims broadcast. Cost 2·batch·m·k·n FLOPs, bytes of both operands and
 * the result, each once (docs/cost-model.md).
 */
import { DTYPE_BYTES } from '../dtypes';
import { Dim, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { broadcastShapes } from './broadcast';
import { OpContext, OpResult, dimsDiffer, shapeText } from './types';

export interface GemmAttrs {
  m: Dim;
  k: Dim;
  n: Dim;
  batch: Dim;
  /** Batch dims of each operand after broadcasting, for the small-batch and loop rules. */
  batchShape: Dim[];
}

export function matmul(a: TensorType, b: TensorType, ctx: OpContext, kind: 'matmul' | 'bmm' = 'matmul'): OpResult {
  const dtype = a.dtype ?? b.dtype ?? ctx.dtype;
  if (a.shape === null || b.shape === null) {
    return { kind, output: { shape: null, dtype }, cost: unknownCost(), attrs: {} };
  }
  if (a.shape.length === 0 || b.shape.length === 0) {
    return { kind, output: { shape: null, dtype }, cost: unknownCost(), attrs: {}, error: `matmul of a scalar: ${shapeText(a.shape)} @ ${shapeText(b.shape)}` };
  }
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  const A = aVec ? [Poly.ONE, a.shape[0]] : a.shape;
  const B = bVec ? [b.shape[0], Poly.ONE] : b.shape;
  const m = A[A.length - 2];
  const k = A[A.length - 1];
  const k2 = B[B.length - 2];
  const n = B[B.length - 1];
  let error: string | undefined;
  if (dimsDiffer(k, k2, ctx.bindings)) {
    error = `matmul contraction mismatch: ${shapeText(a.shape)} @ ${shapeText(b.shape)} (${k.toString()} vs ${k2.toString()})`;
  }
  if (kind === 'bmm' && (a.shape.length !== 3 || b.shape.length !== 3)) {
    error = error ?? `bmm expects 3-D operands, got ${shapeText(a.shape)} and ${shapeText(b.shape)}`;
  }
  const bc = broadcastShapes(A.slice(0, -2), B.slice(0, -2), ctx.bindings);
  let batchShape: Dim[];
  if ('error' in bc) {
    error = error ?? `matmul batch dims: ${bc.error}`;
    batchShape = A.slice(0, -2);
  } else batchShape = bc.shape;
  // One array of its final length (a pushed one holds room for 17 dims, kept with the op).
  const out: Dim[] = batchShape.concat(aVec ? [] : [m], bVec ? [] : [n]);
  const attrs: GemmAttrs = { m, k, n, batch: product(batchShape), batchShape };
  return { kind, output: { shape: out, dtype }, cost: gemmCost(attrs, dtype, a.shape, b.shape, out), attrs: { ...attrs }, error };
}

/** 2·batch·m·k·n FLOPs; bytes count each operand as stored (an unbroadcast operand is read once). */
export function gemmCost(g: GemmAttrs, dtype: keyof typeof DTYPE_BYTES, aShape: readonly Dim[], bShape: readonly Dim[], outShape: readonly Dim[]) {
  const size = DTYPE_BYTES[dtype];
  const flops = g.batch.mul(g.m).mul(g.k).mul(g.n).scale(2);
  const bytes = product(aShape).add(product(bShape)).add(product(outShape)).scale(size);
  return { flops, otherFlops: Poly.ZERO, bytes };
}

export function unknownCost() {
  return { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO, unknown: true as const, notes: ['operand shapes unknown: cost not computed'] };
}
