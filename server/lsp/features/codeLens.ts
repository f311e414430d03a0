/**
 * textDocument/codeLens: the inclusive total of each function above its definition, and
 * "Benchmark this matmul" above GEMM-like ops. Lenses come back with only a range and data; the
 * title (which needs the figures) is filled in by codeLens/resolve for the lenses VS Code shows.
 */
import { CodeLens } from 'vscode-languageserver';
import { flopsText, bytesText, timeText } from '../../core/format';
import { TensorOp } from '../../core/ir';
import { Analysis } from '../../engine/analyze';
import { Feature } from '../context';

/** The command the benchmark lens runs, with (uri, position) as arguments; the client implements it. */
export const BENCHMARK_COMMAND = 'tensorcost.benchmarkOp';
/** Kinds the benchmark runner has a GEMM kernel for. */
const BENCHMARKABLE = new Set(['matmul', 'bmm', 'linear', 'einsum']);

type LensData = { uri: string; kind: 'function'; name: string } | { uri: string; kind: 'benchmark'; line: number; character: number };

export function benchmarkable(op: TensorOp): boolean {
  return BENCHMARKABLE.has(op.kind) && !op.cost.unknown && op.attrs.m !== undefined;
}

/** Unresolved lenses: ranges and data only. */
export function codeLenses(a: Analysis, uri: string, withBenchmark: boolean): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const f of a.functions) {
    // A function that does no tensor work (`__init__`, helpers) gets no lens: "0 FLOP" is noise.
    if (f.summary.flops.isZero() && f.summary.otherFlops.isZero() && f.summary.bytes.isZero()) continue;
    const data: LensData = { uri, kind: 'function', name: f.summary.name };
    lenses.push({ range: f.summary.nameRange, data });
  }
  if (withBenchmark) {
    const seen = new Set<number>();
    // An op with a shape error would fail at run time too: there is nothing to benchmark.
    for (const f of a.findings) if (f.code === 'TC002') seen.add(f.range.start.line);
    for (const op of a.ir.ops) {
      // One benchmark lens per line: lenses sit above the line, several would crowd it.
      if (!benchmarkable(op) || seen.has(op.range.start.line)) continue;
      seen.add(op.range.start.line);
      const data: LensData = { uri, kind: 'benchmark', line: op.range.start.line, character: op.range.start.character };
      lenses.push({ range: op.range, data });
    }
  }
  return lenses;
}

/** Fills in a lens's title and command from the analysis of the document's current version. */
export function resolveCodeLens(a: Analysis, lens: CodeLens): CodeLens {
  const data = lens.data as LensData;
  if (data.kind === 'function') {
    const f = a.functions.find((x) => x.summary.name === data.name);
    const g = f?.figures;
    let title: string;
    if (!f || !g) title = 'Tensor Cost: out of date';
    else if (g.flops === null) title = `Σ ${f.summary.flops.toString('pretty')} FLOP — bind ${g.unbound.slice(0, 3).join(', ')} for numbers`;
    else {
      const other = g.otherFlops ? ` + ${flopsText(g.otherFlops)} other` : '';
      title = `Σ ${flopsText(g.flops)}${other} · ${g.bytes !== null ? bytesText(g.bytes) : '?'}${g.timeSeconds !== null ? ` · ≈ ${timeText(g.timeSeconds)} on ${a.device.id}` : ''}${f.summary.upperBound ? ' (upper bound)' : ''}`;
    }
    return { ...lens, command: { title, command: '' } };
  }
  const i = a.ir.ops.findIndex((op) => op.range.start.line === data.line && op.range.start.character === data.character);
  const g = i >= 0 ? a.figures[i] : undefined;
  const predicted = g?.timeSeconds != null ? ` (predicted ≈ ${timeText(g.timeSeconds)} on ${a.device.id})` : '';
  const kind = i >= 0 ? a.ir.ops[i].kind : 'matmul';
  return {
    ...lens,
    command: {
      title: `$(beaker) Benchmark this ${kind === 'linear' || kind === 'einsum' || kind === 'bmm' ? kind : 'matmul'}${predicted}`,
      command: BENCHMARK_COMMAND,
      arguments: [data.uri, { line: data.line, character: data.character }],
    },
  };
}

export const codeLensFeature: Feature = {
  capabilities: () => ({ codeLensProvider: { resolveProvider: true } }),
  register(ctx) {
    ctx.connection.onCodeLens(async (params, token) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      if (!doc) return [];
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return [];
      return codeLenses(a, doc.uri, !ctx.untrusted);
    });
    ctx.connection.onCodeLensResolve(async (lens, token) => {
      const doc = ctx.documents.get((lens.data as LensData | undefined)?.uri ?? '');
      if (!doc) return { ...lens, command: { title: 'Tensor Cost: document closed', command: '' } };
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return lens;
      return resolveCodeLens(a, lens);
    });
  },
};
