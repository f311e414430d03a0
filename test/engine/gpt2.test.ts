/**
 * GPT-2 124M in nanoGPT's style against the reference figures of docs/cost-model.md: the forward's total
 * and each per-layer part, exact. The fixture takes its sizes from the GPTConfig defaults (through
 * the constructor) and `# tensorcost: dims b=1 t=1024`.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyseFixture, fn, opFlops, ready$ } from './helpers';

const FIXTURE = 'gpt2_nanogpt_style.py';

describe('GPT-2 124M, nanoGPT style (docs/cost-model.md)', () => {
  before(ready$);

  it('GPT.forward totals 291,648,307,200 matmul FLOPs per sequence', () => {
    const a = analyseFixture(FIXTURE);
    const f = fn(a, 'GPT.forward');
    assert.equal(f.figures.flops, 291_648_307_200);
    assert.deepEqual(f.figures.unbound, []);
    // `targets` may or may not be passed: the loss branch is counted and the total flagged.
    assert.equal(f.summary.upperBound, true);
  });

  it('lm_head is 79,047,426,048 FLOPs; the blocks repeat n_layer times', () => {
    const a = analyseFixture(FIXTURE);
    assert.equal(opFlops(a, 'GPT.forward', (op) => op.name === 'self.lm_head'), 79_047_426_048);
    // The block loop over the ModuleList runs n_layer times: with n_layer = 6 the formula gives
    // 6 blocks of 17,716,740,096 FLOPs plus lm_head, 6 · 17,716,740,096 + 79,047,426,048 = 185,347,866,624.
    const formula = fn(a, 'GPT.forward').summary.flops;
    assert.equal(formula.evaluate(new Map([...a.bindings, ['n_layer', 6]])), 185_347_866_624);
    assert.equal(formula.evaluate(new Map([...a.bindings, ['n_layer', 0]])), 79_047_426_048);
  });

  it('attention parts per layer: kqv, scores, reduce, proj', () => {
    // Standalone, the block input is `B, T, C = x.size()`: bind them as settings do.
    const a = analyseFixture(FIXTURE, { dims: { B: 1, T: 1024, C: 768 } });
    const name = 'CausalSelfAttention.forward';
    assert.equal(opFlops(a, name, (op) => op.name === 'self.c_attn'), 3_623_878_656);
    const gemms = a.ir.ops.map((op, i) => ({ op, f: a.figures[i] })).filter(({ op }) => op.function === name && op.name === '@');
    assert.deepEqual(gemms.map(({ f }) => f.flops), [1_610_612_736, 1_610_612_736]);
    assert.equal(opFlops(a, name, (op) => op.name === 'self.c_proj'), 1_207_959_552);
    assert.equal(fn(a, name).figures.flops, 3_623_878_656 + 2 * 1_610_612_736 + 1_207_959_552);
    // C // self.n_head is n_embd // n_head = 64 once bound: the scores are (1, 12, 1024, 1024).
    const scores = gemms[0].op.output.shape!.map((d) => d.evaluate(a.bindings));
    assert.deepEqual(scores, [1, 12, 1024, 1024]);
  });

  it('MLP is 2 × 4,831,838,208 per layer', () => {
    const a = analyseFixture(FIXTURE, { dims: { B: 1, T: 1024, C: 768 } });
    const f = fn(a, 'Block.forward');
    assert.equal(f.figures.flops, 3_623_878_656 + 2 * 1_610_612_736 + 1_207_959_552 + 2 * 4_831_838_208);
  });

  it('stays symbolic without the sequence length: the formula names t', () => {
    const text = require('node:fs').readFileSync(require('node:path').join(require('./helpers').FIXTURES, FIXTURE), 'utf8').replace('# tensorcost: dims b=1 t=1024', '');
    const a = require('./helpers').analyse(text);
    const f = fn(a, 'GPT.forward');
    assert.equal(f.figures.flops, null);
    assert.deepEqual(f.figures.unbound, ['b', 't']);
    assert.match(f.summary.flops.toString(), /\bt\b/);
  });
});
