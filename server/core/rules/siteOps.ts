/**
 * The facts the interpreter established for the op at a source range, for rules whose figures
 * need numbers: the op of the file's own analysis when its shapes are bound, else the op as a
 * calling context ran it (`FileIR.captured`: sizes that only the caller knows — a script's
 * `np.random.randn(32, 34, 34, 3)`, a config or argparse default; docs/whole-program.md).
 */
import { ContextOp, ContextRef, Dim, Range, TensorOp, TensorType } from '../ir';
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
  // A loop's trips replayed from the call memo list one op object once per trip (twelve blocks,
  // two contexts: 24 entries of a site, 2 objects): each object is weighed once, and each context
  // keyed once, for the attention of every model of a file is asked about on every keystroke.
  const seen = new Map<SiteOp, { size: number; runs: number | null } | null>();
  const groups = new Map<string, { op: SiteOp; size: number; context: ContextRef; runs: number | null }>();
  for (const o of capturedAt(ctx.ir.captured, range)) {
    if (o.path !== self || !sameRange(o.range, range)) continue;
    let facts = seen.get(o);
    if (facts === undefined) {
      facts = bound(o, b) ? { size: elements(o.output, b) ?? 0, runs: runsOf(o, b) } : null;
      seen.set(o, facts);
    }
    if (!facts) continue;
    const key = contextKey(o.context);
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { op: o, size: facts.size, context: o.context, runs: facts.runs });
      continue;
    }
    // The largest op of the context stands for it (the first of equals); its runs add up.
    if (facts.size > g.size) {
      g.op = o;
      g.size = facts.size;
    }
    g.runs = g.runs === null || facts.runs === null ? null : g.runs + facts.runs;
  }
  let best: { op: SiteOp; size: number; context: ContextRef; runs: number | null } | undefined;
  for (const g of groups.values()) {
    const better = !best || (prefer === 'runs'
      ? (g.runs ?? -1) > (best.runs ?? -1) || (g.runs === best.runs && g.size > best.size)
      : g.size > best.size || (g.size === best.size && (g.runs ?? -1) > (best.runs ?? -1)));
    if (better) best = g;
  }
  if (best) return { op: best.op, context: best.context, runs: best.runs };
  return own ? { op: own, runs: runsOf(own, b) } : undefined;
}

/** A calling context's identity as a key, made once per context object (they are never changed). */
const CONTEXT_KEYS = new WeakMap<ContextRef, string>();
function contextKey(c: ContextRef): string {
  let k = CONTEXT_KEYS.get(c);
  if (k === undefined) CONTEXT_KEYS.set(c, (k = `${c.path}\0${c.line}\0${c.function}`));
  return k;
}

/**
 * The ops of a list that start where `range` starts. Rules ask once per signal (every attention
 * of a file, for TC201 and TC202, at its scores and at its output), and a file of many models
 * has thousands of ops and tens of thousands of context ops: a scan per question made those
 * rules the largest cost of re-analysing such a file. The index is made once per list.
 */
const STARTS = new WeakMap<readonly { range: Range }[], { length: number; index: Map<number, readonly { range: Range }[]> }>();
/** A start as one number (a column below a million): a string per op cost a tenth of a keystroke. */
const startKey = (r: Range) => r.start.line * 1_000_000 + r.start.character;
export function byStart<T extends { range: Range }>(ops: readonly T[], range: Range): readonly T[] {
  return (indexOf(ops).get(startKey(range)) ?? []) as T[];
}

/**
 * The lists a file's context ops were made of, end to end, where their maker said so
 * (`concatenatedFrom`): they are its statements' lists, most of them the same objects as in the
 * analysis before a keystroke (statements replayed from the cache), so their indexes are kept and
 * only joined (a tenth of the entries: a loop's trips share their sites), and the flat list is
 * not made. Indexing the 40,000 context ops of the bench's GPT-style file again, after making
 * the list, was a tenth of a keystroke.
 */
const PARTS_OF = new WeakMap<object, readonly (readonly { range: Range }[])[]>();

/** Says that `captured.ops` is `parts` end to end (`capturedAt`). */
export function concatenatedFrom(captured: { ops: readonly ContextOp[] }, parts: readonly (readonly ContextOp[])[]): void {
  PARTS_OF.set(captured, parts);
}

/** The context ops of `captured` that start where `range` starts, in the order of its list. */
export function capturedAt(captured: { ops: readonly ContextOp[] } | undefined, range: Range): readonly ContextOp[] {
  if (!captured) return [];
  const parts = PARTS_OF.get(captured);
  if (!parts) return byStart(captured.ops, range);
  let index = JOINED.get(captured);
  if (!index) {
    index = new Map();
    // Lists are shared between the indexes, never changed: a start met in several parts is a new list.
    for (const p of parts) {
      for (const [k, list] of indexOf(p)) {
        const have = index.get(k);
        index.set(k, have ? have.concat(list) : list);
      }
    }
    JOINED.set(captured, index);
  }
  return (index.get(startKey(range)) ?? []) as ContextOp[];
}
const JOINED = new WeakMap<object, Map<number, readonly { range: Range }[]>>();

function indexOf(ops: readonly { range: Range }[]): Map<number, readonly { range: Range }[]> {
  const known = STARTS.get(ops);
  // A list grown since it was indexed (a statement's list while it is recorded) is indexed again.
  if (known && known.length === ops.length) return known.index;
  const index = new Map<number, readonly { range: Range }[]>();
  for (const o of ops) {
    const k = startKey(o.range);
    const list = index.get(k) as { range: Range }[] | undefined;
    if (list) list.push(o);
    else index.set(k, [o]);
  }
  STARTS.set(ops, { length: ops.length, index });
  return index;
}

function runsOf(op: SiteOp, b: Bindings): number | null {
  return op.repeat ? op.repeat.evaluate(b) : 1;
}

/** `train.py:42`: where a calling context starts, for a message. */
export function contextLabel(c: ContextRef): string {
  return `${c.path.split('/').pop()}:${c.line + 1}`;
}
