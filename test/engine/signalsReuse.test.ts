/**
 * The rule signals after a keystroke (frontends/python/signals.ts): statements whose text is the
 * last run's at the same index take what that run found, including which of the file's functions
 * compute a softmax by hand (a call of one elsewhere is a softmax). After every edit, the signals
 * and findings equal a fresh analysis's.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { replaceAfter } from './helpers';

const file = (text: string) => ({ path: 'attn.py', text, languageId: 'python' as const });

const base = `import torch


def attend(q, k, v):
    # tensorcost: shape q=(B, T, 64) k=(B, T, 64) v=(B, T, 64)
    att = my_softmax(q @ k.transpose(-2, -1))
    return att @ v


def scale():
    return 1.0


def my_softmax(x):
    e = torch.exp(x - x.max(dim=-1, keepdim=True).values)
    return e / e.sum(dim=-1, keepdim=True)
`;

const json = (a: ReturnType<typeof analyzeSource>) => JSON.stringify({ signals: a.ir.signals, findings: a.findings.map((f) => JSON.stringify(f)).sort() });

describe('signals taken by position after a keystroke', () => {
  before(initEngine);

  it('equal a fresh analysis when a softmax function is written, unwritten and written again', () => {
    const edits: [string, (t: string) => string][] = [
      ['a constant typed over elsewhere', (t) => replaceAfter(t, 'def scale', '1.0', '2.0')],
      ['the softmax function loses its exp', (t) => replaceAfter(t, 'def my_softmax', 'torch.exp(', 'torch.abs(')],
      ['typed over elsewhere again', (t) => replaceAfter(t, 'def scale', '2.0', '3.0')],
      ['its exp back', (t) => replaceAfter(t, 'def my_softmax', 'torch.abs(', 'torch.exp(')],
      ['and typed over once more', (t) => replaceAfter(t, 'def scale', '3.0', '4.0')],
    ];
    let state: PythonState | undefined = analyzeSource(file(base), DEFAULT_SETTINGS, { keep: true }).state;
    let text = base;
    const seen = new Set<string>();
    for (const [what, edit] of edits) {
      text = edit(text);
      const incremental = analyzeSource(file(text), DEFAULT_SETTINGS, { reuse: state });
      state = incremental.state;
      const fresh = json(analyzeSource(file(text), DEFAULT_SETTINGS));
      assert.equal(json(incremental), fresh, `after: ${what}`);
      seen.add(JSON.stringify(incremental.ir.signals.manualAttention ?? []));
    }
    assert.equal(seen.size, 2, 'the hand-written softmax makes the attention signal, and its loss takes it away');
    disposePythonState(state!);
  });
});
