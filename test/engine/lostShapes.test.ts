/**
 * Sizes only the run knows (SPEC §2b, "never a silent number"). Three ways a run's unknown
 * became a confident figure, all met on real code:
 *
 * - build-nanogpt's `B = 64`, `T = 1024` module constants bound the dims `B, T = idx.size()`
 *   names in `GPT.forward`, also where HellaSwag calls the model on 4 rows of a few dozen tokens
 *   (the shape of those rows is computed from data), and the shape comment `# (B, T, n_embd)`
 *   under it did the same. In a run from an entry point, a lost shape stays unknown.
 * - A list built by a loop of unknown trip count, or by a comprehension over what the analysis
 *   cannot count, held one item: minGPT's BPE `encode` gave a one-token prompt, LLaMA's
 *   `reshape_for_broadcast` a shape `[1]`. Such a list's length is unknown.
 * - `x.view(B, T)` of a tensor of unknown shape (tokens read with `np.load`) was unknown, though
 *   every size is given.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'lost-shapes');
/** One call of `Model.forward` on a 64 × 1024 batch: 2 · (64·1024 rows) · 8 · 8. */
const FORWARD = 2 * 64 * 1024 * 8 * 8;

describe('sizes only the run knows', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await initEngine();
    out = analyseFolder(DIR);
  });

  it('does not give a lost shape the values of module constants named like its dims', () => {
    const totals = fileJson(out.get('gpt_eval.py')!).totals;
    // The ten training calls on `buf[: B * T].view(B, T)`, known; the three evaluation calls on
    // rows of unknown width are not counted as 64 × 1024 batches (13 × FORWARD, complete, before).
    assert.equal(totals.flops, 10 * FORWARD);
    assert.equal(totals.incomplete, true);
    const why = totals.reasons?.map((r) => r.message) ?? [];
    assert.ok(why.includes('operand of unknown shape in `self.proj`'), why.join('\n'));
  });

  it('keeps binding the constants in the function’s own figures', () => {
    const forward = out.get('gpt_eval.py')!.functions.find((f) => f.summary.name === 'Model.forward')!;
    // The function on its own reads B and T off its input: the file's constants give them values.
    assert.equal(forward.summary.flops.toString(), '128*B*T');
  });

  it('gives a tokenizer’s output, built in a loop over words, an unknown length', () => {
    const main = out.get('tokens.py')!.functions.find((f) => f.summary.name === 'main')!;
    // (1, ?, 16) @ (16, 4): the prompt is not one token long (128 FLOPs, complete, before).
    assert.equal(main.figures.flops, null);
    assert.equal(main.incomplete, true);
    const why = main.reasons?.map((r) => r.message) ?? [];
    assert.ok(why.some((m) => /^loop at line 25: the trip count of the loop at line 10 is unknown, one trip counted$/.test(m)), why.join('\n'));
  });

  it('does not make a shape of one item from a comprehension over a lost shape', () => {
    const main = out.get('tokens.py')!.functions.find((f) => f.summary.name === 'main')!;
    const why = main.reasons?.map((r) => r.message) ?? [];
    // `freqs.view(*[1])` gave f the shape (1,), and `f * zeros(4, 4)` a complete 16 FLOPs.
    assert.ok(why.includes('operand of unknown shape in `*`'), why.join('\n'));
  });

  it('says nothing of a loop of unknown length that computes nothing', () => {
    for (const name of ['encode', 'spell']) {
      const f = out.get('tokens.py')!.functions.find((x) => x.summary.name === name)!;
      assert.equal(f.incomplete, false, `${name}: ${JSON.stringify(f.reasons)}`);
    }
  });
});

describe('stated defaults of a script', () => {
  it('take the bound its own run asserts, not another script’s', async () => {
    await initEngine();
    const out = analyseFolder(path.resolve(DIR, '..', 'bounds'));
    // Model(6) in short.py, Model(11) in long.py: `assert t <= self.block_size` in the model.
    // minGPT's adder project (block size 6) took t = 11 from another run of the same model.
    for (const [file, t] of [['short.py', 6], ['long.py', 11]] as const) {
      const totals = fileJson(out.get(file)!).totals;
      assert.deepEqual(totals.assumed?.t, { value: t, from: 'assert at model.py:13' }, file);
      assert.equal(totals.flops, 2 * t * 8 * 8, file);
    }
  });
});

describe('loops whose trips differ, counts only the run knows', () => {
  before(ready$);

  it('says a generation loop lengthens its sequence every trip, not a silent first trip times 500', () => {
    // ng-video-lecture's `generate`: idx is one token longer each trip, so the first trip's
    // forward (one token) is not every trip's; the figures were complete at 500 × the first.
    const a = analyse(`
import torch
import torch.nn as nn

def main():
    head = nn.Linear(16, 16)
    idx = torch.zeros((1, 1, 16))
    for _ in range(500):
        out = head(idx)
        idx = torch.cat((idx, out[:, -1:, :]), dim=1)

main()
`);
    const main = fn(a, 'main');
    assert.deepEqual(main.summary.reasons?.map((r) => r.message), ['loop at line 8: `idx` changes shape every trip ((1, 1, 16) to (1, 2, 16)); each trip counted as the first']);
  });

  it('says so of a generate analysed on its own, whose sequence has no known shape', () => {
    // nanoGPT's GPT.generate on its own: its figure was max_new_tokens × the first trip's.
    const a = analyse(`
import torch
import torch.nn as nn

class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Linear(16, 16)

    def forward(self, idx):
        b, t, c = idx.size()
        return self.head(idx)

    def generate(self, idx, max_new_tokens):
        for _ in range(max_new_tokens):
            logits = self(idx)
            idx = torch.cat((idx, logits[:, -1:, :]), dim=1)
        return idx
`);
    assert.deepEqual(fn(a, 'Model.generate').summary.reasons?.map((r) => r.message), ['loop at line 15: `idx` is appended to every trip; each trip counted as the first']);
  });

  it('does not say so of a loop that reshapes its own target, or whose shapes settle', () => {
    const a = analyse(`
import torch
import torch.nn as nn

def main():
    fc = nn.Linear(784, 10)
    x = torch.zeros(8, 3, 4)
    for images in [torch.zeros(100, 1, 28, 28)] * 10:
        images = images.reshape(-1, 28 * 28)
        y = fc(images)
        x = x.flatten(1)
    for seq in [torch.zeros(4, 10)] * 10:
        seq = torch.cat((seq, torch.zeros(4, 1)), dim=1)
        z = seq @ torch.zeros(11, 2)

main()
`);
    const main = fn(a, 'main');
    assert.deepEqual(main.summary.reasons ?? [], []);
    assert.equal(main.figures.flops, 10 * 2 * 100 * 784 * 10 + 10 * 2 * 4 * 11 * 2);
  });

  it('names a module-level count of data the dim the user can bind, and len of a list of unknown length is not 1', () => {
    const text = `
import torch
import torch.nn as nn

text = open("input.txt").read()
chars = sorted(list(set(text)))
vocab_size = len(chars)
words = []
for w in text.split():
    words.append(w)
n_words = sum([1 for w in words])
head = nn.Linear(32, vocab_size)
y = head(torch.zeros(4, 32))
z = torch.zeros(len(words), 8) @ torch.zeros(8, 8)
`;
    const a = analyse(text, { dims: { vocab_size: 65 } });
    const flops = a.ir.ops.map((o, i) => [o.name, a.figures[i].flops] as const);
    assert.deepEqual(flops[0], ['head', 2 * 4 * 32 * 65]);
    // len(words) of words appended once per word: not one word (2 · 1 · 8 · 8 before).
    assert.equal(flops[1][1], null);
  });
});

describe('calls on values that may not be tensors', () => {
  before(ready$);

  it('writing an array out computes nothing; a call on a value not known to be a tensor is named as written', () => {
    const a = analyse(`
import numpy as np

def write(enc, path):
    header = np.zeros((256,), dtype=np.int32)
    header.tofile(path)
    data = header.tobytes()
    rows = header.tolist()
    return enc.decode_bytes([1])
`);
    // nanoGPT's prepare.py was incomplete for \`Tensor.tofile\`; llm.c's tokenizer call was
    // \`Tensor.decode_bytes\`.
    assert.deepEqual(a.ir.unmodelled.map((u) => u.name), ['enc.decode_bytes']);
  });
});
