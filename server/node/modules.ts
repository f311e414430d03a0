/**
 * Reads a relative import of a TS/JS file (`import {IMAGE_H} from './data'`, `'../model'`,
 * `'./models/cnn'`) for the TF.js frontend, which may not touch the file system itself
 * (server/core and the frontends stay free of fs). Only relative specifiers are read, with the
 * extensions Node and bundlers try, then a folder's `index` file; package imports are left unread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
const INDEX = ['index.ts', 'index.tsx', 'index.js', 'index.mjs', 'index.jsx'];

export function readSiblingModule(fromPath: string, specifier: string): { path: string; text: string } | undefined {
  if (!/^\.\.?\//.test(specifier)) return undefined;
  const base = path.join(path.dirname(fromPath), specifier);
  const candidates = [...EXTENSIONS.map((ext) => base + ext), ...INDEX.map((f) => path.join(base, f))];
  for (const file of candidates) {
    try {
      if (fs.statSync(file).isFile()) return { path: file, text: fs.readFileSync(file, 'utf8') };
    } catch {
      // Not this candidate; try the next.
    }
  }
  return undefined;
}
