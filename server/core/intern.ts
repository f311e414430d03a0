/**
 * One string object per content. Caches that outlive an analysis compare keys with `===`, which
 * for two equal strings built separately compares every character; keys built again on every
 * keystroke (a device and its bindings, the imports met so far) are interned so the comparison
 * finds the same object. Equality never depends on it, only speed.
 */
import type { Device } from './devices';
import type { Bindings } from './symbolic';

const INTERNED = new Map<string, string>();

export function intern(s: string): string {
  const hit = INTERNED.get(s);
  if (hit !== undefined) return hit;
  if (INTERNED.size > 1000) INTERNED.clear();
  INTERNED.set(s, s);
  return s;
}

/** What figures depend on besides the op: the device and the bound dims, as one interned key. */
export function figuresContext(device: Device, bindings: Bindings): string {
  return intern(`${JSON.stringify(device)}|${[...bindings].sort(([a], [b]) => (a < b ? -1 : 1)).join(';')}`);
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 represents a slice of
 * 13 characters or more as a view of its parent, so a cache entry keyed by (or holding) a slice
 * of a document's text keeps that whole version of the document alive: on a 10,000-line file,
 * about 300 kB per keystroke. Strings that outlive an analysis in a cache are detached.
 */
export function detach(s: string): string {
  return (s + ' ').slice(0, -1);
}
