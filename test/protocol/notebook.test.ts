/**
 * A Jupyter notebook over LSP 3.17 notebook synchronisation, as VS Code's client sends it: the
 * cells are one module (a shape made in one cell is known in the next), diagnostics come per cell
 * URI with positions in the cell, hover / inlay hints / code lenses answer at cell positions, and
 * an edit in one cell re-reports the others.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, TestServer } from '../helpers/lspClient';

const NB = 'file:///nowhere/worked.ipynb';
const cellUri = (k: number) => `vscode-notebook-cell:/nowhere/worked.ipynb#cell${k}`;

const CELLS: { kind: 1 | 2; languageId: string; text: string }[] = [
  { kind: 1, languageId: 'markdown', text: '# Worked examples\n\nx @ w below is 4096³.' },
  { kind: 2, languageId: 'python', text: 'import math\nimport torch\n%matplotlib inline\nx = torch.randn(4096, 4096)\nw = torch.randn(4096, 4096)' },
  { kind: 2, languageId: 'python', text: '%%time\ny = x @ w' },
  { kind: 2, languageId: 'python', text: 'broken = (x @\n' },
  {
    kind: 2,
    languageId: 'python',
    text: 'def attention(q: Float[Tensor, "2 16 4096 64"], k: Float[Tensor, "2 16 4096 64"], v: Float[Tensor, "2 16 4096 64"]):\n    scores = q @ k.transpose(-2, -1) / math.sqrt(64)\n    probs = torch.softmax(scores, dim=-1)\n    return probs @ v',
  },
];

describe('notebooks over the language server', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ textDocument: { diagnostic: {}, hover: { contentFormat: ['markdown'] }, inlayHint: {}, codeLens: {} }, notebookDocument: { synchronization: {} } });
    await s.conn.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri: NB, notebookType: 'jupyter-notebook', version: 1, cells: CELLS.map((c, k) => ({ kind: c.kind, document: cellUri(k) })) },
      cellTextDocuments: CELLS.map((c, k) => ({ uri: cellUri(k), languageId: c.languageId, version: 1, text: c.text })),
    });
  });
  after(() => s.stop());

  it('offers notebook synchronisation for python cells of jupyter-notebook', () => {
    assert.deepEqual(s.initializeResult.capabilities.notebookDocumentSync, { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }] });
  });

  it('publishes diagnostics per cell URI, positions in the cell', async () => {
    const d = await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cellUri(4) && p.diagnostics.length > 0);
    const tc202 = d.diagnostics.find((x: any) => x.code === 'TC202');
    assert.ok(tc202, JSON.stringify(d.diagnostics.map((x: any) => x.code)));
    // `torch.softmax(scores, dim=-1)` is on the cell's second line (0-based 2), at column 12.
    assert.deepEqual(tc202.range.start, { line: 2, character: 12 });
    const tc201 = d.diagnostics.find((x: any) => x.code === 'TC201');
    assert.deepEqual(tc201.range.start, { line: 1, character: 13 });
    // The cells without findings are sent an empty list, the markdown cell nothing.
    const y = await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cellUri(2));
    assert.deepEqual(y.diagnostics.filter((x: any) => x.severity <= 2), []);
    assert.equal(s.notifications.filter((n: any) => n.method === 'textDocument/publishDiagnostics' && (n.params as any).uri === cellUri(0)).length, 0);
    // A pull for a cell answers nothing: its diagnostics are pushed, and would be shown twice.
    const pulled: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: cellUri(4) } });
    assert.deepEqual(pulled.items, []);
  });

  it('hovers an op at a cell position with shapes made in an earlier cell', async () => {
    // `y = x @ w` is line 1 of cell 2; the `%%time` line above it is IPython, not Python.
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cellUri(2) }, position: { line: 1, character: 6 } });
    assert.ok(h, 'no hover');
    assert.match(h.contents.value, /137,438,953,472/);
    assert.deepEqual(h.range, { start: { line: 1, character: 4 }, end: { line: 1, character: 9 } });
    // The broken cell does not stop the cells after it: the attention cell hovers too.
    const a: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cellUri(4) }, position: { line: 3, character: 12 } });
    assert.match(a.contents.value, /68,719,476,736/);
  });

  it('gives inlay hints and code lenses for a cell', async () => {
    const hints: any[] = await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: cellUri(2) }, range: { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } } });
    assert.deepEqual(hints.map((x) => [x.position, x.label]), [[{ line: 1, character: 1 }, ': (4096, 4096)']]);
    const lenses: any[] = await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: cellUri(4) } });
    const fn = lenses.find((l) => l.data.kind === 'function');
    assert.deepEqual(fn.range.start, { line: 0, character: 4 });
    const resolved: any = await s.conn.sendRequest('codeLens/resolve', fn);
    assert.match(resolved.command.title, /137 GFLOP/);
  });

  it('sends the notebook total for the status bar', async () => {
    const t = await s.waitFor('tensorcost/analysed', (p) => p.uri === NB);
    // The notebook's run is its top-level code (docs/whole-program.md): x @ w, 137 GFLOP. The
    // attention function is defined but no cell calls it, so it is not part of the run.
    assert.equal(t.flops, 2 * 4096 ** 3);
    assert.equal(t.device, 'h100');
    const c = await s.waitFor('tensorcost/analysed', (p) => p.uri === cellUri(2));
    assert.equal(c.flops, t.flops, 'a cell is sent the notebook total');
  });

  it('re-reports the other cells after an edit in one', async () => {
    const before = s.notifications.length;
    // w becomes (2048, 4096): x @ w in cell 2 no longer contracts.
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: NB, version: 2 },
      change: { cells: { textContent: [{ document: { uri: cellUri(1), version: 2 }, changes: [{ range: { start: { line: 4, character: 16 }, end: { line: 4, character: 20 } }, text: '2048' }] }] } },
    });
    const d = await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cellUri(2) && p.diagnostics.some((x: any) => x.code === 'TC002'));
    const tc002 = d.diagnostics.find((x: any) => x.code === 'TC002');
    assert.deepEqual(tc002.range.start, { line: 1, character: 4 });
    assert.ok(s.notifications.length > before);
  });

  it('takes a cell added at the end into the module', async () => {
    await s.conn.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri: NB, version: 3 },
      change: {
        cells: {
          structure: { array: { start: 5, deleteCount: 0, cells: [{ kind: 2, document: cellUri(5) }] }, didOpen: [{ uri: cellUri(5), languageId: 'python', version: 1, text: 'z = torch.randn(8, 4096) @ x' }] },
        },
      },
    });
    await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cellUri(5));
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cellUri(5) }, position: { line: 0, character: 25 } });
    assert.match(h.contents.value, /268,435,456/); // 2 · 8 · 4096 · 4096
  });

  it('re-analyses the notebook when the settings change', async () => {
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: { tensorcost: { device: 'a100' } } });
    const t = await s.waitFor('tensorcost/analysed', (p) => p.uri === NB && p.device === 'a100');
    assert.equal(t.device, 'a100');
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: cellUri(5) }, position: { line: 0, character: 25 } });
    assert.match(h.contents.value, /A100/);
  });

  it('clears the cells’ diagnostics when the notebook closes', async () => {
    await s.conn.sendNotification('notebookDocument/didClose', { notebookDocument: { uri: NB }, cellTextDocuments: CELLS.map((_, k) => ({ uri: cellUri(k) })).concat([{ uri: cellUri(5) }]) });
    const d = await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === cellUri(4) && p.diagnostics.length === 0);
    assert.deepEqual(d.diagnostics, []);
  });
});
