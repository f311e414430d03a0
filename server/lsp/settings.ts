/**
 * Settings per resource (as vscode-eslint reads them): `workspace/configuration` with the
 * document's URI as scope, `initializationOptions` and the nearest pyproject.toml, in the order
 * `resolveSettings` (core/settings.ts) owns. Never one global: two folders of a workspace may
 * target different devices. The VS Code client answers `workspace/configuration` with only the
 * values the user set (client/explicitSettings.ts); a client that fills in defaults hides
 * pyproject.toml for the keys it fills.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection, MessageType, ShowMessageNotification } from 'vscode-languageserver';
import { DEFAULT_DEVICE_ID, Device, findDevice } from '../core/devices';
import { DEFAULT_SETTINGS, resolveSettings, Settings, settingsFrom, SettingsSource } from '../core/settings';
import { findProjectConfig } from '../node/config';

export class SettingsStore {
  private readonly cache = new Map<string, Promise<Settings>>();
  private readonly warned = new Set<string>();
  /**
   * One object per distinct resolved settings: the documents of a workspace nearly all resolve
   * to the same values, and a copy per open document (its calibrated device included) was
   * ~1 KB each that lived as long as the document, 1,000 open files raising the heap V8 grows
   * from. Shared objects also let the analyses' memos see the same settings.
   */
  private readonly shared = new Map<string, Settings>();
  supportsConfiguration = false;
  initOptions: Partial<Settings> = {};

  constructor(private readonly connection: Connection) {}

  clear(): void {
    this.cache.clear();
    this.shared.clear();
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
    const sources: Partial<Record<SettingsSource, Partial<Settings>>> = { initialization: this.initOptions };
    this.warn(settingsProblems(this.initOptions));
    const file = uriToPath(uri);
    if (file) {
      const cfg = findProjectConfig(path.dirname(file));
      if (cfg) {
        sources.pyproject = cfg.settings;
        this.warn(cfg.errors);
      }
    }
    if (this.supportsConfiguration) {
      try {
        const raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'tensorcost' });
        sources.client = fromClient(raw);
        this.warn(settingsProblems(sources.client));
      } catch {
        // A client that fails the request gets the other sources.
      }
    }
    const merged = resolveSettings({ ...DEFAULT_SETTINGS, customDevices: localDevices() }, sources);
    // The analysis falls back to the default device; the user is told once why.
    if (!findDevice(merged.device, merged.customDevices)) this.warn([`unknown device '${merged.device}'; using ${DEFAULT_DEVICE_ID}. Pick one with "Tensor Cost: Pick Target Device", or add it to tensorcost.customDevices`]);
    const key = JSON.stringify(merged);
    const same = this.shared.get(key);
    if (same) return same;
    this.shared.set(key, merged);
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
 * What the client sends, through the settings schema. Anything malformed is left out (the
 * default or pyproject.toml then applies); the editor's own settings UI validates as you type.
 */
export function fromClient(raw: unknown): Partial<Settings> {
  const r = settingsFrom('client', raw);
  problems.set(r.settings, r.errors.map((e) => `settings tensorcost.${e}`));
  return r.settings;
}

/** What `fromClient` refused in a layer it returned (none for other layers). */
const problems = new WeakMap<object, string[]>();

export function settingsProblems(layer: Partial<Settings>): readonly string[] {
  return problems.get(layer) ?? [];
}
