/** Ranges inside cached results move with their statement; everything else is shared, not copied. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shiftRanges } from '../../server/core/shift';
import { Poly } from '../../server/core/symbolic';

describe('shiftRanges', () => {
  const range = (l: number) => ({ start: { line: l, character: 4 }, end: { line: l + 1, character: 9 } });

  it('moves every range by the given lines and leaves the original untouched', () => {
    const op = { kind: 'matmul', range: range(10), attrs: { m: Poly.sym('B'), related: [{ range: range(3), message: 'x' }] } };
    const moved = shiftRanges(op, 5);
    assert.deepEqual(moved.range, range(15));
    assert.deepEqual(moved.attrs.related[0].range, range(8));
    assert.deepEqual(op.range, range(10), 'the cached original keeps its place');
    assert.equal(moved.attrs.m, op.attrs.m, 'class instances (polynomials) are shared');
  });

  it('returns the same object when nothing moves or nothing holds a range', () => {
    const cost = { flops: Poly.sym('N'), bytes: Poly.ONE };
    assert.equal(shiftRanges(cost, 3), cost);
    const op = { range: range(1) };
    assert.equal(shiftRanges(op, 0), op);
    const list = [cost, { range: range(2) }];
    const moved = shiftRanges(list, 1);
    assert.notEqual(moved, list);
    assert.equal(moved[0], cost);
  });
});
