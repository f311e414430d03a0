/**
 * Status bar: the target device and the active file's total (in a notebook, the whole notebook's,
 * which the server reports under the notebook's URI); a click picks another device.
 */
import * as vscode from 'vscode';
import { DEVICES, ridgePoint } from '../server/core/devices';
import { mdCode } from '../server/core/escape';
import { flopsText, timeText, bandwidthText, rateText } from '../server/core/format';
import { AnalysedParams } from '../server/protocol';
import { onDidAnalyse } from './analysed';

export const PICK_DEVICE_COMMAND = 'tensorcost.pickDevice';

/** The languages the server analyses (the client's document selector): the item shows on their files. */
export const ANALYSED_LANGUAGES: readonly string[] = ['python', 'typescript', 'javascript'];

interface DevicePick extends vscode.QuickPickItem {
  id: string;
}

/**
 * Where a picked device is saved, asked each time: a workspace setting lands in the repository's
 * .vscode/settings.json, which a user may not want to commit, so it is never written unasked.
 * Without a workspace folder only the user settings exist, and nothing needs asking.
 */
async function askTarget(id: string, uri: vscode.Uri | undefined): Promise<vscode.ConfigurationTarget | undefined> {
  if (!vscode.workspace.workspaceFolders?.length) return vscode.ConfigurationTarget.Global;
  const inspect = vscode.workspace.getConfiguration('tensorcost', uri).inspect<string>('device');
  const overridden = inspect?.workspaceValue !== undefined ? ` (this workspace's setting, ${inspect.workspaceValue}, still wins here)` : '';
  const picks: (vscode.QuickPickItem & { target: vscode.ConfigurationTarget })[] = [
    { label: 'Workspace', description: 'this workspace only: .vscode/settings.json', target: vscode.ConfigurationTarget.Workspace },
    { label: 'User', description: `every workspace: your user settings${overridden}`, target: vscode.ConfigurationTarget.Global },
  ];
  const chosen = await vscode.window.showQuickPick(picks, { title: `Tensor Cost: save device ${id} for…`, placeHolder: 'Where to save the target device' });
  return chosen?.target;
}

/** The device list with the current device marked and selected, so Enter keeps it. */
async function pickDevice(current: string): Promise<string | undefined> {
  const qp = vscode.window.createQuickPick<DevicePick>();
  qp.title = 'Tensor Cost: target device';
  qp.placeholder = `Current: ${current}. Peak, bandwidth and ridge point of each device`;
  qp.matchOnDescription = true;
  qp.items = DEVICES.map((d) => ({
    id: d.id,
    label: d.id === current ? `$(check) ${d.id}` : d.id,
    description: d.id === current ? `${d.name} · current` : d.name,
    detail: `fp32 ${rateText(d.peak.fp32)} · fp16/bf16 ${rateText(d.peak.fp16)} · ${bandwidthText(d.bandwidth)} · ridge ${ridgePoint(d, 'fp16').toFixed(0)} FLOP/byte (fp16), ${ridgePoint(d, 'fp32').toFixed(1)} FLOP/byte (fp32)`,
  }));
  const active = qp.items.find((i) => i.id === current);
  if (active) qp.activeItems = [active];
  return new Promise((resolve) => {
    let done = false;
    qp.onDidAccept(() => {
      done = true;
      resolve(qp.selectedItems[0]?.id ?? qp.activeItems[0]?.id);
      qp.hide();
    });
    qp.onDidHide(() => {
      if (!done) resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

export function registerStatusBar(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem('tensorcost.device', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Tensor Cost device';
  item.command = PICK_DEVICE_COMMAND;
  const last = new Map<string, AnalysedParams>();

  /** The notebook whose cell is being edited, or whose editor is active with no cell focused. */
  const activeNotebook = (editor: vscode.TextEditor | undefined): vscode.NotebookDocument | undefined => {
    if (!editor) return vscode.window.activeNotebookEditor?.notebook;
    if (editor.document.uri.scheme !== 'vscode-notebook-cell') return undefined;
    return vscode.workspace.notebookDocuments.find((nb) => nb.getCells().some((c) => c.document === editor.document));
  };

  const render = () => {
    const editor = vscode.window.activeTextEditor;
    const notebook = activeNotebook(editor);
    const resource = notebook?.uri ?? editor?.document.uri;
    const cfgDevice = vscode.workspace.getConfiguration('tensorcost', resource).get<string>('device', 'h100');
    const a = resource ? last.get(resource.toString()) : undefined;
    const device = a?.device ?? cfgDevice;
    let total = '';
    // Sizes only the run knows (`?`) cannot be bound: the FLOPs the analysis could read, as a floor.
    const named = a ? a.unbound.filter((d) => d !== '?') : [];
    if (a) total = a.flops !== null ? ` · ${flopsText(a.flops)}${a.timeSeconds !== null ? ` · ${timeText(a.timeSeconds)}` : ''}` : a.flopsAtLeast !== undefined ? ` · ≥ ${flopsText(a.flopsAtLeast)}` : named.length ? ` · bind ${named.slice(0, 3).join(', ')}` : '';
    item.text = `$(pulse) ${device}${total}`;
    // The device id comes from settings and the dim names from the code: both escaped.
    item.tooltip = new vscode.MarkdownString(`**Tensor Cost** — target device ${mdCode(device)}${a ? `\n\nThis ${notebook ? 'notebook' : 'file'}: ${a.flops !== null ? flopsText(a.flops) : a.flopsAtLeast !== undefined ? `at least ${flopsText(a.flopsAtLeast)}; the rest depends on sizes the analysis could not read` : 'unbound dims: ' + a.unbound.map((d) => mdCode(d)).join(', ')}, ${a.errors} error(s), ${a.warnings} warning(s)` : ''}\n\nClick to pick another device.`);
    if ((editor && ANALYSED_LANGUAGES.includes(editor.document.languageId)) || (notebook && notebook.notebookType === 'jupyter-notebook')) item.show();
    else item.hide();
  };

  context.subscriptions.push(
    item,
    onDidAnalyse((p: AnalysedParams) => {
      last.set(p.uri, p);
      render();
    }),
    vscode.window.onDidChangeActiveTextEditor(render),
    vscode.window.onDidChangeActiveNotebookEditor(render),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tensorcost') && render()),
    vscode.commands.registerCommand(PICK_DEVICE_COMMAND, async () => {
      const uri = vscode.window.activeTextEditor?.document.uri;
      const config = vscode.workspace.getConfiguration('tensorcost', uri);
      const current = (uri && last.get(uri.toString())?.device) ?? config.get<string>('device', 'h100');
      const id = await pickDevice(current);
      if (!id || id === current) return;
      const target = await askTarget(id, uri);
      if (target === undefined) return;
      await config.update('device', id, target);
    }),
  );
  render();
}
