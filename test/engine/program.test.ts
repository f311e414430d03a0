/**
 * Whole-program analysis (docs/whole-program.md) on multi-file fixtures laid out as real projects
 * are: a model file and a training script that imports it through a factory; a package with
 * `__init__.py`, relative imports, a config module, DDP and torch.compile wrapping. Every figure
 * is checked against a hand formula.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { buildContextIndex, withContexts } from '../../server/engine/contexts';
import { fileJson } from '../../server/engine/report';
import { DocumentCache } from '../../server/frontends/python/session';
import { resolveModule, scanImports, importClosure, ProgramFiles } from '../../server/frontends/python/program';
import { DiskProgram, programPath } from '../../server/node/program';
import { analyseFolder } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program');


function fn(a: Analysis | undefined, name: string) {
  const f = a?.functions.find((x) => x.summary.name === name);
  assert.ok(f, `no function ${name}`);
  return f;
}

describe('whole program: a model file built by a training script through a factory', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await initEngine();
    out = analyseFolder(path.join(FIXTURES, 'lm'));
  });
  // train.py: LMConfig(d_model=768, n_heads=12), 4 layers, vocabulary 32,000, batch (8, 1024).
  const b = 8, t = 1024, d = 768, h = 12, L = 4, V = 32000;
  const block = 2 * b * t * d * 3 * d + 2 * b * t * d * d + 2 * (2 * b * t * d * 4 * d) + (4 * b * h * t * t * (d / h)) / 2;
  const forward = L * block + 2 * b * t * d * V;

  it('gives Block.forward the figures of the run train.py describes, with its context', () => {
    const f = fn(out.get('model.py'), 'Block.forward');
    assert.equal(block, 128_849_018_880);
    assert.equal(f.figures.flops, block);
    assert.equal(f.context?.function, '<module>');
    assert.ok(f.context?.path.endsWith('/lm/train.py'));
    assert.equal(f.context?.line, 25, 'the main() call in the __main__ block (0-based line)');
  });

  it('gives LM.forward the config the script passes (d_model 768, not the dataclass default 512)', () => {
    assert.equal(fn(out.get('model.py'), 'LM.forward').figures.flops, forward);
    assert.equal(forward, 918_049_259_520);
  });

  it('follows the model through the factory and .cuda() into main, 100 steps, with training FLOPs', () => {
    const main = fn(out.get('train.py'), 'main');
    assert.equal(main.figures.flops, 100 * forward);
    assert.equal(main.trainingFlops, 3 * 100 * forward);
    const step = fn(out.get('train.py'), 'train_step');
    assert.equal(step.figures.flops, forward);
    assert.equal(step.trainingFlops, 3 * forward);
  });

  it("reports each file's total as its entry point's, named", () => {
    const train = out.get('train.py')!;
    assert.equal(train.totalOf, 'top-level code');
    assert.equal(train.total.flops, 100 * forward);
    const model = out.get('model.py')!;
    assert.equal(model.totalOf, 'LM.forward');
    assert.equal(model.total.flops, forward);
  });

  it('gives ops in the model file the shapes and figures of their context (JSON context field)', () => {
    const model = out.get('model.py')!;
    const json = fileJson(model);
    const head = json.ops.find((o) => o.name === 'self.head');
    assert.ok(head);
    assert.deepEqual(head.inputs, [[8, 1024, 768]]);
    assert.equal(head.flops, 2 * b * t * d * V);
    assert.equal(head.context?.function, '<module>');
  });
});

describe('whole program: a package with relative imports, a config module, DDP and torch.compile', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await initEngine();
    out = analyseFolder(path.join(FIXTURES, 'pkgproj'));
  });
  // NetConfig(d_hidden=2048): d_in 784, d_out 10, depth 2; batch 64.
  const n = 64, di = 784, dh = 2048, dout = 10;
  const forward = 2 * n * di * dh + 2 * (2 * n * dh * dh) + 2 * n * dh * dout;

  it('resolves `import nets.mlp as M`, `from nets import NetConfig` (re-exported by *), `from . import layers`', () => {
    assert.equal(forward, 1_281_884_160);
    assert.equal(fn(out.get('nets/mlp.py'), 'MLP.forward').figures.flops, forward);
    assert.equal(fn(out.get('scripts/train.py'), 'train_step').figures.flops, forward);
  });

  it('keeps the largest context of a layer used with several shapes, and says how many', () => {
    const dense = fn(out.get('nets/layers.py'), 'Dense.forward');
    assert.equal(dense.figures.flops, 2 * n * dh * dh);
    assert.ok((dense.contexts ?? 0) >= 2, `contexts: ${dense.contexts}`);
  });

  it('marks functions that call code outside the program incomplete, with the reason, up to the entry', () => {
    const ev = fn(out.get('scripts/train.py'), 'evaluate');
    assert.equal(ev.incomplete, true);
    assert.ok(ev.reasons?.some((r) => /unmodelled call `augment` \(external_lib is outside the program\)/.test(r.message)), JSON.stringify(ev.reasons));
    const main = fn(out.get('scripts/train.py'), 'main');
    assert.equal(main.incomplete, true, 'incompleteness propagates to callers');
    assert.equal(main.figures.flops, 10 * forward, 'a lower bound: the ten training steps');
  });
});

describe('whole program: module resolution', () => {
  const files = (list: string[], roots = ['/w']): ProgramFiles => ({ roots, has: (p) => list.includes(p), read: () => '', version: () => '1' });
  it('resolves absolute imports from the script folder, then the folders above it up to the root, then src/', () => {
    const f = files(['/w/model.py', '/w/pkg/__init__.py', '/w/pkg/a.py', '/w/src/lib/x.py', '/w/scripts/run.py']);
    assert.equal(resolveModule(f, 'model', 0, '/w/scripts/run.py'), '/w/model.py');
    assert.equal(resolveModule(f, 'pkg', 0, '/w/scripts/run.py'), '/w/pkg/__init__.py');
    assert.equal(resolveModule(f, 'pkg.a', 0, '/w/scripts/run.py'), '/w/pkg/a.py');
    assert.equal(resolveModule(f, 'lib.x', 0, '/w/run.py'), '/w/src/lib/x.py');
    assert.equal(resolveModule(f, 'torch', 0, '/w/run.py'), undefined);
  });
  it('resolves relative imports by level', () => {
    const f = files(['/w/pkg/__init__.py', '/w/pkg/a.py', '/w/pkg/sub/b.py']);
    assert.equal(resolveModule(f, 'a', 2, '/w/pkg/sub/b.py'), '/w/pkg/a.py');
    assert.equal(resolveModule(f, '', 1, '/w/pkg/a.py'), '/w/pkg/__init__.py');
    assert.equal(resolveModule(f, 'missing', 1, '/w/pkg/a.py'), undefined);
  });
  it('scans imports without parsing, and closes over them', () => {
    assert.deepEqual(scanImports('import a.b as c, d\nfrom ..x import (y, z as w)\n  from . import q\n'), [
      { level: 0, module: 'a.b', names: null },
      { level: 0, module: 'd', names: null },
      { level: 2, module: 'x', names: ['y', 'z'] },
      { level: 1, module: '', names: ['q'] },
    ]);
    const texts: Record<string, string> = { '/w/a.py': 'from b import f', '/w/b.py': 'import c', '/w/c.py': 'import a' };
    const f: ProgramFiles = { roots: ['/w'], has: (p) => p in texts, read: (p) => texts[p], version: () => '1' };
    assert.deepEqual(importClosure(f, '/w/a.py', texts['/w/a.py']), ['/w/b.py', '/w/c.py']);
  });
});

describe('whole program: a training script fed by a torchvision data loader', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await initEngine();
    out = analyseFolder(path.join(FIXTURES, 'loader'));
  });
  // MNIST: 60,000 images of 1×28×28 per epoch in batches of 64 (the last one partial), 2 epochs.
  const perImage = 2 * 784 * 128 + 2 * 128 * 10;

  it('counts every image of every epoch, the last partial batch as the fraction it is', () => {
    const main = fn(out.get('train.py'), 'main');
    assert.equal(main.figures.flops, 2 * 60_000 * perImage);
    assert.equal(main.trainingFlops, 3 * 2 * 60_000 * perImage);
  });

  it('gives a training loop over unknown parameters the figures of the run that calls it', () => {
    const train = fn(out.get('train.py'), 'train');
    assert.equal(train.figures.flops, 60_000 * perImage);
    assert.equal(train.context?.function, '<module>');
    // Per batch of 64 images, as the loop body sees it.
    assert.equal(fn(out.get('train.py'), 'Net.forward').figures.flops, 64 * perImage);
  });

  it('says a function that calls an unknown parameter is incomplete when no run calls it', () => {
    const a = analyzeSource({ path: 'step.py', text: 'def step(model, x):\n    return model(x)\n', languageId: 'python' }, DEFAULT_SETTINGS, { program: { files: new DiskProgram([]), docs: new DocumentCache(), key: programPath } });
    const step = withContexts(a, buildContextIndex([a.ir])).functions.find((f) => f.summary.name === 'step')!;
    assert.equal(step.incomplete, true);
    assert.match(step.reasons![0].message, /unmodelled call `model\(\.\.\.\)`: the callee is unknown/);
    assert.equal(fileJson(withContexts(a, buildContextIndex([a.ir]))).functions[0].flops, null, 'never 0 FLOPs');
  });

  it("gives a model file that nothing calls no total, with the forward's reasons (LeNet-style, never a silent 0)", () => {
    const text = [
      'import torch.nn as nn',
      'import torch.nn.functional as F',
      'class LeNet(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      '        self.conv1 = nn.Conv2d(3, 6, 5)',
      '        self.fc1 = nn.Linear(6 * 14 * 14, 10)',
      '    def forward(self, x):',
      '        out = F.max_pool2d(F.relu(self.conv1(x)), 2)',
      '        return self.fc1(out.view(out.size(0), -1))',
      '',
    ].join('\n');
    const a = analyzeSource({ path: 'lenet.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { program: { files: new DiskProgram([]), docs: new DocumentCache(), key: programPath } });
    const totals = fileJson(withContexts(a, buildContextIndex([a.ir]))).totals;
    assert.equal(totals.flops, null);
    assert.equal(totals.of, 'LeNet.forward');
    assert.equal(totals.incomplete, true);
    assert.match(totals.reasons![0].message, /operand of unknown shape/);
  });
});

describe('whole program: several calling contexts', () => {
  it('lists each context with its figures, and gives the largest', async () => {
    await initEngine();
    const out = analyseFolder(path.join(FIXTURES, 'pkgproj'));
    const layers = fileJson(out.get('nets/layers.py')!);
    const dense = layers.functions.find((f) => f.name === 'Dense.forward')!;
    // Dense runs at 784→2048 (the input layer) and 2048→2048 (the hidden ones), batch 64.
    const flops = (dense.contexts ?? []).map((c) => c.flops).sort((x, y) => (x ?? 0) - (y ?? 0));
    assert.deepEqual(flops, [2 * 64 * 784 * 2048, 2 * 64 * 2048 * 2048]);
    assert.equal(dense.flops, 2 * 64 * 2048 * 2048);
  });
});
