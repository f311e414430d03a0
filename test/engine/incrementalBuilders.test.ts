/**
 * A file of several models, each with a builder (a training function constructing it): a
 * keystroke in one model re-analyses that model's definitions and runs its builder only, and the
 * result still equals a fresh analysis, whatever the edit changes (a forward, the shapes built in
 * an `__init__`, a config default, the builder's own arguments, top-level code constructing a model).
 * statementCache.ts groups builders by what they reach (`builderGroups`).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generateModelHeavy } from '../../bench/generate';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DocumentCache } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';
import { replaceAfter } from './helpers';

const file = (text: string) => ({ path: 'models.py', text, languageId: 'python' as const });

describe('incremental analysis of a file of several models with builders', () => {
  before(() => initEngine());

  // Three models of ~110 lines each (config, attention, MLP, block, model, training function).
  const base = generateModelHeavy(300);

  const edits: [string, (t: string) => string][] = [
    ['a constant in the attention forward of model 1', (t) => replaceAfter(t, 'class CausalSelfAttention1', '(1.0 / math', '(2.0 / math')],
    ['the hidden width built in MLP1.__init__ (shapes change)', (t) => replaceAfter(t, 'class MLP1', '4 * config.n_embd, bias', '3 * config.n_embd, bias')],
    ['the second layer to match', (t) => replaceAfter(t, 'class MLP1', 'nn.Linear(4 * config.n_embd', 'nn.Linear(3 * config.n_embd')],
    ['a config default of model 1', (t) => replaceAfter(t, 'class GPTConfig1', 'n_embd: int = 768', 'n_embd: int = 512')],
    ["the builder's construction of model 1", (t) => replaceAfter(t, 'def train1', 'config = GPTConfig1()', 'config = GPTConfig1(n_layer=2, n_embd=256)')],
    ['model 2 constructed by top-level code', (t) => `${t}\nmodel = GPT2(GPTConfig2(n_head=4))\n`],
    ['the top-level construction removed', (t) => t.slice(0, t.lastIndexOf('\nmodel = GPT2'))],
    ['the builder of model 0 renamed (no longer reaches anything else)', (t) => replaceAfter(t, 'def train0', 'train0', 'trainer0')],
  ];

  it('equals a fresh analysis after each edit', () => {
    let state: PythonState | undefined = analyzeSource(file(base), DEFAULT_SETTINGS, { keep: true }).state;
    let text = base;
    for (const [what, edit] of edits) {
      text = edit(text);
      const incremental = analyzeSource(file(text), DEFAULT_SETTINGS, { reuse: state });
      state = incremental.state;
      const fresh = analyzeSource(file(text), DEFAULT_SETTINGS);
      assert.equal(JSON.stringify(fileJson(incremental)), JSON.stringify(fileJson(fresh)), `after: ${what}`);
      assert.ok(fresh.ir.ops.length > 0);
    }
    disposePythonState(state!);
  });

  it('re-analyses only the edited model: the other models keep their segments', () => {
    const first = analyzeSource(file(base), DEFAULT_SETTINGS, { keep: true });
    const before = first.ir.segments!;
    const second = analyzeSource(file(edits[0][1](base)), DEFAULT_SETTINGS, { reuse: first.state });
    const after = second.ir.segments!;
    assert.equal(after.length, before.length);
    // One segment per definition with functions (the training functions' are empty: their ops
    // are their callees'). Model 1's depend on the edited text or on its builder's group.
    const fnOf = (seg: readonly { function: string | null }[]) => seg[0]?.function ?? '';
    let kept = 0;
    let redone = 0;
    after.forEach((seg, i) => {
      if (seg.length === 0) return;
      if (/^(CausalSelfAttention|MLP|Block|GPT)1\./.test(fnOf(seg))) {
        assert.notEqual(seg, before[i], `${fnOf(seg)} was analysed again`);
        redone++;
      } else {
        assert.equal(seg, before[i], `${fnOf(seg)} was not analysed again: the edit was in model 1`);
        kept++;
      }
    });
    assert.equal(kept, 8, 'the four modules of models 0 and 2 reused');
    assert.equal(redone, 4, "model 1's attention, MLP, block and model analysed again");
    disposePythonState(second.state!);
  });

  it('as part of a program (entry points recording contexts), an edit mid-file keeps the later models cached', () => {
    // About 95 models whose training functions are entry points: together they record far more
    // contexts than one statement may, and the statements after the bound used to go uncached.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-builders-'));
    const big = generateModelHeavy(10_000);
    const p = path.join(dir, 'models.py');
    fs.writeFileSync(p, big);
    const program = { files: new DiskProgram([dir]), docs: new DocumentCache(), key: programPath };
    const at = (t: string) => ({ path: p, text: t, languageId: 'python' as const });
    const first = analyzeSource(at(big), DEFAULT_SETTINGS, { keep: true, program });
    assert.ok((first.ir.captured?.ops.length ?? 0) > 20_000, 'more contexts than the old bound per analysis');
    const mid = big.indexOf('(1.0 / math', big.length / 2);
    const second = analyzeSource(at(big.slice(0, mid + 1) + '2' + big.slice(mid + 2)), DEFAULT_SETTINGS, { reuse: first.state, program });
    const before = first.ir.segments!;
    const after = second.ir.segments!;
    const redone = after.filter((seg, i) => seg.length > 0 && seg !== before[i]).map((seg) => seg[0].function);
    assert.equal(redone.length, 4, `only the edited model's attention, MLP, block and model: ${redone.join(', ')}`);
    disposePythonState(second.state!);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
