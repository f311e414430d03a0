/**
 * `opAt` looks only into the segments of ops whose lines include the position; it must find
 * what a scan of every op finds (the innermost op, the first of equals), at every op's start
 * and end and at lines between, on every fixture, fresh and after an edit.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { contains, opAt } from '../../server/lsp/features/hover';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const FILES = ['models', 'rules'].flatMap((d) => fs.readdirSync(path.join(FIXTURES, d)).filter((f) => f.endsWith('.py')).map((f) => path.join(FIXTURES, d, f)));

function scan(a: Analysis, p: { line: number; character: number }): number {
  const size = (r: (typeof a.ir.ops)[number]['range']) => (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
  let best = -1;
  a.ir.ops.forEach((op, i) => {
    if (contains(op.range, p) && (best < 0 || size(op.range) < size(a.ir.ops[best].range))) best = i;
  });
  return best;
}

function positions(a: Analysis): { line: number; character: number }[] {
  const out = a.ir.ops.flatMap((op) => [op.range.start, op.range.end, { line: op.range.start.line, character: op.range.start.character + 1 }]);
  const last = Math.max(0, ...a.ir.ops.map((op) => op.range.end.line));
  for (let line = 0; line <= last + 1; line += 3) out.push({ line, character: 8 });
  return out;
}

describe('opAt', () => {
  before(initEngine);

  for (const file of FILES) {
    it(`agrees with a scan of every op: ${path.relative(FIXTURES, file)}`, () => {
      const text = fs.readFileSync(file, 'utf8');
      const first = analyzeSource({ path: 'f.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true });
      const at = text.indexOf('\n', Math.floor(text.length / 2));
      const second = analyzeSource({ path: 'f.py', text: text.slice(0, at) + ' ' + text.slice(at), languageId: 'python' }, DEFAULT_SETTINGS, { reuse: first.state });
      try {
        for (const a of [first, second]) {
          // Files with no ops still check that nothing is found anywhere.
          for (const p of positions(a)) assert.equal(opAt(a, p), scan(a, p), `at ${p.line}:${p.character}`);
        }
      } finally {
        disposePythonState(second.state!);
      }
    });
  }
});
