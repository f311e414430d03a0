/** Runs fixture files through the whole pipeline, as the CLI and the server do. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Settings, withDefaults } from '../../server/core/settings';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';

export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'rules');

export async function analyseFixture(name: string, settings: Partial<Settings> = {}): Promise<Analysis> {
  await initEngine();
  const file = path.join(FIXTURES, name);
  return analyzeSource({ path: file, text: fs.readFileSync(file, 'utf8'), languageId: 'python' }, withDefaults(settings));
}

export async function analyseText(text: string, settings: Partial<Settings> = {}): Promise<Analysis> {
  await initEngine();
  return analyzeSource({ path: 'snippet.py', text, languageId: 'python' }, withDefaults(settings));
}

export function codes(a: Analysis): string[] {
  return a.findings.map((f) => f.code).sort();
}

/** Applies LSP text edits (non-overlapping) to a text. */
export function applyEdits(text: string, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}
