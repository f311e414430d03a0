/**
 * Analysis settings: what VS Code's `tensorcost.*` settings, `[tool.tensorcost]` in
 * pyproject.toml and CLI flags all become. The pure core only ever sees the `Settings` object.
 *
 * `SETTINGS_SCHEMA` is the one description of every setting: its key in the client's JSON, its
 * pyproject.toml keys, its CLI flag, its validator and its default. The pyproject reader
 * (server/node/config.ts), the client reader (server/lsp/settings.ts) and `tensorcost check`'s
 * flags are all driven by it, and `resolveSettings` is the one place that says which source
 * wins (docs in README "Configuration").
 */
import { DType, parseDType } from './dtypes';
import { DEFAULT_DEVICE_ID, Device, INTERCONNECTS } from './devices';
import { checkDevices } from './deviceCheck';
import { checkDim, parseDimText } from './dimCheck';
import { Severity } from './ir';

export interface Settings {
  device: string;
  /** User-defined and calibrated devices, in addition to the catalogue. */
  customDevices: Device[];
  dims: Record<string, number>;
  defaultDtype: DType;
  /** Per-code severity overrides, or 'off'. */
  rules: Record<string, Severity | 'off'>;
  /** Only these codes (prefixes allowed, like ruff's `select`); empty means all. */
  select: string[];
  ignore: string[];
  /** Rule thresholds by name; each rule documents its own keys and defaults. */
  thresholds: Record<string, number>;
  /** Distributed training configuration (issue 7). */
  worldSize: number;
  interconnect: string;
  inlayHints: boolean;
  /** Files larger than this (KB of UTF-8) are not analysed; 0 or less turns the limit off. */
  maxFileSizeKB: number;
}

/** More GPUs than any training run has used; above it `worldSize` is a typo, not a plan. */
export const MAX_WORLD_SIZE = 10_000_000;

export const DEFAULT_SETTINGS: Settings = {
  device: DEFAULT_DEVICE_ID,
  customDevices: [],
  dims: {},
  defaultDtype: 'fp32',
  rules: {},
  select: [],
  ignore: [],
  thresholds: {},
  worldSize: 1,
  interconnect: 'nvlink',
  inlayHints: true,
  maxFileSizeKB: 2048,
};

export function withDefaults(partial: Partial<Settings> | undefined): Settings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}) };
}

/** A validated value, with what was wrong in it (bad entries of a table are dropped, not fatal). */
export interface Parsed<T> {
  value?: T;
  errors: string[];
}

export interface SettingSpec<K extends keyof Settings = keyof Settings> {
  key: K;
  /** Dotted path under `tensorcost.` in the editor's settings (package.json's contributes). */
  client: string;
  /** Keys in `[tool.tensorcost]`, the documented one first; absent when pyproject cannot set it. */
  toml?: string[];
  /**
   * `tensorcost check` flag: its name, the value's placeholder, and how its text becomes the
   * value the validator takes (throwing on text it cannot read).
   */
  flag?: { name: string; value: string; multiple?: boolean; fromText(texts: string[]): unknown };
  /** Validates a value as it comes from TOML, the client's JSON or `flag.fromText`. */
  parse(raw: unknown): Parsed<Settings[K]>;
  description: string;
}

const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];
const CLI_DTYPES = ['fp32', 'tf32', 'fp16', 'bf16'];

/** TOML integers may arrive as bigint (smol-toml does for large ones). */
const num = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);
const isTable = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function stringOf(what: string, allowed?: readonly string[]) {
  return (raw: unknown): Parsed<string> =>
    typeof raw === 'string' && raw && (!allowed || allowed.includes(raw))
      ? { value: raw, errors: [] }
      : { errors: [`must be ${allowed ? `one of ${allowed.join(', ')}` : what}, got ${show(raw)}`] };
}

function tableOf<T>(what: string, entry: (v: unknown) => T | undefined, key: (k: string) => string = (k) => k) {
  return (raw: unknown): Parsed<Record<string, T>> => {
    if (!isTable(raw)) return { errors: [`must be a table of ${what}, got ${show(raw)}`] };
    const value: Record<string, T> = {};
    const errors: string[] = [];
    for (const [k, v] of Object.entries(raw)) {
      const e = entry(num(v));
      // `.m must be ...`: the caller prefixes the table's key, giving `dims.m must be ...`.
      if (e === undefined) errors.push(`.${k} must be ${what.replace(/^(NAME|CODE) = /, '')}, got ${show(v)}`);
      else value[key(k)] = e;
    }
    return { value, errors };
  };
}

function codes(raw: unknown): Parsed<string[]> {
  return Array.isArray(raw) && raw.every((x) => typeof x === 'string')
    ? { value: raw.map((x: string) => x.trim().toUpperCase()).filter(Boolean), errors: [] }
    : { errors: [`must be a list of rule codes, got ${show(raw)}`] };
}

/** TOML's bigints as numbers, all the way down (device figures are written as integers). */
function deepNumbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(deepNumbers);
  if (isTable(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepNumbers(x)]));
  return v;
}

function show(v: unknown): string {
  try {
    return typeof v === 'bigint' ? String(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}

/** `B=8,T=1024` (flags may repeat) as the table the validator takes; throws on a malformed part. */
function dimsFromText(texts: string[]): unknown {
  const out: Record<string, unknown> = {};
  for (const part of texts.flatMap((t) => t.split(','))) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z_][\w.]*)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new Error(`expects NAME=VALUE[,NAME=VALUE...], got '${part}'`);
    // Read from the text (core/dimCheck.ts), which says exactly what is wrong with `1e400`, `-7`
    // or a size past 2^53 before a double has rounded it.
    const v = parseDimText(m[2]);
    if ('error' in v) throw new Error(`${m[1]}: ${v.error}`);
    out[m[1]] = v.value;
  }
  return out;
}

const commaList = (texts: string[]) => texts.flatMap((t) => t.split(',')).map((s) => s.trim()).filter(Boolean);
const lastText = (texts: string[]) => texts[texts.length - 1];


function spec<K extends keyof Settings>(s: SettingSpec<K>): SettingSpec<K> {
  return s;
}

export const SETTINGS_SCHEMA: readonly SettingSpec[] = [
  spec({
    key: 'device',
    client: 'device',
    toml: ['device'],
    flag: { name: 'device', value: 'ID', fromText: lastText },
    parse: stringOf('a device id'),
    description: "Target device (default h100; 'tensorcost devices' lists them)",
  }),
  spec({
    key: 'defaultDtype',
    client: 'defaultDtype',
    toml: ['default-dtype', 'defaultDtype', 'dtype'],
    flag: { name: 'dtype', value: 'fp32|tf32|fp16|bf16', fromText: lastText },
    parse: (raw) => {
      const d = typeof raw === 'string' ? parseDType(raw) : undefined;
      return d && CLI_DTYPES.includes(d) ? { value: d, errors: [] } : { errors: [`must be one of ${CLI_DTYPES.join(', ')}, got ${show(raw)}`] };
    },
    description: 'Dtype where the code does not say (default fp32)',
  }),
  spec({
    key: 'dims',
    client: 'dims',
    toml: ['dims'],
    flag: { name: 'dims', value: 'NAME=VALUE[,...]', multiple: true, fromText: dimsFromText },
    // Sizes: whole, non-negative, exact in a double (core/dimCheck.ts); anything else would give
    // negative, fractional or non-finite figures.
    parse: (raw) => {
      if (!isTable(raw)) return { errors: [`must be a table of NAME = size, got ${show(raw)}`] };
      const value: Record<string, number> = {};
      const errors: string[] = [];
      for (const [k, v] of Object.entries(raw)) {
        const e = checkDim(num(v));
        if (e) errors.push(`.${k}: ${e}`);
        else value[k] = num(v) as number;
      }
      return { value, errors };
    },
    description: 'Bind dims, e.g. --dims B=8,T=1024',
  }),
  spec({
    key: 'select',
    client: 'select',
    toml: ['select'],
    flag: { name: 'select', value: 'CODES', multiple: true, fromText: commaList },
    parse: codes,
    description: 'Only these rule codes or prefixes (comma-separated)',
  }),
  spec({
    key: 'ignore',
    client: 'ignore',
    toml: ['ignore'],
    flag: { name: 'ignore', value: 'CODES', multiple: true, fromText: commaList },
    parse: codes,
    description: 'Skip these rule codes or prefixes',
  }),
  spec({
    key: 'rules',
    client: 'rules',
    toml: ['severity', 'rules'],
    parse: tableOf('CODE = one of error, warning, information, hint, off', (v) => (typeof v === 'string' && SEVERITIES.includes(v) ? (v as Severity | 'off') : undefined), (k) => k.toUpperCase()),
    description: 'Severity per rule code, or off',
  }),
  spec({
    key: 'thresholds',
    client: 'thresholds',
    toml: ['thresholds'],
    parse: tableOf('NAME = a number', (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined)),
    description: "Rule thresholds; each rule's documentation names its keys",
  }),
  spec({
    key: 'worldSize',
    client: 'worldSize',
    toml: ['world-size', 'worldSize'],
    flag: { name: 'world-size', value: 'N', fromText: (t) => (/^\s*\d+\s*$/.test(lastText(t)) ? Number(lastText(t)) : lastText(t)) },
    parse: (raw) => {
      const n = num(raw);
      return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= MAX_WORLD_SIZE ? { value: n, errors: [] } : { errors: [`must be an integer from 1 to ${MAX_WORLD_SIZE}, got ${show(raw)}`] };
    },
    description: 'GPUs for distributed analysis (default 1)',
  }),
  spec({
    key: 'interconnect',
    client: 'interconnect',
    toml: ['interconnect'],
    flag: { name: 'interconnect', value: INTERCONNECTS.map((i) => i.id).join('|'), fromText: lastText },
    parse: stringOf('an interconnect', INTERCONNECTS.map((i) => i.id)),
    description: 'Link between GPUs for distributed analysis (default nvlink)',
  }),
  spec({
    key: 'inlayHints',
    client: 'inlayHints.enabled',
    parse: (raw) => (typeof raw === 'boolean' ? { value: raw, errors: [] } : { errors: [`must be true or false, got ${show(raw)}`] }),
    description: 'Show inferred shapes as inlay hints',
  }),
  spec({
    key: 'maxFileSizeKB',
    client: 'maxFileSizeKB',
    toml: ['max-file-size-kb', 'maxFileSizeKB'],
    flag: { name: 'max-file-size-kb', value: 'N', fromText: (t) => (/^\s*\d+(\.\d+)?\s*$/.test(lastText(t)) ? Number(lastText(t)) : lastText(t)) },
    parse: (raw) => {
      const n = num(raw);
      return typeof n === 'number' && Number.isFinite(n) && n >= 0 ? { value: n, errors: [] } : { errors: [`must be a number of KB, 0 or more, got ${show(raw)}`] };
    },
    description: 'Skip files larger than N KB, with a warning (default 2048; 0: no limit)',
  }),
  spec({
    key: 'customDevices',
    client: 'customDevices',
    toml: ['custom-devices', 'customDevices'],
    // Finite, positive, in range (core/deviceCheck.ts): a bandwidth of 0 would make every figure
    // infinite and the roofline drawing endless. A bad device costs only itself.
    parse: (raw) => {
      const c = checkDevices(deepNumbers(raw), 'customDevices');
      return { value: c.devices, errors: c.errors.map((e) => e.replace(/^customDevices/, '')) };
    },
    description: 'Devices added to the catalogue',
  }),
];

/** Reads one source (a `[tool.tensorcost]` table or the client's JSON) through the schema. */
export function settingsFrom(source: 'toml' | 'client', raw: unknown): { settings: Partial<Settings>; errors: string[] } {
  const settings: Partial<Settings> = {};
  const errors: string[] = [];
  if (!isTable(raw)) return { settings, errors };
  for (const s of SETTINGS_SCHEMA) {
    let value: unknown;
    let name: string | undefined;
    if (source === 'toml') {
      name = s.toml?.find((k) => raw[k] !== undefined);
      value = name === undefined ? undefined : raw[name];
    } else {
      name = s.client;
      value = lookup(raw, s.client);
    }
    // `null` is what a client answers for a setting it does not have: the same as absent.
    if (value === undefined || value === null || name === undefined) continue;
    const p = s.parse(value);
    if (p.value !== undefined) (settings as Record<string, unknown>)[s.key] = p.value;
    for (const e of p.errors) errors.push(`${name}${e.startsWith('.') || e.startsWith('[') ? '' : ' '}${e}`);
  }
  return { settings, errors };
}

/** `inlayHints.enabled` in `{inlayHints: {enabled: true}}`, or as a flat key (some clients send those). */
function lookup(raw: Record<string, unknown>, dotted: string): unknown {
  if (raw[dotted] !== undefined) return raw[dotted];
  let v: unknown = raw;
  for (const part of dotted.split('.')) {
    if (!isTable(v)) return undefined;
    v = v[part];
  }
  return v;
}

/**
 * Where settings come from, lowest precedence first. An explicit editor setting (user, workspace
 * or folder) beats pyproject.toml, which beats the defaults; a CLI flag beats pyproject.toml.
 * `initialization` is what a client put in `initializationOptions` (clients without
 * `workspace/configuration`, or that send settings once at start).
 */
export const PRECEDENCE = ['pyproject', 'initialization', 'client', 'cli'] as const;
export type SettingsSource = (typeof PRECEDENCE)[number];

/**
 * The one owner of precedence: every source's explicitly set values over the defaults, in
 * PRECEDENCE order. Tables (`dims`, `rules`, `thresholds`) merge key by key; custom devices add up.
 * A source must hold only what was set explicitly: a client that fills in package defaults
 * would hide pyproject.toml (the VS Code client sends only explicit values for this reason).
 */
export function resolveSettings(base: Settings, sources: Partial<Record<SettingsSource, Partial<Settings>>>): Settings {
  return mergeSettings(base, ...PRECEDENCE.map((s) => sources[s] ?? {}));
}

/** Merges settings layers: later layers win, `dims`, `rules` and `thresholds` merge key by key. */
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
