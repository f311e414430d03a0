/**
 * One cell's view of a notebook's analysis: its ops, functions and findings, with positions in
 * the cell. The editor's features (hover, inlay hints, code lenses, code actions) take such a
 * view for a cell's document as they take a file's analysis, and need no notion of notebooks.
 * Totals stay the notebook's: the status bar and the roofline view speak of the whole notebook.
 */
import type { Range, TensorOp } from '../core/ir';
import { shiftRanges } from '../core/shift';
import type { CellSpan, NotebookMap } from '../frontends/notebook/map';
import type { Analysis } from './analyze';

function hasRange(x: unknown): x is { range: Range } {
  const r = (x as { range?: Range } | null)?.range;
  return typeof r === 'object' && r !== null && typeof r.start?.line === 'number';
}

const VIEWS = new WeakMap<Analysis, Map<number, Analysis>>();

export function cellView(a: Analysis, map: NotebookMap, cell: CellSpan): Analysis {
  let views = VIEWS.get(a);
  if (!views) VIEWS.set(a, (views = new Map()));
  let v = views.get(cell.index);
  if (!v) views.set(cell.index, (v = project(a, map, cell)));
  return v;
}

function project(a: Analysis, map: NotebookMap, cell: CellSpan): Analysis {
  const by = -cell.startLine;
  const inCell = (r: Range) => map.holds(cell, r);
  const ops: TensorOp[] = [];
  const figures: Analysis['figures'] = [];
  a.ir.ops.forEach((op, i) => {
    if (!inCell(op.range)) return;
    ops.push(shiftRanges(op, by));
    figures.push(a.figures[i]);
  });
  // Related locations in other cells would point at lines of this cell: they are left out.
  const findings = a.findings.filter((f) => inCell(f.range)).map((f) => shiftRanges({ ...f, ...(f.related ? { related: f.related.filter((r) => inCell(r.range)) } : {}) }, by));
  const signals: Record<string, unknown[]> = {};
  for (const [k, list] of Object.entries(a.ir.signals)) signals[k] = shiftRanges(list.filter((s) => !hasRange(s) || inCell(s.range)), by);
  return {
    ...a,
    ir: {
      ...a.ir,
      ops,
      segments: [ops],
      functions: a.ir.functions.filter((f) => inCell(f.range)).map((f) => shiftRanges(f, by)),
      findings: a.ir.findings.filter((f) => inCell(f.range)).map((f) => shiftRanges(f, by)),
      unmodelled: a.ir.unmodelled.filter((u) => inCell(u.range)).map((u) => shiftRanges(u, by)),
      signals,
    },
    figures,
    functions: a.functions.filter((f) => inCell(f.summary.range)).map((f) => shiftRanges(f, by)),
    findings,
    state: undefined,
  };
}
