/**
 * `F.linear` / `nn.Linear` and the fused-bias GEMMs `addmm` / `baddbmm`. FLOPs follow PyTorch's
 * FlopCounterMode: 2·rows·in·out for linear and 2·m·k·n for addmm, the bias add not counted.
 * Bytes: input, weight, bias and output each once.
 */
import { Dim, TensorType } from '../ir';
import { Poly, product } from '../symbolic';
import { broadcastShapes } from './broadcast';
import { GemmAttrs, matmul } from './matmul';
import { OpContext, OpResult, dimsDiffer, dtypeOf, shapeText, tensorBytes, unknownResult } from './types';

/** x (..., in) · Wᵀ with W of shape (out, in); `bias` says whether a bias vector of `out` is added. */
export function linear(x: TensorType, weight: readonly Dim[], bias: boolean, ctx: OpContext): OpResult {
  const dtype = dtypeOf(ctx, x);
  if (x.shape === null || weight.length < 1 || weight.length > 2) return unknownResult('linear', dtype);
  const [out, inF] = weight.length === 2 ? weight : [undefined, weight[0]];
  if (x.shape.length === 0) return unknownResult('linear', dtype, `linear of a scalar with weight ${shapeText(weight)}`);
  const k = x.shape[x.shape.length - 1];
  let error: string | undefined;
  if (dimsDiffer(k, inF, ctx.bindings)) error = `linear: input ${shapeText(x.shape)} has ${k.toString()} features, weight ${shapeText(weight)} expects ${inF.toString()}`;
  const lead = x.shape.slice(0, -1);
  const rows = product(lead);
  const n = out ?? Poly.ONE;
  const outShape = out ? [...lead, out] : lead;
  const attrs: GemmAttrs = { m: rows, k: inF, n, batch: Poly.ONE, batchShape: [] };
  let bytes = tensorBytes(x.shape, dtype).add(tensorBytes(weight, dtype)).add(tensorBytes(outShape, dtype));
  if (bias) bytes = bytes.add(tensorBytes([n], dtype));
  return {
    kind: 'linear',
    output: { shape: outShape, dtype },
    cost: { flops: rows.mul(inF).mul(n).scale(2), otherFlops: Poly.ZERO, bytes, notes: bias ? ['bias add not counted (FlopCounterMode convention)'] : undefined },
    attrs: { ...attrs, bias },
    error,
  };
}

/** `addmm(input, m1, m2)` / `baddbmm(input, b1, b2)`: the product's cost plus reading the addend. */
export function addmm(addend: TensorType, a: TensorType, b: TensorType, ctx: OpContext, kind: 'matmul' | 'bmm' = 'matmul'): OpResult {
  const r = matmul(a, b, ctx, kind);
  if (r.output.shape === null || r.cost.unknown) return r;
  const dtype = r.output.dtype ?? ctx.dtype;
  let error = r.error;
  if (addend.shape !== null) {
    const bc = broadcastShapes(addend.shape, r.output.shape, ctx.bindings);
    if ('error' in bc) error = error ?? `${kind === 'bmm' ? 'baddbmm' : 'addmm'}: addend ${shapeText(addend.shape)} does not broadcast to the product ${shapeText(r.output.shape)}`;
  }
  const extra = addend.shape ? tensorBytes(addend.shape, addend.dtype ?? dtype) : Poly.ZERO;
  return { ...r, cost: { ...r.cost, bytes: r.cost.bytes.add(extra), notes: ['addend not counted in FLOPs (FlopCounterMode convention)'] }, error };
}
