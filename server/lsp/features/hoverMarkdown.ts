/** The hover card of an op or a function, as Markdown. Every number carries its unit. */
import { Device, peakFor } from '../../core/devices';
import { DType } from '../../core/dtypes';
import { mdCode, mdText } from '../../core/escape';
import { bandwidthText, bytesText, exact, flopsText, intensityText, macsText, percentText, rateText, timeText, uncountedNames } from '../../core/format';
import { ContextRef, TensorOp } from '../../core/ir';
import { Bindings, Poly, isMadeUpDim } from '../../core/symbolic';
import { Analysis, FunctionFigures } from '../../engine/analyze';
import { MeasuredPoint } from '../../protocol';
import { dimView } from './hoverDims';
import { dimsDirective } from './waitingDims';
import { RooflinePoint, rooflineImage } from './hoverRoofline';

/** Longer formulas are shown as their number, the formula set apart on a "formula" line. */
const MAX_TERMS = 4;

/** The byte unit spelled out: `B` is a batch dim in most of the shapes next to it. */
export function bytesWord(n: number): string {
  return Math.abs(n) < 1024 ? `${exact(n)} bytes` : bytesText(n);
}

const intensityWord = (x: number) => intensityText(x).replace(/FLOP\/B$/, 'FLOP/byte');

function shape(dims: Poly[] | null, b?: Bindings): string {
  if (!dims) return '(?)';
  return `(${dims.map((d) => (b ? d.substitute(b) : d).toString('pretty')).join(', ')})`;
}

/**
 * A cost cell: the formula and, as far as dims are bound, its value: `6·B·T·n_embd²` =
 * `3538944·B·T` while B and T are unbound, `= 9,663,676,416 (9.66 GFLOP)` once they are. A formula
 * of more than MAX_TERMS terms is left to the "formula" line (`formulas`) and the cell keeps the
 * number, or the partly bound formula while it is short.
 */
function costCell(what: string, p: Poly, b: Bindings, value: number | null, fmt: (n: number) => string, unit: string, formulas: string[]): string {
  const sym = p.toString('pretty');
  const u = unit ? ` ${unit}` : '';
  if (value !== null) {
    if (p.isConst()) return fmt(value);
    if (p.termCount() <= MAX_TERMS) return `${mdCode(sym, true)}${u} = ${fmt(value)}`;
    formulas.push(`${what} = ${mdCode(sym)}${u}`);
    return fmt(value);
  }
  const partial = p.substitute(b);
  const part = partial.toString('pretty');
  if (p.termCount() <= MAX_TERMS) return `${mdCode(sym, true)}${u}${part !== sym ? ` = ${mdCode(part, true)}${u}` : ''}`;
  formulas.push(`${what} = ${mdCode(sym)}${u}`);
  if (partial.termCount() <= MAX_TERMS) return `${mdCode(part, true)}${u}`;
  return `${partial.termCount()} terms in ${[...partial.freeSymbols()].sort().map((d) => mdCode(d, true)).join(', ')} (see formula)`;
}

/** Said once, at the end of a card whose figures wait for dims. */
export function bindHint(all: string[], others: ReadonlyMap<string, readonly string[]>, a: Analysis): string {
  if (all.length === 0) return '';
  // Sizes the code never gives (invented names) cannot be bound by name: said apart, as `?`.
  const unbound = all.filter((d) => !isMadeUpDim(d));
  const anonymous = unbound.length < all.length ? '\n\n_`?` is a size the code does not give (data-dependent, or from a call the engine cannot follow)._' : '';
  if (unbound.length === 0) return anonymous;
  const aka = unbound.filter((d) => others.has(d)).map((d) => `${mdCode(d)} is also called ${others.get(d)!.map((o) => mdCode(o)).join(', ')}`);
  return `\n\n_Unbound: ${unbound.map((d) => mdCode(d)).join(', ')}${aka.length ? ` (${aka.join('; ')})` : ''}. Bind ${unbound.length === 1 ? 'it' : 'them'} with a ${mdCode(dimsDirective(a, unbound))} comment, the \`tensorcost.dims\` setting or \`[tool.tensorcost.dims]\` in pyproject.toml._${anonymous}`;
}

/** How to give an op's operands a shape, said once in the card's cost row. */
function unknownShapesText(op: TensorOp, language: Analysis['ir']['language']): string {
  const method = op.function?.split('.').pop();
  if (language !== 'python') {
    return `not computed: the operand shapes are unknown. Give them with a \`// tensorcost: shape x=(B, T, C)\` comment${method ? ` in ${mdCode(method, true)}` : ''}`;
  }
  const where = method ? ` above ${mdCode(`def ${method}`, true)}` : '';
  // Arithmetic on an unannotated parameter is taken for tensor arithmetic; it may be on numbers.
  const numbers = op.kind === 'elementwise' && op.inputs.every((t) => t.shape === null) ? '; if the operands are plain numbers, annotate the parameter as `int` or `float` and this is no tensor op' : '';
  return `not computed: the operand shapes are unknown. Give them with a \`# tensorcost: shape x=(B, T, C)\` comment${where}, or annotate the parameter (\`x: Float[Tensor, "B T C"]\`)${numbers}`;
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
  const sizes = (x: Record<string, number>) => Object.entries(x).map(([k, v]) => `${k}=${v}`).join(' ');
  const shapeText = sizes(m.shape);
  const scaled = m.fullShape ? `, scaled down from ${sizes(m.fullShape)}` : '';
  // A measured time is comparable with the prediction only at the op's own size.
  const pct = predictedSeconds && !m.fullShape ? ` — ${percentText((predictedSeconds * 1e3) / m.medianMs)} of the speed predicted on ${device.id}` : '';
  const check = m.verified
    ? ', verified against a CPU reference'
    : m.checked && !m.checked.passed
      ? `, **failed** the check against a CPU reference (${exact(m.checked.elements)} output elements checked)`
      : m.checked && m.checked.elements > 0
      ? `, not fully verified: ${exact(m.checked.elements)} of ${exact(m.checked.total)} output elements checked against a CPU reference (a sample; all would take too long)`
      : ', **not verified**';
  return `| measured | ${timeText(m.medianMs / 1e3)} median on ${mdText(m.adapter)} (${m.dtype}${shapeText ? `, ${shapeText}` : ''}${scaled}): ${m.gflops.toFixed(2)} GFLOP/s, ${m.gbps.toFixed(2)} GB/s${check}${pct} |`;
}

export function opHover(a: Analysis, index: number, measured: readonly MeasuredPoint[] = []): string {
  const op = a.ir.ops[index];
  const v = dimView(a);
  // Figures from a calling context (docs/whole-program.md) come with that context's shapes.
  const inContext = a.opContexts?.[index];
  const f = inContext ? a.figures[index] : v.figures(index);
  const b = v.bindings;
  const ins = (inContext ? inContext.inputs : op.inputs).map((t) => v.shape(t));
  const out = v.shape(inContext ? inContext.output : op.output);
  const symbolic = ins.map((t) => shape(t)).join(' × ') + ' → ' + shape(out);
  const bound = ins.map((t) => shape(t, b)).join(' × ') + ' → ' + shape(out, b);
  const runs = (p: Poly) => v.poly(op.repeat ? p.mul(op.repeat) : p);
  const rows: [string, string][] = [];
  const formulas: string[] = [];
  rows.push(['shapes', symbolic === bound ? mdCode(symbolic, true) : `${mdCode(symbolic, true)} = ${mdCode(bound, true)}`]);
  // The figures' dtype: a calling context's may differ from the op's own (an autocast around
  // the call runs an fp32 layer's GEMM in bf16), and the time and roofs below are at that dtype.
  const dtype = figuresDtype(a, index);
  rows.push(['dtype', dtype === op.dtype ? op.dtype : `${dtype} in this context (${op.dtype} on its own)`]);
  const renamed = v.renamedIn(index);
  const sized = v.impliedIn(index);
  const dimNotes = [
    ...renamed.map(([from, to]) => `${mdCode(from, true)} is ${mdCode(to, true)}: one dim under two names`),
    ...sized.map(([name, n]) => `${mdCode(name, true)} = ${exact(n)}`),
  ];
  if (dimNotes.length) rows.push(['dims', `${dimNotes.join('; ')} (an op of the file needs ${dimNotes.length === 1 && !renamed.length ? 'that size' : 'them equal'})`]);
  if (inContext) rows.push(['context', contextText(inContext.context, inContext.count)]);
  const assumed = a.opAssumed?.[index];
  if (assumed && Object.keys(assumed).length) rows.push(['assumed', assumedText(assumed)]);
  if (op.cost.unknown && !inContext) rows.push(['cost', unknownShapesText(op, a.ir.language)]);
  else if (inContext) {
    // The context's figures are numbers: no formula of this function's own dims stands beside them.
    if (f.flops) rows.push(['FLOPs', `${exact(f.flops)} (${flopsText(f.flops)}, ${macsText(f.flops / 2)})`]);
    if (f.otherFlops) rows.push(['other FLOPs', flopsText(f.otherFlops)]);
    if (f.bytes !== null) rows.push(['bytes', bytesWord(f.bytes)]);
    if (f.intensity !== null) rows.push(['intensity', `${intensityWord(f.intensity)} (ridge ${intensityWord(f.ridge)})`]);
    if (f.bound) rows.push(['bound', `**${f.bound}**-bound, at most ${percentText(f.fractionOfPeak!)} of peak (${rateText(f.attainable!)} attainable)`]);
    if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${deviceLine(a.device, dtype)}`]);
  } else {
    if (!op.cost.flops.isZero() || f.flops === null) {
      rows.push(['FLOPs', costCell('FLOPs', runs(op.cost.flops), b, f.flops, (n) => `${exact(n)} (${flopsText(n)}, ${macsText(n / 2)})`, '', formulas)]);
    }
    if (!op.cost.otherFlops.isZero()) rows.push(['other FLOPs', costCell('other FLOPs', runs(op.cost.otherFlops), b, f.otherFlops, flopsText, '', formulas)]);
    rows.push(['bytes', costCell('bytes', runs(op.cost.bytes), b, f.bytes, bytesWord, 'bytes', formulas)]);
    if (f.intensity !== null) rows.push(['intensity', `${intensityWord(f.intensity)} (ridge ${intensityWord(f.ridge)})`]);
    if (f.bound) rows.push(['bound', `**${f.bound}**-bound, at most ${percentText(f.fractionOfPeak!)} of peak (${rateText(f.attainable!)} attainable)`]);
    if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${deviceLine(a.device, dtype)}`]);
    for (const x of op.cost.variants ?? []) rows.push([x.label, `${costCell(x.label, runs(x.bytes), b, runs(x.bytes).evaluate(b), bytesWord, 'bytes', formulas)}${x.note ? ` — ${x.note}` : ''}`]);
  }
  if (op.repeat) rows.push(['runs', `× ${mdCode(v.poly(op.repeat).toString('pretty'), true)} per call (loop)`]);
  // The unknown-shapes note says what the cost row says already.
  const notes = (op.cost.notes ?? []).filter((n) => !(op.cost.unknown && /^operand shapes unknown/.test(n))).map((n) => `- ${n}`).join('\n');
  const table = ['| | |', '|---|---|', ...rows.map(([k, x]) => `| ${k} | ${x} |`), ...measured.map((m) => measuredLine(m, f.timeSeconds, a.device))];
  const tail = [formulaLines(formulas), notes ? '\n' + notes : '', picture(a, index, measured)].filter((part) => part !== '');
  return [`**${op.kind}** ${mdCode(op.name)}${op.function ? ` in ${mdCode(op.function)}` : ''}`, '', ...table, ...tail].join('\n') + bindHint(f.unbound, v.aliases.others, a);
}

/** "t = 1024 (assert at line 172), b = 1 (batch defaults to 1); bind to change". */
export function assumedText(assumed: Record<string, { value: number; from: string }>): string {
  return Object.entries(assumed).map(([k, x]) => `${mdCode(k)} = ${x.value.toLocaleString('en-US')} (${mdText(x.from)})`).join(', ') + '; bind to change';
}

/** "as called from `train.py:42` in `main`" (and how many contexts, when several). */
export function contextText(c: ContextRef, count = 1): string {
  const file = c.path.slice(c.path.lastIndexOf('/') + 1);
  const from = `as called from ${mdCode(`${file}:${c.line + 1}`, true)}${c.function === '<module>' ? ' (top-level code)' : ` in ${mdCode(c.function, true)}`}`;
  return count > 1 ? `${from} — the largest of ${count} calling contexts` : from;
}

/** The long formulas the cells left out, one "formula" line each. */
function formulaLines(formulas: readonly string[]): string {
  return formulas.length ? '\n' + formulas.map((x) => `formula: ${x}`).join('\n\n') : '';
}

/** The dtype an op's figures are at: its calling context's when they come from one (`OpInContext.dtype`), else its own. */
function figuresDtype(a: Analysis, index: number): DType {
  return a.opContexts?.[index]?.dtype ?? a.ir.ops[index].dtype;
}

/** The small roofline picture: the op (and any measurement) on the target device's roofs. */
function picture(a: Analysis, index: number, measured: readonly MeasuredPoint[]): string {
  const dtype = figuresDtype(a, index);
  const f = a.figures[index];
  if (f.intensity === null || f.attainable === null) return '';
  const points: RooflinePoint[] = [{ intensity: f.intensity, rate: f.attainable, kind: 'predicted', highlight: true, color: f.bound === 'memory' ? '#bf8803' : '#3465a4' }];
  for (const m of measured) {
    const p = measuredPoint(m);
    if (p) points.push(p);
  }
  const img = rooflineImage(
    { bandwidth: a.device.bandwidth, ceilings: ceilingsFor(a.device, dtype), ridgePeak: peakFor(a.device, dtype), points, width: 240, height: 120 },
    `roofline of ${a.device.id}`,
  );
  return `\n${img}\n\n_Roofline of ${mdText(a.device.id)} (log-log): roofs fp32 and fp16/bf16, dashed line the ${dtype} ridge point; ● this op${measured.length ? ', ◆ measured' : ''}._`;
}

/** A function's (or, through its forward, a class's) inclusive cost of one call and its heaviest ops. */
export function functionHover(a: Analysis, fn: FunctionFigures, className?: string): string {
  const { summary: s, figures: f } = fn;
  const v = dimView(a);
  const b = v.bindings;
  const ops = a.ir.ops.map((op, i) => ({ op, f: a.figures[i] })).filter((x) => x.op.function === s.name && x.f.flops !== null && x.f.flops + (x.f.otherFlops ?? 0) > 0);
  ops.sort((x, y) => (y.f.timeSeconds ?? 0) - (x.f.timeSeconds ?? 0) || (y.f.flops ?? 0) - (x.f.flops ?? 0));
  const rows: [string, string][] = [];
  const formulas: string[] = [];
  const flops = v.poly(s.flops);
  const flopsValue = f.flops ?? flops.evaluate(b);
  const other = v.poly(s.otherFlops);
  const bytes = v.poly(s.bytes);
  const upper = (fn.upperBound ?? s.upperBound) ? ' — upper bound: an undecidable branch counted its more expensive side' : '';
  // Figures from a calling context, or with stated defaults, are numbers the formula alone does not give.
  const numbers = !!fn.context || !!(fn.assumed && Object.keys(fn.assumed).length);
  if (numbers) {
    rows.push(['FLOPs (inclusive)', `${f.flops !== null ? `${exact(f.flops)} (${flopsText(f.flops)}, ${macsText(f.flops / 2)})` : '?'}${upper}`]);
    if (fn.context) rows.push(['context', contextText(fn.context, fn.contexts)]);
    // Several contexts: each, with its figures (the row above is the largest's).
    for (const e of (fn.each ?? []).slice(0, 4)) if (e.context !== fn.context) rows.push(['also', `${e.flops !== null ? flopsText(e.flops) : '?'}${e.timeSeconds !== null ? `, ≈ ${timeText(e.timeSeconds)}` : ''} ${contextText(e.context)}`]);
    if (fn.assumed && Object.keys(fn.assumed).length) rows.push(['assumed', assumedText(fn.assumed)]);
    rows.push(['other FLOPs', f.otherFlops !== null ? flopsText(f.otherFlops) : '?']);
    rows.push(['bytes', f.bytes !== null ? bytesWord(f.bytes) : '?']);
  } else {
    rows.push(['FLOPs (inclusive)', `${costCell('FLOPs', flops, b, flopsValue, (n) => `${exact(n)} (${flopsText(n)}, ${macsText(n / 2)})`, '', formulas)}${upper}`]);
    rows.push(['other FLOPs', costCell('other FLOPs', other, b, f.otherFlops ?? other.evaluate(b), flopsText, '', formulas)]);
    rows.push(['bytes', costCell('bytes', bytes, b, f.bytes ?? bytes.evaluate(b), bytesWord, 'bytes', formulas)]);
  }
  if (fn.trainingFlops !== undefined && fn.trainingFlops !== null) rows.push(['training FLOPs', `${flopsText(fn.trainingFlops)} per step (forward + backward, backward = 2× forward)`]);
  if (f.intensity !== null) rows.push(['intensity', `${intensityWord(f.intensity)} (ridge ${intensityWord(f.ridge)})`]);
  if (f.timeSeconds !== null) rows.push(['time', `≈ ${timeText(f.timeSeconds)} on ${mdText(a.device.name)} (roofline of the totals; the sum of the op times is higher)`]);
  if (s.params) rows.push(['parameters', `${s.paramsUncounted ? 'at least ' : ''}${costCell('parameters', v.poly(s.params), b, v.poly(s.params).evaluate(b), (n) => exact(n), '', formulas)}${s.paramsUncounted ? ` (not counted: ${uncountedNames(s.paramsUncounted, (f) => mdCode(f, true))}, modules passed in, or built by code or a library the count does not follow)` : ''}`]);
  const heavy = ops.slice(0, 5).map(({ op, f: g }) => `- ${mdCode(op.name)} (${op.kind}, line ${op.range.start.line + 1}): ${flopsText(g.flops! + (g.otherFlops ?? 0))}${g.timeSeconds !== null ? `, ≈ ${timeText(g.timeSeconds)}` : ''}, ${g.bound ?? '?'}-bound`);
  const shapeComment = a.ir.language === 'python' ? '`# tensorcost: shape x=(B, T, C)` comment above the `def`, or annotate them' : '`// tensorcost: shape x=(B, T, C)` comment in the function';
  if (fn.reasons?.length) rows.push(['incomplete', fn.reasons.map((x) => `${mdText(x.message)} (${x.path && x.path !== (a.ir.programPath ?? a.ir.path) ? `${x.path.slice(x.path.lastIndexOf('/') + 1)}:` : 'line '}${x.range.start.line + 1})`).join('; ') + ': these figures miss what that computes']);
  else if (fn.incomplete) rows.push(['incomplete', `some ops have operands of unknown shape: their cost is not in these totals (give the parameters a ${shapeComment})`]);
  const title = className ? `**class ${mdText(className)}** — cost of one call (${mdCode(s.name)})` : `**${mdText(s.name)}** — cost of one call`;
  const unbound = numbers ? [] : [...new Set([flops, other, bytes].flatMap((p) => (p.evaluate(b) === null ? [...p.substitute(b).freeSymbols()] : [])))].sort();
  return [title, '', '| | |', '|---|---|', ...rows.map(([k, x]) => `| ${k} | ${x} |`), formulaLines(formulas), heavy.length ? '\nHeaviest ops:\n' + heavy.join('\n') : ''].join('\n') + bindHint(unbound, v.aliases.others, a);
}
