/**
 * Keywords read at run time (docs/whole-program.md, "Incomplete, never silent"): a config built
 * from a checkpoint's `**checkpoint["model_args"]` used to take the dataclass's defaults, so
 * nanoGPT's `sample.py` showed a confident 967 TFLOP for whatever model the checkpoint held. The
 * fields such a mapping may set are unknown and the totals say why; keywords the code does pass
 * (through a factory's `**kwargs`) still reach the config.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { analyseFolder } from './helpers';
import { CLI } from '../helpers/lspClient';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'checkpoint');

describe('keywords read at run time', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await initEngine();
    out = analyseFolder(DIR);
  });

  it('leaves a config built from a checkpoint unknown, and the total says where it came from', () => {
    const totals = fileJson(out.get('sample.py')!).totals;
    assert.equal(totals.flops, null, 'the dataclass defaults (dim 64, vocab 100) would give 819,200 FLOPs');
    assert.equal(totals.incomplete, true);
    const why = totals.reasons?.map((r) => r.message).join('\n') ?? '';
    assert.match(why, /`Args\(\*\*ck\["model_args"\]\)`: the keywords of `\*\*ck\["model_args"\]` are not known before run time/);
    assert.equal(totals.reasons?.[0].range.start.line, 5);
  });

  it('does not take a default for a key a spread dict may hold', () => {
    const totals = fileJson(out.get('resume.py')!).totals;
    assert.equal(totals.flops, null, 'vocab is the checkpoint’s, not the default 100');
    assert.equal(totals.incomplete, true);
  });

  it('passes keywords through a factory’s **kwargs to the config', () => {
    const main = out.get('train.py')!.functions.find((f) => f.summary.name === 'main');
    // The output projection: 2 · (4·16 rows) · 32 · 100; the embedding is a lookup (0 FLOPs).
    assert.equal(main?.figures.flops, 2 * 4 * 16 * 32 * 100);
  });

  it('says in the CLI’s text output why the script’s cost is incomplete', () => {
    const run = spawnSync(process.execPath, [CLI, 'check', DIR], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    // The config's int fields are dims to bind (openFields), named before the reason.
    assert.match(run.stdout, /sample\.py: the cost of its top-level code waits for dims dim, vocab and is incomplete: `Args\(\*\*ck\["model_args"\]\)`: the keywords of `\*\*ck\["model_args"\]` are not known before run time, so what they may set is unknown, not its default \([^)]*sample\.py:6\)\./);
  });
});
