/**
 * The whole program (docs/whole-program.md): the Python files of a workspace, and the imports
 * between them resolved the way Python would resolve them when a script of the workspace runs.
 *
 * This module is pure: it never reads a file itself. Whoever builds a program (the CLI from the
 * folders it was given, the language server from its workspace folders and open documents)
 * passes a `ProgramFiles` that lists the files and reads their current texts.
 */

/** The files of one program, as its owner sees them now. */
export interface ProgramFiles {
  /** Folders the program was opened at (workspace folders, CLI arguments' folders). Absolute, '/'-separated. */
  readonly roots: readonly string[];
  /** Whether `path` is a Python file of the program. */
  has(path: string): boolean;
  /** The file's current text (an open document's, else the disk's); undefined when unreadable. */
  read(path: string): string | undefined;
  /**
   * A string that changes whenever the file's text does (a document version, a modification
   * time, a hash): part of the cache keys of every file that imports it.
   */
  version(path: string): string;
}

/** `a/b/c.py` → `a/b`. */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

function join(dir: string, rel: string): string {
  return dir === '' ? rel : `${dir}/${rel}`;
}

/**
 * The folders Python would search for an absolute import made by `from`: the importing file's
 * folder (a script run as `python train.py` has it first on `sys.path`), then each folder above
 * it up to the root that holds it (a project run as `python -m pkg.train` from its root), then
 * the other roots and their `src/` folders (the src layout).
 */
function searchDirs(files: ProgramFiles, from: string): string[] {
  const out: string[] = [];
  const root = files.roots.filter((r) => from.startsWith(r + '/')).sort((a, b) => b.length - a.length)[0];
  for (let d = dirOf(from); ; d = dirOf(d)) {
    out.push(d);
    if (!root || d === root || d.length <= root.length || d === '') break;
  }
  for (const r of files.roots) {
    if (!out.includes(r)) out.push(r);
    const src = join(r, 'src');
    if (!out.includes(src)) out.push(src);
  }
  return out;
}

/**
 * The file that module `name` (dotted, possibly empty for `from . import x`) names when imported
 * from `from` with `level` leading dots; undefined when no file of the program holds it (a
 * library such as torch, or a module outside the workspace).
 */
export function resolveModule(files: ProgramFiles, name: string, level: number, from: string): string | undefined {
  const rel = name.split('.').filter((p) => p !== '').join('/');
  const candidates = (dir: string): string[] => (rel === '' ? [join(dir, '__init__.py')] : [join(dir, `${rel}.py`), join(dir, `${rel}/__init__.py`)]);
  if (level > 0) {
    let dir = dirOf(from);
    for (let i = 1; i < level; i++) dir = dirOf(dir);
    return candidates(dir).find((p) => files.has(p));
  }
  if (rel === '') return undefined;
  for (const dir of searchDirs(files, from)) {
    const hit = candidates(dir).find((p) => files.has(p));
    if (hit) return hit;
  }
  return undefined;
}

/** One import as written: `from .a.b import c as d` / `import a.b as c`, with its line. */
export interface ImportSyntax {
  module: string;
  level: number;
  /** Imported names (`from` form) or null (`import` form). */
  names: string[] | null;
}

const IMPORT_LINE = /^[ \t]*(?:from|import)\b[^\r\n]*/gm;
const FROM_IMPORT = /^\s*from\s+(\.*)([\w.]*)\s+import\s+\(?([^)#\n]*)/;
const PLAIN_IMPORT = /^\s*import\s+([^#\n]+)/;

/**
 * The imports of a source, read line by line without parsing: enough to know which files of the
 * program an analysis of it may read (its dependencies, for cache keys), before running it.
 * Imports inside functions count too (they run when the function does).
 */
export function scanImports(text: string): ImportSyntax[] {
  const out: ImportSyntax[] = [];
  // Only lines that start with `from` or `import` after indentation, found by one regex over the
  // text: splitting a 10,000-line file into lines on every keystroke costs more than the rest.
  for (const found of text.matchAll(IMPORT_LINE)) {
    const line = found[0];
    const f = FROM_IMPORT.exec(line);
    if (f) {
      out.push({ level: f[1].length, module: f[2], names: f[3].split(',').map((s) => s.trim().split(/\s+as\s+/)[0]).filter((s) => /^[\w*]+$/.test(s)) });
      continue;
    }
    const p = PLAIN_IMPORT.exec(line);
    if (p) for (const part of p[1].split(',')) {
      const m = part.trim().split(/\s+as\s+/)[0];
      if (/^[\w.]+$/.test(m)) out.push({ level: 0, module: m, names: null });
    }
  }
  return out;
}

/**
 * Every file of the program that `path` may read when analysed, transitively, in a stable order:
 * the files its imports resolve to, then theirs. `from pkg import mod` counts `pkg/mod.py` too.
 * `imports`: `scanImports(text)`, where the caller has it (textScans.ts).
 */
export function importClosure(files: ProgramFiles, path: string, text: string, imports = scanImports(text)): string[] {
  const seen = new Set<string>([path]);
  const order: string[] = [];
  const visit = (from: string, source: string | undefined) => {
    if (source === undefined) return;
    for (const imp of source === text && from === path ? imports : scanImports(source)) {
      const targets: string[] = [];
      const mod = resolveModule(files, imp.module, imp.level, from);
      if (mod) targets.push(mod);
      for (const n of imp.names ?? []) {
        if (n === '*') continue;
        const sub = resolveModule(files, imp.module === '' ? n : `${imp.module}.${n}`, imp.level, from);
        if (sub) targets.push(sub);
      }
      // `import a.b.c` binds `a` and loads every package on the way.
      if (imp.names === null && imp.level === 0) {
        const parts = imp.module.split('.');
        for (let i = 1; i < parts.length; i++) {
          const pkg = resolveModule(files, parts.slice(0, i).join('.'), 0, from);
          if (pkg) targets.push(pkg);
        }
      }
      for (const t of targets) {
        if (seen.has(t)) continue;
        seen.add(t);
        order.push(t);
        visit(t, files.read(t));
      }
    }
  };
  visit(path, text);
  return order;
}
