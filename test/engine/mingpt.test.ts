/**
 * GPT-2 124M in minGPT's style (CfgNode config, model_type preset, MLP through a lambda) against
 * the reference figures of docs/cost-model.md, by formula (T = 1024, C = 768, L = 12, V = 50257, b = 1):
 *   per layer  kqv 2·T·C·3C + scores 2·T·T·C + reduce 2·T·T·C + proj 2·T·C·C + MLP 2·(2·T·C·4C)
 *            = 24·T·C² + 4·T²·C = 17,716,740,096
 *   forward  = L · 17,716,740,096 + lm_head 2·T·C·V (79,047,426,048) = 291,648,307,200.
 * Biases are not counted (FlopCounterMode); the loss branch is counted, so the total is a bound.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, analyse, analyseFixture, fn, opFlops, ready$ } from './helpers';

const FIXTURE = 'gpt2_mingpt_style.py';
const T = 1024;
const C = 768;
const L = 12;
const V = 50257;
const PER_LAYER = 24 * T * C * C + 4 * T * T * C;

describe('GPT-2 124M, minGPT style (docs/cost-model.md)', () => {
  before(ready$);

  it('GPT.forward totals 291,648,307,200 FLOPs: the CfgNode preset reaches every module', () => {
    const a = analyseFixture(FIXTURE);
    const f = fn(a, 'GPT.forward');
    assert.equal(PER_LAYER, 17_716_740_096);
    assert.equal(f.figures.flops, L * PER_LAYER + 2 * T * C * V);
    assert.equal(f.figures.flops, 291_648_307_200);
    assert.equal(opFlops(a, 'GPT.forward', (op) => op.name === 'self.lm_head'), 79_047_426_048);
  });

  it('Block.forward runs the MLP through the lambda over the ModuleDict', () => {
    const a = analyseFixture(FIXTURE, { dims: { B: 1, T, C } });
    assert.equal(fn(a, 'Block.forward').figures.flops, PER_LAYER);
  });

  it('the attention parts per layer, op by op: kqv, scores, reduce, proj', () => {
    const a = analyseFixture(FIXTURE, { dims: { B: 1, T, C } });
    const gemms = a.ir.ops.flatMap((op, i) =>
      op.function === 'CausalSelfAttention.forward' && (op.kind === 'linear' || op.kind === 'matmul') ? [[op.name, a.figures[i].flops]] : [],
    );
    // kqv 2·T·C·3C = 3,623,878,656; scores and reduce 2·T·T·C = 1,610,612,736; proj 2·T·C·C = 1,207,959,552.
    assert.deepEqual(gemms, [
      ['self.c_attn', 2 * T * C * 3 * C],
      ['@', 2 * T * T * C],
      ['@', 2 * T * T * C],
      ['self.c_proj', 2 * T * C * C],
    ]);
    assert.deepEqual(gemms.map(([, f]) => f), [3_623_878_656, 1_610_612_736, 1_610_612_736, 1_207_959_552]);
  });

  it('another preset changes every figure: gpt-mini (L 6, C 192, 6 heads)', () => {
    const text = fs.readFileSync(path.join(FIXTURES, FIXTURE), 'utf8').replace("config.model_type = 'gpt2'", "config.model_type = 'gpt-mini'");
    const a = analyse(text);
    const c = 192;
    assert.equal(fn(a, 'GPT.forward').figures.flops, 6 * (24 * T * c * c + 4 * T * T * c) + 2 * T * c * V);
  });

  it('generate repeats the forward max_new_tokens times, a dim to bind', () => {
    const a = analyseFixture(FIXTURE);
    const g = fn(a, 'GPT.generate');
    assert.equal(g.figures.flops, null);
    assert.deepEqual(g.figures.unbound, ['max_new_tokens']);
    const bound = analyseFixture(FIXTURE, { dims: { max_new_tokens: 2 } });
    // Each step runs the whole forward on the (cropped) context of t tokens.
    assert.equal(fn(bound, 'GPT.generate').figures.flops, 2 * 291_648_307_200);
  });
});
