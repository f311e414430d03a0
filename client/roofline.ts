/**
 * The roofline view (command tensorcost.showRoofline): a webview panel that plots every op of the
 * active Python (or TF.js) file on the target device's roofline, with measured benchmark points overlaid.
 * It follows the active editor, re-renders (debounced) when the file is edited or re-analysed or
 * the settings change, and a click on a point or a table row reveals that op in the editor.
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import { FileReport, FileReportParams, FileReportRequest, MeasuredPoint, RangeData } from '../server/protocol';
import { onDidAnalyse } from './analysed';
import { ANALYSED_LANGUAGES } from './statusBar';
import { pageHtml, reportBody } from './rooflineHtml';

export const SHOW_ROOFLINE_COMMAND = 'tensorcost.showRoofline';
const DEBOUNCE_MS = 300;

const measured = new Map<string, MeasuredPoint[]>();
const measuredChanged = new vscode.EventEmitter<string>();

/**
 * Records a benchmark result so the roofline view shows it (the benchmark command calls this;
 * it also sends `tensorcost/measured` to the server for the hover). A newer run of the same op
 * replaces the older one.
 */
export function addMeasuredPoint(point: MeasuredPoint): void {
  const same = (m: MeasuredPoint) => m.range.start.line === point.range.start.line && m.range.start.character === point.range.start.character;
  measured.set(point.uri, [...(measured.get(point.uri) ?? []).filter((m) => !same(m)), point]);
  measuredChanged.fire(point.uri);
}

export function measuredPoints(uri: string): readonly MeasuredPoint[] {
  return measured.get(uri) ?? [];
}

function toRange(r: RangeData): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

class RooflinePanel {
  private document: vscode.TextDocument | undefined;
  private report: FileReport | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: vscode.CancellationTokenSource | undefined;
  private ready = false;
  /** The webview's width in CSS pixels, which the chart is drawn for. */
  private width: number | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly client: LanguageClient,
    onDispose: () => void,
  ) {
    const nonce = crypto.randomBytes(16).toString('base64');
    panel.webview.html = pageHtml(nonce, panel.webview.cspSource);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((m: { type: string; index?: number; width?: number }) => {
        if (typeof m.width === 'number' && m.width > 0) this.width = m.width;
        if (m.type === 'ready') {
          this.ready = true;
          void this.render();
        } else if (m.type === 'resize') this.redraw();
        else if (m.type === 'reveal' && typeof m.index === 'number') void this.reveal(m.index);
      }),
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.follow(e.document)),
      vscode.workspace.onDidChangeTextDocument((e) => e.document === this.document && this.schedule()),
      onDidAnalyse((p) => p.uri === this.document?.uri.toString() && this.schedule()),
      measuredChanged.event((uri) => uri === this.document?.uri.toString() && this.schedule()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tensorcost') && this.schedule()),
    );
    panel.onDidDispose(() => {
      clearTimeout(this.timer);
      this.pending?.cancel();
      this.disposables.forEach((d) => d.dispose());
      onDispose();
    });
  }

  /** Shows `doc` when the server analyses its language; other editors (the panel itself, output) leave the view as it is. */
  follow(doc: vscode.TextDocument | undefined): void {
    if (!doc || !ANALYSED_LANGUAGES.includes(doc.languageId) || doc === this.document) return;
    this.document = doc;
    this.panel.title = `Roofline: ${path.basename(doc.uri.path)}`;
    this.schedule(0);
  }

  private schedule(ms = DEBOUNCE_MS): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.render(), ms);
  }

  private async render(): Promise<void> {
    const doc = this.document;
    if (!doc || !this.ready) return;
    // A newer render makes the older request pointless: cancel it on the server too.
    this.pending?.cancel();
    const cts = (this.pending = new vscode.CancellationTokenSource());
    const params: FileReportParams = { uri: doc.uri.toString() };
    let report: FileReport | null;
    try {
      report = await this.client.sendRequest<FileReport | null>(FileReportRequest, params, cts.token);
    } catch {
      return; // Cancelled, or the server is restarting; the next change renders again.
    }
    if (cts.token.isCancellationRequested || !report || doc !== this.document) return;
    this.report = report;
    this.redraw();
  }

  /** Draws the last report again, at the panel's current width: no request to the server. */
  private redraw(): void {
    const report = this.report;
    const doc = this.document;
    if (!report || !doc) return;
    const html = reportBody(report, measuredPoints(report.uri), path.basename(doc.uri.path), this.width);
    void this.panel.webview.postMessage({ type: 'render', html, version: report.version });
  }

  private async reveal(index: number): Promise<void> {
    const doc = this.document;
    if (!doc) return;
    const range = index >= 0 ? this.report?.ops.find((o) => o.index === index)?.range : measuredPoints(doc.uri.toString())[-1 - index]?.range;
    if (!range) return;
    const visible = vscode.window.visibleTextEditors.find((e) => e.document === doc);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One, preserveFocus: false });
    const r = toRange(range);
    editor.selection = new vscode.Selection(r.start, r.end);
    editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }
}

export function registerRooflineView(context: vscode.ExtensionContext, client: LanguageClient): void {
  let current: RooflinePanel | undefined;
  context.subscriptions.push(
    measuredChanged,
    vscode.commands.registerCommand(SHOW_ROOFLINE_COMMAND, () => {
      const doc = vscode.window.activeTextEditor?.document;
      if (current) current.panel.reveal(vscode.ViewColumn.Beside, true);
      else {
        const panel = vscode.window.createWebviewPanel('tensorcost.roofline', 'Roofline', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
          enableScripts: true,
          localResourceRoots: [],
          retainContextWhenHidden: false,
        });
        current = new RooflinePanel(panel, client, () => (current = undefined));
      }
      current.follow(doc ?? vscode.window.visibleTextEditors.find((e) => ANALYSED_LANGUAGES.includes(e.document.languageId))?.document);
    }),
  );
}
