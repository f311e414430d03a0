// The extension as a user meets it: packaged as a .vsix, installed into VS Code (code-server),
// examples/matmul.py opened in the workbench, the shape error in Problems and the cost on hover.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, timings } from './codeServer';
import { editorSuite } from './suite';

/**
 * The FLOPs of `x @ w` in `project`: 2·m·k·n (§5) from the file's `# tensorcost: dims` directive,
 * worked out here independently of the engine; without that directive, the command line's JSON
 * report (§14), which the hover must agree with.
 */
function expectedFlops(): number {
  const source = fs.readFileSync(path.join(ROOT, 'examples', 'matmul.py'), 'utf8');
  const dims = /#\s*tensorcost:\s*dims\s+(.*)/.exec(source)?.[1] ?? '';
  const bound = Object.fromEntries([...dims.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
  if (bound.m && bound.k && bound.n) return 2 * bound.m * bound.k * bound.n;
  const cli = spawnSync(process.execPath, [path.join(ROOT, 'out/server/cli/main.js'), 'check', '--format', 'json', 'examples/matmul.py'], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  let op: { flops?: unknown } | undefined;
  try {
    op = JSON.parse(cli.stdout).files[0].ops.find((o: { function: string }) => o.function === 'project');
  } catch (e) {
    assert.fail(`tensorcost check --format json gave no report (${e}): ${cli.stdout.slice(0, 300)} ${cli.stderr.slice(0, 300)}`);
  }
  assert.equal(typeof op?.flops, 'number', `project's matmul has no FLOP count (unbound dims?): ${JSON.stringify(op)}`);
  return op!.flops as number;
}

/**
 * Whether `text` shows `n`: written out (any digit grouping), in scientific notation, or scaled
 * with an SI prefix ("137.4 GFLOP"). A rounded figure counts when `n` rounds to it, unless `exact`
 * asks for every digit (a rounded "137 GFLOP" also appears in rule messages, not only the cost).
 */
function showsNumber(text: string, n: number, exact = false): boolean {
  const scale: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15 };
  const re = /(\d+(?:[,\u202f\u2009 ]\d{3})*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?\s*([kKMGTP]?)(?=\s*(?:FLOP|MAC|$|[^A-Za-z]))/g;
  for (const m of text.matchAll(re)) {
    if (exact && (m[2] || m[3] || m[4])) continue;
    const unit = 10 ** Number(m[3] ?? 0) * scale[m[4]];
    const value = Number(`${m[1].replace(/[,\u202f\u2009 ]/g, '')}.${m[2] ?? '0'}`) * unit;
    const tolerance = 0.5 * 10 ** -(m[2]?.length ?? 0) * unit * (1 + 1e-12);
    if (Math.abs(value - n) <= tolerance) return true;
  }
  return false;
}

editorSuite('editor: code-server + Chromium', { copy: ['examples'], files: { 'notes.txt': 'tensor cost e2e check\n' } }, (session, test) => {
  test('loads the workbench and opens a plain file', { timeout: 60_000 }, async () => {
    await session().workbench.openFile('notes.txt');
    const text = await session().workbench.editorText();
    assert.match(text, /tensor cost e2e check/);
  });

  test('shows TC002 in Problems and the FLOPs of x @ w on hover', { timeout: 180_000 }, async (t) => {
    const flops = expectedFlops();
    const wb = session().workbench;
    await wb.openFile('examples/matmul.py');
    // The Problems entry proves the language server is up; hovers before that may come back empty.
    const row = await wb.waitForProblem(/TC002/, 90_000).catch(async (e) => {
      await wb.screenshot('problems-failed');
      throw e;
    });
    await wb.screenshot('problems');
    t.diagnostic(`Problems row: ${row}`);
    const hover = await wb.hoverAt('x @ w', { offset: 2, until: (h) => /FLOP/.test(h) && showsNumber(h, flops, true), ms: 60_000 }).catch(
      async (e) => {
        await wb.screenshot('hover-failed');
        throw e;
      },
    );
    await wb.screenshot('hover');
    t.diagnostic(`hover: ${hover.replace(/\s+/g, ' ').slice(0, 800)}`);
    t.diagnostic(`setup timings (ms): ${JSON.stringify(timings)}`);
    assert.match(hover, /FLOP/);
    assert.ok(showsNumber(hover, flops, true), `hover does not show ${flops} FLOPs written out: ${hover}`);
  });
});

describe('editor test helpers', () => {
  it('recognises a FLOP count written out or scaled', () => {
    assert.ok(showsNumber('FLOPs: 2,097,152', 2097152));
    assert.ok(showsNumber('2097152 FLOP', 2097152));
    assert.ok(showsNumber('2.10 MFLOP', 2097152));
    assert.ok(!showsNumber('2.3 MFLOP', 2097152));
    assert.ok(!showsNumber('MACs 1,048,576', 2097152));
    assert.ok(showsNumber('FLOPs 137.4 GFLOP (68.7 G MACs)', 137438953472));
    assert.ok(showsNumber('1.374e11 FLOP', 137438953472));
    assert.ok(showsNumber('137,438,953,472 FLOPs', 137438953472));
    assert.ok(!showsNumber('138 GFLOP', 137438953472));
    assert.ok(!showsNumber('137 GFLOP', 137438953472, true));
    assert.ok(showsNumber('FLOPs 2·k·m·n = 137,438,953,472 (137 GFLOP)', 137438953472, true));
  });
});
