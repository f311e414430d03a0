/**
 * Whole program through the real server over stdio (docs/whole-program.md): a workspace of two
 * files, the model and the training script that builds it. The model file's hovers show the
 * figures of the run the script describes, with the context named; an edit of the script changes
 * them; an edit of the model changes the script's figures.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startServer, TestServer } from '../helpers/lspClient';
import { positionIn } from './fixture';

const CAPS = { textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: {} }, workspace: { configuration: true, diagnostics: { refreshSupport: true } } };
const SRC = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'lm');

describe('whole program in the server', { timeout: 60_000 }, () => {
  let s: TestServer;
  let dir: string;
  let modelUri: string;
  let trainUri: string;
  let model: string;
  let train: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorcost-program-'));
    model = fs.readFileSync(path.join(SRC, 'model.py'), 'utf8');
    train = fs.readFileSync(path.join(SRC, 'train.py'), 'utf8');
    fs.writeFileSync(path.join(dir, 'model.py'), model);
    fs.writeFileSync(path.join(dir, 'train.py'), train);
    modelUri = pathToFileURL(path.join(dir, 'model.py')).toString();
    trainUri = pathToFileURL(path.join(dir, 'train.py')).toString();
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device: 'h100', dims: {} })), [{ uri: pathToFileURL(dir).toString(), name: 'w' }]);
  });
  after(async () => {
    await s.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const hover = async (uri: string, text: string, needle: string, offset = 0) => {
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: positionIn(text, needle, offset) });
    return h ? (h.contents.value as string) : '';
  };
  /** Polls a hover until it matches: the background scan of the workspace runs after start. */
  const hoverUntil = async (uri: string, text: string, needle: string, want: RegExp, offset = 0) => {
    let md = '';
    for (let i = 0; i < 100; i++) {
      md = await hover(uri, text, needle, offset);
      if (want.test(md)) return md;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`hover never matched ${want}: ${md}`);
  };

  it('shows numbers in the model file, from the script that is not even open, with its context', async () => {
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: modelUri, languageId: 'python', version: 1, text: model } });
    // 4 blocks and the head at d_model 768 (the script's, not the dataclass's 512), batch (8, 1024).
    const md = await hoverUntil(modelUri, model, 'def forward(self, idx)', /918,049,259,520/, 4);
    assert.match(md, /as called from `train\.py:26` \(top-level code\)/);
    const op = await hover(modelUri, model, 'self.head(x)');
    assert.match(op, /\(8, 1024, 768\)/);
    assert.match(op, /402,653,184,000/);
  });

  it('follows an edit of the script: the batch halves, the model file says so', async () => {
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: trainUri, languageId: 'python', version: 1, text: train } });
    const edited = train.replace('(8, 1024)', '(4, 1024)');
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: trainUri, version: 2 }, contentChanges: [{ text: edited }] });
    // The script is analysed when something asks for it (its diagnostics, as a client would).
    await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: trainUri } });
    await hoverUntil(modelUri, model, 'def forward(self, idx)', /459,024,629,760/, 4);
  });

  it("follows an edit of the model: the script's total changes", async () => {
    const before = await hover(trainUri, train.replace('(8, 1024)', '(4, 1024)'), 'def main', 4);
    assert.match(before, /45,902,462,976,000/);
    // Without the head: 100 steps of the 4 blocks at (4, 1024).
    const edited = model.replace('return self.head(x)', 'return x');
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: modelUri, version: 2 }, contentChanges: [{ text: edited }] });
    await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: modelUri } });
    const blocks = 100 * 4 * (2 * 4096 * 768 * 2304 + 2 * 4096 * 768 * 768 + 2 * 2 * 4096 * 768 * 3072 + (4 * 4 * 12 * 1024 * 1024 * 64) / 2);
    await hoverUntil(trainUri, train.replace('(8, 1024)', '(4, 1024)'), 'def main', new RegExp(blocks.toLocaleString('en-US')), 4);
  });
});
