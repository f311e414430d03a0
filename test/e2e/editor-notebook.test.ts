// A Jupyter notebook in a real VS Code (code-server + Chromium, no Jupyter extension, no kernel):
// examples/worked-examples.ipynb opens in the notebook editor, the manual attention's TC202 is in
// Problems, hovering `x @ w` in a cell shows its FLOPs (x and w are made in the cell above), and
// the status bar shows the notebook's total. Screenshots go to test-artifacts/e2e/.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { Locator, Page } from 'playwright-core';
import { flopsText } from '../../server/core/format';
import { CodeServerSession, ROOT, waitFor } from './codeServer';
import { editorSuite } from './suite';

const NOTEBOOK = 'examples/worked-examples.ipynb';

/** The notebook's total and the FLOPs of `x @ w`, from the command line's JSON report (§14). */
function expected(): { total: number; xw: number } {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'out/server/cli/main.js'), 'check', '--format', 'json', NOTEBOOK], { cwd: ROOT, encoding: 'utf8' });
  const f = JSON.parse(r.stdout).files[0];
  return { total: f.totals.flops, xw: f.ops.find((o: any) => o.range.start.cell === 5).flops };
}

/** The line of a cell that contains `text` (inlay hints included), once the notebook editor has rendered it. */
function cellLine(page: Page, text: string): Locator {
  return page.locator('.notebook-editor .view-line', { hasText: text }).first();
}

/**
 * Opens the notebook through quick open and waits for its cells. Opened before the built-in ipynb
 * extension has registered (E2E.md), VS Code shows it as JSON: close that and open it again.
 * (Workbench.openFile waits for a text editor's lines, which a notebook editor does not have.)
 */
async function openNotebook(session: CodeServerSession): Promise<void> {
  const wb = session.workbench;
  const page = wb.page;
  await waitFor('the notebook editor', 120_000, async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill(NOTEBOOK);
    const row = page.locator('.quick-input-list .monaco-list-row', { has: page.locator('.label-name', { hasText: /^\s*worked-examples\.ipynb\s*$/ }) });
    await row.first().waitFor({ state: 'visible', timeout: 30_000 });
    await row.first().click();
    if (await cellLine(page, '= x @ w').waitFor({ state: 'visible', timeout: 15_000 }).then(() => true, () => false)) return true;
    await wb.screenshot('notebook-opened-as-text');
    await wb.runCommand('View: Close Editor').catch(() => undefined);
    await page.waitForTimeout(3_000);
    return undefined;
  }, 0);
}

/**
 * Scrolls the notebook until the cell line with `text` is rendered (the notebook renders only the
 * cells in view), with the panel hidden where it can be so that the notebook has more height.
 */
async function showCellLine(wb: CodeServerSession['workbench'], text: string): Promise<Locator> {
  const page = wb.page;
  await page.keyboard.press('Escape');
  const hide = page.locator('.part.panel [aria-label^="Hide Panel"], .part.panel [aria-label^="Close Panel"]').first();
  if (await hide.isVisible().catch(() => false)) await hide.click().catch(() => undefined);
  const line = cellLine(page, text);
  await waitFor(`the cell line "${text}"`, 30_000, async () => {
    if (await line.isVisible().catch(() => false)) return true;
    const box = await page.locator('.notebook-editor').first().boundingBox();
    if (box) {
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.wheel(0, 250);
    }
    return undefined;
  }, 300).catch(async (e) => {
    await wb.screenshot('notebook-scroll-failed');
    throw e;
  });
  return line;
}

/** Hovers the mouse over the token `token` on a cell's line until the hover shows what `until` wants. */
async function hoverToken(page: Page, line: Locator, token: string, until: (t: string) => boolean, ms = 60_000): Promise<string> {
  return waitFor(`a hover on ${token}`, ms, async () => {
    await page.mouse.move(5, 5);
    await page.waitForTimeout(300);
    const spans = line.locator('span > span');
    const n = await spans.count();
    for (let i = 0; i < n; i++) {
      const text = (await spans.nth(i).innerText()).replace(/\u00a0/g, ' ');
      const at = text.indexOf(token);
      if (at < 0) continue;
      const box = (await spans.nth(i).boundingBox())!;
      const x = box.x + (box.width * (at + token.length / 2)) / text.length;
      await page.mouse.move(x, box.y + box.height / 2);
      break;
    }
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      const hovers = page.locator('.monaco-hover:visible');
      const t = (await hovers.count()) ? (await hovers.first().innerText()).trim() : '';
      if (t && until(t)) return t;
      await page.waitForTimeout(200);
    }
    return undefined;
  }, 0);
}

editorSuite('editor: a Jupyter notebook in code-server + Chromium', { copy: ['examples'] }, (session, test) => {
  test('lists the finding of a cell in Problems', { timeout: 240_000 }, async () => {
    // The built-in ipynb extension registers a few seconds after the workbench loads.
    await session().workbench.page.waitForTimeout(5_000);
    await openNotebook(session());
    const row = await session().workbench.waitForProblem(/TC202/, 120_000).catch(async (e) => {
      await session().workbench.screenshot('notebook-problems-failed');
      throw e;
    });
    await session().workbench.screenshot('notebook-problems');
    assert.match(row, /attention written by hand/);
  });

  test('hovers an op in a cell with the FLOPs of shapes made in the cell above', { timeout: 120_000 }, async (t) => {
    const { xw } = expected();
    const page = session().workbench.page;
    await page.keyboard.press('Escape');
    const line = await showCellLine(session().workbench, '= x @ w');
    const text = await hoverToken(page, line, '@', (h) => h.replace(/\s+/g, ' ').includes(xw.toLocaleString('en-US'))).catch(async (e) => {
      await session().workbench.screenshot('notebook-hover-failed');
      throw e;
    });
    await session().workbench.screenshot('notebook-hover');
    t.diagnostic(`hover: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
    assert.match(text, /137,438,953,472/);
    assert.match(text, /compute/);
  });

  test("shows the notebook's total in the status bar while a cell is active", { timeout: 60_000 }, async () => {
    const { total } = expected();
    const page = session().workbench.page;
    await page.mouse.move(5, 5);
    await (await showCellLine(session().workbench, '= x @ w')).click();
    const want = flopsText(total);
    const item = page.locator('.statusbar-item', { hasText: `h100 · ${want}` }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 }).catch(async (e) => {
      await session().workbench.screenshot('notebook-status-failed');
      throw e;
    });
    await session().workbench.screenshot('notebook-status');
    assert.match(await item.innerText(), new RegExp(want.replace(/[.]/g, '\\.')));
  });
});
