/**
 * A notebook's Python code cells as one Python module, the way the kernel runs them (in order,
 * one namespace): a shape or a config defined in cell 3 is known in cell 7. IPython syntax is
 * blanked (`magics.ts`) and so is any statement that does not parse: a cell left with a broken
 * statement must not swallow the cells after it (an unclosed bracket in cell 2 would otherwise
 * make tree-sitter read cell 3 as the rest of that expression).
 */
import { parsePython } from '../python/parser';
import { blankIPython } from './magics';
import { CellSpan, NotebookMap } from './map';

export interface CodeCell {
  index: number;
  text: string;
  id?: string;
}

export interface NotebookModule {
  text: string;
  map: NotebookMap;
}

/** Cleaned cell texts by source, for the language server, which rebuilds the module per edit. */
const CLEANED = new Map<string, string[]>();
const MAX_CLEANED = 512;

/** A cell's lines as Python: IPython syntax blanked, then the statements that do not parse. */
export function cleanCell(text: string): string[] {
  const hit = CLEANED.get(text);
  if (hit) return hit;
  const lines = blankIPython(text).lines;
  blankBrokenStatements(lines);
  CLEANED.set(text, lines);
  if (CLEANED.size > MAX_CLEANED) CLEANED.delete(CLEANED.keys().next().value as string);
  return lines;
}

/**
 * Blanks the top-level statements that hold a syntax error, in place. Tree-sitter recovers per
 * statement (an ERROR or MISSING node inside the broken statement, the others intact), so the
 * rest of the cell is kept; if the cell still does not parse, all of it is blanked.
 */
export function blankBrokenStatements(lines: string[]): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    const tree = parsePython(lines.join('\n'));
    try {
      const root = tree.rootNode;
      if (!root.hasError) return;
      for (const child of root.children) {
        if (!child || !(child.hasError || child.isMissing || child.type === 'ERROR')) continue;
        for (let l = child.startPosition.row; l <= child.endPosition.row && l < lines.length; l++) lines[l] = '';
      }
    } finally {
      tree.delete();
    }
  }
  lines.fill('');
}

export function notebookModule(cells: readonly CodeCell[]): NotebookModule {
  const spans: CellSpan[] = [];
  const out: string[] = [];
  for (const c of cells) {
    const lines = cleanCell(c.text);
    spans.push({ index: c.index, ...(c.id !== undefined ? { id: c.id } : {}), startLine: out.length, lineCount: lines.length });
    for (const l of lines) out.push(l);
  }
  return { text: out.join('\n'), map: new NotebookMap(spans) };
}
