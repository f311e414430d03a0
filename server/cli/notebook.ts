/**
 * `tensorcost check` on `.ipynb` files: the notebook's code cells analysed as one Python module,
 * and every position reported in its cell. Cells are numbered from 1 among all the notebook's
 * cells, markdown included, as ruff and nbQA number them (`nb.ipynb:cell 3:2:5: ...`), so the
 * number is the cell's place in the notebook whatever its kind.
 */
import type { Position, Range } from '../core/ir';
import type { JsonFile } from '../engine/report';
import { NotebookMap, RawNotebookPositions, notebookFromJson } from '../frontends/notebook';

export interface NotebookInput {
  /** The Python text the analysis reads. */
  text: string;
  map: NotebookMap;
  /** The file's JSON, for positions in the file itself (SARIF). */
  json: string;
  raw?: RawNotebookPositions;
}

/** Throws NotebookFormatError when the file is not an nbformat 4 notebook. */
export function readNotebook(json: string): NotebookInput {
  const { text, map } = notebookFromJson(json);
  return { text, map, json };
}

/** `cell N:line:col` (1-based), or `cell N:line` without the column. */
export function cellLocation(map: NotebookMap, p: Position, column = true): string {
  const c = map.toCell(p);
  if (!c) return `${p.line + 1}${column ? `:${p.character + 1}` : ''}`;
  return `cell ${c.cell + 1}:${c.line + 1}${column ? `:${c.character + 1}` : ''}`;
}

function isRange(v: unknown): v is Range {
  const r = v as Partial<Range> | null;
  return typeof r === 'object' && r !== null && typeof r.start?.line === 'number' && typeof r.end?.line === 'number';
}

/** A position of the JSON report in a notebook: its cell (1-based), and line and character in it. */
function cellPosition(map: NotebookMap, p: Position): Position & { cell?: number } {
  const c = map.toCell(p);
  return c ? { cell: c.cell + 1, line: c.line, character: c.character } : p;
}

function withCells(v: unknown, map: NotebookMap): unknown {
  if (isRange(v)) return { start: cellPosition(map, v.start), end: cellPosition(map, v.end) };
  if (Array.isArray(v)) return v.map((x) => withCells(x, map));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withCells(x, map)]));
  return v;
}

/**
 * The JSON report's file entry with `"cell": N` added to every position, lines counted in the
 * cell, and `"notebook": true` so that a reader knows to expect it.
 */
export function notebookJson(file: JsonFile, map: NotebookMap): JsonFile & { notebook: true } {
  return { ...(withCells(file, map) as JsonFile), notebook: true };
}

/**
 * A SARIF location for a range of a notebook. Code scanning has no notion of notebook cells
 * (SARIF 2.1.0 places results in an artifact's text, and GitHub's accepted subset adds nothing
 * for notebooks), so the region is in the `.ipynb` file's own text: the JSON string that holds
 * the cell's line. The cell and the position in it go in the result's properties.
 */
export function notebookSarifRegion(nb: NotebookInput, r: Range) {
  nb.raw ??= new RawNotebookPositions(nb.json);
  const s = nb.map.toCell(r.start);
  const e = nb.map.toCell(r.end) ?? s;
  const start = s && nb.raw.toFile(s.cell, s);
  const end = s && e && e.cell === s.cell ? nb.raw.toFile(e.cell, e) : undefined;
  return {
    region: start ? { startLine: start.line + 1, startColumn: start.character + 1, endLine: (end ?? start).line + 1, endColumn: (end ?? start).character + 1 } : undefined,
    properties: s
      ? {
          notebookCell: s.cell + 1,
          cellRegion: { startLine: s.line + 1, startColumn: s.character + 1, endLine: (e ?? s).line + 1, endColumn: (e ?? s).character + 1 },
          regionIn: 'ipynb-json',
        }
      : undefined,
  };
}
