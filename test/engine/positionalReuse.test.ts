/**
 * Entries taken by position after a keystroke that moved no line (statementCache.ts `positional`):
 * only the statements whose key may have changed are keyed afresh — the edited one, those that
 * reach it through the names they mention (directly or through a class without methods), and
 * those whose builder group changed — and the result equals a fresh analysis.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generateModelHeavy } from '../../bench/generate';
import { replaceAfter } from './helpers';

const file = (text: string) => ({ path: 'models.py', text, languageId: 'python' as const });

const json = (a: ReturnType<typeof analyzeSource>) => JSON.stringify(fileJson(a));

/** Every edit in turn, each analysed reusing the last state, and checked against a fresh analysis. */
function check(base: string, edits: [string, (t: string) => string][], changes: (what: string, before: string, after: string) => void = () => undefined): void {
  let state: PythonState | undefined = analyzeSource(file(base), DEFAULT_SETTINGS, { keep: true }).state;
  let text = base;
  let last = json(analyzeSource(file(base), DEFAULT_SETTINGS));
  for (const [what, edit] of edits) {
    const next = edit(text);
    assert.equal(next.split('\n').length, text.split('\n').length, `${what}: no line moves`);
    text = next;
    const incremental = analyzeSource(file(text), DEFAULT_SETTINGS, { reuse: state });
    state = incremental.state;
    const fresh = json(analyzeSource(file(text), DEFAULT_SETTINGS));
    assert.equal(json(incremental), fresh, `after: ${what}`);
    changes(what, last, fresh);
    last = fresh;
  }
  disposePythonState(state!);
}

describe('entries taken by position after an edit within a line', () => {
  before(() => initEngine());

  it('keys afresh what reaches the edited model, and equals a fresh analysis', () => {
    // Edits that change what other statements of the same model compute (Block1 calls the
    // attention, GPT1 the blocks, train1 the model), typed back and forth.
    const widths: [string, (t: string) => string][] = [
      ['the attention projection of model 1 narrowed', (t) => replaceAfter(t, 'class CausalSelfAttention1', 'nn.Linear(config.n_embd, 3 * config.n_embd', 'nn.Linear(config.n_embd, 2 * config.n_embd')],
      ['a constant in the attention of model 1', (t) => replaceAfter(t, 'class CausalSelfAttention1', '(1.0 / math', '(2.0 / math')],
      ['the projection back', (t) => replaceAfter(t, 'class CausalSelfAttention1', 'nn.Linear(config.n_embd, 2 * config.n_embd', 'nn.Linear(config.n_embd, 3 * config.n_embd')],
      ['the MLP of model 2 widened', (t) => replaceAfter(t, 'class MLP2', '4 * config.n_embd, bias', '8 * config.n_embd, bias')],
      ['a config default of model 0', (t) => replaceAfter(t, 'class GPTConfig0', 'n_layer: int = 12', 'n_layer: int = 24')],
      // MLP1 reaches neither train1 nor the attention: only the builder group says it is stale.
      ["the builder's construction of model 1", (t) => replaceAfter(t, 'def train1', 'config = GPTConfig1()', 'config = GPTConfig1(n_embd=256)')],
      ['the constant typed again', (t) => replaceAfter(t, 'class CausalSelfAttention1', '(2.0 / math', '(3.0 / math')],
    ];
    const changed: string[] = [];
    check(generateModelHeavy(300), widths, (what, a, b) => {
      if (a !== b) changed.push(what);
    });
    // The edits that change shapes change the report: a stale statement would show here.
    assert.ok(changed.includes('the attention projection of model 1 narrowed'));
    assert.ok(changed.includes('the MLP of model 2 widened'));
    assert.ok(changed.includes('a config default of model 0'));
    assert.ok(changed.includes("the builder's construction of model 1"));
  });

  it('follows a dependency through a class without methods', () => {
    // Functions between them, so that the edit re-parses the width's statement alone.
    const filler = (name: string) => [`def ${name}():`, '    b = torch.randn(2, 2)', '    return b @ b', ''];
    const base = [
      'import torch',
      '',
      'def width():',
      '    return 64',
      '',
      ...filler('f1'),
      ...filler('f2'),
      'class Sizes:',
      '    n = width()',
      '',
      ...filler('f3'),
      ...filler('f4'),
      'def run():',
      '    x = torch.randn(8, Sizes.n)',
      '    w = torch.randn(Sizes.n, Sizes.n)',
      '    return x @ w',
      '',
      'def other():',
      '    a = torch.randn(4, 4)',
      '    return a @ a',
      '',
    ].join('\n');
    const edits: [string, (t: string) => string][] = [
      ['the width returned', (t) => t.replace('return 64', 'return 32')],
      ['an unrelated function', (t) => t.replace('randn(4, 4)', 'randn(4, 5)')],
      ['the width again', (t) => t.replace('return 32', 'return 16')],
    ];
    const changed: string[] = [];
    check(base, edits, (what, a, b) => {
      if (a !== b) changed.push(what);
    });
    assert.ok(changed.length > 0);
  });
});
