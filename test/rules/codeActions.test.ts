/** Quick fixes: noqa appended or merged, and the rules' rewrites applied to the fixtures' text. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { Diagnostic } from 'vscode-languageserver';
import { toDiagnostic } from '../../server/lsp/features/diagnostics';
import { codeActionsFor, noqaEdit } from '../../server/lsp/features/codeActions';
import { analyseFixture, analyseText, applyEdits, codes, FIXTURES } from './helpers';

describe('noqa quick fix', () => {
  it('appends to a line, merges with a noqa list, leaves a bare noqa alone', () => {
    assert.equal(applyEdits('y = x @ w   ', [noqaEdit('y = x @ w   ', 0, 'TC101')!]), 'y = x @ w  # noqa: TC101');
    assert.equal(applyEdits('y = x @ w  # noqa: E501', [noqaEdit('y = x @ w  # noqa: E501', 0, 'TC101')!]), 'y = x @ w  # noqa: E501, TC101');
    assert.equal(noqaEdit('y = x @ w  # noqa', 0, 'TC101'), null);
    assert.equal(noqaEdit('y = x @ w  # noqa: TC101', 0, 'TC101'), null);
  });

  it('the suppressed line really is silent afterwards', async () => {
    const file = path.join(FIXTURES, 'tc101_low_intensity.py');
    const text = fs.readFileSync(file, 'utf8');
    const a = await analyseFixture('tc101_low_intensity.py');
    const d = toDiagnostic(a.findings[0], 'file:///x.py');
    const lines = text.split('\n');
    const actions = codeActionsFor('file:///x.py', [d], (l) => lines[l] + '\n');
    const noqa = actions.find((x) => x.title.startsWith('Suppress TC101'))!;
    const fixed = applyEdits(text, noqa.edit!.changes!['file:///x.py']);
    assert.deepEqual(codes(await analyseText(fixed)), []);
  });
});

async function fixed(fixture: string, code: string): Promise<{ text: string; after: string; d: Diagnostic }> {
  const text = fs.readFileSync(path.join(FIXTURES, fixture), 'utf8');
  const a = await analyseFixture(fixture);
  const f = a.findings.find((x) => x.code === code)!;
  assert.ok(f, `${code} on ${fixture}`);
  const d = toDiagnostic(f, 'file:///x.py');
  const lines = text.split('\n');
  const action = codeActionsFor('file:///x.py', [d], (l) => lines[l] + '\n').find((x) => x.isPreferred)!;
  assert.ok(action, `a preferred fix for ${code}`);
  return { text, after: applyEdits(text, action.edit!.changes!['file:///x.py']), d };
}

describe('rewrites', () => {
  it('TC202 → one F.scaled_dot_product_attention call, and TC202 is gone', async () => {
    const { after } = await fixed('tc202_manual_attention.py', 'TC202');
    assert.match(after, /\n        y = F\.scaled_dot_product_attention\(q, k, v, dropout_p=self\.attn_dropout\.p if self\.training else 0\.0, is_causal=True\)\n        return y\n/);
    assert.doesNotMatch(after, /softmax/);
    assert.ok(!codes(await analyseText(after)).includes('TC202'));
  });

  it('TC301 → a GradScaler before the loop, scaled backward, scaler.step and update', async () => {
    const { after } = await fixed('tc301_fp16_training.py', 'TC301');
    assert.match(after, /\n    scaler = torch\.amp\.GradScaler\("cuda"\)\n    for x, y in loader:\n/);
    assert.match(after, /\n        scaler\.scale\(loss\)\.backward\(\)\n        scaler\.step\(optimizer\)\n        scaler\.update\(\)\n/);
    assert.ok(!codes(await analyseText(after)).includes('TC301'));
  });

  it('TC103 → the loop becomes one torch.bmm', async () => {
    const { after } = await fixed('tc103_torch_loop.py', 'TC103');
    assert.match(after, /\n    out = torch\.bmm\(a, b\)\n    return out\n/);
    assert.ok(!codes(await analyseText(after)).includes('TC103'));
  });
});
