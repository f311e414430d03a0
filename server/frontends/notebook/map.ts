/**
 * Where each code cell sits in the notebook's Python text, both ways: a line of the text is a
 * line of one cell, and a cell's line is a line of the text. Cells are laid end to end, each on
 * its own lines, and characters within a line never move, so a position maps by its line alone.
 */
import type { Position, Range } from '../../core/ir';

export interface CellSpan {
  /** Position among all the notebook's cells (0-based), as the notebook shows them. */
  index: number;
  /** The client's name for the cell (its document URI in the language server), where there is one. */
  id?: string;
  /** First line of the cell in the text. */
  startLine: number;
  lineCount: number;
}

export interface CellPosition extends Position {
  /** The cell's `index`. */
  cell: number;
}

export class NotebookMap {
  constructor(readonly cells: readonly CellSpan[]) {}

  /** The cell that holds a line of the text, or undefined past the end. */
  cellAtLine(line: number): CellSpan | undefined {
    let lo = 0;
    let hi = this.cells.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.cells[mid];
      if (line < c.startLine) hi = mid - 1;
      else if (line >= c.startLine + c.lineCount) lo = mid + 1;
      else return c;
    }
    return undefined;
  }

  /** A position of the text as a cell and a position in that cell. */
  toCell(p: Position): CellPosition | undefined {
    const c = this.cellAtLine(p.line);
    return c && { cell: c.index, line: p.line - c.startLine, character: p.character };
  }

  /** A position in a cell as a position of the text. */
  toText(cell: number, p: Position): Position | undefined {
    const c = this.byIndex(cell);
    if (!c || p.line < 0 || p.line >= c.lineCount) return undefined;
    return { line: c.startLine + p.line, character: p.character };
  }

  byIndex(index: number): CellSpan | undefined {
    return this.cells.find((c) => c.index === index);
  }

  byId(id: string): CellSpan | undefined {
    return this.cells.find((c) => c.id === id);
  }

  /** True when the range starts in the cell (ops, functions and findings never cross cells). */
  holds(c: CellSpan, r: Range): boolean {
    return r.start.line >= c.startLine && r.start.line < c.startLine + c.lineCount;
  }
}
