/**
 * A model whose config a script reads from a checkpoint (nanoGPT's sample.py:
 * `GPTConfig(**checkpoint['model_args'])`), beside a run of the model at sizes the code fixes.
 * Met on unmodified nanoGPT, where sample.py's total waited for `B, T, hs, nh` (names of shape
 * comments, after `split(n_embd)` of `3*n_embd` lost q, k and v), and where binding the config
 * did not give a number.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis } from '../../server/engine/analyze';
import { Poly } from '../../server/core/symbolic';
import { formatText } from '../../server/cli/format/text';
import { analyseFolder, fn, ready$ } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'checkpoint-config');
const at = (p: Poly, dims: Record<string, number>) => p.evaluate(new Map(Object.entries(dims)));

/** One `Net.forward` on (b, t) tokens: c_attn 6·b·t·n², q·kᵀ 2·b·t²·n, head 2·b·t·n·V. */
const forward = (b: number, t: number, n: number, v: number) => 6 * b * t * n * n + 2 * b * t * t * n + 2 * b * t * n * v;

describe('a config read from a checkpoint', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await ready$();
    out = analyseFolder(DIR);
  });

  it('gives the run the config’s int fields as dims to bind, and says why', () => {
    const sample = out.get('sample.py')!;
    const m = sample.ir.moduleSummary!;
    assert.deepEqual([...m.flops.freeSymbols()].sort(), ['n_embd', 'n_head', 'vocab_size']);
    // Twenty forwards at t = 1..20 and one head on 8 tokens, at the sizes the user binds, and the
    // model of fixed sizes run after them.
    let want = 2 * 8 * 64 * 50 + forward(2, 16, 64, 50);
    for (let t = 1; t <= 20; t++) want += forward(1, t, 64, 50);
    assert.equal(at(m.flops, { n_embd: 64, n_head: 8, vocab_size: 50 }), want);
    assert.ok(m.reasons?.some((r) => r.message.startsWith('`NetConfig(**checkpoint["model_args"])`')), JSON.stringify(m.reasons));
    // The text names the dims to bind before the reasons that qualify the number they give.
    assert.match(formatText([sample], (p) => path.basename(p)), /sample\.py: the cost of its top-level code waits for dims n_embd, n_head, vocab_size and is incomplete: `NetConfig/);
  });

  it('takes a function’s figures from the run that fixes every size, not from defaults of the class', () => {
    // The twenty runs of the config read from the checkpoint come first and fill the contexts kept;
    // their figures would be the largest with the class defaults (n_embd 256), which are not
    // their config.
    const f = fn(out.get('model.py')!, 'Net.forward');
    assert.equal(f.figures.flops, forward(2, 16, 64, 50));
    assert.equal(f.context!.line, 13);
    assert.equal(f.assumed, undefined);
  });

  it('states the class defaults a function takes when only such a run calls it', () => {
    const f = fn(out.get('model.py')!, 'Net.sample');
    assert.equal(f.figures.flops, 2 * 8 * 256 * 1000);
    assert.equal(path.basename(f.context!.path), 'sample.py');
    assert.deepEqual(f.assumed, {
      n_embd: { value: 256, from: 'NetConfig default' },
      vocab_size: { value: 1000, from: 'NetConfig default' },
    });
  });
});

describe('functions a class body assigns (whisper’s `transcribe = transcribe_function`)', () => {
  it('are methods: read through an instance, the instance is their first argument', async () => {
    await ready$();
    const out = analyseFolder(path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'class-body-methods'));
    const main = fn(out.get('model.py')!, 'main');
    // transcribe: proj, then decode: proj again; 2·8·64·64 each.
    assert.equal(main.figures.flops, 2 * (2 * 8 * 64 * 64));
    assert.ok(!main.incomplete, JSON.stringify(main.reasons));
  });
});
