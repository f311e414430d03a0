/** Shared helpers of the engine tests: analyse a source or a fixture, read function totals. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { withDefaults, Settings } from '../../server/core/settings';
import { REPO } from '../helpers/lspClient';

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
