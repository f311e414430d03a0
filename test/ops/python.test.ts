/** The op handlers through the whole pipeline: Python snippets in, exact figures out. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { withDefaults } from '../../server/core/settings';

function analyse(text: string): Analysis {
  return analyzeSource({ path: 'snippet.py', text, languageId: 'python' }, withDefaults({}));
}

/** Figures of the ops recorded on the 1-based source line (several ops may share a line). */
function opsAt(a: Analysis, line: number) {
  return a.ir.ops.map((op, i) => ({ op, fig: a.figures[i] })).filter((x) => x.op.range.start.line === line - 1);
}
const one = (a: Analysis, line: number) => {
  const xs = opsAt(a, line);
  assert.equal(xs.length, 1, `expected one op on line ${line}, got ${xs.map((x) => x.op.kind).join(', ')}`);
  return xs[0];
};
const shape = (x: { op: { output: { shape: { toString(): string }[] | null } } }) => x.op.output.shape?.map(String);
const tc002 = (a: Analysis) => a.findings.filter((f) => f.code === 'TC002');

const HEADER = 'import torch\nimport torch.nn as nn\nimport torch.nn.functional as F\nimport numpy as np\nimport jax.numpy as jnp\n';
const L = (n: number) => n + 5; // Line numbers of snippets follow the 5-line header.

before(async () => {
  await initEngine();
});

describe('attention', () => {
  it('F.scaled_dot_product_attention on (1, 12, 1024, 64): 3,221,225,472 FLOPs, half when causal', () => {
    const a = analyse(HEADER + `def f():
    q = torch.randn(1, 12, 1024, 64)
    y = F.scaled_dot_product_attention(q, q, q)
    z = F.scaled_dot_product_attention(q, q, q, is_causal=True)
    return y
`);
    const y = one(a, L(3));
    assert.equal(y.op.kind, 'sdpa');
    assert.equal(y.fig.flops, 3_221_225_472);
    assert.deepEqual(shape(y), ['1', '12', '1024', '64']);
    assert.equal(one(a, L(4)).fig.flops, 1_610_612_736);
    assert.ok(one(a, L(4)).op.cost.notes!.some((n) => /causal/.test(n)));
  });

  it('F.scaled_dot_product_attention with a value head size unlike the key head size', () => {
    // q (1, 8, 128, 64), k (1, 8, 256, 64), v (1, 8, 256, 32) in fp32. FLOPs 2·8·128·256·(64 + 32)
    // = 50,331,648; output (1, 8, 128, 32); fused bytes 4·(65,536 + 131,072 + 65,536 + 32,768)
    // = 1,179,648; softmax 5·8·128·256 = 1,310,720 other FLOPs.
    const a = analyse(HEADER + `def f():
    q = torch.randn(1, 8, 128, 64)
    k = torch.randn(1, 8, 256, 64)
    v = torch.randn(1, 8, 256, 32)
    return F.scaled_dot_product_attention(q, k, v)
`);
    const y = one(a, L(5));
    assert.equal(y.op.kind, 'sdpa');
    assert.deepEqual(shape(y), ['1', '8', '128', '32']);
    assert.equal(y.fig.flops, 50_331_648);
    assert.equal(y.fig.otherFlops, 1_310_720);
    assert.equal(y.fig.bytes, 1_179_648);
    assert.deepEqual(tc002(a), []);
  });

  it('nn.MultiheadAttention: four projections and the attention', () => {
    const a = analyse(HEADER + `class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(512, 8, batch_first=True)
    def forward(self):
        x = torch.randn(2, 100, 512)
        y, w = self.mha(x, x, x, need_weights=False)
        return y
`);
    const ops = opsAt(a, L(7));
    assert.deepEqual(ops.map((o) => o.op.kind), ['linear', 'linear', 'linear', 'sdpa', 'linear']);
    const total = ops.reduce((s, o) => s + o.fig.flops!, 0);
    assert.equal(total, 4 * 2 * 2 * 100 * 512 * 512 + 4 * 2 * 100 * 100 * 512);
  });
});

describe('convolution', () => {
  it('ResNet-50 first conv (nn.Conv2d 7×7/2 on 224×224): 236,027,904 FLOPs', () => {
    const a = analyse(HEADER + `class Stem(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)
        self.pool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
    def forward(self, x):
        x = torch.randn(1, 3, 224, 224)
        y = self.conv1(x)
        return self.pool(y)
`);
    const c = one(a, L(8));
    assert.equal(c.fig.flops, 2 * 64 * 3 * 49 * 112 * 112);
    assert.equal(c.fig.flops, 236_027_904);
    assert.deepEqual(shape(c), ['1', '64', '112', '112']);
    assert.deepEqual(shape(one(a, L(9))), ['1', '64', '56', '56']);
    assert.equal(a.functions.find((f) => f.summary.name === 'Stem.__init__')?.summary.flops.isZero(), true);
  });

  it("F.conv2d with groups, dilation and padding='same'", () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(8, 64, 56, 56)
    g = F.conv2d(x, torch.randn(128, 16, 3, 3), padding=1, groups=4)
    d = F.conv2d(x, torch.randn(64, 64, 3, 3), dilation=2)
    s = F.conv2d(x, torch.randn(32, 64, 5, 5), padding='same')
    return g
`);
    assert.equal(one(a, L(3)).fig.flops, 2 * 8 * 128 * 16 * 9 * 56 * 56);
    assert.deepEqual(shape(one(a, L(3))), ['8', '128', '56', '56']);
    assert.deepEqual(shape(one(a, L(4))), ['8', '64', '52', '52']);
    assert.deepEqual(shape(one(a, L(5))), ['8', '32', '56', '56']);
    assert.equal(one(a, L(5)).fig.flops, 2 * 8 * 32 * 64 * 25 * 56 * 56);
    assert.equal(tc002(a).length, 0);
  });

  it('a conv whose channels differ from the weight is TC002', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(1, 3, 32, 32)
    conv = nn.Conv2d(4, 8, 3)
    return conv(x)
`);
    const e = tc002(a);
    assert.equal(e.length, 1);
    assert.equal(e[0].range.start.line, L(4) - 1);
    assert.match(e[0].message, /\(1, 3, 32, 32\).*\(8, 4, 3, 3\)/);
  });
});

describe('einsum, linear, matmul family', () => {
  it("einsum 'bhqd,bhkd->bhqk', 'ij,jk' and '...ij,...jk->...ik'", () => {
    const a = analyse(HEADER + `def f():
    q = torch.randn(2, 12, 128, 64)
    s = torch.einsum('bhqd,bhkd->bhqk', q, q)
    m = np.einsum('ij,jk', np.zeros((32, 64)), np.zeros((64, 16)))
    b = jnp.einsum('...ij,...jk->...ik', jnp.zeros((4, 32, 64)), jnp.zeros((64, 16)))
    return s
`);
    assert.equal(one(a, L(3)).fig.flops, 2 * 2 * 12 * 128 * 128 * 64);
    assert.deepEqual(shape(one(a, L(3))), ['2', '12', '128', '128']);
    assert.equal(one(a, L(4)).fig.flops, 2 * 32 * 64 * 16);
    assert.equal(one(a, L(4)).op.dtype, 'fp64');
    assert.equal(one(a, L(5)).fig.flops, 2 * 4 * 32 * 64 * 16);
    assert.deepEqual(shape(one(a, L(5))), ['4', '32', '16']);
  });

  it('nn.Linear costs 2·rows·in·out with or without bias; its parameters count the bias', () => {
    const a = analyse(HEADER + `class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(768, 3072)
        self.b = nn.Linear(768, 3072, bias=False)
    def forward(self):
        x = torch.randn(8, 1024, 768)
        y = self.a(x)
        z = self.b(x)
        w = F.linear(x, torch.randn(3072, 768), torch.randn(3072))
        return y
`);
    const expected = 2 * 8 * 1024 * 768 * 3072;
    assert.equal(one(a, L(8)).fig.flops, expected);
    assert.equal(one(a, L(9)).fig.flops, expected);
    assert.equal(one(a, L(10)).fig.flops, expected);
    assert.equal(one(a, L(8)).fig.bytes! - one(a, L(9)).fig.bytes!, 4 * 3072);
  });

  it('addmm and baddbmm count the product only', () => {
    const a = analyse(HEADER + `def f():
    y = torch.addmm(torch.randn(16), torch.randn(8, 32), torch.randn(32, 16))
    z = torch.baddbmm(torch.randn(4, 8, 16), torch.randn(4, 8, 32), torch.randn(4, 32, 16))
`);
    assert.equal(one(a, L(2)).fig.flops, 2 * 8 * 32 * 16);
    assert.equal(one(a, L(3)).fig.flops, 2 * 4 * 8 * 32 * 16);
  });
});

describe('shape errors (TC002)', () => {
  it('a view that changes the element count', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(2, 3, 4)
    y = x.view(5, 5)
    z = x.view(-1, 12)
    return z @ torch.randn(12, 7)
`);
    const e = tc002(a);
    assert.equal(e.length, 1);
    assert.equal(e[0].range.start.line, L(3) - 1);
    assert.match(e[0].message, /\(2, 3, 4\).*\(5, 5\)/);
    assert.deepEqual(one(a, L(5)).op.inputs[0].shape!.map(String), ['2', '12']);
  });

  it('operands that cannot broadcast, but never unproven symbolic dims', () => {
    const a = analyse(HEADER + `def f(x, y):
    B, T, C = x.size()
    p = torch.randn(4, 3) + torch.randn(5, 3)
    q = x * y.view(B, T, 1)
    return q
`);
    const e = tc002(a);
    assert.equal(e.length, 1);
    assert.match(e[0].message, /\(4, 3\) and \(5, 3\)/);
  });
});

describe('elementwise, norms, reductions, dtypes, shape ops', () => {
  it('a transformer block pieces: layer norm, gelu, softmax, dropout, residual add', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(8, 1024, 768)
    h = F.layer_norm(x, (768,))
    g = F.gelu(h)
    s = torch.softmax(x, dim=-1)
    d = F.dropout(g, 0.1)
    r = x + h
    m = x.mean(dim=-1, keepdim=True)
`);
    const n = 8 * 1024 * 768;
    assert.equal(one(a, L(3)).fig.otherFlops, 7 * n);
    assert.equal(one(a, L(4)).fig.otherFlops, 8 * n);
    assert.equal(one(a, L(5)).fig.otherFlops, 5 * n);
    assert.equal(one(a, L(6)).fig.otherFlops, 0);
    assert.equal(one(a, L(7)).fig.otherFlops, n);
    assert.equal(one(a, L(7)).fig.bytes, 3 * 4 * n);
    assert.deepEqual(shape(one(a, L(8))), ['8', '1024', '1']);
    for (const l of [3, 4, 5, 6, 7, 8]) assert.equal(one(a, L(l)).fig.flops, 0);
  });

  it('dtypes from constructors and casts set the bytes', () => {
    const a = analyse(HEADER + `def f():
    a = np.zeros((64, 128), dtype=np.float16)
    b = torch.randn(128, 32, dtype=torch.bfloat16)
    c = a @ a.T
    d = b.float()
    e = torch.randn(64, 128).to(torch.float16) @ b.half()
`);
    assert.equal(one(a, L(4)).op.dtype, 'fp16');
    assert.equal(one(a, L(4)).fig.bytes, 2 * (64 * 128 * 2 + 64 * 64));
    assert.equal(one(a, L(5)).fig.bytes, 128 * 32 * (2 + 4));
    const last = opsAt(a, L(6)).find((o) => o.op.kind === 'matmul')!;
    assert.equal(last.op.dtype, 'fp16');
  });

  it('split, chunk, indexing, transpose and cat give the shapes the next op sees', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(8, 1024, 2304)
    q, k, v = x.split(768, dim=2)
    qh = q.view(8, 1024, 12, 64).transpose(1, 2)
    s = qh @ k.view(8, 1024, 12, 64).permute(0, 2, 3, 1)
    last = x[:, -1, :]
    u = last[..., None].sum()
    c = torch.cat([q, v], dim=-1).sum()
    h1, h2 = x.chunk(2, dim=-1)
    t = h1[:, :7].sum()
`);
    assert.deepEqual(shape(one(a, L(5))), ['8', '12', '1024', '1024']);
    assert.deepEqual(one(a, L(7)).op.inputs[0].shape!.map(String), ['8', '2304', '1']);
    assert.deepEqual(opsAt(a, L(8)).find((o) => o.op.kind === 'copy')!.op.output.shape!.map(String), ['8', '1024', '1536']);
    assert.deepEqual(one(a, L(10)).op.inputs[0].shape!.map(String), ['8', '7', '1152']);
  });

  it('embedding, cross-entropy and adaptive pooling modules', () => {
    const a = analyse(HEADER + `class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte = nn.Embedding(50257, 768)
        self.head = nn.Linear(768, 50257, bias=False)
    def forward(self, idx):
        idx = torch.randint(0, 50257, (4, 256))
        x = self.wte(idx)
        logits = self.head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), idx.view(-1))
        return loss
`);
    assert.deepEqual(shape(one(a, L(8))), ['4', '256', '768']);
    assert.equal(one(a, L(8)).fig.flops, 0);
    assert.equal(one(a, L(9)).fig.flops, 2 * 4 * 256 * 768 * 50257);
    const ce = one(a, L(10));
    assert.equal(ce.op.kind, 'cross_entropy');
    assert.deepEqual(shape(ce), []);
    assert.equal(ce.fig.otherFlops, 5 * 1024 * 50257 + 2 * 1024);
    assert.equal(tc002(a).length, 0);
  });
});

describe('resampling, scans, gathers (denoising-diffusion-pytorch, llama)', () => {
  it('F.interpolate and nn.Upsample: the spatial dims scaled or set; linear modes weigh 2^d neighbours', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(2, 8, 16, 16)
    a = F.interpolate(x, scale_factor=2, mode="nearest")
    b = F.interpolate(x, size=(20, 24), mode="bilinear", align_corners=False)
    c = nn.Upsample(scale_factor=2, mode="bilinear")(x)
    return a
`);
    const near = one(a, L(3));
    assert.deepEqual(shape(near), ['2', '8', '32', '32']);
    assert.equal(near.fig.otherFlops, 0);
    assert.equal(near.fig.bytes, 4 * (2 * 8 * 16 * 16 + 2 * 8 * 32 * 32));
    const bil = one(a, L(4));
    assert.deepEqual(shape(bil), ['2', '8', '20', '24']);
    assert.equal(bil.fig.otherFlops, 2 * 8 * 20 * 24 * 7);
    assert.deepEqual(shape(one(a, L(5))), ['2', '8', '32', '32']);
  });

  it('cumsum and cumprod keep the shape (cumsum was a reduction that dropped the dim)', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(4, 8)
    y = torch.cumsum(x, dim=0)
    z = x.cumprod(-1)
    return y
`);
    assert.deepEqual(shape(one(a, L(3))), ['4', '8']);
    assert.equal(one(a, L(3)).fig.otherFlops, 32);
    assert.deepEqual(shape(one(a, L(4))), ['4', '8']);
  });

  it('gather has the index’s shape', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(4, 8)
    i = torch.zeros(4, 2, dtype=torch.long)
    g = x.gather(1, i)
    return g
`);
    const g = one(a, L(4));
    assert.deepEqual(shape(g), ['4', '2']);
    assert.equal(g.fig.bytes, 2 * 4 * 2 * 4 + 4 * 2 * 8);
  });

  it('functools.partial of a class, namedtuple records and callable() are followed', () => {
    const a = analyse(HEADER + `from functools import partial
from collections import namedtuple
Config = namedtuple('Config', ['flash'])

class Block(nn.Module):
    def __init__(self, dim, dim_out, scale=1):
        super().__init__()
        self.proj = nn.Linear(dim, dim_out)

    def forward(self, x):
        return self.proj(x)

def default(val, d):
    return d() if callable(d) else d

def f():
    block = partial(Block, dim_out=32)
    cfg = Config(True)
    n = default(None, 16)
    return block(16)(torch.randn(4, n))
`);
    const main = a.functions.find((x) => x.summary.name === 'f')!;
    // The linear 16 → 32 on 4 rows: 2 · 4 · 16 · 32.
    assert.equal(main.figures.flops, 2 * 4 * 16 * 32);
    assert.deepEqual(main.summary.reasons ?? [], []);
  });
});

describe('data read from files and small library calls (llm.c, whisper)', () => {
  it('np.frombuffer is 1-D of a length the file decides; a slice of it viewed as (B, T) is known', () => {
    const a = analyse(HEADER + `def f(data):
    tokens = np.frombuffer(data, dtype=np.int32)
    buf = torch.tensor(tokens[0 : 4 * 64 + 1].astype(np.int32))
    x = buf[:-1].view(4, 64)
    y = torch.randn(64, 8)
    return x.float() @ y
`);
    const mm = a.ir.ops.map((op, i) => ({ op, fig: a.figures[i] })).find((x) => x.op.kind === 'matmul')!;
    assert.deepEqual(mm.op.inputs.map((t) => t.shape?.map(String)), [['4', '64'], ['64', '8']]);
    assert.equal(mm.fig.flops, 2 * 4 * 64 * 8);
  });

  it('index_select, is_tensor and exit', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(10, 8)
    i = torch.arange(4)
    if not torch.is_tensor(x):
        exit(1)
    y = x.index_select(0, i)
    return y
`);
    assert.deepEqual(shape(one(a, L(6))), ['4', '8']);
    assert.deepEqual(a.functions.find((x) => x.summary.name === 'f')!.summary.reasons ?? [], []);
  });
});

describe('lists whose items are not known to be numbers', () => {
  it('torch.tensor([tokens]) of a list nobody knows is a guess, not a (1,) that cat along dim 1 calls an error', () => {
    // nanochat's generate: ids = torch.tensor([tokens]); ... ids = torch.cat((ids, next_ids), dim=1).
    const a = analyse(HEADER + `def generate(tokens):
    ids = torch.tensor([tokens], dtype=torch.long)
    nxt = torch.zeros(1, 1, dtype=torch.long)
    ids = torch.cat((ids, nxt), dim=1)
    return ids
`);
    assert.deepEqual(tc002(a), []);
  });
});

describe('copies into existing tensors', () => {
  it('x.copy_(src) moves src’s bytes twice and gives x', () => {
    const a = analyse(HEADER + `def f():
    x = torch.empty(4, 8)
    y = torch.randn(4, 8)
    z = x.copy_(y)
    n = torch.xpu.device_count()
    return z @ torch.randn(8, 2)
`);
    const c = one(a, L(4));
    assert.equal(c.op.kind, 'copy');
    assert.equal(c.fig.bytes, 2 * 4 * 8 * 4);
    assert.deepEqual(a.functions.find((x) => x.summary.name === 'f')!.summary.reasons ?? [], []);
  });
});

describe('legacy typed constructors', () => {
  it('torch.FloatTensor(list) is data, torch.LongTensor(2, 3) sizes', () => {
    const a = analyse(HEADER + `def f():
    x = torch.FloatTensor([[1.0, 2.0], [3.0, 4.0]])
    i = torch.LongTensor(2, 3)
    return x @ torch.randn(2, 5), i
`);
    const mm = a.ir.ops.map((op, i) => ({ op, fig: a.figures[i] })).find((x) => x.op.kind === 'matmul')!;
    assert.deepEqual(mm.op.inputs[0].shape?.map(String), ['2', '2']);
    assert.equal(mm.op.inputs[0].dtype, 'fp32');
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('dict comprehensions and str()', () => {
  it('nn.ModuleDict({str(i): ... for i in range(4) if i % 2 == 0}) indexed by str(i) in an unrolled loop', () => {
    const a = analyse(HEADER + `class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.embeds = nn.ModuleDict({str(i): nn.Linear(8, 8) for i in range(4) if i % 2 == 0})

    def forward(self, x):
        for i in range(4):
            if str(i) in self.embeds:
                x = x + self.embeds[str(i)](x)
        return x

def main():
    m = M()
    return m(torch.randn(2, 8))
`);
    const main = a.functions.find((x) => x.summary.name === 'main')!;
    // Layers 0 and 2: two linears 8 → 8 on 2 rows (nanochat's value embeddings on some layers).
    assert.equal(main.figures.flops, 2 * 2 * 2 * 8 * 8);
    assert.deepEqual(main.summary.reasons ?? [], []);
  });
});

describe('datasets with transforms, legacy Variable', () => {
  it('MNIST through transforms.Resize(32) gives 32 × 32 images: no false broadcast error against a 32 × 32 model', () => {
    // PyTorch-GAN's BEGAN: the discriminator's output (64, 1, 32, 32) minus the real images.
    const a = analyse(HEADER + `import torchvision.datasets as datasets
import torchvision.transforms as transforms
from torch.autograd import Variable

def main():
    ds = datasets.MNIST("data", train=True, transform=transforms.Compose([transforms.Resize(32), transforms.ToTensor()]))
    loader = torch.utils.data.DataLoader(ds, batch_size=64)
    for imgs, _ in loader:
        real = Variable(imgs.type(torch.FloatTensor))
        out = torch.zeros(64, 1, 32, 32)
        d = out - real
`);
    assert.deepEqual(tc002(a), []);
    const sub = a.ir.ops.find((o) => o.name === '-')!;
    // (and the layer width from np.prod of the image shape is a size: PyTorch-GAN's Linear(1024, 784))
    const b = analyse(HEADER + `img_shape = (1, 28, 28)
def f():
    fc = nn.Linear(1024, int(np.prod(img_shape)))
    return fc(torch.randn(64, 1024))
`);
    assert.equal(b.functions.find((x) => x.summary.name === 'f')!.figures.flops, 2 * 64 * 1024 * 784);
    assert.deepEqual(sub.inputs[1].shape?.map(String), ['64', '1', '32', '32']);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('GAN and style-transfer layers (PyTorch-GAN, pytorch/examples fast_neural_style)', () => {
  it('InstanceNorm2d is a group norm per channel; padding layers and PixelShuffle are copies into their shapes', () => {
    const a = analyse(HEADER + `def f():
    x = torch.randn(2, 3, 16, 16)
    p = nn.ReflectionPad2d(3)(x)
    z = nn.ZeroPad2d((1, 0, 1, 0))(x)
    n = nn.InstanceNorm2d(3)(x)
    s = nn.PixelShuffle(2)(torch.randn(2, 12, 8, 8))
    return p
`);
    assert.deepEqual(shape(one(a, L(3))), ['2', '3', '22', '22']);
    assert.equal(one(a, L(3)).fig.bytes, 4 * (2 * 3 * 16 * 16 + 2 * 3 * 22 * 22));
    assert.deepEqual(shape(one(a, L(4))), ['2', '3', '17', '17']);
    assert.equal(one(a, L(5)).fig.otherFlops, 7 * 2 * 3 * 16 * 16);
    assert.deepEqual(shape(one(a, L(6))), ['2', '3', '16', '16']);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('indexing and counting of whisper and DeepSeek-V3', () => {
  it('np.newaxis is None in an index; narrow is a view of its length; bincount counts into minlength', () => {
    const a = analyse(HEADER + `def f():
    t = torch.arange(1500)[:, np.newaxis] * torch.randn(192)[np.newaxis, :]
    w = torch.randn(4096, 1024).narrow(0, 1024, 512) + 1
    c = torch.bincount(torch.randint(0, 64, (256,)), minlength=64)
    return t
`);
    assert.deepEqual(shape(one(a, L(2))), ['1500', '192']);
    assert.deepEqual(shape(one(a, L(3))), ['512', '1024']);
    assert.deepEqual(shape(one(a, L(4))), ['64']);
    assert.equal(one(a, L(4)).fig.bytes, 8 * 256 + 8 * 64);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('setup idioms of DETR', () => {
  it('nn.ModuleList of copy.deepcopy(layer) clones runs each clone; ArgumentParser(parents=[...]) has the parents’ options', () => {
    const a = analyse(HEADER + `import copy
import argparse
def get_args_parser():
    p = argparse.ArgumentParser('base', add_help=False)
    p.add_argument('--hidden_dim', default=64, type=int)
    p.add_argument('--enc_layers', default=6, type=int)
    return p
class Layer(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.fc = nn.Linear(d, d)
    def forward(self, x):
        return self.fc(x)
def f():
    args = argparse.ArgumentParser('main', parents=[get_args_parser()]).parse_args()
    layers = nn.ModuleList([copy.deepcopy(Layer(args.hidden_dim)) for _ in range(args.enc_layers)])
    x = torch.randn(8, args.hidden_dim)
    for layer in layers:
        x = layer(x)
    return x
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    assert.equal(f.figures.flops, 6 * 2 * 8 * 64 * 64);
    assert.deepEqual(f.summary.reasons ?? [], []);
  });
});

describe('absl flags (gemma_pytorch) and unknown callees', () => {
  it('FLAGS.x reads the default flags.DEFINE_* gave it; app.run(main) runs main', () => {
    const a = analyse(HEADER + `from absl import app, flags
FLAGS = flags.FLAGS
flags.DEFINE_integer('width', 64, 'width')
flags.DEFINE_string('variant', '4b', 'variant')
def main(_):
    w = FLAGS.width
    if FLAGS.variant == '4b':
        w = w * 2
    return torch.randn(8, w) @ torch.randn(w, w)
if __name__ == "__main__":
    app.run(main)
`);
    const main = a.functions.find((x) => x.summary.name === 'main')!;
    assert.equal(main.figures.flops, 2 * 8 * 128 * 128);
    assert.ok(!main.summary.upperBound);
  });

  it('an unknown callee given a tensor gives a tensor of unknown shape, not a number (DiT’s timm attention)', () => {
    const a = analyse(HEADER + `def f(attn):
    x = torch.randn(64, 256, 1152)
    gate = torch.randn(64, 1152)
    y = x + gate.unsqueeze(1) * attn(x)
    return y
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    // (64, 1, 1152) * what the callee returns is not (64, 1, 1152): its shape is not known.
    assert.ok(f.summary.reasons?.some((r) => r.message === 'operand of unknown shape in `*`'), JSON.stringify(f.summary.reasons));
  });
});

describe('the lectures of nn-zero-to-hero', () => {
  it('F.one_hot adds a dim of num_classes; np.arange with a float step counts its elements; retain_grad computes nothing', () => {
    const a = analyse(HEADER + `def f():
    enc = F.one_hot(torch.randint(0, 27, (228146,)), num_classes=27).float()
    xs = np.arange(-5, 5, 0.25) * 2.0
    h = torch.randn(32, 64)
    h.retain_grad()
    return enc
`);
    const hot = a.ir.ops.find((op) => op.name === 'F.one_hot')!;
    assert.deepEqual(hot.output.shape?.map(String), ['228146', '27']);
    assert.equal(hot.output.dtype, 'int64');
    assert.deepEqual(shape(one(a, L(3))), ['40']);
    assert.deepEqual(a.ir.unmodelled, []);
  });

  it('a tensor each trip assigns afresh before reading it is no growth (makemore’s sampling loop)', () => {
    const a = analyse(HEADER + `def f(W):
    logits = torch.randn(32, 27)
    for _ in range(20):
        x = torch.randn(1, 27)
        logits = x * 2.0
        probs = F.softmax(logits, dim=1)
    return probs
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    assert.ok(!f.summary.reasons?.some((r) => r.message.includes('changes shape every trip')), JSON.stringify(f.summary.reasons));
  });
});

describe('timm layers (DiT imports PatchEmbed, Attention, Mlp from timm)', () => {
  it('PatchEmbed is a strided conv flattened to tokens with num_patches; Attention is qkv, SDPA, proj; Mlp is fc1, GELU, fc2', () => {
    const a = analyse(HEADER + `from timm.models.vision_transformer import PatchEmbed, Attention, Mlp
def f():
    emb = PatchEmbed(32, 2, 4, 64, bias=True)
    attn = Attention(64, num_heads=4, qkv_bias=True)
    mlp = Mlp(in_features=64, hidden_features=256, act_layer=nn.GELU, drop=0)
    x = emb(torch.randn(2, 4, 32, 32))
    n = emb.num_patches
    y = attn(x)
    z = mlp(y)
    return torch.randn(n, 8) * 2.0
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    const tokens = 2 * 256;
    const conv = 2 * tokens * 64 * 4 * 2 * 2;
    const attention = 2 * tokens * 64 * 192 + 2 * (2 * 2 * 4 * 256 * 256 * 16) + 2 * tokens * 64 * 64;
    const mlp = 2 * tokens * 64 * 256 + 2 * tokens * 256 * 64;
    assert.equal(f.figures.flops, conv + attention + mlp);
    // emb.num_patches: (32 / 2)² = 256.
    assert.deepEqual(a.ir.ops.find((o) => o.name === '*' && o.function === 'f')?.output.shape?.map(String), ['256', '8']);
    assert.deepEqual(f.summary.reasons ?? [], []);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('DiT’s diffusion code', () => {
  it('arange(start=, end=) keywords; np.append flattens; .data is the tensor; save_image computes nothing', () => {
    const a = analyse(HEADER + `from torchvision.utils import save_image
def f(w: "unused"):
    half = 128
    freqs = torch.exp(torch.arange(start=0, end=half, dtype=torch.float32) / half)
    prev = np.append(1.0, np.linspace(0, 1, 999))
    p = nn.Parameter(torch.zeros(1, 256, 64))
    q = p.data * 2.0
    save_image(q[:25], "out.png")
    return freqs
`);
    assert.deepEqual(shape(a.ir.ops.map((op, i) => ({ op, fig: a.figures[i] })).find((x) => x.op.name === 'torch.exp')!), ['128']);
    assert.deepEqual(a.ir.ops.find((o) => o.name === 'np.append')?.output.shape?.map(String), ['1000']);
    assert.deepEqual(a.ir.ops.find((o) => o.name === '*')?.output.shape?.map(String), ['1', '256', '64']);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    assert.deepEqual(f.summary.reasons ?? [], []);
  });
});

describe('timm Block and sorting (MAE)', () => {
  it('Block is LN, attention, residual, LN, MLP of 4x, residual; argsort and sort keep the shape', () => {
    const a = analyse(HEADER + `from timm.models.vision_transformer import Block
def f():
    blk = Block(64, 4, 4.0, qkv_bias=True, qk_scale=None, norm_layer=nn.LayerNorm)
    x = blk(torch.randn(2, 50, 64))
    noise = torch.rand(2, 196)
    ids = torch.argsort(noise, dim=1)
    vals, idx = torch.sort(noise, dim=1)
    return x, ids
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    const t = 2 * 50;
    const attention = 2 * t * 64 * 192 + 2 * (2 * 2 * 4 * 50 * 50 * 16) + 2 * t * 64 * 64;
    const mlp = 2 * t * 64 * 256 * 2;
    assert.equal(f.figures.flops, attention + mlp);
    const sorts = a.ir.ops.filter((o) => o.name === 'torch.argsort' || o.name === 'torch.sort');
    assert.deepEqual(sorts.map((o) => o.output.shape?.map(String).join('×')), ['2×196', '2×196']);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('pieces of a symbolic split (nanoGPT’s q, k, v)', () => {
  it('split(n) of 3*n is three pieces whatever n is; of C, pieces of C; tensors unpacked into another count say their cost is missing', () => {
    const a = analyse(HEADER + `def f(n: int):
    x = torch.randn(1, 8, 3 * n)
    q, k, v = x.split(n, dim=2)
    return q @ k.transpose(-2, -1)

def g(x, n: int):
    B, T, C = x.shape
    q, k, v = x.split(C // 3, dim=2)
    return q @ k.transpose(-2, -1)

def h(n: int):
    q, k, v = torch.randn(1, 8, 2 * n).chunk(2, dim=2)
    return q @ k.transpose(-2, -1)
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    assert.equal(f.summary.flops.toString(), '128*n');
    assert.deepEqual(f.summary.reasons ?? [], []);
    // Pieces the analysis cannot count (C by C // 3): each stands for them all, (B, T, C // 3).
    const g = a.functions.find((x) => x.summary.name === 'g')!;
    assert.equal(g.summary.flops.toString(), '2*(C//3)*B*T^2');
    // Two chunks unpacked into three names (Python raises): the matmul is not silently left out.
    const h = a.functions.find((x) => x.summary.name === 'h')!;
    assert.ok(h.summary.reasons?.some((r) => r.message === 'operand of unknown shape in `@`'), JSON.stringify(h.summary.reasons));
  });
});

describe('arguments a caller passed and the analysis lost', () => {
  it('are not the parameter’s default: pad_or_trim(mel, N_FRAMES) with N_FRAMES unread is no N_SAMPLES', () => {
    const a = analyse(HEADER + `import somewhere
def h(x, length: int = 100):
    return torch.randn(8, length) @ torch.randn(length, 4)

def main():
    n = somewhere.size()
    return h(None, n)
`);
    const main = a.functions.find((x) => x.summary.name === 'main')!;
    // Before, 6,400 FLOPs at the default, as if the run had passed 100.
    assert.equal(main.summary.flops.toString(), '64*length');
    const h = a.functions.find((x) => x.summary.name === 'h')!;
    assert.equal(h.figures.flops, 6400);
  });
});

describe('clock readings and the arithmetic on them', () => {
  it('time.time() - t0 is a float: passed on, its arithmetic is no tensor op whose cost goes missing (nanoGPT’s estimate_mfu)', () => {
    const a = analyse(HEADER + `import time
def mfu(n, dt):
    rate = n * (1.0 / dt)
    return rate / 312e12

def f(n: int):
    t0 = time.perf_counter()
    x = torch.randn(8, 64) @ torch.randn(64, 64)
    dt = time.time() - t0
    return mfu(n, dt)
`);
    const f = a.functions.find((x) => x.summary.name === 'f')!;
    assert.equal(f.figures.flops, 2 * 8 * 64 * 64);
    // Before, the standalone mfu's "operand of unknown shape" reasons came with the call.
    assert.deepEqual(f.summary.reasons ?? [], []);
  });
});

describe('writing arrays out', () => {
  it('an np.memmap’s flush computes nothing and is no unmodelled call (nanoGPT’s prepare.py)', () => {
    const a = analyse(HEADER + `def f():
    arr = np.memmap("train.bin", dtype=np.uint16, mode="w+", shape=(1024,))
    arr[0:512] = np.zeros(512, dtype=np.uint16)
    arr.flush()
`);
    assert.deepEqual(a.ir.unmodelled, []);
  });
});

describe('index_copy, roll, flip', () => {
  it('index_copy keeps the destination shape: a copy of it plus the rows written; in place only the rows', () => {
    // x (4, 60, 64) fp32, source (4, 10, 64), index (10,) int64. Out of place: x read and its copy
    // written (2·4·15,360 = 122,880 B), source read and written into it (2·4·2,560 = 20,480 B),
    // the index read (80 B): 143,440 B. In place: 20,480 + 80 = 20,560 B.
    const a = analyse(HEADER + `def f():
    x = torch.zeros(4, 60, 64)
    src = torch.randn(4, 10, 64)
    pos = torch.arange(0, 10)
    y = x.index_copy(1, pos, src)
    x.index_copy_(1, pos, src)
    z = torch.index_copy(x, 1, pos, src)
    return y
`);
    const y = one(a, L(5));
    assert.deepEqual(shape(y), ['4', '60', '64']);
    assert.equal(y.fig.bytes, 143_440);
    assert.equal(y.fig.flops, 0);
    assert.equal(one(a, L(6)).fig.bytes, 20_560);
    assert.equal(one(a, L(7)).fig.bytes, 143_440);
  });

  it('torch.roll and flip are copies of their input: read once, written once', () => {
    const a = analyse(HEADER + `def f():
    k = torch.zeros(4, 60, 64)
    r = torch.roll(k, -1, dims=1)
    s = k.flip(0)
    return r + s
`);
    for (const line of [L(3), L(4)]) {
      const r = one(a, line);
      assert.deepEqual(shape(r), ['4', '60', '64']);
      assert.equal(r.fig.bytes, 2 * 4 * 4 * 60 * 64);
    }
  });
});

describe('slice() objects and repeat_interleave (SAM’s mask decoder)', () => {
  it('masks[:, slice(1, None)] is masks[:, 1:]; repeat_interleave(x, n, dim) lengthens that dim n times', () => {
    // x (2, 4, 8, 8) fp32: x[:, 1:] is (2, 3, 8, 8). repeat_interleave(e, 3, dim=0) of (1, 16, 8, 8)
    // is (3, 16, 8, 8): reads 4·1,024 B, writes 4·3,072 B = 16,384 B. Without dim it is flattened:
    // (3,072,).
    const a = analyse(HEADER + `def f():
    x = torch.randn(2, 4, 8, 8)
    keep = slice(1, None)
    y = x[:, keep, :, :]
    e = torch.randn(1, 16, 8, 8)
    r = torch.repeat_interleave(e, 3, dim=0)
    q = e.repeat_interleave(3)
    return y @ y
`);
    const mm = one(a, L(8));
    assert.deepEqual(mm.op.inputs[0].shape?.map(String), ['2', '3', '8', '8']);
    const r = one(a, L(6));
    assert.deepEqual(shape(r), ['3', '16', '8', '8']);
    assert.equal(r.fig.bytes, 16_384);
    assert.deepEqual(shape(one(a, L(7))), ['3072']);
  });
});

describe('a parameter typed with a model class of the program (SAM’s `SamPredictor(sam_model: Sam)`)', () => {
  it('is an instance built as the class builds one, so a method analysed alone runs its layers; an exception made is no unknown callee', () => {
    const a = analyse(HEADER + `class Net(nn.Module):
    def __init__(self, d: int = 64):
        super().__init__()
        self.fc = nn.Linear(d, d)

    def forward(self, x):
        return self.fc(x)

class Predictor:
    def __init__(self, model: Net):
        self.model = model

    def predict(self, x: torch.Tensor):
        if x.dtype != torch.float32:
            return TypeError("wrong dtype")
        return self.model.fc(torch.randn(8, 64))
`);
    const p = a.functions.find((x) => x.summary.name === 'Predictor.predict')!;
    // Before, model was a config-like object with no layers: 0 FLOPs.
    assert.equal(p.figures.flops, 2 * 8 * 64 * 64);
    assert.deepEqual(p.summary.reasons ?? [], []);
  });
});
