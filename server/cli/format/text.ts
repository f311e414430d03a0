/**
 * Human output of `tensorcost check`, shaped like the linters people already read: one line per
 * finding, `path:line:col: CODE message`, then a short summary. The per-op and per-function cost
 * tables come only on request (`--table`), fitted to the terminal; `--statistics` prints counts
 * per code instead of the findings, as ruff does. A rule's long explanation is
 * `tensorcost explain CODE`, never repeated here.
 */
import { escapeControl } from '../../core/escape';
import { flopsText, timeText, bytesText } from '../../core/format';
import { Finding, Position, Severity } from '../../core/ir';
import { NotebookMap } from '../../frontends/notebook/map';
import { cellLocation } from '../notebook';
import { findRule } from '../../core/rules/registry';
import { Analysis } from '../../engine/analyze';
import { totalAtLeast } from '../../engine/report';
import { costTables } from './costTable';
import { styles, Styles, Terminal } from './terminal';
import { isMadeUpDim } from '../../core/symbolic';

export interface TextOptions extends Terminal {
  /** Print the cost tables after the findings. */
  table?: boolean;
  /** Print counts per code instead of the findings. */
  statistics?: boolean;
  /** The cell map of an analysis made from a notebook: its positions are then `cell N:line:col`. */
  notebookOf?: (a: Analysis) => NotebookMap | undefined;
}

const PLAIN: TextOptions = { width: 100, color: false };

export function formatText(analyses: Analysis[], cwdRelative: (p: string) => string, opts: TextOptions = PLAIN): string {
  const st = styles(opts.color);
  const lines: string[] = opts.statistics ? statistics(analyses, st) : findingLines(analyses, cwdRelative, st, opts.notebookOf);
  if (opts.table) {
    const tables = costTables(analyses, cwdRelative, opts.width, st, opts.notebookOf);
    if (tables.length) {
      if (lines.length) lines.push('');
      lines.push(...tables);
    }
  }
  if (lines.length) lines.push('');
  // Like the findings, whole: they name what is missing from the totals.
  lines.push(...unreadLines(analyses, cwdRelative));
  lines.push(...runLines(analyses, cwdRelative));
  lines.push(...summary(analyses, st, !!opts.table, opts.width));
  return lines.join('\n') + '\n';
}

/**
 * What went unread: calls no rule models, and ops whose operand shapes are unknown. Their cost is
 * missing from every total, which must say so rather than look complete.
 */
function unreadLines(analyses: Analysis[], cwdRelative: (p: string) => string): string[] {
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
  // A script's run that is incomplete (a model built from a checkpoint's config) or waits for
  // dims has no number: said for each file, since its ops may all be another file's and the
  // summary counts ops. The first reason is given; JSON has them all.
  for (const a of analyses) {
    const t = a.total;
    const first = a.totalReasons?.[0];
    if (first && a.totalOf === 'top-level code') {
      const where = `${first.path ? cwdRelative(first.path) : cwdRelative(a.ir.path)}:${first.range.start.line + 1}`;
      const more = a.totalReasons!.length - 1;
      const atLeast = totalAtLeast(a);
      const known = atLeast !== null ? ` (its FLOPs are at least ${flopsText(atLeast)}; the rest depends on sizes the analysis could not read)` : '';
      // Dims to bind come first: binding them gives the number the reasons then qualify.
      const named = t.flops === null ? t.unbound.filter((d) => !isMadeUpDim(d)) : [];
      const waits = named.length ? ` waits for dims ${named.slice(0, 6).join(', ')}${named.length > 6 ? ', …' : ''} and` : '';
      unread.push(`${cwdRelative(a.ir.path)}: the cost of its top-level code${waits} is incomplete${known}: ${first.message} (${where})${more ? `, and ${more} more reason${more === 1 ? '' : 's'} (--format json)` : ''}.`);
      continue;
    }
    // Dims the engine made up for sizes it could not read cannot be bound by name.
    const named = t.unbound.filter((d) => !isMadeUpDim(d));
    if (!a.totalOf || !t.unbound.length) continue;
    if (named.length) {
      const names = named.slice(0, 6).join(', ') + (named.length > 6 ? ', …' : '');
      const of = a.totalOf === 'top-level code' ? 'its top-level code' : a.totalOf;
      const what = t.flops === null ? `the cost of ${of} waits` : `the bytes and time of ${of} wait`;
      unread.push(`${cwdRelative(a.ir.path)}: ${what} for dims ${names}; bind them to get numbers.`);
    } else {
      // Sizes only the run knows (a dataset's length, a prompt a tokenizer makes): no name to bind.
      const atLeast = totalAtLeast(a);
      const what =
        t.flops !== null ? 'the bytes and time depend' : atLeast !== null ? `the FLOPs are at least ${flopsText(atLeast)}; the rest depends` : 'the cost depends';
      const where = a.totalOf === 'top-level code' ? 'in its top-level code' : `in ${a.totalOf}`;
      unread.push(`${cwdRelative(a.ir.path)}: ${where}, ${what} on sizes the analysis could not read (shown as ?).`);
    }
  }
  return unread.map(escapeControl);
}

/**
 * What a script's run costs when its figure is whole: a script that imports its model from
 * another file (as READMEs run them) has no ops of its own, so the summary's op count says
 * nothing of it, and the number the user came for was only in the JSON. Incomplete or waiting
 * runs are said by `unreadLines`.
 */
function runLines(analyses: Analysis[], cwdRelative: (p: string) => string): string[] {
  const out: string[] = [];
  for (const a of analyses) {
    const t = a.total;
    if (a.totalOf !== 'top-level code' || a.totalReasons?.length || t.flops === null || t.flops === 0 || t.unbound.length) continue;
    const other = t.otherFlops ? ` + ${flopsText(t.otherFlops)} other` : '';
    const rest = t.bytes !== null && t.timeSeconds !== null ? `, ${bytesText(t.bytes)}, ≈${timeText(t.timeSeconds)} on ${a.device.id}` : '';
    out.push(`${cwdRelative(a.ir.path)}: its top-level code runs ${flopsText(t.flops)}${other}${rest}.`);
  }
  return out.map(escapeControl);
}

/** A line cut to the terminal's width, with an ellipsis where it was cut. */
function fit(line: string, width: number): string {
  const chars = [...line];
  return chars.length <= width ? line : chars.slice(0, Math.max(1, width - 1)).join('') + '…';
}

function findingLines(analyses: Analysis[], rel: (p: string) => string, st: Styles, notebookOf?: (a: Analysis) => NotebookMap | undefined): string[] {
  const lines: string[] = [];
  const at = (a: Analysis, p: Position) => {
    const map = notebookOf?.(a);
    return map ? cellLocation(map, p, true) : `${p.line + 1}:${p.character + 1}`;
  };
  for (const a of analyses) {
    const file = escapeControl(rel(a.ir.path));
    for (const f of sortFindings(a.findings)) {
      const where = `${file}:${at(a, f.range.start)}:`;
      // Messages quote the code (einsum equations, op texts): a control character in them must
      // reach the terminal as a visible escape, never as a command to it.
      lines.push(`${st.bold(where)} ${severityStyle(f.severity, st)(f.code)} ${escapeControl(f.message.replace(/\r?\n/g, ' '))}`);
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
function summary(analyses: Analysis[], st: Styles, tableShown: boolean, width: number): string[] {
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
  // Dims the figures took a stated default for (docs/whole-program.md): said in the summary.
  const assumed = new Map<string, number>();
  for (const a of analyses) {
    for (const x of a.opAssumed ?? []) for (const [k, v] of Object.entries(x ?? {})) assumed.set(k, v.value);
    a.figures.forEach((f) => {
      ops++;
      if (f.flops === null || f.otherFlops === null || f.bytes === null || f.timeSeconds === null) {
        waiting++;
        // A dim the engine made up for a size it does not know is never shown by that name.
        for (const u of f.unbound) unbound.add(isMadeUpDim(u) ? '?' : u);
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
  // Sizes the code does not give (made-up dims) cannot be bound by name: said apart.
  const names = [...unbound].filter((u) => u !== '?').sort();
  const dims = names.length ? `dims (${names.slice(0, 4).join(', ')}${names.length > 4 ? ', …' : ''})` : '';
  const sizes = unbound.has('?') ? 'sizes only the run knows' : '';
  const what = dims && sizes ? `${dims} and ${sizes}` : dims || sizes || 'shapes';
  let second: string;
  if (waiting === ops) second = `${plural(ops, 'op')} on ${device.id}, all waiting for ${what}`;
  else {
    second = `${plural(ops, 'op')} on ${device.id}: ${flopsText(flops)}${other ? ` + ${flopsText(other)} other` : ''}, ${bytesText(bytes)}, ≈${timeText(time)}`;
    if (waiting) second += `; ${waiting} ${waiting === 1 ? 'waits' : 'wait'} for ${what}`;
    if (assumed.size) second += `; assumed ${[...assumed].slice(0, 2).map(([k, v]) => `${k} = ${v}`).join(', ')}${assumed.size > 2 ? ', …' : ''}`;
  }
  second += tableShown ? '.' : '. Per op: --table';
  return [firstStyled, st.dim(fit(second, width))];
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
