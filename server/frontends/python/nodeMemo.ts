/**
 * A memo of the tree-sitter node reads the analysis repeats.
 *
 * web-tree-sitter builds a new `Node` object, through the WebAssembly boundary, on every
 * `childForFieldName`, `parent` or `namedChild` call, and asks the WebAssembly module again for
 * every `type` and `endIndex`. The interpreter reads the same function bodies once per call site,
 * per builder and per context, so on a model-heavy file about half of a full analysis went to
 * building node objects and reading their types (CPU profile of the bench's GPT-style file).
 * With this memo, a node's field children, parent, type and end (index and point) are read from
 * WebAssembly once per node object, and a field child is the same object each time it is asked
 * for, so the reads below it are remembered too (web-tree-sitter keeps child arrays on the node
 * object itself). Field children and parents are remembered only while the interpreter runs code
 * it ran before in the analysis, or code a builder runs, which the analyses of the classes it
 * builds run again (`rememberStructure`): remembering them keeps every node read below them alive
 * until the analysis ends, which costs the collector more than it saves where code is read once.
 *
 * The memo is valid only while the trees it read do not change. A document update edits kept
 * trees (`Tree.edit`) and moves kept statement nodes, so every update, full parse or release of a
 * document starts a new epoch (`resetNodeMemo`), and an entry of an earlier epoch is never read.
 * The entry sits on the node object: a WeakMap keyed by node cost more than it saved (ephemeron
 * tables slowed the collector; measured 2-3x slower than no memo). `text` is remembered only when
 * shorter than V8's shortest string view (`SHORT_TEXT`): a remembered slice of an old version of
 * the source would keep that version alive through any node a cache keeps
 * (test/engine/memory.test.ts caught it), but a string that short is always a copy. Those are the
 * texts read again and again (identifiers, attribute names, operators: nine reads in ten on the
 * GPT-style file, three in four of them of a node read before), each cut through the document's
 * text callback: two slices per read.
 */
import type { Node, Point } from 'web-tree-sitter';

/**
 * One node's remembered reads. Every field is set when the entry is made, in the same order, so
 * that all entries share one shape; field children are a flat [name, child, name, child, ...]
 * list (a node is asked for one to three fields), a tenth of the memory of a Map.
 */
class Entry {
  type: string | undefined = undefined;
  end = -1;
  parent: Node | null | undefined = undefined;
  fields: (string | Node | null)[] | undefined = undefined;
  text: string | undefined = undefined;
  endPosition: Point | undefined = undefined;
  /** Whether the node is in `holders`: it holds other nodes (field children, parent). */
  held = false;
  constructor(readonly epoch: number) {}
}

/**
 * V8 makes a slice of at least this many characters a view of the string it was cut from
 * (`SlicedString::kMinLength`); a shorter one is a copy, which holds no other text alive.
 */
const SHORT_TEXT = 13;

/** Entries of an earlier epoch are stale: a reset is one increment, not a walk over the nodes. */
let epoch = 0;
/**
 * Whether reads are remembered now. Remembering keeps every node the analysis reads alive until
 * the analysis ends (about 90 bytes per source byte more at the peak); on a text of megabytes,
 * read mostly once, that costs more than it saves (`nodeMemoForText`).
 */
let enabled = true;
/**
 * Whether the nodes a node leads to (field children, parent) are remembered now, for the code
 * being run (`rememberStructure`). Remembering them keeps them, and all read below them, alive
 * until the analysis ends: about 120,000 nodes of the bench's GPT-style file, 450 bytes each,
 * which the collector copied twice each (a sixth of the analysis). That pays where the same
 * code runs again (a block's forward once per caller and context) and not where it runs once
 * (the generated bench file's functions: its analysis took a fifth longer with the memo than
 * without). A node's own reads (type, end, short text) are remembered always: they hold nothing.
 */
let structure = true;
const KEY = Symbol('tensorcost.nodeMemo');
type Memoised = Node & { [KEY]?: Entry };

/**
 * Texts above this many characters are analysed without the memo: it keeps the nodes an analysis
 * reads alive until the next one (about 75 bytes per source byte more at the peak, measured on a
 * 531 KB generated file), and a text of that size is an export or a table, read mostly once.
 */
export const NODE_MEMO_MAX_CHARS = 512 * 1024;

/** Nodes that hold an entry now, so that a new analysis can take every entry back. */
const holders: Memoised[] = [];

/**
 * Starts the memo for the analysis of a text of this length: entries made for earlier analyses
 * are taken back (a node kept in a cache between analyses, such as a function's definition,
 * would otherwise keep alive every node read below it: about 6 MB over 1,000 open files), and
 * the memo is off above NODE_MEMO_MAX_CHARS.
 */
export function nodeMemoForText(length: number): void {
  resetNodeMemo();
  enabled = length <= NODE_MEMO_MAX_CHARS;
  // Code runs once until the interpreter says otherwise (`rememberStructure`).
  structure = false;
}

/**
 * Forgets every remembered read: called whenever a tree or a kept node may have changed, and
 * when a document lets its trees go (an entry holds nodes, and a node its tree and the parser
 * module: a huge document's module could not be handed back while one entry held a node of it).
 */
export function resetNodeMemo(): void {
  for (const n of holders) n[KEY] = undefined;
  holders.length = 0;
  epoch++;
}

/** Drops the memo kept on one node, so that a node kept between analyses holds nothing read below it. */
export function forgetNode(node: Node): void {
  (node as Memoised)[KEY] = undefined;
}

/**
 * Turns the remembering of the nodes a node leads to on or off for the code about to run (the
 * interpreter turns it on for code it runs again); returns the setting before, to restore.
 */
export function rememberStructure(on: boolean): boolean {
  const was = structure;
  structure = on;
  return was;
}

/** The node's entry of this epoch; `holds`: it is about to hold other nodes. */
function entryOf(node: Node, holds = false): Entry {
  let e = (node as Memoised)[KEY];
  if (e === undefined || e.epoch !== epoch) {
    // An entry of an earlier epoch holds no nodes (a reset let those go): made anew, it is
    // added to `holders` once it holds any.
    (node as Memoised)[KEY] = e = new Entry(epoch);
  }
  if (holds && !e.held) {
    e.held = true;
    holders.push(node as Memoised);
  }
  return e;
}

/** Node classes already patched: each fresh copy of web-tree-sitter (after an abort) has its own. */
const patched = new WeakSet<object>();

/**
 * Routes the repeated reads of `NodeClass` through the memo. The originals are kept and called
 * on a miss, so the values are web-tree-sitter's own; only their repetition is saved.
 */
export function installNodeMemo(NodeClass: { prototype: object }): void {
  const proto = NodeClass.prototype as Record<string, unknown>;
  if (patched.has(proto)) return;
  patched.add(proto);
  const getter = (name: string): ((this: Node) => unknown) => {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d?.get) throw new Error(`web-tree-sitter: Node.${name} is not a getter (version changed?)`);
    return d.get as (this: Node) => unknown;
  };
  const method = (name: string): ((this: Node, ...args: unknown[]) => unknown) => {
    const f = proto[name];
    if (typeof f !== 'function') throw new Error(`web-tree-sitter: Node.${name} is not a method (version changed?)`);
    return f as (this: Node, ...args: unknown[]) => unknown;
  };
  const type = getter('type');
  const text = getter('text');
  const endPosition = getter('endPosition');
  const endIndex = getter('endIndex');
  const parent = getter('parent');
  const childForFieldName = method('childForFieldName');
  const define = (name: string, get: (this: Node) => unknown): void => {
    Object.defineProperty(proto, name, { get, configurable: true, enumerable: false });
  };
  const defineMethod = <A extends unknown[]>(name: string, value: (this: Node, ...args: A) => Node | null): void => {
    Object.defineProperty(proto, name, { value, configurable: true, writable: true, enumerable: false });
  };
  define('type', function (this: Node) {
    if (!enabled) return type.call(this);
    const e = entryOf(this);
    return (e.type ??= type.call(this) as string);
  });
  define('text', function (this: Node) {
    if (!enabled) return text.call(this);
    const e = entryOf(this);
    if (e.text !== undefined) return e.text;
    const t = text.call(this) as string;
    if (t.length < SHORT_TEXT) e.text = t;
    return t;
  });
  // Every op the interpreter records, in the file or in a calling context, reads its call's range
  // (`rangeOf`: the end's row and column, two reads through WebAssembly), and a model's replayed
  // calls record the same sites again. The point is never changed by its readers.
  define('endPosition', function (this: Node) {
    if (!enabled) return endPosition.call(this);
    const e = entryOf(this);
    return (e.endPosition ??= endPosition.call(this) as Point);
  });
  define('endIndex', function (this: Node) {
    if (!enabled) return endIndex.call(this);
    const e = entryOf(this);
    if (e.end < 0) e.end = endIndex.call(this) as number;
    return e.end;
  });
  define('parent', function (this: Node) {
    if (!enabled || !structure) return parent.call(this);
    const e = entryOf(this, true);
    if (e.parent === undefined) e.parent = parent.call(this) as Node | null;
    return e.parent;
  });
  defineMethod('childForFieldName', function (this: Node, name: string): Node | null {
    if (!enabled || !structure) return childForFieldName.call(this, name) as Node | null;
    const e = entryOf(this, true);
    const fields = (e.fields ??= []);
    for (let i = 0; i < fields.length; i += 2) if (fields[i] === name) return fields[i + 1] as Node | null;
    const child = childForFieldName.call(this, name) as Node | null;
    fields.push(name, child);
    return child;
  });
  // `namedChild(i)` and `child(i)` read the node's child arrays, which web-tree-sitter itself
  // keeps on the node object, instead of building a new object per call.
  defineMethod('namedChild', function (this: Node, index: number): Node | null {
    return this.namedChildren[index] ?? null;
  });
  defineMethod('child', function (this: Node, index: number): Node | null {
    return this.children[index] ?? null;
  });
}
