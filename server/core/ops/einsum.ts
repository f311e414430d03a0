/**
 * einsum with any equation. Shapes: every index takes one size across operands (size 1
 * broadcasts), ellipsis dims broadcast NumPy-style. Cost, as the contraction path PyTorch and
 * NumPy take by default: operands are contracted left to right; a two-operand step costs
 * 2 × ∏(sizes of all distinct indices of the two operands) FLOPs (one multiply-accumulate per
 * point of the joint index space) and reads both operands and writes its result once, so an
 * intermediate of an n-ary einsum is written and read back. A single operand is a permutation
 * (free) or a sum over the indices it drops ("other" FLOPs).
 */
import { Dim, TensorType } from '../ir';
import { Bindings, Poly, product } from '../symbolic';
import { broadcastMany } from './broadcast';
import { ELLIPSIS, parseEinsum } from './einsumParse';
import { OpContext, OpResult, dimsDiffer, dtypeOf, shapeText, tensorBytes, unknownResult } from './types';

/** Operand index lists with the ellipsis expanded into named broadcast indices `…0`, `…1`, … */
interface Bound {
  terms: string[][];
  output: string[];
  sizes: Map<string, Dim>;
}

export function einsum(equation: string, operands: readonly TensorType[], ctx: OpContext, style: 'letters' | 'names' = 'letters'): OpResult {
  const dtype = dtypeOf(ctx, ...operands);
  const eq = parseEinsum(equation, style);
  if ('error' in eq) return unknownResult('einsum', dtype, eq.error);
  if (eq.inputs.length !== operands.length) return unknownResult('einsum', dtype, `einsum '${equation}' has ${eq.inputs.length} input terms but ${operands.length} operands`);
  if (operands.some((o) => o.shape === null)) return unknownResult('einsum', dtype);
  const shapes = operands.map((o) => o.shape!);
  const b = bind(eq.inputs, eq.output, shapes, ctx.bindings);
  const all = shapes.map((s) => shapeText(s)).join(', ');
  if ('error' in b) return unknownResult('einsum', dtype, `einsum '${equation}' on ${all}: ${b.error}`);
  const outShape = b.output.map((x) => b.sizes.get(x)!);
  const size = (xs: readonly string[]) => product(xs.map((x) => b.sizes.get(x)!));
  if (operands.length === 1) {
    const summed = b.terms[0].filter((x) => !b.output.includes(x));
    const bytes = tensorBytes(shapes[0], dtype).add(tensorBytes(outShape, dtype));
    return {
      kind: summed.length > 0 ? 'reduction' : 'copy',
      output: { shape: outShape, dtype },
      cost: { flops: Poly.ZERO, otherFlops: summed.length > 0 ? size(uniq(b.terms[0])) : Poly.ZERO, bytes },
      attrs: { equation },
    };
  }
  let flops = Poly.ZERO;
  let bytes = Poly.ZERO;
  let current = b.terms[0];
  let currentShape: Dim[] = shapes[0];
  let gemm: Record<string, unknown> = {};
  for (let i = 1; i < b.terms.length; i++) {
    const next = b.terms[i];
    const later = new Set([...b.output, ...b.terms.slice(i + 1).flat()]);
    const joint = uniq([...current, ...next]);
    const kept = i === b.terms.length - 1 ? b.output : joint.filter((x) => later.has(x));
    const keptShape = kept.map((x) => b.sizes.get(x)!);
    flops = flops.add(size(joint).scale(2));
    bytes = bytes.add(tensorBytes(currentShape, dtype)).add(tensorBytes(shapes[i], dtype)).add(tensorBytes(keptShape, dtype));
    if (b.terms.length === 2) gemm = gemmView(current, next, kept, size);
    current = kept;
    currentShape = keptShape;
  }
  const notes = b.terms.length > 2 ? ['contracted left to right; intermediates written and read back'] : undefined;
  return { kind: 'einsum', output: { shape: outShape, dtype }, cost: { flops, otherFlops: Poly.ZERO, bytes, notes }, attrs: { equation, ...gemm } };
}

/** The GEMM a two-operand einsum is: batch (in both and the output), m, n (one side), k (summed). */
function gemmView(a: string[], b: string[], out: string[], size: (xs: readonly string[]) => Dim): Record<string, unknown> {
  const ua = uniq(a);
  const ub = uniq(b);
  const batch = ua.filter((x) => ub.includes(x) && out.includes(x));
  const k = ua.filter((x) => ub.includes(x) && !out.includes(x));
  const m = ua.filter((x) => !ub.includes(x));
  const n = ub.filter((x) => !ua.includes(x));
  return { batch: size(batch), m: size(m), k: size(k), n: size(n) };
}

function uniq(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function bind(inputs: string[][], output: string[], shapes: Dim[][], bindings: Bindings): Bound | { error: string } {
  const sizes = new Map<string, Dim>();
  const ellipsisShapes: Dim[][] = [];
  const terms: string[][] = [];
  for (let i = 0; i < inputs.length; i++) {
    const term = inputs[i];
    const shape = shapes[i];
    const named = term.filter((x) => x !== ELLIPSIS).length;
    const hasEllipsis = term.includes(ELLIPSIS);
    if (hasEllipsis ? shape.length < named : shape.length !== named) {
      return { error: `term '${term.join('')}' expects ${hasEllipsis ? 'at least ' : ''}${named} dims, operand ${i} has shape ${shapeText(shape)}` };
    }
    const ellRank = shape.length - named;
    const expanded: string[] = [];
    let pos = 0;
    for (const x of term) {
      if (x === ELLIPSIS) {
        ellipsisShapes.push(shape.slice(pos, pos + ellRank));
        // Right-aligned names so that broadcast ellipsis dims of different ranks line up.
        for (let j = 0; j < ellRank; j++) expanded.push(`…${ellRank - j}`);
        pos += ellRank;
        continue;
      }
      const d = shape[pos++];
      const prev = sizes.get(x);
      if (!prev || prev.evaluate(bindings) === 1) sizes.set(x, d);
      else if (d.evaluate(bindings) !== 1 && dimsDiffer(prev, d, bindings)) {
        return { error: `index '${x}' is ${prev.toString()} in one operand and ${d.toString()} in another` };
      }
      expanded.push(x);
    }
    terms.push(expanded);
  }
  const bc = broadcastMany(ellipsisShapes, bindings);
  if ('error' in bc) return { error: `'...' dims: ${bc.error}` };
  bc.shape.forEach((d, j) => sizes.set(`…${bc.shape.length - j}`, d));
  const out: string[] = [];
  for (const x of output) {
    if (x === ELLIPSIS) for (let j = bc.shape.length; j >= 1; j--) out.push(`…${j}`);
    else out.push(x);
  }
  return { terms, output: out, sizes };
}
