/**
 * A plain-text table fitted to a width, so that no line is wider than the terminal: the least
 * important columns are left out until the rest fit with their free-text columns (source
 * snippets, function names) cut with an ellipsis to no less than a readable minimum.
 */

export interface Column {
  header: string;
  /** Free text that may be cut to `min` columns with an ellipsis. */
  shrink?: { min: number };
  /** Columns with a higher rank are left out first when cutting text is not enough; 0 never. */
  drop?: number;
  align?: 'left' | 'right';
}

/** A row of cells, or a group heading (a file name) printed on its own line. */
export type Row = { cells: string[] } | { heading: string };

const GAP = 2;

/** The table's lines, none longer than `width` (headings are cut too). */
export function fitTable(columns: Column[], rows: Row[], width: number, style: { dim(s: string): string; bold(s: string): string } = { dim: (s) => s, bold: (s) => s }): string[] {
  let keep = columns.map((_, i) => i);
  const natural = columns.map((c, i) => Math.max(len(c.header), ...rows.map((r) => ('cells' in r ? len(r.cells[i]) : 0))));
  let widths = fit(keep);
  while (!widths) {
    const rank = Math.max(...keep.map((i) => columns[i].drop ?? 0));
    if (rank === 0) break;
    const victim = keep.filter((i) => (columns[i].drop ?? 0) === rank).pop()!;
    keep = keep.filter((i) => i !== victim);
    widths = fit(keep);
  }
  // Nothing left to drop and still too wide (a very narrow terminal): squeeze to the minimums.
  const w = widths ?? keep.map((i) => (columns[i].shrink ? Math.min(natural[i], columns[i].shrink.min) : natural[i]));
  const line = (cells: string[]) =>
    keep
      .map((i, j) => {
        const c = cut(cells[i], w[j]);
        return columns[i].align === 'right' ? c.padStart(w[j]) : c.padEnd(w[j]);
      })
      .join(' '.repeat(GAP))
      .trimEnd();
  const out = [style.bold(line(columns.map((c) => c.header))), style.dim(w.map((x) => '-'.repeat(x)).join(' '.repeat(GAP)))];
  for (const r of rows) out.push('cells' in r ? line(r.cells) : style.bold(cut(r.heading, width)));
  return out;

  /** Widths for the kept columns within `width`, shrinking free-text columns; null if impossible. */
  function fit(cols: number[]): number[] | null {
    const ws = cols.map((i) => natural[i]);
    let excess = ws.reduce((a, b) => a + b, 0) + GAP * (cols.length - 1) - width;
    while (excess > 0) {
      // Take from the widest shrinkable column, so that long snippets give way before short ones.
      let best = -1;
      cols.forEach((i, j) => {
        const min = columns[i].shrink?.min;
        if (min !== undefined && ws[j] > min && (best < 0 || ws[j] > ws[best])) best = j;
      });
      if (best < 0) return null;
      ws[best]--;
      excess--;
    }
    return ws;
  }
}

/** Display length; the table's cells hold no wide characters or escapes. */
function len(s: string): number {
  return [...s].length;
}

function cut(s: string, w: number): string {
  const chars = [...s];
  return chars.length <= w ? s : w <= 1 ? chars.slice(0, w).join('') : chars.slice(0, w - 1).join('') + '…';
}
