import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { moduleParams } from '../../server/core/params';
import { Poly } from '../../server/core/symbolic';
import { countClassParams } from '../../server/frontends/python/distributedParams';
import { initPython, parsePython } from '../../server/frontends/python/parser';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'distributed');
const GPT2 = { vocab_size: 50257, n_embd: 768, block_size: 1024, n_layer: 12, n_head: 12 };

function classes(src: string) {
  return new Map(countClassParams(parsePython(src).rootNode).map((c) => [c.cls, c]));
}

const args = (...positional: (number | boolean)[]) => ({
  positional: positional.map((v) => (typeof v === 'number' ? Poly.const(v) : v)),
  keywords: new Map(),
});

describe('parameter counts', () => {
  before(initPython);

  it('counts torch.nn modules as PyTorch constructs them', () => {
    assert.equal(moduleParams('Linear', args(768, 3072))!.params.constValue(), 768 * 3072 + 3072);
    assert.equal(moduleParams('Linear', { positional: [Poly.const(768), Poly.const(3072)], keywords: new Map([['bias', false]]) })!.params.constValue(), 768 * 3072);
    assert.equal(moduleParams('Embedding', args(50257, 768))!.params.constValue(), 38_597_376);
    assert.equal(moduleParams('LayerNorm', args(768))!.params.constValue(), 1536);
    // Conv2d(3, 64, 7) as ResNet-50's stem with bias=False: 64·3·7·7 = 9,408 parameters.
    assert.equal(moduleParams('Conv2d', { positional: [Poly.const(3), Poly.const(64), Poly.const(7)], keywords: new Map([['bias', false]]) })!.params.constValue(), 9408);
    // MultiheadAttention(E=512, 8): in_proj 3E² + 3E, out_proj E² + E.
    assert.equal(moduleParams('MultiheadAttention', args(512, 8))!.params.constValue(), 4 * 512 * 512 + 4 * 512);
    assert.equal(moduleParams('Dropout', args())!.params.constValue(), 0);
  });

  it('GPT-2 124M (nanoGPT model.py, bias=True, tied lm_head) has 124,439,808 parameters', () => {
    const c = classes(readFileSync(join(FIXTURES, 'gpt2_model.py'), 'utf8'));
    const gpt = c.get('GPT')!;
    const b = new Map(Object.entries(GPT2));
    // wte 38,597,376 + wpe 786,432 + 12 × 7,087,872 per block + ln_f 1,536; the tied lm_head adds nothing.
    assert.equal(c.get('Block')!.params.evaluate(b), 7_087_872);
    assert.equal(gpt.params.evaluate(b), 124_439_808);
    // nanoGPT prints "number of parameters: 123.65M": the same count without position embeddings.
    assert.equal(gpt.params.evaluate(b)! - 1024 * 768, 123_653_376);
    // The count stays symbolic in config fields, so a bigger config re-binds without re-parsing.
    assert.equal(gpt.params.evaluate(new Map(Object.entries({ ...GPT2, n_layer: 24, n_embd: 1024, n_head: 16 }))), 354_823_168);
    assert.deepEqual(gpt.constructs.sort(), ['Block', 'LayerNorm']);
    // Tensors: 2 embeddings + 12 × 12 per block + 2 for ln_f (lm_head's weight is wte's).
    assert.equal(gpt.tensors.evaluate(b), 2 + 12 * 12 + 2);
  });

  it('counts nn.Parameter shapes, Sequential members and bias=False', () => {
    const c = classes(`
import torch
import torch.nn as nn
class Net(nn.Module):
    def __init__(self, d: int = 256):
        super().__init__()
        self.scale = nn.Parameter(torch.ones(d))
        self.proj = nn.Parameter(torch.randn(d, 4 * d) * 0.02)
        self.body = nn.Sequential(nn.Linear(d, d, bias=False), nn.ReLU(), nn.Linear(d, 10))
`);
    assert.equal(c.get('Net')!.params.constValue(), 256 + 256 * 1024 + 256 * 256 + 256 * 10 + 10);
  });

  it('counts a class constructed again with the same parameters once, but again where a recursion refused inside it differs', () => {
    // Y's own count holds a Z built shallow. Z's own count (deep) builds a Y, whose Z would be Z
    // again: refused there, so that Y is its Linear alone, not Y's own count reused.
    const c = classes(`
import torch.nn as nn
class Y(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.fc = nn.Linear(config.d, config.d)
        self.z = Z(config, False)
class Z(nn.Module):
    def __init__(self, config, deep=True):
        super().__init__()
        self.head = nn.Linear(config.d, 10)
        if deep:
            self.y = Y(config)
`);
    const b = new Map([['d', 4]]);
    const fc = 4 * 4 + 4;
    const head = 4 * 10 + 10;
    assert.equal(c.get('Y')!.params.evaluate(b), fc + head);
    assert.equal(c.get('Z')!.params.evaluate(b), head + fc);
    assert.deepEqual(c.get('Z')!.constructs, ['Y']);
  });

  it('counts the blocks of a ModuleList built from a bare generator (Llama-2-7B: 6,738,415,616)', () => {
    // gpt-fast's layout: `nn.ModuleList(Block(args) for _ in range(args.n_layer))`, no brackets.
    const c = classes(`
import torch
import torch.nn as nn
class Norm(nn.Module):
    def __init__(self, dim: int):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
class Block(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.wqkv = nn.Linear(args.dim, (args.n_head + 2 * args.n_kv) * args.head_dim, bias=False)
        self.wo = nn.Linear(args.dim, args.dim, bias=False)
        self.w1 = nn.Linear(args.dim, args.hidden, bias=False)
        self.w2 = nn.Linear(args.hidden, args.dim, bias=False)
        self.w3 = nn.Linear(args.dim, args.hidden, bias=False)
        self.n1 = Norm(args.dim)
        self.n2 = Norm(args.dim)
class Model(nn.Module):
    def __init__(self, args):
        super().__init__()
        self.emb = nn.Embedding(args.vocab, args.dim)
        self.layers = nn.ModuleList(Block(args) for _ in range(args.n_layer))
        self.norm = Norm(args.dim)
        self.out = nn.Linear(args.dim, args.vocab, bias=False)
`);
    const b = new Map(Object.entries({ dim: 4096, n_head: 32, n_kv: 32, head_dim: 128, hidden: 11008, vocab: 32000, n_layer: 32 }));
    // Meta's published count for Llama-2-7B.
    assert.equal(c.get('Model')!.params.evaluate(b), 6_738_415_616);
  });

  it('counts the layers of an MLP zipped from its widths (DETR, SAM), once the layer count is known', () => {
    const c = classes(`
import torch.nn as nn
class MLP(nn.Module):
    def __init__(self, input_dim, hidden_dim, output_dim, num_layers):
        super().__init__()
        h = [hidden_dim] * (num_layers - 1)
        self.layers = nn.ModuleList(nn.Linear(n, k) for n, k in zip([input_dim] + h, h + [output_dim]))
class Head(nn.Module):
    def __init__(self, d: int = 256):
        super().__init__()
        self.box = MLP(d, d, 4, 3)
`);
    // Linear(256, 256) twice, then Linear(256, 4), with biases.
    assert.equal(c.get('Head')!.params.constValue(), 2 * (256 * 256 + 256) + 256 * 4 + 4);
    // On its own the layer count is a name, and the list of widths is not known: nothing counted
    // (hovers show no count rather than one layer of made-up sizes).
    assert.ok(c.get('MLP')!.params.isZero());
  });
});
