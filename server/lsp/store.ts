/**
 * Analyses per document version. Work for a version happens once, whichever request asks first
 * (diagnostics, hover, code lens...), and the previous tree is reused for tree-sitter's
 * incremental parse.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, LanguageId, analyzeSource } from '../engine/analyze';
import { Tree } from '../frontends/python/parser';
import { SettingsStore, uriToPath } from './settings';

/**
 * How many documents keep their analysis and their tree. A workspace may have hundreds of files
 * open (or a client that opens every file); only the few being edited or looked at need either,
 * and an evicted one is simply analysed again (a full parse) when next asked. Maps iterate in
 * insertion order, so re-inserting on use makes the first key the least recently used.
 */
const MAX_ANALYSES = 64;
const MAX_TREES = 16;

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
}

export class AnalysisStore {
  private readonly entries = new Map<string, Entry>();
  private readonly trees = new Map<string, Tree>();
  /** Milliseconds spent in the last analysis per document, for the benchmark script. */
  readonly lastMs = new Map<string, number>();

  constructor(private readonly settings: SettingsStore) {}

  invalidateAll(): void {
    this.entries.clear();
  }

  forget(uri: string): void {
    this.entries.delete(uri);
    this.trees.get(uri)?.delete();
    this.trees.delete(uri);
  }

  /** Tree-sitter edits, recorded as the document changes, so the next parse is incremental. */
  editTree(uri: string, edit: Parameters<Tree['edit']>[0]): void {
    this.trees.get(uri)?.edit(edit);
  }

  get(doc: TextDocument): Promise<Analysis> {
    const e = this.entries.get(doc.uri);
    if (e && e.version === doc.version) {
      touch(this.entries, doc.uri, e, MAX_ANALYSES);
      return e.analysis;
    }
    const analysis = this.settings.get(doc.uri).then((settings) => {
      // The document object is updated in place, so by now it may hold a newer version than the
      // one asked for. Text and tree are always read together here, at the same (newest) version:
      // the stored tree has received every edit up to that version, which is what an incremental
      // parse needs to be correct.
      const version = doc.version;
      const t0 = performance.now();
      const old = this.trees.get(doc.uri);
      const a = analyzeSource({ path: uriToPath(doc.uri) ?? doc.uri, text: doc.getText(), languageId: languageOf(doc) }, settings, old);
      this.lastMs.set(doc.uri, performance.now() - t0);
      if (a.tree && a.tree !== old) {
        old?.delete();
        touch(this.trees, doc.uri, a.tree, MAX_TREES, (t) => t.delete());
      }
      // The analysis keeps no tree of its own: the store owns trees and deletes them on eviction.
      a.tree = undefined;
      const now = this.entries.get(doc.uri);
      if (!now || now.version !== version) touch(this.entries, doc.uri, { version, analysis: Promise.resolve(a) }, MAX_ANALYSES);
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
