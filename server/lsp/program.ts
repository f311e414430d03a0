/**
 * The workspace as one program, in the language server (docs/whole-program.md). It hands the
 * Python frontend the workspace's files (open documents over the disk), analyses the files that
 * are not open in the background to learn the calling contexts they give the others, and says
 * when what an analysis depends on changed:
 *
 * - an open document's analysis is valid for its version and the versions of the files it
 *   imports (`dependencyKey`);
 * - the context index (every file's recorded contexts) has a version; an analysis is completed
 *   with the index of the moment it is asked for (`withContexts` is cheap);
 * - when a file changes, the background results of the files that import it are made again, and
 *   the client is asked to pull diagnostics, hints and lenses again.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { pathToFileURL } from 'node:url';
import type { Settings } from '../core/settings';
import type { ContextFunction, ContextOp, FileIR } from '../core/ir';
import { analyzeSource } from '../engine/analyze';
import { ContextIndex, buildContextIndex } from '../engine/contexts';
import type { PythonProgram } from '../frontends/python';
import { DocumentCache } from '../frontends/python/session';
import { collectFiles } from '../node/files';
import { DiskProgram, programPath } from '../node/program';
import { uriToPath } from './settings';

/** Files of the workspace analysed in the background, at most (a bound on start-up work). */
const MAX_BACKGROUND_FILES = 2_000;

interface Recorded {
  /** The file's version and its dependencies' when it was analysed. */
  key: string;
  dependencies: string[];
  captured: { ops: ContextOp[]; functions: ContextFunction[] };
}

/**
 * What one recorded function's contexts amount to. The statements a keystroke did not touch give
 * the same ContextFunction objects again, so each is formatted once: a file of many models
 * records thousands of them, and formatting every one's FLOPs per keystroke cost ~15% of it.
 */
const FUNCTION_SIGNATURES = new WeakMap<ContextFunction, string>();

function functionSignature(f: ContextFunction): string {
  let s = FUNCTION_SIGNATURES.get(f);
  if (s === undefined) FUNCTION_SIGNATURES.set(f, (s = `${f.path}#${f.name}=${f.flops.toString()}+${f.otherFlops.toString()}`));
  return s;
}

/**
 * Whether two analyses' contexts amount to the same (as many ops, and the same functions with the
 * same figures in the same order): when they do, the context index need not be made again.
 */
function sameContexts(a: Recorded['captured'], b: Recorded['captured']): boolean {
  if (a.ops.length !== b.ops.length || a.functions.length !== b.functions.length) return false;
  for (let i = 0; i < a.functions.length; i++) {
    if (a.functions[i] !== b.functions[i] && functionSignature(a.functions[i]) !== functionSignature(b.functions[i])) return false;
  }
  return true;
}

export class WorkspaceProgram {
  readonly files: DiskProgram;
  readonly docs = new DocumentCache(128);
  readonly program: PythonProgram;
  /** Changes whenever the contexts any file gives others change. */
  version = 0;
  private readonly recorded = new Map<string, Recorded>();
  private index?: { version: number; value: ContextIndex };
  private readonly uris = new Map<string, string>();
  private scanning?: Promise<void>;
  private stale = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(
    roots: string[],
    private readonly documents: TextDocuments<TextDocument>,
    private readonly settingsFor: (uri: string) => Promise<Settings>,
    /** Called (debounced) when contexts changed: the client should pull again. */
    private readonly changed: () => void,
  ) {
    this.files = new DiskProgram(roots, {
      get: (p) => {
        const uri = this.uris.get(p);
        const doc = uri ? this.documents.get(uri) : undefined;
        return doc ? { text: doc.getText(), version: doc.version } : undefined;
      },
    });
    this.program = { files: this.files, docs: this.docs, key: programPath };
  }

  /** Keeps the path → URI map of open documents (the overlay over the disk). */
  opened(uri: string): void {
    const p = uriToPath(uri);
    if (!p) return;
    const key = programPath(p);
    this.uris.set(key, uri);
    // A file outside every workspace folder imports its neighbours, as `python file.py` would.
    if (!this.files.roots.some((r) => key.startsWith(r + '/'))) this.files.addRoot(path.dirname(p));
  }

  closed(uri: string): void {
    const p = uriToPath(uri);
    if (p) this.uris.delete(programPath(p));
  }

  /** The versions of the files an analysis read: it is valid while this string is the same. */
  dependencyKey(ir: FileIR): string {
    return (ir.dependencies ?? []).map((d) => `${d}@${this.files.version(d)}`).join('\n');
  }

  contexts(): ContextIndex {
    if (!this.index || this.index.version !== this.version) this.index = { version: this.version, value: buildContextIndex([...this.recorded.values()].map((r) => ({ captured: r.captured }) as FileIR)) };
    return this.index.value;
  }

  /**
   * Records what an analysis of `path` found (an open document's, or the background's). When its
   * contexts changed, the index version moves on; every file that depends on `path` is analysed
   * again in the background.
   */
  record(path: string, ir: FileIR): void {
    const captured = ir.captured ?? { ops: [], functions: [] };
    const key = `${this.files.version(path)}|${this.dependencyKey(ir)}`;
    const old = this.recorded.get(path);
    this.recorded.set(path, { key, dependencies: ir.dependencies ?? [], captured });
    if (!old || !sameContexts(old.captured, captured)) this.bump();
    if (old && old.key !== key) this.dependentsChanged(path);
  }

  /** A file changed (edited, saved, created or deleted): what depends on it is made again. */
  fileChanged(path: string): void {
    this.files.invalidate(path);
    this.dependentsChanged(path);
  }

  private dependentsChanged(path: string): void {
    for (const [p, r] of this.recorded) if (p !== path && r.dependencies.includes(path)) this.stale.add(p);
    if (this.stale.size > 0) this.schedule();
  }

  private bump(): void {
    this.version++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.changed(), 200);
  }

  private schedule(): void {
    setTimeout(() => void this.refreshStale(), 100);
  }

  private async refreshStale(): Promise<void> {
    const todo = [...this.stale];
    this.stale.clear();
    for (const p of todo) {
      if (this.uris.has(p)) {
        // An open document is analysed again when the client pulls; it is told to.
        this.bump();
        continue;
      }
      await this.analyseInBackground(p);
    }
  }

  /** Analyses every Python file of the workspace once, yielding between files. */
  scan(roots: string[]): Promise<void> {
    this.scanning ??= (async () => {
      const { files } = collectFiles(roots.filter((r) => fs.existsSync(r)));
      const python = files.filter((f) => f.endsWith('.py')).slice(0, MAX_BACKGROUND_FILES);
      for (const f of python) {
        await new Promise((r) => setImmediate(r));
        const p = programPath(f);
        if (this.uris.has(p) || this.recorded.has(p)) continue;
        await this.analyseInBackground(p);
      }
    })();
    return this.scanning;
  }

  private async analyseInBackground(p: string): Promise<void> {
    const text = this.files.read(p);
    if (text === undefined) {
      if (this.recorded.delete(p)) this.bump();
      return;
    }
    try {
      const settings = await this.settingsFor(pathToFileURL(p).toString());
      const a = analyzeSource({ path: p, text, languageId: 'python' }, settings, { program: this.program });
      this.record(p, a.ir);
    } catch {
      // One file the engine trips over costs only its own contexts.
    }
  }
}
