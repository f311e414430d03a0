/** Inlay hints and code lenses through the real server over stdio, and the setting that turns hints off. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, TestServer } from '../helpers/lspClient';
import { at, MODEL, MODEL_URI } from './fixture';

const CAPS = {
  textDocument: { inlayHint: {}, codeLens: {}, diagnostic: {} },
  workspace: { configuration: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
};
const WHOLE = { start: { line: 0, character: 0 }, end: { line: 999, character: 0 } };

describe('inlay hints', () => {
  let s: TestServer;
  let enabled = true;
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ inlayHints: { enabled } })));
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
  });
  after(() => s.stop());

  const hints = () => s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: MODEL_URI }, range: WHOLE }) as Promise<any[]>;

  it('shows the inferred shape after each assigned op result, and none after returns', async () => {
    const hs = await hints();
    const byLine = new Map(hs.map((h) => [h.position.line, h]));
    for (const target of ['h = x @ w', 'y = torch.matmul', 'out = a @ w']) {
      const p = at(target);
      const h = byLine.get(p.line);
      assert.ok(h, `no hint on the line of ${target}: ${JSON.stringify(hs)}`);
      assert.equal(h.label, ': (B, T, C)');
      assert.equal(h.position.character, p.character + target.indexOf(' ='));
      assert.equal(h.kind, 1);
    }
    assert.equal(hs.length, 3, JSON.stringify(hs));
    assert.match(hs[0].tooltip.value, /\(8, 1024, 768\)/);
  });

  it('limits hints to the requested range', async () => {
    const p = at('out = a @ w');
    const hs: any[] = await s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri: MODEL_URI }, range: { start: { line: p.line, character: 0 }, end: { line: p.line + 1, character: 0 } } });
    assert.deepEqual(hs.map((h) => h.position.line), [p.line]);
  });

  it('turns off with tensorcost.inlayHints.enabled, without reopening the file', async () => {
    enabled = false;
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.deepEqual(await hints(), []);
    enabled = true;
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    assert.equal((await hints()).length, 3);
  });
});

describe('code lenses', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device: 'h100' })));
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
  });
  after(() => s.stop());

  it('returns unresolved lenses: one per function, one "benchmark" per GEMM line', async () => {
    const lenses: any[] = await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: MODEL_URI } });
    assert.ok(lenses.every((l) => !l.command), 'titles come from codeLens/resolve');
    const fns = lenses.filter((l) => l.data.kind === 'function').map((l) => l.data.name);
    assert.deepEqual(fns.sort(), ['MLP.forward', 'helper', 'thin'], 'no lens on __init__, which does no tensor work');
    const bench = lenses.filter((l) => l.data.kind === 'benchmark').map((l) => l.range.start.line);
    assert.deepEqual(bench, [at('h = x @ w').line, at('y = torch.matmul').line, at('out = a @ w').line, at('return v @ w').line]);
  });

  it('resolves a function lens to its inclusive total and a benchmark lens to the command with uri and position', async () => {
    const lenses: any[] = await s.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: MODEL_URI } });
    const fwd: any = await s.conn.sendRequest('codeLens/resolve', lenses.find((l) => l.data.name === 'MLP.forward'));
    // Two GEMMs of 9.66 GFLOP each.
    assert.match(fwd.command.title, /^Σ 19\.3 GFLOP · 101 MiB · ≈ 289 µs on h100$/);
    const b: any = await s.conn.sendRequest('codeLens/resolve', lenses.find((l) => l.data.kind === 'benchmark' && l.range.start.line === at('out = a @ w').line));
    assert.equal(b.command.command, 'tensorcost.benchmarkOp');
    assert.deepEqual(b.command.arguments, [MODEL_URI, at('a @ w')]);
    assert.match(b.command.title, /Benchmark this matmul \(predicted ≈ 144 µs on h100\)/);
  });

  it('offers no benchmark lens in an untrusted workspace', async () => {
    const u = await startServer(CAPS, { untrusted: true });
    try {
      await u.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
      const lenses: any[] = await u.conn.sendRequest('textDocument/codeLens', { textDocument: { uri: MODEL_URI } });
      assert.equal(lenses.filter((l) => l.data.kind === 'benchmark').length, 0);
      assert.equal(lenses.filter((l) => l.data.kind === 'function').length, 3);
    } finally {
      await u.stop();
    }
  });
});
