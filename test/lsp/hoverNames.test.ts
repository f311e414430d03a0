/**
 * The hover and the Problems panel on a nanoGPT-style model whose dims stay partly unbound, as a
 * first-time user meets it: one name per dim, the byte unit spelled out, long formulas set apart,
 * the shapes and FLOPs rows binding the same dims, the fix for unknown shapes said once, and one
 * information item saying which dims the file's costs wait for.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { REPO, startServer, TestServer } from '../helpers/lspClient';
import { positionIn } from './fixture';

const CAPS = { textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: {} }, workspace: { configuration: true } };
const FILE = path.join(REPO, 'test', 'fixtures', 'models', 'gpt2_nanogpt_style.py');
const TEXT = fs.readFileSync(FILE, 'utf8');
const URI = pathToFileURL(FILE).toString();

/** The value column of a card's row, or undefined. */
function row(md: string, name: string): string | undefined {
  return md.split('\n').find((l) => l.startsWith(`| ${name} |`))?.slice(name.length + 5);
}

/** Named dims in the text after the first ` = ` of a row (the bound side), backticked formulas only. */
function boundNames(cell: string): string[] {
  const bound = cell.split(' = ').slice(1).join(' = ');
  const names = new Set<string>();
  for (const m of bound.matchAll(/`([^`]*)`/g)) for (const n of m[1].match(/[A-Za-z_]\w*/g) ?? []) names.add(n);
  return [...names].sort();
}

describe('hover and Problems on a nanoGPT-style model with unbound dims', () => {
  let s: TestServer;
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device: 'h100', dims: {} })));
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: URI, languageId: 'python', version: 1, text: TEXT } });
  });
  after(() => s.stop());

  const hoverAt = async (needle: string, offset = 0): Promise<string> => {
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: positionIn(TEXT, needle, offset) });
    assert.ok(h, `no hover at ${needle}`);
    return h.contents.value as string;
  };

  it('shows one name for the dim that `B, T, C = x.size()` calls C and the config calls n_embd', async () => {
    const md = await hoverAt('self.c_attn(x)', 6);
    const cells = ['shapes', 'FLOPs', 'bytes'].map((r) => row(md, r) ?? '');
    for (const c of cells) assert.doesNotMatch(c, /\bC\b/, `a row still says C: ${c}`);
    assert.match(row(md, 'shapes')!, /`\(B, T, n_embd\) → \(B, T, 3·n_embd\)` = `\(B, T, 768\) → \(B, T, 2304\)`/);
    assert.match(row(md, 'dims')!, /`C` is `n_embd`/);
    // 4·B·T·C (input) + 12·B·T·n_embd (output) + 12·n_embd² (weight) + 12·n_embd (bias) with C = n_embd.
    assert.match(row(md, 'bytes')!, /`16·B·T·n_embd \+ 12·n_embd² \+ 12·n_embd` bytes/);
  });

  it('binds the same dims in the shapes row as in the FLOPs and bytes rows', async () => {
    for (const [needle, offset] of [['self.c_attn(x)', 6], ['q @ k.transpose', 2], ['self.c_proj(y)', 6]] as const) {
      const md = await hoverAt(needle, offset);
      const shapes = boundNames(row(md, 'shapes')!);
      assert.deepEqual(shapes, ['B', 'T'], `${needle}: ${row(md, 'shapes')}`);
      assert.deepEqual(boundNames(row(md, 'FLOPs')!), shapes, `${needle}: ${row(md, 'FLOPs')}`);
      assert.deepEqual(boundNames(row(md, 'bytes')!).filter((n) => n !== 'bytes'), shapes, `${needle}: ${row(md, 'bytes')}`);
    }
    // 6·B·T·n_embd² with n_embd = 768.
    assert.match(row(await hoverAt('self.c_attn(x)', 6), 'FLOPs')!, new RegExp(`= \`${6 * 768 * 768}·B·T\``));
  });

  it('writes the byte unit as "bytes", never as a B beside the batch dim B', async () => {
    for (const needle of ['self.c_attn(x)', 'F.softmax', 'self.lm_head(x)', 'def forward(self, idx']) {
      const md = await hoverAt(needle, needle.startsWith('def') ? 5 : 6);
      const bytes = row(md, 'bytes')!;
      assert.doesNotMatch(bytes, /(`| \d+) B\b/, bytes);
      assert.doesNotMatch(md, /FLOP\/B\b/);
    }
    assert.match(row(await hoverAt('F.softmax', 3), 'bytes')!, /` bytes/);
  });

  it('shows a long bytes formula as its number, the formula on a "formula" line', async () => {
    const md = await hoverAt('def forward(self, idx', 5);
    const bytes = row(md, 'bytes')!;
    assert.match(bytes, /^\d+(\.\d+)? GiB \|$/, bytes);
    const formula = md.split('\n').find((l) => l.startsWith('formula: bytes = '));
    assert.ok(formula, md);
    assert.ok(formula!.split(' + ').length > 4, formula);
  });

  it('says once, in the cost row, how to give an op of unknown shape its shape', async () => {
    const md = await hoverAt('self.c_fc(x)', 6);
    assert.match(row(md, 'cost')!, /# tensorcost: shape x=\(B, T, C\)` comment above `def forward`/);
    assert.equal(md.match(/unknown/g)?.length, 1, md);
    assert.equal(md.match(/tensorcost: shape/g)?.length, 1, md);
    assert.doesNotMatch(md, /_Unbound/);
  });

  it('says once which dims are unbound and how to bind them', async () => {
    const md = await hoverAt('F.softmax', 3);
    assert.equal(md.match(/Unbound/g)?.length, 1);
    assert.match(md, /_Unbound: `B`, `T`\. Bind them with a `# tensorcost: dims B=… T=…` comment/);
  });

  it('puts one information item in Problems naming the dims the costs wait for', async () => {
    const report: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: URI } });
    const waiting = report.items.filter((d: any) => /wait for dims/.test(d.message));
    assert.equal(waiting.length, 1, JSON.stringify(report.items.map((d: any) => d.message)));
    assert.equal(waiting[0].severity, 3);
    assert.equal(waiting[0].code, undefined);
    // C is n_embd (bound by the config): only B and T are missing.
    assert.match(waiting[0].message, /wait for dims B, T\b/);
    assert.match(waiting[0].message, /# tensorcost: dims B=… T=…/);
    assert.match(waiting[0].message, /tensorcost\.dims/);
    assert.equal(waiting[0].range.start.line, positionIn(TEXT, 'self.c_attn(x)').line);
    const analysed = await s.waitFor('tensorcost/analysed', (p) => p.uri === URI);
    assert.deepEqual(analysed.unbound, ['B', 'T']);
  });

  it('drops the item once the dims are bound', async () => {
    const bound = TEXT.replace('# tensorcost: dims b=1 t=1024', '# tensorcost: dims b=1 t=1024 B=1 T=1024');
    await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri: URI, version: 2 }, contentChanges: [{ text: bound }] });
    const report: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: URI } });
    assert.deepEqual(report.items.filter((d: any) => /wait for dims/.test(d.message)), []);
    // C = n_embd = 768 now evaluates: 6·1·1024·768² FLOPs on c_attn.
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: URI }, position: positionIn(bound, 'self.c_attn(x)', 6) });
    assert.ok((h.contents.value as string).includes((6 * 1024 * 768 * 768).toLocaleString('en-US')));
  });
});
