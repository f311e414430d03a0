/**
 * Comment directives, read from the text line by line (cheap, and independent of the tree):
 * `# tensorcost: dims B=8 T=1024`, `# tensorcost: dtype bf16`, `# noqa: TC101`,
 * `# tensorcost: ignore[TC101]` (line) and `# tensorcost: ignore-file[TC101]` (file).
 */
import { parseDType } from '../../core/dtypes';
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

function lineFacts(line: string): LineFacts | null {
  const hit = LINES.get(line);
  if (hit !== undefined) return hit;
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

export function readDirectives(text: string, comment = '#', lines: readonly string[] = text.split(/\r\n|\r|\n/)): SourceFacts {
  const facts: SourceFacts = { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set() };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (comment !== '#') line = line.replace(/\/\/\s*/, '# ');
    if (!line.includes('#')) continue;
    const l = lineFacts(line);
    if (!l) continue;
    for (const [k, v] of l.dims ?? []) facts.directiveDims.set(k, v);
    if (l.dtype) facts.defaultDtype = l.dtype;
    for (const x of l.fileIgnores ?? []) facts.fileIgnores.add(x);
    if (l.noqa) {
      const set = facts.noqa.get(i) ?? new Set<string>();
      for (const x of l.noqa) set.add(x);
      facts.noqa.set(i, set);
    }
  }
  return facts;
}
