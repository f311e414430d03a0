/**
 * `functionAt` (TC201/TC202's function around a signal) finds, through an index of starts, the
 * same function as a scan of the list in order: the first whose range holds the range asked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FunctionSummary, Range } from '../../server/core/ir';
import { functionAt } from '../../server/core/rules/tc202-manual-attention';

const pos = (line: number, character: number) => ({ line, character });
const within = (r: Range, o: Range) => (o.start.line < r.start.line || (o.start.line === r.start.line && o.start.character <= r.start.character)) && (r.end.line < o.end.line || (r.end.line === o.end.line && r.end.character <= o.end.character));

/** A seeded generator (mulberry32), so that a failure repeats. */
function random(seed: number): () => number {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('functionAt', () => {
  it('equals the first function of the list holding the range, for nested, overlapping and repeated ranges', () => {
    const rnd = random(7);
    const int = (n: number) => Math.floor(rnd() * n);
    for (let round = 0; round < 200; round++) {
      const fns: FunctionSummary[] = [];
      for (let i = 0, n = 1 + int(30); i < n; i++) {
        const a = pos(int(40), int(8));
        const b = pos(a.line + int(12), int(8));
        const end = b.line === a.line && b.character < a.character ? pos(a.line, a.character) : b;
        fns.push({ name: `f${i}`, range: { start: a, end } } as FunctionSummary);
      }
      // Some ranges repeated (a function redefined), in a list not in the file's order.
      if (fns.length > 2) fns.push({ name: 'again', range: fns[int(fns.length)].range } as FunctionSummary);
      for (let q = 0; q < 30; q++) {
        const s = pos(int(45), int(8));
        const e = pos(s.line + int(3), int(8));
        const r: Range = { start: s, end: e.line === s.line && e.character < s.character ? s : e };
        assert.equal(functionAt(fns, r), fns.find((f) => within(r, f.range)), `round ${round}, query ${q}`);
      }
    }
  });
});
