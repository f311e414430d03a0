/**
 * Tree-sitter Python, loaded once per process. `web-tree-sitter` is WebAssembly, so the same
 * parser runs in the language server, the CLI and the tests with no native build.
 *
 * A WebAssembly abort (tree-sitter running out of its memory on a text of tens of megabytes)
 * kills the whole module: every later call on it, for any document, throws `Aborted()`. So the
 * module is loaded in a way that can be repeated: after an abort, a fresh copy of web-tree-sitter
 * is loaded (`initPython` waits for it) and the `generation` counts up, so that documents parsed
 * by the dead module know to start over instead of touching its trees.
 *
 * A WebAssembly.Memory only ever grows: after a file of megabytes, tree-sitter keeps the hundreds
 * of megabytes its tree took for as long as the process lives, although it reuses them inside.
 * So once the module's memory has grown past a bound and the trees still alive need only a small
 * part of it (none alive, or a few small documents after a huge one was closed), a fresh copy is
 * loaded the same way and takes over (`releaseIfLarge`). That is also a new generation:
 * documents whose trees came from the old module parse afresh on their next update. Their old
 * trees stay readable until then (the old module is only replaced, not dead), and the old
 * module, memory and all, becomes garbage once nothing holds them.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { installNodeMemo } from './nodeMemo';
import { fastTransferAccess } from './wasmAccess';

export type { Node, Tree };

type Binding = typeof import('web-tree-sitter');

let ready: Promise<Parser> | undefined;
/** WebAssembly memory cap in MB for the next load; undefined: web-tree-sitter's own (2 GB). */
let maxMemoryMB: number | undefined;
/** The module's memory is handed back when it has grown past this and its live trees need little of it. */
let releaseAboveMB = 64;

/**
 * Caps the parser's WebAssembly memory, from the next load of the module on. For tests, which
 * need an abort without first filling 2 GB, and for embedders with tighter memory.
 * `releaseAboveMB`: the size past which the module's memory may be handed back (`releaseIfLarge`).
 */
export function configureParser(options: { maxMemoryMB?: number; releaseAboveMB?: number }): void {
  maxMemoryMB = options.maxMemoryMB;
  if (options.releaseAboveMB !== undefined) releaseAboveMB = options.releaseAboveMB;
}
/** The parser after `loadPythonParser()` resolved. */
let loaded: Parser | undefined;
let generation = 0;

/**
 * A fresh copy of web-tree-sitter: its module keeps the WebAssembly instance in a module-level
 * variable, so only a new copy of the JavaScript module gives a new instance.
 */
function freshBinding(): Binding {
  const entry = require.resolve('web-tree-sitter');
  const dir = entry.slice(0, entry.lastIndexOf('web-tree-sitter') + 'web-tree-sitter'.length);
  for (const key of Object.keys(require.cache)) if (key.startsWith(dir)) delete require.cache[key];
  // Node also lists every module this one required among its children: the old copy would stay
  // reachable from there, WebAssembly memory and all.
  module.children = module.children.filter((m) => !m.filename.startsWith(dir));
  return require('web-tree-sitter') as Binding;
}

/** The module in use: its memory (created here, so that its size can be read) and its live trees. */
interface Module {
  memory: WebAssembly.Memory;
  trees: Trees;
}

/** A module's trees not deleted yet, and the source characters they span. */
interface Trees {
  live: number;
  chars: number;
}

/** What each tree spans, counted off its module's `Trees.chars` when it is deleted. */
const SPANS = new WeakMap<Tree, number>();

let current: Module | undefined;

/**
 * Loads a copy of web-tree-sitter with Python. `first`: the copy `require` gives; any later one
 * is fresh (`freshBinding`), with its own WebAssembly instance.
 */
async function loadModule(first: boolean): Promise<{ parser: Parser; mod: Module }> {
  const binding = first ? (require('web-tree-sitter') as Binding) : freshBinding();
  // Every copy, the first and each fresh one after a release or an abort, reads nodes through the memo.
  installNodeMemo(binding.Node);
  // web-tree-sitter's own default: 32 MB to start, 2 GB at most (in 64 KB pages).
  const memory = new WebAssembly.Memory({ initial: 512, maximum: maxMemoryMB ? Math.max(512, Math.ceil(maxMemoryMB * 16)) : 32768 });
  const mod: Module = { memory, trees: countTrees(binding) };
  // Called by the module when it aborts; from then on it only throws. Only the module in use
  // matters: one that was replaced, or is still loading, is never parsed with.
  // `printErr` quiet: the abort reaches the caller as an exception, and the CLI and the server
  // say what it means there instead of a bare "Aborted()" on stderr.
  const options = { onAbort: () => current === mod && markAborted(), printErr: () => undefined, wasmMemory: memory };
  await binding.Parser.init(options);
  // Emscripten made the options its module object: its transfer accessors are replaced there.
  fastTransferAccess(options);
  const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
  const language = await binding.Language.load(wasm);
  const parser = new binding.Parser();
  parser.setLanguage(language);
  return { parser, mod };
}

export function loadPythonParser(): Promise<Parser> {
  ready ??= (async () => {
    const { parser, mod } = await loadModule(generation === 0 && !current);
    current = mod;
    loaded = parser;
    return parser;
  })();
  return ready;
}

/**
 * Counts the module's trees that are not deleted yet, and what they span: web-tree-sitter frees a
 * tree's memory only on `delete()` (it has no finalizer), so a tree never deleted stays counted,
 * as it stays in the module's memory. A deletion may hand the memory back (`releaseIfLarge`).
 */
function countTrees(binding: Binding): Trees {
  const trees: Trees = { live: 0, chars: 0 };
  const add = (t: Tree, span: number) => {
    trees.live++;
    trees.chars += span;
    SPANS.set(t, span);
  };
  const parser = binding.Parser.prototype;
  const tree = binding.Tree.prototype;
  const parse = parser.parse;
  const copy = tree.copy;
  const del = tree.delete;
  parser.parse = function (this: Parser, ...args: Parameters<Parser['parse']>) {
    const t = parse.apply(this, args);
    if (t) {
      const root = t.rootNode;
      add(t, root.endIndex - root.startIndex);
    }
    if (parseListeners.length) for (const listener of parseListeners.splice(0)) listener();
    return t;
  };
  tree.copy = function (this: Tree) {
    const t = copy.call(this);
    add(t, SPANS.get(this) ?? 0);
    return t;
  };
  tree.delete = function (this: Tree) {
    // A second delete of the same tree is web-tree-sitter's no-op on address 0: not counted.
    const alive = (this as unknown as { 0: number })[0] !== 0;
    del.call(this);
    if (!alive) return;
    trees.live--;
    trees.chars -= SPANS.get(this) ?? 0;
    releaseIfLarge();
  };
  return trees;
}

/** Bytes of WebAssembly memory the parser in use holds (it never shrinks; see `releaseIfLarge`). */
export function parserMemoryBytes(): number {
  return current?.memory.buffer.byteLength ?? 0;
}

const releaseListeners: (() => void)[] = [];

/**
 * Calls `listener` each time a large module has been replaced (`releaseIfLarge`): its memory is
 * garbage from then on, but a process that allocates little (an idle language server) may not
 * collect it for a long time.
 */
export function onParserMemoryReleased(listener: () => void): void {
  releaseListeners.push(listener);
}

const parseListeners: (() => void)[] = [];

/** Calls `listener` once, after the next parse (of any text, by whichever module is in use). */
export function afterNextParse(listener: () => void): void {
  parseListeners.push(listener);
}

/** A fresh module being loaded to take over from a large one. */
let replacing: Promise<void> | undefined;

/**
 * Whether the module holds much more memory than its live trees need: past `releaseAboveMB`,
 * and more than twice what a fresh module would take for them (32 MB to start, and tree-sitter's
 * trees measured about 43 bytes per source character: 64 counted).
 */
function oversized(m: Module): boolean {
  const size = m.memory.buffer.byteLength;
  return size > releaseAboveMB * 2 ** 20 && size > 2 * (32 * 2 ** 20 + 64 * m.trees.chars);
}

/**
 * Hands the module's memory back when it is `oversized`: a fresh module is loaded, and takes over
 * if the old one is still oversized by then (else a later deletion tries again). Until it takes
 * over, the old one parses, so that synchronous callers never find the parser missing;
 * `initPython` waits for the change.
 */
function releaseIfLarge(): void {
  const old = current;
  if (!old || replacing || !loaded || !oversized(old)) return;
  replacing = (async () => {
    try {
      const { parser, mod } = await loadModule(false);
      if (current !== old || !oversized(old)) return;
      generation++;
      current = mod;
      loaded = parser;
      ready = Promise.resolve(parser);
      for (const listener of releaseListeners) listener();
    } catch {
      // The old module goes on parsing; its memory is only kept.
    } finally {
      replacing = undefined;
    }
  })();
}

/** Forgets the dead module and starts loading a fresh one. */
function markAborted(): void {
  generation++;
  current = undefined;
  loaded = undefined;
  ready = undefined;
  // Started now, so that it is usually ready by the next analysis; `initPython` waits for it.
  loadPythonParser().catch(() => undefined);
}

export async function initPython(): Promise<void> {
  if (replacing) await replacing;
  await loadPythonParser();
}

/** Counts parser restarts: trees and nodes of an earlier generation belong to a dead module. */
export function parserGeneration(): number {
  return generation;
}

export function pythonParser(): Parser {
  if (!loaded) throw new Error(generation > 0 ? 'tree-sitter is restarting after an abort: await initPython() first' : 'tree-sitter Python is not initialised: await initPython() first');
  return loaded;
}

export function parsePython(text: string, oldTree?: Tree): Tree {
  const tree = pythonParser().parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
