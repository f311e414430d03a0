/** textDocument/hover: the op under the cursor (innermost), or a function's totals on its name. */
import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { Range } from '../../core/ir';
import { Analysis } from '../../engine/analyze';
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

export function hover(a: Analysis, p: Position, extra: (index: number) => string[] = () => []): Hover | null {
  const fn = a.functions.find((f) => contains(f.summary.nameRange, p));
  if (fn) return { contents: { kind: MarkupKind.Markdown, value: functionHover(a, fn) }, range: fn.summary.nameRange };
  const i = opAt(a, p);
  if (i < 0) return null;
  return { contents: { kind: MarkupKind.Markdown, value: opHover(a, i, extra(i)) }, range: a.ir.ops[i].range };
}
