// The editor features as a user meets them in a real VS Code (code-server + Chromium): the hover
// card with its roofline picture, Problems, inlay hints, code lenses, the status-bar device switch
// changing the figures, and the roofline view; then, on a nanoGPT-style model with unbound dims,
// what a first-time user meets there (issue 19): one name per dim, the byte unit spelled out,
// the Problems item naming the dims to bind, the roofline view folding ops of unknown shape, and
// the status bar on a TF.js file. Screenshots go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Frame } from 'playwright-core';
import { MODEL } from '../lsp/fixture';
import { ROOT, waitFor } from './codeServer';
import { editorSuite } from './suite';


/** The fixture model plus a shape error, so Problems has an error row to wait for. */
const FILE = `${MODEL}

def broken(p: Float[Tensor, "B 64"], q: Float[Tensor, "32 C"]):
    return p @ q
`;

const NANOGPT = fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'models', 'gpt2_nanogpt_style.py'), 'utf8');
const TFJS = fs.readFileSync(path.join(ROOT, 'examples', 'tfjs-dense.ts'), 'utf8');

editorSuite(
  'editor features: code-server + Chromium',
  {
    copy: [],
    files: { 'model.py': FILE, 'nanogpt.py': NANOGPT, 'tfjs-dense.ts': TFJS },
    settings: { 'editor.codeLens': true, 'editor.inlayHints.enabled': 'on' },
    open: 'model.py',
  },
  (session, test) => {
  test('lists the shape error in Problems', { timeout: 120_000 }, async () => {
    const row = await session().workbench.waitForProblem(/TC002/, 90_000);
    await session().workbench.screenshot('editor-problems');
    assert.match(row, /TC002/);
  });

  test('shows the op card with FLOPs, bound, time and a rendered roofline picture', { timeout: 90_000 }, async () => {
    const wb = session().workbench;
    const text = await wb.hoverAt('a @ w', { offset: 2, until: (h) => /9,663,676,416/.test(h) && /H100/.test(h) });
    assert.match(text, /9,663,676,416/);
    assert.match(text, /compute-bound/);
    assert.match(text, /144 µs/);
    // The picture: an <img> with the SVG data: URI that the browser decoded (a broken image has no natural width).
    const img = wb.page.locator('.monaco-hover:visible img[src^="data:image/svg+xml"]');
    await img.first().waitFor({ state: 'visible', timeout: 10_000 });
    const width = await img.first().evaluate((el) => (el as HTMLImageElement).naturalWidth);
    assert.equal(width, 240);
    await wb.screenshot('editor-hover');
    // The card scrolls when the editor is short; show its picture as the user would after scrolling.
    await img.first().scrollIntoViewIfNeeded();
    await wb.screenshot('editor-hover-roofline-picture');
  });

  test('shows inferred shapes as inlay hints after assignments', { timeout: 60_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    await wb.goTo(wb.position('out = a @ w').line, 1);
    const line = await waitFor('the inlay hint after out', 30_000, async () => {
      const text = await wb.editorText();
      return text.split('\n').find((l) => /out: \(B, T, C\)\s*= a @ w/.test(l));
    });
    assert.match(line, /out: \(B, T, C\)/);
    await wb.screenshot('editor-inlay-hints');
  });

  test('shows per-function totals and "Benchmark this matmul" as code lenses', { timeout: 60_000 }, async () => {
    const wb = session().workbench;
    const lenses = await waitFor('code lenses', 30_000, async () => {
      const all = await wb.page.locator('.contentWidgets .codelens-decoration').allInnerTexts();
      return all.some((t) => /Σ 19\.3 GFLOP/.test(t)) && all.some((t) => /Benchmark this matmul/.test(t)) ? all : undefined;
    });
    assert.ok(lenses.some((t) => /Σ 19\.3 GFLOP · 101 MiB · ≈ 289 µs on h100/.test(t)), lenses.join('\n'));
    await wb.screenshot('editor-code-lens');
  });

  test('switches the device from the status bar and the figures follow', { timeout: 120_000 }, async () => {
    const wb = session().workbench;
    const item = wb.page.locator('.statusbar-item', { hasText: /h100/ });
    await item.first().waitFor({ state: 'visible', timeout: 30_000 });
    await item.first().locator('a').first().click();
    const rows = wb.page.locator('.quick-input-list .monaco-list-row');
    const row = rows.filter({ has: wb.page.locator('.label-name', { hasText: /^\s*a100\s*$/ }) });
    await row.first().waitFor({ state: 'visible' });
    // The current device is marked, and it is the selected row.
    const current = rows.filter({ has: wb.page.locator('.label-description', { hasText: /current/ }) });
    assert.match(await current.first().innerText(), /h100/);
    assert.match((await current.first().getAttribute('class')) ?? '', /focused/);
    await wb.screenshot('editor-device-pick');
    await row.first().click();
    // Where to save it is asked, never assumed: a workspace setting goes into the repository.
    const workspace = rows.filter({ has: wb.page.locator('.label-name', { hasText: /^\s*Workspace\s*$/ }) });
    await workspace.first().waitFor({ state: 'visible' });
    assert.equal(await rows.filter({ has: wb.page.locator('.label-name', { hasText: /^\s*User\s*$/ }) }).count(), 1);
    await wb.screenshot('editor-device-save-where');
    assert.equal(fs.existsSync(path.join(session().workspace, '.vscode', 'settings.json')), false, 'nothing written before the answer');
    await workspace.first().click();
    await wb.page.locator('.statusbar-item', { hasText: /a100/ }).first().waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(fs.readFileSync(path.join(session().workspace, '.vscode', 'settings.json'), 'utf8'), /"tensorcost\.device": "a100"/);
    // 9.66 GFLOP at the A100's 19.5 TFLOP/s fp32 = 496 µs.
    const text = await wb.hoverAt('a @ w', { offset: 2, until: (h) => /A100/.test(h) && /496 µs/.test(h) });
    assert.match(text, /A100/);
    await wb.screenshot('editor-hover-a100');
  });

  test('plots the file on the roofline view and reveals an op on click', { timeout: 120_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('Tensor Cost: Show Roofline View');
    const frame = await waitFor('the roofline webview', 30_000, async () => {
      for (const f of wb.page.frames()) if ((await f.locator('#chart svg .pt').count().catch(() => 0)) > 0) return f;
      return undefined;
    });
    // Five ops with figures (four GEMMs and the mismatched one has no cost): every op with numbers is a point.
    const points = await (frame as Frame).locator('#chart svg circle.pt').count();
    const rows = await (frame as Frame).locator('tbody tr').count();
    assert.ok(points >= 4, `points: ${points}`);
    assert.ok(rows >= points, `rows ${rows} < points ${points}`);
    assert.match(await (frame as Frame).locator('h2').innerText(), /model\.py on NVIDIA A100/);
    await wb.screenshot('editor-roofline');
    // Clicking the row of `out = a @ w` selects it in the editor.
    const target = wb.position('a @ w').line;
    await (frame as Frame).locator('tbody tr', { has: (frame as Frame).locator('td:nth-child(3)', { hasText: new RegExp(`^${target}$`) }) }).first().click();
    const status = await waitFor('the cursor on the op', 15_000, async () => {
      const t = await wb.page.locator('.statusbar-item', { hasText: /Ln \d+, Col \d+/ }).first().innerText().catch(() => '');
      return new RegExp(`Ln ${target},`).test(t) ? t : undefined;
    });
    assert.match(status, new RegExp(`Ln ${target},`));
    await wb.screenshot('editor-roofline-reveal');
    // A narrower window: the chart is drawn again at the panel's new width, its text the same size.
    const widthOf = async () => Number(await (frame as Frame).locator('#chart svg').first().getAttribute('width'));
    const wide = await widthOf();
    await wb.page.setViewportSize({ width: 1000, height: 900 });
    const narrow = await waitFor('the chart redrawn narrower', 15_000, async () => {
      const w = await widthOf();
      return w > 0 && w < wide - 50 ? w : undefined;
    });
    assert.ok(narrow < wide, `${narrow} < ${wide}`);
    assert.equal(await (frame as Frame).locator('#chart svg text').first().evaluate((el) => getComputedStyle(el).fontSize), '12px');
    await wb.screenshot('editor-roofline-resized');
    await wb.page.setViewportSize({ width: 1400, height: 900 });
  });

  test('shows one name per dim, bytes spelled out and the bound dims in step on a nanoGPT-style model', { timeout: 120_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    // The roofline view's tab is titled after the file it shows: closed, it cannot be taken for the file's tab.
    await wb.runCommand('View: Close All Editors');
    await wb.openFile('nanogpt.py');
    const text = await wb.hoverAt('self.c_attn(x)', { offset: 6, until: (h) => /n_embd/.test(h) && /Unbound/.test(h) });
    assert.match(text, /\(B, T, n_embd\) → \(B, T, 3·n_embd\)/);
    assert.match(text, /`?C`? is `?n_embd`?/);
    assert.match(text, /bytes/);
    assert.doesNotMatch(text, /\d B\b|FLOP\/B\b/);
    await wb.screenshot('editor-hover-one-name');
    const fn = await wb.hoverAt('def forward(self, idx', { offset: 5, until: (h) => /formula: bytes/.test(h) });
    assert.match(fn, /formula: bytes = /);
    await wb.screenshot('editor-hover-formula-line');
  });

  test('says once in Problems which dims the costs wait for', { timeout: 90_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    const row = await wb.waitForProblem(/wait for dims B, T/, 60_000);
    assert.match(row, /# tensorcost: dims B=… T=…/);
    assert.equal((await wb.problems()).filter((r) => /wait for dims/.test(r)).length, 1);
    await wb.screenshot('editor-problems-waiting-dims');
  });

  test('folds ops of unknown shape apart in the roofline view and names the dims to bind', { timeout: 90_000 }, async () => {
    const wb = session().workbench;
    await wb.openFile('nanogpt.py');
    await wb.runCommand('Tensor Cost: Show Roofline View');
    const frame = await waitFor('the roofline view of nanogpt.py', 30_000, async () => {
      for (const f of wb.page.frames()) if (/nanogpt\.py on/.test(await f.locator('h2').innerText({ timeout: 500 }).catch(() => ''))) return f;
      return undefined;
    });
    assert.match(await frame.locator('p.sub', { hasText: /Not plotted/ }).innerText(), /bind B, T/);
    assert.match(await frame.locator('details.unknown summary').innerText(), /ops? with operands of unknown shape/);
    await frame.locator('details.unknown summary').click();
    await wb.screenshot('editor-roofline-nanogpt');
  });

  test('shows the status bar item on a TF.js file', { timeout: 60_000 }, async () => {
    const wb = session().workbench;
    await wb.page.keyboard.press('Escape');
    await wb.runCommand('View: Close All Editors');
    await wb.openFile('tfjs-dense.ts');
    const item = wb.page.locator('.statusbar-item', { hasText: /a100/ });
    await item.first().waitFor({ state: 'visible', timeout: 30_000 });
    await waitFor('the file total in the status bar', 30_000, async () => /FLOP/.test(await item.first().innerText()));
    await wb.screenshot('editor-statusbar-tfjs');
  });
  },
);
