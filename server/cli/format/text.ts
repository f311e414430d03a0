/** Human output of `tensorcost check`: `path:line:col: CODE message`, then a totals table. */
import { escapeControl } from '../../core/escape';
import { bytesText, exact, flopsText, timeText } from '../../core/format';
import { Position } from '../../core/ir';
import { Analysis } from '../../engine/analyze';
import { NotebookMap } from '../../frontends/notebook/map';
import { cellLocation } from '../notebook';

/** `notebookOf` gives the cell map of an analysis made from a notebook: its positions are then `cell N:line:col`. */
export function formatText(analyses: Analysis[], cwdRelative: (p: string) => string, notebookOf: (a: Analysis) => NotebookMap | undefined = () => undefined): string {
  const at = (a: Analysis, p: Position, column = true) => {
    const map = notebookOf(a);
    return map ? cellLocation(map, p, column) : `${p.line + 1}${column ? `:${p.character + 1}` : ''}`;
  };
  const lines: string[] = [];
  for (const a of analyses) {
    const sorted = [...a.findings].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
    // Messages quote the code (einsum equations, op texts): a control character in them must
    // reach the terminal as a visible escape, never as a command to it.
    for (const f of sorted) lines.push(escapeControl(`${cwdRelative(a.ir.path)}:${at(a, f.range.start)}: ${f.code} ${f.message.replace(/\r?\n/g, ' ')}`));
  }
  const rows: string[][] = [];
  for (const a of analyses) {
    a.ir.ops.forEach((op, i) => {
      const f = a.figures[i];
      rows.push([
        `${cwdRelative(a.ir.path)}:${at(a, op.range.start)}`,
        op.function ?? '<module>',
        op.name,
        op.kind,
        f.flops === null ? (op.cost.unknown ? '?' : (op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops).toString()) : f.flops === 0 ? '—' : `${exact(f.flops)} (${flopsText(f.flops)})`,
        f.otherFlops === null ? '?' : f.otherFlops === 0 ? '—' : flopsText(f.otherFlops),
        f.bytes === null ? '?' : bytesText(f.bytes),
        f.intensity === null ? '?' : `${f.intensity.toPrecision(3)} FLOP/B`,
        // No bound for an op that does no work (a view): a dash, as for its zero FLOPs.
        f.bound ?? (f.timeSeconds === 0 ? '—' : '?'),
        f.timeSeconds === null ? '?' : timeText(f.timeSeconds),
      ]);
    });
  }
  if (rows.length > 0) {
    if (lines.length) lines.push('');
    lines.push(table(['location', 'function', 'op', 'kind', 'FLOPs (GEMM)', 'other FLOPs', 'bytes', 'intensity', 'bound', 'time'], rows));
  }
  const fnRows: string[][] = [];
  for (const a of analyses) {
    for (const { summary, figures, incomplete } of a.functions) {
      if (summary.flops.isZero() && summary.otherFlops.isZero() && !incomplete) continue;
      if (incomplete && summary.flops.isZero() && summary.otherFlops.isZero()) {
        fnRows.push([`${cwdRelative(a.ir.path)}:${at(a, summary.range.start, false)}`, summary.name, '? (operand shapes unknown)', '?', '?', 'annotate its parameters']);
        continue;
      }
      fnRows.push([
        `${cwdRelative(a.ir.path)}:${at(a, summary.range.start, false)}`,
        summary.name,
        (figures.flops === null ? summary.flops.toString() : `${exact(figures.flops)} (${flopsText(figures.flops)})${summary.upperBound ? ' (upper bound)' : ''}`) + (incomplete ? ' + ? (some shapes unknown)' : ''),
        figures.otherFlops === null ? summary.otherFlops.toString() : flopsText(figures.otherFlops),
        figures.bytes === null ? '?' : bytesText(figures.bytes),
        // No time with every dim bound (a division by a zero dim, say): there is nothing to bind.
        figures.timeSeconds === null ? (figures.unbound.length ? `bind ${figures.unbound.join(', ')}` : '?') : timeText(figures.timeSeconds),
      ]);
    }
  }
  if (fnRows.length > 0) {
    lines.push('');
    lines.push(table(['function', 'name', 'FLOPs (inclusive)', 'other FLOPs', 'bytes', 'time'], fnRows));
  }
  // What went unread: calls no rule models, and ops whose operand shapes are unknown. Their
  // cost is missing from every total above, which must say so rather than look complete.
  const unread: string[] = [];
  for (const a of analyses) {
    const unknownOps = a.ir.ops.filter((op) => op.cost.unknown).length;
    const names = new Map<string, number[]>();
    for (const u of a.ir.unmodelled) names.set(u.name, [...(names.get(u.name) ?? []), u.range.start.line + 1]);
    if (names.size === 0 && unknownOps === 0) continue;
    const parts: string[] = [];
    if (names.size > 0) {
      const list = [...names].slice(0, 8).map(([n, ls]) => `${n} (line${ls.length > 1 ? 's' : ''} ${ls.slice(0, 3).join(', ')}${ls.length > 3 ? ', …' : ''})`);
      parts.push(`${a.ir.unmodelled.length} call(s) not modelled: ${list.join(', ')}${names.size > 8 ? `, and ${names.size - 8} more` : ''}`);
    }
    if (unknownOps > 0) parts.push(`${unknownOps} op(s) with unknown operand shapes (cost shown as ?)`);
    unread.push(`${cwdRelative(a.ir.path)}: ${parts.join('; ')}; their cost is not in the totals.`);
  }
  if (unread.length > 0) {
    lines.push('');
    lines.push(...unread);
  }
  const device = analyses[0]?.device;
  const errors = analyses.reduce((n, a) => n + a.findings.filter((f) => f.severity === 'error').length, 0);
  const warnings = analyses.reduce((n, a) => n + a.findings.filter((f) => f.severity === 'warning').length, 0);
  lines.push('');
  lines.push(escapeControl(`${analyses.length} file(s), ${rows.length} op(s), ${errors} error(s), ${warnings} warning(s)${device ? ` on ${device.name} (${device.id})` : ''}.`));
  return lines.join('\n') + '\n';
}

function table(header: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map(escapeControl));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(fmt)].join('\n');
}
