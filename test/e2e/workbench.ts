// Drives VS Code's workbench in Chromium the way a person does: command palette, quick open, the
// keyboard, the Problems panel and hovers. Every wait polls the page with a deadline.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';

const PALETTE = '.quick-input-widget';
const PALETTE_INPUT = '.quick-input-widget input';
const PALETTE_ROWS = '.quick-input-list .monaco-list-row';
/** How long a hover's text must stay the same before it is taken as complete. */
const SETTLE_MS = 1_200;

export class Workbench {
  /** Text of the file opened last, to turn "text in the editor" into a line and column. */
  private current?: { name: string; text: string };

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
    private readonly workspace: string,
    private readonly artifacts: string,
  ) {}

  static async open(
    url: string,
    executablePath: string,
    profile: string,
    workspace: string,
    artifacts: string,
    env: NodeJS.ProcessEnv = process.env,
  ): Promise<Workbench> {
    // The flags keep Chromium off the network this machine does not have (E2E.md); the profile is fresh.
    // The env carries the session's XDG folders: Chromium's crash database goes there, not to HOME.
    const context = await chromium.launchPersistentContext(profile, {
      executablePath,
      env: env as Record<string, string>,
      headless: true,
      viewport: { width: 1400, height: 900 },
      args: [
        '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync',
        '--disable-crash-reporter', '--disable-breakpad',
      ],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      page.setDefaultTimeout(30_000);
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      // The explorer lists the workspace once the workbench has connected to the server.
      await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
      return new Workbench(context, page, workspace, artifacts);
    } catch (e) {
      await context.close().catch(() => undefined);
      throw e;
    }
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Opens the palette with `prefix` typed: '>' for commands, '' for files, ':' for go to line. */
  private async palette(value: string): Promise<void> {
    await this.page.keyboard.press('Escape');
    await this.page.keyboard.press('F1');
    const input = this.page.locator(PALETTE_INPUT);
    await input.waitFor({ state: 'visible' });
    await input.fill(value);
  }

  /**
   * Clicks the palette row whose label is exactly `label` (and whose description contains
   * `description`, for files), waiting for the list to show it. Fuzzy matching puts look-alikes
   * ("Terminal: Focus Hover", "batched_matmul.py") first, so the first row is not good enough.
   */
  private async pick(label: string, description?: string, ms = 15_000): Promise<void> {
    const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    let row = this.page.locator(PALETTE_ROWS).filter({ has: this.page.locator('.label-name', { hasText: exact }) });
    if (description) row = row.filter({ has: this.page.locator('.label-description', { hasText: description }) });
    await row.first().waitFor({ state: 'visible', timeout: ms });
    await row.first().click();
    await this.page.locator(PALETTE).waitFor({ state: 'hidden' });
  }

  /** Runs a command by its palette title, e.g. "View: Focus Problems (Errors, Warnings, Infos)". */
  async runCommand(title: string): Promise<void> {
    await this.palette('>' + title);
    await this.pick(title);
  }

  /** Opens a workspace file (path relative to the workspace) through quick open. */
  async openFile(rel: string): Promise<void> {
    const name = path.basename(rel);
    const dir = path.dirname(rel);
    await this.palette(rel);
    await this.pick(name, dir === '.' ? undefined : dir, 30_000);
    await this.page.locator(`.tab.active[aria-label*="${name}"]`).waitFor({ state: 'visible' });
    await this.page.locator('.editor-instance .view-line').first().waitFor({ state: 'visible' });
    this.current = { name: rel, text: fs.readFileSync(path.join(this.workspace, rel), 'utf8') };
  }

  /** The visible text of the active editor, with Monaco's non-breaking spaces made plain. */
  async editorText(): Promise<string> {
    const text = await this.page.locator('.editor-instance .view-lines').first().innerText();
    return text.replace(/\u00a0/g, ' ');
  }

  /** 1-based line and column of `needle` (its `nth` occurrence, plus `offset` characters) in the open file. */
  position(needle: string, nth = 0, offset = 0): { line: number; column: number } {
    if (!this.current) throw new Error('no file is open: call openFile first');
    let at = -1;
    for (let i = 0; i <= nth; i++) {
      at = this.current.text.indexOf(needle, at + 1);
      if (at < 0) throw new Error(`"${needle}" (occurrence ${nth}) not found in ${this.current.name}`);
    }
    at += offset;
    const before = this.current.text.slice(0, at).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1 };
  }

  /** Moves the cursor with "Go to Line/Column", as the keyboard user does. */
  async goTo(line: number, column: number): Promise<void> {
    await this.palette(`:${line}:${column}`);
    await this.page.keyboard.press('Enter');
    await this.page.locator(PALETTE).waitFor({ state: 'hidden' });
  }

  /**
   * Shows the hover at the `nth` occurrence of `needle` (plus `offset` characters) and returns its
   * text. The first hovers may be empty while the language server starts, so it asks again until
   * the text satisfies `until` (default: any text) or `ms` passes. A hover fills in by parts (the
   * diagnostics' part first, the language server's 0.1-0.3 s later here, more on a busy machine),
   * so only a text that has not changed for SETTLE_MS and is not "Loading..." counts. An `until`
   * that only the language server's part can satisfy is the sure way to wait for that part.
   */
  async hoverAt(
    needle: string,
    opts: { nth?: number; offset?: number; until?: (text: string) => boolean; ms?: number } = {},
  ): Promise<string> {
    const { line, column } = this.position(needle, opts.nth ?? 0, opts.offset ?? 0);
    const until = opts.until ?? ((t: string) => t !== '');
    const deadline = Date.now() + (opts.ms ?? 30_000);
    let last = '';
    for (;;) {
      await this.goTo(line, column);
      // Ctrl+K Ctrl+I is "Show or Focus Hover"; the palette hides that command unless the editor has focus.
      await this.page.keyboard.press('Control+K');
      await this.page.keyboard.press('Control+I');
      // A hover answers within a few seconds or not at all; ask again after that.
      const askedAt = Date.now();
      let stableSince = Date.now();
      while (Date.now() - askedAt < 5_000) {
        const text = await this.hoverText();
        if (text !== last) [last, stableSince] = [text, Date.now()];
        const settled = text !== '' && !/Loading\.\.\./.test(text) && Date.now() - stableSince >= SETTLE_MS;
        if (settled && until(text)) return text;
        await this.page.waitForTimeout(100);
      }
      if (Date.now() > deadline) {
        throw new Error(`hover at ${line}:${column} ("${needle}") never matched; last text: ${JSON.stringify(last)}`);
      }
    }
  }

  /** Text of the visible hover widget, or '' when none is shown. */
  async hoverText(): Promise<string> {
    const hovers = this.page.locator('.monaco-hover:visible');
    // The widget can hide between the count and the read (the editor re-renders as diagnostics
    // arrive): a read that finds none is "no hover now", and the caller asks again, instead of
    // waiting 30 s for a widget that is gone (seen once in CI).
    if (!(await hovers.count())) return '';
    return (await hovers.first().innerText({ timeout: 1_000 }).catch(() => '')).trim();
  }

  /** Rows of the Problems panel as their visible text (the panel is focused first). */
  async problems(): Promise<string[]> {
    await this.runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    await this.page.locator('.markers-panel').waitFor({ state: 'visible' });
    return this.page.locator('.markers-panel .monaco-list-row').evaluateAll((rows) =>
      rows.map((r) => ((r as HTMLElement).innerText || r.getAttribute('aria-label') || '').replace(/\s+/g, ' ').trim()),
    );
  }

  /** Waits until a Problems row matches `pattern` and returns that row's text. */
  async waitForProblem(pattern: RegExp, ms = 60_000): Promise<string> {
    const deadline = Date.now() + ms;
    let rows: string[] = [];
    for (;;) {
      rows = await this.problems();
      const hit = rows.find((r) => pattern.test(r));
      if (hit) return hit;
      if (Date.now() > deadline) throw new Error(`no Problems row matched ${pattern}; rows: ${JSON.stringify(rows)}`);
      await this.page.waitForTimeout(500);
    }
  }

  /** Saves a PNG of the whole window under test-artifacts/e2e/ and returns its path. */
  async screenshot(name: string): Promise<string> {
    fs.mkdirSync(this.artifacts, { recursive: true });
    const file = path.join(this.artifacts, `${name}.png`);
    // Finishing animations first keeps a hover from being captured half faded in.
    await this.page.screenshot({ path: file, animations: 'disabled' });
    return file;
  }
}
