import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContextOp, ContextRef, Range } from '../../server/core/ir';
import { capturedAt, concatenatedFrom, siteFacts } from '../../server/core/rules/siteOps';
import { RuleContext } from '../../server/core/rules/types';
import { Poly } from '../../server/core/symbolic';

const at = (line: number, character: number): Range => ({ start: { line, character }, end: { line, character: character + 5 } });

function op(range: Range, context: ContextRef, dims: number[], repeat?: number): ContextOp {
  return {
    path: '/m.py', range, kind: 'matmul', inputs: [], output: { shape: dims.map((d) => Poly.const(d)), dtype: 'fp32' }, dtype: 'fp32',
    cost: { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO }, ...(repeat ? { repeat: Poly.const(repeat) } : {}), context, name: '@', attrs: {},
  } as unknown as ContextOp;
}

const train: ContextRef = { path: '/train.py', line: 10, function: 'main' };
const sample: ContextRef = { path: '/sample.py', line: 3, function: '<module>' };

describe('context ops by their start', () => {
  it('gives, from a list made of parts, what the flat list gives, in its order', () => {
    // The same site in three parts (a statement replayed, another run again), another site in one.
    const a = op(at(4, 2), train, [2, 3]);
    const b = op(at(4, 2), sample, [1, 3]);
    const c = op(at(9, 0), train, [5]);
    const d = op(at(4, 2), train, [8, 3]);
    const parts = [[a, c], [b], [], [d, a]];
    const flat = parts.flat();
    const record = { ops: flat, functions: [] };
    concatenatedFrom(record, parts);
    for (const r of [at(4, 2), at(9, 0), at(1, 1)]) {
      const want = flat.filter((o) => o.range.start.line === r.start.line && o.range.start.character === r.start.character);
      assert.deepEqual(capturedAt(record, r), want);
    }
    // A record without parts is read from its flat list.
    assert.deepEqual(capturedAt({ ops: flat }, at(9, 0)), [c]);
    assert.deepEqual(capturedAt(undefined, at(9, 0)), []);
  });

  it('weighs each calling context by its largest op and sums its runs, one op object repeated', () => {
    const small = op(at(4, 2), train, [2, 3], 2);
    const large = op(at(4, 2), train, [8, 3], 3);
    const other = op(at(4, 2), sample, [8, 3], 1);
    // Twelve trips of one loop replayed: one object listed twelve times, each trip's runs counted.
    const ops = [small, ...Array(12).fill(large), other];
    const ctx = { bindings: new Map(), ir: { path: '/m.py', ops: [], functions: [], captured: { ops, functions: [] } } } as unknown as RuleContext;
    const bySize = siteFacts(ctx, at(4, 2));
    assert.equal(bySize?.op, large);
    assert.equal(bySize?.context, train);
    assert.equal(bySize?.runs, 2 + 12 * 3);
    const byRuns = siteFacts(ctx, at(4, 2), undefined, 'runs');
    assert.equal(byRuns?.context, train);
    // Equal sizes: the context whose op runs most stands for the site.
    const tie = siteFacts({ ...ctx, ir: { ...ctx.ir, captured: { ops: [other, large], functions: [] } } } as unknown as RuleContext, at(4, 2));
    assert.equal(tie?.op, large);
  });
});
