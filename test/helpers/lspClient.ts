/**
 * A minimal LSP client over stdio for protocol tests: spawns `tensorcost lsp --stdio` as any
 * editor would and speaks JSON-RPC to it through vscode-jsonrpc.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, MessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { SERVER_NODE_FLAGS } from '../../server/node/serverFlags';

export const REPO = path.resolve(__dirname, '..', '..', '..');
export const CLI = path.join(REPO, 'out', 'server', 'cli', 'main.js');

export interface TestServer {
  conn: MessageConnection;
  proc: ChildProcess;
  notifications: { method: string; params: unknown }[];
  /** The server's answer to `initialize` (its capabilities). */
  initializeResult: any;
  waitFor(method: string, pred?: (p: any) => boolean, timeoutMs?: number): Promise<any>;
  stop(): Promise<void>;
}

export async function startServer(capabilities: object, initializationOptions: object = {}, onConfiguration?: (items: any[]) => any[], workspaceFolders: { uri: string; name: string }[] | null = null): Promise<TestServer> {
  // As the VS Code client starts it (server/node/serverFlags.ts).
  const proc = spawn(process.execPath, [...SERVER_NODE_FLAGS, CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const conn = createMessageConnection(new StreamMessageReader(proc.stdout!), new StreamMessageWriter(proc.stdin!));
  const notifications: { method: string; params: unknown }[] = [];
  const waiters: { method: string; pred: (p: any) => boolean; resolve: (p: any) => void }[] = [];
  conn.onNotification((method, params) => {
    notifications.push({ method, params });
    for (const w of [...waiters]) {
      if (w.method === method && w.pred(params)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(params);
      }
    }
  });
  conn.onRequest('workspace/configuration', (p: any) => (onConfiguration ? onConfiguration(p.items) : p.items.map(() => null)));
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.onRequest('workspace/inlayHint/refresh', () => null);
  conn.onRequest('workspace/codeLens/refresh', () => null);
  conn.listen();
  const initializeResult = await conn.sendRequest('initialize', { processId: process.pid, rootUri: null, workspaceFolders, capabilities, initializationOptions });
  await conn.sendNotification('initialized', {});
  return {
    conn,
    proc,
    notifications,
    initializeResult,
    waitFor(method, pred = () => true, timeoutMs = 10_000) {
      const seen = notifications.find((n) => n.method === method && pred(n.params));
      if (seen) return Promise.resolve(seen.params);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`timed out waiting for ${method}`)), timeoutMs);
        waiters.push({ method, pred, resolve: (p) => (clearTimeout(t), resolve(p)) });
      });
    },
    async stop() {
      try {
        await conn.sendRequest('shutdown');
        await conn.sendNotification('exit');
      } catch {
        // Already gone.
      }
      conn.dispose();
      proc.kill();
    },
  };
}
