/**
 * Reads a relative import of a TS/JS file from the same folder (`import {IMAGE_H} from './data'`)
 * for the TF.js frontend, which may not touch the file system itself (server/core and the
 * frontends stay free of fs). Only `./name` specifiers are read, with the extensions Node and
 * bundlers try; anything else is left unread.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const EXTENSIONS = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

export function readSiblingModule(fromPath: string, specifier: string): { path: string; text: string } | undefined {
  if (!/^\.\/[^/]+$/.test(specifier)) return undefined;
  const base = path.join(path.dirname(fromPath), specifier);
  for (const ext of EXTENSIONS) {
    const file = base + ext;
    try {
      if (fs.statSync(file).isFile()) return { path: file, text: fs.readFileSync(file, 'utf8') };
    } catch {
      // Not this extension; try the next.
    }
  }
  return undefined;
}
