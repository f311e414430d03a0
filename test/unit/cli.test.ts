/** The command-line contract of docs/cli.md, run as a user would. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, REPO } from '../helpers/lspClient';

function run(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tensorcost check', () => {
  it('prints path:line:col: CODE message and a summary, and exits 1 on errors', () => {
    const r = run(['check', 'examples/matmul.py']);
    assert.equal(r.code, 1, r.err);
    assert.match(r.out, /^examples\/matmul\.py:19:12: TC002 matmul contraction mismatch/m);
    assert.match(r.out, /^1 file checked: 1 error, 0 warnings, 1 information\.$/m);
    // The unbound batch of `scores` takes its stated default (docs/whole-program.md), said here.
    assert.match(r.out, /^2 ops on h100: 137 GFLOP, 192 MiB, ≈2\.05 ms; assumed batch = 1\. Per op: --table$/m);
    // The cost table only on request; never colour in a pipe.
    assert.doesNotMatch(r.out, /line:col/);
    assert.doesNotMatch(r.out, /\x1b\[/);
  });

  it('prints the cost tables with --table or --format table, no line wider than COLUMNS', () => {
    for (const args of [['--table'], ['--format', 'table']]) {
      const r = spawnSync(process.execPath, [CLI, 'check', 'examples', ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, COLUMNS: '90' } });
      assert.match(r.stdout, /^14:12 +project +@ +137 GFLOP +192 MiB +compute +2\.05 ms$/m);
      assert.match(r.stdout, /^13 +project +137,438,953,472 \(137 GFLOP\)/m);
      assert.ok(Math.max(...r.stdout.split('\n').filter((l) => !/: TC\d+ /.test(l) && !/their cost is not in the totals|its top-level code runs/.test(l)).map((l) => [...l].length)) <= 90);
    }
  });

  it('keeps every line of the default output on the bundled examples short', () => {
    // Issue 19: the findings and the table used to reach 253 columns here; messages carry the
    // figures, `tensorcost explain` the reasoning.
    const lines = run(['check', 'examples']).out.trimEnd().split('\n');
    const findings = lines.filter((l) => /: TC\d+ /.test(l));
    const runs = lines.filter((l) => /: its top-level code runs /.test(l));
    // One line per finding, then at most a blank line, what went unread, a line per script whose
    // run has a whole figure, and the two-line summary.
    assert.ok(lines.length <= findings.length + runs.length + 4, `${lines.length} lines for ${findings.length} findings`);
    assert.ok(runs.length <= 1, `${runs.length} scripts' runs`);
    const widest = Math.max(...lines.filter((l) => !/: TC\d+ /.test(l)).map((l) => [...l].length));
    assert.ok(widest <= 150, `widest line ${widest} characters`);
    // The shortened messages (the path before them grows with notebooks' cell positions).
    const message = Math.max(...lines.filter((l) => /: TC(303|102) /.test(l)).map((l) => [...l.replace(/^.*?: TC\d+ /, '')].length));
    assert.ok(message <= 110, `longest TC303/TC102 message ${message} characters`);
  });

  it('says an op waits for sizes only the run knows, never a made-up dim name or a made-up size', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-'));
    // The prompt's length is read at run time: the comprehension's list has no known length (it
    // counted as one character, and the op as 1 FLOP, before).
    fs.writeFileSync(path.join(dir, 'prompt.py'), 'import torch\n\nt = torch.tensor([ord(c) for c in input()])\ny = t.float() * 2.0\n');
    const r = run(['check', 'prompt.py'], dir);
    assert.match(r.out, /^1 op on h100, all waiting for sizes only the run knows\. Per op: --table$/m);
    assert.doesNotMatch(r.out, /_\d/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says what a script that imports its model costs, as READMEs run it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-cli-run-'));
    fs.writeFileSync(path.join(dir, 'model.py'), 'import torch\nimport torch.nn as nn\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.fc = nn.Linear(1024, 512)\n\n    def forward(self, x):\n        return self.fc(x)\n');
    fs.writeFileSync(path.join(dir, 'run.py'), 'import torch\nfrom model import Net\n\nnet = Net()\ny = net(torch.randn(8, 1024))\n');
    const r = run(['check', 'run.py'], dir);
    // 2 * 8 * 1024 * 512 multiply-adds' FLOPs in the model file, none in the script's own ops.
    assert.match(r.out, /^run\.py: its top-level code runs 8\.39 MFLOP/m);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints counts per code with --statistics instead of the findings', () => {
    const r = run(['check', 'examples', '--statistics']);
    // Most frequent first: the examples' fp32 GEMMs, then the small-batch ones (counts as the
    // default output lists them).
    const text = run(['check', 'examples']).out;
    const count = (code: string) => (text.match(new RegExp(`: ${code} `, 'g')) ?? []).length;
    assert.match(r.out, new RegExp(`^ *${count('TC303')} {2}TC303 {2}fp32-where-tensor-cores-idle\\n`));
    assert.match(r.out, new RegExp(`\\n *${count('TC102')} {2}TC102 {2}small-batch-gemm\\n`));
    assert.match(r.out, /\n *1 {2}TC002 {2}shape-mismatch\n/);
    assert.doesNotMatch(r.out, /examples\/matmul\.py:/);
  });

  it('emits the JSON report of docs/cli.md', () => {
    const r = run(['check', 'examples/matmul.py', '--format', 'json', '--device', 'a100']);
    const j = JSON.parse(r.out);
    assert.equal(j.version, 1);
    assert.equal(j.device, 'a100');
    const f = j.files[0];
    assert.equal(f.language, 'python');
    const op = f.ops.find((o: any) => o.function === 'project');
    assert.equal(op.kind, 'matmul');
    assert.deepEqual(op.range.start, { line: 13, character: 11 });
    assert.deepEqual(op.inputs, [['m', 'k'], ['k', 'n']]);
    assert.deepEqual(op.output, ['m', 'n']);
    assert.equal(op.flops, 2 * 4096 ** 3);
    assert.equal(op.macs, 4096 ** 3);
    assert.equal(op.bytes, 3 * 4096 ** 2 * 4);
    assert.equal(op.bound, 'compute');
    assert.ok(Math.abs(op.timeSeconds - (2 * 4096 ** 3) / 19.5e12) < 1e-12);
    // Numbers first (docs/whole-program.md): an unbound batch is 1, and the report says so.
    const fn = f.functions.find((x: any) => x.name === 'scores');
    assert.equal(fn.flops, 2097152);
    assert.deepEqual(fn.assumed, { batch: { value: 1, from: 'batch defaults to 1' } });
    assert.equal(fn.flopsFormula, '2097152*batch');
    assert.ok(f.diagnostics.some((d: any) => d.code === 'TC002' && d.severity === 'error'));
  });

  it('binds dims from --dims and from pyproject.toml', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-'));
    fs.writeFileSync(path.join(dir, 'm.py'), 'def f(a: Float[Tensor, "b m k"], w: Float[Tensor, "k n"]):\n    return a @ w\n');
    fs.writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.tensorcost]\ndevice = "h200"\n[tool.tensorcost.dims]\nm = 128\nk = 256\nn = 512\n');
    const j = JSON.parse(run(['check', dir, '--format', 'json', '--dims', 'b=2']).out);
    assert.equal(j.files[0].ops[0].flops, 2 * 2 * 128 * 256 * 512);
    const text = run(['check', dir]).out;
    assert.match(text, /^1 op on h200: [\d.]+ MFLOP, [\d.]+ \S+, ≈[\d.]+ \S+; assumed b = 1\. Per op: --table$/m);
  });

  it('exits 2 on bad usage with a clear message', () => {
    assert.equal(run(['check', '--format', 'xml', 'examples']).code, 2);
    assert.match(run(['check', '--dims', 'B', 'examples']).err, /NAME=VALUE/);
    assert.match(run(['check', 'nope/']).err, /no such file/);
    assert.match(run(['check', '--device', 'h900', 'examples']).err, /unknown device 'h900'/);
    assert.equal(run(['frobnicate']).code, 2);
  });

  it('lists devices with ridge points', () => {
    const j = JSON.parse(run(['devices', '--format', 'json']).out);
    const h100 = j.find((d: any) => d.id === 'h100');
    assert.ok(Math.abs(h100.ridge.fp16 - 989.4e12 / 3350e9) < 1e-9);
    assert.match(run(['devices']).out, /h100 .*NVIDIA H100 SXM/);
  });
});

describe('functions whose operand shapes are unknown', () => {
  it('report null figures and incomplete, never 0 FLOPs', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-'));
    fs.writeFileSync(path.join(dir, 'm.py'), 'import torch.nn as nn\nclass MLP(nn.Module):\n    def __init__(self, d):\n        super().__init__()\n        self.fc = nn.Linear(d, 4 * d)\n    def forward(self, x):\n        return self.fc(x)\n');
    const r = run(['check', dir, '--format', 'json']);
    const fns = JSON.parse(r.out).files[0].functions;
    const fwd = fns.find((f: any) => f.name === 'MLP.forward');
    assert.equal(fwd.flops, null);
    assert.equal(fwd.incomplete, true);
    assert.equal(fwd.flopsFormula, '?');
    assert.equal(fwd.params, '4*d^2 + 4*d');
    assert.match(run(['check', dir, '--table']).out, /MLP\.forward\s+\? \(operand shapes unknown\)/);
  });
});
