/**
 * Dims the code calls by two names. `B, T, C = x.size()` on a tensor of unknown shape names its
 * dims after the unpacking targets, while the modules built from a config call the same width
 * `n_embd`; `self.c_attn(x)` with `nn.Linear(n_embd, 3 * n_embd)` then proves C = n_embd, and
 * a formula of that op mixes both names. Ops whose operands must agree give such equalities: a
 * GEMM's contraction, a Linear's input features, an elementwise op's aligned dims (broadcasting
 * aside). Each class of equal dims is shown under one name, and a class that holds a bound dim
 * or meets a number takes that value.
 *
 * A class never joins two dims with different known values: that is a shape error (TC002), not
 * a renaming. Names are file-wide, as bindings are (`# tensorcost: dims C=768` binds every C).
 */
import { Dim, TensorOp } from './ir';
import { Bindings, Poly } from './symbolic';

export interface DimAliases {
  /** Dim name → the name its class is shown under; only names that change. */
  rename: ReadonlyMap<string, string>;
  /** Values the classes give dims that no binding names (every member, shown name included). */
  implied: ReadonlyMap<string, number>;
  /** Shown name → the other names of its class, for saying "`C` is `n_embd` here". */
  others: ReadonlyMap<string, readonly string[]>;
}

export const NO_ALIASES: DimAliases = { rename: new Map(), implied: new Map(), others: new Map() };

/** Two dims an op requires to be equal; `broadcast` when a literal 1 on either side is no equality. */
interface Pair {
  a: Dim;
  b: Dim;
  broadcast: boolean;
}

interface OpDims {
  pairs: readonly Pair[];
  /** Lone named dims of the op's operands and result, for choosing the name a class is shown under. */
  names: readonly string[];
}

/** Per op, what it says about dims: ops are reused between analyses, so this is read once per op. */
const OP_DIMS = new WeakMap<TensorOp, OpDims>();

function alignFromRight(x: readonly Dim[], y: readonly Dim[], broadcast: boolean, out: Pair[]): void {
  for (let i = 1; i <= Math.min(x.length, y.length); i++) out.push({ a: x[x.length - i], b: y[y.length - i], broadcast });
}

function opDims(op: TensorOp): OpDims {
  const hit = OP_DIMS.get(op);
  if (hit) return hit;
  const pairs: Pair[] = [];
  const shapes = op.inputs.map((t) => t.shape);
  if (op.kind === 'linear') {
    const x = shapes[0];
    const k = op.attrs.k;
    if (x && x.length > 0 && k instanceof Poly) pairs.push({ a: x[x.length - 1], b: k, broadcast: false });
  } else if (op.kind === 'matmul' || op.kind === 'bmm') {
    // addmm / baddbmm record the addend first: the product's operands are the last two.
    const [a, b] = shapes.slice(-2);
    if (a && b && a.length > 0 && b.length > 0) {
      pairs.push({ a: a[a.length - 1], b: b.length >= 2 ? b[b.length - 2] : b[0], broadcast: false });
      alignFromRight(a.slice(0, -2), b.slice(0, -2), true, pairs);
    }
  } else if (op.kind === 'elementwise') {
    const known = shapes.filter((s): s is Dim[] => s !== null);
    for (let i = 1; i < known.length; i++) alignFromRight(known[0], known[i], true, pairs);
  }
  const names: string[] = [];
  for (const t of [...op.inputs, op.output]) {
    for (const d of t.shape ?? []) {
      const s = d.loneSymbol();
      if (s !== undefined) names.push(s);
    }
  }
  const r = { pairs, names };
  OP_DIMS.set(op, r);
  return r;
}

/** The classes of equal dims the ops prove, with the name each is shown under and its value. */
export function dimAliases(ops: Iterable<TensorOp>, bindings: Bindings): DimAliases {
  const parent = new Map<string, string>();
  const value = new Map<string, number>();
  const uses = new Map<string, number>();
  const find = (x: string): string => {
    if (!parent.has(x)) {
      parent.set(x, x);
      const v = bindings.get(x);
      if (v !== undefined) value.set(x, v);
      return x;
    }
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    while (x !== root) {
      const next = parent.get(x)!;
      parent.set(x, root);
      x = next;
    }
    return root;
  };
  const union = (x: string, y: string) => {
    const rx = find(x);
    const ry = find(y);
    if (rx === ry) return;
    const vx = value.get(rx);
    const vy = value.get(ry);
    if (vx !== undefined && vy !== undefined && vx !== vy) return;
    parent.set(ry, rx);
    if (vx === undefined && vy !== undefined) value.set(rx, vy);
  };
  const fix = (x: string, v: number) => {
    const r = find(x);
    if (!value.has(r)) value.set(r, v);
  };
  for (const op of ops) {
    const { pairs, names } = opDims(op);
    for (const n of names) uses.set(n, (uses.get(n) ?? 0) + 1);
    for (const { a, b, broadcast } of pairs) {
      const sa = a.loneSymbol();
      const sb = b.loneSymbol();
      if (sa !== undefined && sb !== undefined) {
        if (sa !== sb) union(sa, sb);
        continue;
      }
      // A dim against a number: the number is its size, unless the number is a broadcast 1.
      const ca = a.constValue();
      const cb = b.constValue();
      if (sa !== undefined && cb !== undefined && !(broadcast && cb === 1)) fix(sa, cb);
      else if (sb !== undefined && ca !== undefined && !(broadcast && ca === 1)) fix(sb, ca);
    }
  }
  const classes = new Map<string, string[]>();
  for (const name of parent.keys()) {
    const r = find(name);
    const c = classes.get(r);
    if (c) c.push(name);
    else classes.set(r, [name]);
  }
  const rename = new Map<string, string>();
  const implied = new Map<string, number>();
  const others = new Map<string, string[]>();
  for (const [root, members] of classes) {
    const v = value.get(root);
    if (members.length === 1 && (v === undefined || bindings.has(members[0]))) continue;
    // A bound name first (the formula then evaluates), then the name the file uses most, then
    // the longer (more telling) one; alphabetical order settles the rest, so the choice is stable.
    const shown = [...members].sort((x, y) => Number(bindings.has(y)) - Number(bindings.has(x)) || (uses.get(y) ?? 0) - (uses.get(x) ?? 0) || y.length - x.length || (x < y ? -1 : x > y ? 1 : 0))[0];
    for (const m of members) {
      if (m !== shown) rename.set(m, shown);
      if (v !== undefined && !bindings.has(m)) implied.set(m, v);
    }
    if (members.length > 1) others.set(shown, members.filter((m) => m !== shown).sort());
  }
  return { rename, implied, others };
}
