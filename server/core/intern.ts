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
