/**
 * LLaMA (reference style) against its closed formula: grouped-query attention (n_kv_heads <
 * n_heads, so wk/wv are narrower), SwiGLU with the hidden size rounded up to `multiple_of`, layers
 * appended in a loop, the prompt pass at start_pos 0.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyseFixture, fn, ready$ } from './helpers';

describe('LLaMA reference style', () => {
  before(ready$);

  it('Transformer.forward matches 2·N·params-per-token plus attention', () => {
    const [dim, layers, heads, kvHeads, vocab, multipleOf, N, S] = [512, 2, 8, 4, 1000, 256, 128, 128];
    const hd = dim / heads;
    let hidden = Math.trunc((2 * 4 * dim) / 3);
    hidden = multipleOf * Math.floor((hidden + multipleOf - 1) / multipleOf);
    assert.equal(hidden, 1536);
    const proj = 2 * N * dim * (heads * hd) * 2 + 2 * N * dim * (kvHeads * hd) * 2;
    const attention = 2 * (2 * heads * S * S * hd);
    const ffn = 3 * 2 * N * dim * hidden;
    const expected = layers * (proj + attention + ffn) + 2 * N * dim * vocab;
    const a = analyseFixture('llama_reference_style.py');
    assert.equal(fn(a, 'Transformer.forward').figures.flops, expected);
  });
});
