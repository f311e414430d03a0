/**
 * Tree-sitter Python, loaded once per process. `web-tree-sitter` is WebAssembly, so the same
 * parser runs in the language server, the CLI and the tests with no native build.
 */
import { Language, Node, Parser, Tree } from 'web-tree-sitter';

export type { Node, Tree };

let ready: Promise<Parser> | undefined;

export function loadPythonParser(): Promise<Parser> {
  ready ??= (async () => {
    await Parser.init();
    const wasm = require.resolve('tree-sitter-python/tree-sitter-python.wasm');
    const language = await Language.load(wasm);
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  })();
  return ready;
}

/** The parser after `loadPythonParser()` resolved; throws if called before. */
let loaded: Parser | undefined;
export async function initPython(): Promise<void> {
  loaded = await loadPythonParser();
}

export function pythonParser(): Parser {
  if (!loaded) throw new Error('tree-sitter Python is not initialised: await initPython() first');
  return loaded;
}

export function parsePython(text: string, oldTree?: Tree): Tree {
  const tree = pythonParser().parse(text, oldTree ?? null);
  if (!tree) throw new Error('tree-sitter returned no tree');
  return tree;
}
