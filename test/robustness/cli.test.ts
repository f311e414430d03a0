/**
 * `tensorcost check` against hostile or unlucky input: bad flags and dims, output that cannot be
 * written, files that cannot be read or analysed, huge files, parent .gitignore files. Each case
 * was reproduced before its fix; the time limits turn a hang into a failure.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { collectFiles } from '../../server/node/files';
import { CLI, REPO } from '../helpers/lspClient';

function run(args: string[], cwd = REPO, stdout: 'pipe' | number = 'pipe') {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000, stdio: ['ignore', stdout, 'pipe'], maxBuffer: 64 << 20 });
  return { code: r.status, out: r.stdout ?? '', err: r.stderr, signal: r.signal };
}

const NO_STACK = /^\s+at .+\(.*:\d+:\d+\)$/m;
const MODELS = path.join(REPO, 'test', 'fixtures', 'models');

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-robust-cli-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

describe('usage errors exit 2 with a message, before any output', () => {
  const cases: [string[], RegExp][] = [
    [['--device', 'nope'], /unknown device 'nope' \(--device\)\. Run 'tensorcost devices'/],
    [['--select', 'TC02'], /--select: no rule code is or starts with 'TC02'/],
    [['--ignore', 'TC1O1'], /--ignore: no rule code is or starts with 'TC1O1'/],
    [['--world-size', '1e308'], /--world-size must be an integer from 1 to/],
    [['--world-size', '0'], /--world-size/],
    [['--dims', 'E=1e400'], /--dims E: '1e400' must be a finite whole number/],
    [['--dims', 'C=4096.5'], /--dims C: '4096.5' must be a whole number/],
    [['--dims', 'D=-7'], /--dims D: '-7' must not be negative/],
    [['--dims', 'N=9007199254740993'], /--dims N: .* at most 2\^53/],
    [['--max-file-size-kb', '-1'], /--max-file-size-kb/],
  ];
  for (const [flags, message] of cases) {
    it(flags.join(' '), () => {
      const r = run(['check', 'examples/matmul.py', ...flags]);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, message);
      assert.equal(r.out, '');
      assert.doesNotMatch(r.err, NO_STACK);
    });
  }

  it('accepts prefixes and Python-style integers', () => {
    const r = run(['check', 'examples/matmul.py', '--select', 'TC0,TC1', '--dims', 'B=1e3,T=2_048', '--world-size', '8']);
    assert.notEqual(r.code, 2, r.err);
  });
});

describe('output that cannot be written', () => {
  it('/dev/full: a message and exit 2, no stack trace', { skip: !fs.existsSync('/dev/full') && 'no /dev/full on this system' }, () => {
    const fd = fs.openSync('/dev/full', 'w');
    try {
      const r = run(['check', 'examples/matmul.py'], REPO, fd);
      assert.equal(r.code, 2);
      assert.match(r.err, /cannot write the output: ENOSPC/);
      assert.doesNotMatch(r.err, NO_STACK);
    } finally {
      fs.closeSync(fd);
    }
  });

  it('a reader that closes the pipe early (| head): quiet, no stack trace', { timeout: 60_000 }, async () => {
    // Four times the fixtures: about 600 KB of JSON, more than a pipe or socket buffer holds.
    const child = spawn(process.execPath, [CLI, 'check', MODELS, MODELS, MODELS, MODELS, '--format', 'json'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(err, NO_STACK, err);
    assert.doesNotMatch(err, /EPIPE/);
    assert.notEqual(code, 2);
  });
});

describe('one bad file costs only itself', () => {
  it('a .ts file nested 1,000 levels deep gets an error finding; the folder keeps its other results', { timeout: 60_000 }, () => {
    write('deep/a_deep.ts', `const x = ${'['.repeat(1000)}1${']'.repeat(1000)};\n${'function f() {'.repeat(1000)}${'}'.repeat(1000)}\n`);
    write('deep/b.py', 'import torch\na = torch.randn(64, 32)\nb = torch.randn(32, 16)\nc = a @ b\n');
    const r = run(['check', path.join(dir, 'deep'), '--format', 'json']);
    assert.doesNotMatch(r.err, NO_STACK, r.err);
    const j = JSON.parse(r.out);
    const py = j.files.find((f: any) => f.path.endsWith('b.py'));
    assert.equal(py.ops.length, 1, 'the Python file is still analysed');
    const ts = j.files.find((f: any) => f.path.endsWith('a_deep.ts'));
    assert.ok(ts, 'the deep file is in the report');
    assert.match(ts.diagnostics.map((f: any) => `${f.code} ${f.message}`).join('\n'), /TC000 could not analyse this file \(the code is nested too deeply\)/);
    assert.equal(r.code, 1);
  });

  it('an unreadable file or folder: a message on stderr, exit 1, the others analysed', () => {
    write('unread/ok.py', 'import torch\na = torch.randn(64, 32)\nc = a @ a.T\n');
    const secret = write('unread/secret.py', 'x = 1\n');
    const locked = path.join(dir, 'unread', 'locked');
    fs.mkdirSync(locked);
    write('unread/locked/hidden.py', 'x = 1\n');
    // The tests may run as root, for whom permissions do not stop a read: a child process
    // makes the file-system calls fail for these two paths, then runs the CLI's `check`.
    const script = `const fs = require('node:fs');
      const deny = (p) => p === ${JSON.stringify(secret)} || p === ${JSON.stringify(locked)};
      const denied = () => Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      for (const name of ['readFileSync', 'readdirSync']) {
        const real = fs[name];
        fs[name] = (p, ...rest) => { if (deny(String(p))) throw denied(); return real(p, ...rest); };
      }
      require(${JSON.stringify(path.join(REPO, 'out', 'server', 'cli', 'check.js'))}).main(process.argv.slice(1)).then((c) => (process.exitCode = c));`;
    // --table lists each op with its place, as the readable file's must be.
    const r = spawnSync(process.execPath, ['-e', script, path.join(dir, 'unread'), '--no-config', '--table'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /cannot read folder .*locked: EACCES/);
    assert.match(r.stdout, /secret\.py:1:1: TC000 cannot read this file: EACCES/, 'the unreadable file is in the report');
    // The --table rows of a file follow its name and give line:col.
    assert.match(r.stdout, /ok\.py\n[\s\S]*?^3:5 /m, 'the readable file is analysed');
    assert.doesNotMatch(r.stdout, /hidden\.py/);
  });

  it('the CLI reports a folder it cannot list and exits 1', { skip: process.getuid?.() === 0 && 'root reads any folder; the previous test injects the failure' }, () => {
    const locked = path.join(dir, 'perm', 'locked');
    write('perm/ok.py', 'x = 1\n');
    fs.mkdirSync(locked, { recursive: true });
    fs.chmodSync(locked, 0);
    try {
      const r = run(['check', path.join(dir, 'perm')]);
      assert.equal(r.code, 1);
      assert.match(r.err, /cannot read folder .*locked: EACCES/);
    } finally {
      fs.chmodSync(locked, 0o755);
    }
  });
});

describe('huge files', () => {
  it('a file over the size limit is refused with a warning naming the setting; others are analysed', { timeout: 60_000 }, () => {
    write('huge/big.py', 'x = 1\n'.repeat(200_000));
    write('huge/small.py', 'import torch\na = torch.randn(64, 32)\nc = a @ a.T\n');
    const r = run(['check', path.join(dir, 'huge'), '--max-file-size-kb', '1000', '--table']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /big\.py:1:1: TC000 file not analysed: it is 1\.14 MiB, over the size limit of 1000 KB \(setting tensorcost\.maxFileSizeKB, --max-file-size-kb/);
    assert.match(r.out, /small\.py\n[\s\S]*?^3:5 /m);
    const unlimited = run(['check', path.join(dir, 'huge', 'big.py'), '--max-file-size-kb', '0']);
    assert.doesNotMatch(unlimited.out, /TC000/);
  });
});

describe('.gitignore files', () => {
  it('a .gitignore above the repository root is not applied', () => {
    const outer = path.join(dir, 'outer');
    write('outer/.gitignore', '*\n');
    write('outer/repo/model.py', 'x = 1\n');
    fs.mkdirSync(path.join(outer, 'repo', '.git'));
    write('outer/repo/sub/inner.py', 'x = 1\n');
    assert.deepEqual(collectFiles([path.join(outer, 'repo')]).files.map((f) => path.basename(f)), ['model.py', 'inner.py']);
    assert.deepEqual(collectFiles([path.join(outer, 'repo', 'sub')]).files.map((f) => path.basename(f)), ['inner.py']);
    // Inside the repository, its own .gitignore files still apply.
    write('outer/repo/.gitignore', 'sub/\n');
    assert.deepEqual(collectFiles([path.join(outer, 'repo')]).files.map((f) => path.basename(f)), ['model.py']);
    assert.deepEqual(collectFiles([path.join(outer, 'repo', 'sub')]).files, []);
  });

  it('outside any repository, no parent .gitignore applies', () => {
    write('norepo/.gitignore', '*\n');
    write('norepo/code/a.py', 'x = 1\n');
    assert.deepEqual(collectFiles([path.join(dir, 'norepo', 'code')]).files.map((f) => path.basename(f)), ['a.py']);
  });
});
