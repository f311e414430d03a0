/**
 * The programs the analysis budgets are ratios to (SPEC §10, docs/budgets.md), run by the bench
 * beside the engine: Ruff's WebAssembly build linting a text in this process, Pyright's language
 * server to its first diagnostics on a file, and both command-line checkers on a folder. Both are
 * dev dependencies for the bench only; when one is not installed the bench says so and prints the
 * rows that do not need it, rather than failing.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Why a reference could not be measured, printed in its row's place. */
export class Missing {
  constructor(readonly why: string) {}
}

interface RuffWorkspace {
  check(text: string): unknown[];
}

/** Ruff's linter (its default rules, as `ruff check` with no configuration), or why not. */
export function loadRuff(): { lint(text: string): number; version: string } | Missing {
  let ruff: { Workspace: { new (settings: unknown, encoding: number): RuffWorkspace; defaultSettings(): unknown; version(): string }; PositionEncoding: { Utf16: number } };
  try {
    ruff = require('@astral-sh/ruff-wasm-nodejs');
  } catch (e) {
    return new Missing(`Ruff not installed (npm install --save-dev @astral-sh/ruff-wasm-nodejs): ${firstLine(e)}`);
  }
  try {
    const ws = new ruff.Workspace(ruff.Workspace.defaultSettings(), ruff.PositionEncoding.Utf16);
    return { lint: (text) => ws.check(text).length, version: ruff.Workspace.version() };
  } catch (e) {
    return new Missing(`Ruff failed to start: ${firstLine(e)}`);
  }
}

/** Pyright's entry points in node_modules, or why not. */
function pyrightPaths(): { langserver: string; cli: string; version: string } | Missing {
  try {
    const pkg = require.resolve('pyright/package.json');
    const dir = path.dirname(pkg);
    return { langserver: path.join(dir, 'langserver.index.js'), cli: path.join(dir, 'index.js'), version: require(pkg).version };
  } catch (e) {
    return new Missing(`Pyright not installed (npm install --save-dev pyright): ${firstLine(e)}`);
  }
}

export function pyrightVersion(): string {
  const p = pyrightPaths();
  return p instanceof Missing ? '(missing)' : p.version;
}

/**
 * Milliseconds from `didOpen` of `file` (whose folder is the workspace) to Pyright's first
 * `publishDiagnostics` for it, in a language server started for this measurement and already
 * initialised: what an editor user waits for before Pyright says anything about a file they open.
 */
export async function pyrightFirstDiagnostics(file: string, text: string, timeoutMs = 180_000): Promise<number | Missing> {
  const p = pyrightPaths();
  if (p instanceof Missing) return p;
  const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node') as typeof import('vscode-jsonrpc/node');
  const proc = spawn(process.execPath, [p.langserver, '--stdio'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const uri = pathToFileURL(file).toString();
  const root = pathToFileURL(path.dirname(file)).toString();
  let done: ((t: number) => void) | undefined;
  const published = new Promise<number>((resolve) => (done = resolve));
  conn.onNotification('textDocument/publishDiagnostics', (params: { uri: string }) => {
    if (params.uri === uri) done?.(performance.now());
  });
  conn.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => null));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('window/workDoneProgress/create', () => null);
  conn.onNotification(() => undefined);
  conn.listen();
  let timer: NodeJS.Timeout | undefined;
  try {
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: root,
      workspaceFolders: [{ uri: root, name: 'bench' }],
      capabilities: { textDocument: { publishDiagnostics: {}, hover: { contentFormat: ['markdown'] } }, workspace: { configuration: true } },
    });
    await conn.sendNotification('initialized', {});
    const t0 = performance.now();
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const t1 = await Promise.race([published, timeout]);
    return t1 === 'timeout' ? new Missing(`Pyright published no diagnostics within ${timeoutMs / 1000} s`) : t1 - t0;
  } catch (e) {
    return new Missing(`Pyright's language server failed: ${firstLine(e)}`);
  } finally {
    clearTimeout(timer);
    try {
      await Promise.race([conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      await conn.sendNotification('exit');
    } catch {
      // Already gone.
    }
    conn.dispose();
    proc.kill();
  }
}

/**
 * Wall-clock milliseconds of one command-line run, process start included (both tools pay it):
 * `pyright FOLDER` or `tensorcost check FOLDER`. The exit status is not looked at, since both
 * exit non-zero when they find something.
 */
export function cliMs(tool: 'pyright' | 'tensorcost', folder: string, tensorcostCli: string): number | Missing {
  let args: string[];
  if (tool === 'pyright') {
    const p = pyrightPaths();
    if (p instanceof Missing) return p;
    args = [p.cli, folder];
  } else args = [tensorcostCli, 'check', folder, '--no-config', '--format', 'json'];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  const ms = performance.now() - t0;
  if (r.error || r.signal) return new Missing(`${tool} did not finish: ${r.error ? firstLine(r.error) : r.signal}`);
  if (r.status !== 0 && r.status !== 1) return new Missing(`${tool} exited ${r.status}: ${firstLine(r.stderr?.toString() ?? '')}`);
  return ms;
}

function firstLine(e: unknown): string {
  return String(e instanceof Error ? e.message : e).split('\n')[0];
}
