/**
 * The signal walk leaves dotted names (`self.config.n_embd`) unvisited (frontends/python/signals.ts,
 * `dottedName`): an attribute is skipped only when its text is identifiers joined by dots. One
 * whose object holds code (a matmul in parentheses, a call, a subscript) is walked as before.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import type { LoopSignal } from '../../server/core/rules/signals';

const loopsOf = (text: string) => analyzeSource({ path: 'loop.py', text, languageId: 'python' }, DEFAULT_SETTINGS).ir.signals.loops as LoopSignal[];

describe('signal walk over attributes', () => {
  before(initEngine);

  it('finds a matmul inside the object of an attribute, in a loop', () => {
    const loops = loopsOf(`import torch


def f(a, b, n):
    for i in range(n):
        y = (a @ b).T
        z = a.weight.data @ b
    return y, z
`);
    assert.equal(loops.length, 1);
    // `(a @ b)` under `.T`, and the matmul whose left operand is the dotted name `a.weight.data`.
    assert.deepEqual(loops[0].matmuls.map((m) => m.statement?.start.line), [5, 6]);
  });
});
