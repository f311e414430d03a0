/**
 * Comment directives, read from the text line by line (cheap, and independent of the tree):
 * `# tensorcost: dims B=8 T=1024`, `# tensorcost: dtype bf16`, `# noqa: TC101`,
 * `# tensorcost: ignore[TC101]` (line) and `# tensorcost: ignore-file[TC101]` (file).
 */
import { parseDimText } from '../../core/dimCheck';
import { parseDType } from '../../core/dtypes';
import { detach } from '../../core/intern';
import { Finding, SourceFacts } from '../../core/ir';

const DIMS = /#\s*tensorcost:\s*dims\s+(.*)$/;
const DTYPE = /#\s*tensorcost:\s*dtype[\s=]+([\w.]+)/;
const NOQA = /#\s*noqa(?::\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*))?/;
const IGNORE = /#\s*tensorcost:\s*ignore(?:\[([^\]]*)\])?(?!-)/;
const IGNORE_FILE = /#\s*(?:tensorcost:\s*ignore-file|tensorcost:\s*noqa|ruff:\s*noqa)(?:\[([^\]]*)\]|:\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*))?/;

function codes(list: string | undefined): Set<string> {
  return new Set((list ?? '').split(/[\s,]+/).filter((c) => /^[A-Z]+\d+$/.test(c)));
}

/** What one comment line says; remembered by its text, since a file's lines rarely change. */
interface LineFacts {
  dims?: [string, number][];
  /** Dims the directive gives a value no dim can have (`D=-7`, `C=4096.5`): [message, from, to]. */
  badDims?: [string, number, number][];
  dtype?: ReturnType<typeof parseDType>;
  /** Codes ignored in the whole file ('*' for all), when the line is a file-level ignore. */
  fileIgnores?: string[];
  /** Codes suppressed on this line (empty: all), when it has a `noqa` or `ignore`. */
  noqa?: string[];
}

const LINES = new Map<string, LineFacts | null>();

function lineFacts(source: string): LineFacts | null {
  const hit = LINES.get(source);
  if (hit !== undefined) return hit;
  // What is remembered must not hold on to the document the line was cut from.
  const line = detach(source);
  const out: LineFacts = {};
  const d = DIMS.exec(line);
  if (d) {
    out.dims = [];
    const start = d.index + d[0].length - d[1].length;
    for (const m of d[1].matchAll(/([A-Za-z_]\w*)\s*=\s*([^\s,#]*)/g)) {
      const v = parseDimText(m[2]);
      if ('value' in v) out.dims.push([m[1], v.value]);
      else (out.badDims ??= []).push([`# tensorcost: dims ${m[1]}: ${v.error}; the dim is left unbound`, start + m.index!, start + m.index! + m[0].length]);
    }
  }
  const t = DTYPE.exec(line);
  if (t) out.dtype = parseDType(t[1]);
  const f = IGNORE_FILE.exec(line);
  if (f && /^\s*#/.test(line)) {
    const c = codes(f[1] ?? f[2]);
    out.fileIgnores = c.size === 0 ? ['*'] : [...c];
  } else {
    const n = NOQA.exec(line) ?? IGNORE.exec(line);
    if (n) out.noqa = [...codes(n[1])];
  }
  const result = Object.keys(out).length ? out : null;
  if (LINES.size > 50_000) LINES.clear();
  LINES.set(line, result);
  return result;
}

/** Rows and single lines of a text, when the caller has them (document.ts's `LineIndex`). */
export interface Lines {
  row(index: number): number;
  line(row: number): string | undefined;
}

/** The facts, and a TC001 finding for each directive value that cannot be a dim. */
export type DirectiveFacts = SourceFacts & { problems: Finding[] };

export function readDirectives(text: string, comment = '#', lines?: readonly string[], index?: Lines): DirectiveFacts {
  const facts: DirectiveFacts = { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set(), problems: [] };
  if (index && comment === '#') {
    // Only lines with a `#` can hold a directive: go from one `#` to the next, not line by line.
    for (let i = text.indexOf('#'); i !== -1; ) {
      const row = index.row(i);
      const line = index.line(row) ?? '';
      apply(facts, row, line);
      const next = text.indexOf('\n', i);
      i = next === -1 ? -1 : text.indexOf('#', next);
    }
    return facts;
  }
  const all = lines ?? text.split(/\r\n|\r|\n/);
  for (let i = 0; i < all.length; i++) {
    let line = all[i];
    if (comment !== '#') line = line.replace(/\/\/\s*/, '# ');
    if (line.includes('#')) apply(facts, i, line);
  }
  return facts;
}

function apply(facts: DirectiveFacts, row: number, line: string): void {
  const l = lineFacts(line);
  if (!l) return;
  for (const [k, v] of l.dims ?? []) facts.directiveDims.set(k, v);
  for (const [message, from, to] of l.badDims ?? []) {
    facts.problems.push({ code: 'TC001', severity: 'error', message, range: { start: { line: row, character: from }, end: { line: row, character: to } } });
  }
  if (l.dtype) facts.defaultDtype = l.dtype;
  for (const x of l.fileIgnores ?? []) facts.fileIgnores.add(x);
  if (l.noqa) {
    const set = facts.noqa.get(row) ?? new Set<string>();
    for (const x of l.noqa) set.add(x);
    facts.noqa.set(row, set);
  }
}
