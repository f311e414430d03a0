/**
 * What every LSP feature gets: the connection, the open documents, the per-version analysis
 * store, settings per resource, and measured benchmark points. Each feature is one file that
 * declares its capabilities and registers its handlers (as typescript-language-server does).
 */
import { ClientCapabilities, Connection, ServerCapabilities, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { MeasuredPoint } from '../protocol';
import type { NotebookSupport } from './features/notebooks';
import { SettingsStore } from './settings';
import { AnalysisStore } from './store';

export interface ServerContext {
  connection: Connection;
  documents: TextDocuments<TextDocument>;
  store: AnalysisStore;
  settings: SettingsStore;
  /** Measured points by document URI. */
  measured: Map<string, MeasuredPoint[]>;
  clientCapabilities: ClientCapabilities;
  /** Asks the client to re-pull diagnostics, hints and lenses after settings changed. */
  refreshAll(): void;
  /** True when the workspace is untrusted: analysis only, no benchmarks. */
  untrusted: boolean;
  /** Open notebooks and their cells (features/notebooks.ts), once registered. */
  notebooks?: NotebookSupport;
}

export interface Feature {
  capabilities(client: ClientCapabilities): Partial<ServerCapabilities>;
  register(ctx: ServerContext): void;
}
