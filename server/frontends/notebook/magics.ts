/**
 * IPython syntax in a code cell, blanked so that what is left is Python with the same lines:
 * line magics (`%timeit f(x)`), shell escapes (`!pip install torch`), their assignments
 * (`files = !ls`, `t = %timeit -o f()`), help (`obj?`, `??obj`) and cell magics (`%%time`).
 * Positions in the rest of the cell do not move, so findings map back to the cell as they are.
 *
 * A line is only IPython syntax where a statement can start: not inside a triple-quoted string,
 * an open bracket or after a backslash continuation (a docstring line starting with `!` stays).
 */

/** Cell magics whose body is Python run as usual: only their first line is IPython. */
const PYTHON_BODY_CELL_MAGICS = new Set(['time', 'timeit', 'capture', 'prun', 'debug', 'autoreload']);

const MAGIC_OR_SHELL = /^\s*(?:%|!)/;
/** `name = !cmd` or `name = %magic`: `!=` is a comparison, not a shell escape. */
const ASSIGNED = /^\s*[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*(?:!(?!=)|%)/;
const HELP = /^\s*(?:\?+\s*[A-Za-z_][\w.]*.*|[A-Za-z_][\w.]*\?{1,2}\s*)$/;

export interface BlankedCell {
  lines: string[];
  /** Line numbers (0-based, in the cell) that were IPython syntax and are now empty or `pass`. */
  blanked: number[];
}

/** Tracks strings, brackets and continuations from one line to the next. */
class LineScanner {
  private triple: '"""' | "'''" | null = null;
  private depth = 0;
  private continued = false;

  /** True when the line about to be scanned starts a new statement. */
  atStatementStart(): boolean {
    return this.triple === null && this.depth === 0 && !this.continued;
  }

  scan(line: string): void {
    let i = 0;
    this.continued = false;
    while (i < line.length) {
      if (this.triple) {
        const end = line.indexOf(this.triple, i);
        if (end < 0) return;
        i = end + 3;
        this.triple = null;
        continue;
      }
      const ch = line[i];
      if (ch === '#') return;
      if (ch === '"' || ch === "'") {
        if (line.startsWith(ch.repeat(3), i)) {
          this.triple = ch.repeat(3) as '"""' | "'''";
          i += 3;
          continue;
        }
        i++;
        while (i < line.length && line[i] !== ch) i += line[i] === '\\' ? 2 : 1;
        i++;
        continue;
      }
      if (ch === '(' || ch === '[' || ch === '{') this.depth++;
      else if ((ch === ')' || ch === ']' || ch === '}') && this.depth > 0) this.depth--;
      else if (ch === '\\' && i === line.length - 1) this.continued = true;
      i++;
    }
  }
}

export function blankIPython(text: string): BlankedCell {
  const lines = text.split(/\r?\n/);
  const blanked: number[] = [];
  const first = /^%%([A-Za-z_]\w*)/.exec(lines[0]);
  if (first) {
    const all = !PYTHON_BODY_CELL_MAGICS.has(first[1]);
    // %%bash, %%writefile, %%html...: the body is not Python at all.
    for (let i = 0; i < (all ? lines.length : 1); i++) {
      if (lines[i] !== '') blanked.push(i);
      lines[i] = '';
    }
    if (all) return { lines, blanked };
  }
  const scanner = new LineScanner();
  for (let i = first ? 1 : 0; i < lines.length; i++) {
    const line = lines[i];
    if (scanner.atStatementStart() && (MAGIC_OR_SHELL.test(line) || ASSIGNED.test(line) || HELP.test(line))) {
      // A magic continues over lines ending with a backslash, as in IPython.
      let j = i;
      while (j + 1 < lines.length && lines[j].endsWith('\\')) j++;
      const indent = /^\s*/.exec(line)![0];
      for (let k = i; k <= j; k++) {
        blanked.push(k);
        // An indented magic may be the only statement of its block: `pass` keeps the block valid.
        lines[k] = k === i && indent ? `${indent}pass` : '';
      }
      i = j;
      continue;
    }
    scanner.scan(line);
  }
  return { lines, blanked };
}
