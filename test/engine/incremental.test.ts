/**
 * Re-analysis that reuses the previous state of a document (re-parsed top-level statements,
 * cached per-statement results) must equal a fresh analysis of the same text, whatever the edit:
 * typed characters, new and deleted lines, indentation changes that move statements in and out
 * of a block, broken and repaired syntax. Every fixture model and rule file gets a deterministic
 * series of such edits, compared in full (ops, figures, findings, function totals) after each.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { PythonState, disposePythonState } from '../../server/frontends/python';
import { PythonDocument, diffSpan } from '../../server/frontends/python/document';
import { pythonParser } from '../../server/frontends/python/parser';
import { DEFAULT_SETTINGS } from '../../server/core/settings';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures');
const FILES = ['models', 'rules', 'distributed', 'idioms', 'amp'].flatMap((d) => fs.readdirSync(path.join(FIXTURES, d)).filter((f) => f.endsWith('.py')).map((f) => path.join(FIXTURES, d, f)));

/** A small deterministic generator, so a failure names an edit that can be replayed. */
function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

const INSERTS = ['x', '\n', '\n\n', '    ', '(', ')', '#', ' @ w', 'def extra(a, b):\n    return a @ b\n', '"""', '1', ':', '\\\n', 'class Q:\n    pass\n'];

function edit(text: string, r: () => number): string {
  const lineStarts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  const kind = r();
  if (kind < 0.15) {
    // Indent or dedent a whole line: statements move into or out of a block.
    const at = lineStarts[Math.floor(r() * lineStarts.length)];
    return text.startsWith('    ', at) && r() < 0.5 ? text.slice(0, at) + text.slice(at + 4) : text.slice(0, at) + '    ' + text.slice(at);
  }
  if (kind < 0.25) {
    // Duplicate a line.
    const i = Math.floor(r() * (lineStarts.length - 1));
    const line = text.slice(lineStarts[i], lineStarts[i + 1]);
    return text.slice(0, lineStarts[i + 1]) + line + text.slice(lineStarts[i + 1]);
  }
  const pos = Math.floor(r() * (text.length + 1));
  const del = r() < 0.3 ? Math.floor(r() * 6) : 0;
  return text.slice(0, pos) + INSERTS[Math.floor(r() * INSERTS.length)] + text.slice(pos + del);
}

const KEYWORDS = /^(def|class|return|import|from|if|else|elif|for|while|in|not|and|or|is|None|True|False|with|as|lambda|self|pass|try|except|raise|assert|yield|global|del|break|continue|async|await)$/;

/**
 * Edits that mostly keep the syntax valid but change meaning: a number, a name (any identifier
 * of the file for another), a shape in an annotation, a blank line. These go through the
 * piecewise path of document.ts and hit the per-statement caches, where staleness would hide.
 */
function meaningEdit(text: string, r: () => number): string {
  const k = r();
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  if (k < 0.35) {
    const nums = [...text.matchAll(/\b\d+\b/g)];
    if (!nums.length) return text;
    const m = pick(nums);
    return text.slice(0, m.index) + pick([1, 2, 3, 4, 8, 12, 64, 512, 768, 1024]) + text.slice(m.index! + m[0].length);
  }
  if (k < 0.7) {
    const ids = [...text.matchAll(/\b[A-Za-z_]\w*\b/g)].filter((m) => !KEYWORDS.test(m[0]));
    const a = pick(ids);
    return text.slice(0, a.index) + pick(ids)[0] + text.slice(a.index! + a[0].length);
  }
  if (k < 0.85) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    const at = pick(starts);
    return text.slice(0, at) + '\n' + text.slice(at);
  }
  const shapes = [...text.matchAll(/"([A-Za-z0-9_ ]+)"/g)];
  if (!shapes.length) return text;
  const m = pick(shapes);
  const dims = m[1].split(' ');
  dims[Math.floor(r() * dims.length)] = pick(['B', 'T', 'C', 'D', 'H', '768', '1']);
  return text.slice(0, m.index! + 1) + dims.join(' ') + text.slice(m.index! + 1 + m[1].length);
}

function report(text: string, state?: PythonState) {
  const a = analyzeSource({ path: 'f.py', text, languageId: 'python' }, DEFAULT_SETTINGS, state ? { reuse: state } : undefined);
  return { json: JSON.stringify(fileJson(a)), state: a.state };
}

describe('incremental analysis equals fresh analysis', () => {
  before(() => initEngine());

  it('finds the one changed span between two texts', () => {
    assert.equal(diffSpan('abc', 'abc'), null);
    assert.deepEqual(diffSpan('abcdef', 'abXYef'), { start: 2, oldEnd: 4, newEnd: 4 });
    assert.deepEqual(diffSpan('aaaa', 'aaaaa'), { start: 4, oldEnd: 4, newEnd: 5 });
    const long = 'x'.repeat(5000);
    assert.deepEqual(diffSpan(`${long}a${long}`, `${long}bb${long}`), { start: 5000, oldEnd: 5001, newEnd: 5002 });
  });

  it('keeps its statements equal to a fresh parse, re-parsing only the edited ones', () => {
    const text0 = fs.readFileSync(FILES.find((f) => f.endsWith('gpt2_nanogpt_style.py'))!, 'utf8');
    const doc = new PythonDocument(text0);
    const r = rng(11);
    let text = text0;
    const modes = new Set<string>();
    try {
      for (let k = 0; k < 120; k++) {
        const next = edit(text, r);
        doc.update(next);
        const fresh = pythonParser().parse(next)!;
        try {
          const describe = (n: { type: string; startIndex: number; endIndex: number; startPosition: { row: number; column: number }; toString(): string }) => `${n.type} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column} ${n.toString()}`;
          assert.deepEqual(doc.statements.map(describe), fresh.rootNode.namedChildren.map((n) => describe(n!)), `edit ${k}`);
          assert.deepEqual(doc.statements.map((n) => n.text), fresh.rootNode.namedChildren.map((n) => n!.text));
        } finally {
          fresh.delete();
        }
        modes.add(doc.lastUpdate);
        // Half the broken edits are undone, so the series also sees chunked updates of valid code.
        text = doc.syntaxError && r() < 0.7 ? text : next;
        if (text !== next) doc.update(text);
      }
    } finally {
      doc.delete();
    }
    assert.ok(modes.has('chunks'), 'some updates re-parsed only the edited statements');
    assert.ok(modes.has('full'), 'broken syntax made some updates parse everything');
  });

  it('moves the statements after an edit that adds or removes lines, without a full parse', () => {
    const text0 = fs.readFileSync(FILES.find((f) => f.endsWith('resnet50_torchvision_style.py'))!, 'utf8');
    const doc = new PythonDocument(text0);
    const r = rng(5);
    let text = text0;
    try {
      for (let k = 0; k < 60; k++) {
        const starts = [0];
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
        const at = starts[Math.floor(r() * starts.length)];
        const blank = text.indexOf('\n\n', at);
        // Valid edits only: a blank line or a column-0 comment inserted before a line, or a
        // blank line removed.
        const kind = r();
        text = kind < 0.4 ? text.slice(0, at) + '\n' + text.slice(at) : kind < 0.7 || blank < 0 ? text.slice(0, at) + '# note\n' + text.slice(at) : text.slice(0, blank) + text.slice(blank + 1);
        doc.update(text);
        assert.equal(doc.lastUpdate, 'chunks', `edit ${k} re-parsed only what it touched`);
        const fresh = pythonParser().parse(text)!;
        try {
          const where = (n: { type: string; startIndex: number; endIndex: number; startPosition: { row: number; column: number }; endPosition: { row: number; column: number } }) => `${n.type} ${n.startIndex}-${n.endIndex} ${n.startPosition.row}:${n.startPosition.column}-${n.endPosition.row}:${n.endPosition.column}`;
          assert.deepEqual(doc.statements.map(where), fresh.rootNode.namedChildren.map((n) => where(n!)), `edit ${k}`);
          // Nodes inside moved statements are where they are too.
          const deep = (n: { descendantsOfType(t: string): ({ startPosition: { row: number }; text: string } | null)[] }) => n.descendantsOfType('call').map((c) => `${c!.startPosition.row} ${c!.text}`);
          assert.deepEqual(doc.statements.flatMap((n) => deep(n)), fresh.rootNode.namedChildren.flatMap((n) => deep(n!)));
        } finally {
          fresh.delete();
        }
      }
    } finally {
      doc.delete();
    }
  });

  it('cuts the ops into segments per statement, reusing the arrays of unchanged statements', () => {
    const text = fs.readFileSync(FILES.find((f) => f.endsWith('gpt2_nanogpt_style.py'))!, 'utf8');
    const first = analyzeSource({ path: 'f.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true });
    const at = text.lastIndexOf('return ');
    const second = analyzeSource({ path: 'f.py', text: text.slice(0, at) + 'return  ' + text.slice(at + 'return '.length), languageId: 'python' }, DEFAULT_SETTINGS, { reuse: first.state });
    try {
      for (const a of [first, second]) {
        assert.ok(a.ir.segments && a.ir.segments.length > 1);
        assert.deepEqual(a.ir.segments.flat(), a.ir.ops, 'the segments, end to end, are the ops');
      }
      // The edit changed one statement: every other segment is the same array, with the same figures.
      const before = new Set(first.ir.segments);
      const kept = second.ir.segments!.filter((s) => before.has(s));
      assert.ok(kept.length >= second.ir.segments!.length - 2, `${kept.length} of ${second.ir.segments!.length} segments reused`);
      const opAt = new Map(first.ir.ops.map((op, i) => [op, first.figures[i]]));
      second.ir.ops.forEach((op, i) => {
        if (opAt.has(op)) assert.equal(second.figures[i], opAt.get(op));
      });
    } finally {
      disposePythonState(second.state!);
    }
  });

  // Seeds from the file's name (not its path, so every checkout replays the same edits); two per
  // file, since one series of 25 edits only reaches some of the ways a cache can go stale.
  const seedOf = (file: string, k: number) => [...path.basename(file)].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_003, 7) + k * 7919;
  for (const file of FILES) {
    for (const series of [0, 1, 2]) {
      it(`after a series of edits: ${path.relative(FIXTURES, file)} (series ${series + 1})`, () => {
        let text = fs.readFileSync(file, 'utf8');
        const r = rng(seedOf(file, series));
        // Series 1 and 2 break and repair syntax as well; series 3 keeps it mostly valid.
        const next = series < 2 ? edit : meaningEdit;
        let state = analyzeSource({ path: 'f.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true }).state;
        try {
          for (let k = 0; k < 25; k++) {
            const changed = next(text, r);
            const inc = report(changed, state);
            state = inc.state;
            assert.equal(inc.json, report(changed).json, `edit ${k} of ${path.basename(file)}`);
            text = changed;
          }
        } finally {
          if (state) disposePythonState(state);
        }
      });
    }
  }
});
