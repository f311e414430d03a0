/**
 * Settings from files: `[tool.tensorcost]` in the nearest pyproject.toml (ruff-style keys, with
 * `[tool.tensorcost.dims]`). Node-only: the core never reads files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// smol-toml ships CommonJS too; its typings are ESM-only, so the require is typed by hand.
const { parse } = require('smol-toml') as { parse(text: string): unknown };
import { Settings, settingsFrom } from '../core/settings';

export interface FileConfig {
  path: string;
  settings: Partial<Settings>;
  errors: string[];
}

const cache = new Map<string, FileConfig | null>();

/** The nearest pyproject.toml with a [tool.tensorcost] table, searching upwards from `dir`. */
export function findProjectConfig(dir: string): FileConfig | null {
  let d = path.resolve(dir);
  for (;;) {
    if (cache.has(d)) return cache.get(d)!;
    const candidate = path.join(d, 'pyproject.toml');
    if (fs.existsSync(candidate)) {
      const cfg = readPyproject(candidate);
      if (cfg) {
        cache.set(d, cfg);
        return cfg;
      }
    }
    const up = path.dirname(d);
    if (up === d) return null;
    d = up;
  }
}

export function clearConfigCache(): void {
  cache.clear();
}

export function readPyproject(file: string): FileConfig | null {
  let doc: Record<string, unknown>;
  try {
    doc = parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    // smol-toml's message quotes the offending line, which can be a 200 KB data row: keep the head.
    const message = (e as Error).message.split('\n')[0];
    return { path: file, settings: {}, errors: [`${file}: invalid TOML: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`] };
  }
  const tool = (doc.tool as Record<string, unknown> | undefined)?.tensorcost as Record<string, unknown> | undefined;
  if (!tool) return null;
  return { path: file, ...settingsFromTable(tool, file) };
}

/**
 * Validates a `[tool.tensorcost]` table through the settings schema (core/settings.ts); bad
 * entries are reported and skipped, never fatal.
 */
export function settingsFromTable(t: Record<string, unknown>, where: string): { settings: Partial<Settings>; errors: string[] } {
  const { settings, errors } = settingsFrom('toml', t);
  return { settings, errors: errors.map((e) => `${where}: [tool.tensorcost] ${e}`) };
}
