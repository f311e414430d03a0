/**
 * Per-segment products reused across consecutive analyses of the same document. A keystroke
 * changes one top-level statement: the segments of ops (`FileIR.segments`) before and after it
 * are the same array objects as in the previous analysis, so their products are taken from that
 * analysis by position (a pointer comparison per segment) instead of being looked up one by
 * one in a memo (a hash lookup per segment, which on a 1,000-statement file is most of what a
 * keystroke costs once nothing else is recomputed). Anything else, such as another document
 * analysed in between, goes to `compute`, which callers back with their own memo.
 */
export class Splicer<S extends object, T> {
  private last?: { context: string; segments: readonly S[]; values: T[] };

  /**
   * @param tellChanged Whether `changed` is kept for the caller. Only a splicer whose caller reads
   * it should: `replaced` holds the products of the call before until the next call, and after
   * an analysis of another document that is the whole of the previous one's (measured: about 20
   * bytes per source byte of a large file, a third of what an analysis keeps).
   */
  constructor(private readonly tellChanged = false) {}

  /**
   * What the last `map` computed afresh: values `[from, to)` of its result, which replaced
   * `replaced` of the call before. Undefined when nothing was taken from the call before, or
   * when the splicer was made without `tellChanged`.
   */
  changed?: { from: number; to: number; replaced: T[] };

  /**
   * The product of each segment: the previous call's for the common leading and trailing
   * segments when `context` (an interned string) is the same (and `keep` agrees), else `compute`.
   */
  map(context: string, segments: readonly S[], compute: (segment: S, index: number) => T, keep?: (segment: S) => boolean): T[] {
    const prev = this.last?.context === context ? this.last : undefined;
    this.changed = undefined;
    const n = segments.length;
    const values = new Array<T>(n);
    const { p, q } = prev ? commonEnds(prev.segments, segments) : { p: 0, q: 0 };
    if (prev) {
      const m = prev.segments.length;
      for (let i = 0; i < p; i++) values[i] = keep && !keep(segments[i]) ? compute(segments[i], i) : prev.values[i];
      for (let i = n - q; i < n; i++) values[i] = keep && !keep(segments[i]) ? compute(segments[i], i) : prev.values[i - n + m];
      if (this.tellChanged) this.changed = { from: p, to: n - q, replaced: prev.values.slice(p, m - q) };
    }
    for (let i = p; i < n - q; i++) values[i] = compute(segments[i], i);
    this.last = { context, segments, values };
    return values;
  }
}

/** The common leading (`p`) and trailing (`q`) items of two lists, by identity; `p + q` is at most the shorter length. */
export function commonEnds<T>(old: readonly T[], now: readonly T[]): { p: number; q: number } {
  const both = Math.min(old.length, now.length);
  let p = 0;
  let q = 0;
  while (p < both && old[p] === now[p]) p++;
  while (q < both - p && old[old.length - 1 - q] === now[now.length - 1 - q]) q++;
  return { p, q };
}

/**
 * The arrays end to end. `Array.prototype.flat` is an order of magnitude slower than this loop in
 * Node 20 (450 µs against 22 µs for 1,250 short arrays), and it runs on every keystroke.
 */
export function concatAll<T>(arrays: readonly (readonly T[])[]): T[] {
  const out: T[] = [];
  for (const a of arrays) for (const x of a) out.push(x);
  return out;
}
