/**
 * Jupyter notebooks over LSP 3.17 (`notebookDocument/didOpen|didChange|didClose`): the Python code
 * cells of a `jupyter-notebook` are analysed in order as one module (frontends/notebook), and each
 * cell's document gets that analysis as seen from the cell (engine/notebookCell.ts), so hover,
 * inlay hints, code lenses and code actions answer for a cell URI with positions in the cell.
 *
 * Diagnostics of cells are pushed (`textDocument/publishDiagnostics`) for every cell after each
 * change of the notebook: an edit in cell 3 can change what cell 7 reports, and a client pulls
 * diagnostics only for the document that changed (VS Code's client does not pull for cells at all
 * on edits). The pull handler answers nothing for cells, so nothing is reported twice.
 */
import { NotebookCellKind, NotebookDocument, NotebookDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analysis, analyzeSource } from '../../engine/analyze';
import { withContexts } from '../../engine/contexts';
import { cellView } from '../../engine/notebookCell';
import { NotebookModule, notebookModule } from '../../frontends/notebook';
import { PythonState, disposePythonState } from '../../frontends/python';
import { AnalysedNotification, AnalysedParams } from '../../protocol';
import { Feature, ServerContext } from '../context';
import { uriToPath } from '../settings';
import { toDiagnostic } from './diagnostics';
import { atLeastOf } from '../../engine/report';
import { isMadeUpDim } from '../../core/symbolic';

const DEBOUNCE_MS = 150;
export const NOTEBOOK_TYPE = 'jupyter-notebook';

interface Entry {
  text: string;
  module: NotebookModule;
  analysis: Promise<Analysis>;
}

export class NotebookSupport {
  readonly notebooks: NotebookDocuments<TextDocument>;
  private readonly entries = new Map<string, Entry>();
  private readonly states = new Map<string, PythonState>();
  private readonly open = new Set<string>();
  /** Cell URIs that were sent diagnostics, per notebook, to clear those of removed cells. */
  private readonly published = new Map<string, Set<string>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly ctx: ServerContext) {
    // Cells' text documents go into the server's own document set, where every feature finds them.
    this.notebooks = new NotebookDocuments(ctx.documents);
  }

  listen(): void {
    this.notebooks.listen(this.ctx.connection);
    this.notebooks.onDidOpen((nb) => {
      this.open.add(nb.uri);
      this.schedule(nb.uri);
    });
    this.notebooks.onDidChange((e) => this.schedule(e.notebookDocument.uri));
    this.notebooks.onDidClose((nb) => this.close(nb));
  }

  isCell(uri: string): boolean {
    return this.notebooks.findNotebookDocumentForCell(uri) !== undefined;
  }

  /** The analysis of the notebook a cell belongs to, as the cell sees it; undefined for other documents. */
  analysisFor(uri: string): Promise<Analysis> | undefined {
    const nb = this.notebooks.findNotebookDocumentForCell(uri);
    if (!nb) return undefined;
    return this.analyse(nb).then(({ module, analysis }) => {
      // A markdown cell (or one in another language) holds nothing of the module: an empty view.
      const span = module.map.byId(uri) ?? { index: -1, startLine: -1, lineCount: 0 };
      return cellView(analysis, module.map, span);
    });
  }

  invalidateAll(): void {
    this.entries.clear();
    for (const uri of this.open) this.schedule(uri);
  }

  /** The notebook's module and its analysis; done once per text of the module (and settings). */
  private analyse(nb: NotebookDocument): Promise<{ module: NotebookModule; analysis: Analysis }> {
    const cells = nb.cells.flatMap((cell, index) => {
      const doc = cell.kind === NotebookCellKind.Code ? this.ctx.documents.get(cell.document) : undefined;
      return doc && doc.languageId === 'python' ? [{ index, id: cell.document, text: doc.getText() }] : [];
    });
    const module = notebookModule(cells);
    const hit = this.entries.get(nb.uri);
    // The same text with other cell boundaries (a cell split in two) needs another map, not another analysis.
    if (hit && hit.text === module.text) return hit.analysis.then((analysis) => ({ module, analysis }));
    const analysis = this.ctx.settings.get(nb.uri).then((settings) => {
      const previous = this.states.get(nb.uri);
      // A notebook is a program's file too: its imports of the workspace resolve, and its figures
      // and total are completed as a file's are (docs/whole-program.md).
      const program = this.ctx.store.program;
      const raw = analyzeSource({ path: uriToPath(nb.uri) ?? nb.uri, text: module.text, languageId: 'python' }, settings, { reuse: previous, keep: true, program: uriToPath(nb.uri) ? program?.program : undefined });
      const a = program ? withContexts(raw, program.contexts()) : raw;
      if (raw.state && raw.state !== previous) {
        if (previous) disposePythonState(previous);
        this.states.set(nb.uri, raw.state);
      }
      raw.state = undefined;
      a.state = undefined;
      return a;
    });
    this.entries.set(nb.uri, { text: module.text, module, analysis });
    return analysis.then((a) => ({ module, analysis: a }));
  }

  private schedule(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.set(uri, setTimeout(() => void this.publish(uri).catch(() => undefined), DEBOUNCE_MS));
  }

  /** Diagnostics for every cell of the notebook, and its totals (status bar) under its URI and its cells'. */
  private async publish(uri: string): Promise<void> {
    const nb = this.notebooks.getNotebookDocument(uri);
    if (!nb) return;
    const { module, analysis } = await this.analyse(nb);
    if (this.notebooks.getNotebookDocument(uri) !== nb) return;
    const sent = new Set<string>();
    for (const span of module.map.cells) {
      const view = cellView(analysis, module.map, span);
      const doc = this.ctx.documents.get(span.id!);
      void this.ctx.connection.sendDiagnostics({ uri: span.id!, version: doc?.version, diagnostics: view.findings.map((f) => toDiagnostic(f, span.id!)) });
      sent.add(span.id!);
    }
    for (const old of this.published.get(uri) ?? []) if (!sent.has(old)) void this.ctx.connection.sendDiagnostics({ uri: old, diagnostics: [] });
    this.published.set(uri, sent);
    const params: AnalysedParams = {
      uri,
      device: analysis.device.id,
      flops: analysis.total.flops,
      ...atLeastOf(analysis),
      timeSeconds: analysis.total.timeSeconds,
      // Dims the engine made up (`_3`) have no name to bind: the status bar offers only named ones.
      unbound: analysis.total.unbound.filter((n) => !isMadeUpDim(n)),
      errors: analysis.findings.filter((f) => f.severity === 'error').length,
      warnings: analysis.findings.filter((f) => f.severity === 'warning').length,
    };
    void this.ctx.connection.sendNotification(AnalysedNotification, params);
    // Views that follow one document (the roofline view on a cell) learn of the new analysis too.
    for (const span of module.map.cells) void this.ctx.connection.sendNotification(AnalysedNotification, { ...params, uri: span.id! });
  }

  private close(nb: NotebookDocument): void {
    clearTimeout(this.timers.get(nb.uri));
    this.timers.delete(nb.uri);
    this.open.delete(nb.uri);
    this.entries.delete(nb.uri);
    const s = this.states.get(nb.uri);
    if (s) disposePythonState(s);
    this.states.delete(nb.uri);
    for (const cell of this.published.get(nb.uri) ?? []) void this.ctx.connection.sendDiagnostics({ uri: cell, diagnostics: [] });
    this.published.delete(nb.uri);
  }
}

export const notebooksFeature: Feature = {
  capabilities: () => ({
    notebookDocumentSync: { notebookSelector: [{ notebook: { notebookType: NOTEBOOK_TYPE }, cells: [{ language: 'python' }] }] },
  }),
  register(ctx) {
    const support = new NotebookSupport(ctx);
    ctx.notebooks = support;
    ctx.store.cells = support;
    support.listen();
  },
};

