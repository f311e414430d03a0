/**
 * The status bar's notification gives the FLOPs a total is at least when it waits only for sizes
 * the analysis could not read (a vocabulary counted from the data): nobody can bind those, and
 * the status bar had nothing to show.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { REPO, startServer, TestServer } from '../helpers/lspClient';

const CAPS = { textDocument: { diagnostic: {} }, workspace: { configuration: true } };
const FILE = path.join(REPO, 'test', 'fixtures', 'program', 'at-least', 'script.py');
const URI = pathToFileURL(FILE).toString();

describe('tensorcost/analysed on a total that waits for sizes only the run knows', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device: 'h100', dims: {} })));
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'python', version: 1, text: fs.readFileSync(FILE, 'utf8') } });
  });
  after(() => s.stop());

  it('sends the floor and no made-up dim to bind', async () => {
    await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: URI } });
    const analysed = await s.waitFor('tensorcost/analysed', (p) => p.uri === URI);
    assert.equal(analysed.flops, null);
    assert.equal(analysed.flopsAtLeast, 2 * 8 * 64 * 64);
    assert.deepEqual(analysed.unbound, []);
  });
});
