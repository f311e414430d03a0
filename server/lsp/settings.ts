/**
 * Settings per resource (as vscode-eslint reads them): `workspace/configuration` with the
 * document's URI as scope, over `initializationOptions`, over the nearest pyproject.toml.
 * Never one global: two folders of a workspace may target different devices.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from 'vscode-languageserver';
import { parseDType } from '../core/dtypes';
import { Device } from '../core/devices';
import { Severity } from '../core/ir';
import { DEFAULT_SETTINGS, Settings } from '../core/settings';
import { findProjectConfig, mergeSettings } from '../node/config';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<Settings>>();
  supportsConfiguration = false;
  initOptions: Partial<Settings> = {};

  constructor(private readonly connection: Connection) {}

  clear(): void {
    this.cache.clear();
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
      if (cfg) layers.push(cfg.settings);
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
    return mergeSettings({ ...DEFAULT_SETTINGS, customDevices: localDevices() }, ...layers);
  }
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

/** Validates what the client sends; anything malformed falls back to the default silently. */
export function fromClient(raw: unknown): Partial<Settings> {
  const s: Partial<Settings> = {};
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  if (typeof r.device === 'string' && r.device) s.device = r.device;
  if (r.dims && typeof r.dims === 'object') {
    s.dims = {};
    for (const [k, v] of Object.entries(r.dims as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) s.dims[k] = v;
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
  if (typeof r.worldSize === 'number' && r.worldSize >= 1) s.worldSize = Math.floor(r.worldSize);
  if (typeof r.interconnect === 'string') s.interconnect = r.interconnect;
  const ih = (r.inlayHints as Record<string, unknown> | undefined)?.enabled ?? r.inlayHints;
  if (typeof ih === 'boolean') s.inlayHints = ih;
  if (Array.isArray(r.customDevices)) s.customDevices = r.customDevices.filter(isDevice);
  return s;
}

function isDevice(d: unknown): d is Device {
  const x = d as Device;
  return !!x && typeof x.id === 'string' && typeof x.bandwidth === 'number' && !!x.peak && typeof x.peak.fp32 === 'number' && typeof x.peak.fp16 === 'number'
    ? ((x.name ??= x.id), (x.sms ??= 1), (x.memoryBytes ??= null), (x.peak.tf32 ??= null), (x.peak.bf16 ??= x.peak.fp16), true)
    : false;
}
