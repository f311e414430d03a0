/**
 * Generator functions: `for obj in iterable: yield obj` (ConvNeXt's and DeiT's
 * `MetricLogger.log_every` around the data loader). A call of one ran its body as a function's and
 * gave None, so `for x, y in enumerate(metric_logger.log_every(loader))` looped over nothing: the
 * training step's model call was missing, silently. Now the call gives the list of what its
 * `yield`s produce, each counted as often as the loops around it run (a `yield` inside a loop of
 * unknown trip count gives a list of unknown length, which the loop over it says); `yield from x`
 * gives x's items.
 */
import type { Frame, Interpreter } from './interpreter';
import type { Node } from './parser';
import { containerMethod } from './pybuiltins';
import { NONE, UNKNOWN, Value } from './values';

const GENERATOR = new WeakMap<Node, boolean>();

/** Scopes whose `yield`s are not the function's own. */
const NESTED = new Set(['function_definition', 'lambda', 'class_definition', 'decorated_definition']);

/** Whether a def's body yields (outside nested defs, lambdas and classes). */
export function isGenerator(fn: Node): boolean {
  if (fn.type !== 'function_definition') return false;
  let known = GENERATOR.get(fn);
  if (known !== undefined) return known;
  const walk = (n: Node): boolean => {
    if (n.type === 'yield') return true;
    for (const c of n.namedChildren) if (c && !NESTED.has(c.type) && walk(c)) return true;
    return false;
  };
  // The text first: walking every body through WebAssembly cost a tenth of a GPT-style file's
  // analysis, and most functions never say `yield`.
  const body = /\byield\b/.test(fn.text) ? fn.childForFieldName('body') : null;
  known = body ? walk(body) : false;
  GENERATOR.set(fn, known);
  return known;
}

/** `yield x` / `yield from xs` in a generator's frame: appended to what the call gives. */
export function yieldValue(n: Node, frame: Frame, it: Interpreter): Value {
  const arg = n.namedChildren.find((c) => c && c.type !== 'comment') ?? null;
  const from = n.children.some((c) => c?.type === 'from');
  const v = arg ? it.eval(arg, frame) : NONE;
  if (frame.yields) containerMethod(frame.yields, from ? 'extend' : 'append', [v], it, frame);
  // What the caller sends back with `send()` is not known.
  return UNKNOWN;
}
