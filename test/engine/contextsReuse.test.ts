/**
 * `withContexts` after a keystroke takes what its last call made for the segments of ops and the
 * functions an edit did not touch by position (server/engine/contexts.ts). Whatever the edit, the
 * completed analysis must equal the one a fresh analysis and a fresh program give: edits that keep
 * the contexts, edits in a caller that change the contexts of a function whose own statement is
 * untouched, edits that change a model's shapes, bindings that change, a line inserted. The
 * file's entry points too: a builder whose group a keystroke does not run again is still no entry
 * point (statementCache.ts `modelBuildersOf`).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { waitingOps, withContexts } from '../../server/engine/contexts';
import { fileJson } from '../../server/engine/report';
import { DEFAULT_SETTINGS, Settings } from '../../server/core/settings';
import { WorkspaceProgram } from '../../server/lsp/program';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { generateModelHeavy } from '../../bench/generate';
import { replaceAfter } from './helpers';

const file = '/tmp/tensorcost-contexts-reuse/models.py';

const program = () => {
  const p = new WorkspaceProgram([], { get: () => undefined, all: () => [] } as unknown as TextDocuments<TextDocument>, async () => DEFAULT_SETTINGS, () => undefined);
  p.opened(`file://${file}`);
  return p;
};

const sorted = <T>(xs: readonly T[]) => xs.map((x) => JSON.stringify(x)).sort();

/**
 * Everything the editor and the report read of a completed analysis. Findings are compared as
 * sets: after a keystroke those of the re-analysed statements come in another order than a fresh
 * analysis's (so on the session's base too), which no client reads.
 */
const json = (a: Analysis) => {
  const { diagnostics, ...report } = fileJson(a);
  return JSON.stringify({ entries: a.ir.entries, report, diagnostics: sorted(diagnostics), findings: sorted(a.findings), opContexts: a.opContexts, opAssumed: a.opAssumed });
};

/**
 * A helper whose ops take their shapes from the calls another statement makes, an assert that
 * states a default for a dim, and a batch dim nothing binds, ahead of GPT-style models.
 */
const head = `import torch
import torch.nn.functional as F


def project(x, w):
    return x @ w


def attend(q, k):
    t = q.shape[1]
    assert t <= 512
    return F.softmax(q @ k.transpose(-2, -1), dim=-1)


def main():
    x = torch.randn(8, 64)
    w = torch.randn(64, 32)
    y = project(x, w)
    q = torch.randn(4, 128, 64)
    return attend(q, q)


def unbound(z):
    # tensorcost: shape z=(B, 16)
    return z @ torch.randn(16, 16)


def lonely(q):
    # tensorcost: shape q=(B, L, 8)
    assert q.shape[1] <= 256
    return q @ q.transpose(-2, -1)


def other(r):
    # tensorcost: shape r=(B, L, 8)
    return r @ r.transpose(-2, -1)


def waits(z):
    # tensorcost: shape z=(N, 16)
    return z @ torch.randn(16, 16)


`;

type Edit = [string, (t: string) => string, Settings?];

/**
 * Every edit in turn, each analysed reusing the last state and completed with the program, checked
 * against a fresh analysis completed with a fresh program; returns how many edits changed the
 * program's contexts, how many ops waited for a dim (`waitingOps`, checked against the figures)
 * and whose figures the total was after each edit.
 */
function check(base: string, edits: Edit[], atStart: (a: Analysis) => void = () => undefined): { versions: number; waiting: number[]; totals: string[] } {
  // Fresh results first: a fresh program's withContexts would be the "last call" of the next.
  const texts: string[] = [];
  const expected: string[] = [];
  for (let t = base, k = 0; k < edits.length; k++) {
    texts.push((t = edits[k][1](t)));
    const settings = edits[k][2] ?? DEFAULT_SETTINGS;
    const p = program();
    const fresh = analyzeSource({ path: file, text: t, languageId: 'python' }, settings, { program: p.program });
    p.record(file, fresh.ir);
    expected.push(json(withContexts(fresh, p.contexts())));
  }
  const p = program();
  let a = analyzeSource({ path: file, text: base, languageId: 'python' }, DEFAULT_SETTINGS, { program: p.program, keep: true, deferRules: true });
  let state: PythonState | undefined = a.state;
  p.record(file, a.ir);
  atStart(withContexts(a, p.contexts()));
  let versions = 0;
  const waiting: number[] = [];
  for (let k = 0; k < edits.length; k++) {
    const settings = edits[k][2] ?? DEFAULT_SETTINGS;
    const version = p.version;
    a = analyzeSource({ path: file, text: texts[k], languageId: 'python' }, settings, { program: p.program, reuse: state, deferRules: true });
    state = a.state;
    p.record(file, a.ir);
    if (p.version !== version) versions++;
    const completed = withContexts(a, p.contexts());
    assert.equal(json(completed), expected[k], `after: ${edits[k][0]}`);
    waiting.push(waitingOps(completed)!);
    assert.equal(waiting.at(-1), completed.figures.filter((f) => f.unbound.length > 0).length, `ops waiting for a dim after: ${edits[k][0]}`);
  }
  disposePythonState(state!);
  return { versions, waiting, totals: expected.map((e) => JSON.parse(e).report.totals.of) };
}

/** The scale's constant of the attention in the middle of the file typed over. */
const typed = (c: string) => (t: string) => {
  const at = t.indexOf('(1.0 / math.sqrt', t.length / 2) + 1;
  return t.slice(0, at) + c + t.slice(at + 1);
};

describe('withContexts reusing its last call by position', () => {
  before(initEngine);

  it('equals a fresh analysis completed with a fresh program after every edit', () => {
    const { versions, waiting } = check(
      head + generateModelHeavy(400),
      [
        ['a constant typed over in a forward (the contexts stay)', typed('2')],
        ['and again', typed('3')],
        ["main's width: project()'s op, its statement untouched, gets other contexts", (t) => replaceAfter(t, 'def main', 'torch.randn(8, 64)', 'torch.randn(8, 96)')],
        ["main's other width, to match", (t) => replaceAfter(t, 'def main', 'torch.randn(64, 32)', 'torch.randn(96, 32)')],
        ["attend()'s context: a longer sequence", (t) => replaceAfter(t, 'def main', 'torch.randn(4, 128, 64)', 'torch.randn(4, 256, 64)')],
        ['the asserted bound changes the stated default', (t) => replaceAfter(t, 'def attend', 't <= 512', 't <= 384')],
        ['a bound no context records: the defaults of other() change, its statement untouched', (t) => replaceAfter(t, 'def lonely', '<= 256', '<= 200')],
        ["a model's width: its contexts change", (t) => replaceAfter(t, 'class GPTConfig', 'n_embd: int = 768', 'n_embd: int = 512')],
        ['the batch dim bound by the settings', (t) => t, { ...DEFAULT_SETTINGS, dims: { B: 4 } }],
        ['N bound too: no op waits', (t) => t, { ...DEFAULT_SETTINGS, dims: { B: 4, N: 3 } }],
        ['and unbound again', (t) => t],
        ['a line inserted above the models', (t) => replaceAfter(t, 'def unbound', 'return z @', 'w2 = 1\n    return z @')],
        ['a constant typed over after it', typed('4')],
      ],
      (first) => {
        assert.ok(first.opContexts?.some((c) => c !== undefined), 'some ops take their figures from a context');
        assert.ok(first.opAssumed?.some((c) => c !== undefined), 'some ops take a stated default');
      },
    );
    assert.ok(versions >= 3, 'some edits changed the contexts');
    assert.ok(new Set(waiting).size >= 3, `the ops waiting for a dim change with the edits and bindings: ${waiting}`);
  });

  it('chooses the same most expensive function for the total as a fresh analysis', () => {
    const layers = (model: number, n: number) => (t: string) => replaceAfter(t, `class GPTConfig${model}`, /n_layer: int = \d+/.exec(t.slice(t.indexOf(`class GPTConfig${model}`)))![0], `n_layer: int = ${n}`);
    const { totals } = check(
      generateModelHeavy(400),
      [
        ['a constant typed over', typed('2')],
        ['the third model deeper: the largest', layers(2, 24)],
        ['the first model deeper still', layers(0, 36)],
        ['a constant typed over in the third', typed('3')],
        ['the first model back', layers(0, 12)],
      ],
    );
    assert.deepEqual(totals, ['train0', 'train2', 'train0', 'train0', 'train2'], 'the largest model decides');
  });
});
