/**
 * Totals that wait only for sizes the analysis could not read (made-up dims, shown `?`): a
 * vocabulary counted from the data, a dataset's length. Nobody can bind them by name, so a total
 * without a number said nothing (minGPT's chargpt, makemore). The report now gives the FLOPs the
 * analysis could read as a floor, and the text says what the rest depends on.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis } from '../../server/engine/analyze';
import { fileJson, totalAtLeast } from '../../server/engine/report';
import { formatText } from '../../server/cli/format/text';
import { Poly, isMadeUpDim } from '../../server/core/symbolic';
import { analyseFolder, ready$ } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'at-least');

describe('the FLOPs a total is at least', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await ready$();
    out = analyseFolder(DIR);
  });

  it('gives the terms free of sizes the analysis could not read, and says what the rest depends on', () => {
    const a = out.get('script.py')!;
    const totals = fileJson(a).totals;
    assert.equal(totals.flops, null);
    assert.deepEqual(totals.unbound, ['?']);
    // emb: 2·8·64·64; head: 2·8·64·len(chars), a size only the data gives.
    assert.equal(totals.flopsAtLeast, 2 * 8 * 64 * 64);
    const text = formatText([a], (p) => path.basename(p));
    assert.match(text, /script\.py: in its top-level code, the FLOPs are at least 65\.5 kFLOP; the rest depends on sizes the analysis could not read \(shown as \?\)/);
  });

  it('says which dims the bytes and time wait for when the FLOPs are known', () => {
    const text = formatText([out.get('lookup.py')!], (p) => path.basename(p));
    assert.match(text, /lookup\.py: the bytes and time of its top-level code wait for dims vocab_size; bind them to get numbers\./);
  });

  it('totals a model file with the forward that waits for dims, not a constructor’s elementwise work', () => {
    // Model.__init__ has numbers (1,024 multiplies filling a table) and no FLOPs; it was the
    // file's total, "0 FLOP", as if the model cost nothing (LLaMA's model.py, CLIP's, llama2.c's).
    const totals = fileJson(out.get('model_file.py')!).totals;
    assert.equal(totals.of, 'Model.forward');
    assert.equal(totals.flops, null);
    assert.ok(totals.unbound?.includes('n_layer') && totals.unbound.includes('d'), JSON.stringify(totals.unbound));
  });

  it('totals a file with a function whose cost is missing, not a helper’s elementwise work shown as 0 FLOP', () => {
    // table() has numbers (64 multiplies, no FLOPs); attend's matmul has operands nobody sizes.
    const totals = fileJson(out.get('helpers_file.py')!).totals;
    assert.equal(totals.of, 'attend');
    assert.equal(totals.flops, null);
    assert.equal(totals.incomplete, true);
  });

  it('gives no floor while a named dim waits, or when the costlier of two branches was counted', () => {
    const named = out.get('named.py')!;
    assert.deepEqual(fileJson(named).totals.unbound, ['?', 'width']);
    assert.equal(totalAtLeast(named), null);
    const branch = out.get('branch.py')!;
    assert.equal(branch.ir.moduleSummary?.upperBound, true);
    assert.equal(totalAtLeast(branch), null);
  });
});

describe('Poly.lowerBound', () => {
  const open = isMadeUpDim;
  const q = Poly.sym('_1');
  const n = Poly.sym('n');
  it('drops positive terms in the open dims and evaluates the rest', () => {
    const p = n.mul(8).add(q.mul(n).mul(2)).add(q.floordiv(2));
    assert.equal(p.lowerBound(new Map([['n', 10]]), open), 80);
  });
  it('is null where a dropped term may be negative, or a kept one waits for a dim', () => {
    assert.equal(n.mul(8).sub(q).lowerBound(new Map([['n', 10]]), open), null);
    assert.equal(n.sub(q.floordiv(2)).add(q).lowerBound(new Map([['n', 10]]), open), null);
    assert.equal(n.mul(8).add(q).lowerBound(new Map(), open), null);
  });
});
