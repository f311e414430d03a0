/**
 * Comment directives, read from the text line by line (cheap, and independent of the tree):
 * `# tensorcost: dims B=8 T=1024`, `# tensorcost: dtype bf16`, `# noqa: TC101`,
 * `# tensorcost: ignore[TC101]` (line) and `# tensorcost: ignore-file[TC101]` (file).
 */
import { parseDType } from '../../core/dtypes';
import { detach } from '../../core/intern';
import { SourceFacts } from '../../core/ir';

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
  if (d) out.dims = [...d[1].matchAll(/([A-Za-z_]\w*)\s*=\s*(\d+)/g)].map((m) => [m[1], Number(m[2])]);
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

export function readDirectives(text: string, comment = '#', lines?: readonly string[], index?: Lines): SourceFacts {
  const facts: SourceFacts = { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set() };
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

function apply(facts: SourceFacts, row: number, line: string): void {
  const l = lineFacts(line);
  if (!l) return;
  for (const [k, v] of l.dims ?? []) facts.directiveDims.set(k, v);
  if (l.dtype) facts.defaultDtype = l.dtype;
  for (const x of l.fileIgnores ?? []) facts.fileIgnores.add(x);
  if (l.noqa) {
    const set = facts.noqa.get(row) ?? new Set<string>();
    for (const x of l.noqa) set.add(x);
    facts.noqa.set(row, set);
  }
}
