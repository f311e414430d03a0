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

const DEBOUNCE_MS = 150;

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
        timeSeconds: a.total.timeSeconds,
        unbound: dimView(a).unbound(),
        errors: a.findings.filter((f) => f.severity === 'error').length,
        warnings: a.findings.filter((f) => f.severity === 'warning').length,
      };
      void ctx.connection.sendNotification(AnalysedNotification, params);
      if (!pullSupported(ctx)) void ctx.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: diagnosticsOf(a, uri) });
    };
    const schedule = (uri: string) => {
      clearTimeout(timers.get(uri));
      timers.set(uri, setTimeout(() => void notify(uri).catch(() => undefined), DEBOUNCE_MS));
    };
    ctx.documents.onDidOpen((e) => schedule(e.document.uri));
    ctx.documents.onDidChangeContent((e) => schedule(e.document.uri));
    ctx.documents.onDidClose((e) => {
      clearTimeout(timers.get(e.document.uri));
      if (!pullSupported(ctx)) void ctx.connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
    });
    ctx.connection.languages.diagnostics.on(async (params, token) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      // A cell's diagnostics are pushed with its notebook's (notebooks.ts): none pulled, none twice.
      if (!doc || ctx.notebooks?.isCell(doc.uri)) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
      return { kind: DocumentDiagnosticReportKind.Full, items: diagnosticsOf(a, doc.uri) };
    });
    // Re-push after settings change for push clients.
    (ctx as { repush?: () => void }).repush = () => ctx.documents.all().forEach((d) => schedule(d.uri));
  },
};
