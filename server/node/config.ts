/**
 * Settings from files: `[tool.tensorcost]` in the nearest pyproject.toml (ruff-style keys, with
 * `[tool.tensorcost.dims]`). Node-only: the core never reads files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
// smol-toml ships CommonJS too; its typings are ESM-only, so the require is typed by hand.
const { parse } = require('smol-toml') as { parse(text: string): unknown };
import { checkDevices } from '../core/deviceCheck';
import { checkDim } from '../core/dimCheck';
import { parseDType } from '../core/dtypes';
import { Severity } from '../core/ir';
import { MAX_WORLD_SIZE, Settings } from '../core/settings';

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

/** Validates a `[tool.tensorcost]` table; bad entries are reported and skipped, never fatal. */
export function settingsFromTable(t: Record<string, unknown>, where: string): { settings: Partial<Settings>; errors: string[] } {
  const s: Partial<Settings> = {};
  const errors: string[] = [];
  const bad = (key: string, want: string) => errors.push(`${where}: [tool.tensorcost] ${key} must be ${want}`);
  if (t.device !== undefined) typeof t.device === 'string' ? (s.device = t.device) : bad('device', 'a string');
  const dt = t['default-dtype'] ?? t.defaultDtype ?? t.dtype;
  if (dt !== undefined) {
    const d = typeof dt === 'string' ? parseDType(dt) : undefined;
    d ? (s.defaultDtype = d) : bad('default-dtype', 'one of fp32, tf32, fp16, bf16');
  }
  if (t.dims !== undefined) {
    if (t.dims && typeof t.dims === 'object') {
      s.dims = {};
      for (const [k, v] of Object.entries(t.dims as Record<string, unknown>)) {
        const err = checkDim(v);
        err ? errors.push(`${where}: [tool.tensorcost.dims] ${k} ${err}`) : (s.dims[k] = Number(v));
      }
    } else bad('dims', 'a table of NAME = integer');
  }
  for (const key of ['select', 'ignore'] as const) {
    const v = t[key];
    if (v === undefined) continue;
    Array.isArray(v) && v.every((x) => typeof x === 'string') ? (s[key] = v as string[]) : bad(key, 'a list of rule codes');
  }
  const sev = t.severity ?? t.rules;
  if (sev !== undefined) {
    if (sev && typeof sev === 'object') {
      s.rules = {};
      for (const [k, v] of Object.entries(sev as Record<string, unknown>)) {
        if (typeof v === 'string' && ['error', 'warning', 'information', 'hint', 'off'].includes(v)) s.rules[k.toUpperCase()] = v as Severity | 'off';
        else bad(`severity.${k}`, 'one of error, warning, information, hint, off');
      }
    } else bad('severity', 'a table of CODE = severity');
  }
  if (t.thresholds !== undefined) {
    if (t.thresholds && typeof t.thresholds === 'object') {
      s.thresholds = {};
      for (const [k, v] of Object.entries(t.thresholds as Record<string, unknown>)) {
        const n = typeof v === 'bigint' ? Number(v) : v;
        typeof n === 'number' && Number.isFinite(n) ? (s.thresholds[k] = n) : bad(`thresholds.${k}`, 'a finite number');
      }
    } else bad('thresholds', 'a table');
  }
  const ws = t['world-size'] ?? t.worldSize;
  if (ws !== undefined) {
    const n = typeof ws === 'bigint' ? Number(ws) : ws;
    typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_WORLD_SIZE ? (s.worldSize = n) : bad('world-size', `an integer from 1 to ${MAX_WORLD_SIZE}`);
  }
  const maxKB = t['max-file-size-kb'] ?? t.maxFileSizeKB;
  if (maxKB !== undefined) {
    const n = typeof maxKB === 'bigint' ? Number(maxKB) : maxKB;
    typeof n === 'number' && Number.isFinite(n) && n >= 0 ? (s.maxFileSizeKB = n) : bad('max-file-size-kb', 'a number of KB, 0 or more');
  }
  const devices = t['custom-devices'] ?? t.customDevices;
  if (devices !== undefined) {
    const c = checkDevices(numbers(devices), `${where}: [tool.tensorcost] custom-devices`);
    s.customDevices = c.devices;
    errors.push(...c.errors);
  }
  if (t.interconnect !== undefined) typeof t.interconnect === 'string' ? (s.interconnect = t.interconnect) : bad('interconnect', 'a string');
  return { settings: s, errors };
}

/** TOML integers may come as bigint; device figures are doubles. */
function numbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(numbers);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbers(x)]));
  return v;
}

/** Merges settings layers: later layers win, `dims` and `rules` merge key by key. */
export function mergeSettings(base: Settings, ...layers: Partial<Settings>[]): Settings {
  let out = { ...base };
  for (const l of layers) {
    out = {
      ...out,
      ...l,
      dims: { ...out.dims, ...(l.dims ?? {}) },
      rules: { ...out.rules, ...(l.rules ?? {}) },
      thresholds: { ...out.thresholds, ...(l.thresholds ?? {}) },
      customDevices: [...out.customDevices, ...(l.customDevices ?? [])],
    };
  }
  return out;
}
