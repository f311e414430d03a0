// Runs the packaged extension inside a real VS Code workbench: code-server (VS Code's workbench
// served to a browser, with a Node extension host) driven by Debian's Chromium through
// playwright-core. Nothing here downloads anything; see /shared/E2E.md for why this route.
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Workbench } from './workbench';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const ARTIFACTS = path.join(ROOT, 'test-artifacts', 'e2e');
/** Names this test file's logs, so that the logs of one test file do not overwrite another's. */
const RUN_NAME = path.basename(process.argv[1] ?? 'e2e').replace(/\.test\.js$|\.js$/, '');

/** Where code-server and Chromium are, or why the editor tests cannot run here. */
export function locateTools(): { codeServer: string; chromium: string } | { missing: string } {
  const codeServer =
    process.env.CODE_SERVER_BIN || path.join(ROOT, '.tmp', 'code-server', 'node_modules', '.bin', 'code-server');
  const chromium = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
  const missing: string[] = [];
  if (!fs.existsSync(codeServer)) missing.push(`code-server (looked at ${codeServer})`);
  if (!fs.existsSync(chromium)) missing.push(`chromium (looked at ${chromium})`);
  if (missing.length) return { missing: missing.join(' and ') + ' not found' };
  return { codeServer, chromium };
}

/** The skip reason for the editor tests, or throws when REQUIRE_VSCODE=1 demands they run. */
export function e2eSkipReason(): string | false {
  const tools = locateTools();
  if (!('missing' in tools)) return false;
  const how = 'run `bash .ci/run`, or `bash scripts/install-code-server.sh` and `apt-get install chromium`';
  if (process.env.REQUIRE_VSCODE === '1') {
    throw new Error(`REQUIRE_VSCODE=1 but the editor tests cannot run: ${tools.missing}. To set them up, ${how}.`);
  }
  return `editor tests skipped: ${tools.missing}; to enable them, ${how}`;
}

/** Wall-clock milliseconds of each setup step, printed by the tests so slow steps show up in CI logs. */
export const timings: Record<string, number> = {};
async function timed<T>(name: string, fn: () => Promise<T> | T): Promise<T> {
  const t0 = Date.now();
  try {
    return await fn();
  } finally {
    timings[name] = Date.now() - t0;
  }
}

let packaged: string | undefined;
/**
 * Packages the built extension (out/ must be current) with its runtime node_modules, as a user
 * would install it, through scripts/package-vsix.sh for this platform only (a smaller, faster
 * file). Done once per test process: packaging takes several seconds.
 */
export function packageExtension(): string {
  if (packaged) return packaged;
  // One file per test process: test files run in separate processes, possibly at the same time.
  const vsix = path.join(ROOT, '.tmp', 'e2e', `tensor-cost-e2e-${process.pid}.vsix`);
  fs.mkdirSync(path.dirname(vsix), { recursive: true });
  fs.rmSync(vsix, { force: true });
  process.once('exit', () => fs.rmSync(vsix, { force: true }));
  const target = `${process.platform}-${process.arch}`;
  const res = spawnSync('bash', [path.join(ROOT, 'scripts', 'package-vsix.sh'), '--target', target, '--out', vsix], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  if (res.status !== 0) throw new Error(`packaging the .vsix failed (${res.status ?? res.signal}):\n${res.stdout}\n${res.stderr}`);
  packaged = vsix;
  return vsix;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it returns a truthy value, or fails after `ms` with `what` in the message. */
export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T> | T, everyMs = 100): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** All descendants of a process, read from /proc, so that processes which left the group die too. */
function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
    } catch {
      // The process ended while we were reading; nothing to kill.
    }
  }
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) for (const c of children.get(stack.pop()!) ?? []) out.push(c), stack.push(c);
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface StartOptions {
  /** Folders or files of the repository (relative to its root) copied into the temp workspace. */
  copy: string[];
  /** Extra files written into the workspace: relative path to content. */
  files?: Record<string, string>;
  /** Extra user settings merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Install the packaged extension (default true); false checks the harness alone. */
  installExtension?: boolean;
}

/** One code-server with a fresh profile, one Chromium page on it, and helpers to drive it. */
export class CodeServerSession {
  private constructor(
    readonly tmp: string,
    readonly workspace: string,
    private readonly proc: ChildProcess,
    readonly workbench: Workbench,
    private readonly userData: string,
    private readonly killOnExit: () => void,
  ) {}

  static async start(opts: StartOptions): Promise<CodeServerSession> {
    const tools = locateTools();
    if ('missing' in tools) throw new Error(tools.missing);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorcost-e2e-'));
    const dirs = Object.fromEntries(
      ['workspace', 'user-data', 'extensions', 'config', 'data', 'cache', 'runtime', 'chromium'].map((d) => {
        fs.mkdirSync(path.join(tmp, d), { recursive: true, mode: 0o700 });
        return [d, path.join(tmp, d)];
      }),
    );
    // code-server and Chromium write to the XDG folders; fresh ones keep runs independent and HOME clean.
    const env = {
      ...process.env,
      XDG_CONFIG_HOME: dirs.config,
      XDG_DATA_HOME: dirs.data,
      XDG_CACHE_HOME: dirs.cache,
      XDG_RUNTIME_DIR: dirs.runtime,
    };
    const common = ['--user-data-dir', dirs['user-data'], '--extensions-dir', dirs.extensions];
    // Until code-server runs, a failure (packaging, most often) only has the temp dir to clean up.
    try {
      for (const rel of opts.copy) fs.cpSync(path.join(ROOT, rel), path.join(dirs.workspace, rel), { recursive: true });
      for (const [rel, text] of Object.entries(opts.files ?? {})) {
        fs.mkdirSync(path.dirname(path.join(dirs.workspace, rel)), { recursive: true });
        fs.writeFileSync(path.join(dirs.workspace, rel), text);
      }
      const settingsDir = path.join(dirs['user-data'], 'User');
      fs.mkdirSync(settingsDir, { recursive: true });
      fs.writeFileSync(path.join(settingsDir, 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...opts.settings }, null, 2));
      if (opts.installExtension !== false) {
        const vsix = await timed('package', () => packageExtension());
        await timed('install', () =>
          execFileSync(tools.codeServer, [...common, '--install-extension', vsix], { env, stdio: 'pipe', timeout: 120_000 }),
        );
      }
    } catch (e) {
      finish(tmp, dirs['user-data']);
      throw e;
    }
    const port = await freePort();
    const cfg = path.join(tmp, 'config.yaml');
    fs.writeFileSync(cfg, 'auth: none\n');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const log = fs.openSync(path.join(ARTIFACTS, `${RUN_NAME}-code-server.log`), 'w');
    // detached puts code-server in its own process group so that stop() can end the whole tree.
    const proc = spawn(
      tools.codeServer,
      [
        '--config', cfg, ...common,
        '--bind-addr', `127.0.0.1:${port}`,
        '--auth', 'none',
        '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
        '--disable-getting-started-override',
        dirs.workspace,
      ],
      { env, detached: true, stdio: ['ignore', log, log] },
    );
    fs.closeSync(log);
    const url = `http://127.0.0.1:${port}`;
    // Should the test process die without stop(), code-server must not outlive it.
    const killOnExit = () => killTree(proc.pid!, 'SIGKILL');
    process.once('exit', killOnExit);
    try {
      await timed('healthz', () =>
        waitFor('code-server /healthz', 60_000, async () => {
          if (proc.exitCode !== null) throw new Error(`code-server exited with ${proc.exitCode}, see ${ARTIFACTS}/${RUN_NAME}-code-server.log`);
          return (await fetch(`${url}/healthz`).catch(() => undefined))?.ok;
        }),
      );
      const workbench = await timed('workbench', () => Workbench.open(url, tools.chromium, dirs.chromium, dirs.workspace, ARTIFACTS, env));
      return new CodeServerSession(tmp, dirs.workspace, proc, workbench, dirs['user-data'], killOnExit);
    } catch (e) {
      await stopProcesses(proc.pid!);
      process.removeListener('exit', killOnExit);
      finish(tmp, dirs['user-data']);
      throw e;
    }
  }

  /** Closes the browser, ends code-server's whole process tree, keeps the logs, removes the temp dir. */
  async stop(): Promise<void> {
    await this.workbench.close().catch(() => undefined);
    await stopProcesses(this.proc.pid!);
    process.removeListener('exit', this.killOnExit);
    finish(this.tmp, this.userData);
  }
}

/** SIGTERM to the tree, then SIGKILL to whatever is still there after a grace period. */
async function stopProcesses(pid: number): Promise<void> {
  killTree(pid, 'SIGTERM');
  const gone = await waitFor('code-server to exit', 10_000, () => !alive(pid) && descendants(pid).length === 0).catch(() => false);
  if (!gone) killTree(pid, 'SIGKILL');
}

/** Keeps the extension host and language server logs (they explain most failures), then removes the temp dir. */
function finish(tmp: string, userData: string): void {
  const logs = path.join(userData, 'logs');
  const kept = path.join(ARTIFACTS, `${RUN_NAME}-logs`);
  fs.rmSync(kept, { recursive: true, force: true });
  if (fs.existsSync(logs)) fs.cpSync(logs, kept, { recursive: true });
  if (process.env.E2E_KEEP !== '1') fs.rmSync(tmp, { recursive: true, force: true });
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  const pids = [pid, ...descendants(pid)];
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
  for (const p of pids) {
    try {
      process.kill(p, signal);
    } catch {
      // Already gone.
    }
  }
}

/** Settings that keep the workbench quiet and predictable: no welcome page, tips, trust prompts or updates. */
const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'window.restoreWindows': 'none',
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'files.exclude': {},
};
