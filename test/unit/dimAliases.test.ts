/** Classes of equal dims (core/dimAliases.ts): what proves two dims equal, which name is shown, what never merges. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { dimAliases } from '../../server/core/dimAliases';
import { analyse, ready$ } from '../engine/helpers';

const HEAD = `import torch
from torch import nn
from jaxtyping import Float
from torch import Tensor
`;

const aliasesOf = (src: string) => {
  const a = analyse(HEAD + src);
  return dimAliases(a.ir.ops, a.bindings);
};

describe('dimAliases', () => {
  before(ready$);

  it('joins the size() name and the config name through a Linear, showing the bound one', () => {
    const r = aliasesOf(`
from dataclasses import dataclass

@dataclass
class Config:
    n_embd: int = 768

class Attn(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.proj = nn.Linear(config.n_embd, config.n_embd)

    def forward(self, x):
        B, T, C = x.size()
        return self.proj(x)
`);
    assert.equal(r.rename.get('C'), 'n_embd');
    assert.deepEqual(r.others.get('n_embd'), ['C']);
    assert.equal(r.implied.get('C'), 768);
    assert.equal(r.rename.has('B'), false);
  });

  it('gives a dim the size of the literal it contracts with', () => {
    const r = aliasesOf(`
def f(x: Float[Tensor, "B T C"], w: Float[Tensor, "768 64"]):
    return x @ w
`);
    assert.equal(r.implied.get('C'), 768);
    assert.equal(r.rename.size, 0);
  });

  it('takes a literal 1 in a broadcast for broadcasting, not for a size', () => {
    const r = aliasesOf(`
def f(x: Float[Tensor, "B T C"], m: Float[Tensor, "1 T 1"]):
    return x * m
`);
    assert.equal(r.implied.has('C'), false);
    assert.equal(r.implied.has('B'), false);
  });

  it('never joins dims bound to different values', () => {
    const r = aliasesOf(`
# tensorcost: dims C=768 D=512
def f(x: Float[Tensor, "B C"], w: Float[Tensor, "D N"]):
    return x @ w
`);
    assert.equal(r.rename.has('C'), false);
    assert.equal(r.rename.has('D'), false);
  });

  it('shows an unbound class under the name the file uses most', () => {
    const r = aliasesOf(`
def f(x: Float[Tensor, "B T d_model"], y: Float[Tensor, "B T d_model"], w: Float[Tensor, "C C"]):
    z = x + y
    return z @ w
`);
    // z is (B, T, d_model); the matmul makes d_model = C; d_model appears in more shapes.
    assert.equal(r.rename.get('C'), 'd_model');
    assert.equal(r.implied.size, 0);
  });
});
