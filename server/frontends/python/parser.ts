/**
 * Tree-sitter Python, loaded once per process. `web-tree-sitter` is WebAssembly, so the same
 * parser runs in the language server, the CLI and the tests with no native build.
 *
 * A WebAssembly abort (tree-sitter running out of its memory on a text of tens of megabytes)
 * kills the whole module: every later call on it, for any document, throws `Aborted()`. So the
 * module is loaded in a way that can be repeated: after an abort, a fresh copy of web-tree-sitter
 * is loaded (`initPython` waits for it) and the `generation` counts up, so that documents parsed
 * by the dead module know to start over instead of touching its trees.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { installNodeMemo } from './nodeMemo';

export type { Node, Tree };

type Binding = typeof import('web-tree-sitter');

let ready: Promise<Parser> | undefined;
/** WebAssembly memory cap in MB for the next load; undefined: web-tree-sitter's own (2 GB). */
let maxMemoryMB: number | undefined;

/**
 * Caps the parser's WebAssembly memory, from the next load of the module on. For tests, which
 * need an abort without first filling 2 GB, and for embedders with tighter memory.
 */
export function configureParser(options: { maxMemoryMB?: number }): void {
  maxMemoryMB = options.maxMemoryMB;
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
  return require('web-tree-sitter') as Binding;
}

export function loadPythonParser(): Promise<Parser> {
  ready ??= (async () => {
    const born = generation;
    const binding = generation === 0 ? (require('web-tree-sitter') as Binding) : freshBinding();
    // Called by the module when it aborts; from then on it only throws.
    // `printErr` quiet: the abort reaches the caller as an exception, and the CLI and the server
    // say what it means there instead of a bare "Aborted()" on stderr.
    const memory = maxMemoryMB ? { wasmMemory: new WebAssembly.Memory({ initial: 512, maximum: Math.max(512, Math.ceil(maxMemoryMB * 16)) }) } : {};
    await binding.Parser.init({ onAbort: () => generation === born && markAborted(), printErr: () => undefined, ...memory });
    const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
    const language = await binding.Language.load(wasm);
    installNodeMemo(binding.Node);
    const parser = new binding.Parser();
    parser.setLanguage(language);
    loaded = parser;
    return parser;
  })();
  return ready;
}

/** Forgets the dead module and starts loading a fresh one. */
function markAborted(): void {
  generation++;
  loaded = undefined;
  ready = undefined;
  // Started now, so that it is usually ready by the next analysis; `initPython` waits for it.
  loadPythonParser().catch(() => undefined);
}

export async function initPython(): Promise<void> {
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
