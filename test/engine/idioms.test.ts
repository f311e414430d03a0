/**
 * Idioms of public model code (issue 14): layer specs written as data, configs filled in late,
 * einops, subclasses of torch's layers, casts around attention, index lists. Each fixture in
 * test/fixtures/idioms is our own, written the way the repositories write it; each total is
 * checked against a formula written out here, conv FLOPs as 2·C_out·(C_in/groups)·k²·H_out·W_out
 * per image, GEMMs as 2mkn, SDPA as 4·B·H·L²·d halved when causal (SPEC §5).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO } from '../helpers/lspClient';
import { analyse, fn, ready$ } from './helpers';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource } from '../../server/engine/analyze';
import { buildContextIndex, withContexts } from '../../server/engine/contexts';
import { DocumentCache } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';

const DIR = path.join(REPO, 'test', 'fixtures', 'idioms');
const source = (name: string) => fs.readFileSync(path.join(DIR, name), 'utf8');
const analyseIdiom = (name: string, dims: Record<string, number> = {}) => analyse(source(name), { dims }, name);

/** A fixture analysed as the CLI does: part of a program, its calling contexts joined. */
function analyseInProgram(name: string) {
  const file = path.join(DIR, name);
  const program = { files: new DiskProgram([DIR]), docs: new DocumentCache(), key: programPath };
  const raw = analyzeSource({ path: file, text: source(name), languageId: 'python' }, DEFAULT_SETTINGS, { program });
  program.docs.clear();
  return withContexts(raw, buildContextIndex([raw.ir]));
}

/** 2·C_out·(C_in/groups)·k²·H_out² for one image, and the output side. */
function conv(cin: number, cout: number, k: number, h: number, stride = 1, pad = Math.floor(k / 2), groups = 1): [number, number] {
  const ho = Math.floor((h + 2 * pad - k) / stride) + 1;
  return [2 * cout * (cin / groups) * k * k * ho * ho, ho];
}

describe('idioms of public model code (issue 14)', () => {
  before(ready$);

  it('library layers moved or cast in a chain (nn.Linear(...).cuda().half()) are still the layers', () => {
    const a = analyseInProgram('library_layers_moved.py');
    const main = a.functions.find((f) => f.summary.name === 'main')!;
    const [c] = conv(3, 64, 3, 32, 1, 0);
    assert.equal(main.figures.flops, 2 * 256 * 2048 * 10 + 2 * 256 * 2048 * 512 + 8 * c);
    assert.equal(main.incomplete, false);
    assert.equal(a.ir.ops.find((o) => o.name === 'proj')?.dtype, 'fp16');
  });

  it('list concatenation and repetition build each ResNet stage: [stride] + [1] * (num_blocks - 1)', () => {
    // CIFAR ResNet-18, one 32×32 image: a downsampling first block with a 1×1 shortcut per stage.
    let total = conv(3, 64, 3, 32)[0];
    let [c, h] = [64, 32];
    for (const [planes, stride] of [[64, 1], [128, 2], [256, 2], [512, 2]]) {
      for (let b = 0; b < 2; b++) {
        const s = b === 0 ? stride : 1;
        const [f1, ho] = conv(c, planes, 3, h, s);
        const f2 = conv(planes, planes, 3, ho)[0];
        const shortcut = s !== 1 || c !== planes ? conv(c, planes, 1, h, s, 0)[0] : 0;
        total += f1 + f2 + shortcut;
        [c, h] = [planes, ho];
      }
    }
    total += 2 * 512 * 10;
    assert.equal(total, 1_110_845_440);
    const f = fn(analyseIdiom('resnet_cifar_layers.py'), 'test');
    assert.equal(f.figures.flops, total);
    assert.equal(f.summary.upperBound, false);
  });

  it("branches in a loop over a constant spec: VGG's x == 'M' decided per item, in_channels carried", () => {
    const spec: (number | 'M')[] = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 'M', 512, 512, 512, 'M', 512, 512, 512, 'M'];
    const batch = 2;
    let [total, c, h] = [0, 3, 32];
    for (const x of spec) {
      if (x === 'M') h /= 2;
      else {
        total += batch * conv(c, x, 3, h)[0];
        c = x;
      }
    }
    total += 2 * batch * 512 * 10;
    assert.equal(total, 1_252_806_656);
    assert.equal(fn(analyseIdiom('vgg_cfg_table.py'), 'test').figures.flops, total);
  });

  it('isinstance in conditional expressions reads a mixed spec: MobileNet widths and (width, stride) pairs', () => {
    const spec: (number | [number, number])[] = [64, [128, 2], 128, [256, 2], 256, [512, 2], 512, 512, 512, 512, 512, [1024, 2], 1024];
    let [total, h] = conv(3, 32, 3, 32);
    let c = 32;
    for (const x of spec) {
      const [out, stride] = typeof x === 'number' ? [x, 1] : x;
      const [dw, ho] = conv(c, c, 3, h, stride, 1, c);
      total += dw + conv(c, out, 1, ho, 1, 0)[0];
      [c, h] = [out, ho];
    }
    total += 2 * 1024 * 10;
    assert.equal(fn(analyseIdiom('mobilenet_mixed_cfg.py'), 'test').figures.flops, total);
  });

  it('a ModuleList sized by a None config field filled from a preset table (gpt2-medium through a classmethod)', () => {
    const [T, C, L, H, V] = [1024, 1024, 24, 16, 50257];
    const perLayer = 2 * T * C * 3 * C + (4 * H * T * T * (C / H)) / 2 + 2 * T * C * C + 2 * 2 * T * C * 4 * C;
    const a = analyseIdiom('gpt_none_config.py');
    assert.equal(fn(a, 'main').figures.flops, L * perLayer + 2 * T * C * V);
  });

  it('a preset key nobody gives leaves the sizes as named dims, never one silent layer', () => {
    // Without main(), the only construction is from_preset(model_type) with an unknown key: the
    // presets disagree on n_layer, n_head and n_embd, so those are dims to bind (the FLOPs do not
    // depend on n_head: H heads of C/H each).
    const text = source('gpt_none_config.py').replace(/\ndef main\(\):[\s\S]*$/, '\n');
    const open = fn(analyse(text, { dims: { b: 1, t: 1024 } }), 'GPT.forward');
    assert.equal(open.figures.flops, null);
    // The causal attention, 2·T²·n_head·(n_embd // n_head) per layer, keeps n_head: q, k, v split
    // from the 3·n_embd projection by n_embd are three pieces whatever n_embd is.
    assert.deepEqual([...open.figures.unbound].sort(), ['n_embd', 'n_head', 'n_layer']);
    const [T, C, L, H, V] = [1024, 192, 6, 6, 50257];
    const bound = fn(analyse(text, { dims: { b: 1, t: T, n_layer: L, n_head: H, n_embd: C } }), 'GPT.forward');
    assert.equal(bound.figures.flops, L * (24 * T * C * C + 2 * T * T * C) + 2 * T * C * V);
  });

  it('sizes left None (a model_type missing from the presets) are dims named after the fields', () => {
    // 'gpt' is no key of the table (Python would raise KeyError): nothing is merged, the sizes
    // stay None, and as sizes they read as n_layer and n_embd, not as one layer of unknown width.
    const text = source('gpt_none_config.py').replace("GPT.from_preset('gpt2-medium')", "GPT.from_preset('gpt')");
    const open = fn(analyse(text), 'main');
    assert.equal(open.figures.flops, null);
    // The causal attention, 2·T²·n_head·(n_embd // n_head) per layer, keeps n_head: q, k, v split
    // from the 3·n_embd projection by n_embd are three pieces whatever n_embd is.
    assert.deepEqual([...open.figures.unbound].sort(), ['n_embd', 'n_head', 'n_layer']);
    const [T, C, L] = [1024, 768, 12];
    const bound = fn(analyse(text, { dims: { n_layer: L, n_embd: C, n_head: 12 } }), 'main');
    assert.equal(bound.figures.flops, L * (24 * T * C * C + 2 * T * T * C) + 2 * T * C * 50257);
  });

  it('argparse defaults, a preset by constant key, attributes set later, hasattr flags and `or` defaults', () => {
    // preset 'base': 12 layers of width 768; batch 8 and seq_len '128' (a string through type=int);
    // vocab_size None `or` 32000; no mlp_hidden attribute, so the hidden width is 4·768.
    const [B, S, C, L, V] = [8, 128, 768, 12, 32000];
    const expected = L * (2 * 2 * B * S * C * 4 * C) + 2 * B * S * C * V;
    const f = fn(analyseIdiom('train_config_flags.py'), 'main');
    assert.equal(f.figures.flops, expected);
    assert.equal(f.summary.upperBound, false);
  });

  it('einops ViT: Rearrange patches, map(lambda t: rearrange(...)), repeat, conditional Identity', () => {
    const [B, n, d, L, heads, mlp] = [2, 197, 768, 12, 12, 3072];
    const perLayer = 2 * B * n * d * 3 * d + 2 * (2 * B * heads * n * (d / heads) * n) + 2 * B * n * d * d + 2 * (2 * B * n * d * mlp);
    const expected = 2 * B * 196 * (16 * 16 * 3) * d + L * perLayer + 2 * B * d * 1000;
    assert.equal(fn(analyseIdiom('vit_einops.py'), 'main').figures.flops, expected);
  });

  it('subclasses of nn.Linear / nn.Conv1d / nn.LayerNorm, GPT-2 Conv1D with addmm, a batch_addmm helper', () => {
    const [frames, mels, d, tokens, vocab] = [3000, 80, 384, 448, 51865];
    const half = frames / 2;
    const expected =
      2 * d * mels * 3 * frames + // conv1 through the subclass's _conv_forward
      2 * d * d * 3 * half + // conv2, stride 2
      2 * half * d * d + // Linear subclass: F.linear(x, self.weight.to(x.dtype), ...)
      2 * half * d * (4 * d) + // Conv1D: addmm(bias, x.view(-1, d), weight)
      2 * half * (4 * d) * d + // batch_addmm(b, W, x)
      2 * tokens * d * vocab; // logits from self.embedding.weight
    const a = analyseIdiom('speech_custom_layers.py');
    assert.equal(fn(a, 'main').figures.flops, expected);
    assert.equal(fn(a, 'main').incomplete, false);
  });

  it("a layer subclass with its own __init__ builds the layer through super().__init__(...)", () => {
    const a = analyse(`
import torch
import torch.nn as nn
import torch.nn.functional as F
class ScaledLinear(nn.Linear):
    def __init__(self, d_in, d_out, scale=2.0):
        super().__init__(d_in, d_out, bias=False)
        self.scale = scale
    def forward(self, x):
        return F.linear(x, self.weight) * self.scale
class Wide(nn.Conv2d):
    def forward(self, x):
        return super().forward(x).relu()
def main():
    lin = ScaledLinear(256, 1024)
    conv = Wide(3, 64, 3, padding=1)
    return lin(torch.randn(8, 256)), conv(torch.randn(1, 3, 32, 32))
`);
    assert.equal(fn(a, 'main').figures.flops, 2 * 8 * 256 * 1024 + 2 * 64 * 3 * 9 * 32 * 32);
  });

  it('casts around the softmax keep hand-written attention visible to TC201 and TC202', () => {
    const a = analyseIdiom('llama_attention_casts.py');
    const codes = a.findings.map((f) => `${f.code}:${f.range.start.line + 1}`);
    assert.ok(codes.includes('TC202:45'), codes.join(' '));
    assert.ok(codes.includes('TC201:42'), codes.join(' '));
    // 4 projections 2·S·4096² and two attention matmuls 2·32·S²·128, S = 2048.
    const S = 2048;
    assert.equal(fn(a, 'Attention.forward').figures.flops, 4 * 2 * S * 4096 * 4096 + 2 * 2 * 32 * S * S * 128);
  });

  it('index lists and slices: x[:, [-1], :], x[:, -1, :], bias[:, :, :T, :T]', () => {
    const a = analyse(`
import torch
import torch.nn as nn
class Head(nn.Module):
    def __init__(self):
        super().__init__()
        self.lm_head = nn.Linear(768, 50257, bias=False)
        self.register_buffer("bias", torch.tril(torch.ones(1024, 1024)).view(1, 1, 1024, 1024))
    def last(self, x):
        # tensorcost: shape x=(4, 256, 768)
        return self.lm_head(x[:, [-1], :])
    def dropped(self, x):
        # tensorcost: shape x=(4, 256, 768)
        return self.lm_head(x[:, -1, :])
    def masked(self, att, v, T):
        # tensorcost: shape v=(4, 12, T, 64)
        return self.bias[:, :, :T, :T] @ v
`, { dims: { T: 256 } });
    assert.equal(fn(a, 'Head.last').figures.flops, 2 * 4 * 768 * 50257);
    assert.equal(fn(a, 'Head.dropped').figures.flops, 2 * 4 * 768 * 50257);
    // (1, 1, T, T) @ (4, 12, T, 64): T is the slice bound's own name, bound to 256.
    assert.equal(fn(a, 'Head.masked').figures.flops, 2 * 4 * 12 * 256 * 256 * 64);
  });

  it('round() and all() of known values size layers (RegNet widths, minGPT-style checks)', () => {
    const a = analyse(`
import torch
import torch.nn as nn
class Block(nn.Module):
    def __init__(self, w_out, ratio, flags):
        super().__init__()
        w_b = int(round(w_out * ratio))
        self.fc = nn.Linear(w_out, w_b) if all(flags) else nn.Linear(w_out, 1)
    def forward(self, x):
        return self.fc(x)
def main():
    blk = Block(100, 2.5, [True, 1 > 0])
    return blk(torch.randn(4, 100))
`);
    // round(250.0) = 250 outputs; both flags hold, so the wide layer is built.
    assert.equal(fn(a, 'main').figures.flops, 2 * 4 * 100 * 250);
  });

  it('comprehensions: per item over a short list of keys, and counted per trip over a repeated list', () => {
    const a = analyse(`
import torch
import torch.nn as nn
class MultiHead(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        n, d = [cfg[k] for k in ['heads', 'dim']]
        self.heads = nn.ModuleList([nn.Linear(d, d // n) for _ in range(n)])
    def forward(self, x):
        outs = [h(x) for h in self.heads]
        return outs[0]
def main():
    m = MultiHead({'dim': 512, 'heads': 8})
    return m(torch.randn(4, 64, 512))
`);
    // Eight heads of 512 → 64, each run on the (4, 64, 512) input.
    assert.equal(fn(a, 'main').figures.flops, 8 * 2 * 4 * 64 * 512 * 64);
  });

  it('an undecidable conditional expression counts its costlier arm, as an upper bound', () => {
    const a = analyse(`
import torch
def f(x, w, big):
    # tensorcost: shape x=(64, 128) w=(128, 256)
    return (x @ w) @ w.T if big else x.sum()
`);
    const f = fn(a, 'f');
    assert.equal(f.figures.flops, 2 * 64 * 128 * 256 * 2);
    assert.equal(f.summary.upperBound, true);
  });

  it('a shape guessed from one operand of unknown shape never yields a TC002 downstream', () => {
    // tok_emb's shape is unknown: the sum takes pos's (1, 256, 768) so later ops stay costed, but
    // the real sum may carry a batch of 8, so the view to (2048, 768) is no proven error.
    const src = `
import torch
import torch.nn as nn
class Emb(nn.Module):
    def __init__(self):
        super().__init__()
        self.wpe = nn.Embedding(1024, 768)
    def forward(self, tok_emb, pos):
        # tensorcost: shape pos=(1, 256)
        x = tok_emb + self.wpe(pos)
        y = x.transpose(0, 1).reshape(8 * 256, 768)
        return y
    def known(self, pos):
        # tensorcost: shape pos=(1, 256)
        return self.wpe(pos).view(8 * 256, 768)
`;
    const a = analyse(src);
    const tc002 = a.findings.filter((f) => f.code === 'TC002').map((f) => f.range.start.line);
    // Only the view of the known (1, 256, 768) embedding is a proven error (0-based line 14).
    assert.deepEqual(tc002, [14]);
    assert.equal(fn(a, 'Emb.forward').incomplete, true);
  });

  it('einops layers and functions: Reduce pools, repeat copies, einsum contracts', () => {
    const a = analyse(`
import torch
from torch import nn
from einops import einsum, repeat
from einops.layers.torch import Rearrange, Reduce
def head(x, w, tok):
    # tensorcost: shape x=(8, 3, 224, 224) w=(768, 10) tok=(1, 768)
    to_tokens = nn.Sequential(Rearrange('b c (h p1) (w p2) -> b (h w) (p1 p2 c)', p1=16, p2=16), nn.Linear(768, 768))
    t = to_tokens(x)
    cls = repeat(tok, '1 d -> b 1 d', b=8)
    pooled = Reduce('b n d -> b d', 'mean')(t)
    return einsum(pooled, w, 'b d, d k -> b k'), cls
`);
    const f = fn(a, 'head');
    // Linear on 8·196 tokens 768 → 768, then the (8, 768)·(768, 10) einsum; the mean reads every
    // element of (8, 196, 768) once.
    assert.equal(f.figures.flops, 2 * 8 * 196 * 768 * 768 + 2 * 8 * 768 * 10);
    const reduceOp = a.ir.ops.find((o) => o.function === 'head' && o.kind === 'reduction');
    assert.deepEqual(reduceOp?.output.shape?.map(String), ['8', '768']);
    assert.equal(reduceOp?.cost.otherFlops.toString(), String(8 * 196 * 768));
    const copy = a.ir.ops.find((o) => o.function === 'head' && o.name === 'repeat');
    assert.deepEqual(copy?.output.shape?.map(String), ['8', '1', '768']);
  });

  it('an unknown einops axis size gives an unknown shape, never a TC002', () => {
    const a = analyse(`
import torch
from einops import repeat, rearrange
def f(tok, img, n):
    # tensorcost: shape tok=(1, 1, 768)
    b = img.shape[0]
    t = repeat(tok, '1 1 d -> b 1 d', b=b)
    u = rearrange(tok, 'b n (h d) -> b h n d', h=n.heads)
    return t, u
`);
    assert.deepEqual(a.findings.filter((f) => f.code === 'TC002'), []);
  });

  it('an undecidable is_causal counts the non-causal side and says so; a guard clause is one path, not two', () => {
    const [B, T, C, H] = [2, 256, 512, 8];
    const dims = { B, T, n_embd: C, n_head: H, H, D: C / H };
    const sdpa = 4 * B * H * T * T * (C / H); // not causal: the costlier side
    const a = analyseIdiom('attention_causal_flag.py', dims);
    // `is_causal=self.causal`, `causal` a constructor argument nobody in the file gives.
    const attn = fn(a, 'SelfAttention.forward');
    assert.equal(attn.figures.flops, 2 * B * T * C * 3 * C + sdpa + 2 * B * T * C * C);
    assert.equal(attn.summary.upperBound, true);
    const op = a.ir.ops.find((o) => o.function === 'SelfAttention.forward' && o.kind === 'sdpa');
    assert.match(op?.cost.notes?.[0] ?? '', /is_causal unknown here: counted as not causal/);
    // `causal: bool` passed straight through.
    assert.equal(fn(a, 'attend_flag').figures.flops, sdpa);
    assert.equal(fn(a, 'attend_flag').summary.upperBound, true);
    // `if mask is None: return sdpa(causal)` then `return sdpa(mask)`: one of the two runs (the
    // costlier, non-causal), never both added.
    assert.equal(fn(a, 'attend').figures.flops, sdpa);
    assert.equal(fn(a, 'attend').summary.upperBound, true);
    // Decided switches stay exact: a construction with causal=True halves the attention.
    const decided = analyse(source('attention_causal_flag.py') + '\n\ndef decoder():\n    return SelfAttention(512, 8, causal=True)(torch.randn(2, 256, 512))\n', { dims }, 'decided.py');
    assert.equal(fn(decided, 'decoder').figures.flops, 2 * B * T * C * 3 * C + sdpa / 2 + 2 * B * T * C * C);
    assert.equal(fn(decided, 'decoder').summary.upperBound, false);
  });

  it("float channel counts: int() truncates as Python does; a float size PyTorch would refuse is counted and said; float dict keys", () => {
    // TinyShuffle(width=0.5) on 2×3×32×32: WIDTHS[0.5] (a float key), split units of int(c · 0.5).
    let [total, h] = conv(3, 24, 3, 32);
    let c = 24;
    for (const [out, n] of [[48, 2], [96, 3], [192, 2]]) {
      let f: number;
      [f, h] = conv(c, out, 3, h, 2, 1);
      total += f;
      const branch = out - Math.trunc(out * 0.5);
      for (let i = 0; i < n; i++) total += conv(branch, branch, 1, h, 1, 0)[0] + conv(branch, branch, 3, h, 1, 1, branch)[0] + conv(branch, branch, 1, h, 1, 0)[0];
      c = out;
    }
    total += conv(192, 512, 1, h, 1, 0)[0] + 2 * 512 * 10;
    const a = analyseIdiom('shufflenet_float_widths.py');
    const net = fn(a, 'test');
    assert.equal(net.figures.flops, 2 * total);
    assert.equal(net.summary.reasons, undefined);
    // hidden = 240 / 4 = 60.0: nn.Conv2d raises TypeError on it (kuangliu/pytorch-cifar issues #51
    // and #163); the unit is counted with 60 channels, and its figures say PyTorch would raise.
    const unit = fn(a, 'test_group_unit');
    const hidden = 60;
    assert.equal(unit.figures.flops, conv(240, hidden, 1, 8, 1, 0, 3)[0] + conv(hidden, hidden, 3, 8, 1, 1, hidden)[0] + conv(hidden, 240, 1, 8, 1, 0, 3)[0]);
    assert.ok(unit.summary.reasons?.some((r) => /given float sizes \(in_channels=60\.0, out_channels=60\.0, groups=60\.0\): PyTorch raises TypeError/.test(r.message)));
    // Its builder, in a program: the unit on test_group_unit()'s input, still saying it would
    // raise; the call in test_group_unit() (a construction only) does not replace those figures.
    // Where the layer is built in the reported function itself, the finding is a TC002 there.
    const direct = analyse('import torch.nn as nn\ndef head(width=64):\n    return nn.Linear(width / 2, 10)\n');
    assert.deepEqual(direct.findings.filter((x) => x.code === 'TC002').map((x) => [x.range.start.line, x.message]), [[2, '`nn.Linear` given a float size (in_features=32.0): PyTorch raises TypeError (sizes are ints; `/` gives a float in Python 3, `//` does not); counted as an integer']]);
    const builder = fn(analyseInProgram('shufflenet_float_widths.py'), 'GroupUnitG3');
    assert.equal(builder.figures.flops, unit.figures.flops);
    assert.equal(builder.incomplete, true);
    assert.ok(builder.reasons?.some((r) => /PyTorch raises TypeError/.test(r.message)));
  });

  it("recursive trees (DLA): __init__ recursing on a smaller depth, children by computed names, each subtree's forward", () => {
    // An independent count from the architecture: 3×3 units, a 1×1 aggregation over the
    // concatenated outputs, one 16×32×32 image in, stride 2 at the tree's entry.
    const unit = (cin: number, cout: number, h: number, s = 1) => conv(cin, cout, 3, h, s, 1);
    const agg = (cin: number, cout: number, h: number) => conv(cin, cout, 1, h, 1, 0)[0];
    const hier = (cin: number, cout: number, depth: number, h: number, s: number): [number, number] => {
      if (depth === 1) {
        const [a, ho] = unit(cin, cout, h, s);
        return [a + unit(cout, cout, ho)[0] + agg(2 * cout, cout, ho), ho];
      }
      let [f, xh] = [unit(cin, cout, h, s)[0], h];
      for (let d = depth - 1; d >= 1; d--) {
        const first = d === depth - 1;
        const [t, ho] = hier(first ? cin : cout, cout, d, xh, first ? s : 1);
        [f, xh] = [f + t, ho];
      }
      return [f + 2 * unit(cout, cout, xh)[0] + agg((depth + 2) * cout, cout, xh), xh];
    };
    const binary = (cin: number, cout: number, depth: number, h: number, s: number): [number, number] => {
      const [l, ho] = depth === 1 ? unit(cin, cout, h, s) : binary(cin, cout, depth - 1, h, s);
      const r = depth === 1 ? unit(cout, cout, ho)[0] : binary(cout, cout, depth - 1, ho, 1)[0];
      return [l + r + agg(2 * cout, cout, ho), ho];
    };
    const a = analyseIdiom('recursive_tree.py');
    for (const [name, expected] of [['test_hier', hier(16, 32, 3, 32, 2)[0]], ['test_binary', binary(16, 32, 3, 32, 2)[0]]] as const) {
      const f = fn(a, name);
      assert.equal(f.figures.flops, expected, name);
      assert.equal(f.summary.reasons, undefined, name);
    }
    // A constructor that builds itself with the same arguments would never end: still refused, and said.
    const loop = analyse('import torch.nn as nn\nclass A(nn.Module):\n    def __init__(self, n):\n        super().__init__()\n        self.child = A(n)\n\ndef build():\n    return A(3)\n');
    assert.ok(fn(loop, 'build').summary.reasons?.some((r) => /recursive call of `A.__init__` not followed/.test(r.message)));
  });

  it("hasattr(self, 'proj') on a block whose __init__ alone sets it: decided per block, no unknown call", () => {
    // Two units on 32×16×16: 32→64 with stride 2 (a 1×1 projection), then 64→64 (identity).
    const [c1, h] = conv(32, 64, 3, 16, 2);
    const expected = c1 + conv(64, 64, 3, h)[0] + conv(32, 64, 1, 16, 2, 0)[0] + 2 * conv(64, 64, 3, h)[0];
    const f = fn(analyseIdiom('preact_optional_shortcut.py'), 'test');
    assert.equal(f.figures.flops, expected);
    assert.equal(f.summary.reasons, undefined);
    assert.equal(f.summary.upperBound, false);
  });

  describe('several builders in one file: each its own figures, the class\'s methods per construction', () => {
    // The fixtures' ResNet: a 3×3 stem to 16 channels, stages of 16, 32, 64 planes (strides 1, 2,
    // 2), basic blocks or bottlenecks (expansion 4), 1×1 shortcuts where the shape changes.
    const resnet = (bottleneck: boolean, blocks: number[]) => {
      const exp = bottleneck ? 4 : 1;
      let [total, h] = conv(3, 16, 3, 32);
      let c = 16;
      [16, 32, 64].forEach((p, stage) => {
        for (let b = 0; b < blocks[stage]; b++) {
          const s = b === 0 && stage > 0 ? 2 : 1;
          const [main, ho] = bottleneck ? conv(p, p, 3, h, s) : conv(c, p, 3, h, s);
          total += main + (bottleneck ? conv(c, p, 1, h, 1, 0)[0] + conv(p, 4 * p, 1, ho, 1, 0)[0] : conv(p, p, 3, ho)[0]);
          if (s !== 1 || c !== p * exp) total += conv(c, p * exp, 1, h, s, 0)[0];
          [c, h] = [p * exp, ho];
        }
      });
      return total + 2 * 64 * exp * 10;
    };
    const tiny = resnet(false, [1, 1, 1]);
    const small = resnet(false, [2, 2, 2]);
    const deep = resnet(true, [2, 3, 2]);

    it("builders and a test(): each builder's model on test()'s input (2×3×32×32); forward lists every builder", () => {
      assert.deepEqual([tiny, small, deep], [25_003_264, 53_314_816, 76_387_328]);
      const a = analyseInProgram('resnet_builders.py');
      assert.equal(fn(a, 'ResNetTiny').figures.flops, 2 * tiny);
      assert.equal(fn(a, 'ResNetSmall').figures.flops, 2 * small);
      assert.equal(fn(a, 'ResNetDeep').figures.flops, 2 * deep);
      // The file's run is test(), not the largest builder.
      assert.equal(a.totalOf, 'test');
      assert.equal(a.total.flops, 2 * small);
      // ResNet.forward: the largest construction, named, and each construction with its figures.
      const f = fn(a, 'ResNet.forward');
      assert.equal(f.figures.flops, 2 * deep);
      assert.equal(f.context?.function, 'ResNetDeep');
      assert.deepEqual(f.each?.map((e) => [e.context.function, e.flops]), [['ResNetTiny', 2 * tiny], ['ResNetSmall', 2 * small], ['ResNetDeep', 2 * deep]]);
      // Bottleneck only exists in ResNetDeep: its forward is named after it, not after test().
      assert.equal(fn(a, 'Bottleneck.forward').context?.function, 'ResNetDeep');
    });

    it('torchvision-style builders (kwargs through a helper), forward annotated, no script: batch 1 stated, no silent witness', () => {
      const a = analyseInProgram('resnet_builders_annotated.py');
      for (const [name, flops] of [['resnet_tiny', tiny], ['resnet_small', small], ['resnet_deep', deep]] as const) {
        assert.equal(fn(a, name).figures.flops, flops, name);
        assert.deepEqual(fn(a, name).assumed, { batch: { value: 1, from: 'batch defaults to 1' } });
      }
      const f = fn(a, 'ResNet.forward');
      assert.equal(f.figures.flops, deep);
      assert.equal(f.context?.function, 'resnet_deep');
      assert.deepEqual(f.each?.map((e) => [e.context.function, e.flops]), [['resnet_tiny', tiny], ['resnet_small', small], ['resnet_deep', deep]]);
      // Outside a program (no contexts): the forward's own figures are one construction's, and say so.
      const alone = fn(analyseIdiom('resnet_builders_annotated.py', { batch: 1 }), 'ResNet.forward');
      assert.equal(alone.figures.flops, tiny);
      assert.ok(alone.summary.reasons?.some((r) => r.message === '`ResNet` is built 3 ways in this file (resnet_tiny(), resnet_small(), resnet_deep()): these figures are one of them (resnet_tiny()); each builder has its own'));
    });
  });
});
