/** Human output of `tensorcost check`: `path:line:col: CODE message`, then a totals table. */
import { escapeControl } from '../../core/escape';
import { bytesText, exact, flopsText, timeText } from '../../core/format';
import { Analysis } from '../../engine/analyze';

export function formatText(analyses: Analysis[], cwdRelative: (p: string) => string): string {
  const lines: string[] = [];
  for (const a of analyses) {
    const sorted = [...a.findings].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character);
    // Messages quote the code (einsum equations, op texts): a control character in them must
    // reach the terminal as a visible escape, never as a command to it.
    for (const f of sorted) lines.push(escapeControl(`${cwdRelative(a.ir.path)}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.code} ${f.message.replace(/\r?\n/g, ' ')}`));
  }
  const rows: string[][] = [];
  for (const a of analyses) {
    a.ir.ops.forEach((op, i) => {
      const f = a.figures[i];
      rows.push([
        `${cwdRelative(a.ir.path)}:${op.range.start.line + 1}:${op.range.start.character + 1}`,
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
        fnRows.push([`${cwdRelative(a.ir.path)}:${summary.range.start.line + 1}`, summary.name, '? (operand shapes unknown)', '?', '?', 'annotate its parameters']);
        continue;
      }
      fnRows.push([
        `${cwdRelative(a.ir.path)}:${summary.range.start.line + 1}`,
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
