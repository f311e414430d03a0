/**
 * A full garbage collection asked for outright, for the few moments when the process knows that
 * much of its heap has just become garbage and V8 would not look for a long time (an idle
 * language server allocates little, and V8 collects the old generation only when it allocates).
 */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

let gc: (() => void) | null | undefined;

/** V8's `gc`, or null when this Node does not give it (the caller then leaves collection to V8). */
function gcFunction(): (() => void) | null {
  if (gc !== undefined) return gc;
  try {
    // `gc` exists only with --expose-gc; the flag set now gives it to contexts made from now on.
    // One context is made once and kept: making one per collection costs a megabyte and a millisecond.
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    gc = null;
  }
  return gc;
}

/**
 * `times` collections with turns of the event loop between them: the first finds a released
 * parser module's objects dead, and its WebAssembly memory goes with a later one (measured: one
 * collection left it in place, the second freed it). Calls `done` after the last, or at once when
 * collections cannot be asked for.
 */
export function collectGarbage(times = 3, done?: () => void): void {
  const run = gcFunction();
  if (!run) return done?.();
  run();
  if (times > 1) setImmediate(() => collectGarbage(times - 1, done));
  else done?.();
}
