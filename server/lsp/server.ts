/**
 * The language server: one connection, the open documents, settings per resource, and the
 * features of ./features. Transport is whatever the process was started with (stdio for
 * `tensorcost lsp --stdio`, IPC when VS Code starts it).
 */
import { ProposedFeatures, TextDocumentSyncKind, TextDocuments, createConnection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initEngine } from '../engine/analyze';
import { MeasuredPoint } from '../protocol';
import { ServerContext } from './context';
import { FEATURES } from './features';
import { lifecycleGuard } from './lifecycle';
import { watchFraming } from './framing';
import { CONFIG_FILE_GLOB } from './features/configFiles';
import { fromClient, SettingsStore } from './settings';
import { AnalysisStore } from './store';
import { WorkspaceProgram } from './program';
import { uriToPath } from './settings';
import { programPath } from '../node/program';

export function startServer(): void {
  const lifecycle = lifecycleGuard();
  const connection = createConnection(ProposedFeatures.all, { messageStrategy: lifecycle.messageStrategy });
  lifecycle.register(connection);
  let backgroundScan: (() => void) | undefined;
  const settings = new SettingsStore(connection);
  const store = new AnalysisStore(settings);
  // Edits need no bookkeeping here: the next analysis finds what changed by comparing texts.
  const documents = new TextDocuments(TextDocument);
  const ctx: ServerContext = {
    connection,
    documents,
    store,
    settings,
    measured: new Map<string, MeasuredPoint[]>(),
    clientCapabilities: {},
    untrusted: false,
    refreshAll: () => {
      settings.clear();
      store.invalidateAll();
      const caps = ctx.clientCapabilities.workspace;
      if (caps?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
      if (caps?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh();
      if (caps?.codeLens?.refreshSupport) void connection.sendRequest('workspace/codeLens/refresh');
      (ctx as { repush?: () => void }).repush?.();
    },
  };

  connection.onInitialize(async (params) => {
    ctx.clientCapabilities = params.capabilities;
    settings.supportsConfiguration = !!params.capabilities.workspace?.configuration;
    const init = (params.initializationOptions ?? {}) as Record<string, unknown>;
    settings.initOptions = fromClient(init.settings ?? init);
    ctx.untrusted = init.untrusted === true;
    await initEngine();
    // The workspace folders are one program (docs/whole-program.md): imports between their files
    // resolve, and files that are not open are analysed in the background for their contexts.
    const folders = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (folders.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) folders.push(root);
    }
    const refreshViews = () => {
      const caps = ctx.clientCapabilities.workspace;
      if (caps?.diagnostics?.refreshSupport) void connection.languages.diagnostics.refresh();
      if (caps?.inlayHint?.refreshSupport) void connection.languages.inlayHint.refresh();
      if (caps?.codeLens?.refreshSupport) void connection.sendRequest('workspace/codeLens/refresh');
      (ctx as { repush?: () => void }).repush?.();
    };
    const program = new WorkspaceProgram(folders, documents, (uri) => settings.get(uri), refreshViews);
    store.program = program;
    for (const d of documents.all()) program.opened(d.uri);
    backgroundScan = () => void program.scan(folders).catch(() => undefined);
    const capabilities = Object.assign(
      { textDocumentSync: TextDocumentSyncKind.Incremental },
      ...FEATURES.map((f) => f.capabilities(params.capabilities)),
    );
    return { capabilities, serverInfo: { name: 'tensorcost', version: require('../../../package.json').version } };
  });

  connection.onInitialized(() => {
    // After the first requests had their chance: a hover must never wait behind the scan.
    setTimeout(() => backgroundScan?.(), 50);
    if (ctx.clientCapabilities.workspace?.didChangeConfiguration?.dynamicRegistration) {
      void connection.client.register(require('vscode-languageserver').DidChangeConfigurationNotification.type, { section: 'tensorcost' });
    }
    // pyproject.toml edits take effect without a restart (features/configFiles.ts).
    if (ctx.clientCapabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
      void connection.client.register(require('vscode-languageserver').DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: CONFIG_FILE_GLOB }] });
    }
  });

  connection.onDidChangeConfiguration((change) => {
    // Clients without workspace/configuration send the settings in the notification itself.
    const s = (change.settings as Record<string, unknown> | undefined)?.tensorcost;
    if (s && !settings.supportsConfiguration) settings.initOptions = fromClient(s);
    ctx.refreshAll();
  });

  documents.onDidOpen((e) => store.program?.opened(e.document.uri));
  documents.onDidChangeContent((e) => {
    const p = uriToPath(e.document.uri);
    if (p && store.program) store.program.fileChanged(programPath(p));
  });
  connection.onDidChangeWatchedFiles((e) => {
    for (const c of e.changes) {
      const p = uriToPath(c.uri);
      if (p && store.program) store.program.fileChanged(programPath(p));
    }
  });
  documents.onDidClose((e) => {
    store.program?.closed(e.document.uri);
    store.forget(e.document.uri);
    ctx.measured.delete(e.document.uri);
  });

  for (const f of FEATURES) f.register(ctx);
  documents.listen(connection);
  connection.listen();
  // Over stdio a wrong Content-Length would leave the server alive but deaf (framing.ts): end
  // the process instead, so that the client restarts it with its documents.
  if (process.argv.includes('--stdio')) {
    watchFraming(process.stdin, (problem) => {
      require('node:fs').writeSync(2, `tensorcost lsp: the message stream from the client is corrupt (${problem}); exiting so that the client restarts the server\n`);
      process.exit(1);
    });
  }
}
