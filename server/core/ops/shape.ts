/**
 * Shape-only operations: views, permutations, splits, joins and indexing. They move no data
 * (views) or copy it (cat, stack); the frontends record them only when they cost bytes or when a
 * shape provably does not work (TC002). Every function returns the new shape or an error that
 * names the shapes involved.
 */
import { Dim } from '../ir';
import { Bindings, Poly, product } from '../symbolic';
import { broadcastShapes } from './broadcast';
import { dimsDiffer, dimsEqual, normAxis, shapeText } from './types';

export type ShapeResult = { shape: Dim[] } | { error: string };
export type ShapesResult = { shapes: Dim[][] } | { error: string };

/** A target dim of `view`/`reshape`: a size, or -1 to infer. */
export type ReshapeDim = Dim | -1;

export function reshape(shape: readonly Dim[], target: readonly ReshapeDim[], bindings: Bindings): ShapeResult {
  const total = product(shape);
  const inferAt = target.findIndex((d) => d === -1);
  if (target.filter((d) => d === -1).length > 1) return { error: `reshape of ${shapeText(shape)}: only one dim can be -1` };
  const known = target.filter((d): d is Dim => d !== -1);
  const knownProduct = product(known);
  if (inferAt < 0) {
    if (dimsDiffer(total, knownProduct, bindings)) {
      return { error: `reshape changes the element count: ${shapeText(shape)} (${total.evaluate(bindings)} elements) to ${shapeText(known)} (${knownProduct.evaluate(bindings)})` };
    }
    return { shape: [...known] };
  }
  const t = total.evaluate(bindings);
  const k = knownProduct.evaluate(bindings);
  if (t !== null && k !== null && (k === 0 || t % k !== 0)) {
    return { error: `reshape of ${shapeText(shape)} (${t} elements) to ${shapeText(target.map((d) => (d === -1 ? Poly.const(-1) : d)))}: ${t} is not divisible by ${k}` };
  }
  // Dividing by one dim at a time lets symbolic factors cancel: (768·B·T) // B // T // 12 = 64.
  const inferred = known.reduce((acc, d) => acc.floordiv(d), total);
  const out = target.map((d) => (d === -1 ? inferred : d));
  return { shape: out };
}

export function transpose(shape: readonly Dim[], a: number, b: number): ShapeResult {
  if (shape.length === 0) return { shape: [] };
  const i = normAxis(a, shape.length);
  const j = normAxis(b, shape.length);
  if (i === undefined || j === undefined) return { error: `transpose(${a}, ${b}) out of range for ${shapeText(shape)}` };
  const out = [...shape];
  [out[i], out[j]] = [out[j], out[i]];
  return { shape: out };
}

export function permute(shape: readonly Dim[], order: readonly number[]): ShapeResult {
  if (order.length !== shape.length) return { error: `permute of ${shapeText(shape)} needs ${shape.length} dims, got (${order.join(', ')})` };
  const idx = order.map((o) => normAxis(o, shape.length));
  if (idx.some((i) => i === undefined) || new Set(idx).size !== idx.length) return { error: `permute(${order.join(', ')}) is not a permutation of the dims of ${shapeText(shape)}` };
  return { shape: idx.map((i) => shape[i!]) };
}

export function flatten(shape: readonly Dim[], start = 0, end = -1): ShapeResult {
  if (shape.length === 0) return { shape: [Poly.ONE] };
  const s = normAxis(start, shape.length);
  const e = normAxis(end, shape.length);
  if (s === undefined || e === undefined || s > e) return { error: `flatten(${start}, ${end}) out of range for ${shapeText(shape)}` };
  return { shape: [...shape.slice(0, s), product(shape.slice(s, e + 1)), ...shape.slice(e + 1)] };
}

/** Inserts a size-1 dim; the position may be -1 (the end, as in PyTorch: rank+1 positions). */
export function unsqueeze(shape: readonly Dim[], dim: number): ShapeResult {
  const i = normAxis(dim, shape.length + 1);
  if (i === undefined) return { error: `unsqueeze(${dim}) out of range for ${shapeText(shape)}` };
  return { shape: [...shape.slice(0, i), Poly.ONE, ...shape.slice(i)] };
}

/** Removes the given size-1 dims, or every dim known to be 1. A non-1 dim named is kept (PyTorch). */
export function squeeze(shape: readonly Dim[], dims: readonly number[] | null, bindings: Bindings): ShapeResult {
  const drop = new Set<number>();
  if (dims === null) shape.forEach((d, i) => d.evaluate(bindings) === 1 && drop.add(i));
  else {
    for (const d of dims) {
      const i = normAxis(d, shape.length);
      if (i === undefined) return { error: `squeeze(${d}) out of range for ${shapeText(shape)}` };
      if (shape[i].evaluate(bindings) === 1) drop.add(i);
    }
  }
  return { shape: shape.filter((_, i) => !drop.has(i)) };
}

/** `expand(*sizes)`: -1 keeps a dim; only size-1 dims may grow. */
export function expand(shape: readonly Dim[], sizes: readonly ReshapeDim[], bindings: Bindings): ShapeResult {
  if (sizes.length < shape.length) return { error: `expand of ${shapeText(shape)} to fewer dims (${sizes.length})` };
  const lead = sizes.length - shape.length;
  const out: Dim[] = [];
  for (let i = 0; i < sizes.length; i++) {
    const s = sizes[i];
    const d = i >= lead ? shape[i - lead] : undefined;
    if (s === -1) {
      if (!d) return { error: `expand: -1 not allowed for a new leading dim of ${shapeText(shape)}` };
      out.push(d);
      continue;
    }
    if (d && d.evaluate(bindings) !== 1 && dimsDiffer(d, s, bindings)) {
      return { error: `cannot expand ${shapeText(shape)} to ${shapeText(sizes.map((x) => (x === -1 ? Poly.const(-1) : x)))}: dim ${d.toString()} vs ${s.toString()}` };
    }
    out.push(s);
  }
  return { shape: out };
}

/** `split(size, dim)` (chunks of `size`, the last smaller) or `split([a, b, c], dim)`. */
export function split(shape: readonly Dim[], sizes: Dim | readonly Dim[], dim: number, bindings: Bindings): ShapesResult {
  const i = normAxis(dim, shape.length);
  if (i === undefined) return { error: `split along dim ${dim} out of range for ${shapeText(shape)}` };
  const with_ = (d: Dim) => shape.map((x, j) => (j === i ? d : x));
  if (Array.isArray(sizes)) {
    const list = sizes as readonly Dim[];
    if (dimsDiffer(list.reduce((a, b) => a.add(b), Poly.ZERO), shape[i], bindings)) {
      return { error: `split sizes (${list.map(String).join(', ')}) do not sum to dim ${shape[i].toString()} of ${shapeText(shape)}` };
    }
    return { shapes: list.map(with_) };
  }
  const size = sizes as Dim;
  const total = shape[i].evaluate(bindings);
  const s = size.evaluate(bindings);
  if (total !== null && s !== null && s > 0) {
    const parts: Dim[][] = [];
    for (let left = total; left > 0; left -= s) parts.push(with_(Poly.const(Math.min(s, left))));
    return { shapes: parts.slice(0, 4096) };
  }
  // A dim that is a whole multiple of the size whatever the dims (`c_attn(x).split(n_embd, dim=2)`
  // of 3·n_embd, lit-llama's q, k, v): that many pieces.
  const count = shape[i].div(size).constValue();
  if (count !== undefined && Number.isInteger(count) && count > 0 && count <= 4096) return { shapes: Array.from({ length: count }, () => with_(size)) };
  // Unknown count of pieces: a single representative piece, as a repeated tuple would be.
  return { shapes: [with_(size)] };
}

/** `chunk(n, dim)`: n pieces of ceil(d/n) (the last smaller when n does not divide d). */
export function chunk(shape: readonly Dim[], n: number, dim: number, bindings: Bindings): ShapesResult {
  const i = normAxis(dim, shape.length);
  if (i === undefined || n < 1) return { error: `chunk(${n}, ${dim}) out of range for ${shapeText(shape)}` };
  const total = shape[i].evaluate(bindings);
  if (total !== null) {
    const size = Math.ceil(total / n);
    return split(shape, Poly.const(size), i, bindings);
  }
  const piece = shape[i].floordiv(n);
  return { shapes: Array.from({ length: n }, () => shape.map((x, j) => (j === i ? piece : x))) };
}

/** `cat` along `dim`: every other dim must agree. */
export function cat(shapes: readonly (readonly Dim[])[], dim: number, bindings: Bindings): ShapeResult {
  const nonEmpty = shapes.filter((s) => s.length > 0);
  if (nonEmpty.length === 0) return { error: 'cat of no tensors' };
  const first = nonEmpty[0];
  const i = normAxis(dim, first.length);
  if (i === undefined) return { error: `cat along dim ${dim} out of range for ${shapeText(first)}` };
  let along: Dim = Poly.ZERO;
  for (const s of nonEmpty) {
    if (s.length !== first.length) return { error: `cat of tensors of different rank: ${shapeText(first)} and ${shapeText(s)}` };
    for (let j = 0; j < s.length; j++) {
      if (j !== i && dimsDiffer(s[j], first[j], bindings)) return { error: `cat along dim ${dim}: ${shapeText(first)} and ${shapeText(s)} differ in dim ${j}` };
    }
    along = along.add(s[i]);
  }
  return { shape: first.map((d, j) => (j === i ? along : d)) };
}

/** `stack` along a new `dim`: every shape must be equal. */
export function stack(shapes: readonly (readonly Dim[])[], dim: number, bindings: Bindings): ShapeResult {
  if (shapes.length === 0) return { error: 'stack of no tensors' };
  const first = shapes[0];
  for (const s of shapes) {
    if (s.length !== first.length || s.some((d, j) => dimsDiffer(d, first[j], bindings))) return { error: `stack of different shapes: ${shapeText(first)} and ${shapeText(s)}` };
  }
  const i = normAxis(dim, first.length + 1);
  if (i === undefined) return { error: `stack along dim ${dim} out of range for ${shapeText(first)}` };
  return { shape: [...first.slice(0, i), Poly.const(shapes.length), ...first.slice(i)] };
}

/** One index of `x[...]`. Slice bounds are optional dims (null: the default end). */
export type IndexItem =
  | { kind: 'int' }
  | { kind: 'slice'; start?: Dim | null; stop?: Dim | null; step?: Dim | null }
  | { kind: 'none' }
  | { kind: 'ellipsis' }
  | { kind: 'tensor'; shape: Dim[] | null; bool: boolean };

/** `unknown` when an index tensor's shape is unknown (the result rank is then unknown too). */
export function index(shape: readonly Dim[], items: readonly IndexItem[], bindings: Bindings, fresh: () => string): ShapeResult | { unknown: true } {
  const consumes = (it: IndexItem) => (it.kind === 'none' || it.kind === 'ellipsis' ? 0 : it.kind === 'tensor' && it.bool && it.shape ? it.shape.length : 1);
  const used = items.reduce((a, it) => a + consumes(it), 0);
  if (items.filter((i) => i.kind === 'ellipsis').length > 1) return { error: `index of ${shapeText(shape)}: more than one '...'` };
  if (used > shape.length) return { error: `too many indices (${used}) for a tensor of shape ${shapeText(shape)}` };
  const out: Dim[] = [];
  const advanced: (Dim[] | null)[] = [];
  let advancedAt = -1;
  let pos = 0;
  for (const it of items) {
    switch (it.kind) {
      case 'none':
        out.push(Poly.ONE);
        break;
      case 'ellipsis': {
        const skip = shape.length - used;
        out.push(...shape.slice(pos, pos + skip));
        pos += skip;
        break;
      }
      case 'int':
        pos++;
        break;
      case 'slice':
        out.push(sliceLength(shape[pos++], it, bindings));
        break;
      case 'tensor': {
        if (advancedAt < 0) advancedAt = out.length;
        if (it.bool) {
          advanced.push([Poly.sym(fresh())]);
          pos += it.shape ? it.shape.length : 1;
        } else {
          advanced.push(it.shape);
          pos++;
        }
        break;
      }
    }
  }
  out.push(...shape.slice(pos));
  if (advancedAt >= 0) {
    let bshape: Dim[] = [];
    for (const a of advanced) {
      if (a === null) return { unknown: true };
      const r = broadcastShapes(bshape, a, bindings);
      if ('error' in r) return { error: `index tensors do not broadcast: ${r.error}` };
      bshape = r.shape;
    }
    out.splice(advancedAt, 0, ...bshape);
  }
  return { shape: out };
}

/** Length of `d[start:stop:step]`, exact for numbers, `stop - start` (ceil over step) otherwise. */
export function sliceLength(d: Dim, s: { start?: Dim | null; stop?: Dim | null; step?: Dim | null }, bindings: Bindings): Dim {
  const step = s.step?.evaluate(bindings) ?? 1;
  const n = d.evaluate(bindings);
  const startV = s.start ? s.start.evaluate(bindings) : null;
  const stopV = s.stop ? s.stop.evaluate(bindings) : null;
  if (n !== null && (!s.start || startV !== null) && (!s.stop || stopV !== null) && step > 0) {
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const a = s.start ? clamp(startV!) : 0;
    const b = s.stop ? clamp(stopV!) : n;
    return Poly.const(Math.max(0, Math.ceil((b - a) / step)));
  }
  // Symbolic: negative constant bounds count from the end.
  const norm = (x: Dim | null | undefined, dflt: Dim) => {
    if (!x) return dflt;
    const c = x.constValue();
    return c !== undefined && c < 0 ? d.add(c) : x;
  };
  const len = norm(s.stop, d).sub(norm(s.start, Poly.ZERO));
  return step === 1 ? len : len.ceildiv(step);
}

/** True when two shapes are the same dim for dim. */
export function sameShape(a: readonly Dim[], b: readonly Dim[], bindings: Bindings): boolean {
  return a.length === b.length && a.every((d, i) => dimsEqual(d, b[i], bindings));
}

/**
 * `shape` padded by `amounts` in pairs from the last dim backwards (`F.pad`'s order: left and
 * right of the last dim, then of the one before...); negative amounts crop.
 */
export function padded(shape: readonly Dim[], amounts: readonly Dim[]): Dim[] {
  return shape.map((d, i) => {
    const k = shape.length - 1 - i;
    return k < amounts.length / 2 ? d.add(amounts[2 * k]).add(amounts[2 * k + 1]) : d;
  });
}
