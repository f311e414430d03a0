/**
 * What the client answers to the server's `workspace/configuration` for the `tensorcost`
 * section: only the settings the user set (user, workspace, folder, or language-specific),
 * never the package defaults. VS Code's `getConfiguration().get()` fills in every default, and a
 * default sent as if it were a choice would beat pyproject.toml on the server, which ranks an
 * explicit editor setting above pyproject.toml and pyproject.toml above the defaults
 * (`resolveSettings` in server/core/settings.ts).
 *
 * Pure (no `vscode` import) so that the unit tests run it without an editor.
 */
import { SETTINGS_SCHEMA } from '../server/core/settings';

/** The fields of `vscode.WorkspaceConfiguration.inspect()` this module reads. */
export interface Inspected {
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
  globalLanguageValue?: unknown;
  workspaceLanguageValue?: unknown;
  workspaceFolderLanguageValue?: unknown;
}

/** Lowest precedence first, as VS Code itself layers them. */
const LEVELS: (keyof Inspected)[] = ['globalValue', 'workspaceValue', 'workspaceFolderValue', 'globalLanguageValue', 'workspaceLanguageValue', 'workspaceFolderLanguageValue'];

const isTable = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * The explicitly set `tensorcost.*` values as the nested object `getConfiguration('tensorcost')`
 * would give (`inlayHints.enabled` under `inlayHints`). Object settings (`dims`, `rules`,
 * `thresholds`) merge key by key across levels as VS Code merges them; others take the most
 * specific level that sets them.
 */
export function explicitSettings(inspect: (key: string) => Inspected | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of SETTINGS_SCHEMA) {
    const found = inspect(spec.client);
    if (!found) continue;
    let value: unknown;
    for (const level of LEVELS) {
      const v = found[level];
      if (v === undefined) continue;
      value = isTable(v) && isTable(value) ? { ...value, ...v } : v;
    }
    if (value !== undefined) setPath(out, spec.client, value);
  }
  return out;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const parts = dotted.split('.');
  let t = target;
  for (const p of parts.slice(0, -1)) {
    if (!isTable(t[p])) t[p] = {};
    t = t[p] as Record<string, unknown>;
  }
  t[parts[parts.length - 1]] = value;
}
