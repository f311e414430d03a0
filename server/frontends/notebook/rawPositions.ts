/**
 * Where a cell's source text lies in the `.ipynb` file itself. SARIF consumers (GitHub code
 * scanning among them) know files and regions of their text, not notebook cells, so a finding in
 * a notebook is placed on the JSON string that holds its line: annotations then land on the right
 * line of the file. JSON.parse keeps no positions, hence this small scanner: it walks the JSON
 * grammar and records the offset of every string under `cells[i].source`.
 */
import type { Position } from '../../core/ir';

interface SourceStrings {
  /** Offset in the file of each string's opening quote, in `source` order. */
  offsets: number[];
  /** Each string decoded, to find which one holds a character of the cell. */
  texts: string[];
}

class Scanner {
  i = 0;
  readonly found = new Map<number, SourceStrings>();
  constructor(private readonly s: string) {}

  private ws(): void {
    while (this.i < this.s.length && ' \t\n\r'.includes(this.s[this.i])) this.i++;
  }

  private string(): string {
    const start = this.i++;
    while (this.i < this.s.length && this.s[this.i] !== '"') this.i += this.s[this.i] === '\\' ? 2 : 1;
    this.i++;
    return JSON.parse(this.s.slice(start, this.i)) as string;
  }

  /** Reads one value; `path` says where it is from the root, null below depth 4 (nothing there matters). */
  value(path: (string | number)[] | null): void {
    this.ws();
    const ch = this.s[this.i];
    if (ch === '{') {
      this.i++;
      for (;;) {
        this.ws();
        if (this.s[this.i] === '}') break;
        const key = this.string();
        this.ws();
        this.i++; // ':'
        this.value(path && path.length < 4 ? [...path, key] : null);
        this.ws();
        if (this.s[this.i] === ',') this.i++;
        else break;
      }
      this.ws();
      this.i++; // '}'
    } else if (ch === '[') {
      this.i++;
      for (let n = 0; ; n++) {
        this.ws();
        if (this.s[this.i] === ']') break;
        this.value(path && path.length < 4 ? [...path, n] : null);
        this.ws();
        if (this.s[this.i] === ',') this.i++;
        else break;
      }
      this.ws();
      this.i++; // ']'
    } else if (ch === '"') {
      const at = this.i;
      const text = this.string();
      const cell = path ? sourceCell(path) : undefined;
      if (cell !== undefined) {
        let e = this.found.get(cell);
        if (!e) this.found.set(cell, (e = { offsets: [], texts: [] }));
        e.offsets.push(at);
        e.texts.push(text);
      }
    } else {
      while (this.i < this.s.length && !',}] \t\n\r'.includes(this.s[this.i])) this.i++;
    }
  }
}

/** The cell index when `path` is `cells, i, source` or `cells, i, source, j` from the root. */
function sourceCell(path: (string | number)[]): number | undefined {
  const p = typeof path[path.length - 1] === 'number' && path[path.length - 2] === 'source' ? path.slice(0, -1) : path;
  if (p.length === 3 && p[0] === 'cells' && typeof p[1] === 'number' && p[2] === 'source') return p[1];
  return undefined;
}

export class RawNotebookPositions {
  private readonly cells: Map<number, SourceStrings>;
  private readonly lineStarts: number[] = [0];

  constructor(private readonly json: string) {
    const sc = new Scanner(json);
    sc.value([]);
    this.cells = sc.found;
    for (let i = 0; i < json.length; i++) if (json[i] === '\n') this.lineStarts.push(i + 1);
  }

  /**
   * The file position (0-based line and UTF-16 column of the .ipynb text) of a position in a
   * cell's source, or undefined when the cell has no source strings.
   */
  toFile(cell: number, p: Position): Position | undefined {
    const e = this.cells.get(cell);
    if (!e || e.texts.length === 0) return undefined;
    // The offset in the cell's whole source, then the string that holds it.
    const whole = e.texts.join('');
    let offset = 0;
    for (let line = 0; line < p.line; line++) {
      const nl = whole.indexOf('\n', offset);
      if (nl < 0) break;
      offset = nl + 1;
    }
    offset += p.character;
    let k = 0;
    while (k < e.texts.length - 1 && offset >= e.texts[k].length) offset -= e.texts[k++].length;
    offset = Math.min(offset, e.texts[k].length);
    // Walk the literal: an escape is several characters of the file for one of the text.
    let raw = e.offsets[k] + 1;
    for (let n = 0; n < offset; n++) raw += this.json[raw] === '\\' ? (this.json[raw + 1] === 'u' ? 6 : 2) : 1;
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= raw) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: raw - this.lineStarts[lo] };
  }
}
