/**
 * The cost tables of `tensorcost check --table`: one row per op, then one per function with its
 * inclusive totals, grouped under a heading per file so that rows give only `line:col`. Fitted
 * to the terminal: minor columns (kind, intensity, other FLOPs) are left out before source
 * snippets and names are cut below a readable width.
 */
import { NotebookMap } from '../../frontends/notebook/map';
import { cellLocation } from '../notebook';
import { bytesText, exact, flopsText, timeText } from '../../core/format';
import { Analysis } from '../../engine/analyze';
import { Column, fitTable, Row } from './fitTable';
import { Styles } from './terminal';

const OP_COLUMNS: Column[] = [
  { header: 'line:col' },
  { header: 'function', shrink: { min: 16 }, drop: 3 },
  { header: 'op', shrink: { min: 14 } },
  { header: 'kind', drop: 6 },
  // Unbound FLOPs are a formula of any length; cut like the free text.
  { header: 'FLOPs', align: 'right', shrink: { min: 12 } },
  { header: 'other FLOPs', align: 'right', drop: 4 },
  { header: 'bytes', align: 'right' },
  { header: 'FLOP/B', align: 'right', drop: 5 },
  { header: 'bound', drop: 2 },
  { header: 'time', align: 'right' },
];

const FUNCTION_COLUMNS: Column[] = [
  { header: 'line' },
  { header: 'function', shrink: { min: 16 } },
  // Exact counts, never cut (formulas are capped at FORMULA_MAX instead): columns go first.
  { header: 'FLOPs (inclusive)', align: 'right' },
  { header: 'other FLOPs', align: 'right', drop: 2 },
  { header: 'bytes', align: 'right', drop: 1 },
  { header: 'time', shrink: { min: 8 } },
];

/** A function's unbound FLOPs formula can be any length; the hover and JSON have it whole. */
const FORMULA_MAX = 40;
const capped = (s: string) => (s.length > FORMULA_MAX ? s.slice(0, FORMULA_MAX - 1) + '…' : s);

export function costTables(analyses: Analysis[], rel: (p: string) => string, width: number, st: Styles, notebookOf?: (a: Analysis) => NotebookMap | undefined): string[] {
  const opRows: Row[] = [];
  const fnRows: Row[] = [];
  for (const a of analyses) {
    const file = rel(a.ir.path);
    if (a.ir.ops.length) opRows.push({ heading: file });
    a.ir.ops.forEach((op, i) => {
      const f = a.figures[i];
      const symbolic = op.cost.unknown ? '?' : (op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops).toString();
      opRows.push({
        cells: [
          notebookOf?.(a) ? cellLocation(notebookOf(a)!, op.range.start, true) : `${op.range.start.line + 1}:${op.range.start.character + 1}`,
          op.function ?? '<module>',
          op.name,
          op.kind,
          f.flops === null ? symbolic : f.flops === 0 ? '—' : flopsText(f.flops),
          f.otherFlops === null ? '?' : f.otherFlops === 0 ? '—' : flopsText(f.otherFlops),
          f.bytes === null ? '?' : bytesText(f.bytes),
          f.intensity === null ? '?' : f.intensity.toPrecision(3),
          f.bound ?? '?',
          f.timeSeconds === null ? '?' : timeText(f.timeSeconds),
        ],
      });
    });
    let heading = false;
    for (const { summary, figures, incomplete } of a.functions) {
      if (summary.flops.isZero() && summary.otherFlops.isZero() && !incomplete) continue;
      if (!heading) fnRows.push({ heading: file });
      heading = true;
      const line = notebookOf?.(a) ? cellLocation(notebookOf(a)!, summary.range.start, false) : String(summary.range.start.line + 1);
      if (incomplete && summary.flops.isZero() && summary.otherFlops.isZero()) {
        fnRows.push({ cells: [line, summary.name, '? (operand shapes unknown)', '?', '?', 'annotate its parameters'] });
        continue;
      }
      const flops = figures.flops === null ? capped(summary.flops.toString()) : `${exact(figures.flops)} (${flopsText(figures.flops)})${summary.upperBound ? ' (upper bound)' : ''}`;
      fnRows.push({
        cells: [
          line,
          summary.name,
          flops + (incomplete ? ' + ?' : ''),
          figures.otherFlops === null ? summary.otherFlops.toString() : figures.otherFlops === 0 ? '—' : flopsText(figures.otherFlops),
          figures.bytes === null ? '?' : bytesText(figures.bytes),
          // No time with every dim bound (a division by a zero dim, say): there is nothing to bind.
          figures.timeSeconds === null ? (figures.unbound.length ? `bind ${figures.unbound.join(', ')}` : '?') : timeText(figures.timeSeconds),
        ],
      });
    }
  }
  const out: string[] = [];
  if (opRows.length) out.push(...fitTable(OP_COLUMNS, opRows, width, st));
  if (fnRows.length) {
    if (out.length) out.push('');
    out.push(...fitTable(FUNCTION_COLUMNS, fnRows, width, st));
  }
  return out;
}
