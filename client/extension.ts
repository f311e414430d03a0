/**
 * The VS Code side: starts the language server (a separate Node process, over IPC), and hosts
 * the UI pieces that need the VS Code API (status bar, commands, roofline view, benchmark).
 * It never loads the engine or WebGPU itself: analysis lives in the server, kernels in a child
 * process of the benchmark runner.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { configurationMiddleware } from './configurationMiddleware';
import { registerClientFeatures } from './features';
import { SERVER_NODE_FLAGS } from '../server/node/serverFlags';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('out', 'server', 'lsp', 'main.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS] } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: [...SERVER_NODE_FLAGS, '--nolazy', '--inspect=6011'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
      { scheme: 'file', language: 'typescript' },
      { scheme: 'file', language: 'javascript' },
      // Python cells of Jupyter notebooks: the server asks for them through notebookDocumentSync,
      // and this filter routes hovers, lenses and hints in cells to it.
      { notebook: { notebookType: 'jupyter-notebook' }, language: 'python' },
      { scheme: 'file', language: 'typescriptreact' },
      { scheme: 'file', language: 'javascriptreact' },
    ],
    synchronize: { configurationSection: 'tensorcost' },
    initializationOptions: { untrusted: !vscode.workspace.isTrusted },
    diagnosticCollectionName: 'tensorcost',
    // Only explicitly set values, so that pyproject.toml is not hidden by package defaults.
    middleware: configurationMiddleware,
  };
  client = new LanguageClient('tensorcost', 'Tensor Cost', serverOptions, clientOptions);
  await client.start();
  registerClientFeatures(context, client);
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
