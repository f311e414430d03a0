/** Drives `tensorcost lsp --stdio` as an editor would: open, pull and push diagnostics, hover. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { REPO, startServer, TestServer } from '../helpers/lspClient';

const file = path.join(REPO, 'examples', 'matmul.py');
const uri = pathToFileURL(file).toString();
const text = fs.readFileSync(file, 'utf8');

function positionOf(needle: string): { line: number; character: number } {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const c = lines[i].indexOf(needle);
    if (c >= 0) return { line: i, character: c };
  }
  throw new Error(`'${needle}' not in example`);
}

describe('language server over stdio (pull diagnostics client)', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer({ textDocument: { diagnostic: { dynamicRegistration: false }, hover: { contentFormat: ['markdown'] } }, workspace: { configuration: true } }, {}, (items) =>
      items.map(() => ({ device: 'h100', dims: {} })),
    );
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  });
  after(() => s.stop());

  it('reports TC002 at the mismatched matmul with a documentation link', async () => {
    const report: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    const tc002 = report.items.filter((d: any) => d.code === 'TC002');
    assert.equal(tc002.length, 1);
    assert.equal(tc002[0].severity, 1);
    assert.match(tc002[0].message, /64 vs 32/);
    assert.equal(tc002[0].range.start.line, positionOf('torch.matmul(q, k)').line);
    assert.match(tc002[0].codeDescription.href, /TC002/);
  });

  it('hovers the matmul with FLOPs, bytes, intensity, bound and time, each with a unit', async () => {
    const p = positionOf('x @ w');
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: p.line, character: p.character + 2 } });
    const md: string = h.contents.value;
    // m = k = n = 4096 from the file's directive: 2·4096³ FLOPs.
    assert.match(md, /137,438,953,472/);
    assert.match(md, /137 GFLOP/);
    assert.match(md, /192 MiB/); // 3 · 4096² · 4 B
    assert.match(md, /683 FLOP\/byte/);
    assert.match(md, /compute/);
    assert.match(md, /2\.05 ms/);
    assert.match(md, /H100/);
  });

  it('answers the roofline and benchmark requests', async () => {
    const report: any = await s.conn.sendRequest('tensorcost/fileReport', { uri });
    assert.equal(report.device.id, 'h100');
    assert.equal(report.ops.length, 2);
    const p = positionOf('x @ w');
    const op: any = await s.conn.sendRequest('tensorcost/opAt', { uri, position: p });
    assert.deepEqual(op.gemm, { m: 4096, k: 4096, n: 4096, batch: 1 });
  });

  it('uses the device from workspace/configuration per resource', async () => {
    const s2 = await startServer({ textDocument: { diagnostic: {} }, workspace: { configuration: true } }, {}, (items) => items.map(() => ({ device: 'a100' })));
    try {
      await s2.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      const p = positionOf('x @ w');
      const h: any = await s2.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: p });
      assert.match(h.contents.value, /A100/);
      // 137.4 GFLOP at 19.5 TFLOP/s fp32 = 7.05 ms.
      assert.match(h.contents.value, /7\.05 ms/);
    } finally {
      await s2.stop();
    }
  });
});

describe('language server over stdio (push diagnostics client, like Neovim 0.7)', () => {
  it('pushes diagnostics after open and after an edit that fixes the error', async () => {
    const s = await startServer({ textDocument: { publishDiagnostics: {} } });
    try {
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
      const first = await s.waitFor('textDocument/publishDiagnostics', (p) => p.uri === uri && p.version === 1);
      // TC303 (fp32 GEMM with TF32 off) fires on this file too; this test is about the shape error.
      assert.deepEqual(first.diagnostics.map((d: any) => d.code).filter((c: string) => c === 'TC002'), ['TC002']);
      // Fix the annotation incrementally: "batch 32 128" -> "batch 64 128".
      const p = positionOf('"batch 32 128"');
      await s.conn.sendNotification('textDocument/didChange', {
        textDocument: { uri, version: 2 },
        contentChanges: [{ range: { start: { line: p.line, character: p.character + 7 }, end: { line: p.line, character: p.character + 9 } }, text: '64' }],
      });
      const second = await s.waitFor('textDocument/publishDiagnostics', (q) => q.uri === uri && q.version === 2);
      assert.deepEqual(second.diagnostics.filter((d: any) => d.code === 'TC002'), []);
      assert.ok(second.diagnostics.length < first.diagnostics.length);
    } finally {
      await s.stop();
    }
  });
});
