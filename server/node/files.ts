/** Walks paths given on the command line, honouring .gitignore files like git does. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { Ignore } from 'ignore';

/** Folders nobody wants linted, skipped even without a .gitignore (as ruff does). */
const ALWAYS_SKIP = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.mypy_cache', '.tox', 'site-packages']);

export const SOURCE_EXTENSIONS: Record<string, 'python' | 'typescript' | 'javascript'> = {
  '.py': 'python',
  '.pyi': 'python',
  '.ts': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.tsx': 'typescript',
  '.js': 'javascript',
  '.mjs': 'javascript',
  // Jupyter notebooks: their Python code cells, read by server/cli/notebook.ts.
  '.ipynb': 'python',
  '.cjs': 'javascript',
  '.jsx': 'javascript',
};

interface Rules {
  base: string;
  ig: Ignore;
}

function loadGitignore(dir: string): Rules | null {
  const f = path.join(dir, '.gitignore');
  try {
    return { base: dir, ig: ignore().add(fs.readFileSync(f, 'utf8')) };
  } catch {
    return null;
  }
}

function ignored(file: string, isDir: boolean, rules: Rules[]): boolean {
  for (const r of rules) {
    const rel = path.relative(r.base, file).split(path.sep).join('/');
    if (!rel || rel.startsWith('..')) continue;
    if (r.ig.ignores(isDir ? rel + '/' : rel)) return true;
  }
  return false;
}

/**
 * Expands files and folders into source files. Explicit files are always taken (as with ruff);
 * folders are walked in sorted order so reports are stable. Folders that cannot be listed are
 * returned in `unreadable` with the reason, so the caller can say so instead of passing over them.
 */
export function collectFiles(inputs: string[]): { files: string[]; missing: string[]; unreadable: string[] } {
  const files: string[] = [];
  const missing: string[] = [];
  const unreadable: string[] = [];
  for (const input of inputs) {
    let st: fs.Stats;
    try {
      st = fs.statSync(input);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') missing.push(input);
      else unreadable.push(`${input}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
      continue;
    }
    if (st.isFile()) files.push(input);
    else if (st.isDirectory()) walk(input, ancestorsRules(input), files, unreadable);
  }
  return { files, missing, unreadable };
}

/**
 * .gitignore files of the folders above a starting folder, up to the root of the repository that
 * holds it. As with git (and ruff, ripgrep), a .gitignore outside the repository means nothing:
 * when the starting folder is itself a repository root, none above it apply, and when no folder
 * up to the file-system root is a repository, none do.
 */
function ancestorsRules(dir: string): Rules[] {
  const out: Rules[] = [];
  let d = path.resolve(dir);
  if (isRepoRoot(d)) return out;
  for (;;) {
    const up = path.dirname(d);
    if (up === d) return [];
    d = up;
    const r = loadGitignore(d);
    if (r) out.unshift(r);
    if (isRepoRoot(d)) return out;
  }
}

function isRepoRoot(dir: string): boolean {
  return fs.existsSync(path.join(dir, '.git'));
}

function walk(dir: string, rules: Rules[], out: string[], unreadable: string[]): void {
  const own = loadGitignore(path.resolve(dir));
  const active = own ? [...rules, own] : rules;
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    unreadable.push(`${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = path.join(dir, e.name);
    const abs = path.resolve(full);
    if (e.isDirectory()) {
      if (ALWAYS_SKIP.has(e.name) || ignored(abs, true, active)) continue;
      walk(full, active, out, unreadable);
    } else if (e.isFile() && SOURCE_EXTENSIONS[path.extname(e.name)] && !/\.d\.[mc]?ts$/.test(e.name) && !ignored(abs, false, active)) {
      out.push(full);
    }
  }
}
