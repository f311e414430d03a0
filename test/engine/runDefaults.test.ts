/**
 * What a run sets for everything after it, met on DeepSeek-V3's inference code and LLaMA:
 * `torch.set_default_dtype(torch.bfloat16)` / `torch.set_default_tensor_type(torch.cuda.HalfTensor)`
 * make the model's parameters and activations 16-bit (every GEMM was costed, and flagged by
 * TC303, as fp32, its bytes doubled); `weight.element_size()` picks the bf16 `F.linear` path of
 * DeepSeek's `linear`; a nested def calls its sibling (`find_correction_range` calling
 * `find_correction_dim`, "callee unknown" before).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, fn, ready$ } from './helpers';

const run = (setDefault: string) => `
import torch
import torch.nn as nn

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(1024, 1024)

    def forward(self, x):
        return self.fc(x)

def main():
    ${setDefault}
    net = Net()
    return net(torch.randn(64, 1024))
`;

describe('defaults a run sets', () => {
  before(ready$);

  for (const [call, dtype] of [
    ['torch.set_default_dtype(torch.bfloat16)', 'bf16'],
    ['torch.set_default_tensor_type(torch.cuda.HalfTensor)', 'fp16'],
    ['torch.set_default_dtype(torch.float32)', 'fp32'],
  ] as const) {
    it(`${call}: the run's GEMM computes in ${dtype}`, () => {
      const a = analyse(run(call));
      const op = a.ir.ops.find((o) => o.function === 'main' && o.kind === 'linear') ?? a.ir.ops.find((o) => o.kind === 'linear' && o.name === 'self.fc');
      assert.ok(op, a.ir.ops.map((o) => `${o.function} ${o.name} ${o.dtype}`).join('\n'));
      const main = fn(a, 'main');
      // 64·1024 input + 1024² weight + 1024 bias + 64·1024 output elements, at the dtype's bytes.
      const elements = 64 * 1024 + 1024 * 1024 + 1024 + 64 * 1024;
      const bytes = { bf16: 2, fp16: 2, fp32: 4 }[dtype];
      assert.equal(main.figures.flops, 2 * 64 * 1024 * 1024);
      assert.ok(main.figures.bytes! >= elements * bytes && main.figures.bytes! < elements * bytes + 64 * 1024 * 8, `${main.figures.bytes} for ${elements} × ${bytes}`);
    });
  }

  it('does not carry a default one function set into the analysis of another', () => {
    const a = analyse(`${run('torch.set_default_dtype(torch.bfloat16)')}
def other():
    return torch.randn(64, 1024) @ torch.randn(1024, 1024)
`);
    const op = a.ir.ops.find((o) => o.function === 'other');
    assert.equal(op?.dtype, 'fp32');
  });

  it('reads element_size() of a parameter as its dtype’s bytes', () => {
    const a = analyse(`
import torch
import torch.nn.functional as F

def linear(x, weight):
    if weight.element_size() > 1:
        return F.linear(x, weight)
    return None

def main():
    w = torch.empty(512, 256, dtype=torch.bfloat16)
    return linear(torch.randn(8, 256, dtype=torch.bfloat16), w)
`);
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 2 * 8 * 256 * 512);
    assert.ok(!main.summary.upperBound, 'the branch is decided, not the costlier of two');
  });

  it('lets a nested def call the sibling defined above it', () => {
    const a = analyse(`
import math
import torch

def freqs(dim: int, seqlen: int):
    def correction_dim(rotations):
        return dim * math.log(seqlen / rotations)

    def correction_range(low, high):
        return math.floor(correction_dim(low)), math.ceil(correction_dim(high))

    lo, hi = correction_range(32, 1)
    return torch.arange(dim, dtype=torch.float32) * 2.0

def main():
    return freqs(64, 4096)
`);
    const main = fn(a, 'main');
    assert.deepEqual(main.summary.reasons ?? [], []);
    assert.equal(main.figures.otherFlops, 64);
  });
});
