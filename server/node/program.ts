/**
 * The program of the files on disk (docs/whole-program.md): what the CLI and the language server
 * hand the Python frontend so that imports between the workspace's files resolve. Texts are read
 * on demand; an overlay (the editor's open documents) wins over the disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ProgramFiles } from '../frontends/python/program';

/** Python files larger than this are not read as dependencies (data tables, generated code). */
const MAX_DEPENDENCY_BYTES = 2 * 1024 * 1024;

/** '/'-separated absolute path, as the program keys files. */
export function programPath(p: string): string {
  return path.resolve(p).split(path.sep).join('/');
}

/** The nearest folder above `dir` that looks like a project root (.git, pyproject.toml, setup.py). */
export function projectRoot(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    if (['.git', 'pyproject.toml', 'setup.py', 'setup.cfg'].some((f) => fs.existsSync(path.join(d, f)))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

export interface Overlay {
  /** An open document's text and version, by program path. */
  get(p: string): { text: string; version: number } | undefined;
}

export class DiskProgram implements ProgramFiles {
  roots: string[];
  private readonly exists = new Map<string, boolean>();
  private readonly texts = new Map<string, { mtime: number; text: string | undefined }>();

  constructor(roots: Iterable<string>, private readonly overlay?: Overlay) {
    this.roots = [...new Set([...roots].map(programPath))];
  }

  /** Adds a folder (an open file outside every root is read with its folder as one). */
  addRoot(dir: string): void {
    const d = programPath(dir);
    if (!this.roots.includes(d)) this.roots = [...this.roots, d];
  }

  /** Forgets what was read from disk (a file changed there). */
  invalidate(p?: string): void {
    if (p === undefined) {
      this.exists.clear();
      this.texts.clear();
    } else {
      this.exists.delete(p);
      this.texts.delete(p);
    }
  }

  has(p: string): boolean {
    if (!p.endsWith('.py') || !this.roots.some((r) => p.startsWith(r + '/'))) return false;
    if (this.overlay?.get(p)) return true;
    let known = this.exists.get(p);
    if (known === undefined) {
      try {
        known = fs.statSync(p).isFile();
      } catch {
        known = false;
      }
      this.exists.set(p, known);
    }
    return known;
  }

  read(p: string): string | undefined {
    const open = this.overlay?.get(p);
    if (open) return open.text;
    try {
      const st = fs.statSync(p);
      const hit = this.texts.get(p);
      if (hit && hit.mtime === st.mtimeMs) return hit.text;
      const text = st.size > MAX_DEPENDENCY_BYTES ? undefined : fs.readFileSync(p, 'utf8');
      this.texts.set(p, { mtime: st.mtimeMs, text });
      return text;
    } catch {
      return undefined;
    }
  }

  version(p: string): string {
    const open = this.overlay?.get(p);
    if (open) return `v${open.version}`;
    try {
      const st = fs.statSync(p);
      return `m${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  }
}

/** The roots of a CLI run: the folders given, the folders of the files given, and their project roots. */
export function cliRoots(inputs: string[]): string[] {
  const out = new Set<string>();
  for (const input of inputs) {
    let dir: string;
    try {
      dir = fs.statSync(input).isDirectory() ? input : path.dirname(input);
    } catch {
      continue;
    }
    out.add(path.resolve(dir));
    const root = projectRoot(dir);
    if (root) out.add(root);
  }
  return [...out];
}
