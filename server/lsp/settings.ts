/**
 * Settings per resource (as vscode-eslint reads them): `workspace/configuration` with the
 * document's URI as scope, over `initializationOptions`, over the nearest pyproject.toml.
 * Never one global: two folders of a workspace may target different devices.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection, MessageType, ShowMessageNotification } from 'vscode-languageserver';
import { parseDType } from '../core/dtypes';
import { checkDevices } from '../core/deviceCheck';
import { DEFAULT_DEVICE_ID, Device, findDevice } from '../core/devices';
import { checkDim } from '../core/dimCheck';
import { Severity } from '../core/ir';
import { DEFAULT_SETTINGS, MAX_WORLD_SIZE, Settings } from '../core/settings';
import { findProjectConfig, mergeSettings } from '../node/config';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<Settings>>();
  /** Problems already shown, so that each is shown once, not once per document. */
  private readonly warned = new Set<string>();
  supportsConfiguration = false;
  initOptions: Partial<Settings> = {};

  constructor(private readonly connection: Connection) {}

  clear(): void {
    this.cache.clear();
    // Settings changed: a problem that is still there is worth saying again.
    this.warned.clear();
  }

  get(uri: string): Promise<Settings> {
    let p = this.cache.get(uri);
    if (!p) {
      p = this.load(uri);
      this.cache.set(uri, p);
    }
    return p;
  }

  private async load(uri: string): Promise<Settings> {
    const layers: Partial<Settings>[] = [];
    const file = uriToPath(uri);
    if (file) {
      const cfg = findProjectConfig(path.dirname(file));
      if (cfg) {
        layers.push(cfg.settings);
        this.warn(cfg.errors);
      }
    }
    layers.push(this.initOptions);
    if (this.supportsConfiguration) {
      try {
        const raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'tensorcost' });
        layers.push(fromClient(raw));
      } catch {
        // A client that fails the request gets the other layers.
      }
    }
    for (const l of layers) this.warn(settingsProblems(l));
    const merged = mergeSettings({ ...DEFAULT_SETTINGS, customDevices: localDevices() }, ...layers);
    // The analysis falls back to the default device; the user is told once why.
    if (!findDevice(merged.device, merged.customDevices)) this.warn([`unknown device '${merged.device}'; using ${DEFAULT_DEVICE_ID}. Pick one with "Tensor Cost: Pick Target Device", or add it to tensorcost.customDevices`]);
    return merged;
  }

  /** Tells the user, once per distinct message, which settings were refused and why. */
  private warn(problems: readonly string[]): void {
    for (const p of problems) {
      if (this.warned.has(p)) continue;
      this.warned.add(p);
      this.connection.console.warn(`tensorcost: ${p}`);
      // A notification, not window/showMessageRequest: a client that does not answer requests
      // of that kind must not turn a warning into an unhandled rejection.
      void this.connection.sendNotification(ShowMessageNotification.type, { type: MessageType.Warning, message: `Tensor Cost: ${p}` });
    }
  }
}

/** What `fromClient` refused in a layer it returned (none for other layers). */
const problems = new WeakMap<object, string[]>();

export function settingsProblems(layer: Partial<Settings>): readonly string[] {
  return problems.get(layer) ?? [];
}

export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function localDevices(): Device[] {
  try {
    const d = (require('../node/localDevice') as typeof import('../node/localDevice')).loadLocalDevice();
    return d ? [d] : [];
  } catch {
    return [];
  }
}

/**
 * Validates what the client sends. Anything malformed falls back to the default; dims and devices
 * that would make figures meaningless (a zero bandwidth, a negative dim) are refused with a
 * message (`settingsProblems`), which the store shows to the user.
 */
export function fromClient(raw: unknown): Partial<Settings> {
  const s: Partial<Settings> = {};
  if (!raw || typeof raw !== 'object') return s;
  const errors: string[] = [];
  problems.set(s, errors);
  const r = raw as Record<string, unknown>;
  if (typeof r.device === 'string' && r.device) s.device = r.device;
  if (r.dims && typeof r.dims === 'object') {
    s.dims = {};
    for (const [k, v] of Object.entries(r.dims as Record<string, unknown>)) {
      const err = checkDim(v);
      if (err) errors.push(`settings tensorcost.dims.${k}: ${err}`);
      else s.dims[k] = v as number;
    }
  }
  if (typeof r.defaultDtype === 'string') {
    const d = parseDType(r.defaultDtype);
    if (d) s.defaultDtype = d;
  }
  if (r.rules && typeof r.rules === 'object') {
    s.rules = {};
    for (const [k, v] of Object.entries(r.rules as Record<string, unknown>)) {
      if (typeof v === 'string' && ['error', 'warning', 'information', 'hint', 'off'].includes(v)) s.rules[k.toUpperCase()] = v as Severity | 'off';
    }
  }
  for (const key of ['select', 'ignore'] as const) {
    const v = r[key];
    if (Array.isArray(v)) s[key] = v.filter((x): x is string => typeof x === 'string').map((x) => x.toUpperCase());
  }
  if (r.thresholds && typeof r.thresholds === 'object') {
    s.thresholds = {};
    for (const [k, v] of Object.entries(r.thresholds as Record<string, unknown>)) if (typeof v === 'number') s.thresholds[k] = v;
  }
  if (typeof r.worldSize === 'number' && Number.isSafeInteger(r.worldSize) && r.worldSize >= 1 && r.worldSize <= MAX_WORLD_SIZE) s.worldSize = r.worldSize;
  else if (r.worldSize !== undefined) errors.push(`settings tensorcost.worldSize must be an integer from 1 to ${MAX_WORLD_SIZE}`);
  if (typeof r.interconnect === 'string') s.interconnect = r.interconnect;
  const ih = (r.inlayHints as Record<string, unknown> | undefined)?.enabled ?? r.inlayHints;
  if (typeof ih === 'boolean') s.inlayHints = ih;
  if (r.maxFileSizeKB !== undefined) {
    if (typeof r.maxFileSizeKB === 'number' && Number.isFinite(r.maxFileSizeKB) && r.maxFileSizeKB >= 0) s.maxFileSizeKB = r.maxFileSizeKB;
    else errors.push('settings tensorcost.maxFileSizeKB must be a number of KB, 0 or more');
  }
  if (r.customDevices !== undefined) {
    const c = checkDevices(r.customDevices, 'settings tensorcost.customDevices');
    s.customDevices = c.devices;
    errors.push(...c.errors);
  }
  return s;
}
