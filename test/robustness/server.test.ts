/**
 * The language server against protocol abuse and huge documents: requests before `initialize`
 * and after `shutdown` are refused as LSP says, and a document over the size limit gets one
 * warning while the others are analysed as usual.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { CLI, startServer } from '../helpers/lspClient';
import { MODEL, MODEL_URI } from '../lsp/fixture';

describe('the language server', () => {
  it('refuses requests before initialize and after shutdown, and exits on exit', { timeout: 30_000 }, async () => {
    const proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    conn.listen();
    const exited = new Promise<number | null>((resolve) => proc.on('exit', resolve));
    try {
      const hover = { textDocument: { uri: MODEL_URI }, position: { line: 0, character: 0 } };
      await assert.rejects(conn.sendRequest('textDocument/hover', hover), (e: { code: number }) => e.code === -32002);
      await assert.rejects(conn.sendRequest('tensorcost/fileReport', { uri: MODEL_URI }), (e: { code: number }) => e.code === -32002);
      const init: any = await conn.sendRequest('initialize', { processId: null, rootUri: null, capabilities: {} });
      assert.ok(init.capabilities.hoverProvider);
      await conn.sendNotification('initialized', {});
      await conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
      assert.ok(await conn.sendRequest('textDocument/hover', { textDocument: { uri: MODEL_URI }, position: { line: 14, character: 13 } }));
      await conn.sendRequest('shutdown');
      await assert.rejects(conn.sendRequest('textDocument/hover', hover), (e: { code: number }) => e.code === -32600);
      await conn.sendNotification('exit');
      assert.equal(await exited, 0);
    } finally {
      conn.dispose();
      proc.kill();
    }
  });

  it('warns about a document over the size limit and still analyses the others', { timeout: 60_000 }, async () => {
    const s = await startServer({ textDocument: { diagnostic: {}, hover: { contentFormat: ['markdown'] } } }, { maxFileSizeKB: 1024 });
    try {
      const big = MODEL_URI.replace(/model\.py$/, 'big.py');
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: big, languageId: 'python', version: 1, text: 'x = 1\n'.repeat(400_000) } });
      const d: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: big } });
      assert.deepEqual(d.items.map((x: any) => [x.code, x.severity]), [['TC000', 2]]);
      assert.match(d.items[0].message, /file not analysed: it is 2\.29 MiB, over the size limit of 1024 KB/);
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
      const r: any = await s.conn.sendRequest('tensorcost/fileReport', { uri: MODEL_URI });
      assert.ok(r.ops.length > 0);
    } finally {
      await s.stop();
    }
  });
});
