/**
 * The call memo: a call of a function the interpreter has just followed with the same inputs,
 * while nothing it could read has changed, is not interpreted again; what the first run did is
 * replayed instead. `for block in self.h: x = block(x)` over twelve identical blocks runs a
 * block's `forward` once and replays it eleven times, and a model's `forward` run again on the
 * same model and input shapes (a builder's model run as the file's own run called it) is replayed
 * whole. The replay must be indistinguishable from the run, so a call is remembered only when all
 * of its effects are known and can be repeated:
 *
 * - what it adds to its caller's totals (its accumulator, added with the caller's multiplier);
 * - the calling-context ops and function totals it records (docs/whole-program.md), replayed in
 *   the caller's context: which context a run records in changes nothing else it does, and the
 *   loops around the call there only multiply its ops (`outer`), which a replay under other
 *   constant loops rescales exactly (`capturesAt`; otherwise the call runs). The key holds only
 *   whether the call records in a context;
 * - the steps it took from the analysis's step budget (a replay that would cross the budget runs
 *   the call instead, since the run would stop part-way);
 * - the value it returns: numbers, strings, None and the objects that existed before the call are
 *   returned as they were; tensors and tuples the call made are made anew on every replay (a new
 *   object, as a run makes), so that code comparing objects (a loop telling whether a trip changed
 *   anything, `sequences.ts`) sees what it would see after a run.
 *
 * A call is not remembered when it changed anything in place (`HEAP.epoch`: fields, entries,
 * items, globals, witnesses), noted facts for the rules (`HEAP.effects`), made anonymous dims (their names depend on the
 * counter), met a recursive call (refusals depend on the stack), returned a tensor it was given
 * (a replay's argument is another object) or a value whose origin is unknown. Remembered calls
 * are forgotten as soon as anything changes in place, so a replay reads the same objects the run
 * read. What a call can read besides those objects is in its key: the function, the object it
 * runs on, its arguments (tensors by shape, dtype and whether the shape was guessed; numbers and
 * strings by value; other objects by identity), and the caller's state a run inherits (call depth
 * and stack, autocast, `no_grad`, whether it records in a calling context, the interpreter's
 * unrolling and own-run state).
 */
import type { Acc } from './interpreter';
import type { ContextFunction, ContextOp, ContextRef, TensorType } from '../../core/ir';
import { Poly } from '../../core/symbolic';
import { HEAP, UNKNOWN, Value, birthOf, born } from './values';
import { isGuessed, markGuessed } from './guessed';

/**
 * Off: every call runs (tests compare the two); `replays` counts the calls replayed, `rescaled`
 * those among them replayed under another multiplier of their calling context (`capturesAt`).
 */
export const CALL_MEMO = { enabled: true, replays: 0, rescaled: 0 };

/** What a run recorded in calling contexts, in order (replayed with the caller's context). */
export type Captured = { op: ContextOp } | { fn: ContextFunction };

/** How a remembered call's value is given back. */
type Template =
  /** The same object (it existed before the call, or is a number, a string, None). */
  | { same: Value }
  /** A tensor the call made: a copy of it. */
  | { tensor: Extract<Value, { kind: 'tensor' }>; guessed: boolean }
  /** A tuple the call made: a new tuple of its items given back in turn. */
  | { tuple: Extract<Value, { kind: 'tuple' }>; items: Template[] };

export interface CallEntry {
  /** The callee frame's accumulator. */
  acc: Acc;
  value: Template;
  steps: number;
  captured: Captured[];
  /**
   * The multiplier the calling context put around the call when it ran (`Frame.outer` of its
   * frame: the loops around it there); the ops it captured carry it in their `outer`.
   */
  outer?: Poly;
}

/** Calls being recorded, outermost first, and the captures made since the outermost began. */
const LOG: Captured[] = [];
let recording = 0;

/** Notes a capture of the current run, for the remembered calls around it (`Recording`). */
export function logCapture(c: Captured): void {
  if (recording > 0) LOG.push(c);
}

export interface Recording {
  epoch: number;
  effects: number;
  fresh: number;
  recursions: number;
  serial: number;
  steps: number;
  log: number;
}

export function beginRecording(steps: number): Recording {
  recording++;
  return { epoch: HEAP.epoch, effects: HEAP.effects, fresh: HEAP.fresh, recursions: HEAP.recursions, serial: HEAP.serial, steps, log: LOG.length };
}

/**
 * Ends a recording: the entry to remember, or undefined when the call cannot be replayed. `value`
 * is what the call returned; `given` the tensors it was given (by shape only in the key); `known`
 * the objects in the key by identity (the object it ran on, other arguments).
 */
export function endRecording(r: Recording, ok: boolean, acc: Acc | undefined, value: Value, given: readonly Value[], known: readonly Value[], steps: number, maxSteps: number, outer?: Poly): CallEntry | undefined {
  const captured = ok ? LOG.slice(r.log) : [];
  if (--recording === 0) LOG.length = 0;
  if (!ok || !acc || HEAP.epoch !== r.epoch || HEAP.effects !== r.effects || HEAP.fresh !== r.fresh || HEAP.recursions !== r.recursions || steps > maxSteps || steps < r.steps) return undefined;
  const t = template(value, r.serial, given, known, 0);
  return t ? { acc, value: t, steps: steps - r.steps, captured, ...(outer ? { outer } : {}) } : undefined;
}

/**
 * What a remembered call captures when run under the calling context's multiplier `outer`
 * (docs/whole-program.md), recorded in `context` (the caller's): its captures as recorded when
 * that is the multiplier it ran under; under another, its ops with their `outer` multiplier
 * rescaled, when both multipliers are constants and the rescaling is exact (`Poly.rescaled`);
 * else undefined, and the call runs. Each capture is a new object, made once with both changes
 * (a model's replay captures hundreds of ops). The context itself is not in the key: a replay
 * records in the caller's (`Interpreter.replay`). A training loop's model call and the builder's
 * run of the same model on the same input (once, in another context) are then one run.
 */
export function capturesAt(entry: CallEntry, outer: Poly | undefined, context: ContextRef | undefined): Captured[] | undefined {
  // A capture already in `context` is kept as it is: a run replayed within the entry point that
  // recorded it (eleven of a stack's twelve blocks) would otherwise copy every op of it again.
  const inContext = (c: Captured): Captured => ('op' in c ? (c.op.context === context ? c : { op: { ...c.op, context: context! } }) : c.fn.context === context ? c : { fn: { ...c.fn, context: context! } });
  if (!entry.outer || !outer || polyKey(entry.outer) === polyKey(outer)) return entry.captured.length && context && !inContextAlready(entry, context) ? entry.captured.map(inContext) : entry.captured;
  const from = entry.outer.constValue();
  const to = outer.constValue();
  if (from === undefined || to === undefined || from === 0 || to === 0) return undefined;
  const out: Captured[] = [];
  for (const c of entry.captured) {
    if (!('op' in c)) {
      out.push(context ? inContext(c) : c);
      continue;
    }
    const o = (c.op.outer ?? Poly.ONE).rescaled(from, to);
    if (!o) return undefined;
    out.push({ op: withOuter(c.op, o.equals(Poly.ONE) ? undefined : o, context ?? c.op.context) });
  }
  CALL_MEMO.rescaled++;
  return out;
}

/** Whether every capture of a remembered call is recorded in `context` already. */
function inContextAlready(entry: CallEntry, context: ContextRef): boolean {
  for (const c of entry.captured) if (('op' in c ? c.op.context : c.fn.context) !== context) return false;
  return true;
}

/**
 * The op with `outer` set or left out, in `context`: the fields `Interpreter.record` gives a captured op, in its
 * order (a literal, not a copy key by key: a model's run captures hundreds of ops).
 */
function withOuter(op: ContextOp, outer: Poly | undefined, context: ContextRef): ContextOp {
  const { path, range, kind, inputs, output, dtype, cost, repeat, name, attrs } = op;
  return { path, range, kind, inputs, output, dtype, cost, ...(repeat ? { repeat } : {}), ...(outer ? { outer } : {}), context, name, attrs };
}

function template(v: Value, since: number, given: readonly Value[], known: readonly Value[], depth: number): Template | undefined {
  switch (v.kind) {
    // Compared by value wherever the interpreter compares them (`sameItem`, `sameConstant`).
    case 'int':
    case 'str':
    case 'float':
    case 'bool':
    case 'none':
      return { same: v };
    case 'tensor': {
      const b = birthOf(v);
      if (b === undefined || given.includes(v)) return undefined;
      return b > since ? { tensor: v, guessed: isGuessed(v.type) } : { same: v };
    }
    case 'tuple': {
      const b = birthOf(v);
      if (b === undefined || depth > 4) return undefined;
      if (b <= since) return { same: v };
      // A list the call made is mutable and made by `newList` (never `born`): not here.
      if (v.list) return undefined;
      const items: Template[] = [];
      for (const x of v.items) {
        const t = template(x, since, given, known, depth + 1);
        if (!t) return undefined;
        items.push(t);
      }
      return { tuple: v, items };
    }
    default:
      // Other objects (modules, instances, functions: some made on the way, whose identity a
      // run would not keep) only when they are the object the call runs on or was given by
      // identity, or the one unknown.
      return v === UNKNOWN || known.includes(v) ? { same: v } : undefined;
  }
}

/** The value a remembered call gives back this time (`Template`). */
export function instantiate(t: Template): Value {
  if ('same' in t) return t.same;
  if ('tensor' in t) {
    const type: TensorType = { ...t.tensor.type, shape: t.tensor.type.shape ? t.tensor.type.shape.slice() : null };
    if (t.guessed) markGuessed(type);
    return born({ ...t.tensor, type });
  }
  return born({ ...t.tuple, items: t.items.map(instantiate), ...(t.tuple.counts ? { counts: t.tuple.counts.slice() } : {}) });
}

/**
 * A polynomial as a key that is equal only for polynomials every computation treats alike, bit
 * for bit: terms and factors in their stored order, coefficients exact (`toString` sorts terms
 * and rounds coefficients). Remembered per polynomial (`Poly.exactKey`): polynomials never change.
 */
export function polyKey(p: Poly): string {
  return p.exactKey();
}

/** A tensor argument's key: shape, dtype, whether guessed, and the value's own flags. */
export function tensorKey(v: Extract<Value, { kind: 'tensor' }>): string {
  const s = v.type.shape;
  let k = 'T';
  if (s === null) k += '?';
  else for (const d of s) k += polyKey(d) + ',';
  k += `:${v.type.dtype}`;
  if (isGuessed(v.type)) k += ':g';
  if (v.parameter) k += ':p';
  // Any other property of the type or the value (none today) makes the key differ from all.
  for (const p in v.type) if (p !== 'shape' && p !== 'dtype') return `${k}:${p}#${++HEAP.serial}`;
  for (const p in v) if (p !== 'kind' && p !== 'type' && p !== 'parameter') return `${k}:${p}#${++HEAP.serial}`;
  return k;
}
