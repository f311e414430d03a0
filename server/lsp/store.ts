/**
 * Analyses per document version. Work for a version happens once, whichever request asks first
 * (diagnostics, hover, code lens...), and the previous tree is reused for tree-sitter's
 * incremental parse.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, LanguageId, analyzeSource } from '../engine/analyze';
import { PythonState, disposePythonState } from '../frontends/python';
import { SettingsStore, uriToPath } from './settings';
import { withContexts } from '../engine/contexts';
import type { WorkspaceProgram } from './program';
import { programPath } from '../node/program';
import { readSiblingModule } from '../node/modules';

/**
 * How many documents keep their analysis and their incremental state (parsed statements and
 * per-statement results). A workspace may have hundreds of files open (or a client that opens
 * every file); only the few being edited or looked at need either, and an evicted one is simply
 * analysed again (a full parse) when next asked. Maps iterate in insertion order, so re-inserting
 * on use makes the first key the least recently used.
 */
const MAX_ANALYSES = 64;
const MAX_STATES = 16;

function touch<K, V>(m: Map<K, V>, k: K, v: V, max: number, evict: (v: V) => void = () => undefined): void {
  m.delete(k);
  m.set(k, v);
  while (m.size > max) {
    const [oldest, value] = m.entries().next().value as [K, V];
    m.delete(oldest);
    evict(value);
  }
}

interface Entry {
  version: number;
  analysis: Promise<Analysis>;
  /** The analysis completed with the program's contexts, for one version of their index. */
  completed?: { version: number; analysis: Promise<Analysis> };
  /** The files of the program the analysis read, and their versions then (set once it ran). */
  dependencies?: string[];
  dependencyKey?: string;
}

export class AnalysisStore {
  private readonly entries = new Map<string, Entry>();
  private readonly states = new Map<string, PythonState>();
  /**
   * Analyses of notebook cells: a cell's is its notebook's, seen from the cell (features/notebooks.ts).
   * Answers undefined for a document that is no cell.
   */
  cells?: { analysisFor(uri: string): Promise<Analysis> | undefined; invalidateAll(): void };
  /** Milliseconds spent in the last analysis per document, for the benchmark script. */
  readonly lastMs = new Map<string, number>();

  /** The workspace as one program, once the server knows its folders (docs/whole-program.md). */
  program?: WorkspaceProgram;

  constructor(private readonly settings: SettingsStore) {}

  invalidateAll(): void {
    this.entries.clear();
    this.cells?.invalidateAll();
  }

  forget(uri: string): void {
    this.entries.delete(uri);
    const s = this.states.get(uri);
    if (s) disposePythonState(s);
    this.states.delete(uri);
  }

  /**
   * The analysis of the document's current version, completed with the calling contexts the
   * other files of the program give it (docs/whole-program.md). It is made again when a file it
   * imports changed, and completed again when the program's contexts did.
   */
  get(doc: TextDocument): Promise<Analysis> {
    const cell = this.cells?.analysisFor(doc.uri);
    if (cell) return cell;
    const program = this.program;
    if (!program || languageOf(doc) !== 'python') return this.own(doc);
    const e = this.entries.get(doc.uri);
    if (e && e.version === doc.version && e.dependencies && e.dependencyKey !== program.dependencyKey({ dependencies: e.dependencies } as Analysis['ir'])) this.entries.delete(doc.uri);
    const own = this.own(doc);
    const entry = this.entries.get(doc.uri)!;
    if (entry.completed?.version === program.version) return entry.completed.analysis;
    const completed = own.then((a) => withContexts(a, program.contexts()));
    entry.completed = { version: program.version, analysis: completed };
    return completed;
  }

  /** The document's own analysis for its version (no contexts of other files). */
  private own(doc: TextDocument): Promise<Analysis> {
    const e = this.entries.get(doc.uri);
    if (e && e.version === doc.version) {
      touch(this.entries, doc.uri, e, MAX_ANALYSES);
      return e.analysis;
    }
    const analysis = this.settings.get(doc.uri).then((settings) => {
      // The document object is updated in place, so by now it may hold a newer version than the
      // one asked for: the analysis is of the newest text, and recorded under its version. The
      // state finds what changed since the text it last saw by itself (document.ts).
      const version = doc.version;
      const t0 = performance.now();
      const previous = this.states.get(doc.uri);
      const file = uriToPath(doc.uri) ?? doc.uri;
      const program = this.program && languageOf(doc) === 'python' && uriToPath(doc.uri) ? this.program : undefined;
      // TS/JS files read the files they import from their folder (server/node/modules.ts).
      const readModule = languageOf(doc) !== 'python' && uriToPath(doc.uri) ? readSiblingModule : undefined;
      const a = analyzeSource({ path: file, text: doc.getText(), languageId: languageOf(doc), ...(readModule ? { readModule } : {}) }, settings, { reuse: previous, keep: true, program: program?.program, deferRules: true });
      this.lastMs.set(doc.uri, performance.now() - t0);
      if (program) program.record(programPath(file), a.ir);
      if (a.state) touch(this.states, doc.uri, a.state, MAX_STATES, disposePythonState);
      // The analysis keeps no state of its own: the store owns states and disposes of evicted ones.
      a.state = undefined;
      let now = this.entries.get(doc.uri);
      if (!now || now.version !== version) touch(this.entries, doc.uri, (now = { version, analysis: Promise.resolve(a) }), MAX_ANALYSES);
      if (program) {
        now.dependencies = a.ir.dependencies ?? [];
        now.dependencyKey = program.dependencyKey(a.ir);
      }
      return a;
    });
    touch(this.entries, doc.uri, { version: doc.version, analysis }, MAX_ANALYSES);
    return analysis;
  }
}

export function languageOf(doc: TextDocument): LanguageId {
  if (doc.languageId === 'typescript' || doc.languageId === 'typescriptreact') return 'typescript';
  if (doc.languageId === 'javascript' || doc.languageId === 'javascriptreact') return 'javascript';
  return 'python';
}
