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
import { Connection } from 'vscode-languageserver';
import { Device } from '../core/devices';
import { DEFAULT_SETTINGS, resolveSettings, Settings, settingsFrom, SettingsSource } from '../core/settings';
import { findProjectConfig } from '../node/config';

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
    const sources: Partial<Record<SettingsSource, Partial<Settings>>> = { initialization: this.initOptions };
    const file = uriToPath(uri);
    if (file) {
      const cfg = findProjectConfig(path.dirname(file));
      if (cfg) sources.pyproject = cfg.settings;
    }
    if (this.supportsConfiguration) {
      try {
        const raw = await this.connection.workspace.getConfiguration({ scopeUri: uri, section: 'tensorcost' });
        sources.client = fromClient(raw);
      } catch {
        // A client that fails the request gets the other sources.
      }
    }
    return resolveSettings({ ...DEFAULT_SETTINGS, customDevices: localDevices() }, sources);
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
  return settingsFrom('client', raw).settings;
}
