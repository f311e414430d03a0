/**
 * The signal collector walks the tree with a cursor and finds each signal's statement from the
 * cursor's path (signals.ts `walk`, `statementOf`). These tests hold it to the plain definition,
 * climbing `Node.parent` to the nearest child of a block or the module, on every Python file the
 * repository ships, and check that what the walk skips (type annotations) hides nothing it reports.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyse, ready$ } from '../engine/helpers';
import { parsePython } from '../../server/frontends/python/parser';
import { statementOf } from '../../server/frontends/python/signalsAttention';
import { rangeOf } from '../../server/frontends/python/signalsSyntax';
import type { Range } from '../../server/core/ir';
import { REPO } from '../helpers/lspClient';

const DIRS = ['examples', 'examples/models', 'test/fixtures/models', 'test/fixtures/rules', 'test/fixtures/distributed'];

interface WithStatement {
  range: Range;
  statement?: Range;
}

/** Checks every signal that names its statement against the parent-climbing definition. */
function checkStatements(text: string, label: string): number {
  const signals = analyse(text, {}, label).ir.signals as Record<string, unknown[]>;
  const calls = ['gradScaler', 'backward', 'optimizerStep', 'halfModel'].flatMap((k) => (signals[k] ?? []) as WithStatement[]);
  const loopMatmuls = ((signals.loops ?? []) as { matmuls: WithStatement[] }[]).flatMap((l) => l.matmuls);
  const tree = parsePython(text);
  try {
    for (const sig of [...calls, ...loopMatmuls]) {
      const { start, end } = sig.range;
      const node = tree.rootNode.descendantForPosition({ row: start.line, column: start.character }, { row: end.line, column: end.character });
      assert.ok(node, `${label}:${start.line + 1}: no node at the signal's range`);
      assert.deepEqual(sig.statement, rangeOf(statementOf(node)), `${label}:${start.line + 1}`);
    }
  } finally {
    tree.delete();
  }
  return calls.length + loopMatmuls.length;
}

test("each signal's statement is the one found by climbing the node's parents", async () => {
  await ready$();
  let checked = 0;
  for (const dir of DIRS) {
    for (const file of fs.readdirSync(path.join(REPO, dir)).filter((f) => f.endsWith('.py'))) {
      checked += checkStatements(fs.readFileSync(path.join(REPO, dir, file), 'utf8'), `${dir}/${file}`);
    }
  }
  // The fixtures hold 18 of these today; a walk that lost them would check nothing.
  assert.ok(checked >= 15, `only ${checked} signals were checked`);
});

test('statements of signals deep in compound statements, decorators and lambdas', async () => {
  await ready$();
  const src = [
    'import torch',
    '',
    '@register(torch.cuda.amp.GradScaler())',
    'def step(model, opt, xs, ws):',
    '    with torch.no_grad():',
    '        for x in xs:',
    '            if x is not None:',
    '                for w in ws:',
    '                    y = torch.matmul(x, w) if w is not None else (x @ w)',
    '                    ys.append(x @ w)',
    '            else:',
    '                try:',
    '                    z = [a @ w for a in xs]',
    '                except Exception:',
    '                    pass',
    '    apply(lambda: model.half())',
    '    loss = compute(model(xs)); loss.backward()',
    '    opt.step()',
    '',
  ].join('\n');
  const checked = checkStatements(src, 'nested.py');
  // GradScaler, half, backward, step, and the four matmuls in loops.
  assert.equal(checked, 8);
});

test('calls and literals in default values are still walked; annotations are not needed', async () => {
  await ready$();
  const src = [
    'import torch',
    'from jaxtyping import Float',
    'from torch import Tensor',
    '',
    'def train(model, x: Float[Tensor, "B C"], eps: float = 1e-12, scaler=torch.cuda.amp.GradScaler()):',
    '    with torch.autocast("cuda"):',
    '        for w in model.weights:',
    '            x = x @ w',
    '    x.sum().backward()',
    '',
  ].join('\n');
  const s = analyse(src).ir.signals as Record<string, { range: Range; value?: number; statement?: Range }[]>;
  assert.equal(s.gradScaler.length, 1, 'the GradScaler() in a default value');
  assert.deepEqual(s.gradScaler[0].statement?.start, { line: 4, character: 0 });
  assert.deepEqual(s.floatLiterals.map((f) => f.value), [1e-12]);
  assert.equal(s.autocast.length, 1);
  const loops = s.loops as unknown as { matmuls: { statement: Range; loopCarried: boolean }[] }[];
  assert.equal(loops.length, 1);
  assert.deepEqual(loops[0].matmuls.map((m) => [m.statement.start.line, m.loopCarried]), [[7, true]]);
  assert.deepEqual(s.backward[0].statement, { start: { line: 8, character: 4 }, end: { line: 8, character: 22 } });
});
