/** NumPy broadcasting of two shapes, shared by elementwise ops and matmul batch dims. */
import { Dim } from '../ir';
import { Bindings, Poly } from '../symbolic';
import { dimsDiffer, dimsEqual, shapeText } from './types';

export type BroadcastResult = { shape: Dim[] } | { error: string };

export function broadcastShapes(a: readonly Dim[], b: readonly Dim[], bindings: Bindings): BroadcastResult {
  const n = Math.max(a.length, b.length);
  // Filled by index, not pushed: a pushed array holds room for 17 dims, and ops keep their
  // shapes for the whole analysis (tens of thousands in a file of megabytes).
  const out: Dim[] = new Array<Dim>(n);
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i];
    const y = b[b.length - n + i];
    if (x === undefined) out[i] = y!;
    else if (y === undefined) out[i] = x;
    else if (isOne(x, bindings)) out[i] = y;
    else if (isOne(y, bindings)) out[i] = x;
    else if (dimsEqual(x, y, bindings)) out[i] = x;
    else if (dimsDiffer(x, y, bindings)) {
      return { error: `cannot broadcast ${shapeText(a)} with ${shapeText(b)}: dim ${x.toString()} vs ${y.toString()}` };
    } else out[i] = x; // Unproven symbolic dims: assume the author's names agree at run time.
  }
  return { shape: out };
}

function isOne(d: Dim, bindings: Bindings): boolean {
  return d.evaluate(bindings) === 1 || d.equals(Poly.ONE);
}

/** Broadcasts any number of shapes left to right; the first failure is the error. */
export function broadcastMany(shapes: readonly (readonly Dim[])[], bindings: Bindings): BroadcastResult {
  let acc: Dim[] = [];
  for (const s of shapes) {
    const r = broadcastShapes(acc, s, bindings);
    if ('error' in r) return r;
    acc = r.shape;
  }
  return { shape: acc };
}
