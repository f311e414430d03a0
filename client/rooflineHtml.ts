/**
 * The roofline view's page: the chart (SVG built by the same code as the hover picture), a legend
 * and a table of the file's ops. Pure functions from a file report to HTML, so they are testable
 * without VS Code. The page loads nothing: a Content-Security-Policy with a nonce allows only its
 * own inline style and script, and data: images.
 */
import { bytesText, flopsText, intensityText as intensityB, timeText } from '../server/core/format';
import { RooflinePoint, rooflineSvg, SEVERITY_COLORS } from '../server/lsp/features/hoverRoofline';
import { FileReport, MeasuredPoint, OpPoint } from '../server/protocol';

/** Where an op sits: its intensity, and the rate the model says it attains (its FLOPs over its time). */
export function opRate(op: OpPoint): { intensity: number; rate: number } | undefined {
  if (op.intensity === null || op.timeSeconds === null || op.flops === null || !(op.timeSeconds > 0)) return undefined;
  const rate = (op.flops + (op.otherFlops ?? 0)) / op.timeSeconds;
  return rate > 0 && op.intensity > 0 ? { intensity: op.intensity, rate } : undefined;
}

/** The byte unit spelled out, as in the hover: `B` is a batch dim in the code next to it. */
const intensityText = (x: number) => intensityB(x).replace(/FLOP\/B$/, 'FLOP/byte');

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart's size for a panel `width` CSS pixels wide: as wide as the panel, not taller than wide. */
export function chartSize(width: number | undefined): { width: number; height: number } {
  const w = Math.round(Math.min(Math.max(width ?? 760, 320), 2400));
  return { width: w, height: Math.round(Math.min(Math.max(w * 0.55, 260), 620)) };
}

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

/** Why an op is not on the chart: its dims, its shapes, or no FLOPs to put on a log axis. */
export type Unplotted = 'unbound' | 'unknown-shapes' | 'no-flops';

export function whyNotPlotted(op: OpPoint): Unplotted | undefined {
  if (opRate(op)) return undefined;
  if (op.unknownShapes) return 'unknown-shapes';
  if (op.unbound.length > 0) return 'unbound';
  return 'no-flops';
}

function opRow(op: OpPoint): string {
  const sev = op.severity ?? 'none';
  // Both parts bound, or the cell says what is missing: an unbound softmax does not do 0 FLOPs.
  const total = op.flops !== null && op.otherFlops !== null ? op.flops + op.otherFlops : null;
  const flops = total !== null ? flopsText(total) : op.unknownShapes ? 'shapes unknown' : `bind ${esc(op.unbound.join(', '))}`;
  const cells = [
    `<span class="dot" data-sev="${sev}"></span>${esc(op.kind)}`,
    `<code>${esc(op.name)}</code>`,
    String(op.range.start.line + 1),
    flops,
    op.bytes !== null ? bytesText(op.bytes) : '',
    op.intensity !== null ? intensityText(op.intensity) : '',
    op.bound ?? '',
    op.timeSeconds !== null ? timeText(op.timeSeconds) : '',
    esc(op.codes.join(' ')),
  ];
  return `<tr data-index="${op.index}">${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
}

const HEAD = '<thead><tr><th>op</th><th>name</th><th>line</th><th>FLOPs</th><th>bytes</th><th>intensity</th><th>bound</th><th>time</th><th>findings</th></tr></thead>';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** The body shown for one report; the page's script swaps it in on each update. */
export function reportBody(report: FileReport, measured: readonly MeasuredPoint[], fileName: string, width?: number): string {
  const size = chartSize(width);
  const { svg } = chartSvg(report, measured, size.width, size.height);
  const d = report.device;
  const t = report.totals;
  const why = new Map<Unplotted, OpPoint[]>();
  for (const op of report.ops) {
    const w = whyNotPlotted(op);
    if (w) why.set(w, [...(why.get(w) ?? []), op]);
  }
  // `?` is a size only the run knows (the JSON report's name for it): there is nothing to bind.
  const unbound = [...new Set((why.get('unbound') ?? []).flatMap((o) => o.unbound))].filter((x) => x !== '?').sort();
  const notes: string[] = [];
  if (!unbound.length && why.get('unbound')) notes.push(`${plural(why.get('unbound')!.length, 'op')} wait for sizes only the run knows`);
  if (unbound.length) notes.push(`${plural(why.get('unbound')!.length, 'op')} wait for dims: bind ${unbound.map((x) => `<code>${esc(x)}</code>`).join(', ')} (a <code># tensorcost: dims ${esc(unbound.map((x) => `${x}=…`).join(' '))}</code> comment, or the tensorcost.dims setting)`);
  if (why.get('no-flops')) notes.push(`${plural(why.get('no-flops')!.length, 'op')} only move data (no FLOPs, so no place on a log axis)`);
  const legend = (['error', 'warning', 'information', 'none'] as const)
    .map((x) => `<span class="dot" data-sev="${x}"></span>${x === 'none' ? 'no finding' : x}`)
    .join(' ');
  // Ops whose operands have no known shape carry no figures; unannotated parameters used in
  // plain arithmetic (`flops_per_fwdbwd * fwdbwd_per_iter`) look the same, so they are listed
  // apart, folded, with what would give them shapes or mark them as numbers.
  const unknown = why.get('unknown-shapes') ?? [];
  const known = report.ops.filter((op) => !op.unknownShapes);
  const unknownBlock = unknown.length
    ? `<details class="unknown"><summary>${plural(unknown.length, 'op')} with operands of unknown shape, not costed</summary>` +
      `<p class="sub">Give tensors shapes with a <code># tensorcost: shape x=(B, T, C)</code> comment above the <code>def</code> or a type annotation; annotate parameters that hold plain numbers as <code>int</code> or <code>float</code>, and their arithmetic stops showing here.</p>` +
      `<table>${HEAD}<tbody>${unknown.map(opRow).join('')}</tbody></table></details>`
    : '';
  return [
    `<h2>${esc(fileName)} on ${esc(d.name)}</h2>`,
    `<p class="sub">${plural(known.length, 'op')} · file total ${t.flops !== null ? flopsText(t.flops) : t.flopsAtLeast !== undefined ? `≥ ${flopsText(t.flopsAtLeast)} (the rest depends on sizes only the run knows)` : 'waits for dims'}${t.bytes !== null ? `, ${bytesText(t.bytes)}` : ''}${t.timeSeconds !== null ? `, ≈ ${timeText(t.timeSeconds)}` : ''} · ridge ${intensityText(d.ridge)} (${esc(d.dtype)})</p>`,
    `<div id="chart">${svg}</div>`,
    `<p class="legend">${legend} <span class="diamond"></span>measured · click a point or a row to go to the code</p>`,
    notes.length ? `<p class="sub">Not plotted: ${notes.join('; ')}.</p>` : '',
    `<table>${HEAD}<tbody>${known.map(opRow).join('')}</tbody></table>`,
    unknownBlock,
  ]
    .filter((x) => x !== '')
    .join('\n');
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
#chart svg{display:block;max-width:100%;height:auto}#chart svg text{font-size:12px}.pt{cursor:pointer}.pt:hover{stroke:var(--vscode-focusBorder);stroke-width:2}
table{border-collapse:collapse;margin-top:8px}details.unknown{margin-top:12px}details.unknown summary{cursor:pointer}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid var(--vscode-panel-border,#8884)}
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
// The chart is drawn for the panel's width (its text keeps its size); a resize asks for a redraw.
let lastWidth = 0;
let resizeTimer;
const reportWidth = () => {
  const w = Math.floor(root.clientWidth);
  if (w > 0 && Math.abs(w - lastWidth) >= 8) {
    lastWidth = w;
    vscode.postMessage({ type: 'resize', width: w });
  }
};
new ResizeObserver(() => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(reportWidth, 120);
}).observe(root);
root.addEventListener('click', (e) => {
  const el = e.target.closest('[data-index]');
  if (el) vscode.postMessage({ type: 'reveal', index: Number(el.getAttribute('data-index')) });
});
vscode.postMessage({ type: 'ready', width: Math.floor(root.clientWidth) });
</script></body></html>`;
}
