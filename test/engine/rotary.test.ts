/**
 * Rotary embeddings as the LLaMA reference writes them: `reshape(*x.shape[:-1], -1, 2)`, complex
 * views, `polar`, `outer`. Shapes must survive them, or every attention GEMM after them is lost.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, fn, ready$ } from './helpers';

const ROPE = `import torch

def precompute_freqs_cis(dim: int, end: int, theta: float = 10000.0):
    freqs = 1.0 / (theta ** (torch.arange(0, dim, 2)[: (dim // 2)].float() / dim))
    t = torch.arange(end)
    freqs = torch.outer(t, freqs).float()
    return torch.polar(torch.ones_like(freqs), freqs)

def apply_rotary_emb(xq: Float[Tensor, "b s h 128"], xk: Float[Tensor, "b s h 128"], freqs_cis: Float[Tensor, "s 64"]):
    xq_ = torch.view_as_complex(xq.float().reshape(*xq.shape[:-1], -1, 2))
    xk_ = torch.view_as_complex(xk.float().reshape(*xk.shape[:-1], -1, 2))
    freqs_cis = freqs_cis.view(1, freqs_cis.shape[0], 1, freqs_cis.shape[1])
    xq_out = torch.view_as_real(xq_ * freqs_cis).flatten(3)
    xk_out = torch.view_as_real(xk_ * freqs_cis).flatten(3)
    return xq_out.type_as(xq), xk_out.type_as(xk)

def scores(xq: Float[Tensor, "b s h 128"], xk: Float[Tensor, "b s h 128"], f: Float[Tensor, "s 64"]):
    q, k = apply_rotary_emb(xq, xk, f)
    return q.transpose(1, 2) @ k.transpose(1, 2).transpose(2, 3)
`;

describe('rotary embeddings keep shapes', () => {
  before(ready$);

  it('complex views, outer and polar give the shapes PyTorch gives', () => {
    const a = analyse(ROPE, { dims: { dim: 128, end: 4096 } });
    const outer = a.ir.ops.find((o) => o.name === 'torch.outer')!;
    assert.deepEqual(outer.output.shape!.map((d) => d.evaluate(a.bindings)), [4096, 64]);
    const mul = a.ir.ops.filter((o) => o.function === 'apply_rotary_emb' && o.kind === 'elementwise');
    assert.deepEqual(mul[0].output.shape!.map(String), ['b', 's', 'h', '64']);
    assert.equal(a.ir.unmodelled.length, 0, JSON.stringify(a.ir.unmodelled));
  });

  it('the attention scores after RoPE are costed: 2·b·h·s²·128', () => {
    const a = analyse(ROPE, { dims: { b: 1, s: 2048, h: 32 } });
    assert.deepEqual(a.findings.filter((f) => f.code === 'TC002'), []);
    assert.equal(fn(a, 'scores').figures.flops, 2 * 1 * 32 * 2048 * 2048 * 128);
  });

  it('tuple slices of a shape are tuples: x.shape[1:], x.shape[:-1], x.shape[::2]', () => {
    const a = analyse('def f(x: Float[Tensor, "a b c d"]):\n    y = x.reshape(*x.shape[:-2], -1)\n    z = x.reshape(x.shape[0], -1)\n    return y @ z.transpose(0, 1)[:3]\n');
    const views = a.ir.ops.find((o) => o.name === '@')!;
    assert.deepEqual(views.inputs[0].shape!.map(String), ['a', 'b', 'c*d']);
  });
});
