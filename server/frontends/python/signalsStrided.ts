/**
 * Loops that walk an array across its memory layout (TC502): columns `X[:, j]` of a row-major
 * array (NumPy's and PyTorch's default), or rows `X[i]` / `X[i, :]` of a column-major one
 * (`np.asfortranarray`, `order='F'`, a transpose `.T` of a row-major array). The layout is
 * read from how the array was made; an array whose making the file does not show is row-major.
 */
import type { Range, StridedTraversalSignal } from '../../core/rules/signals';
import type { Node } from './parser';
import { rangeOf } from './signalsSyntax';

export type Order = 'C' | 'F';

/** The layout the code gave a name, where it gave one. */
export type OrderLookup = { get(name: string): Order | undefined };

/**
 * The layout an assignment's value has, given the layouts of names known so far: 'F' for
 * `np.asfortranarray(a)`, a call with `order='F'`, or a transpose of a row-major array; 'C' for
 * `np.ascontiguousarray`, `.contiguous()`, `order='C'`, a transpose of a column-major one;
 * undefined when the value says nothing (the name then keeps the default, row-major).
 */
export function orderOfValue(v: Node, orders: OrderLookup): Order | undefined {
  let e = v;
  while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text ?? '' : fn?.text ?? '';
    if (/^(asfortranarray)$/.test(name)) return 'F';
    if (/^(ascontiguousarray|contiguous)$/.test(name)) return 'C';
    const order = (e.childForFieldName('arguments')?.namedChildren ?? []).find((a) => a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'order');
    const o = order?.childForFieldName('value')?.text.replace(/['"]/g, '');
    if (o === 'F' || o === 'C') return o;
    if (fn?.type === 'attribute' && ['transpose', 't'].includes(name) && (e.childForFieldName('arguments')?.namedChildCount ?? 0) === 0) return flip(orderOfName(fn.childForFieldName('object')!, orders));
    // Copies and casts keep the layout of what they copy (`.copy()` gives C unless told).
    if (fn?.type === 'attribute' && ['astype', 'float', 'double', 'half', 'to'].includes(name)) return orders.get(fn.childForFieldName('object')!.text);
    return undefined;
  }
  if (e.type === 'attribute' && e.childForFieldName('attribute')?.text === 'T') return flip(orderOfName(e.childForFieldName('object')!, orders));
  return undefined;
}

function orderOfName(n: Node, orders: OrderLookup): Order {
  return orders.get(n.text) ?? 'C';
}

function flip(o: Order): Order {
  return o === 'C' ? 'F' : 'C';
}

/**
 * Subscripts in a loop's body that walk the array across its layout with the loop's variable:
 * `X[:, j]` (first index a whole slice, a later one the variable) of a row-major array, or
 * `X[i]`, `X[i, :]` (the variable first, whole slices after) of a column-major one. Names the
 * subscript is assigned to in the body (`col = X[:, j]`) are followed to where they are read,
 * so a rule can find the ops that read the walked slice.
 */
export function stridedAccesses(loop: Node, vars: readonly string[], header: Range, orders: OrderLookup): StridedTraversalSignal[] {
  const body = loop.childForFieldName('body');
  if (!body || vars.length === 0) return [];
  const out: StridedTraversalSignal[] = [];
  const seen = new Set<string>();
  // Variables of the loops inside this one: the innermost walk of an element-by-element nest.
  const inner = new Set<string>();
  for (const f of body.descendantsOfType('for_statement')) {
    const left = f?.childForFieldName('left');
    if (left?.type === 'identifier' && !vars.includes(left.text)) inner.add(left.text);
  }
  for (const sub of body.descendantsOfType('subscript')) {
    if (!sub || insideDef(sub, body)) continue;
    const base = sub.childForFieldName('value');
    if (!base || !/^[A-Za-z_][\w.]*$/.test(base.text)) continue;
    const idx = sub.childrenForFieldName('subscript').filter((x): x is Node => !!x);
    const order = orders.get(base.text) ?? 'C';
    const whole = (n: Node) => n.type === 'slice' && n.text.replace(/\s+/g, '') === ':';
    const isVar = (n: Node) => n.type === 'identifier' && vars.includes(n.text);
    const isInner = (n: Node) => n.type === 'identifier' && inner.has(n.text);
    let axis: 'column' | 'row' | undefined;
    // A slice per trip (`X[:, j]`), or one element per trip of an inner loop whose variable
    // indexes the axis that jumps (`for j ...: for i ...: X[i, j]`).
    if (order === 'C' && idx.length >= 2 && (whole(idx[0]) || isInner(idx[0])) && idx.slice(1).some(isVar)) axis = 'column';
    if (order === 'F' && idx.length >= 1 && isVar(idx[0]) && (idx.slice(1).every(whole) || (idx.length >= 2 && idx.slice(1).some(isInner)))) axis = 'row';
    if (!axis) continue;
    const key = `${base.text}|${axis}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const uses: Range[] = [rangeOf(sub)];
    // `col = X[:, j]`: the name's reads in the body read the walked slice.
    const p = sub.parent;
    if (p?.type === 'assignment' && p.childForFieldName('right')?.id === sub.id && p.childForFieldName('left')?.type === 'identifier') {
      const alias = p.childForFieldName('left')!.text;
      for (const id of body.descendantsOfType('identifier')) if (id && id.text === alias && id.startIndex > p.endIndex) uses.push(rangeOf(id));
    }
    out.push({ loop: rangeOf(loop), header, access: rangeOf(sub), text: sub.text, base: base.text, order, axis, loopVar: vars[0], uses });
  }
  return out;
}

function insideDef(n: Node, stop: Node): boolean {
  for (let p = n.parent; p && p.id !== stop.id; p = p.parent) if (p.type === 'function_definition' || p.type === 'lambda') return true;
  return false;
}
