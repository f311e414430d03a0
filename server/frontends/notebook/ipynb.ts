/**
 * Reading an `.ipynb` file (nbformat 4 JSON): its cells in order, each with its kind and its
 * source as one string. Nothing here parses Python; `module.ts` turns the code cells into one
 * Python text.
 */

export type CellKind = 'code' | 'markdown' | 'raw';

export interface NotebookCellSource {
  /** Position among all the notebook's cells, markdown and raw ones included (0-based). */
  index: number;
  kind: CellKind;
  text: string;
  /** The cell's language where the notebook says (VS Code writes `metadata.vscode.languageId`). */
  language?: string;
}

export interface ParsedNotebook {
  cells: NotebookCellSource[];
  /** The kernel's language: `metadata.language_info.name`, else `metadata.kernelspec.language`. */
  language?: string;
}

export class NotebookFormatError extends Error {}

/** nbformat writes `source` as a string or as a list of strings (lines, newlines kept). */
function sourceText(source: unknown): string {
  if (typeof source === 'string') return source;
  if (Array.isArray(source)) return source.filter((s) => typeof s === 'string').join('');
  return '';
}

export function parseNotebook(json: string): ParsedNotebook {
  let nb: unknown;
  try {
    nb = JSON.parse(json);
  } catch (e) {
    throw new NotebookFormatError(`not a notebook (invalid JSON: ${(e as Error).message})`);
  }
  const obj = nb as { nbformat?: unknown; cells?: unknown; metadata?: Record<string, any> };
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.cells)) throw new NotebookFormatError('not a notebook (no "cells" list)');
  // nbformat 3 kept cells under "worksheets"; only version 4 has a top-level list.
  if (typeof obj.nbformat === 'number' && obj.nbformat < 4) throw new NotebookFormatError(`nbformat ${obj.nbformat} is not supported (4 is)`);
  const meta = obj.metadata ?? {};
  const language = (meta.language_info?.name ?? meta.kernelspec?.language) as string | undefined;
  const cells = (obj.cells as any[]).map((c, index): NotebookCellSource => {
    const kind: CellKind = c?.cell_type === 'code' ? 'code' : c?.cell_type === 'raw' ? 'raw' : 'markdown';
    const lang = c?.metadata?.vscode?.languageId;
    return { index, kind, text: sourceText(c?.source), ...(typeof lang === 'string' ? { language: lang } : {}) };
  });
  return { cells, ...(typeof language === 'string' ? { language: language.toLowerCase() } : {}) };
}

/** The code cells that hold Python: all code cells of a Python notebook, minus cells marked otherwise. */
export function pythonCells(nb: ParsedNotebook): NotebookCellSource[] {
  const notebookIsPython = nb.language === undefined || nb.language === 'python';
  return nb.cells.filter((c) => c.kind === 'code' && (c.language ? c.language === 'python' : notebookIsPython));
}
