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

export function readDirectives(text: string, comment = '#', lines: readonly string[] = text.split(/\r\n|\r|\n/)): SourceFacts {
  const facts: SourceFacts = { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set() };
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (comment !== '#') line = line.replace(/\/\/\s*/, '# ');
    if (!line.includes('#')) continue;
    const d = DIMS.exec(line);
    if (d) {
      for (const m of d[1].matchAll(/([A-Za-z_]\w*)\s*=\s*(\d+)/g)) facts.directiveDims.set(m[1], Number(m[2]));
    }
    const t = DTYPE.exec(line);
    if (t) facts.defaultDtype = parseDType(t[1]) ?? facts.defaultDtype;
    const f = IGNORE_FILE.exec(line);
    if (f && /^\s*#/.test(line)) {
      const c = codes(f[1] ?? f[2]);
      if (c.size === 0) facts.fileIgnores.add('*');
      for (const x of c) facts.fileIgnores.add(x);
      continue;
    }
    const n = NOQA.exec(line) ?? IGNORE.exec(line);
    if (n) {
      const set = facts.noqa.get(i) ?? new Set<string>();
      for (const x of codes(n[1])) set.add(x);
      facts.noqa.set(i, set);
    }
  }
  return facts;
}
