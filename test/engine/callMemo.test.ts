/**
 * The interpreter's call memo (server/frontends/python/callMemo.ts): a call replayed instead of
 * run must leave every figure, op, finding and calling context as the run would, and a change in
 * place between two otherwise identical calls (a field, a global) must make the second one run.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analysis, analyzeSource } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { CALL_MEMO } from '../../server/frontends/python/callMemo';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generateModelHeavy } from '../../bench/generate';
import { FIXTURES, analyse, analyseFolder, fn, ready$ } from './helpers';

/** `run()` with the memo off, then on: both results, and how many calls the second replayed. */
function bothWays<T>(run: () => T): { off: T; on: T; replays: number } {
  CALL_MEMO.enabled = false;
  let off: T;
  try {
    off = run();
  } finally {
    CALL_MEMO.enabled = true;
  }
  const start = CALL_MEMO.replays;
  const on = run();
  return { off, on, replays: CALL_MEMO.replays - start };
}

const json = (a: Analysis) => JSON.stringify({ report: fileJson(a), captured: a.ir.captured, signals: a.ir.signals });

describe('call memo', () => {
  before(() => ready$());

  it('replays a GPT-style file (12 identical blocks per model) exactly as runs', () => {
    const text = generateModelHeavy(300);
    const { off, on, replays } = bothWays(() => analyse(text, {}, 'models.py'));
    assert.ok(replays > 0, 'the memo replayed calls');
    assert.equal(json(on), json(off));
  });

  it('replays the model fixtures exactly as runs', () => {
    for (const name of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py'))) {
      const text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
      const { off, on } = bothWays(() => analyse(text, {}, name));
      assert.equal(json(on), json(off), name);
    }
  });

  it('replays the calling contexts a program records (a model file and its training script)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-memo-'));
    try {
      fs.writeFileSync(path.join(dir, 'model.py'), generateModelHeavy(120));
      fs.writeFileSync(
        path.join(dir, 'train.py'),
        ['import torch', 'from model import GPT0, GPTConfig0', '', 'model = GPT0(GPTConfig0(n_layer=6))', 'for it in range(10):', '    idx = torch.randint(0, 50304, (4, 256))', '    logits, loss = model(idx, idx)', '    loss.backward()', ''].join('\n'),
      );
      const { off, on, replays } = bothWays(() => analyseFolder(dir));
      assert.ok(replays > 0, 'the memo replayed calls');
      for (const [name, a] of off) {
        assert.ok((a.ir.captured?.ops.length ?? 0) > 0 || name === 'model.py', `${name} recorded contexts`);
        assert.equal(json(on.get(name)!), json(a), name);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('replays a call in another calling context and under other loops there as the run records it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-memo-'));
    try {
      // `m(x)` in the loop (10 trips, its own context), then again after it (1 trip, another
      // context), then the builder's run of the returned model (a third): one run, two replays,
      // each recording its ops with its own context and multiplier. `n` (symbolic) cannot be
      // rescaled to 1: that call runs.
      const body = (loop: string) => ['    m = M()', `    for step in range(${loop}):`, '        x = torch.randn(8, 64)', '        y = m(x)', '    y = m(x)', '    return m', ''];
      const text = [
        'import torch',
        'import torch.nn as nn',
        '',
        'class M(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.fc = nn.Linear(64, 64)',
        '',
        '    def forward(self, x):',
        '        for _ in range(3):',
        '            x = self.fc(x)',
        '        return x',
        '',
        'def train(steps: int = 10):',
        ...body('steps'),
        'def train_n(n: int):',
        ...body('n'),
      ].join('\n');
      fs.writeFileSync(path.join(dir, 'script.py'), text);
      const rescaled = CALL_MEMO.rescaled;
      const { off, on, replays } = bothWays(() => analyseFolder(dir).get('script.py')!);
      assert.ok(replays > 0);
      // In `train`: the call after the loop and the builder's run, each from 10 trips to 1.
      assert.equal(CALL_MEMO.rescaled - rescaled, 2, 'replays under another multiplier');
      const contexts = new Set(on.ir.captured!.ops.filter((o) => o.context.function === 'train').map((o) => `${o.context.line}:${o.outer?.toString() ?? '1'}`));
      assert.deepEqual([...contexts].sort(), ['17:10', '18:1', '19:1'], 'each context with its own multiplier');
      assert.equal(json(on), json(off));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  const MODULE = ['import torch', 'import torch.nn as nn', '', 'class M(nn.Module):', '    def __init__(self):', '        super().__init__()', '        self.fc = nn.Linear(64, 64)', '', '    def forward(self, x):', '        return self.fc(x)', ''];

  it('runs a call again after a field of the object it runs on changed', () => {
    const train = (swap: boolean) => [...MODULE, 'def train():', '    m = M()', '    x = torch.randn(8, 64)', '    y = m(x)', ...(swap ? ['    m.fc = nn.Linear(64, 128)'] : ['    w = 1']), '    z = m(x)', ''].join('\n');
    const same = fn(analyse(train(false)), 'train').figures.flops!;
    const { off, on } = bothWays(() => fn(analyse(train(true)), 'train').figures.flops!);
    assert.equal(on, off);
    // The second call multiplies by a 64×128 weight: twice the first call's FLOPs.
    assert.equal(on, same * 1.5);
  });

  it('runs a call again after an entry of a dict it is given changed', () => {
    const text = (change: boolean) =>
      ['import torch', '', 'def f(x, cfg):', "    return x @ torch.randn(64, cfg['w'])", '', 'def train():', "    cfg = {'w': 64}", '    x = torch.randn(8, 64)', '    y = f(x, cfg)', `    cfg['w'] = ${change ? 128 : 64}`, '    z = f(x, cfg)', ''].join('\n');
    const same = fn(analyse(text(false)), 'train').figures.flops!;
    const { off, on } = bothWays(() => fn(analyse(text(true)), 'train').figures.flops!);
    assert.ok(same > 0);
    assert.equal(on, off);
    assert.equal(on, same * 1.5);
  });

  it('runs a call again after a global it reads was bound again (top-level code of a program)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-memo-'));
    try {
      const script = (rebind: boolean) => ['import torch', '', 'W = 64', '', 'def f(x):', '    return x @ torch.randn(64, W)', '', 'x = torch.randn(8, 64)', 'pair = (f(x), f(x))', `y = f(x); W = ${rebind ? 128 : 64}; z = f(x)`, ''].join('\n');
      const flops = (rebind: boolean) => {
        fs.writeFileSync(path.join(dir, 'script.py'), script(rebind));
        return analyseFolder(dir).get('script.py')!.moduleFigures!.flops!;
      };
      const same = flops(false);
      const { off, on, replays } = bothWays(() => flops(true));
      assert.ok(replays > 0, 'the second call of the pair is replayed');
      assert.ok(same > 0);
      assert.equal(on, off);
      // Four calls (the last two from one line: one calling context): three on a 64×64 weight, one on 64×128.
      assert.equal(on, (same / 4) * 5);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the caller new figures after an edit changes a callee\u2019s shapes (keystroke, reused state)', () => {
    const base = generateModelHeavy(300);
    const file = (t: string) => ({ path: 'models.py', text: t, languageId: 'python' as const });
    let state: PythonState | undefined = analyzeSource(file(base), DEFAULT_SETTINGS, { keep: true }).state;
    const before = analyzeSource(file(base), DEFAULT_SETTINGS, { reuse: state });
    state = before.state;
    const at = base.indexOf('4 * config.n_embd, bias', base.indexOf('class MLP1'));
    const edited = base.slice(0, at) + '2' + base.slice(at + 1);
    const at2 = edited.indexOf('nn.Linear(4 * config.n_embd', base.indexOf('class MLP1'));
    const text = edited.slice(0, at2) + 'nn.Linear(2' + edited.slice(at2 + 'nn.Linear(4'.length);
    const after = analyzeSource(file(text), DEFAULT_SETTINGS, { reuse: state });
    disposePythonState(after.state!);
    const fresh = analyzeSource(file(text), DEFAULT_SETTINGS);
    assert.equal(JSON.stringify(fileJson(after)), JSON.stringify(fileJson(fresh)));
    // The callers of the MLP (symbolic on their own, in numbers where the builder binds them).
    for (const name of ['Block1.forward', 'GPT1.forward']) assert.notEqual(fn(after, name).summary.flops.toString(), fn(before, name).summary.flops.toString(), name);
    assert.ok(fn(after, 'train1').figures.flops! < fn(before, 'train1').figures.flops!, 'train1: a narrower MLP costs less');
    assert.equal(fn(after, 'GPT0.forward').summary.flops.toString(), fn(before, 'GPT0.forward').summary.flops.toString());
    assert.equal(fn(after, 'train0').figures.flops, fn(before, 'train0').figures.flops);
  });
});
