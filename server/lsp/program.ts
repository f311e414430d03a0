/**
 * The workspace as one program, in the language server (docs/whole-program.md). It hands the
 * Python frontend the workspace's files (open documents over the disk), analyses the files that
 * are not open in the background to learn the calling contexts they give the others, and says
 * when what an analysis depends on changed:
 *
 * - an open document's analysis is valid for its version and the versions of the files it
 *   imports (`dependencyKey`);
 * - the context index (every file's recorded contexts) has a version; an analysis is completed
 *   with the index of the moment it is asked for (`withContexts` is cheap); the index is made
 *   again only when a new analysis recorded other contexts (`sameContexts`: part by part, op by
 *   op where the objects differ);
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
import { Poly } from '../core/symbolic';
import { analyzeSource } from '../engine/analyze';
import { ContextIndex, buildContextIndex } from '../engine/contexts';
import type { PythonProgram } from '../frontends/python';
import { DocumentCache, capturedParts } from '../frontends/python/session';
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
 * Whether two analyses' contexts amount to the same (the same ops in the same order, and the same
 * functions with the same figures in the same order): when they do, the context index need not be
 * made again. Ops of statements a keystroke did not touch are the same objects; the others are
 * compared field by field: an edit within a line moves the columns of the ops after it, and an
 * index keyed by the old columns would leave those ops without their contexts.
 */
function sameContexts(a: Recorded['captured'], b: Recorded['captured']): boolean {
  if (a.functions.length !== b.functions.length || !sameFunctions(a.functions, b.functions)) return false;
  // Part by part where both records are made of parts alike (a keystroke's: the statements it did
  // not touch replay the same lists), without making either list of ops.
  const pa = capturedParts(a);
  const pb = capturedParts(b);
  if (pa && pb && pa.length === pb.length && pa.every((p, k) => p.length === pb[k].length)) {
    for (let k = 0; k < pa.length; k++) if (pa[k] !== pb[k] && !sameOps(pa[k], pb[k])) return false;
    return true;
  }
  return a.ops.length === b.ops.length && sameOps(a.ops, b.ops);
}

function sameFunctions(a: readonly ContextFunction[], b: readonly ContextFunction[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameFunction(a[i], b[i])) return false;
  return true;
}

function sameOps(a: readonly ContextOp[], b: readonly ContextOp[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i] && !sameOp(a[i], b[i])) return false;
  return true;
}

/**
 * Two recorded functions with the same content (what `withContexts` reads of them). The
 * statements a keystroke did not touch give the same objects again; a re-analysed one's are
 * compared without formatting their figures.
 */
function sameFunction(a: ContextFunction, b: ContextFunction): boolean {
  if (a.path !== b.path || a.name !== b.name || !!a.upperBound !== !!b.upperBound || !!a.trains !== !!b.trains) return false;
  if (a.context.path !== b.context.path || a.context.line !== b.context.line || a.context.function !== b.context.function) return false;
  return samePoly(a.flops, b.flops) && samePoly(a.otherFlops, b.otherFlops) && samePoly(a.bytes, b.bytes) && same(a.reasons, b.reasons);
}

/** Two recorded ops with the same content (what the context index and the rules read of them). */
function sameOp(a: ContextOp, b: ContextOp): boolean {
  const r = a.range;
  const q = b.range;
  if (a.path !== b.path || a.kind !== b.kind || a.name !== b.name || a.dtype !== b.dtype || !!a.tf32 !== !!b.tf32) return false;
  if (r.start.line !== q.start.line || r.start.character !== q.start.character || r.end.line !== q.end.line || r.end.character !== q.end.character) return false;
  if (a.context.path !== b.context.path || a.context.line !== b.context.line || a.context.function !== b.context.function) return false;
  const c = a.cost;
  const d = b.cost;
  if (!samePoly(c.flops, d.flops) || !samePoly(c.otherFlops, d.otherFlops) || !samePoly(c.bytes, d.bytes) || !!c.unknown !== !!d.unknown) return false;
  if (!samePoly(a.repeat, b.repeat) || !samePoly(a.outer, b.outer)) return false;
  if (!sameType(a.output, b.output) || a.inputs.length !== b.inputs.length) return false;
  for (let i = 0; i < a.inputs.length; i++) if (!sameType(a.inputs[i], b.inputs[i])) return false;
  return same(c.variants, d.variants) && same(c.notes, d.notes) && same(a.attrs, b.attrs);
}

function sameType(a: ContextOp['output'], b: ContextOp['output']): boolean {
  if (a === b) return true;
  if (a.dtype !== b.dtype) return false;
  if (a.shape === b.shape) return true;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) return false;
  for (let i = 0; i < a.shape.length; i++) if (!samePoly(a.shape[i], b.shape[i])) return false;
  return true;
}

function samePoly(a: Poly | undefined, b: Poly | undefined): boolean {
  return a === b || (!!a && !!b && a.identical(b));
}

/** Structural equality of recorded values: polynomials by `equals`, arrays, maps and plain objects by content. */
function same(x: unknown, y: unknown): boolean {
  if (x === y) return true;
  if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
  // Exactly the same terms in the same order (stricter than `equals`, which formats both: a
  // difference it would not see only makes the index again).
  if (x instanceof Poly || y instanceof Poly) return x instanceof Poly && y instanceof Poly && samePoly(x, y);
  if (Array.isArray(x) || Array.isArray(y)) {
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!same(x[i], y[i])) return false;
    return true;
  }
  if (x instanceof Map || y instanceof Map) {
    if (!(x instanceof Map) || !(y instanceof Map) || x.size !== y.size) return false;
    for (const [k, v] of x) if (!y.has(k) || !same(v, y.get(k))) return false;
    return true;
  }
  if (Object.getPrototypeOf(x) !== Object.getPrototypeOf(y)) return false;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (!same((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k])) return false;
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
    if (!p) return;
    const key = programPath(p);
    this.uris.delete(key);
    // A document that was never saved (or whose file is gone) leaves the program when closed:
    // the contexts it recorded would otherwise complete other files' figures, and be joined into
    // every later context index, for as long as the server runs.
    this.files.invalidate(key);
    if (this.files.read(key) === undefined && this.recorded.delete(key)) this.bump();
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
