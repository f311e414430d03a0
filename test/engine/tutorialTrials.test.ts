/**
 * What yunjey/pytorch-tutorial and graykode/nlp-tutorial showed a new user, each with its hand
 * formula written out (fixtures written for these tests, in the scripts' idioms):
 * - a forward that calls `nn.LSTM` on its parameter showed 0 FLOPs, complete, when analysed alone:
 *   the LSTM dropped an input of unknown shape without saying so;
 * - `if self.downsample:` on a module (or None) ran both branches and called the ResNet an upper
 *   bound: `if` now decides on Python's truthiness, as `not` and `a if c else b` did;
 * - `torch.LongTensor([np.asarray([...]) for sen in sentences])` lost the rows' dim, and a shape
 *   comment that disagreed with the code (TextCNN's) then replaced the batch;
 * - `'{:.6f}'.format(loss)` made a training loop's total incomplete ("callee unknown"), and
 *   `sen.split()` of a known string had no length;
 * - a `required=True` mutually exclusive group of argparse options read them all as None.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analysis } from '../../server/engine/analyze';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

/** The script analysed as the CLI does (a program of one file, its functions in their contexts). */
const inContext = (text: string): Analysis => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-tutorial-'));
  try {
    fs.writeFileSync(path.join(dir, 'main.py'), text);
    return analyseFolder(dir).get('main.py')!;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};

describe('tutorial scripts (pytorch-tutorial, nlp-tutorial idioms)', () => {
  before(ready$);

  it('a forward calling nn.LSTM on its parameter is not 0 FLOPs alone; the run gives the hand formula', () => {
    const text = `
import torch
import torch.nn as nn

class BiRNN(nn.Module):
    def __init__(self, input_size, hidden_size, num_layers, num_classes):
        super().__init__()
        self.hidden_size = hidden_size
        self.lstm = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
        self.fc = nn.Linear(hidden_size * 2, num_classes)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1, :])

def run(model, x):
    return model(x)
`;
    // Alone, the forward's input is unknown: incomplete, never a complete 0.
    const alone = fn(analyse(text), 'BiRNN.forward');
    assert.equal(alone.incomplete, true, JSON.stringify(alone.figures));
    // Called on (100, 28, 28), batch first, H = 128, two bidirectional layers, 4 gates:
    // layer 0 per direction 2·2800·28·512 + 2·28·100·128·512 = 80,281,600 + 367,001,600;
    // layer 1 per direction 2·2800·256·512 + 367,001,600 = 734,003,200 + 367,001,600;
    // fc 2·100·256·10 = 512,000. Total 2·447,283,200 + 2·1,101,004,800 + 512,000 = 3,097,088,000.
    const a = inContext(`${text}\nmodel = BiRNN(28, 128, 2, 10)\ny = model(torch.randn(100, 28, 28))\n`);
    const f = fn(a, 'BiRNN.forward');
    assert.equal(f.figures.flops, 3_097_088_000);
    assert.equal(f.incomplete, false);
  });

  it('`if self.downsample:` decides on a module and on None: the residual block is exact, no upper bound', () => {
    const a = inContext(`
import torch
import torch.nn as nn

class Block(nn.Module):
    def __init__(self, c, downsample=None):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1, bias=False)
        self.downsample = downsample

    def forward(self, x):
        out = self.conv(x)
        if self.downsample:
            out = out + self.downsample(x)
        return out

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = Block(8, nn.Sequential(nn.Conv2d(8, 8, 1, bias=False)))
        self.b = Block(8)

    def forward(self, x):
        return self.b(self.a(x))

y = Net()(torch.randn(2, 8, 16, 16))
`);
    // Two 3×3 convs 2·2·8·8·9·256 = 589,824 each, one 1×1 projection 2·2·8·8·256 = 65,536.
    const net = fn(a, 'Net.forward');
    assert.equal(net.figures.flops, 2 * 589_824 + 65_536);
    assert.ok(!net.upperBound, 'both branches are decided');
  });

  it('a list of arrays stacks (TextCNN\'s batch): words of known sentences give (6, 3), and a wrong shape comment does not win', () => {
    const a = analyse(`
import numpy as np
import torch
import torch.nn as nn

sentences = ["i love you", "he loves me", "she likes baseball", "i hate you", "sorry for that", "this is awful"]
word_list = list(set(" ".join(sentences).split()))
word_dict = {w: i for i, w in enumerate(word_list)}
inputs = torch.LongTensor([np.asarray([word_dict[n] for n in sen.split()]) for sen in sentences])
emb = nn.Embedding(len(word_dict), 2)
e = emb(inputs)  # [batch_size, sequence_length, sequence_length]
y = e @ torch.randn(2, 5)
`);
    const mm = a.ir.ops.find((o) => o.kind === 'matmul')!;
    assert.deepEqual(mm.output.shape?.map(String), ['6', '3', '5']);
    // 2·(6·3)·2·5 = 360.
    assert.equal(mm.cost.flops.constValue(), 360);
  });

  it("`'{:.6f}'.format(loss)` in a training loop leaves its total complete", () => {
    const a = inContext(`
import torch
import torch.nn as nn

model = nn.Linear(4, 2)
x = torch.randn(8, 4)
for epoch in range(10):
    loss = model(x).sum()
    print('cost =', '{:.6f}'.format(loss))
`);
    const main = a.ir.moduleSummary!;
    assert.deepEqual(main.reasons ?? [], []);
    // 10 × 2·8·4·2 = 1,280.
    assert.equal(main.flops.constValue(), 1280);
  });

  it('options of a required mutually exclusive group are not read as None', () => {
    const a = inContext(`
import argparse
import torch
import torch.nn as nn

parser = argparse.ArgumentParser()
group = parser.add_mutually_exclusive_group(required=True)
group.add_argument("--small", action="store_true")
group.add_argument("--large", action="store_true")
args = parser.parse_args()
x = torch.randn(8, 64)
if args.small:
    y = nn.Linear(64, 64)(x)
elif args.large:
    y = nn.Linear(64, 4096)(x)
`);
    // One of the two runs: the costlier, 2·8·64·4096 = 4,194,304, as an upper bound; with both
    // flags read as False nothing would run.
    assert.equal(a.ir.moduleSummary!.flops.constValue(), 4_194_304);
    assert.equal(a.ir.moduleSummary!.upperBound, true);
  });
});
