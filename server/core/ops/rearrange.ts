/**
 * einops `rearrange(x, 'b (h d) t -> b h t d', h=8)`: shape only. Left-side groups are split
 * into their axes (at most one unknown axis per group is inferred), right-side groups multiply.
 * A group whose known axes provably do not multiply to the input dim is a shape error.
 */
import { Dim } from '../ir';
import { Bindings, Poly, product } from '../symbolic';
import { ShapeResult } from './shape';
import { dimsDiffer, shapeText } from './types';

type Group = { ellipsis: true } | { ellipsis: false; axes: string[] };

function parseSide(side: string): Group[] | { error: string } {
  const groups: Group[] = [];
  const tokens = side.replace(/\(/g, ' ( ').replace(/\)/g, ' ) ').trim().split(/\s+/).filter((t) => t.length > 0);
  let open: string[] | null = null;
  for (const t of tokens) {
    if (t === '(') {
      if (open) return { error: 'nested parentheses' };
      open = [];
    } else if (t === ')') {
      if (!open) return { error: "unbalanced ')'" };
      groups.push({ ellipsis: false, axes: open });
      open = null;
    } else if (t === '...' || t === '…') {
      if (open) return { error: "'...' inside parentheses" };
      groups.push({ ellipsis: true });
    } else if (/^([A-Za-z_]\w*|\d+)$/.test(t)) {
      if (open) open.push(t);
      else groups.push({ ellipsis: false, axes: [t] });
    } else return { error: `unexpected token '${t}'` };
  }
  if (open) return { error: "unbalanced '('" };
  return groups;
}

export function rearrange(shape: readonly Dim[], pattern: string, axes: ReadonlyMap<string, Dim>, bindings: Bindings): ShapeResult {
  const fail = (why: string): ShapeResult => ({ error: `rearrange '${pattern}' on ${shapeText(shape)}: ${why}` });
  const [lhs, rhs, ...rest] = pattern.split('->');
  if (rhs === undefined || rest.length > 0) return fail("expected exactly one '->'");
  const left = parseSide(lhs);
  const right = parseSide(rhs);
  if ('error' in left) return fail(left.error);
  if ('error' in right) return fail(right.error);
  const hasEllipsis = left.some((g) => g.ellipsis);
  const fixed = left.filter((g) => !g.ellipsis).length;
  if (hasEllipsis ? shape.length < fixed : shape.length !== fixed) return fail(`the left side has ${fixed} groups, the tensor ${shape.length} dims`);
  const sizes = new Map<string, Dim>(axes);
  const sizeOf = (a: string) => (/^\d+$/.test(a) ? Poly.const(Number(a)) : sizes.get(a));
  let ellipsisDims: Dim[] = [];
  let pos = 0;
  for (const g of left) {
    if (g.ellipsis) {
      const n = shape.length - fixed;
      ellipsisDims = shape.slice(pos, pos + n);
      pos += n;
      continue;
    }
    const d = shape[pos++];
    const unknown = g.axes.filter((a) => !sizeOf(a));
    const known = product(g.axes.filter((a) => sizeOf(a)).map((a) => sizeOf(a)!));
    if (unknown.length === 0) {
      if (dimsDiffer(known, d, bindings)) return fail(`group (${g.axes.join(' ')}) is ${known.toString()}, the dim is ${d.toString()}`);
    } else if (unknown.length === 1) {
      const k = known.evaluate(bindings);
      const n = d.evaluate(bindings);
      if (k !== null && n !== null && (k === 0 || n % k !== 0)) return fail(`dim ${n} is not divisible by ${k} for group (${g.axes.join(' ')})`);
      sizes.set(unknown[0], g.axes.length === 1 ? d : d.floordiv(known));
    } else return fail(`cannot infer the sizes of ${unknown.join(', ')}`);
  }
  const out: Dim[] = [];
  for (const g of right) {
    if (g.ellipsis) {
      out.push(...ellipsisDims);
      continue;
    }
    const missing = g.axes.find((a) => !sizeOf(a));
    if (missing) return fail(`axis '${missing}' of the right side is not on the left side`);
    out.push(product(g.axes.map((a) => sizeOf(a)!)));
  }
  return { shape: out };
}
