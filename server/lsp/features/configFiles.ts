/**
 * pyproject.toml edited while the server runs: its `[tool.tensorcost]` is read once and cached,
 * so a change the client reports through `workspace/didChangeWatchedFiles` drops that cache and
 * every analysis, and asks the client to pull diagnostics, hints and lenses again. The server
 * asks for the file events itself (dynamic registration in server.ts) from clients that allow it.
 */
import { clearConfigCache } from '../../node/config';
import { Feature } from '../context';

export const CONFIG_FILE_GLOB = '**/pyproject.toml';

export const configFilesFeature: Feature = {
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onDidChangeWatchedFiles((e) => {
      if (!e.changes.some((c) => /(^|\/)pyproject\.toml$/.test(c.uri))) return;
      clearConfigCache();
      ctx.refreshAll();
    });
  },
};
