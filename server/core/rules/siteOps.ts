/**
 * The facts the interpreter established for the op at a source range, for rules whose figures
 * need numbers: the op of the file's own analysis when its shapes are bound, else the op as a
 * calling context ran it (`FileIR.captured`: sizes that only the caller knows — a script's
 * `np.random.randn(32, 34, 34, 3)`, a config or argparse default; docs/whole-program.md).
 */
import { ContextRef, Dim, Range, TensorOp, TensorType } from '../ir';
import { Bindings } from '../symbolic';
import { RuleContext } from './types';
import { sameRange } from './util';

/** What a rule reads of an op, whether it comes from the file's analysis or from a context. */
export type SiteOp = Pick<TensorOp, 'kind' | 'inputs' | 'output' | 'dtype' | 'cost' | 'repeat'>;

export interface SiteFacts {
  op: SiteOp;
  /** The calling context the numbers come from; absent when the file's own analysis had them. */
  context?: ContextRef;
  /** How many times the op runs per call of the code around it (loops multiplied), when known. */
  runs: number | null;
}

export function dimsOf(t: TensorType | undefined, b: Bindings): number[] | null {
  if (!t?.shape) return null;
  const out: number[] = [];
  for (const d of t.shape as Dim[]) {
    const v = d.evaluate(b);
    if (v === null) return null;
    out.push(v);
  }
  return out;
}

export function elements(t: TensorType | undefined, b: Bindings): number | null {
  const d = dimsOf(t, b);
  return d === null ? null : d.reduce((a, x) => a * x, 1);
}

/**
 * The op at exactly `range` with numbers: the file's own when `bound(op)` holds for it, else,
 * among the calling contexts that ran it, the one with the largest op (`prefer: 'size'`, for
 * figures of one call: a generation loop's one-token calls do not stand for training's), or the
 * one whose op runs most (`'runs'`, summed over the trips the interpreter followed one by one).
 */
export function siteFacts(ctx: RuleContext, range: Range, bound: (op: SiteOp, b: Bindings) => boolean = (op, b) => elements(op.output, b) !== null, prefer: 'size' | 'runs' = 'size'): SiteFacts | undefined {
  const b = ctx.bindings;
  const own = byStart(ctx.ir.ops, range).find((o) => sameRange(o.range, range));
  if (own && bound(own, b)) return { op: own, runs: runsOf(own, b) };
  const self = ctx.ir.programPath ?? ctx.ir.path;
  const groups = new Map<string, { ops: SiteOp[]; context: ContextRef; runs: number | null }>();
  for (const o of ctx.ir.captured ? byStart(ctx.ir.captured.ops, range) : []) {
    if (o.path !== self || !sameRange(o.range, range) || !bound(o, b)) continue;
    const key = `${o.context.path}\0${o.context.line}\0${o.context.function}`;
    const g = groups.get(key) ?? { ops: [], context: o.context, runs: 0 };
    g.ops.push(o);
    const r = runsOf(o, b);
    g.runs = g.runs === null || r === null ? null : g.runs + r;
    groups.set(key, g);
  }
  let best: { op: SiteOp; context: ContextRef; runs: number | null } | undefined;
  for (const g of groups.values()) {
    const op = g.ops.reduce((x, y) => ((elements(y.output, b) ?? 0) > (elements(x.output, b) ?? 0) ? y : x));
    const size = (x: SiteOp) => elements(x.output, b) ?? 0;
    const better = !best || (prefer === 'runs'
      ? (g.runs ?? -1) > (best.runs ?? -1) || (g.runs === best.runs && size(op) > size(best.op))
      : size(op) > size(best.op) || (size(op) === size(best.op) && (g.runs ?? -1) > (best.runs ?? -1)));
    if (better) best = { op, context: g.context, runs: g.runs };
  }
  if (best) return best;
  return own ? { op: own, runs: runsOf(own, b) } : undefined;
}

/**
 * The ops of a list that start where `range` starts. Rules ask once per signal (every attention
 * of a file, for TC201 and TC202, at its scores and at its output), and a file of many models
 * has thousands of ops and tens of thousands of context ops: a scan per question made those
 * rules the largest cost of re-analysing such a file. The index is made once per list.
 */
const STARTS = new WeakMap<readonly { range: Range }[], Map<number, { range: Range }[]>>();
/** A start as one number (a column below a million): a string per op cost a tenth of a keystroke. */
const startKey = (r: Range) => r.start.line * 1_000_000 + r.start.character;
export function byStart<T extends { range: Range }>(ops: readonly T[], range: Range): readonly T[] {
  let index = STARTS.get(ops);
  if (!index) {
    index = new Map();
    for (const o of ops) {
      const k = startKey(o.range);
      const list = index.get(k);
      if (list) list.push(o);
      else index.set(k, [o]);
    }
    STARTS.set(ops, index);
  }
  return (index.get(startKey(range)) ?? []) as T[];
}

function runsOf(op: SiteOp, b: Bindings): number | null {
  return op.repeat ? op.repeat.evaluate(b) : 1;
}

/** `train.py:42`: where a calling context starts, for a message. */
export function contextLabel(c: ContextRef): string {
  return `${c.path.split('/').pop()}:${c.line + 1}`;
}
