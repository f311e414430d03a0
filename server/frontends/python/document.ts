/**
 * A Python source kept as parsed top-level statements ("chunks"), so that an edit re-parses only
 * the statements it touches.
 *
 * Why not tree-sitter's own incremental parse of the whole file: with tree-sitter-python it often
 * re-parses everything after the edit (an edit to the last statement of a block, for instance,
 * stops the reuse of every later subtree), which on a 10,000-line file costs 40 ms instead of 2.
 * Top-level statements that start at column 0 parse independently of one another in Python, so
 * a chunk can be re-parsed on its own, as an included range of the whole text, which keeps its
 * positions absolute. Chunks after the edit keep their trees and nodes: `Tree.edit` tells the
 * trees, `moveChunk` the nodes.
 *
 * **Invariant: the chunks of a document equal the top-level children of a fresh parse of its
 * text.** Incremental updates only ever produce error-free chunks; whenever a re-parsed region has
 * a syntax error, or the document had one, the whole text is parsed again, so error recovery can
 * never differ from a fresh parse's.
 */
import type { Node, Tree } from './parser';
import { parserGeneration, pythonParser } from './parser';
import { detach } from '../../core/intern';
import { forgetNode, resetNodeMemo } from './nodeMemo';

interface Chunk {
  tree: Tree;
  /** Its place among the named children of its tree's root, which an edit never changes. */
  index: number;
  node: Node;
  /** The statement's source, read once: it does not change while the chunk lives. */
  text: string;
  /** Where it starts and ends in the current text (kept here: `Node.endIndex` asks the tree). */
  start: number;
  end: number;
}

/** Where `text` and `old` differ, as one replaced span (common prefix and suffix kept). */
export function diffSpan(old: string, text: string): { start: number; oldEnd: number; newEnd: number } | null {
  if (old === text) return null;
  // Blocks first: comparing slices is a memory compare, and slicing also flattens the rope an
  // editor's concatenated text often is, which makes per-character access cheap afterwards.
  const B = 2048;
  const max = Math.min(old.length, text.length);
  let start = 0;
  while (start + B <= max && old.slice(start, start + B) === text.slice(start, start + B)) start += B;
  while (start < max && old.charCodeAt(start) === text.charCodeAt(start)) start++;
  let o = old.length;
  let n = text.length;
  while (o - B >= start && n - B >= start && old.slice(o - B, o) === text.slice(n - B, n)) {
    o -= B;
    n -= B;
  }
  while (o > start && n > start && old.charCodeAt(o - 1) === text.charCodeAt(n - 1)) {
    o--;
    n--;
  }
  return { start, oldEnd: o, newEnd: n };
}

/**
 * Where a text's lines start, for row lookups and single lines without splitting the whole text
 * (a split of a 10,000-line file allocates 10,000 strings on every keystroke). Rows count `\n`,
 * as tree-sitter does; a line's text drops its `\r\n` or `\n`.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  get count(): number {
    return this.starts.length;
  }

  /** The row of a character index (binary search). */
  row(index: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  point(index: number): { row: number; column: number } {
    const row = this.row(index);
    return { row, column: index - this.starts[row] };
  }

  line(row: number): string | undefined {
    if (row < 0 || row >= this.starts.length) return undefined;
    let end = row + 1 < this.starts.length ? this.starts[row + 1] - 1 : this.text.length;
    if (end > this.starts[row] && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(this.starts[row], end);
  }
}

/** The lines of a text as a read-only array, each line sliced when it is read. */
function linesView(index: LineIndex): readonly string[] {
  return new Proxy([] as string[], {
    get(target, p, receiver) {
      if (p === 'length') return index.count;
      if (typeof p === 'string' && p.length > 0 && p.charCodeAt(0) >= 48 && p.charCodeAt(0) <= 57) return index.line(Number(p));
      return Reflect.get(target, p, receiver);
    },
  });
}

/** The first chunk that ends at or after `index` (binary search; chunks are in order). */
function firstEndingAtOrAfter(chunks: readonly Chunk[], index: number): number {
  let lo = 0;
  let hi = chunks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (chunks[mid].end >= index) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * A chunk after an edit, moved by `delta` characters and `rows` lines. Its tree has learnt the
 * edit (`Tree.edit`), which leaves the subtrees after the edited region as they were; only the
 * start a web-tree-sitter node carries on the JavaScript side needs moving, and reading all the
 * moved nodes again instead costs a call into WebAssembly per statement (milliseconds on a large
 * file). The fields are web-tree-sitter's (pinned in package.json); `moveChecks` verifies the
 * result against the tree, and the caller parses afresh if it does not hold. A chunk that starts
 * on the edit's last line (after a `;`) would need its column moved too: null, re-parse.
 */
function moveChunk(c: Chunk, delta: number, rows: number, editEndRow: number): Chunk | null {
  const n = c.node as unknown as { startIndex: number; startPosition: { row: number; column: number } };
  if (n.startPosition.row <= editEndRow) return null;
  n.startIndex += delta;
  n.startPosition = { row: n.startPosition.row + rows, column: n.startPosition.column };
  const e = n as unknown as { _children?: unknown; _namedChildren?: unknown };
  e._children = undefined;
  e._namedChildren = undefined;
  forgetNode(c.node);
  return { ...c, start: c.start + delta, end: c.end + delta };
}

/** The tree agrees with where a moved chunk now says it is. */
function moveChecks(c: Chunk): boolean {
  return c.node.endIndex === c.end;
}

function chunksOf(tree: Tree, text: string): Chunk[] {
  const out: Chunk[] = [];
  tree.rootNode.namedChildren.forEach((node, index) => {
    if (!node) return;
    const end = node.endIndex;
    // Statement texts key caches that outlive this version of the document: detached.
    out.push({ tree, index, node, text: detach(text.slice(node.startIndex, end)), start: node.startIndex, end });
  });
  return out;
}

/**
 * What an update did to the statement list: statements `[first, first + oldCount)` of the
 * previous version became `[first, first + newCount)`, with new texts; every other statement
 * kept its text (the same string) and its column, and those after moved by `rows` lines. The
 * edited text ends on line `endRow`.
 */
export interface StatementChange {
  first: number;
  oldCount: number;
  newCount: number;
  rows: number;
  endRow: number;
}

/** Where a document stands: how many updates it has had, and what the last one changed. */
export interface DocumentPosition {
  updates: number;
  change?: StatementChange;
}

/**
 * The change since a cache's per-statement results were made (at update `madeAt`, for
 * `madeCount` statements), when those results can be taken by position: the change is the very
 * next update, moved no line and kept the number of statements, so that statement i outside
 * `[first, first + newCount)` has the text, column and line it had. Undefined otherwise.
 */
export function byPosition(now: DocumentPosition | undefined, madeAt: number | undefined, madeCount: number, count: number): StatementChange | undefined {
  const change = now?.change;
  if (!change || madeAt === undefined || now!.updates !== madeAt + 1) return undefined;
  return change.rows === 0 && change.oldCount === change.newCount && madeCount === count ? change : undefined;
}

export class PythonDocument {
  /** The text every tree reads through, so nodes of kept trees see the current version. */
  private readonly source: { text: string };
  private chunks: Chunk[] = [];
  private readonly trees = new Set<Tree>();
  private hasError = false;
  /** How the last update went, for tests: everything parsed, only the edited statements, or no change. */
  lastUpdate: 'full' | 'chunks' | 'none' = 'full';
  /** Counts updates, so that a caller can tell that `lastChange` is the change since it last looked. */
  updates = 0;
  /** What the last update did to the statement list; undefined after a full parse. */
  lastChange?: StatementChange;

  /** The update count and the last change, for caches of per-statement results (`byPosition`). */
  get position(): DocumentPosition {
    return { updates: this.updates, change: this.lastChange };
  }

  /**
   * The parser generation the trees come from. After a WebAssembly abort the parser is loaded
   * again (parser.ts): trees of the dead module can be neither read nor deleted, only dropped.
   */
  private generation = parserGeneration();

  constructor(text: string) {
    this.source = { text };
    this.parseAll();
  }

  get text(): string {
    return this.source.text;
  }

  /**
   * The top-level statements (and comments) in source order: one array per list of chunks (an
   * update replaces the list; a moved chunk keeps its node object), not a new one per read.
   */
  get statements(): readonly Node[] {
    if (this.statementsOf !== this.chunks) {
      this.statementsCache = this.chunks.map((c) => c.node);
      this.statementsOf = this.chunks;
    }
    return this.statementsCache!;
  }

  private statementsOf?: readonly Chunk[];
  private statementsCache?: readonly Node[];

  /** The source of each statement, in the order of `statements`. */
  get texts(): readonly string[] {
    this.textsCache ??= this.chunks.map((c) => c.text);
    return this.textsCache;
  }

  private textsCache?: string[];

  /** The text's lines (LSP's line breaks), each read from the line index when asked for. */
  get lines(): readonly string[] {
    if (!this.linesCache) {
      // A lone `\r` is a line break to LSP but not to tree-sitter: such rare files are split.
      const text = this.source.text;
      this.splitLines = text.includes('\r') && /\r(?!\n)/.test(text);
      this.linesCache = this.splitLines ? text.split(/\r\n|\r|\n/) : linesView(this.lineIndex);
    }
    return this.linesCache;
  }

  /** One line of the text, as `lines[row]` gives it, without going through the view. */
  line(row: number): string {
    const lines = this.lines;
    return (this.splitLines ? lines[row] : this.lineIndex.line(row)) ?? '';
  }

  /** Rows and lines of the current text. */
  get lineIndex(): LineIndex {
    if (this.indexCache?.text !== this.source.text) this.indexCache = new LineIndex(this.source.text);
    return this.indexCache;
  }

  private linesCache?: readonly string[];
  private splitLines = false;
  private indexCache?: LineIndex;

  get syntaxError(): boolean {
    return this.hasError;
  }

  private parse(ranges?: { startIndex: number; endIndex: number; startPosition: { row: number; column: number }; endPosition: { row: number; column: number } }[]): Tree {
    const src = this.source;
    // Bounded slices: the parser copies what the callback returns, and a parse of a few
    // statements should not copy the rest of the file each time it asks for more text.
    // `Node.text` is cut from these slices, and so keeps this version of the document alive:
    // whatever outlives the analysis in a cache is detached (core/intern.ts) where it is stored;
    // detaching here instead would copy a block for every `Node.text` (+25% on a full analysis).
    const tree = pythonParser().parse((i: number) => src.text.slice(i, i + 8192), null, ranges ? { includedRanges: ranges } : undefined);
    if (!tree) throw new Error('tree-sitter returned no tree');
    this.trees.add(tree);
    return tree;
  }

  private parseAll(): void {
    resetNodeMemo();
    this.lastChange = undefined;
    this.release();
    const tree = this.parse();
    this.hasError = tree.rootNode.hasError;
    this.chunks = chunksOf(tree, this.source.text);
    this.textsCache = undefined;
    this.linesCache = undefined;
    this.lastUpdate = 'full';
  }

  /** Brings the document to `text`, re-parsing as little as the edit allows. */
  update(text: string): void {
    // Kept trees and nodes are about to be edited and moved: nothing read from them stays true.
    resetNodeMemo();
    this.updates++;
    if (this.generation !== parserGeneration()) {
      this.source.text = text;
      this.parseAll();
      return;
    }
    try {
      this.updatePiecewise(text);
    } catch {
      // Whatever went wrong, the chunks must never disagree with the text: parse it afresh.
      this.source.text = text;
      this.parseAll();
    }
  }

  private updatePiecewise(text: string): void {
    const old = this.source.text;
    const span = diffSpan(old, text);
    this.source.text = text;
    this.linesCache = undefined;
    if (!span) {
      this.lastUpdate = 'none';
      this.lastChange = { first: 0, oldCount: 0, newCount: 0, rows: 0, endRow: -2 };
      return;
    }
    if (this.hasError || this.chunks.length === 0) return this.parseAll();
    const delta = span.newEnd - span.oldEnd;
    // The chunks the edit touches, widened by one on each side: an edit at a chunk's first
    // column can join it to the statement above (indenting it) or split it (dedenting a line).
    let first = firstEndingAtOrAfter(this.chunks, span.start);
    let last = first;
    while (last < this.chunks.length && this.chunks[last].start <= span.oldEnd) last++;
    first = Math.max(0, first - 1);
    last = Math.min(this.chunks.length, last + 1);
    const startIndex = first < this.chunks.length ? Math.min(this.chunks[first].start, span.start) : span.start;
    const oldEnd = last > 0 ? Math.max(this.chunks[last - 1].end, span.oldEnd) : span.oldEnd;
    const endIndex = oldEnd + delta;
    const oldLines = this.indexCache?.text === old ? this.indexCache : new LineIndex(old);
    const newLines = new LineIndex(text);
    this.indexCache = newLines;
    const startPoint = newLines.point(startIndex);
    const endPoint = newLines.point(endIndex);
    const before = this.chunks.slice(0, first);
    const after = this.chunks.slice(last);
    // An edit within one line that keeps the length (typing over, renaming to a name of the same
    // length) moves nothing after it: the kept nodes stay as they are.
    const inPlace = delta === 0 && !old.slice(span.start, span.oldEnd).includes('\n') && !text.slice(span.start, span.newEnd).includes('\n');
    const oldEndPoint = oldLines.point(span.oldEnd);
    const rows = inPlace ? 0 : newLines.point(span.newEnd).row - oldEndPoint.row;
    if (!inPlace) {
      // Kept trees learn the edit, so that what is read from them later is where it now is.
      const e = { startIndex: span.start, oldEndIndex: span.oldEnd, newEndIndex: span.newEnd, startPosition: oldLines.point(span.start), oldEndPosition: oldEndPoint, newEndPosition: newLines.point(span.newEnd) };
      for (const t of new Set(after.map((c) => c.tree))) t.edit(e);
    }
    let fresh: Chunk[] = [];
    if (text.slice(startIndex, endIndex).trim() !== '') {
      const tree = this.parse([{ startIndex, endIndex, startPosition: startPoint, endPosition: endPoint }]);
      if (tree.rootNode.hasError) return this.parseAll();
      fresh = chunksOf(tree, this.source.text);
    }
    const kept = inPlace ? after : after.map((c) => moveChunk(c, delta, rows, oldEndPoint.row));
    if (kept.some((c) => c === null) || (kept.length > 0 && !moveChecks(kept[0]!))) return this.parseAll();
    // A kept statement indented deeper than the statement now before it may belong to that
    // statement's block in a fresh parse (an edit that joins lines can make a `def` reach it):
    // only a parse of the whole text says.
    const above = fresh.at(-1) ?? before.at(-1);
    if (kept.length > 0 && above && kept[0]!.node.startPosition.column > above.node.startPosition.column) return this.parseAll();
    this.chunks = [...before, ...fresh, ...(kept as Chunk[])];
    this.textsCache = undefined;
    this.linesCache = undefined;
    this.lastUpdate = 'chunks';
    this.lastChange = { first, oldCount: last - first, newCount: fresh.length, rows, endRow: newLines.point(span.newEnd).row };
    this.collect();
  }

  /**
   * Forgets the child nodes the analysis read below each statement. web-tree-sitter caches a
   * node's children on the node object, so a statement node kept between analyses would keep
   * every node ever read under it alive: for a 10,000-line file that is about a hundred thousand
   * objects per open document. The fields are internal to web-tree-sitter (pinned in
   * package.json); clearing them only makes the next read ask the tree again.
   */
  releaseNodes(): void {
    for (const c of this.chunks) {
      const n = c.node as unknown as { _children?: unknown; _namedChildren?: unknown };
      n._children = undefined;
      n._namedChildren = undefined;
      forgetNode(c.node);
    }
  }

  /** Deletes trees no chunk uses any more; many small trees are folded into one full parse. */
  private collect(): void {
    const used = new Set(this.chunks.map((c) => c.tree));
    for (const t of this.trees) {
      if (!used.has(t)) {
        t.delete();
        this.trees.delete(t);
      }
    }
    if (this.trees.size > 256) this.parseAll();
  }

  private release(): void {
    resetNodeMemo();
    if (this.generation === parserGeneration()) for (const t of this.trees) t.delete();
    this.generation = parserGeneration();
    this.trees.clear();
    this.chunks = [];
  }

  delete(): void {
    this.release();
  }
}
