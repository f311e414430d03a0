/**
 * Findings on the shapes a calling context gives, through the real server (docs/whole-program.md):
 * the layer file's diagnostics carry the TC101 that the service script's batch of 4 makes, name
 * the script, and follow an edit of the script that is open beside it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, TestServer } from '../helpers/lspClient';

const CAPS = { textDocument: { diagnostic: {} }, workspace: { configuration: true, diagnostics: { refreshSupport: true } } };
const SRC = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'rules', 'embed');

describe('context findings in the server', { timeout: 60_000 }, () => {
  let s: TestServer;
  let dir: string;
  let encoderUri: string;
  let embedUri: string;
  let encoder: string;
  let embed: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorcost-ctxfindings-'));
    encoder = fs.readFileSync(path.join(SRC, 'encoder.py'), 'utf8');
    embed = fs.readFileSync(path.join(SRC, 'embed.py'), 'utf8');
    fs.writeFileSync(path.join(dir, 'encoder.py'), encoder);
    fs.writeFileSync(path.join(dir, 'embed.py'), embed);
    encoderUri = pathToFileURL(path.join(dir, 'encoder.py')).toString();
    embedUri = pathToFileURL(path.join(dir, 'embed.py')).toString();
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device: 'h100', dims: {} })), [{ uri: pathToFileURL(dir).toString(), name: 'w' }]);
  });
  after(async () => {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tc101 = async (uri: string): Promise<string[]> => {
    const report: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    return report.items.filter((d: any) => d.code === 'TC101').map((d: any) => `${d.range.start.line}: ${d.message}`);
  };
  /** Polls until the diagnostics match: the background scan of the workspace runs after start. */
  const until = async (uri: string, want: (xs: string[]) => boolean): Promise<string[]> => {
    let xs: string[] = [];
    for (let i = 0; i < 100; i++) {
      xs = await tc101(uri);
      if (want(xs)) return xs;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`diagnostics never matched: ${JSON.stringify(xs)}`);
  };

  it("reports TC101 in the layer file with the script's batch of 4, the script named", async () => {
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: encoderUri, languageId: 'python', version: 1, text: encoder } });
    const [d] = await until(encoderUri, (xs) => xs.length === 1);
    assert.match(d, /^12: intensity 2 FLOP\/B < ridge 20 FLOP\/B on H100 SXM \(fp32\).*m=4 makes it thin.*\(in embed\.py:18 <module>\)$/);
  });

  it('drops it when the open script is edited to batches of 256, and brings it back on undo', async () => {
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: embedUri, languageId: 'python', version: 1, text: embed } });
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: embedUri, version: 2 }, contentChanges: [{ text: embed.replace('batch_size=4', 'batch_size=256') }] });
    await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: embedUri } });
    await until(encoderUri, (xs) => xs.length === 0);
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: embedUri, version: 3 }, contentChanges: [{ text: embed }] });
    await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: embedUri } });
    await until(encoderUri, (xs) => xs.length === 1);
  });
});
