/**
 * A softmax written by hand is a softmax (docs/rules/TC201, TC202): `e = np.exp(x - x.max(-1,
 * keepdims=True)); e / e.sum(-1, keepdims=True)`, `torch.exp(s) / torch.exp(s).sum(-1, True)`,
 * or a function whose body returns such a quotient, whatever it is called. A function's name is
 * never the evidence: `def softmax(x): return x / 2` is not one, `def normalise(s)` returning
 * `exp / sum` is.
 */
import type { Node } from './parser';

/** Finds what a name was last assigned before a row, in the scope being read. */
export type Lookup = (name: string, beforeRow: number) => Node | undefined;

const EXP_CALL = /^(np|numpy|torch|jnp|jax\.numpy|math|tf|tf\.math)\.exp$/;
const SUM_NAME = /^(sum|nansum)$/;
const MAX_NAME = /^(max|amax|nanmax)$/;

function unparen(n: Node): Node {
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  return e;
}

function positionalArgs(call: Node): Node[] {
  return (call.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment');
}

/** The argument of an exponential: `np.exp(a)`, `torch.exp(a)`, `a.exp()`; else null. */
export function expArgument(n: Node): Node | null {
  const e = unparen(n);
  if (e.type !== 'call') return null;
  const fn = e.childForFieldName('function');
  if (!fn) return null;
  const text = fn.text.replace(/\s+/g, '');
  if (EXP_CALL.test(text)) return positionalArgs(e)[0] ?? null;
  if (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'exp' && positionalArgs(e).length === 0) return fn.childForFieldName('object');
  return null;
}

/**
 * What a sum reduces: `e.sum(...)`, `np.sum(e, ...)`, `torch.sum(e, dim=-1)`; else null. Casts
 * in between (`e.sum(-1).float()`) are not followed: the denominator is written as a sum.
 */
function summed(n: Node): Node | null {
  const e = unparen(n);
  if (e.type !== 'call') return null;
  const fn = e.childForFieldName('function');
  if (fn?.type !== 'attribute') return null;
  const name = fn.childForFieldName('attribute')?.text ?? '';
  if (!SUM_NAME.test(name)) return null;
  const obj = fn.childForFieldName('object')!;
  if (/^(np|numpy|torch|jnp|jax\.numpy|tf|tf\.math)$/.test(obj.text.replace(/\s+/g, ''))) return positionalArgs(e)[0] ?? null;
  return obj;
}

/** The exp argument an expression holds, through one plain name (`e = np.exp(...)`). */
function expOf(n: Node, lookup: Lookup): Node | null {
  const e = unparen(n);
  const direct = expArgument(e);
  if (direct) return direct;
  if (e.type === 'identifier') {
    const v = lookup(e.text, e.startPosition.row);
    return v ? expArgument(v) : null;
  }
  return null;
}

/**
 * The scores a quotient `exp(s) / sum(exp(s))` normalises, with the max subtracted for
 * stability taken off (`s - s.max(-1, keepdims=True)` is `s`); null when `div` is not one.
 */
export function handSoftmaxInput(div: Node, lookup: Lookup): { input: Node; maxSubtracted: boolean } | null {
  // `e /= e.sum(axis=1, keepdims=True)` normalises in place (NumPy code often does): the same quotient.
  const inPlace = div.type === 'augmented_assignment' && div.childForFieldName('operator')?.text === '/=' && div.childForFieldName('left')?.type === 'identifier';
  if (!inPlace && (div.type !== 'binary_operator' || div.childForFieldName('operator')?.text !== '/')) return null;
  const num = div.childForFieldName('left');
  let den = div.childForFieldName('right');
  if (!num || !den) return null;
  const arg = expOf(num, lookup);
  if (!arg) return null;
  // `denom = e.sum(-1, keepdims=True); e / denom`.
  if (unparen(den).type === 'identifier') den = lookup(unparen(den).text, den.startPosition.row) ?? den;
  const s = summed(den);
  if (!s) return null;
  // The sum must be of the same exponentials: the same name, or the same expression.
  const same = unparen(s).text.replace(/\s+/g, '') === unparen(num).text.replace(/\s+/g, '') || expOf(s, lookup)?.text === arg.text;
  if (!same) return null;
  const input = withoutMax(arg);
  return { input, maxSubtracted: input !== unparen(arg) };
}

/** `s - s.max(...)`, `s - np.max(s, ...)`, `s - torch.max(s, -1, keepdim=True)[0]` → `s`. */
export function withoutMax(arg: Node): Node {
  const e = unparen(arg);
  if (e.type !== 'binary_operator' || e.childForFieldName('operator')?.text !== '-') return e;
  const l = e.childForFieldName('left')!;
  let r = unparen(e.childForFieldName('right')!);
  // `torch.max(s, dim=-1, keepdim=True)[0]` and `.values` index the values of (values, indices).
  if (r.type === 'subscript') r = unparen(r.childForFieldName('value')!);
  if (r.type === 'attribute' && r.childForFieldName('attribute')?.text === 'values') r = unparen(r.childForFieldName('object')!);
  if (r.type !== 'call') return e;
  const fn = r.childForFieldName('function');
  if (fn?.type !== 'attribute' || !MAX_NAME.test(fn.childForFieldName('attribute')?.text ?? '')) return e;
  return l;
}

/**
 * Whether a function definition returns a softmax written by hand of what it is given: its
 * `return` is such a quotient, or a name assigned one in its body.
 */
export function isSoftmaxDef(def: Node): boolean {
  const body = def.childForFieldName('body');
  if (!body || !/exp/.test(body.text) || !/sum/.test(body.text)) return false;
  const assigned = new Map<string, Node[]>();
  for (const a of body.descendantsOfType('assignment')) {
    const l = a?.childForFieldName('left');
    const r = a?.childForFieldName('right');
    if (l?.type === 'identifier' && r) assigned.set(l.text, [...(assigned.get(l.text) ?? []), r]);
  }
  const lookup: Lookup = (name, beforeRow) => {
    const list = (assigned.get(name) ?? []).filter((r) => r.startPosition.row < beforeRow);
    return list[list.length - 1];
  };
  for (const ret of body.descendantsOfType('return_statement')) {
    let v = ret?.namedChild(0) ?? null;
    if (!v) continue;
    if (unparen(v).type === 'identifier') v = lookup(unparen(v).text, v.startPosition.row) ?? v;
    if (handSoftmaxInput(unparen(v), lookup)) return true;
  }
  return false;
}

/**
 * Names of the functions and methods of a top-level statement that return a softmax written by
 * hand (a text test first: most statements hold no `exp`).
 */
export function softmaxDefsIn(stmt: Node, text: string): string[] {
  if (!/exp/.test(text) || !/sum/.test(text)) return [];
  const out: string[] = [];
  const defs = stmt.type === 'function_definition' ? [stmt, ...stmt.descendantsOfType('function_definition')] : stmt.descendantsOfType('function_definition');
  for (const d of defs) if (d && isSoftmaxDef(d)) out.push(d.childForFieldName('name')?.text ?? '');
  return out.filter((x) => x);
}
