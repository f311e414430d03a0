/**
 * A WebAssembly abort in tree-sitter (a text of tens of megabytes exhausts its memory) once
 * killed the parser for good: every later analysis of every document failed with `Aborted()`.
 * The parser now reloads after an abort, and documents parsed by the dead module start over.
 * The parser's memory is capped at 64 MB here, so that a 3.4 MB text aborts in about two
 * seconds instead of filling 2 GB for a minute.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { configureParser, parserGeneration } from '../../server/frontends/python/parser';
import { MODEL } from '../lsp/fixture';

const HUGE = 'def f(x):\n    return x\n'.repeat(150_000);

describe('the parser after a WebAssembly abort', () => {
  before(async () => {
    configureParser({ maxMemoryMB: 64 });
    await initEngine();
  });

  it('a file over maxFileSizeKB is refused before it reaches the parser', () => {
    const a = analyzeSource({ path: 'huge.py', text: HUGE, languageId: 'python' }, DEFAULT_SETTINGS);
    assert.equal(parserGeneration(), 0, 'no abort');
    assert.equal(a.ir.ops.length, 0);
    assert.deepEqual(a.findings.map((f) => [f.code, f.severity]), [['TC000', 'warning']]);
    assert.match(a.findings[0].message, /file not analysed: it is 3\.29 MiB, over the size limit of 2048 KB/);
  });

  it('later analyses work, fresh and incremental, after an abort', { timeout: 60_000 }, async () => {
    const settings = { ...DEFAULT_SETTINGS, maxFileSizeKB: 0 };
    const before = analyzeSource({ path: 'model.py', text: MODEL, languageId: 'python' }, settings, { keep: true });
    assert.ok(before.state);
    assert.throws(() => analyzeSource({ path: 'huge.py', text: HUGE, languageId: 'python' }, settings), /Aborted/);
    assert.equal(parserGeneration(), 1);
    await initEngine();
    const fresh = analyzeSource({ path: 'model.py', text: MODEL, languageId: 'python' }, settings);
    assert.ok(fresh.ir.ops.length > 0);
    // The state kept from before the abort holds trees of the dead module: it must start over.
    const edited = MODEL.replace('out = a @ w', 'out = a @ w  # edited');
    const incremental = analyzeSource({ path: 'model.py', text: edited, languageId: 'python' }, settings, { reuse: before.state });
    const again = analyzeSource({ path: 'model.py', text: edited, languageId: 'python' }, settings);
    assert.equal(JSON.stringify(fileJson(incremental)), JSON.stringify(fileJson(again)));
    assert.equal(JSON.stringify(fileJson(fresh).ops), JSON.stringify(fileJson(before).ops));
  });

  it('the CLI says which file aborted the parser, and analyses the files after it', { timeout: 60_000 }, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-abort-'));
    fs.writeFileSync(path.join(dir, 'a_huge.py'), HUGE);
    fs.writeFileSync(path.join(dir, 'b_model.py'), MODEL);
    // A child process, with the same 64 MB cap on the parser, runs the CLI's `check`.
    const out = path.resolve(__dirname, '..', '..', 'server');
    const script = `require(${JSON.stringify(path.join(out, 'frontends', 'python', 'parser.js'))}).configureParser({ maxMemoryMB: 64 });
      require(${JSON.stringify(path.join(out, 'cli', 'check.js'))}).main(process.argv.slice(1)).then((c) => (process.exitCode = c));`;
    try {
      const r = spawnSync(process.execPath, ['-e', script, dir, '--max-file-size-kb', '0', '--no-config', '--table'], { encoding: 'utf8', timeout: 50_000 });
      assert.equal(r.status, 1, r.stderr);
      assert.match(r.stdout, /a_huge\.py:1:1: TC000 analysis failed \(Aborted\(\)/);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
      assert.match(r.stdout, /b_model\.py\n[\s\S]*?^\d+:\d+ +MLP\.forward/m, 'the file after the abort is analysed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
