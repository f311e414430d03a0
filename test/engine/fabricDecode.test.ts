/**
 * Idioms of Lightning's lit-llama, written afresh: a model set up through Lightning Fabric
 * (`model = fabric.setup(model)`), and a `generate` loop that writes the new token into a
 * preallocated buffer and a KV cache with `index_copy` instead of growing a tensor with `cat`.
 * Every figure is checked against a hand formula.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

before(ready$);

const MODEL = `import torch
import torch.nn as nn
import torch.nn.functional as F
import lightning as L

class Net(nn.Module):
    def __init__(self, width, cache_len):
        super().__init__()
        self.fc = nn.Linear(width, width, bias=False)
        self.cache_len = cache_len
        self.width = width

    def forward(self, x, input_pos):
        B, T, C = x.size()
        q = self.fc(x)
        cache = torch.zeros(B, self.cache_len, C)
        k = cache.index_copy(1, input_pos, q)
        k = torch.roll(k, -1, dims=1)
        att = q @ k.transpose(1, 2)
        return att
`;

describe('Lightning Fabric', () => {
  it('hands back the model fabric.setup is given, so its forward is counted (2·16·64·64 = 131,072)', () => {
    const a = analyse(`${MODEL}
def main():
    fabric = L.Fabric(devices=1, precision="32-true")
    fabric.launch()
    with fabric.init_module(empty_init=True):
        model = Net(64, 16)
    model = fabric.setup(model)
    x = torch.randn(1, 16, 64)
    if fabric.global_rank == 0:
        fabric.print("rank zero")
    y = model(x, torch.arange(0, 16))
    fabric.barrier()
`);
    const main = fn(a, 'main');
    // fc: 2·16·64·64 = 131,072; q @ kᵀ: 2·16·64·16 = 32,768.
    assert.equal(main.figures.flops, 131_072 + 32_768);
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });

  it('trains where fabric.backward(loss) runs, and sets up optimizers and loaders as given', () => {
    // Training figures come from the calling context an entry point gives: a program of one file.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fabric-'));
    fs.writeFileSync(path.join(dir, 'train.py'), `${MODEL}
def main():
    fabric = L.Fabric(devices=1)
    model = Net(64, 16)
    opt = torch.optim.AdamW(model.parameters())
    model, opt = fabric.setup(model, opt)
    for step in range(10):
        x = torch.randn(1, 16, 64)
        y = model(x, torch.arange(0, 16))
        fabric.backward(y.sum())
        opt.step()

if __name__ == "__main__":
    main()
`);
    const a = analyseFolder(dir).get('train.py')!;
    fs.rmSync(dir, { recursive: true, force: true });
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 10 * (131_072 + 32_768));
    assert.equal(main.trainingFlops, 3 * 10 * (131_072 + 32_768));
  });
});

describe('a decode loop over a preallocated buffer (index_copy)', () => {
  it('counts the prompt once and every later trip at one token: f(T) + 49·f(1)', () => {
    const a = analyse(`${MODEL}
def generate(model, idx, max_new_tokens: int):
    T = idx.size(0)
    buf = torch.empty(T + max_new_tokens, dtype=idx.dtype)
    buf[:T] = idx
    idx = buf
    input_pos = torch.arange(0, T)
    for _ in range(max_new_tokens):
        x = idx.index_select(0, input_pos).view(1, -1)
        emb = torch.randn(1, x.size(1), 64)
        logits = model(emb, input_pos)
        nxt = torch.argmax(logits[0, -1], dim=-1, keepdim=True)
        input_pos = input_pos[-1:] + 1
        idx = idx.index_copy(0, input_pos, nxt)
    return idx

def main():
    model = Net(64, 60)
    prompt = torch.zeros(10, dtype=torch.long)
    y = generate(model, prompt, 50)
`);
    const main = fn(a, 'main');
    // A forward of t tokens: fc 2·t·64·64, q @ kᵀ over the 60 cached positions 2·t·64·60.
    const f = (t: number) => 2 * t * 64 * 64 + 2 * t * 64 * 60;
    assert.equal(main.figures.flops, f(10) + 49 * f(1));
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });
});

describe("lit-llama's MLP width: int() floors, find_multiple rounds up", () => {
  it('int(2·4C/3) rounded up to a multiple of 256 is 11,008 at C = 4,096; unbound, the larger branch, said to be an upper bound', () => {
    const src = `import torch
import torch.nn as nn

def find_multiple(n: int, k: int) -> int:
    if n % k == 0:
        return n
    return n + k - (n % k)

def width(n_embd):
    return find_multiple(int(2 * (4 * n_embd) / 3), 256)

def known():
    x = torch.randn(1, 4096)
    return nn.Linear(4096, width(4096), bias=False)(x)

def unbound(n_embd: int):
    x = torch.randn(1, n_embd)
    return nn.Linear(n_embd, width(n_embd), bias=False)(x)
`;
    const a = analyse(src);
    // 2·1·4096·11008 = 90,177,536 (int(32768 / 3) = 10,922, rounded up to 43·256 = 11,008).
    assert.equal(fn(a, 'known').figures.flops, 90_177_536);
    const k = fn(a, 'known');
    assert.equal(k.upperBound ?? k.summary.upperBound, false);
    const u = fn(a, 'unbound');
    // As the report reads it: the contexts' figure, else the function's own.
    assert.equal(u.upperBound ?? u.summary.upperBound, true);
    // The formula, bound at n_embd = 4,096, gives the same width.
    const bound = analyse(src, { dims: { n_embd: 4096 } });
    assert.equal(fn(bound, 'unbound').figures.flops, 90_177_536);
    const flat = analyse(src.replace('find_multiple(int(2 * (4 * n_embd) / 3), 256)', 'int(2 * (4 * n_embd) / 3)'), { dims: { n_embd: 4096 } });
    // Without the rounding: int() floors 10,922.67 to 10,922: 2·4096·10922 = 89,473,024.
    assert.equal(fn(flat, 'unbound').figures.flops, 89_473_024);
  });
});

describe('split by a size the dim is a whole multiple of', () => {
  it('c_attn(x).split(C, dim=2) of 3·C gives q, k, v whatever C is (q @ kᵀ: 2·10·C·10 = 200·C)', () => {
    const a = analyse(`import torch

def attend(C: int):
    x = torch.randn(1, 10, 3 * C)
    q, k, v = x.split(C, dim=2)
    return q @ k.transpose(1, 2)
`);
    const f = fn(a, 'attend');
    assert.equal(f.summary.flops.toString(), '200*C');
    const bound = analyse(`import torch

def attend(C: int):
    x = torch.randn(1, 10, 3 * C)
    q, k, v = x.split(C, dim=2)
    return q @ k.transpose(1, 2)
`, { dims: { C: 64 } });
    assert.equal(fn(bound, 'attend').figures.flops, 200 * 64);
  });
});
