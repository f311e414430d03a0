/**
 * Dims and dtypes from every source README.md lists, and the interpreter's control flow: loops with a
 * known trip count multiply, lists built by appending in loops, undecidable branches bound the
 * cost from above, calls are followed with call-site shapes, recursion stops.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, fn, ready$, shapeText } from './helpers';

const GEMM = (m: number, k: number, n: number) => 2 * m * k * n;

describe('dims and dtypes (README.md, "What it reads")', () => {
  before(ready$);

  it('precedence: settings < literals in code < the directive', () => {
    const src = (directive: string) => `
${directive}
B, T = 8, 1024
def f(x: Float[Tensor, "B T C"], w: Float[Tensor, "C D"]):
    return x @ w
`;
    const settings = { dims: { B: 1, T: 1, C: 64, D: 32 } };
    assert.equal(fn(analyse(src(''), settings), 'f').figures.flops, GEMM(8 * 1024, 64, 32));
    assert.equal(fn(analyse(src('# tensorcost: dims T=16'), settings), 'f').figures.flops, GEMM(8 * 16, 64, 32));
  });

  it('config dataclass defaults reach modules through constructor arguments', () => {
    const src = `
from dataclasses import dataclass
import torch.nn as nn
@dataclass
class ModelConfig:
    n_embd: int = 768
    n_head: int = 12

class Attn(nn.Module):
    def __init__(self, config):
        self.n_head = config.n_head
        self.proj = nn.Linear(config.n_embd, 3 * config.n_embd)
    def forward(self, x: Float[Tensor, "B T C"]):
        B, T, C = x.size()
        qkv = self.proj(x)
        q = x.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        return q @ q.transpose(-2, -1)
`;
    const a = analyse(src, { dims: { B: 1, T: 10, C: 768 } });
    assert.equal(a.bindings.get('n_head'), 12);
    assert.equal(a.bindings.get('n_embd'), 768);
    const ops = a.ir.ops.map((op, i) => ({ op, f: a.figures[i] })).filter(({ op }) => op.function === 'Attn.forward');
    assert.deepEqual(ops.map(({ op }) => op.kind), ['linear', 'matmul']);
    // nn.Linear(config.n_embd, 3 * config.n_embd) on (1, 10, 768): 2·10·768·2304 = 35,389,440 FLOPs.
    const [proj, scores] = ops;
    assert.equal(proj.f.flops, 35_389_440);
    assert.deepEqual(proj.op.output.shape!.map((d) => d.evaluate(a.bindings)), [1, 10, 2304]);
    // The heads split by self.n_head = 12: q is (1, 12, 10, 768 // 12 = 64), the scores (1, 12, 10, 10).
    assert.deepEqual(scores.op.inputs[0].shape!.map((d) => d.evaluate(a.bindings)), [1, 12, 10, 64]);
    assert.deepEqual(scores.op.output.shape!.map((d) => d.evaluate(a.bindings)), [1, 12, 10, 10]);
    assert.equal(scores.f.flops, 2 * 12 * 10 * 64 * 10);
    assert.equal(fn(a, 'Attn.forward').figures.flops, 35_389_440 + 153_600);
  });

  it('B, T, C = x.size() names the dims of an unannotated tensor', () => {
    const a = analyse(`
def f(x, w: Float[Tensor, "C 4"]):
    B, T, C = x.size()
    return x @ w
`);
    assert.equal(shapeText(a.ir.ops[0].inputs[0].shape), 'B, T, C');
  });

  it('matmuls inside an autocast region compute in its dtype', () => {
    const a = analyse(`
import torch
def f(x: Float[Tensor, "m k"], w: Float[Tensor, "k n"]):
    with torch.autocast("cuda", dtype=torch.bfloat16):
        y = x @ w
    z = x @ w
    with torch.cuda.amp.autocast():
        u = x @ w
    return y
`);
    assert.deepEqual(a.ir.ops.map((o) => o.dtype), ['bf16', 'fp32', 'fp16']);
  });
});

describe('control flow and calls', () => {
  before(ready$);

  it('range loops multiply, nested loops multiply twice', () => {
    const a = analyse(`
def f(x: Float[Tensor, "m k"], w: Float[Tensor, "k k"]):
    for i in range(4):
        for j in range(1, 3):
            x = x @ w
    return x
`, { dims: { m: 2, k: 8 } });
    assert.equal(fn(a, 'f').figures.flops, 4 * 2 * GEMM(2, 8, 8));
  });

  it('undecidable branches count the more expensive side and say so', () => {
    const a = analyse(`
def f(x: Float[Tensor, "m k"], w: Float[Tensor, "k k"], flag: bool):
    if flag:
        x = x @ w
    else:
        x = x @ w
        x = x @ w
    return x
`, { dims: { m: 2, k: 8 } });
    const f = fn(a, 'f');
    assert.equal(f.figures.flops, 2 * GEMM(2, 8, 8));
    assert.equal(f.summary.upperBound, true);
  });

  it('a decidable branch counts only its side', () => {
    const a = analyse(`
N = 3
def f(x: Float[Tensor, "m k"], w: Float[Tensor, "k k"]):
    if N > 2:
        x = x @ w
    else:
        x = (x @ w) @ w
    return x
`, { dims: { m: 2, k: 8 } });
    assert.equal(fn(a, 'f').figures.flops, GEMM(2, 8, 8));
    assert.equal(fn(a, 'f').summary.upperBound, false);
  });

  it('calls are followed with call-site shapes; function totals are inclusive', () => {
    const a = analyse(`
def inner(a, b):
    return a @ b
def outer(x: Float[Tensor, "m k"], w: Float[Tensor, "k n"]):
    y = inner(x, w)
    return inner(x, w)
`, { dims: { m: 4, k: 5, n: 6 } });
    assert.equal(fn(a, 'outer').figures.flops, 2 * GEMM(4, 5, 6));
    // Standalone, `inner` has unknown operands: flops null is wrong, 0 GEMMs known is right.
    assert.equal(fn(a, 'inner').figures.flops, 0);
  });

  it('unbound dims leave flops null and name the dims to bind', () => {
    const a = analyse(`
def f(x: Float[Tensor, "B T"], w: Float[Tensor, "T D"]):
    return x @ w
`, { dims: { B: 2 } });
    const f = fn(a, 'f');
    assert.equal(f.figures.flops, null);
    assert.deepEqual(f.figures.unbound, ['D', 'T']);
    assert.equal(f.summary.flops.toString(), '2*B*D*T');
  });

  it('lists appended to in loops, ModuleList iteration and nn.Sequential count each item', () => {
    const a = analyse(`
import torch.nn as nn
class Lin(nn.Module):
    def __init__(self, w):
        self.w = w
    def forward(self, x):
        return x @ self.w
class Stack(nn.Module):
    def __init__(self, w: Float[Tensor, "k k"], n: int = 5):
        self.first = Lin(w)
        self.layers = nn.ModuleList()
        for _ in range(n):
            self.layers.append(Lin(w))
        blocks = [Lin(w)]
        for _ in range(2):
            blocks.append(Lin(w))
        self.seq = nn.Sequential(*blocks)
        self.d = nn.ModuleDict(dict(h=nn.ModuleList([Lin(w) for _ in range(3)])))
    def forward(self, x: Float[Tensor, "m k"]):
        x = self.first(x)
        for layer in self.layers:
            x = layer(x)
        x = self.seq(x)
        for blk in self.d.h:
            x = blk(x)
        return x
`, { dims: { m: 2, k: 8 } });
    assert.equal(fn(a, 'Stack.forward').figures.flops, (1 + 5 + 3 + 3) * GEMM(2, 8, 8));
  });

  it('class methods, nn.Parameter and register_buffer', () => {
    const a = analyse(`
import torch
class P(torch.nn.Module):
    def __init__(self):
        self.w = torch.nn.Parameter(torch.zeros(8, 8))
        self.register_buffer("v", torch.ones(8, 8))
    def forward(self, x: Float[Tensor, "m 8"]):
        return self.helper(x) @ self.v
    def helper(self, x):
        return x @ self.w
`, { dims: { m: 2 } });
    assert.equal(fn(a, 'P.forward').figures.flops, 2 * GEMM(2, 8, 8));
  });

  it('mutual recursion stops at the re-entry: only the calls before it are counted', () => {
    const a = analyse(`
def ping(x: Float[Tensor, "m 8"], w: Float[Tensor, "8 8"]):
    y = x @ w
    return pong(y, w)
def pong(x, w):
    return ping(x @ w, w)
`, { dims: { m: 2 } });
    // ping's GEMM and pong's (each 2·2·8·8 = 256); pong's call back into ping is not followed.
    const ping = fn(a, 'ping');
    assert.equal(ping.figures.flops, 2 * GEMM(2, 8, 8));
    assert.equal(ping.incomplete, false);
    // Standalone, pong's operands have no shape: its GEMM is unknown and pong says so.
    const pong = fn(a, 'pong');
    assert.equal(pong.figures.flops, 0);
    assert.equal(pong.incomplete, true);
  });
});
