/**
 * The distributed-training section of a function or class hover: gradient bytes, compute per
 * step, and a table of sync time, comm/compute ratio and scaling efficiency for D = 1, 2, ..., 1024
 * with a small SVG plot of the efficiencies. Empty when the file does no distributed training or
 * the estimate lacks a number (then one line says what to bind).
 */
import { mdCode } from '../../core/escape';
import { estimateDistributed } from '../../core/comm/estimate';
import { pipelineBubble } from '../../core/comm/parallel';
import { DistSite } from '../../core/comm/signals';
import { ScalingRow } from '../../core/comm/scaling';
import { bytesText, exact, flopsText, percentText, timeText, uncountedNames } from '../../core/format';
import { Settings } from '../../core/settings';
import { Analysis } from '../../engine/analyze';

/** Markdown for the hover of `name` (`GPT`, `GPT.forward`, or the function that wraps the model). */
export function commHoverSection(a: Analysis, settings: Settings, name: string): string {
  return dataParallelSection(a, settings, name) + modelParallelNotes(a, name);
}

/** Megatron tensor-parallel and pipeline facts, on the hover of the function that uses them. */
function modelParallelNotes(a: Analysis, name: string): string {
  const fn = a.ir.functions.find((f) => f.name === name);
  if (!fn) return '';
  const inside = (k: string) => ((a.ir.signals[k] ?? []) as DistSite[]).filter((s) => contains(fn.range, s.range.start));
  const out: string[] = [];
  if (inside('dist.tensorParallel').length) out.push('Tensor parallel (Megatron-LM): each transformer layer all-reduces its b·s·h activations twice in forward and twice in backward, over the t tensor-parallel ranks (2(t−1)/t · b·s·h·bytes / BW each); keep t within a node.');
  for (const p of inside('dist.pipeline')) {
    out.push(p.microBatches && p.stages ? `Pipeline ${mdCode(p.name)}: ${p.stages} stages, ${p.microBatches} micro-batches: bubble (p−1)/(m+p−1) = ${percentText(pipelineBubble(p.stages, p.microBatches))} of the step idle.` : `Pipeline ${mdCode(p.name)}: the bubble is (p−1)/(m+p−1) of the step for p stages and m micro-batches${p.microBatches ? ` (m = ${p.microBatches})` : ''}; m ≥ 4p keeps it under 20%.`);
  }
  return out.length ? '\n\n' + out.join('\n\n') : '';
}

function dataParallelSection(a: Analysis, settings: Settings, name: string): string {
  if (!a.ir.signals['dist.sync']?.length) return '';
  const r = estimateDistributed(a.ir, a.device, settings, a.bindings);
  if (!r.ok) return `\n\n**Distributed training** — no estimate: ${r.reason}.`;
  const e = r.estimate;
  const cls = name.split('.')[0];
  const syncFn = a.ir.functions.find((f) => contains(f.range, e.sync.range.start));
  if (cls !== e.modelClass && syncFn?.name !== name) return '';
  const rows = e.table();
  const c = e.compute;
  // A count missing some of the model's modules (distributedParams.ts `uncounted`) is a floor.
  const least = e.paramsUncounted ? 'at least ' : '';
  const lines = [
    '',
    '',
    `**Distributed training** (${e.sync.kind}, ${e.modelClass}: ${least}${exact(e.params)} parameters, ${least}${bytesText(e.gradBytes)} of ${e.gradDtype} gradients${e.compressionKind ? `, ${e.compressionKind} compression` : ''})${e.paramsUncounted ? `; not counted: ${uncountedNames(e.paramsUncounted, (f) => mdCode(f))}` : ''}`,
    '',
    `Compute per step ≈ ${timeText(c.seconds)}: 3 × ${flopsText(c.forwardFlops)} forward at ${percentText(c.mfu)} of peak ${c.dtype} (forward from ${c.source}). Sync = 2(D−1)/D · S/BW + 2(D−1)·α per ${e.config.messages ? 'tensor' : 'bucket'} (NCCL ring)${e.compression === null ? '; the compression hook is not modelled, so the figures are an upper bound' : ''}.`,
    '',
    '| D | link | sync | comm/compute | efficiency | overlapped |',
    '|---:|---|---:|---:|---:|---:|',
    ...rows.map((row) => `| ${row.ranks === e.ranks ? `**${row.ranks}**` : row.ranks} | ${row.ranks === 1 ? '—' : e.linkAt(row.ranks).name} | ${timeText(row.commSeconds)} | ${row.ratio.toFixed(2)} | ${percentText(row.efficiency)} | ${percentText(row.efficiencyOverlapped)} |`),
    '',
    `![scaling efficiency for D = 1 to 1024](${scalingPlotUri(rows)})`,
  ];
  return lines.join('\n');
}

function contains(r: { start: { line: number }; end: { line: number } }, p: { line: number }): boolean {
  return r.start.line <= p.line && p.line <= r.end.line;
}

/** Efficiency (no overlap: solid; overlapped: dashed) against log₂ D, as an SVG data URI. */
export function scalingPlotUri(rows: readonly ScalingRow[]): string {
  const W = 280;
  const H = 120;
  const pad = { l: 30, r: 8, t: 8, b: 20 };
  const maxLog = Math.max(1, Math.log2(rows[rows.length - 1]?.ranks ?? 1));
  const x = (d: number) => pad.l + (Math.log2(d) / maxLog) * (W - pad.l - pad.r);
  const y = (e: number) => pad.t + (1 - Math.max(0, Math.min(1, e))) * (H - pad.t - pad.b);
  const path = (f: (r: ScalingRow) => number) => rows.map((r, i) => `${i ? 'L' : 'M'}${x(r.ranks).toFixed(1)},${y(f(r)).toFixed(1)}`).join(' ');
  const ticks = rows.filter((r) => Math.log2(r.ranks) % 2 === 0).map((r) => `<text x="${x(r.ranks).toFixed(1)}" y="${H - 6}" font-size="9" text-anchor="middle">${r.ranks}</text>`).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" fill="#888">` +
    `<rect x="${pad.l}" y="${pad.t}" width="${W - pad.l - pad.r}" height="${H - pad.t - pad.b}" fill="none" stroke="#888" stroke-width="0.5"/>` +
    `<text x="2" y="${y(1) + 3}" font-size="9">100%</text><text x="2" y="${y(0.5) + 3}" font-size="9">50%</text><text x="2" y="${y(0) + 3}" font-size="9">0%</text>` +
    ticks +
    `<path d="${path((r) => r.efficiencyOverlapped)}" fill="none" stroke="#4c9be8" stroke-width="1.5" stroke-dasharray="4 2"/>` +
    `<path d="${path((r) => r.efficiency)}" fill="none" stroke="#e8804c" stroke-width="1.5"/>` +
    `</svg>`;
  return `data:image/svg+xml;base64,${Buffer.from(svg, 'utf8').toString('base64')}`;
}
