/**
 * A table of model builders looked up by a key only known at run time (SAM's
 * `sam_model_registry[args.model_type]` with a required `--model-type`): which builder runs is
 * unknown, so the figures of what the model computes say so, by the table's name and keys, rather
 * than losing the model without a word (SPEC §2b). Written afresh.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyseFolder, fn, ready$ } from './helpers';

before(ready$);

describe('a table of builders read by an unknown key', () => {
  it('names the lookup and its entries among the reasons; a known key builds and counts', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'registry-'));
    fs.writeFileSync(path.join(dir, 'run.py'), `import argparse
import torch
import torch.nn as nn

def build_small():
    return nn.Linear(8, 8)

def build_large():
    return nn.Linear(8, 64)

registry = {"small": build_small, "large": build_large}

def main(args):
    model = registry[args.kind]()
    y = model(torch.randn(2, 8))

def known():
    model = registry["large"]()
    y = model(torch.randn(2, 8))

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--kind", type=str, required=True)
    main(parser.parse_args())
    known()
`);
    const a = analyseFolder(dir).get('run.py')!;
    fs.rmSync(dir, { recursive: true, force: true });
    const main = fn(a, 'main');
    assert.equal(main.incomplete, true);
    assert.ok(main.reasons?.some((r) => r.message.includes('`registry[args.kind]`: the key is not known before run time') && r.message.includes('(small, large)')), JSON.stringify(main.reasons));
    // 2·2·8·64 = 2,048.
    assert.equal(fn(a, 'known').figures.flops, 2048);
    assert.equal(fn(a, 'known').incomplete, false);
  });

  it("a module of the program's own class held by self and called on a tensor is a reason when unknown; a library object's method is not", () => {
    // As SAM's predictor: `self.model` is a parameter typed Net, never built here, so which
    // module `self.model.head` is cannot be known; `self.seen` is a deque, not a model.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'held-'));
    fs.writeFileSync(path.join(dir, 'pred.py'), `import collections
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self, width):
        super().__init__()
        self.head = nn.Linear(width, width)

class Predictor:
    def __init__(self, model: Net):
        self.model = model
        self.seen = collections.deque(maxlen=4)

    def run(self, x: torch.Tensor):
        self.seen.append(x)
        return self.model.head(x)
`);
    const a = analyseFolder(dir).get('pred.py')!;
    fs.rmSync(dir, { recursive: true, force: true });
    const run = fn(a, 'Predictor.run');
    assert.equal(run.incomplete, true);
    const messages = (run.reasons ?? []).map((r) => r.message);
    assert.ok(messages.some((m) => m.includes('`self.model.head(...)`: the callee is unknown')), JSON.stringify(messages));
    assert.ok(!messages.some((m) => m.includes('self.seen.append')), JSON.stringify(messages));
  });
});
