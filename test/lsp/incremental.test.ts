/**
 * Incremental re-analysis: after a series of incremental edits (tree-sitter reuses the previous
 * tree), the server's answers equal those of a fresh analysis of the final text.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, TestServer } from '../helpers/lspClient';
import { MODEL, MODEL_URI, positionIn } from './fixture';

const FRESH_URI = MODEL_URI.replace('model.py', 'fresh.py');
const CAPS = { textDocument: { diagnostic: {}, hover: { contentFormat: ['markdown'] } }, workspace: { configuration: true } };

type Change = { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };

/** Edits that change shapes, add and remove ops and lines, and break then repair the syntax. */
function edits(doc: TextDocument): Change[][] {
  const steps: ((t: string) => Change[])[] = [
    // A shape error: C C -> C D in helper's weight, then a directive binding D.
    (t) => [{ range: rangeOf(t, '"C C"]):\n    out', 1, 3), text: 'C D' }],
    (t) => [{ range: rangeOf(t, '# tensorcost: dims B=8 T=1024 C=768', 35, 0), text: ' D=512' }],
    // Unbalanced bracket (syntax error), then repaired, across two steps.
    (t) => [{ range: rangeOf(t, 'torch.matmul(h, w)', 13, 0), text: '(' }],
    (t) => [{ range: rangeOf(t, 'torch.matmul((h, w)', 13, 1), text: '' }],
    // A new function with a new op, inserted as several lines in one change.
    (t) => [{ range: rangeOf(t, 'def thin', 0, 0), text: 'def extra(p: Float[Tensor, "T C"], q: Float[Tensor, "C T"]):\n    s = p @ q\n    return s\n\n\n' }],
    // Two changes in one notification, the second relative to the first's result.
    (t) => {
      const first: Change = { range: rangeOf(t, 'h = x @ w', 0, 1), text: 'hidden' };
      const after = t.replace('h = x @ w', 'hidden = x @ w');
      return [first, { range: rangeOf(after, 'torch.matmul(h, w)', 13, 1), text: 'hidden' }];
    },
    // Delete a whole function.
    (t) => {
      const s = positionIn(t, 'def thin');
      return [{ range: { start: s, end: { line: s.line + 2, character: 0 } }, text: '' }];
    },
  ];
  const all: Change[][] = [];
  for (const step of steps) {
    const changes = step(doc.getText());
    TextDocument.update(doc, changes, doc.version + 1);
    all.push(changes);
  }
  return all;
}

function rangeOf(text: string, needle: string, offset: number, length: number): Change['range'] {
  const p = positionIn(text, needle, offset);
  return { start: p, end: { line: p.line, character: p.character + length } };
}

describe('incremental re-analysis', () => {
  let s: TestServer;
  let final = '';
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({})));
  });
  after(() => s.stop());

  it('gives after each edit the same report and diagnostics as a fresh analysis of the same text', async () => {
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
    const shadow = TextDocument.create(MODEL_URI, 'python', 1, MODEL);
    const steps = edits(TextDocument.create(MODEL_URI, 'python', 1, MODEL));
    let version = 1;
    for (const changes of steps) {
      // Ask for the analysis before each edit so that the next parse reuses an edited tree.
      await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: MODEL_URI } });
      version++;
      await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: MODEL_URI, version }, contentChanges: changes });
      TextDocument.update(shadow, changes, version);
      const fresh = `${FRESH_URI}?v=${version}`;
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: fresh, languageId: 'python', version: 1, text: shadow.getText() } });
      const [inc, ref]: any[] = await Promise.all([MODEL_URI, fresh].map((uri) => s.conn.sendRequest('tensorcost/fileReport', { uri })));
      const [dInc, dRef]: any[] = await Promise.all([MODEL_URI, fresh].map((uri) => s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } })));
      assert.equal(inc.version, version);
      assert.deepEqual(inc.ops, ref.ops, `ops differ after edit ${version - 1}`);
      assert.deepEqual(inc.totals, ref.totals);
      // Related locations name their document: the fresh copy's URI is the only difference allowed.
      const asModel = (items: unknown) => JSON.parse(JSON.stringify(items).split(JSON.stringify(fresh).slice(1, -1)).join(MODEL_URI));
      assert.deepEqual(dInc.items, asModel(dRef.items), `diagnostics differ after edit ${version - 1}`);
      await s.conn.sendNotification('textDocument/didClose', { textDocument: { uri: fresh } });
    }
    final = shadow.getText();
    // The edits did what they meant to: the new op is there, the deleted function is gone.
    const report: any = await s.conn.sendRequest('tensorcost/fileReport', { uri: MODEL_URI });
    assert.ok(report.ops.some((o: any) => o.function === 'extra'));
    assert.ok(!report.ops.some((o: any) => o.function === 'thin'));
    assert.ok(report.ops.some((o: any) => o.function === 'helper' && o.gemm?.n === 512), JSON.stringify(report.ops));
    assert.match(final, /hidden = x @ w/);
  });

  it('answers a request for a version that was superseded while waiting with the newest analysis', async () => {
    // Two edits sent back to back, then a report: the report must describe the last text.
    const v = 100;
    const p = positionIn(final, 'def extra');
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: MODEL_URI, version: v }, contentChanges: [{ range: { start: p, end: p }, text: 'def tiny(r: Float[Tensor, "4 4"]):\n    z = r @ r\n    return z\n\n\n' }] });
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: MODEL_URI, version: v + 1 }, contentChanges: [{ range: { start: { line: p.line, character: 27 }, end: { line: p.line, character: 30 } }, text: '8 8' }] });
    const report: any = await s.conn.sendRequest('tensorcost/fileReport', { uri: MODEL_URI });
    assert.equal(report.version, v + 1);
    const tiny = report.ops.find((o: any) => o.function === 'tiny');
    assert.equal(tiny.name, '@');
    assert.equal(tiny.flops, 2 * 8 * 8 * 8);
  });
});
