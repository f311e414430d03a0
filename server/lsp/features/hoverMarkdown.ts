/** The hover card of an op or a function, as Markdown. Every number carries its unit. */
import { CostFigures } from '../../core/cost/evaluate';
import { Device, peakFor } from '../../core/devices';
import { bandwidthText, bytesText, exact, flopsText, intensityText, macsText, percentText, rateText, timeText } from '../../core/format';
import { TensorOp, TensorType } from '../../core/ir';
import { Bindings } from '../../core/symbolic';
import { Analysis, FunctionFigures } from '../../engine/analyze';

function shape(t: TensorType, b?: Bindings): string {
  if (!t.shape) return '(?)';
  return `(${t.shape.map((d) => (b ? d.substitute(b).toString() : d.toString())).join(', ')})`;
}

function bindHint(unbound: string[]): string {
  if (unbound.length === 0) return '';
  const ex = unbound.slice(0, 3).map((d) => `"${d}": 1024`).join(', ');
  return `\n\n_Unbound: ${unbound.map((d) => `\`${d}\``).join(', ')}. Bind them with the \`tensorcost.dims\` setting (\`{${ex}}\`), \`[tool.tensorcost.dims]\` in pyproject.toml, or a \`# tensorcost: dims ${unbound.map((d) => `${d}=…`).join(' ')}\` comment._`;
}

function deviceLine(device: Device, dtype: TensorOp['dtype']): string {
  return `${device.name}: ${rateText(peakFor(device, dtype))} ${dtype}, ${bandwidthText(device.bandwidth)}`;
}

export function opHover(a: Analysis, index: number, extra: string[] = []): string {
  const op = a.ir.ops[index];
  const f = a.figures[index];
  const b = a.bindings;
  const symbolic = op.inputs.map((t) => shape(t)).join(' × ') + ' → ' + shape(op.output);
  const bound = op.inputs.map((t) => shape(t, b)).join(' × ') + ' → ' + shape(op.output, b);
  const formula = (op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops).toString('pretty');
  const rows: [string, string][] = [];
  rows.push(['shapes', symbolic === bound ? `\`${symbolic}\`` : `\`${symbolic}\` = \`${bound}\``]);
  rows.push(['dtype', op.dtype]);
  if (op.cost.unknown) rows.push(['cost', 'not computed: operand shapes unknown']);
  else {
    rows.push(['FLOPs', `\`${formula}\`${f.flops !== null ? ` = ${exact(f.flops)} (${flopsText(f.flops)}, ${macsText(f.macs!)})` : ''}`]);
    if (!op.cost.otherFlops.isZero()) rows.push(['other FLOPs', f.otherFlops !== null ? flopsText(f.otherFlops) : `\`${op.cost.otherFlops.toString('pretty')}\``]);
    rows.push(['bytes', f.bytes !== null ? bytesText(f.bytes) : `\`${op.cost.bytes.toString('pretty')}\` B`]);
    if (f.intensity !== null) rows.push(['intensity', `${intensityText(f.intensity)} (ridge ${intensityText(f.ridge)})`]);
    if (f.bound) rows.push(['bound', `**${f.bound}**-bound, at most ${percentText(f.fractionOfPeak!)} of peak (${rateText(f.attainable!)})`]);
    if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${deviceLine(a.device, op.dtype)}`]);
    for (const v of op.cost.variants ?? []) rows.push([v.label, `${renderPoly(v.bytes, b, bytesText)}${v.note ? ` — ${v.note}` : ''}`]);
  }
  if (op.repeat) rows.push(['runs', `× \`${op.repeat.toString('pretty')}\` per call (loop)`]);
  const notes = (op.cost.notes ?? []).map((n) => `- ${n}`).join('\n');
  return [
    `**${op.kind}** \`${op.name}\`${op.function ? ` in \`${op.function}\`` : ''}`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    notes ? '\n' + notes : '',
    ...extra,
  ].join('\n') + bindHint(f.unbound);
}

function renderPoly(p: import('../../core/symbolic').Poly, b: Bindings, fmt: (n: number) => string): string {
  const v = p.evaluate(b);
  return v === null ? `\`${p.toString('pretty')}\`` : fmt(v);
}

export function functionHover(a: Analysis, fn: FunctionFigures): string {
  const { summary: s, figures: f } = fn;
  const ops = a.ir.ops.map((op, i) => ({ op, f: a.figures[i] })).filter((x) => x.op.function === s.name && x.f.flops !== null && x.f.flops > 0);
  ops.sort((x, y) => (y.f.flops ?? 0) - (x.f.flops ?? 0));
  const rows: [string, string][] = [];
  rows.push(['FLOPs (inclusive)', `\`${s.flops.toString('pretty')}\`${f.flops !== null ? ` = ${exact(f.flops)} (${flopsText(f.flops)})` : ''}${s.upperBound ? ' — upper bound: an undecidable branch counted its more expensive side' : ''}`]);
  rows.push(['other FLOPs', f.otherFlops !== null ? flopsText(f.otherFlops) : `\`${s.otherFlops.toString('pretty')}\``]);
  rows.push(['bytes', f.bytes !== null ? bytesText(f.bytes) : `\`${s.bytes.toString('pretty')}\` B`]);
  if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${a.device.name} (sum of op times is higher; this is the roofline of the totals)`]);
  if (s.params) rows.push(['parameters', renderPoly(s.params, a.bindings, (n) => exact(n))]);
  const heavy = ops.slice(0, 5).map(({ op, f: g }) => `- \`${op.name}\` (line ${op.range.start.line + 1}): ${flopsText(g.flops!)}, ${g.bound ?? '?'}-bound`);
  return [
    `**${s.name}** — cost of one call`,
    '',
    '| | |',
    '|---|---|',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    heavy.length ? '\nHeaviest ops:\n' + heavy.join('\n') : '',
  ].join('\n') + bindHint(f.unbound);
}

export type { CostFigures };
