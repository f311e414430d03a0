/** textDocument/hover: the op under the cursor (innermost), or a function's or class's totals on its name. */
import { Hover, MarkupKind, Position } from 'vscode-languageserver';
import { Range, TensorOp } from '../../core/ir';
import { CostFigures } from '../../core/cost/evaluate';
import { Device } from '../../core/devices';
import { Splicer } from '../../core/splice';
import { Analysis, FunctionFigures } from '../../engine/analyze';
import { MeasuredPoint } from '../../protocol';
import { commHoverSection } from './commHover';
import { dimView } from './hoverDims';
import { functionHover, opHover } from './hoverMarkdown';

export function contains(r: Range, p: Position): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

function size(r: Range): number {
  return (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
}

/** Per segment of ops (`FileIR.segments`), the lines its ops span; spliced like the figures. */
const BOUNDS = new Splicer<readonly TensorOp[], { from: number; to: number }>();

function lineBounds(ops: readonly TensorOp[]): { from: number; to: number } {
  let from = Infinity;
  let to = -Infinity;
  for (const op of ops) {
    from = Math.min(from, op.range.start.line);
    to = Math.max(to, op.range.end.line);
  }
  return { from, to };
}

/**
 * Index of the innermost op whose range contains the position, or -1. Only the segments whose
 * lines include the position's are looked into: on a large file, visiting every op object costs
 * a millisecond of cache misses per hover.
 */
export function opAt(a: Analysis, p: Position): number {
  const segments = a.ir.segments ?? [a.ir.ops];
  const bounds = BOUNDS.map('', segments, lineBounds);
  let best = -1;
  let offset = 0;
  for (let s = 0; s < segments.length; s++) {
    const ops = segments[s];
    if (p.line >= bounds[s].from && p.line <= bounds[s].to) {
      for (let k = 0; k < ops.length; k++) {
        if (contains(ops[k].range, p) && (best < 0 || size(ops[k].range) < size(a.ir.ops[best].range))) best = offset + k;
      }
    }
    offset += ops.length;
  }
  return best;
}

/** Measured points recorded for the op at `index` (same start position). */
export function measuredFor(a: Analysis, index: number, measured: readonly MeasuredPoint[]): MeasuredPoint[] {
  const r = a.ir.ops[index].range;
  return measured.filter((m) => m.range.start.line === r.start.line && m.range.start.character === r.start.character);
}

const CLASS_DEF = /^(\s*)class\s+([A-Za-z_][A-Za-z0-9_]*)/;
/** The methods whose cost a class name stands for: calling a module runs its forward. */
const CALL_METHODS = ['forward', '__call__'];

/**
 * The class whose name is under the cursor, read from the line's text (cheaper and safer than
 * walking a tree another version may already have replaced), with the method it stands for.
 */
export function classAt(a: Analysis, p: Position, lineText: string | undefined): { fn: FunctionFigures; range: Range } | undefined {
  const m = lineText ? CLASS_DEF.exec(lineText) : null;
  if (!m) return undefined;
  const start = lineText!.indexOf(m[2], m[1].length + 5);
  if (p.character < start || p.character > start + m[2].length) return undefined;
  for (const meth of CALL_METHODS) {
    const fn = a.functions.find((f) => f.summary.name === `${m[2]}.${meth}`);
    if (fn) return { fn, range: { start: { line: p.line, character: start }, end: { line: p.line, character: start + m[2].length } } };
  }
  return undefined;
}

export function hover(a: Analysis, p: Position, opts: { lineText?: string; measured?: readonly MeasuredPoint[] } = {}): Hover | null {
  // A Python function's name is on its `def` line: other lines need not visit every function.
  const mayName = a.ir.language !== 'python' || opts.lineText === undefined || /\bdef\b/.test(opts.lineText);
  const fn = mayName ? a.functions.find((f) => contains(f.summary.nameRange, p)) : undefined;
  if (fn) return { contents: { kind: MarkupKind.Markdown, value: functionHover(a, fn) + commHoverSection(a, a.settings, fn.summary.name) }, range: fn.summary.nameRange };
  const cls = classAt(a, p, opts.lineText);
  if (cls) {
    const value = functionHover(a, cls.fn, cls.fn.summary.name.split('.')[0]) + commHoverSection(a, a.settings, cls.fn.summary.name);
    return { contents: { kind: MarkupKind.Markdown, value }, range: cls.range };
  }
  const i = opAt(a, p);
  if (i < 0) return null;
  const measured = measuredFor(a, i, opts.measured ?? []);
  return { contents: { kind: MarkupKind.Markdown, value: measured.length ? opHover(a, i, measured) : opHoverOnce(a, i) }, range: a.ir.ops[i].range };
}

/**
 * An op's card, remembered while the op (the same object in every analysis that reused its
 * statement), its figures (the same object while the device and dims are) and the device are:
 * hovering after each keystroke then formats nothing and draws no roofline picture again.
 */
const OP_HOVERS = new WeakMap<TensorOp, { figures: CostFigures; device: Device; dims: string; value: string }>();

function opHoverOnce(a: Analysis, i: number): string {
  const op = a.ir.ops[i];
  const hit = OP_HOVERS.get(op);
  // The names and values of dims come from the whole file (hoverDims.ts): an edit elsewhere can change them.
  const dims = hit && hit.figures === a.figures[i] && hit.device === a.device ? dimView(a).key : '';
  if (hit && dims && hit.dims === dims) return hit.value;
  const value = opHover(a, i);
  OP_HOVERS.set(op, { figures: a.figures[i], device: a.device, dims: dimView(a).key, value });
  return value;
}
