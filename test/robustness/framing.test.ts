/**
 * A wrong Content-Length over stdio: the server must not stay alive but deaf. It exits with code
 * 1 and says why on stderr, so that the client restarts it and opens its documents again
 * (server/lsp/framing.ts says why exiting beats resynchronising). Valid streams cut at awkward
 * places, and bodies whose strings hold header-like text, must still be read as before.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { StreamMessageReader } from 'vscode-jsonrpc/node';
import { CLI } from '../helpers/lspClient';
import { MODEL, MODEL_URI } from '../lsp/fixture';

function frame(json: string, announced?: (bytes: number) => number): Buffer {
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${announced ? announced(body.length) : body.length}\r\n\r\n`, 'ascii'), body]);
}

const message = (id: number | null, method: string, params: unknown) => JSON.stringify(id === null ? { jsonrpc: '2.0', method, params } : { jsonrpc: '2.0', id, method, params });
const INITIALIZE = message(1, 'initialize', { processId: null, rootUri: null, capabilities: {} });
const INITIALIZED = message(null, 'initialized', {});
const OPEN = message(null, 'textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
const HOVER = message(7, 'textDocument/hover', { textDocument: { uri: MODEL_URI }, position: { line: 14, character: 13 } });

/** A server over raw stdio: what it answers (by id), its stderr and how it exits. */
function spawnRaw() {
  const proc = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const answers = new Map<number, unknown>();
  const waiting = new Map<number, (m: unknown) => void>();
  new StreamMessageReader(proc.stdout).listen((m: any) => {
    if (typeof m.id !== 'number' || m.method) return;
    answers.set(m.id, m);
    waiting.get(m.id)?.(m);
  });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return {
    proc,
    write: (b: Buffer) => new Promise<void>((resolve, reject) => proc.stdin.write(b, (e) => (e ? reject(e) : resolve()))),
    answer: (id: number, ms = 20_000) =>
      answers.has(id) ? Promise.resolve(answers.get(id)) : new Promise<unknown>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no answer to request ${id} within ${ms} ms`)), ms);
        waiting.set(id, (m) => (clearTimeout(t), resolve(m)));
      }),
    exit: (ms: number) => Promise.race([exited, new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), ms).unref())]),
    stderr: () => stderr,
  };
}

describe('the language server over stdio, with wrong framing', () => {
  const cases: [string, (startup: Buffer) => Buffer][] = [
    // A document's didOpen announces fewer bytes than it sends: the rest of it is glued to the
    // next header.
    ['fewer bytes announced than sent', () => Buffer.concat([frame(OPEN, (n) => n - 25), frame(HOVER)])],
    // It announces a few more: the next message's first bytes complete it.
    ['a few more bytes announced than sent', () => Buffer.concat([frame(OPEN, (n) => n + 10), frame(HOVER)])],
    // It announces far more than will ever come: every later message is swallowed into its body,
    // and the client waits for an answer that never comes.
    ['far more bytes announced than will come', () => Buffer.concat([frame(OPEN, (n) => n + 1_000_000), frame(HOVER)])],
    ['a Content-Length that is not a number', () => Buffer.concat([Buffer.from('Content-Length: 12abc\r\n\r\n{"jsonrpc":"2.0"}'), frame(HOVER)])],
    ['a header block without Content-Length', () => Buffer.concat([Buffer.from('Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n'), frame(HOVER)])],
    ['garbage with no header end', () => Buffer.alloc(20_000, 'x')],
  ];
  for (const [name, corrupt] of cases) {
    it(`exits with code 1 and says why: ${name}`, { timeout: 60_000 }, async () => {
      const s = spawnRaw();
      try {
        await s.write(Buffer.concat([frame(INITIALIZE), frame(INITIALIZED)]));
        await s.answer(1);
        await s.write(corrupt(Buffer.alloc(0)));
        const code = await s.exit(10_000);
        assert.equal(code, 1, `the server is still ${code === 'alive' ? 'running, deaf' : `exited with ${code}`}; stderr: ${s.stderr()}`);
        assert.match(s.stderr(), /tensorcost lsp: the message stream from the client is corrupt \(.+\); exiting so that the client restarts the server/);
      } finally {
        s.proc.kill();
      }
    });
  }

  it('reads valid streams cut anywhere, with header-like text and line breaks inside bodies', { timeout: 60_000 }, async () => {
    const s = spawnRaw();
    try {
      // A document whose text holds a header line (escaped by JSON, as every writer does), a
      // multi-byte character split across writes, and a pretty-printed body with CR LF between
      // its tokens (valid JSON whitespace).
      const text = `${MODEL}\n# Content-Length: 12\r\n\r\nx = "é😀"\n`;
      const open = message(null, 'textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text } });
      const pretty = JSON.stringify(JSON.parse(HOVER), null, 2).replace(/\n/g, '\r\n\r\n');
      // One byte at a time through the first message, then chunks of odd sizes.
      const first = frame(INITIALIZE);
      for (let at = 0; at < first.length; at++) await s.write(first.subarray(at, at + 1));
      await s.answer(1);
      const stream = Buffer.concat([frame(INITIALIZED), frame(open), frame(pretty)]);
      let at = 0;
      for (let size = 1; at < stream.length; size = (size * 7 + 3) % 997) await s.write(stream.subarray(at, (at += size + 1)));
      const hover: any = await s.answer(7);
      assert.match(JSON.stringify(hover.result), /FLOPs/, JSON.stringify(hover));
      await s.write(Buffer.concat([frame(message(8, 'shutdown', null)), frame(message(null, 'exit', null))]));
      assert.equal(await s.exit(10_000), 0, s.stderr());
    } finally {
      s.proc.kill();
    }
  });
});
