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
 * - a `required=True` mutually exclusive group of argparse options read them all as None;
 * - ConvNeXt's `main.py`: `create_model(args.model)` of a builder registered with timm's
 *   `@register_model` was an unknown callee, timm's `create_transform` and `Mixup` lost the batch's
 *   shape, and `for x, y in metric_logger.log_every(loader)` (a generator) looped over nothing.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Analysis } from '../../server/engine/analyze';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

/** A program analysed as the CLI does (its functions in their contexts); files by relative path. */
const program = (files: Record<string, string>): Map<string, Analysis> => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-tutorial-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return analyseFolder(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
const inContext = (text: string): Analysis => program({ 'main.py': text }).get('main.py')!;

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
    // Parameters: layer 0, per direction 4·128·(28 + 128) + 2·4·128 = 80,896; layer 1, per
    // direction 4·128·(256 + 128) + 1,024 = 197,632; fc 256·10 + 10. Twice each layer: 559,626.
    const params = fn(a, 'BiRNN.__init__').summary.params!;
    assert.equal(params.evaluate(new Map([['input_size', 28], ['hidden_size', 128], ['num_layers', 2], ['num_classes', 10]])), 559_626);
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

  it('a loop over a generator runs its body for each item the generator yields', () => {
    const a = inContext(`
import torch
import torch.nn as nn

def log_every(iterable, header=None):
    for obj in iterable:
        yield obj

def pairs():
    yield torch.randn(4, 16)
    yield from [torch.randn(8, 16), torch.randn(2, 16)]

fc = nn.Linear(16, 32)
batches = [torch.randn(4, 16) for _ in range(10)]
for i, x in enumerate(log_every(batches)):
    y = fc(x)
for x in pairs():
    z = fc(x)
`);
    const m = a.ir.moduleSummary!;
    assert.deepEqual(m.reasons ?? [], []);
    // 10 batches of 2·4·16·32 = 4,096, then 2·(4 + 8 + 2)·16·32 = 14,336.
    assert.equal(m.flops.constValue(), 10 * 4096 + 14_336);
  });

  it("ConvNeXt's main: create_model by a registered name, timm's transform and Mixup, the model's figures per batch", () => {
    const out = program({
      'models/__init__.py': '',
      'models/net.py': `
import torch.nn as nn
from timm.models.registry import register_model

class Net(nn.Module):
    def __init__(self, in_chans=3, num_classes=1000, width=32):
        super().__init__()
        self.stem = nn.Conv2d(in_chans, width, kernel_size=4, stride=4)
        self.head = nn.Linear(width, num_classes)

    def forward(self, x):
        x = self.stem(x)
        return self.head(x.mean([-2, -1]))

@register_model
def net_tiny(pretrained=False, **kwargs):
    return Net(width=32, **kwargs)

@register_model
def net_big(pretrained=False, **kwargs):
    return Net(width=64, **kwargs)
`,
      'main.py': `
import argparse
import torch
from torchvision import datasets
from timm.data import create_transform
from timm.data.mixup import Mixup
from timm.models import create_model
from timm.loss import SoftTargetCrossEntropy
import models.net

def log_every(iterable):
    for obj in iterable:
        yield obj

def main(args):
    transform = create_transform(input_size=args.input_size, is_training=True)
    dataset = datasets.ImageFolder('/data/train', transform=transform)
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch_size, drop_last=True)
    mixup_fn = Mixup(mixup_alpha=0.8, num_classes=args.nb_classes)
    model = create_model(args.model, pretrained=False, num_classes=args.nb_classes)
    criterion = SoftTargetCrossEntropy()
    for samples, targets in log_every(loader):
        samples, targets = mixup_fn(samples, targets)
        output = model(samples)
        loss = criterion(output, targets)

if __name__ == '__main__':
    parser = argparse.ArgumentParser()
    parser.add_argument('--model', default='net_tiny', type=str)
    parser.add_argument('--input_size', default=224, type=int)
    parser.add_argument('--batch_size', default=64, type=int)
    parser.add_argument('--nb_classes', default=1000, type=int)
    main(parser.parse_args())
`,
    });
    // net_tiny on (64, 3, 224, 224): stem 2·64·32·3·16·56·56 = 616,562,688; head 2·64·32·1000 = 4,096,000.
    const forward = fn(out.get('models/net.py')!, 'Net.forward');
    assert.equal(forward.figures.flops, 616_562_688 + 4_096_000);
    const main = fn(out.get('main.py')!, 'main');
    assert.equal(main.figures.flops, 616_562_688 + 4_096_000);
    // The loader's length is not known: one batch counted, and said so.
    assert.ok((main.reasons ?? []).some((r) => /number of batches/.test(r.message)), JSON.stringify(main.reasons));
    assert.ok(!(main.reasons ?? []).some((r) => /callee is unknown|create_model/.test(r.message)), JSON.stringify(main.reasons));
  });

  it("nlp-tutorial's vocabulary: set() of known words is their distinct count, list() of the unknown is not empty", () => {
    const a = inContext(`
import torch

sentences = ['ich mochte ein bier P', 'S i want a beer', 'i want a beer E']
word_list = list(set(" ".join(sentences).split()))
word_dict = {w: i for i, w in enumerate(word_list)}
n_class = len(word_dict)
y = torch.randn(4, n_class) @ torch.randn(n_class, 8)

def f(xs):
    z = torch.randn(len(list(xs)), 8) @ torch.randn(8, 8)
    return z

w = f(open('words.txt'))
levels = list(range(3))
v = torch.randn(len(levels), 8) @ torch.randn(8, 8)
`);
    const ops = a.ir.ops.filter((o) => o.kind === 'matmul');
    // 11 distinct words: 2·4·11·8 = 704 (it was 0, the vocabulary read as empty).
    assert.equal(ops[0].cost.flops.constValue(), 704);
    // list(xs) of unknown xs: a length nobody knows, not 0 rows.
    const rows = ops[1].output.shape?.[0];
    assert.ok(rows === undefined || rows.constValue() !== 0, ops[1].output.shape?.map(String).join(','));
    // list(range(3)) has 3 items (it had none): 2·3·8·8 = 384.
    assert.equal(ops.find((o) => o.range.start.line === 15)?.cost.flops.constValue(), 384, ops.map((o) => `${o.range.start.line}:${o.cost.flops.toString()}`).join(" "));
  });

  it("Seq2Seq(Attention)'s step: characters of a known string, torch.dot, a list index of unknown length", () => {
    const a = inContext(`
import numpy as np
import torch

word_dict = {'S': 0, 'P': 1, 'a': 2}
tb = torch.FloatTensor([np.eye(3)[[word_dict[n] for n in 'SPPPP']]])
y = tb @ torch.randn(3, 4)
s = torch.dot(torch.randn(128), torch.randn(128))

def lookup(text):
    return torch.FloatTensor(np.eye(3)[[word_dict[n] for n in text]]) @ torch.randn(3, 4)

z = lookup(input())
seq = 'make'
w = torch.FloatTensor(np.eye(3)[[len(n) for n in seq[:-1]]]) @ torch.randn(3, 4)
`);
    const at = (line: number) => a.ir.ops.find((o) => o.kind === 'matmul' && o.range.start.line === line)!;
    const [y, dot, z, w] = [at(6), at(7), at(10), at(14)];
    // 'make'[:-1] is 'mak': three rows.
    assert.deepEqual(w.output.shape?.map(String), ['3', '4']);
    // (1, 5, 3) @ (3, 4): 2·5·3·4 = 120; the dot product 2·128 = 256.
    assert.deepEqual(y.output.shape?.map(String), ['1', '5', '4']);
    assert.equal(dot.cost.flops.constValue(), 256);
    // Indexed by a list of unknown length: its rows are unknown (they were 1).
    assert.equal(z.output.shape?.[0].constValue(), undefined, z.output.shape?.map(String).join(','));
  });

  it('nn.Embedding.from_pretrained looks up its table; a matplotlib axis is no unknown model', () => {
    const a = inContext(`
import numpy as np
import torch
import torch.nn as nn
import matplotlib.pyplot as plt

table = torch.FloatTensor(np.zeros((6, 512)))
pos_emb = nn.Embedding.from_pretrained(table, freeze=True)
x = pos_emb(torch.LongTensor([[1, 2, 3, 4, 0]])) @ torch.randn(512, 7)
fig = plt.figure(figsize=(5, 5))
ax = fig.add_subplot(1, 1, 1)
ax.matshow(x, cmap='viridis')
`);
    const m = a.ir.moduleSummary!;
    assert.deepEqual(m.reasons ?? [], []);
    // (1, 5, 512) @ (512, 7): 2·5·512·7 = 35,840.
    assert.equal(m.flops.constValue(), 35_840);
  });

  it('`if obj:` on an object whose class defines __len__ is not decided as true', () => {
    const a = inContext(`
import torch

class Bag:
    def __init__(self):
        self.items = []

    def __len__(self):
        return len(self.items)

bag = Bag()
if bag:
    y = torch.randn(8, 8) @ torch.randn(8, 8)
else:
    y = torch.randn(8, 8) @ torch.randn(8, 16)
`);
    // The empty bag is false in Python: the else branch, 2·8·8·16 = 2,048, counted as the costlier.
    assert.equal(a.ir.moduleSummary!.flops.constValue(), 2048);
    assert.equal(a.ir.moduleSummary!.upperBound, true);
  });

  it("a layer given a value the analysis lost (DLA's Root on torch.cat(xs)) is unknown, not 0 FLOPs", () => {
    const a = analyse(`
import torch
import torch.nn as nn

class Root(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 1, bias=False)

    def forward(self, xs):
        x = torch.cat(xs, 1)
        return self.conv(x)
`);
    const root = fn(a, 'Root.forward');
    assert.equal(root.incomplete, true, JSON.stringify(root.figures));
  });
});
