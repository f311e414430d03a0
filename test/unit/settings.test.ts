/**
 * One schema of settings, one owner of precedence: an explicit editor setting beats
 * pyproject.toml, which beats the defaults; a CLI flag beats pyproject.toml. One test per source
 * (pyproject.toml, the client's settings, CLI flags), and the server end to end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { explicitSettings, Inspected } from '../../client/explicitSettings';
import { DEFAULT_SETTINGS, resolveSettings, SETTINGS_SCHEMA } from '../../server/core/settings';
import { fromClient } from '../../server/lsp/settings';
import { readPyproject } from '../../server/node/config';
import { CLI, REPO, startServer } from '../helpers/lspClient';

const PYPROJECT = `[tool.tensorcost]
device = "a100"
default-dtype = "bf16"
select = ["TC1", "tc2"]
ignore = ["TC102"]
world-size = 8
interconnect = "infiniband"
[tool.tensorcost.dims]
m = 128
`;

function project(pyproject = PYPROJECT): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-settings-'));
  const file = path.join(dir, 'm.py');
  fs.writeFileSync(file, 'def f(a: Float[Tensor, "m k"], w: Float[Tensor, "k n"]):\n    return a @ w\n');
  fs.writeFileSync(path.join(dir, 'pyproject.toml'), pyproject);
  return { dir, file };
}

/** What VS Code's `inspect` answers for a setting nobody set: the package default only. */
const defaultsOnly = (key: string): Inspected & { defaultValue: unknown } => ({ defaultValue: lookupDefault(key) });

function lookupDefault(key: string): unknown {
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
  return pkg.contributes.configuration.properties[`tensorcost.${key}`]?.default;
}

describe('settings from pyproject.toml', () => {
  it('reads every documented key through the schema and applies them over the defaults', () => {
    const { dir } = project();
    const cfg = readPyproject(path.join(dir, 'pyproject.toml'))!;
    assert.deepEqual(cfg.errors, []);
    const s = resolveSettings(DEFAULT_SETTINGS, { pyproject: cfg.settings });
    assert.equal(s.device, 'a100');
    assert.equal(s.defaultDtype, 'bf16');
    assert.deepEqual(s.select, ['TC1', 'TC2']);
    assert.deepEqual(s.ignore, ['TC102']);
    assert.equal(s.worldSize, 8);
    assert.equal(s.interconnect, 'infiniband');
    assert.deepEqual(s.dims, { m: 128 });
  });

  it('reports bad values by key and keeps the good ones', () => {
    const { dir } = project('[tool.tensorcost]\nworld-size = 0\ninterconnect = "carrier-pigeon"\ndevice = "h200"\n[tool.tensorcost.dims]\nm = -1\nn = 4\n');
    const cfg = readPyproject(path.join(dir, 'pyproject.toml'))!;
    assert.equal(cfg.settings.device, 'h200');
    assert.deepEqual(cfg.settings.dims, { n: 4 });
    assert.equal(cfg.settings.worldSize, undefined);
    assert.equal(cfg.errors.length, 3, cfg.errors.join('\n'));
    assert.match(cfg.errors.join('\n'), /world-size must be an integer from 1 to [\d,]+, got 0/);
    assert.match(cfg.errors.join('\n'), /interconnect must be one of nvlink, pcie, infiniband/);
    assert.match(cfg.errors.join('\n'), /dims\.m: must not be negative, got -1/);
  });
});

describe("settings from the editor's client", () => {
  it('sends nothing for settings the user left at their defaults, so pyproject.toml applies', () => {
    const sent = explicitSettings(defaultsOnly);
    assert.deepEqual(sent, {});
    const { dir } = project();
    const s = resolveSettings(DEFAULT_SETTINGS, { pyproject: readPyproject(path.join(dir, 'pyproject.toml'))!.settings, client: fromClient(sent) });
    assert.equal(s.device, 'a100');
    assert.equal(s.defaultDtype, 'bf16');
    assert.equal(s.worldSize, 8);
    assert.equal(s.interconnect, 'infiniband');
  });

  it('sends explicit values at their most specific level, merging tables, and they beat pyproject.toml', () => {
    const set: Record<string, Inspected> = {
      device: { globalValue: 'v100', workspaceFolderValue: 'h200' },
      dims: { globalValue: { m: 1, k: 2 }, workspaceValue: { k: 64 } },
      'inlayHints.enabled': { workspaceValue: false },
      // Explicitly set to the default value: still a choice, and it still beats pyproject.toml.
      worldSize: { globalValue: 1 },
    };
    const sent = explicitSettings((key) => set[key] ?? {});
    assert.deepEqual(sent, { device: 'h200', dims: { m: 1, k: 64 }, inlayHints: { enabled: false }, worldSize: 1 });
    const { dir } = project();
    const s = resolveSettings(DEFAULT_SETTINGS, { pyproject: readPyproject(path.join(dir, 'pyproject.toml'))!.settings, client: fromClient(sent) });
    assert.equal(s.device, 'h200');
    assert.equal(s.worldSize, 1);
    assert.equal(s.inlayHints, false);
    assert.equal(s.defaultDtype, 'bf16', 'unset in the editor: pyproject.toml');
    assert.deepEqual(s.dims, { m: 1, k: 64 }, 'tables merge key by key, the editor winning');
  });

  it('the language server applies pyproject.toml when the client sends only explicit values', async () => {
    const { file } = project();
    const uri = pathToFileURL(file).toString();
    const text = fs.readFileSync(file, 'utf8');
    for (const [answer, device] of [[{}, 'a100'], [{ device: 'h200' }, 'h200']] as const) {
      const s = await startServer({ textDocument: { diagnostic: {} }, workspace: { configuration: true } }, {}, (items) => items.map(() => answer));
      try {
        await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
        const report: any = await s.conn.sendRequest('tensorcost/fileReport', { uri });
        assert.equal(report.device.id, device, JSON.stringify(answer));
      } finally {
        await s.stop();
      }
    }
  });
});

describe('pyproject.toml edited while the server runs', () => {
  it('applies the new settings once the client reports the file changed', async () => {
    const { dir, file } = project();
    const uri = pathToFileURL(file).toString();
    const s = await startServer({ textDocument: { diagnostic: {} }, workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } }, {}, (items) => items.map(() => ({})));
    try {
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: fs.readFileSync(file, 'utf8') } });
      assert.equal(((await s.conn.sendRequest('tensorcost/fileReport', { uri })) as any).device.id, 'a100');
      const toml = path.join(dir, 'pyproject.toml');
      fs.writeFileSync(toml, PYPROJECT.replace('device = "a100"', 'device = "h200"'));
      await s.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(toml).toString(), type: 2 }] });
      assert.equal(((await s.conn.sendRequest('tensorcost/fileReport', { uri })) as any).device.id, 'h200');
    } finally {
      await s.stop();
    }
  });
});

describe('settings from CLI flags', () => {
  const check = (args: string[], cwd: string) => spawnSync(process.execPath, [CLI, 'check', ...args, '--format', 'json'], { cwd, encoding: 'utf8' });

  it('a flag beats pyproject.toml, which beats the defaults', () => {
    const { dir } = project();
    assert.equal(JSON.parse(check(['.'], dir).stdout).device, 'a100');
    assert.equal(JSON.parse(check(['.', '--device', 'h200'], dir).stdout).device, 'h200');
    // --dims merges with pyproject's dims key by key: m from the file, k and n from the flag.
    const op = JSON.parse(check(['.', '--dims', 'k=256,n=512', '--dtype', 'fp16'], dir).stdout).files[0].ops[0];
    assert.equal(op.flops, 2 * 128 * 256 * 512);
    assert.equal(op.bytes, 2 * (128 * 256 + 256 * 512 + 128 * 512));
  });

  it('validates each flag with the same validator as the other sources', () => {
    const { dir } = project();
    const bad = check(['.', '--interconnect', 'carrier-pigeon'], dir);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--interconnect must be one of nvlink, pcie, infiniband/);
    assert.match(check(['.', '--world-size', '0'], dir).stderr, /--world-size must be an integer from 1 to/);
  });
});

describe('the settings schema', () => {
  it("matches package.json's contributed settings: every key exists there with the same default", () => {
    for (const spec of SETTINGS_SCHEMA) {
      const d = lookupDefault(spec.client);
      assert.notEqual(d, undefined, `tensorcost.${spec.client} is not in package.json`);
      assert.deepEqual(d, DEFAULT_SETTINGS[spec.key], spec.client);
    }
  });
});

describe('the VS Code client middleware for workspace/configuration', () => {
  /**
   * The middleware against a stand-in for the `vscode` module (the real one exists only inside
   * the editor): a folder where the user set `tensorcost.device` and nothing else.
   */
  function loadMiddleware(): typeof import('../../client/configurationMiddleware') {
    const Module = require('node:module') as { _load(request: string, parent: unknown, isMain: boolean): unknown };
    const original = Module._load;
    const inspected: Record<string, Inspected & { defaultValue?: unknown }> = { device: { defaultValue: 'h100', workspaceFolderValue: 'a100' }, worldSize: { defaultValue: 1 } };
    const fakeVscode = {
      Uri: { parse: (s: string) => ({ toString: () => s }) },
      workspace: {
        textDocuments: [],
        getConfiguration: (section: string) => ({ inspect: (key: string) => (section === 'tensorcost' ? inspected[key] : undefined) }),
      },
    };
    Module._load = function (request: string, ...rest: [unknown, boolean]) {
      return request === 'vscode' ? fakeVscode : original.call(this, request, ...rest);
    };
    try {
      return require('../../client/configurationMiddleware');
    } finally {
      Module._load = original;
    }
  }

  it('answers the tensorcost section with explicit values only and passes other sections on', async () => {
    const { configurationMiddleware } = loadMiddleware();
    const passed: unknown[] = [];
    const next = async (p: { items: { section?: string }[] }) => p.items.map((i) => (passed.push(i.section), `from vscode: ${i.section}`));
    const answer = await configurationMiddleware.workspace!.configuration!(
      { items: [{ section: 'python' }, { section: 'tensorcost', scopeUri: 'file:///w/m.py' }, { section: 'editor' }] },
      { isCancellationRequested: false } as never,
      next as never,
    );
    assert.deepEqual(answer, ['from vscode: python', { device: 'a100' }, 'from vscode: editor']);
    assert.deepEqual(passed, ['python', 'editor']);
  });
});
