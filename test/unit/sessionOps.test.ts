/**
 * A program session's context ops (session.ts): replayed statements' lists kept as parts and live
 * captures after them read back as one list in order, counted and cut (`opsFrom`) as that list.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContextOp } from '../../server/core/ir';
import { DocumentCache, ProgramSession } from '../../server/frontends/python/session';

const op = (n: number): ContextOp => ({ path: '/p/a.py', range: { start: { line: n, character: 0 }, end: { line: n, character: 1 } }, context: { path: '/p/a.py', line: 0, function: 'main' } }) as unknown as ContextOp;

describe('ProgramSession ops', () => {
  it('reads replayed lists and live captures back in order', () => {
    const files = { read: () => '', version: () => 0, exists: () => false, list: () => [] } as never;
    const s = new ProgramSession(files, new DocumentCache(1), { bindings: new Map(), defaultDtype: 'fp32' }, '/p/a.py');
    const model: ContextOp[] = [];
    let n = 0;
    const steps: (() => void)[] = [
      () => { const list = [op(n++), op(n++), op(n++)]; s.beginStatement(); s.replay({ ops: list, functions: [] }); model.push(...list); },
      () => { s.beginStatement(); for (let i = 0; i < 4; i++) { const o = op(n++); s.captureOp(o); model.push(o); } },
      () => { s.beginStatement(); s.replay({ ops: [], functions: [] }); },
      () => { const list = [op(n++)]; s.beginStatement(); s.replay({ ops: list, functions: [] }); model.push(...list); },
      () => { const o = op(n++); s.captureOp(o); model.push(o); },
    ];
    for (const step of [...steps, ...steps]) {
      step();
      assert.equal(s.opsLength, model.length);
      assert.deepEqual(s.ops, model);
      for (let from = 0; from <= model.length; from++) assert.deepEqual(s.opsFrom(from), model.slice(from), `from ${from}`);
    }
    // A replayed list is never written to: live captures after it go to a list of their own.
    const list = [op(100)];
    s.replay({ ops: list, functions: [] });
    s.captureOp(op(101));
    assert.equal(list.length, 1);
  });
});
