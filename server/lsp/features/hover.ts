/** textDocument/hover: the op under the cursor (innermost), or a function's or class's totals on its name. */
import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { Range } from '../../core/ir';
import { Analysis, FunctionFigures } from '../../engine/analyze';
import { MeasuredPoint } from '../../protocol';
import { commHoverSection } from './commHover';
import { functionHover, opHover } from './hoverMarkdown';

export function contains(r: Range, p: Position): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

function size(r: Range): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}

/** Index of the innermost op whose range contains the position, or -1. */
export function opAt(a: Analysis, p: Position): number {
  let best = -1;
  a.ir.ops.forEach((op, i) => {
    if (contains(op.range, p) && (best < 0 || size(op.range) < size(a.ir.ops[best].range))) best = i;
  });
  return best;
}

/** Measured points recorded for the op at `index` (same start position). */
export function measuredFor(a: Analysis, index: number, measured: readonly MeasuredPoint[]): MeasuredPoint[] {
  const r = a.ir.ops[index].range;
  return measured.filter((m) => m.range.start.line === r.start.line && m.range.start.character === r.start.character);
}

const CLASS_DEF = /^(\s*)class\s+([A-Za-z_][A-Za-z0-9_]*)/;
/** The methods whose cost a class name stands for: calling a module runs its forward. */
const CALL_METHODS = ['forward', '__call__'];

/**
 * The class whose name is under the cursor, read from the line's text (cheaper and safer than
 * walking a tree another version may already have replaced), with the method it stands for.
 */
export function classAt(a: Analysis, p: Position, lineText: string | undefined): { fn: FunctionFigures; range: Range } | undefined {
  const m = lineText ? CLASS_DEF.exec(lineText) : null;
  if (!m) return undefined;
  const start = lineText!.indexOf(m[2], m[1].length + 5);
  if (p.character < start || p.character > start + m[2].length) return undefined;
  for (const meth of CALL_METHODS) {
    const fn = a.functions.find((f) => f.summary.name === `${m[2]}.${meth}`);
    if (fn) return { fn, range: { start: { line: p.line, character: start }, end: { line: p.line, character: start + m[2].length } } };
  }
  return undefined;
}

export function hover(a: Analysis, p: Position, opts: { lineText?: string; measured?: readonly MeasuredPoint[] } = {}): Hover | null {
  const fn = a.functions.find((f) => contains(f.summary.nameRange, p));
  if (fn) return { contents: { kind: MarkupKind.Markdown, value: functionHover(a, fn) + commHoverSection(a, a.settings, fn.summary.name) }, range: fn.summary.nameRange };
  const cls = classAt(a, p, opts.lineText);
  if (cls) {
    const value = functionHover(a, cls.fn, cls.fn.summary.name.split('.')[0]) + commHoverSection(a, a.settings, cls.fn.summary.name);
    return { contents: { kind: MarkupKind.Markdown, value }, range: cls.range };
  }
  const i = opAt(a, p);
  if (i < 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: opHover(a, i, measuredFor(a, i, opts.measured ?? [])) }, range: a.ir.ops[i].range };
}
