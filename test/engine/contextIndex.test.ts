/**
 * The context index (engine/contexts.ts, `buildContextIndex`) keys each op's site once while it is
 * built and answers lookups by site (`siteKey`) without making the key again: the same op met
 * again in the same context counts as another call, ops of other sites stay apart, a column past
 * 2^20 (a minified line) is keyed as well, and a site no context ran has no key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildContextIndex } from '../../server/engine/contexts';
import type { ContextOp, FileIR } from '../../server/core/ir';
import { Poly } from '../../server/core/symbolic';

const PATH = '/w/model.py';
const ctx = { path: '/w/train.py', line: 9, function: 'main' };

function op(line: number, character: number, flops: number, outer?: number): ContextOp {
  return {
    path: PATH,
    range: { start: { line, character }, end: { line, character: character + 5 } },
    kind: 'matmul',
    inputs: [],
    output: { shape: [Poly.const(4)], dtype: 'fp32' },
    dtype: 'fp32',
    cost: { flops: Poly.const(flops), otherFlops: Poly.ZERO, bytes: Poly.const(16) },
    ...(outer ? { outer: Poly.const(outer) } : {}),
    context: ctx,
    name: 'matmul',
    attrs: {},
  };
}

const indexOf = (ops: ContextOp[]) => buildContextIndex([{ captured: { ops, functions: [] } } as unknown as FileIR]);

describe('context index', () => {
  it('counts the same op in the same context as calls, and keeps other sites apart', () => {
    const a = op(3, 8, 100);
    const index = indexOf([a, op(3, 8, 100), op(3, 8, 100, 5), op(4, 8, 100), op(3, 9, 7)]);
    const k = index.siteKey(PATH, 3, 8)!;
    assert.deepEqual(index.ops.get(k), [a]);
    // Once, once more, and five more times under a loop of five.
    assert.equal(index.calls.get(a), 7);
    assert.equal(index.ops.get(index.siteKey(PATH, 4, 8)!)!.length, 1);
    assert.equal(index.ops.get(index.siteKey(PATH, 3, 9)!)!.length, 1);
    assert.deepEqual(index.opKeys.get(PATH), [k, index.siteKey(PATH, 4, 8), index.siteKey(PATH, 3, 9)]);
  });

  it('keys a site past column 2^20, and has no key for a site no context ran', () => {
    const wide = op(0, 2 ** 20 + 3, 50);
    const index = indexOf([wide, op(0, 3, 50)]);
    assert.deepEqual(index.ops.get(index.siteKey(PATH, 0, 2 ** 20 + 3)!), [wide]);
    assert.notEqual(index.siteKey(PATH, 0, 2 ** 20 + 3), index.siteKey(PATH, 0, 3));
    assert.equal(index.siteKey(PATH, 0, 4), undefined);
    assert.equal(index.siteKey(PATH, 0, 2 ** 20 + 4), undefined);
    assert.equal(index.siteKey('/w/other.py', 0, 3), undefined);
  });
});
