/**
 * Idioms met trying DINOv2 (`vit_small(patch_size=14)` built through `partial(Block,
 * attn_class=MemEffAttention)`, its blocks chunked for FSDP) and Swin Transformer
 * (`SwinTransformer()` on timm's helpers) as their READMEs use them. Each gave a wrong or silent
 * total: the blocks of a chunked model were lost without a word (0 FLOPs), a drop-path branch
 * that never runs was counted on a batch size nobody can bind, and Swin's sizes made by timm's
 * `to_2tuple` were all unknown. The fixtures are small models written here in the same patterns;
 * figures are checked against 2·m·k·n written out per layer.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyseFolder, fn, ready$ } from './helpers';
import { fileJson } from '../../server/engine/report';

/** The analysis of `run.py` among the given files, analysed as one program. */
function program(files: Record<string, string>, main = 'run.py') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-factory-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return analyseFolder(dir).get(main)!;
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

const totals = (a: ReturnType<typeof program>) => fileJson(a).totals;

const BLOCK = `
import torch
import torch.nn as nn
class Block(nn.Module):
    def __init__(self, dim, hidden=None, drop_path=0.0):
        super().__init__()
        self.fc = nn.Linear(dim, hidden or dim)
        self.sample_drop_ratio = drop_path
    def forward(self, x):
        return self.fc(x)
`;

/** A `ModuleList` subclass whose forward runs its members in turn (DINOv2's `BlockChunk`). */
const CHUNK = `class Chunk(nn.ModuleList):
    def forward(self, x):
        for b in self:
            x = b(x)
        return x
`;

describe('models built through factories and configs (DINOv2, Swin)', () => {
  before(ready$);

  it('blocks chunked from slices of a comprehension, over range(0, depth, size), all run', () => {
    const a = program({
      'model.py': `${BLOCK}${CHUNK}class Net(nn.Module):
    def __init__(self, dim=64, depth=6, chunks=2, block_fn=Block):
        super().__init__()
        blocks = [block_fn(dim=dim) for i in range(depth)]
        size = depth // chunks
        chunked = []
        for i in range(0, depth, size):
            chunked.append([nn.Identity()] * i + blocks[i : i + size])
        self.blocks = nn.ModuleList([Chunk(p) for p in chunked])
    def forward(self, x):
        for c in self.blocks:
            x = c(x)
        return x
`,
      'run.py': `
import torch
from functools import partial
from model import Net, Block
def small(**kw):
    return Net(block_fn=partial(Block, hidden=64), **kw)
m = small()
y = m(torch.randn(8, 64))
m1 = small(chunks=1)
y1 = m1(torch.randn(8, 64))
`,
    });
    // Six Linear(64, 64) blocks on 8 rows, in each of the two models: 2·8·64·64 each.
    const t = totals(a);
    assert.equal(t.flops, 2 * 6 * (2 * 8 * 64 * 64));
    assert.equal(t.incomplete, undefined, JSON.stringify(t.reasons));
  });

  it('a ModuleList of a list the analysis lost is no empty list: its loop says it counted one unknown trip', () => {
    const a = program({
      'run.py': `${BLOCK}${CHUNK}class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = Chunk(layers_from_elsewhere(64))
    def forward(self, x):
        return self.blocks(x)
m = Net()
y = m(torch.randn(8, 64))
`,
    });
    const f = fn(a, 'Chunk.forward');
    assert.equal(f.incomplete, true);
    assert.ok(f.reasons?.some((r) => /the number of modules in the `nn.ModuleList` is unknown/.test(r.message)), JSON.stringify(f.reasons));
    assert.equal(totals(a).incomplete, true);
  });

  it('an initialiser that recurses over named_children() is followed down the module tree: the model is complete', () => {
    const a = program({
      'run.py': `
import torch
import torch.nn as nn
def named_apply(fn, module, name="", depth_first=True, include_root=False):
    if not depth_first and include_root:
        fn(module=module, name=name)
    for child_name, child_module in module.named_children():
        child_name = ".".join((name, child_name)) if name else child_name
        named_apply(fn=fn, module=child_module, name=child_name, depth_first=depth_first, include_root=True)
    if depth_first and include_root:
        fn(module=module, name=name)
    return module
def init_weights(module, name=""):
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
class Block(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc = nn.Linear(dim, dim)
    def forward(self, x):
        return self.fc(self.norm(x))
class Net(nn.Module):
    def __init__(self, dim=64, depth=3):
        super().__init__()
        self.blocks = nn.ModuleList([Block(dim) for _ in range(depth)])
        self.head = nn.Linear(dim, 10)
        named_apply(init_weights, self)
    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.head(x)
y = Net()(torch.randn(8, 64))
`,
    });
    const t = totals(a);
    assert.equal(t.flops, 3 * (2 * 8 * 64 * 64) + 2 * 8 * 64 * 10);
    assert.equal(t.incomplete, undefined, JSON.stringify(t.reasons));
  });

  it("nn.ModuleList of a ModuleList subclass's object holds its members", () => {
    const a = program({
      'run.py': `
import torch
import torch.nn as nn
class Chunk(nn.ModuleList):
    pass
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.ModuleList(Chunk([nn.Linear(8, 8) for _ in range(3)]))
    def forward(self, x):
        for m in self.layers:
            x = m(x)
        return x
y = Net()(torch.randn(2, 8))
`,
    });
    assert.equal(totals(a).flops, 3 * (2 * 2 * 8 * 8));
  });

  it('linspace(0, 0, n).tolist() is n zeros, and `flag is True` is decided: the drop-path branch that never runs is not counted', () => {
    const a = program({
      'run.py': `
import numpy as np
import torch
import torch.nn as nn
class Block(nn.Module):
    def __init__(self, dim, drop_path=0.0):
        super().__init__()
        self.fc = nn.Linear(dim, dim)
        self.sample_drop_ratio = drop_path
    def forward(self, x):
        if self.training and self.sample_drop_ratio > 0.1:
            b, n = x.shape
            keep = max(int(b * (1 - self.sample_drop_ratio)), 1)
            return self.fc(x[:keep])
        return self.fc(x)
class Net(nn.Module):
    def __init__(self, dim=64, depth=4, drop_path_rate=0.0, drop_path_uniform=False):
        super().__init__()
        if drop_path_uniform is True:
            dpr = [drop_path_rate] * depth
        else:
            dpr = np.linspace(0, drop_path_rate, depth).tolist()
        self.blocks = nn.ModuleList([Block(dim, drop_path=dpr[i]) for i in range(depth)])
        self.rates = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
    def forward(self, x):
        for blk in self.blocks:
            x = blk(x)
        return x
m = Net()
y = m(torch.randn(8, 64))
`,
    });
    const t = totals(a);
    assert.equal(t.flops, 4 * (2 * 8 * 64 * 64));
    assert.equal(t.unbound, undefined);
  });

  it('torch.unbind and xFormers memory_efficient_attention ((B, M, H, K) layout) cost as SDPA', () => {
    const a = program({
      'run.py': `
import torch
import torch.nn as nn
try:
    from xformers.ops import memory_efficient_attention, unbind
    XFORMERS_AVAILABLE = True
except ImportError:
    XFORMERS_AVAILABLE = False
class Attention(nn.Module):
    def __init__(self, dim, num_heads):
        super().__init__()
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
    def forward(self, x):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads)
        q, k, v = torch.unbind(qkv, 2)
        q, k, v = [t.transpose(1, 2) for t in [q, k, v]]
        x = nn.functional.scaled_dot_product_attention(q, k, v)
        return self.proj(x.transpose(1, 2).reshape(B, N, C))
class MemEffAttention(Attention):
    def forward(self, x):
        if not XFORMERS_AVAILABLE:
            return super().forward(x)
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads)
        q, k, v = unbind(qkv, 2)
        x = memory_efficient_attention(q, k, v, attn_bias=None)
        return self.proj(x.reshape([B, N, C]))
m = MemEffAttention(384, 6)
y = m(torch.randn(2, 257, 384))
m0 = Attention(384, 6)
y0 = m0(torch.randn(2, 257, 384))
`,
    });
    const [B, N, D, H] = [2, 257, 384, 6];
    // qkv 2·B·N·D·3D, scores and values 4·B·H·N²·(D/H), proj 2·B·N·D².
    const attn = 2 * B * N * D * 3 * D + 4 * B * H * N * N * (D / H) + 2 * B * N * D * D;
    const t = totals(a);
    // Each of the two modules once (xFormers installed or not, the same figures).
    assert.equal(t.flops, 2 * attn);
    assert.equal(t.incomplete, undefined, JSON.stringify(t.reasons));
    const xf = a.ir.ops.find((o) => o.name === 'memory_efficient_attention');
    // Its own op (the method analysed alone): the (B, N, H, K) operands read with heads first.
    assert.deepEqual(xf?.inputs[0].shape?.map(String), ['B', '6', 'N', '(C//6)']);
  });

  it("timm's to_2tuple, trunc_normal_ and DropPath: a Swin-style window attention stage is costed", () => {
    const a = program({
      'run.py': `
import torch
import torch.nn as nn
from timm.models.layers import DropPath, to_2tuple, trunc_normal_
def window_partition(x, ws):
    B, H, W, C = x.shape
    x = x.view(B, H // ws, ws, W // ws, ws, C)
    return x.permute(0, 1, 3, 2, 4, 5).contiguous().view(-1, ws, ws, C)
class PatchEmbed(nn.Module):
    def __init__(self, img_size=224, patch_size=4, in_chans=3, embed_dim=96):
        super().__init__()
        img_size = to_2tuple(img_size)
        patch_size = to_2tuple(patch_size)
        self.patches_resolution = [img_size[0] // patch_size[0], img_size[1] // patch_size[1]]
        self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)
class WindowBlock(nn.Module):
    def __init__(self, dim, resolution, heads, window=7, drop_path=0.1):
        super().__init__()
        self.resolution, self.heads, self.window = resolution, heads, to_2tuple(window)
        self.table = nn.Parameter(torch.zeros((2 * self.window[0] - 1) * (2 * self.window[1] - 1), heads))
        trunc_normal_(self.table, std=.02)
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()
    def forward(self, x):
        H, W = self.resolution
        B, L, C = x.shape
        w = window_partition(x.view(B, H, W, C), self.window[0]).view(-1, self.window[0] * self.window[1], C)
        B_, N, C = w.shape
        qkv = self.qkv(w).reshape(B_, N, 3, self.heads, C // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q @ k.transpose(-2, -1)).softmax(dim=-1)
        w = (attn @ v).transpose(1, 2).reshape(B_, N, C)
        return x + self.drop_path(self.proj(w).view(B, L, C))
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = PatchEmbed()
        r = self.patch_embed.patches_resolution
        self.block = WindowBlock(96, (r[0], r[1]), 3)
    def forward(self, x):
        return self.block(self.patch_embed(x))
m = Net()
y = m(torch.randn(1, 3, 224, 224))
`,
    });
    // Patch embedding: 2·56·56·96·3·4·4. Block on 56·56 tokens, C = 96, windows of N = 49:
    // qkv 2·HW·C·3C, q·kᵀ and ·v 2·2·HW·N·C, proj 2·HW·C².
    const HW = 56 * 56;
    const [C, N] = [96, 49];
    const expected = 2 * HW * 96 * 3 * 16 + 2 * HW * C * 3 * C + 4 * HW * N * C + 2 * HW * C * C;
    const t = totals(a);
    assert.equal(t.flops, expected);
    assert.equal(t.incomplete, undefined, JSON.stringify(t.reasons));
  });

  const YACS = `
import os
import torch
import yaml
from yacs.config import CfgNode as CN
_C = CN()
_C.DATA = CN()
_C.DATA.BATCH_SIZE = 8
_C.MODEL = CN()
_C.MODEL.TYPE = 'lin'
_C.MODEL.DIM = 64
_C.FUSED = False
def update_config(config, args):
    config.defrost()
    if args.cfg:
        config.merge_from_file(args.cfg)
    def _check_args(name):
        if hasattr(args, name) and eval(f'args.{name}'):
            return True
        return False
    if _check_args('fused'):
        config.FUSED = True
    config.freeze()
def get_config(args):
    config = _C.clone()
    update_config(config, args)
    return config
`;
  const YACS_MAIN = (cfg: string) => `
import argparse
import torch
import torch.nn as nn
from config import get_config
TORCH_MAJOR = int(torch.__version__.split('.')[0])
def build_model(config):
    if config.FUSED:
        norm = FusedThing
    else:
        norm = nn.LayerNorm
    if config.MODEL.TYPE == 'lin':
        return nn.Sequential(norm(config.MODEL.DIM), nn.Linear(config.MODEL.DIM, config.MODEL.DIM))
    return None
def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg', type=str, ${cfg})
    parser.add_argument('--fused', action='store_true')
    args = parser.parse_args()
    config = get_config(args)
    model = build_model(config)
    y = model(torch.randn(config.DATA.BATCH_SIZE, config.MODEL.DIM))
if __name__ == '__main__':
    main()
`;

  it("yacs: a cloned CfgNode keeps its defaults; flags read through eval(f'args.{name}') and torch.__version__ cost nothing", () => {
    const a = program({ 'config.py': YACS, 'run.py': YACS_MAIN('default=None') });
    const t = totals(a);
    // No file merged: the defaults run. Linear(64, 64) on 8 rows.
    assert.equal(t.flops, 2 * 8 * 64 * 64);
    assert.equal(t.incomplete, undefined, JSON.stringify(t.reasons));
  });

  it('yacs: a config merged from a file at run time waits for dims named after its keys, and says why', () => {
    const a = program({ 'config.py': YACS, 'run.py': YACS_MAIN('required=True') });
    const t = totals(a);
    assert.equal(t.flops, null);
    assert.deepEqual(t.unbound, ['BATCH_SIZE', 'DIM']);
    assert.ok(t.reasons?.some((r) => /`config\.merge_from_file\(\.\.\.\)` merges a file into the config, not known before run time/.test(r.message)), JSON.stringify(t.reasons));
  });
});
