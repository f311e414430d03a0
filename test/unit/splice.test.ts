/** core/splice.ts: products of unchanged leading and trailing segments come from the last call. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Splicer, concatAll } from '../../server/core/splice';

type Seg = { id: string };
const seg = (id: string): Seg => ({ id });

/** A splicer whose compute records which segments it was asked for. */
function recording(): { splicer: Splicer<Seg, string>; run: (context: string, segs: Seg[]) => { values: string[]; computed: string[] } } {
  const splicer = new Splicer<Seg, string>();
  return {
    splicer,
    run: (context, segs) => {
      const computed: string[] = [];
      const values = splicer.map(context, segs, (s, i) => {
        computed.push(s.id);
        return `${context}:${s.id}@${i}`;
      });
      return { values, computed };
    },
  };
}

describe('Splicer', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map(seg);

  it('computes everything the first time and nothing when the segments are the same', () => {
    const r = recording();
    assert.deepEqual(r.run('k', [a, b, c]).computed, ['a', 'b', 'c']);
    const again = r.run('k', [a, b, c]);
    assert.deepEqual(again.computed, []);
    assert.deepEqual(again.values, ['k:a@0', 'k:b@1', 'k:c@2']);
  });

  it('computes only the segments between the common start and end', () => {
    const r = recording();
    r.run('k', [a, b, c, d]);
    const x = seg('x');
    const next = r.run('k', [a, x, c, d]);
    assert.deepEqual(next.computed, ['x']);
    assert.deepEqual(next.values, ['k:a@0', 'k:x@1', 'k:c@2', 'k:d@3']);
  });

  it('keeps trailing products aligned when segments are inserted or removed', () => {
    const r = recording();
    r.run('k', [a, b, c, d]);
    const x = seg('x');
    const inserted = r.run('k', [a, b, x, e, c, d]);
    assert.deepEqual(inserted.computed, ['x', 'e']);
    // c and d moved two places down: their products are the ones computed at their old places.
    assert.deepEqual(inserted.values, ['k:a@0', 'k:b@1', 'k:x@2', 'k:e@3', 'k:c@2', 'k:d@3']);
    const removed = r.run('k', [a, d]);
    assert.deepEqual(removed.computed, []);
    assert.deepEqual(removed.values, ['k:a@0', 'k:d@3']);
  });

  it('never counts a segment twice when the start and end overlap', () => {
    const r = recording();
    r.run('k', [a, a, a]);
    const shorter = r.run('k', [a, a]);
    assert.deepEqual(shorter.computed, []);
    assert.equal(shorter.values.length, 2);
    const longer = r.run('k', [a, a, a, a]);
    assert.deepEqual(longer.computed, ['a', 'a'], 'the two segments beyond the last call are computed');
  });

  it('reuses nothing in another context', () => {
    const r = recording();
    r.run('k', [a, b]);
    assert.deepEqual(r.run('other', [a, b]).computed, ['a', 'b']);
  });

  it('concatenates arrays in order', () => {
    assert.deepEqual(concatAll([[1, 2], [], [3], [4, 5]]), [1, 2, 3, 4, 5]);
    assert.deepEqual(concatAll([]), []);
  });
});
