/**
 * Analyses per document version. Work for a version happens once, whichever request asks first
 * (diagnostics, hover, code lens...), and the previous tree is reused for tree-sitter's
 * incremental parse.
 */
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, LanguageId, analyzeSource } from '../engine/analyze';
import { Tree } from '../frontends/python/parser';
import { SettingsStore, uriToPath } from './settings';

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
    if (e && e.version === doc.version) return e.analysis;
    const analysis = this.settings.get(doc.uri).then((settings) => {
      const t0 = performance.now();
      const old = this.trees.get(doc.uri);
      const a = analyzeSource({ path: uriToPath(doc.uri) ?? doc.uri, text: doc.getText(), languageId: languageOf(doc) }, settings, old);
      this.lastMs.set(doc.uri, performance.now() - t0);
      if (a.tree && a.tree !== old) {
        old?.delete();
        this.trees.set(doc.uri, a.tree);
      }
      return a;
    });
    this.entries.set(doc.uri, { version: doc.version, analysis });
    return analysis;
  }
}

export function languageOf(doc: TextDocument): LanguageId {
  if (doc.languageId === 'typescript' || doc.languageId === 'typescriptreact') return 'typescript';
  if (doc.languageId === 'javascript' || doc.languageId === 'javascriptreact') return 'javascript';
  return 'python';
}
