/**
 * The roofline view's page: the chart (SVG built by the same code as the hover picture), a legend
 * and a table of the file's ops. Pure functions from a file report to HTML, so they are testable
 * without VS Code. The page loads nothing: a Content-Security-Policy with a nonce allows only its
 * own inline style and script, and data: images.
 */
import { bytesText, flopsText, intensityText, timeText } from '../server/core/format';
import { RooflinePoint, rooflineSvg, SEVERITY_COLORS } from '../server/lsp/features/hoverRoofline';
import { FileReport, MeasuredPoint, OpPoint } from '../server/protocol';

/** Where an op sits: its intensity, and the rate the model says it attains (its FLOPs over its time). */
export function opRate(op: OpPoint): { intensity: number; rate: number } | undefined {
  if (op.intensity === null || op.timeSeconds === null || op.flops === null || !(op.timeSeconds > 0)) return undefined;
  const rate = (op.flops + (op.otherFlops ?? 0)) / op.timeSeconds;
  return rate > 0 && op.intensity > 0 ? { intensity: op.intensity, rate } : undefined;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function chartSvg(report: FileReport, measured: readonly MeasuredPoint[], width = 760, height = 440): { svg: string; plotted: number } {
  const points: RooflinePoint[] = [];
  for (const op of report.ops) {
    const at = opRate(op);
    if (!at) continue;
    points.push({
      ...at,
      kind: 'predicted',
      index: op.index,
      color: SEVERITY_COLORS[op.severity ?? 'none'],
      title: `${op.name} (${op.kind}, line ${op.range.start.line + 1}${op.function ? `, ${op.function}` : ''}): ${intensityText(at.intensity)}, ${flopsText(at.rate).replace('FLOP', 'FLOP/s')}, ${op.bound}-bound${op.codes.length ? `; ${op.codes.join(', ')}` : ''}`,
    });
  }
  const plotted = points.length;
  measured.forEach((m, i) => {
    if (m.gflops > 0 && m.gbps > 0) {
      points.push({ intensity: m.gflops / m.gbps, rate: m.gflops * 1e9, kind: 'measured', index: -1 - i, title: `measured ${m.op} on ${m.adapter}: ${m.gflops.toFixed(2)} GFLOP/s, ${m.gbps.toFixed(2)} GB/s, ${timeText(m.medianMs / 1e3)}` });
    }
  });
  const ceilings = report.device.ceilings ?? [{ label: report.device.dtype, peak: report.device.peak }];
  const svg = rooflineSvg({ bandwidth: report.device.bandwidth, ceilings, ridgePeak: report.device.peak, points, width, height, labels: true, fg: 'currentColor', grid: 'rgba(128,128,128,0.3)' });
  return { svg, plotted };
}

function opRows(report: FileReport): string {
  return report.ops
    .map((op) => {
      const sev = op.severity ?? 'none';
      const cells = [
        `<span class="dot" data-sev="${sev}"></span>${esc(op.kind)}`,
        `<code>${esc(op.name)}</code>`,
        String(op.range.start.line + 1),
        op.flops !== null ? flopsText(op.flops + (op.otherFlops ?? 0)) : `bind ${esc(op.unbound.join(', '))}`,
        op.bytes !== null ? bytesText(op.bytes) : '',
        op.intensity !== null ? intensityText(op.intensity) : '',
        op.bound ?? '',
        op.timeSeconds !== null ? timeText(op.timeSeconds) : '',
        esc(op.codes.join(' ')),
      ];
      return `<tr data-index="${op.index}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
    })
    .join('');
}

/** The body shown for one report; the page's script swaps it in on each update. */
export function reportBody(report: FileReport, measured: readonly MeasuredPoint[], fileName: string): string {
  const { svg, plotted } = chartSvg(report, measured);
  const d = report.device;
  const t = report.totals;
  const notPlotted = report.ops.length - plotted;
  const legend = (['error', 'warning', 'information', 'none'] as const)
    .map((s) => `<span class="dot" data-sev="${s}"></span>${s === 'none' ? 'no finding' : s}`)
    .join(' ');
  return [
    `<h2>${esc(fileName)} on ${esc(d.name)}</h2>`,
    `<p class="sub">${report.ops.length} ops · file total ${t.flops !== null ? flopsText(t.flops) : 'unbound dims'}${t.bytes !== null ? `, ${bytesText(t.bytes)}` : ''}${t.timeSeconds !== null ? `, ≈ ${timeText(t.timeSeconds)}` : ''} · ridge ${intensityText(d.ridge)} (${esc(d.dtype)})</p>`,
    `<div id="chart">${svg}</div>`,
    `<p class="legend">${legend} <span class="diamond"></span>measured${notPlotted ? ` · ${notPlotted} op(s) not plotted (unbound dims or unknown shapes)` : ''} · click a point or a row to go to the code</p>`,
    `<table><thead><tr><th>op</th><th>name</th><th>line</th><th>FLOPs</th><th>bytes</th><th>intensity</th><th>bound</th><th>time</th><th>findings</th></tr></thead><tbody>${opRows(report)}</tbody></table>`,
  ].join('\n');
}

export function pageHtml(nonce: string, cspSource: string): string {
  const colors = Object.entries(SEVERITY_COLORS)
    .map(([k, v]) => `.dot[data-sev="${k}"]{background:${v}}`)
    .join('');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Roofline</title>
<style nonce="${nonce}">
body{font-family:var(--vscode-font-family);font-size:var(--vscode-font-size);color:var(--vscode-foreground);padding:0 12px}
h2{font-size:1.2em;margin:10px 0 2px}.sub,.legend{opacity:.85;margin:2px 0 8px}
#chart svg{max-width:100%;height:auto}.pt{cursor:pointer}.pt:hover{stroke:var(--vscode-focusBorder);stroke-width:2}
table{border-collapse:collapse;margin-top:8px}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid var(--vscode-panel-border,#8884)}
tbody tr{cursor:pointer}tbody tr:hover{background:var(--vscode-list-hoverBackground)}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin:0 4px 0 8px}${colors}
.diamond{display:inline-block;width:8px;height:8px;background:#ff8c00;transform:rotate(45deg);margin:0 4px 0 8px}
</style></head>
<body><div id="root"><p>Open a Python file to see its ops on the roofline.</p></div>
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
const root = document.getElementById('root');
window.addEventListener('message', (e) => {
  if (e.data && e.data.type === 'render') root.innerHTML = e.data.html;
});
root.addEventListener('click', (e) => {
  const el = e.target.closest('[data-index]');
  if (el) vscode.postMessage({ type: 'reveal', index: Number(el.getAttribute('data-index')) });
});
vscode.postMessage({ type: 'ready' });
</script></body></html>`;
}
