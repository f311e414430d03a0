/**
 * Moves every LSP range inside a result by a number of lines: what a cached per-statement result
 * becomes when lines are inserted or deleted above its statement. Plain objects and arrays are
 * copied where they hold a range; anything else (polynomials, maps, class instances) is shared
 * as it is, since ranges only ever live in plain data.
 */
import type { Range } from './ir';

function isRange(v: unknown): v is Range {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Partial<Range>;
  return typeof r.start?.line === 'number' && typeof r.start.character === 'number' && typeof r.end?.line === 'number' && typeof r.end.character === 'number';
}

function isPlain(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
}

export function shiftRanges<T>(value: T, lines: number, depth = 0): T {
  if (lines === 0 || depth > 12) return value;
  if (isRange(value)) {
    return { ...value, start: { line: value.start.line + lines, character: value.start.character }, end: { line: value.end.line + lines, character: value.end.character } } as T;
  }
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((v, i) => {
      const s = shiftRanges(v, lines, depth + 1);
      if (s !== v) (out ??= value.slice())[i] = s;
    });
    return (out ?? value) as T;
  }
  if (isPlain(value)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(value)) {
      const v = value[k];
      const s = shiftRanges(v, lines, depth + 1);
      if (s !== v) (out ??= { ...value })[k] = s;
    }
    return (out ?? value) as T;
  }
  return value;
}
