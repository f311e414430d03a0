/**
 * Dataclass configs as real model code writes them (Mamba's `ModelArgs`, whisper's
 * `ModelDimensions`): fields without defaults (`d_model: int`) come first and are filled
 * positionally, `__post_init__` derives sizes (`d_inner = int(expand * d_model)`,
 * `dt_rank = math.ceil(d_model / 16)`), a config can come from a JSON file the run reads, and
 * parameters are documented in Google or NumPy docstrings. Met on johnma2006/mamba-minimal, where
 * every size after `__post_init__` was lost, a scan's `torch.stack` of `l` rows had one, and
 * TC103 asked to batch a recurrence.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { docstringShapes } from '../../server/frontends/python/comments';
import { Poly } from '../../server/core/symbolic';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'config-fields');

/**
 * One `ScanBlock` on 3 × 5 tokens at d_model 64 (d_inner 128, rank ceil(64 / 16) = 4):
 * inp 2·15·64·128 + low 2·15·128·4 + up 2·15·4·128 + the scan's 5 trips of 2·3·128·128 + out 2·15·128·64.
 */
const BLOCK = 2 * 15 * 64 * 128 + 2 * 15 * 128 * 4 + 2 * 15 * 4 * 128 + 5 * 2 * 3 * 128 * 128 + 2 * 15 * 128 * 64;

const at = (p: Poly, dims: Record<string, number>) => p.evaluate(new Map(Object.entries(dims)));

describe('dataclass configs, __post_init__ and docstring shapes', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await ready$();
    out = analyseFolder(DIR);
  });

  it('fills fields without defaults positionally and runs __post_init__', () => {
    assert.equal(BLOCK, 1_013_760);
    const main = fn(out.get('run.py')!, 'main');
    assert.equal(main.figures.flops, 2 * BLOCK);
    assert.ok(!main.incomplete, JSON.stringify(main.reasons));
  });

  it('stacks the rows a loop of l trips appended: (b, l, d_inner), not (b, 1, d_inner)', () => {
    const model = out.get('model.py')!;
    const stack = model.ir.ops.find((o) => o.name === 'torch.stack');
    assert.ok(stack, model.ir.ops.map((o) => `${o.function} ${o.kind}`).join('\n'));
    assert.deepEqual(stack.output.shape!.map(String), ['b', 'l', '2*d_model']);
  });

  it('gives a function analysed on its own the fields of its config parameter as dims', () => {
    const text = fs.readFileSync(path.join(DIR, 'model.py'), 'utf8');
    const alone = analyse(text, {}, 'model.py');
    const block = fn(alone, 'ScanBlock.forward');
    // `rank = math.ceil(d_model / 16)` stays a size (a ceiling division), not an unknown.
    assert.match(block.summary.flops.toString(), /ceil\(d_model\/16\)|d_model\/\/\/16/);
    assert.equal(at(block.summary.flops, { b: 3, l: 5, d_model: 64 }), BLOCK);
    const model = fn(alone, 'ScanModel.forward');
    assert.equal(at(model.summary.flops, { b: 3, l: 5, d_model: 64, n_layer: 2 }), 2 * BLOCK);
  });

  it('names the sizes a JSON config holds after their keys, for the user to bind', () => {
    const main = fn(out.get('from_json.py')!, 'main');
    assert.equal(main.figures.flops, null);
    assert.deepEqual([...main.summary.flops.freeSymbols()].sort(), ['d_model', 'n_layer']);
    assert.equal(at(main.summary.flops, { d_model: 64, n_layer: 2 }), 2 * BLOCK);
  });

  it('lets `**cfg` of a JSON config set any field: no number from the class defaults', () => {
    const splat = fn(out.get('from_json.py')!, 'main_splat');
    assert.equal(splat.figures.flops, null);
    assert.equal(splat.incomplete, true);
    assert.ok(splat.reasons?.some((r) => r.message.startsWith('`ScanArgs(**cfg)`')), JSON.stringify(splat.reasons));
    // Its `int` fields are dims named after them, which the user binds (nanoGPT's sample.py builds
    // `GPTConfig(**checkpoint['model_args'])`); before, they were unknown and the model's shapes lost.
    assert.deepEqual([...splat.summary.flops.freeSymbols()].sort(), ['d_model', 'expand', 'n_layer']);
    assert.equal(at(splat.summary.flops, { d_model: 64, n_layer: 2, expand: 2 }), 2 * BLOCK);
  });

  it('says a prompt the run lost grows every trip of a loop run trip by trip', () => {
    const main = fn(out.get('generate.py')!, 'main');
    assert.equal(main.incomplete, true);
    const why = main.reasons?.map((r) => r.message) ?? [];
    assert.ok(why.includes('loop at line 8: `ids` is appended to every trip; each trip counted as the first'), why.join('\n'));
  });

  it('does not ask to batch a matmul that reads a recurrence (TC103)', () => {
    const codes = [...out.values()].flatMap((a) => a.findings.map((d) => d.code));
    assert.ok(!codes.includes('TC103'), codes.join(', '));
    const batched = analyse(`
import torch
from jaxtyping import Float
from torch import Tensor

def per_item(a: Float[Tensor, "256 128 64"], b: Float[Tensor, "256 64 128"], h: Float[Tensor, "128"]):
    ys = []
    for i in range(256):
        h = torch.tanh(h + 1)
        ys.append(torch.mm(a[i], b[i]))
    return ys, h
`);
    // A recurrence elsewhere in the body does not hide a matmul of per-item operands.
    assert.ok(batched.findings.some((d) => d.code === 'TC103'), batched.findings.map((d) => d.code).join(', '));
  });
});

describe('docstring shapes', () => {
  it('reads Google, NumPy and Hugging Face styles; the first line naming a parameter wins', () => {
    const doc = `
    Args:
        x: shape (b, l, d)    (see the glossary)
        ids (long tensor): shape (b, l)
        img (torch.Tensor): input tensor of shape [B, C, H, W]
        q, k, v: Tensors of shape (B, T, H, D)
        window_size: (left, right) sliding window
        mel : np.ndarray, shape = (n_mels, n_frames)
        hidden (\`torch.FloatTensor\` of shape \`(batch_size, hidden_size)\`): the states
    Returns:
        x: shape (b, l, vocab)
    `;
    const got = Object.fromEntries([...docstringShapes(doc)].map(([k, dims]) => [k, dims.map(String).join(', ')]));
    assert.deepEqual(got, {
      x: 'b, l, d',
      ids: 'b, l',
      img: 'B, C, H, W',
      q: 'B, T, H, D',
      k: 'B, T, H, D',
      v: 'B, T, H, D',
      mel: 'n_mels, n_frames',
      hidden: 'batch_size, hidden_size',
    });
  });

  it('gives a lost argument the docstring’s dims, unless a module constant of a closed run names them', () => {
    const attend = `
import torch
def attend(q):
    """q: shape (B, T, D)"""
    return q @ q.transpose(-2, -1)
`;
    // On its own the function has its documented shape.
    assert.equal(fn(analyse(attend), 'attend').summary.flops.toString(), '2*B*D*T^2');
    // Called with what the run lost (a tokenizer's prompt), the figures wait for the documented dims.
    const open = fn(analyse(`${attend}\ndef main():\n    return attend(load())\n`), 'main');
    assert.equal(open.summary.flops.toString(), '2*B*D*T^2');
    // With `T = 1024` at module level, in a run from an entry point, the run's lost T is not
    // 1024: the op stays unknown and says so.
    const closed = fileJson(analyseFolder(DIR).get('docstring_constant.py')!).totals;
    assert.equal(closed.incomplete, true);
    assert.ok(closed.reasons?.some((r) => r.message === 'operand of unknown shape in `@`'), JSON.stringify(closed.reasons));
  });
});

describe('reasons kept when there are many', () => {
  it('a loop counted once displaces an operand of unknown shape from the six reasons kept', () => {
    const a = analyse(`
import torch
def main(data):
    a = data * 2
    b = data * 3
    c = data * 4
    d = data * 5
    e = data * 6
    f = data * 7
    for batch in load():
        y = torch.randn(8, 8) @ torch.randn(8, 8)
    return y
`);
    const why = fn(a, 'main').summary.reasons?.map((r) => r.message) ?? [];
    assert.equal(why.length, 6);
    assert.ok(why.some((m) => m.startsWith('loop at line')), why.join('\n'));
  });
});

describe('model factories by name (MAE, DeiT, ConvNeXt)', () => {
  it('module.__dict__[args.model]() builds the model that name gives', async () => {
    await ready$();
    const out = analyseFolder(path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'factory-by-name'));
    const main = fn(out.get('main.py')!, 'main');
    // net_large: one 256 → 256 linear on 8 rows.
    assert.equal(main.figures.flops, 2 * 8 * 256 * 256);
    const totals = fileJson(out.get('main.py')!).totals;
    assert.equal(totals.flops, 2 * 8 * 256 * 256);
    assert.equal(totals.incomplete, undefined, JSON.stringify(totals.reasons));
  });
});
