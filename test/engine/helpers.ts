/** Shared helpers of the engine tests: analyse a source or a fixture, read function totals. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { withDefaults, Settings } from '../../server/core/settings';
import { REPO } from '../helpers/lspClient';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { buildContextIndex, withContexts } from '../../server/engine/contexts';
import { DocumentCache } from '../../server/frontends/python/session';
import { collectFiles } from '../../server/node/files';
import { DiskProgram, programPath } from '../../server/node/program';

export const FIXTURES = path.join(REPO, 'test', 'fixtures', 'models');

let ready: Promise<void> | undefined;
export function ready$(): Promise<void> {
  ready ??= initEngine();
  return ready;
}

export function analyse(text: string, settings: Partial<Settings> = {}, file = 'snippet.py'): Analysis {
  return analyzeSource({ path: file, text, languageId: 'python' }, withDefaults(settings));
}

export function analyseFixture(name: string, settings: Partial<Settings> = {}): Analysis {
  return analyse(fs.readFileSync(path.join(FIXTURES, name), 'utf8'), settings, name);
}

/** The function's figures; fails loudly (with the names there are) when it is missing. */
export function fn(a: Analysis, name: string) {
  const f = a.functions.find((x) => x.summary.name === name);
  if (!f) throw new Error(`no function ${name}; have ${a.functions.map((x) => x.summary.name).join(', ')}`);
  return f;
}

/** Sum of the FLOPs of a function's reported ops matching a predicate (repeat applied). */
export function opFlops(a: Analysis, fnName: string, pred: (op: Analysis['ir']['ops'][number]) => boolean): number {
  let total = 0;
  a.ir.ops.forEach((op, i) => {
    if (op.function === fnName && pred(op)) total += a.figures[i].flops ?? NaN;
  });
  return total;
}

/** Shape of a tensor as text, dims in ascii formula form: `B, T, 768`. */
export function shapeText(shape: readonly { toString(): string }[] | null): string {
  return shape ? shape.map((d) => d.toString()).join(', ') : '?';
}

/**
 * A folder's Python files analysed as the CLI does: one program, contexts joined. Keyed by the
 * path relative to the folder, '/'-separated (a file at the top: its name).
 */
export function analyseFolder(dir: string): Map<string, Analysis> {
  const files = collectFiles([dir]).files.filter((f) => f.endsWith('.py'));
  const program = { files: new DiskProgram([dir]), docs: new DocumentCache(), key: programPath };
  const raw = files.map((f) => analyzeSource({ path: f, text: fs.readFileSync(f, 'utf8'), languageId: 'python' }, DEFAULT_SETTINGS, { program }));
  program.docs.clear();
  const index = buildContextIndex(raw.map((a) => a.ir));
  return new Map(raw.map((a) => [path.relative(dir, a.ir.path).split(path.sep).join('/'), withContexts(a, index)]));
}

/** The text with the first `from` after `after` replaced by `to` (an edit within a line). */
export function replaceAfter(text: string, after: string, from: string, to: string): string {
  const start = text.indexOf(after);
  assert.ok(start >= 0, `'${after}' is in the text`);
  const at = text.indexOf(from, start);
  assert.ok(at >= 0, `'${from}' follows '${after}'`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The FLOPs of a script's top-level run in an analysed folder: complete (no reason) and a number. */
export function scriptFlops(out: Map<string, Analysis>, file: string): number | undefined {
  const m = out.get(file)!.ir.moduleSummary!;
  assert.deepEqual(m.reasons ?? [], [], `${file}: ${JSON.stringify(m.reasons)}`);
  assert.equal(m.flops.constValue(), m.flops.evaluate(new Map()), `${file}: a number`);
  return m.flops.constValue();
}
