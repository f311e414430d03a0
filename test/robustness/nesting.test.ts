/**
 * Code nested more deeply than the analysis follows is never dropped silently (SPEC §2b): an
 * expression too deep for the interpreter's recursion, a function whose parameters are, and
 * blocks indented past what tree-sitter's Python scanner keeps track of (512 levels) each give a
 * TC000 warning where the analysis stopped and a reason on the figures it cut, and the rest of
 * the file is analysed as usual. Python itself refuses such code (more than 200 nested brackets,
 * 100 levels of indentation), so an editor meets it only in generated or hostile files.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { JsonFile } from '../../server/engine/report';
import { CLI } from '../helpers/lspClient';

const A = 'Float[Tensor, "B C"]';
const W = 'Float[Tensor, "C C"]';
const HEAD = `# tensorcost: dims B=8 C=16\nimport torch\nfrom jaxtyping import Float\nfrom torch import Tensor\n\n\ndef first(a: ${A}, w: ${W}):\n    return a @ w\n\n\n`;
const TAIL = `\n\ndef last(a: ${A}, w: ${W}):\n    return a @ w\n`;
/** One matmul of (8, 16) by (16, 16): 2 · 8 · 16 · 16 FLOPs. */
const MATMUL = 4096;

/** `tensorcost check --format json` on the file, as a user runs it. */
function analyse(body: string) {
  const text = HEAD + body + TAIL;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-deep-'));
  let report: JsonFile;
  try {
    fs.writeFileSync(path.join(dir, 'deep.py'), text);
    const out = spawnSync(process.execPath, [CLI, 'check', path.join(dir, 'deep.py'), '--format', 'json', '--no-config'], { encoding: 'utf8', timeout: 60_000 });
    assert.ok(out.status === 0 || out.status === 1, `exit ${out.status}: ${out.stderr}`);
    report = JSON.parse(out.stdout).files[0];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const fn = (name: string) => report.functions.find((f) => f.name === name);
  return { report, fn, lineOf: (needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) };
}

describe('deep nesting', () => {
  it('an expression too deep for the interpreter: a TC000 at the statement, the function incomplete, the rest analysed', () => {
    const deep = `${'torch.relu('.repeat(5000)}y${')'.repeat(5000)}`;
    const { report, fn, lineOf } = analyse(`def f(x: ${A}, w: ${W}):\n    y = x @ w\n    z = ${deep}\n    return y @ w\n`);
    const line = lineOf('    z = torch.relu(');
    const warnings = report.diagnostics.filter((d) => d.code === 'TC000');
    assert.deepEqual(warnings.map((d) => [d.severity, d.range.start.line, d.message]), [['warning', line, `statement at line ${line + 1} not analysed: nested too deeply for the analysis`]]);
    const f = fn('f')!;
    assert.equal(f.incomplete, true);
    assert.deepEqual(f.reasons?.map((r) => [r.range.start.line, r.message]), [[line, `statement at line ${line + 1} not analysed: nested too deeply for the analysis`]]);
    // The matmuls before and after the deep statement are counted; so are the other functions.
    assert.equal(report.ops.filter((o) => o.range.start.line >= line - 1 && o.range.start.line <= line + 1).length, 2);
    assert.deepEqual([fn('first')?.flops, fn('last')?.flops, !!fn('first')?.incomplete, !!fn('last')?.incomplete], [MATMUL, MATMUL, false, false]);
  });

  it('a parameter default too deep for the interpreter: the function is listed as not analysed, not left out', () => {
    const deep = `${'torch.relu('.repeat(5000)}1${')'.repeat(5000)}`;
    const { report, fn, lineOf } = analyse(`def f(x: ${A}, w: ${W}, d=${deep}):\n    return x @ w\n`);
    const f = fn('f');
    assert.ok(f, 'f is in the report');
    assert.equal(f.incomplete, true);
    assert.equal(f.flops, null);
    assert.deepEqual(f.reasons?.map((r) => r.message), ['`f` not analysed: nested too deeply for the analysis']);
    assert.deepEqual(report.diagnostics.filter((d) => d.code === 'TC000').map((d) => d.range.start.line), [lineOf('def f(')]);
    assert.deepEqual([fn('first')?.flops, fn('last')?.flops], [MATMUL, MATMUL]);
  });

  const nestedIfs = (levels: number) => {
    const lines = [`def f(x: ${A}, w: ${W}):`, '    y = x @ w'];
    for (let i = 0; i < levels; i++) lines.push(`${' '.repeat(4 + i)}if y is not None:`);
    lines.push(`${' '.repeat(4 + levels)}y = y @ w`, '    return y @ w');
    return lines.join('\n') + '\n';
  };

  it('blocks indented past what the parser follows: a TC000 at the first line too deep, the rest of the file analysed', () => {
    // 600 `if`s inside a function: 601 levels of indentation.
    const { report, fn, lineOf } = analyse(nestedIfs(600));
    const warnings = report.diagnostics.filter((d) => d.code === 'TC000');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].severity, 'warning');
    // The function's body is the first level, and the first `if` stands on it: the 512th `if`
    // is the first line 512 levels deep.
    assert.equal(warnings[0].range.start.line, lineOf(`${' '.repeat(4 + 511)}if`));
    assert.match(warnings[0].message, /^code nested 512 levels deep is not analysed: the Python parser follows 511 levels of indentation/);
    assert.deepEqual([fn('first')?.flops, fn('last')?.flops], [MATMUL, MATMUL]);
  });

  it('blocks as deep as the parser follows are analysed, with no warning', () => {
    const { report, fn } = analyse(nestedIfs(510));
    assert.deepEqual(report.diagnostics.filter((d) => d.code === 'TC000'), []);
    // Three matmuls: before the ifs, inside the deepest one, and the return.
    assert.equal(fn('f')?.flops, 3 * MATMUL);
  });
});
