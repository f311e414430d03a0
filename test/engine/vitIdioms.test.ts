/**
 * Idioms met trying lucidrains/vit-pytorch as its README uses it (a script builds `ViT(...)` and
 * calls it on a batch), and DiT's diffusion schedules. Each was a false TC002 error or a lost
 * figure: a relative-position table built with `meshgrid`, an operand of unknown shape taking the
 * other operand's shape as if it were certain, a `# (4, 1000)` comment checked against such a
 * guess, `F.normalize`, `map(module, (q, k, v))`, and NumPy arrays made from lists built in a loop
 * or from a constructor's parameter. Figures are checked against 2mkn written out here.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

const tc002 = (a: ReturnType<typeof analyse>) => a.findings.filter((f) => f.code === 'TC002').map((f) => `${f.range.start.line + 1}: ${f.message}`);

describe('vit-pytorch and DiT idioms', () => {
  before(ready$);

  it('meshgrid gives one grid per input, ij in torch and xy in NumPy', () => {
    const a = analyse(`
import torch
import numpy as np
from einops import rearrange
def grids():
    pos = torch.arange(7)
    grid = torch.stack(torch.meshgrid(pos, pos, indexing = 'ij'))
    flat = rearrange(grid, 'c i j -> (i j) c')
    rel = rearrange(flat, 'i ... -> i 1 ...') - rearrange(flat, 'j ... -> 1 j ...')
    idx = (rel * torch.tensor([13, 1])).sum(dim = -1)
    gx, gy = np.meshgrid(np.arange(3, dtype=np.float32), np.arange(5, dtype=np.float32))
    return idx, gx
`);
    assert.deepEqual(tc002(a), []);
    const sum = a.ir.ops.find((o) => o.function === 'grids' && o.kind === 'reduction');
    assert.deepEqual(sum?.output.shape?.map(String), ['49', '49']);
    const stack = a.ir.ops.find((o) => o.function === 'grids' && o.name === 'torch.stack');
    assert.deepEqual(stack?.output.shape?.map(String), ['2', '7', '7']);
    // No GEMM in index tables.
    assert.equal(fn(a, 'grids').figures.flops, 0);
  });

  it('an operand of unknown shape makes the result a guess: no TC002 downstream of it', () => {
    const a = analyse(`
import torch
from torch import nn
from einops import rearrange
def bias():
    u = table_from_elsewhere()
    t = torch.tensor([13, 1])
    m = u * t
    s = m.sum(dim = -1)
    e = nn.Embedding(169, 8)(s)
    return rearrange(e, 'i j h -> h i j')
`);
    assert.deepEqual(tc002(a), []);
  });

  it('a shape comment wins over a guess it disagrees with, silently; a known shape is still checked', () => {
    const a = analyse(`
import torch
def f(u):
    w = torch.randn(1000)
    logits = u * w # (4, 1000)
    y = logits.sum()
    x = torch.randn(3, 1000)
    z = x * 2 # (4, 1000)
    return y, z
`);
    const found = tc002(a);
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(found[0], /^8: shape annotation \(4, 1000\) disagrees/);
    const sum = a.ir.ops.find((o) => o.function === 'f' && o.kind === 'reduction');
    // The comment's (4, 1000), not the guessed (1000).
    assert.equal(sum?.cost.otherFlops.toString(), '4000');
  });

  it('F.normalize keeps the shape and costs 3 FLOP per element', () => {
    const a = analyse(`
import torch
import torch.nn.functional as F
def l2(x):
    # tensorcost: shape x=(4, 256, 512)
    return F.normalize(x, dim = -1, p = 2)
`);
    const op = a.ir.ops.find((o) => o.function === 'l2' && o.kind === 'normalize');
    assert.deepEqual(op?.output.shape?.map(String), ['4', '256', '512']);
    assert.equal(op?.cost.otherFlops.toString(), String(3 * 4 * 256 * 512));
    assert.equal(fn(a, 'l2').incomplete, false);
  });

  it('map over a module runs the module on each item', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-map-'));
    fs.writeFileSync(path.join(dir, 'run.py'), `
import torch
from torch import nn
from einops.layers.torch import Rearrange
class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.split = Rearrange('b n (h d) -> b h n d', h = 8)
        self.proj = nn.Linear(512, 512)
    def forward(self, x):
        q, k, v = map(self.split, (x, x, x))
        o = torch.matmul(q, k.transpose(-1, -2)) @ v
        return map(self.proj, (x, x))
m = Attn()
out = m(torch.randn(4, 256, 512))
`);
    const a = analyseFolder(dir).get('run.py')!;
    fs.rmSync(dir, { recursive: true });
    // q·kᵀ and (·)·v over 8 heads of 64, then the projection run twice by map.
    const attn = 2 * 4 * 8 * 256 * 256 * 64 * 2;
    const proj = 2 * 4 * 256 * 512 * 512 * 2;
    assert.equal(fn(a, 'Attn.forward').figures.flops, attn + proj);
  });

  it('NumPy arrays from loop-built lists have their length; a parameter may be a list', () => {
    const a = analyse(`
import numpy as np
def schedule(n):
    betas = []
    for i in range(n):
        betas.append(0.001 * i)
    return np.array(betas)
b = schedule(1000)
c = b[1:] * 2.0
d = np.linspace(0.1, 0.2, 1000)[1:] + 1.0
class Diffusion:
    def __init__(self, betas):
        betas = np.array(betas, dtype=np.float64)
        self.betas = betas
        self.first = self.betas[1]
`);
    assert.deepEqual(tc002(a), []);
    const mul = a.ir.ops.find((o) => o.function === null && o.name === '*');
    assert.deepEqual(mul?.output.shape?.map(String), ['999']);
    const add = a.ir.ops.find((o) => o.function === null && o.name === '+');
    assert.deepEqual(add?.output.shape?.map(String), ['999']);
  });
});
