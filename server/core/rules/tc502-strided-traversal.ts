import { bytesText } from '../format';
import { DType } from '../dtypes';
import { ContextRef, Dim, Finding, Range, TensorType } from '../ir';
import { SliceOrigin, StridedTraversalSignal, signalsOf } from './signals';
import { contextLabel, siteFacts } from './siteOps';
import { Rule, RuleContext } from './types';
import { contains, dtypeBytes, make } from './util';

const MiB = 1024 * 1024;

export const rule: Rule = {
  code: 'TC502',
  name: 'strided-traversal',
  defaultSeverity: 'warning',
  summary: 'A loop walks a large array across its memory layout (columns of a row-major array, rows of a column-major one): every element read pulls a whole cache line.',
  docs: {
    what:
      'Finds loops that take one column per trip of a row-major array (`X[:, j]`, NumPy\'s and PyTorch\'s default layout, also called C order) or one row per trip of a column-major one (`X[i, :]` of an array made by `np.asfortranarray`, with `order="F"`, or as the `.T` of a row-major array) — or does the same element by element in a nest whose inner loop runs down the jumping axis (`for j in range(m): for i in range(n): s += X[i, j]`) — when the array holds at least `stridedArrayMiB` (8 MiB) — more than a core\'s share of the last-level cache, so the lines a column pulls in are gone before the next column could use them. The array\'s shape and dtype are the ones the interpreter bound where the slice is read by a modelled call (a reduction such as `.sum()` or `np.linalg.norm`, an elementwise op, a GEMM; a slice only passed to a call the engine does not model gives no sizes and no finding) (in the function, or in the calling context that passed the array).',
    why:
      'Memory moves in cache lines of 64 bytes (`cacheLineBytes`). A row-major (100000, 512) float64 array keeps each row\'s 512 values together, 4 KiB apart from the next row\'s: a column takes one value from each row, so each 8-byte read costs a 64-byte line, 8× the traffic of reading the array in order (16× for float32). Over the whole sweep that is 3.05 GiB of lines for 391 MiB of data; hardware prefetchers follow the stride but cannot shrink it. NumPy\'s own reductions along an axis (`X.mean(axis=0)`) walk the memory in order and vectorise.',
    example: 'X = np.random.randn(100_000, 512)          # row-major (C order)\nfor j in range(X.shape[1]):\n    X[:, j] = (X[:, j] - X[:, j].mean()) / X[:, j].std()',
    useInstead: 'X = (X - X.mean(axis=0)) / X.std(axis=0)   # one pass in memory order\n# or, when columns must be visited one by one: Xf = np.asfortranarray(X) once, then Xf[:, j]',
  },
  thresholds: [
    { key: 'stridedArrayMiB', default: 8, description: 'Fire when the array walked across its layout holds at least this many MiB (more than a core\'s share of the last-level cache).' },
    { key: 'cacheLineBytes', default: 64, description: 'Cache line size in bytes (64 on x86-64 and most Arm cores, 128 on Apple M-series).' },
  ],
  check(ctx) {
    const out: Finding[] = [];
    const limit = ctx.threshold('stridedArrayMiB') * MiB;
    const line = ctx.threshold('cacheLineBytes');
    for (const s of signalsOf(ctx.ir).stridedTraversal ?? []) {
      const f = arrayFacts(ctx, s);
      if (!f || f.dims.length < 2) continue;
      const size = dtypeBytes(f.dtype);
      const elements = f.dims.reduce((a, x) => a * x, 1);
      const bytes = elements * size;
      // Row-major: a column's neighbours are a row apart; column-major: a row's are a column apart.
      const stride = (s.axis === 'column' ? elements / f.dims[0] : f.dims[0]) * size;
      if (bytes < limit || stride < line) continue;
      const amplification = line / size;
      const layout = s.order === 'C' ? 'row-major (C-order)' : 'column-major (F-order)';
      const torch = signalsOf(ctx.ir).imports.some((i) => i.module === 'torch' || i.module.startsWith('torch.'));
      const axisArg = torch ? 'dim=0' : 'axis=0';
      const fix = s.axis === 'column'
        ? `reduce along the axis in one call (\`${s.base}.sum(${axisArg})\`-style), loop over rows, or make it column-major once (${torch ? `\`${s.base}.t().contiguous()\`, then take its rows` : '`np.asfortranarray`'})`
        : `reduce along the axis in one call (\`${s.base}.sum(axis=1)\`-style), loop over columns, or make it row-major once (\`np.ascontiguousarray\`)`;
      out.push(
        make(
          rule,
          s.header,
          `the loop walks the ${layout} ${shapeText(f.dims)} ${f.dtype} array \`${s.base}\` (${bytesText(bytes)}) ${s.axis} by ${s.axis} through \`${s.text}\`: neighbouring elements are ${bytesText(stride)} apart, so each ${size}-byte read pulls a ${line}-byte cache line — ~${amplification}× the memory traffic (${bytesText(bytes * amplification)} of lines per sweep for ${bytesText(bytes)} of data)${f.context ? ` (sizes from the call at ${contextLabel(f.context)})` : ''}; ${fix}`,
          { related: [{ range: s.access, message: `one ${s.axis} per trip of \`${s.loopVar}\`` }] },
        ),
      );
    }
    return out;
  },
};

interface ArrayFacts {
  dims: number[];
  dtype: DType;
  context?: ContextRef;
}

/**
 * The array the loop crosses, from the op that reads the slice: the interpreter keeps, on a row
 * or column it takes, the shape of the array it was taken from (`SliceOrigin`). The smallest op
 * around a read of the slice is asked, in the file's analysis or in the context that ran it.
 */
function arrayFacts(ctx: RuleContext, s: StridedTraversalSignal): ArrayFacts | null {
  const self = ctx.ir.programPath ?? ctx.ir.path;
  const ranges: Range[] = [];
  for (const o of ctx.ir.ops) if (s.uses.some((u) => contains(o.range, u))) ranges.push(o.range);
  for (const o of ctx.ir.captured?.ops ?? []) if (o.path === self && s.uses.some((u) => contains(o.range, u))) ranges.push(o.range);
  const span = (r: Range) => (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);
  ranges.sort((a, b) => span(a) - span(b));
  const origin = (t: TensorType) => (t as TensorType & SliceOrigin).viewOf;
  const evaluated = (d: Dim[] | undefined, b: ReadonlyMap<string, number>) => {
    if (!d) return null;
    const v = d.map((x) => x.evaluate(b as Map<string, number>));
    return v.every((x) => x !== null) ? (v as number[]) : null;
  };
  for (const r of ranges) {
    const f = siteFacts(ctx, r, (op, b) => op.inputs.some((t) => evaluated(origin(t), b) !== null));
    if (!f) continue;
    const input = f.op.inputs.find((t) => evaluated(origin(t), ctx.bindings) !== null);
    if (!input) continue;
    return { dims: evaluated(origin(input), ctx.bindings)!, dtype: input.dtype ?? f.op.dtype, ...(f.context ? { context: f.context } : {}) };
  }
  return null;
}

function shapeText(d: number[]): string {
  return `(${d.join(', ')})`;
}
