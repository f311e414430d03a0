/**
 * Human output of `tensorcost check`, shaped like the linters people already read: one line per
 * finding, `path:line:col: CODE message`, then a short summary. The per-op and per-function cost
 * tables come only on request (`--table`), fitted to the terminal; `--statistics` prints counts
 * per code instead of the findings, as ruff does. A rule's long explanation is
 * `tensorcost explain CODE`, never repeated here.
 */
import { flopsText, timeText, bytesText } from '../../core/format';
import { Finding, Severity } from '../../core/ir';
import { findRule } from '../../core/rules/registry';
import { Analysis } from '../../engine/analyze';
import { costTables } from './costTable';
import { styles, Styles, Terminal } from './terminal';

export interface TextOptions extends Terminal {
  /** Print the cost tables after the findings. */
  table?: boolean;
  /** Print counts per code instead of the findings. */
  statistics?: boolean;
}

const PLAIN: TextOptions = { width: 100, color: false };

export function formatText(analyses: Analysis[], cwdRelative: (p: string) => string, opts: TextOptions = PLAIN): string {
  const st = styles(opts.color);
  const lines: string[] = opts.statistics ? statistics(analyses, st) : findingLines(analyses, cwdRelative, st);
  if (opts.table) {
    const tables = costTables(analyses, cwdRelative, opts.width, st);
    if (tables.length) {
      if (lines.length) lines.push('');
      lines.push(...tables);
    }
  }
  if (lines.length) lines.push('');
  lines.push(...summary(analyses, st, !!opts.table));
  return lines.join('\n') + '\n';
}

function findingLines(analyses: Analysis[], rel: (p: string) => string, st: Styles): string[] {
  const lines: string[] = [];
  for (const a of analyses) {
    const file = rel(a.ir.path);
    for (const f of sortFindings(a.findings)) {
      const where = `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}:`;
      lines.push(`${st.bold(where)} ${severityStyle(f.severity, st)(f.code)} ${f.message}`);
    }
  }
  return lines;
}

function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((x, y) => x.range.start.line - y.range.start.line || x.range.start.character - y.range.start.character || x.code.localeCompare(y.code));
}

function severityStyle(s: Severity, st: Styles): (text: string) => string {
  return s === 'error' ? st.red : s === 'warning' ? st.yellow : s === 'information' ? st.cyan : st.dim;
}

/** `count  CODE  name`, most frequent first, as `ruff check --statistics`. */
function statistics(analyses: Analysis[], st: Styles): string[] {
  const counts = new Map<string, { n: number; severity: Severity }>();
  for (const a of analyses) {
    for (const f of a.findings) {
      const c = counts.get(f.code);
      if (c) c.n++;
      else counts.set(f.code, { n: 1, severity: f.severity });
    }
  }
  const rows = [...counts].sort((x, y) => y[1].n - x[1].n || x[0].localeCompare(y[0]));
  const w = Math.max(0, ...rows.map(([, c]) => String(c.n).length));
  return rows.map(([code, c]) => `${String(c.n).padStart(w)}  ${severityStyle(c.severity, st)(code)}  ${findRule(code)?.name ?? ''}`.trimEnd());
}

/**
 * Two lines: the findings by severity, then what the ops add up to on the device (ops whose
 * figures wait for dims are counted apart and the dims named, never summed as zero).
 */
function summary(analyses: Analysis[], st: Styles, tableShown: boolean): string[] {
  const bySeverity: Record<Severity, number> = { error: 0, warning: 0, information: 0, hint: 0 };
  for (const a of analyses) for (const f of a.findings) bySeverity[f.severity]++;
  const total = bySeverity.error + bySeverity.warning + bySeverity.information + bySeverity.hint;
  const files = `${analyses.length} ${analyses.length === 1 ? 'file' : 'files'}`;
  const counts = [
    plural(bySeverity.error, 'error'),
    plural(bySeverity.warning, 'warning'),
    `${bySeverity.information} information`,
    ...(bySeverity.hint ? [plural(bySeverity.hint, 'hint')] : []),
  ];
  const first = total === 0 ? `${files} checked: no findings.` : `${files} checked: ${counts.join(', ')}.`;
  const firstStyled = bySeverity.error ? st.red(first) : total === 0 ? st.green(first) : first;

  let ops = 0;
  let flops = 0;
  let other = 0;
  let bytes = 0;
  let time = 0;
  let waiting = 0;
  const unbound = new Set<string>();
  for (const a of analyses) {
    a.figures.forEach((f) => {
      ops++;
      if (f.flops === null || f.otherFlops === null || f.bytes === null || f.timeSeconds === null) {
        waiting++;
        for (const u of f.unbound) unbound.add(u);
        return;
      }
      flops += f.flops;
      other += f.otherFlops;
      bytes += f.bytes;
      time += f.timeSeconds;
    });
  }
  const device = analyses[0]?.device;
  if (!device || ops === 0) return [firstStyled];
  // The device id, not its name: the line stays short and the id is what --device takes.
  const names = [...unbound].sort();
  const what = names.length ? `dims (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})` : 'shapes';
  let second: string;
  if (waiting === ops) second = `${plural(ops, 'op')} on ${device.id}, all waiting for ${what}`;
  else {
    second = `${plural(ops, 'op')} on ${device.id}: ${flopsText(flops)}${other ? ` + ${flopsText(other)} other` : ''}, ${bytesText(bytes)}, ≈${timeText(time)}`;
    if (waiting) second += `; ${waiting} ${waiting === 1 ? 'waits' : 'wait'} for ${what}`;
  }
  second += tableShown ? '.' : '. Per op: --table';
  return [firstStyled, st.dim(second)];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
