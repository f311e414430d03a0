/** Helpers the rule files share: finding ops by range, numbers with units, device labels. */
import { DType, DTYPE_BYTES } from '../dtypes';
import { Device } from '../devices';
import { Finding, Range, RelatedLocation, TensorOp } from '../ir';
import { Bindings, Poly } from '../symbolic';
import { Rule, RuleContext } from './types';

export function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export function contains(outer: Range, inner: Range): boolean {
  const before = (p: Range['start'], q: Range['start']) => p.line < q.line || (p.line === q.line && p.character <= q.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** The op recorded at exactly this range, with its index into `ctx.figures`. */
export function opAt(ctx: RuleContext, range: Range): { op: TensorOp; index: number } | undefined {
  const index = opIndex(ctx.ir.ops).get(rangeKey(range));
  return index === undefined ? undefined : { op: ctx.ir.ops[index], index };
}

/**
 * The first op at each range, indexed once per analysis (its ops array is new each time): the
 * attention rules ask for several ops per signal, and a scan of every op each time cost several
 * milliseconds a keystroke on a file of many models.
 */
const OP_INDEX = new WeakMap<readonly TensorOp[], Map<string, number>>();

function opIndex(ops: readonly TensorOp[]): Map<string, number> {
  let index = OP_INDEX.get(ops);
  if (!index) {
    index = new Map();
    for (let i = ops.length - 1; i >= 0; i--) index.set(rangeKey(ops[i].range), i);
    OP_INDEX.set(ops, index);
  }
  return index;
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
}

export function num(p: unknown, b: Bindings): number | null {
  return p instanceof Poly ? p.evaluate(b) : typeof p === 'number' ? p : null;
}

/** `H100 SXM` for `NVIDIA H100 SXM`: the vendor is implied by the model. */
export function deviceLabel(d: Device): string {
  return d.name.replace(/^(NVIDIA|AMD|Apple)\s+/, '');
}

export function dtypeBytes(d: DType): number {
  return DTYPE_BYTES[d];
}

export function shapeOf(op: TensorOp, which: number | 'out', b: Bindings): string | null {
  const t = which === 'out' ? op.output : op.inputs[which];
  if (!t?.shape) return null;
  return `(${t.shape.map((d) => { const v = d.evaluate(b); return v === null ? d.toString() : String(v); }).join(', ')})`;
}

export function numel(op: TensorOp, which: number | 'out', b: Bindings): number | null {
  const t = which === 'out' ? op.output : op.inputs[which];
  if (!t?.shape) return null;
  let n = 1;
  for (const d of t.shape) {
    const v = d.evaluate(b);
    if (v === null) return null;
    n *= v;
  }
  return n;
}

export function make(rule: Rule, range: Range, message: string, extra: { related?: RelatedLocation[]; data?: Record<string, unknown>; unsized?: boolean } = {}): Finding {
  return { code: rule.code, severity: rule.defaultSeverity, message, range, ...extra };
}

/** A trip count from `range(N)` / `range(a, b)` text with dims bound, else null. */
export function tripsOf(iter: string, b: Bindings): number | null {
  const m = /^range\((.*)\)$/s.exec(iter.trim());
  if (!m) return null;
  const args = splitArgs(m[1]);
  const vals = args.map((a) => arith(a, b));
  if (vals.some((v) => v === null)) return null;
  const [start, stop, step] = vals.length === 1 ? [0, vals[0]!, 1] : [vals[0]!, vals[1]!, vals[2] ?? 1];
  return step > 0 ? Math.max(0, Math.ceil((stop - start) / step)) : null;
}

function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(' || ch === '[') depth++;
    if (ch === ')' || ch === ']') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((x) => x.trim());
}

/** Integer arithmetic over bound names: + - * // ( ); anything else is unknown (null). */
export function arith(expr: string, b: Bindings): number | null {
  const tokens = expr.match(/\d+|[A-Za-z_][\w.]*|\/\/|[-+*()]|\S/g) ?? [];
  let i = 0;
  const peek = () => tokens[i];
  const atom = (): number | null => {
    const t = tokens[i++];
    if (t === undefined) return null;
    if (t === '(') {
      const v = sum();
      if (tokens[i++] !== ')') return null;
      return v;
    }
    if (t === '-') {
      const v = atom();
      return v === null ? null : -v;
    }
    if (/^\d+$/.test(t)) return Number(t);
    if (/^[A-Za-z_]/.test(t)) return b.get(t) ?? b.get(t.split('.').pop()!) ?? null;
    return null;
  };
  const prod = (): number | null => {
    let v = atom();
    while (peek() === '*' || peek() === '//') {
      const op = tokens[i++];
      const r = atom();
      if (v === null || r === null) return null;
      v = op === '*' ? v * r : r === 0 ? null : Math.floor(v / r);
    }
    return v;
  };
  const sum = (): number | null => {
    let v = prod();
    while (peek() === '+' || peek() === '-') {
      const op = tokens[i++];
      const r = prod();
      if (v === null || r === null) return null;
      v = op === '+' ? v + r : v - r;
    }
    return v;
  };
  const v = sum();
  return i === tokens.length ? v : null;
}

export function lineOf(r: Range): number {
  return r.start.line + 1;
}
