/**
 * GPT-2 124M in TransformerLens' style (jaxtyping on every tensor, every contraction an
 * `einops.einsum` over named axes, per-head weight tensors) against docs/cost-model.md, by formula with
 * position = 1024, d_model = 768, n_heads·d_head = 768, d_mlp = 3072, d_vocab = 50257:
 *   q, k, v   3 · 2·P·D·(H·Dh)        = 3,623,878,656
 *   scores    2·H·P·P·Dh              = 1,610,612,736
 *   z         2·H·P·P·Dh              = 1,610,612,736
 *   out       2·P·(H·Dh)·D            = 1,207,959,552
 *   MLP       2 · 2·P·D·d_mlp         = 9,663,676,416
 *   unembed   2·P·D·d_vocab           = 79,047,426,048
 *   forward   = 12 · block + unembed  = 291,648,307,200
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyseFixture, fn, ready$ } from './helpers';

const FIXTURE = 'gpt2_transformerlens_style.py';
const P = 1024;
const D = 768;
const H = 12;
const DH = 64;
const MLP = 3072;
const VOCAB = 50257;
const QKV = 3 * 2 * P * D * H * DH;
const SCORES = 2 * H * P * P * DH;
const OUT = 2 * P * H * DH * D;
const FFN = 2 * 2 * P * D * MLP;
const BLOCK = QKV + 2 * SCORES + OUT + FFN;

describe('GPT-2 124M, TransformerLens style (docs/cost-model.md)', () => {
  before(ready$);

  it('the per-part figures are those of docs/cost-model.md, op by op', () => {
    assert.deepEqual([QKV, SCORES, OUT, FFN], [3_623_878_656, 1_610_612_736, 1_207_959_552, 2 * 4_831_838_208]);
    // Standalone, the attention and MLP inputs have the jaxtyping dim posn: bind it as settings do.
    const a = analyseFixture(FIXTURE, { dims: { posn: P } });
    const gemms = (name: string) =>
      a.ir.ops.flatMap((op, i) => (op.function === name && (op.kind === 'einsum' || op.kind === 'matmul') ? [[op.kind, a.figures[i].flops]] : []));
    // q, k and v one einsum each (QKV / 3), the scores, z, then the output projection as a matmul.
    assert.deepEqual(gemms('Attention.forward'), [
      ['einsum', QKV / 3],
      ['einsum', QKV / 3],
      ['einsum', QKV / 3],
      ['einsum', SCORES],
      ['einsum', SCORES],
      ['matmul', OUT],
    ]);
    assert.deepEqual(gemms('MLP.forward'), [
      ['einsum', FFN / 2],
      ['einsum', FFN / 2],
    ]);
  });

  it('DemoTransformer.forward totals 291,648,307,200 FLOPs, exact (no branch)', () => {
    const a = analyseFixture(FIXTURE);
    const f = fn(a, 'DemoTransformer.forward');
    assert.equal(f.figures.flops, 12 * BLOCK + 2 * P * D * VOCAB);
    assert.equal(f.figures.flops, 291_648_307_200);
    assert.equal(f.summary.upperBound, false);
  });

  it('one block: einsum projections, scores and z, rearranged output, MLP', () => {
    const a = analyseFixture(FIXTURE);
    assert.equal(fn(a, 'TransformerBlock.forward').figures.flops, BLOCK);
  });

  it('standalone, the attention follows its own jaxtyping names (posn), bound like any dim', () => {
    const a = analyseFixture(FIXTURE, { dims: { posn: P } });
    const att = fn(a, 'Attention.forward');
    assert.equal(att.figures.flops, QKV + 2 * SCORES + OUT);
    // The annotated rearrange keeps the inferred (batch, posn, n_heads·d_head) shape.
    const out = a.ir.ops.find((op) => op.function === 'Attention.forward' && op.name === '@')!;
    assert.deepEqual(out.inputs[0].shape!.map((d) => d.evaluate(a.bindings)), [1, P, H * DH]);
  });

  it('the unembed einsum is 79,047,426,048 FLOPs', () => {
    const a = analyseFixture(FIXTURE);
    assert.equal(fn(a, 'Unembed.forward').figures.flops, 79_047_426_048);
  });
});
