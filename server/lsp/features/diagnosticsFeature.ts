/**
 * Diagnostics: pulled (textDocument/diagnostic) where the client can, else pushed after a short
 * debounce (Neovim 0.7 and other older clients).
 */
import { DocumentDiagnosticReportKind } from 'vscode-languageserver';
import { AnalysedNotification, AnalysedParams } from '../../protocol';
import { Feature, ServerContext } from '../context';
import { Analysis } from '../../engine/analyze';
import { toDiagnostic } from './diagnostics';
import { dimView } from './hoverDims';
import { waitingDimsDiagnostic } from './waitingDims';
import { atLeastOf } from '../../engine/report';

const DEBOUNCE_MS = 150;

/**
 * For clients that pull diagnostics, how many recently opened, edited or pulled documents are
 * notified again (status bar totals) when the program's contexts or the settings change. The
 * client pulls the diagnostics of every document itself after the refresh request; notifying
 * every open document meant analysing each again (the store keeps only a few analyses), which
 * with 1,000 files open kept the server busy for seconds after each change and raised its memory.
 */
const RENOTIFY_RECENT = 16;

/** The findings as diagnostics, and the one item saying which dims the file's costs wait for. */
function diagnosticsOf(a: Analysis, uri: string) {
  const items = a.findings.map((f) => toDiagnostic(f, uri));
  const waiting = waitingDimsDiagnostic(a);
  if (waiting) items.push(waiting);
  return items;
}

function pullSupported(ctx: ServerContext): boolean {
  return !!ctx.clientCapabilities.textDocument?.diagnostic;
}

export const diagnosticsFeature: Feature = {
  capabilities: (client) => (client.textDocument?.diagnostic ? { diagnosticProvider: { interFileDependencies: true, workspaceDiagnostics: false } } : {}),
  register(ctx) {
    const timers = new Map<string, NodeJS.Timeout>();
    const notify = async (uri: string) => {
      const doc = ctx.documents.get(uri);
      // Notebook cells are reported together, per notebook (notebooks.ts).
      if (!doc || ctx.notebooks?.isCell(uri)) return;
      const a = await ctx.store.get(doc);
      const params: AnalysedParams = {
        uri,
        device: a.device.id,
        flops: a.total.flops,
      ...atLeastOf(a),
        timeSeconds: a.total.timeSeconds,
        unbound: dimView(a).unbound(),
        errors: a.findings.filter((f) => f.severity === 'error').length,
        warnings: a.findings.filter((f) => f.severity === 'warning').length,
      };
      void ctx.connection.sendNotification(AnalysedNotification, params);
      if (!pullSupported(ctx)) void ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: diagnosticsOf(a, uri) });
    };
    /** Documents by recency of use (a Map iterates in insertion order: re-inserted on use). */
    const recent = new Map<string, true>();
    const used = (uri: string) => {
      recent.delete(uri);
      recent.set(uri, true);
      if (recent.size > RENOTIFY_RECENT) recent.delete(recent.keys().next().value!);
    };
    const schedule = (uri: string) => {
      clearTimeout(timers.get(uri));
      timers.set(
        uri,
        setTimeout(() => {
          timers.delete(uri);
          void notify(uri).catch(() => undefined);
        }, DEBOUNCE_MS),
      );
    };
    ctx.documents.onDidOpen((e) => {
      used(e.document.uri);
      schedule(e.document.uri);
    });
    ctx.documents.onDidChangeContent((e) => {
      used(e.document.uri);
      schedule(e.document.uri);
    });
    ctx.documents.onDidClose((e) => {
      recent.delete(e.document.uri);
      clearTimeout(timers.get(e.document.uri));
      timers.delete(e.document.uri);
      if (!pullSupported(ctx)) void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    ctx.connection.languages.diagnostics.on(async (params, token) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      // A cell's diagnostics are pushed with its notebook's (notebooks.ts): none pulled, none twice.
      if (!doc || ctx.notebooks?.isCell(doc.uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      used(doc.uri);
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      return { kind: DocumentDiagnosticReportKind.Full, items: diagnosticsOf(a, doc.uri) };
    });
    // After a settings or contexts change: push clients get every document's diagnostics again;
    // pull clients pull them themselves and get the status-bar totals of the recent documents.
    (ctx as { repush?: () => void }).repush = () => {
      if (pullSupported(ctx)) for (const uri of recent.keys()) schedule(uri);
      else ctx.documents.all().forEach((d) => schedule(d.uri));
    };
  },
};

