/** Status bar: the target device and the active file's total; a click picks another device. */
import * as vscode from 'vscode';
import { DEVICES, ridgePoint } from '../server/core/devices';
import { mdCode } from '../server/core/escape';
import { flopsText, timeText, bandwidthText, rateText } from '../server/core/format';
import { AnalysedParams } from '../server/protocol';
import { onDidAnalyse } from './analysed';

export const PICK_DEVICE_COMMAND = 'tensorcost.pickDevice';

export function registerStatusBar(context: vscode.ExtensionContext): void {
  const item = vscode.window.createStatusBarItem('tensorcost.device', vscode.StatusBarAlignment.Right, 100);
  item.name = 'Tensor Cost device';
  item.command = PICK_DEVICE_COMMAND;
  const last = new Map<string, AnalysedParams>();

  const render = () => {
    const editor = vscode.window.activeTextEditor;
    const cfgDevice = vscode.workspace.getConfiguration('tensorcost', editor?.document.uri).get<string>('device', 'h100');
    const a = editor ? last.get(editor.document.uri.toString()) : undefined;
    const device = a?.device ?? cfgDevice;
    let total = '';
    if (a) total = a.flops !== null ? ` · ${flopsText(a.flops)}${a.timeSeconds !== null ? ` · ${timeText(a.timeSeconds)}` : ''}` : a.unbound.length ? ` · bind ${a.unbound.slice(0, 3).join(', ')}` : '';
    item.text = `$(pulse) ${device}${total}`;
    // The device id comes from settings and the dim names from the code: both escaped.
    item.tooltip = new vscode.MarkdownString(`**Tensor Cost** — target device ${mdCode(device)}${a ? `\n\nThis file: ${a.flops !== null ? flopsText(a.flops) : 'unbound dims: ' + a.unbound.map((d) => mdCode(d)).join(', ')}, ${a.errors} error(s), ${a.warnings} warning(s)` : ''}\n\nClick to pick another device.`);
    if (editor && editor.document.languageId === 'python') item.show();
    else item.hide();
  };

  context.subscriptions.push(
    item,
    onDidAnalyse((p: AnalysedParams) => {
      last.set(p.uri, p);
      render();
    }),
    vscode.window.onDidChangeActiveTextEditor(render),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('tensorcost') && render()),
    vscode.commands.registerCommand(PICK_DEVICE_COMMAND, async () => {
      const picks = DEVICES.map((d) => ({
        label: d.id,
        description: d.name,
        detail: `fp32 ${rateText(d.peak.fp32)} · fp16/bf16 ${rateText(d.peak.fp16)} · ${bandwidthText(d.bandwidth)} · ridge ${ridgePoint(d, 'fp16').toFixed(0)} FLOP/B (fp16), ${ridgePoint(d, 'fp32').toFixed(1)} FLOP/B (fp32)`,
      }));
      const chosen = await vscode.window.showQuickPick(picks, { title: 'Tensor Cost: target device', placeHolder: 'Peak, bandwidth and ridge point of each device', matchOnDescription: true });
      if (!chosen) return;
      const uri = vscode.window.activeTextEditor?.document.uri;
      const target = vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
      await vscode.workspace.getConfiguration('tensorcost', uri).update('device', chosen.label, target);
    }),
  );
  render();
}
