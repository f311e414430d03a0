/** The hover card of an op or a function, as Markdown. Every number carries its unit. */
import { Device, peakFor } from '../../core/devices';
import { DType } from '../../core/dtypes';
import { mdCode, mdText } from '../../core/escape';
import { bandwidthText, bytesText, exact, flopsText, intensityText, macsText, percentText, rateText, timeText } from '../../core/format';
import { TensorOp, TensorType } from '../../core/ir';
import { Bindings, Poly } from '../../core/symbolic';
import { Analysis, FunctionFigures } from '../../engine/analyze';
import { MeasuredPoint } from '../../protocol';
import { RooflinePoint, rooflineImage } from './hoverRoofline';

function shape(t: TensorType, b?: Bindings): string {
  if (!t.shape) return '(?)';
  return `(${t.shape.map((d) => (b ? d.substitute(b).toString() : d.toString())).join(', ')})`;
}

function bindHint(unbound: string[]): string {
  if (unbound.length === 0) return '';
  const ex = unbound.slice(0, 3).map((d) => `"${d}": 1024`).join(', ');
  return `\n\n_Unbound: ${unbound.map((d) => mdCode(d)).join(', ')}. Bind them with the \`tensorcost.dims\` setting (${mdCode(`{${ex}}`)}), \`[tool.tensorcost.dims]\` in pyproject.toml, or a ${mdCode(`# tensorcost: dims ${unbound.map((d) => `${d}=…`).join(' ')}`)} comment._`;
}

function deviceLine(device: Device, dtype: TensorOp['dtype']): string {
  return `${mdText(device.name)} (${rateText(peakFor(device, dtype))} ${dtype}, ${bandwidthText(device.bandwidth)})`;
}

/** The roofs drawn in pictures: fp32 SIMT and fp16/bf16 tensor, plus the op's own path when it differs. */
export function ceilingsFor(device: Device, dtype: DType): { label: string; peak: number }[] {
  const c = [
    { label: 'fp32', peak: device.peak.fp32 },
    { label: 'fp16/bf16', peak: device.peak.fp16 },
  ];
  const own = peakFor(device, dtype);
  if (!c.some((x) => x.peak === own)) c.push({ label: dtype, peak: own });
  return c;
}

/** Where a benchmark run sits on a roofline: its achieved FLOP/s at its achieved FLOP/B. */
export function measuredPoint(m: MeasuredPoint): RooflinePoint | undefined {
  if (!(m.gflops > 0) || !(m.gbps > 0)) return undefined;
  return { intensity: m.gflops / m.gbps, rate: m.gflops * 1e9, kind: 'measured', title: `measured on ${m.adapter}: ${m.gflops.toFixed(2)} GFLOP/s` };
}

function measuredLine(m: MeasuredPoint, predictedSeconds: number | null, device: Device): string {
  const shapeText = Object.entries(m.shape).map(([k, v]) => `${k}=${v}`).join(' ');
  const pct = predictedSeconds ? ` — ${percentText((predictedSeconds * 1e3) / m.medianMs)} of the speed predicted on ${device.id}` : '';
  return `| measured | ${timeText(m.medianMs / 1e3)} median on ${mdText(m.adapter)} (${m.dtype}${shapeText ? `, ${shapeText}` : ''}): ${m.gflops.toFixed(2)} GFLOP/s, ${m.gbps.toFixed(2)} GB/s${m.verified ? ', verified against a CPU reference' : ', **not verified**'}${pct} |`;
}

export function opHover(a: Analysis, index: number, measured: readonly MeasuredPoint[] = []): string {
  const op = a.ir.ops[index];
  const f = a.figures[index];
  const b = a.bindings;
  const symbolic = op.inputs.map((t) => shape(t)).join(' × ') + ' → ' + shape(op.output);
  const bound = op.inputs.map((t) => shape(t, b)).join(' × ') + ' → ' + shape(op.output, b);
  const formula = (op.repeat ? op.cost.flops.mul(op.repeat) : op.cost.flops).toString('pretty');
  const rows: [string, string][] = [];
  rows.push(['shapes', symbolic === bound ? mdCode(symbolic, true) : `${mdCode(symbolic, true)} = ${mdCode(bound, true)}`]);
  rows.push(['dtype', op.dtype]);
  if (op.cost.unknown) rows.push(['cost', 'not computed: operand shapes unknown']);
  else {
    if (!op.cost.flops.isZero() || f.flops === null) {
      rows.push(['FLOPs', `${mdCode(formula, true)}${f.flops !== null ? ` = ${exact(f.flops)} (${flopsText(f.flops)}, ${macsText(f.macs!)})` : ''}`]);
    }
    if (!op.cost.otherFlops.isZero()) rows.push(['other FLOPs', f.otherFlops !== null ? flopsText(f.otherFlops) : mdCode(op.cost.otherFlops.toString('pretty'), true)]);
    rows.push(['bytes', f.bytes !== null ? bytesText(f.bytes) : `${mdCode(op.cost.bytes.toString('pretty'), true)} B`]);
    if (f.intensity !== null) rows.push(['intensity', `${intensityText(f.intensity)} (ridge ${intensityText(f.ridge)})`]);
    if (f.bound) rows.push(['bound', `**${f.bound}**-bound, at most ${percentText(f.fractionOfPeak!)} of peak (${rateText(f.attainable!)} attainable)`]);
    if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${deviceLine(a.device, op.dtype)}`]);
    for (const v of op.cost.variants ?? []) rows.push([v.label, `${renderPoly(v.bytes, b, bytesText)}${v.note ? ` — ${v.note}` : ''}`]);
  }
  if (op.repeat) rows.push(['runs', `× ${mdCode(op.repeat.toString('pretty'), true)} per call (loop)`]);
  const notes = (op.cost.notes ?? []).map((n) => `- ${n}`).join('\n');
  const table = ['| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ...measured.map((m) => measuredLine(m, f.timeSeconds, a.device))];
  return [
    `**${op.kind}** ${mdCode(op.name)}${op.function ? ` in ${mdCode(op.function)}` : ''}`,
    '',
    ...table,
    notes ? '\n' + notes : '',
    picture(a, index, measured),
  ].join('\n') + bindHint(f.unbound);
}

/** The small roofline picture: the op (and any measurement) on the target device's roofs. */
function picture(a: Analysis, index: number, measured: readonly MeasuredPoint[]): string {
  const op = a.ir.ops[index];
  const f = a.figures[index];
  if (f.intensity === null || f.attainable === null) return '';
  const points: RooflinePoint[] = [{ intensity: f.intensity, rate: f.attainable, kind: 'predicted', highlight: true, color: f.bound === 'memory' ? '#bf8803' : '#3465a4' }];
  for (const m of measured) {
    const p = measuredPoint(m);
    if (p) points.push(p);
  }
  const img = rooflineImage(
    { bandwidth: a.device.bandwidth, ceilings: ceilingsFor(a.device, op.dtype), ridgePeak: peakFor(a.device, op.dtype), points, width: 240, height: 120 },
    `roofline of ${a.device.id}`,
  );
  return `\n${img}\n\n_Roofline of ${mdText(a.device.id)} (log-log): roofs fp32 and fp16/bf16, dashed line the ${op.dtype} ridge point; ● this op${measured.length ? ', ◆ measured' : ''}._`;
}

function renderPoly(p: Poly, b: Bindings, fmt: (n: number) => string): string {
  const v = p.evaluate(b);
  return v === null ? mdCode(p.toString('pretty'), true) : fmt(v);
}

/** A function's (or, through its forward, a class's) inclusive cost of one call and its heaviest ops. */
export function functionHover(a: Analysis, fn: FunctionFigures, className?: string): string {
  const { summary: s, figures: f } = fn;
  const ops = a.ir.ops.map((op, i) => ({ op, f: a.figures[i] })).filter((x) => x.op.function === s.name && x.f.flops !== null && x.f.flops + (x.f.otherFlops ?? 0) > 0);
  ops.sort((x, y) => (y.f.timeSeconds ?? 0) - (x.f.timeSeconds ?? 0) || (y.f.flops ?? 0) - (x.f.flops ?? 0));
  const rows: [string, string][] = [];
  rows.push(['FLOPs (inclusive)', `${mdCode(s.flops.toString('pretty'), true)}${f.flops !== null ? ` = ${exact(f.flops)} (${flopsText(f.flops)}, ${macsText(f.flops / 2)})` : ''}${s.upperBound ? ' — upper bound: an undecidable branch counted its more expensive side' : ''}`]);
  rows.push(['other FLOPs', f.otherFlops !== null ? flopsText(f.otherFlops) : mdCode(s.otherFlops.toString('pretty'), true)]);
  rows.push(['bytes', f.bytes !== null ? bytesText(f.bytes) : `${mdCode(s.bytes.toString('pretty'), true)} B`]);
  if (f.intensity !== null) rows.push(['intensity', `${intensityText(f.intensity)} (ridge ${intensityText(f.ridge)})`]);
  if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${mdText(a.device.name)} (roofline of the totals; the sum of the op times is higher)`]);
  if (s.params) rows.push(['parameters', renderPoly(s.params, a.bindings, (n) => exact(n))]);
  const heavy = ops.slice(0, 5).map(({ op, f: g }) => `- ${mdCode(op.name)} (${op.kind}, line ${op.range.start.line + 1}): ${flopsText(g.flops! + (g.otherFlops ?? 0))}${g.timeSeconds !== null ? `, ≈ ${timeText(g.timeSeconds)}` : ''}, ${g.bound ?? '?'}-bound`);
  if (fn.incomplete) rows.push(['incomplete', 'some ops have operands of unknown shape (annotate the parameters, or bind them with `# tensorcost: shape`): their cost is not in these totals']);
  const title = className ? `**class ${mdText(className)}** — cost of one call (${mdCode(s.name)})` : `**${mdText(s.name)}** — cost of one call`;
  return [title, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`), heavy.length ? '\nHeaviest ops:\n' + heavy.join('\n') : ''].join('\n') + bindHint(f.unbound);
}
