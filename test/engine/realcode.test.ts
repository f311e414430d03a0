/**
 * Idioms of published model code the interpreter must follow (found running the engine on
 * nanoGPT, minGPT, Meta's LLaMA, torchvision's ResNet and TransformerLens). Each snippet is our
 * own, reduced to the idiom; figures are by formula.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, fn, ready$ } from './helpers';

describe('idioms of real model code', () => {
  before(ready$);

  it("nanoGPT's flash switch: hasattr(F, 'scaled_dot_product_attention') takes the SDPA branch", () => {
    const a = analyse(`
import torch
from torch.nn import functional as F
class Attn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.flash = hasattr(torch.nn.functional, 'scaled_dot_product_attention')
    def forward(self, q, k, v):
        # tensorcost: shape q=(1, 12, 1024, 64) k=(1, 12, 1024, 64) v=(1, 12, 1024, 64)
        if self.flash:
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            y = F.softmax(q @ k.transpose(-2, -1), dim=-1) @ v
        return y
`);
    const f = fn(a, 'Attn.forward');
    // Causal SDPA: 4·B·H·L²·d halved (docs/cost-model.md); the manual branch is not counted at all.
    assert.equal(f.figures.flops, (4 * 12 * 1024 * 1024 * 64) / 2);
    assert.equal(f.summary.upperBound, false);
  });

  it("LLaMA's fairscale layers count as full linears on one model-parallel rank", () => {
    const a = analyse(`
import fairscale.nn.model_parallel.initialize as fs_init
from fairscale.nn.model_parallel.layers import ColumnParallelLinear, RowParallelLinear
from torch import nn
class FF(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.n_local = 32 // fs_init.get_model_parallel_world_size()
        self.w1 = ColumnParallelLinear(dim, hidden, bias=False, gather_output=False, init_method=lambda x: x)
        self.w2 = RowParallelLinear(hidden, dim, bias=False, input_is_parallel=True, init_method=lambda x: x)
    def forward(self, x):
        # tensorcost: shape x=(1, 2048, 4096)
        return self.w2(self.w1(x).view(1, 2048, self.n_local, -1).view(1, 2048, -1))
`, { dims: { dim: 4096, hidden: 11008 } });
    assert.equal(fn(a, 'FF.forward').figures.flops, 2 * (2 * 2048 * 4096 * 11008));
  });

  it('a negative config default is a placeholder the user binds (vocab_size: int = -1)', () => {
    const src = `
from dataclasses import dataclass
from torch import nn
@dataclass
class ModelArgs:
    dim: int = 4096
    vocab_size: int = -1  # defined later by tokenizer
class Head(nn.Module):
    def __init__(self, params: ModelArgs):
        super().__init__()
        self.out = nn.Linear(params.dim, params.vocab_size, bias=False)
    def forward(self, h):
        # tensorcost: shape h=(1, 8, 4096)
        return self.out(h)
`;
    assert.deepEqual(fn(analyse(src), 'Head.forward').figures.unbound, ['vocab_size']);
    assert.equal(fn(analyse(src, { dims: { vocab_size: 32000 } }), 'Head.forward').figures.flops, 2 * 8 * 4096 * 32000);
  });

  it('properties run their getter; super().__init__(cfg) of a base in the file sets fields', () => {
    const a = analyse(`
import torch
from torch import nn
class Base(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.W = nn.Parameter(torch.empty(cfg.d_model, cfg.d_out))
class Child(Base):
    def __init__(self, cfg):
        super().__init__(cfg)
    @property
    def W_T(self):
        return self.W.T
    def forward(self, x):
        # tensorcost: shape x=(4, d_out)
        return x @ self.W_T
`, { dims: { d_model: 16, d_out: 32 } });
    assert.equal(fn(a, 'Child.forward').figures.flops, 2 * 4 * 32 * 16);
  });

  it('@torch.autocast(...) on a def runs its matmuls in the autocast dtype', () => {
    const a = analyse(`
import torch
@torch.autocast(device_type='cuda', dtype=torch.bfloat16)
def f(a, b):
    # tensorcost: shape a=(64, 64) b=(64, 64)
    return a @ b
`);
    const op = a.ir.ops.find((o) => o.function === 'f' && o.name === '@')!;
    assert.equal(op.dtype, 'bf16');
  });

  it('builders are followed through helpers: resnet50() → _resnet(...) → Net(block, layers)', () => {
    const a = analyse(`
from torch import nn
class Net(nn.Module):
    def __init__(self, width, layers):
        super().__init__()
        self.fc = nn.Sequential(*[nn.Linear(width, width) for _ in range(layers[0])])
    def forward(self, x):
        # tensorcost: shape x=(1, 128)
        return self.fc(x)
def _build(width, layers, **kwargs):
    return Net(width, layers, **kwargs)
def big():
    return _build(128, [3])
`);
    assert.equal(fn(a, 'Net.forward').figures.flops, 3 * 2 * 128 * 128);
  });

  it('fancy_einsum (equation first) and string formatting', () => {
    const a = analyse(`
from fancy_einsum import einsum
from jaxtyping import Float
import torch
def f(x: Float[torch.Tensor, "batch pos d_model"], w: Float[torch.Tensor, "d_model d_mlp"], name):
    print("layer %s" % name)
    label = "mlp_" + name
    return einsum("batch pos d_model, d_model d_mlp -> batch pos d_mlp", x, w)
`, { dims: { batch: 2, pos: 8, d_model: 16, d_mlp: 64 } });
    assert.equal(fn(a, 'f').figures.flops, 2 * 2 * 8 * 16 * 64);
    assert.deepEqual(a.ir.ops.filter((o) => o.function === 'f').map((o) => o.kind), ['einsum']);
  });

  it("constructor arithmetic on sizes is not a tensor op (torchvision's planes * expansion)", () => {
    const a = analyse(`
from torch import nn
class Bottleneck(nn.Module):
    expansion = 4
    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        width = int(planes * (64 / 64.0))
        self.conv3 = nn.Conv2d(width, planes * self.expansion, kernel_size=1, bias=False)
`);
    assert.deepEqual(a.ir.ops.filter((o) => o.function === 'Bottleneck.__init__').map((o) => o.name), []);
  });
});
