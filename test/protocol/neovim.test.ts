/**
 * An independent LSP client: Debian's Neovim attaches to `tensorcost lsp --stdio`, receives pushed
 * diagnostics and answers a hover. Skipped (with the reason) outside CI when nvim is missing; in
 * CI (`CI=true`, where .ci/run installs it) a missing nvim is a failure.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { it } from 'node:test';
import { CLI, REPO } from '../helpers/lspClient';

const nvim = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const available = nvim.status === 0;
const required = process.env.CI === 'true' || process.env.REQUIRE_VSCODE === '1';

it('Neovim receives diagnostics and a hover from the server', { skip: !available && !required ? 'nvim not installed (apt-get install neovim, or run bash .ci/run)' : false }, () => {
  assert.ok(available, 'nvim is required in CI but is not installed');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tc-nvim-')), 'result.json');
  const example = path.join(REPO, 'examples', 'matmul.py');
  const line = fs.readFileSync(example, 'utf8').split('\n').findIndex((l) => l.includes('x @ w'));
  const r = spawnSync('nvim', ['--headless', '-u', 'NONE', '-S', path.join(REPO, 'test', 'fixtures', 'neovim', 'hover-and-diagnostics.lua')], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TC_OUT: out, TC_FILE: example, TC_NODE: process.execPath, TC_CLI: CLI, TC_LINE: String(line), TC_COL: '13' },
  });
  assert.ok(fs.existsSync(out), `nvim wrote no result (exit ${r.status}): ${r.stderr}`);
  const res = JSON.parse(fs.readFileSync(out, 'utf8'));
  assert.ok(res.diagnostics.some((d: { code: string }) => d.code === 'TC002'), JSON.stringify(res.diagnostics));
  assert.match(res.hover, /137,438,953,472/);
  assert.match(res.hover, /compute/);
});
