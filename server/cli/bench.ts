/**
 * `tensorcost bench gemm|bmm|conv2d|attention|copy|fma [options]` (docs/cli.md): runs one kernel on
 * the local WebGPU adapter, in a child process, and prints the JSON object of docs/cli.md or a table.
 */
import { runBenchmark } from '../../kernels/harness/runner';
import { VARIANTS } from '../../kernels/harness/request';
import { BenchError, BenchRequest, BenchResult, BenchVariant } from '../../kernels/harness/types';
import { loadLocalDevice, loadTunedKernels } from '../node/localDevice';
import { choiceFlag, intFlag, parseFlags, timeoutMsFlag, UsageError } from './benchArgs';

const OPS = ['gemm', 'bmm', 'conv2d', 'attention', 'copy', 'fma'] as const;

const USAGE = `Usage: tensorcost bench gemm|bmm|conv2d|attention|copy|fma [options]

  --m --k --n --batch N   sizes: gemm/bmm C[m×n] = A[m×k]·B[k×n] (batch for bmm);
                          attention m = query length, n = key length, k = head dim,
                          batch = batch × heads; copy m = elements; fma m = threads, k = steps
  --cin --h --w --cout --kh --kw --kernel --stride --pad   conv2d (NCHW; --kernel sets kh and kw)
  --dtype f32|f16         element type (f16 needs the adapter's shader-f16)
  --variant NAME          gemm/bmm: tiled|naive|tfjs; conv2d: im2col|direct;
                          attention: flash|materialized; copy: shader|copyBufferToBuffer
  --repeats N             timed runs after warm-up (default: as many as fit in ~4 s, 3..30)
  --timing auto|queue     timestamp queries when available (auto), or queue completion
  --verify auto|full      full checks every output element however long it takes
  --timeout SECONDS       kill the benchmark after this long (default 300)
  --format text|json      json prints the object of docs/cli.md`;

const FLAGS = ['m', 'k', 'n', 'batch', 'cin', 'h', 'w', 'cout', 'kh', 'kw', 'kernel', 'stride', 'pad', 'dtype',
  'variant', 'repeats', 'timing', 'verify', 'timeout', 'format', 'seed', 'help'] as const;

export function parseBenchArgs(argv: string[]): { request: BenchRequest; format: 'text' | 'json'; timeoutMs: number } {
  const { positional, flags } = parseFlags(argv, FLAGS);
  if (flags.has('help')) throw new UsageError('');
  if (positional.length !== 1) throw new UsageError('expected exactly one kernel name');
  const op = positional[0] as BenchRequest['op'];
  if (!OPS.includes(op)) throw new UsageError(`unknown kernel '${op}' (expected ${OPS.join(', ')})`);
  const variant = choiceFlag(flags, 'variant', VARIANTS[op] as BenchVariant[]);
  const request: BenchRequest = {
    op,
    variant,
    dtype: choiceFlag(flags, 'dtype', ['f32', 'f16'] as const),
    m: intFlag(flags, 'm'),
    k: intFlag(flags, 'k'),
    n: intFlag(flags, 'n'),
    batch: intFlag(flags, 'batch'),
    repeats: intFlag(flags, 'repeats'),
    timing: choiceFlag(flags, 'timing', ['auto', 'queue'] as const),
    verify: choiceFlag(flags, 'verify', ['auto', 'full'] as const),
    seed: intFlag(flags, 'seed'),
  };
  if (op === 'conv2d') {
    const kernel = intFlag(flags, 'kernel');
    request.conv = {
      cin: intFlag(flags, 'cin') ?? 16,
      h: intFlag(flags, 'h') ?? 32,
      w: intFlag(flags, 'w') ?? 32,
      cout: intFlag(flags, 'cout') ?? 32,
      kh: intFlag(flags, 'kh') ?? kernel ?? 3,
      kw: intFlag(flags, 'kw') ?? kernel ?? 3,
      stride: intFlag(flags, 'stride') ?? 1,
      pad: intFlag(flags, 'pad') ?? 0,
    };
  }
  const format = choiceFlag(flags, 'format', ['text', 'json'] as const) ?? 'text';
  return { request, format, timeoutMs: timeoutMsFlag(flags) };
}

function num(x: number, digits = 3): string {
  if (x === 0) return '0';
  if (Math.abs(x) >= 100) return x.toFixed(1);
  return x.toPrecision(digits);
}

export function formatText(r: BenchResult): string {
  const size = r.op === 'conv2d' && r.conv
    ? `N=${r.batch} ${r.conv.cin}×${r.conv.h}×${r.conv.w} → ${r.conv.cout}×${r.conv.hOut}×${r.conv.wOut}, ${r.conv.kh}×${r.conv.kw} stride ${r.conv.stride} pad ${r.conv.pad}`
    : r.op === 'attention' ? `batch·heads=${r.batch} Lq=${r.m} Lk=${r.n} d=${r.k}`
      : r.op === 'copy' ? `${r.m} elements`
        : r.op === 'fma' ? `${r.m} threads × ${r.k} steps`
          : `${r.batch > 1 ? `${r.batch}× ` : ''}${r.m}×${r.k}×${r.n}`;
  const rows: [string, string][] = [
    ['kernel', `${r.op} (${r.variant}) ${size} ${r.dtype}`],
    ['adapter', [r.adapter.vendor, r.adapter.architecture, r.adapter.description].filter(Boolean).join(' / ')],
    ['median', `${num(r.medianMs)} ms (min ${num(r.minMs)} ms, ${r.repeats} runs, ${r.timing})`],
    ...(r.kernel ? [['tile', r.kernel] as [string, string]] : []),
    ['GFLOP/s', num(r.gflops)],
    ['GB/s', num(r.gbps)],
    ['verified', `${r.verified ? 'yes' : 'NO'} (max relative error ${r.maxRelError.toExponential(1)}, tolerance ${r.tolerance}, ${r.checkedElements} of ${r.totalElements} elements checked)`],
    ['predicted', r.predicted
      ? `${num(r.predicted.ms)} ms on '${r.predicted.device}' (measured = ${num((100 * r.medianMs) / r.predicted.ms)}% of predicted; ` +
        `roofline ${num(r.predicted.rooflineMs)} ms${r.predicted.efficiency !== 1 ? ` at ${num(100 * r.predicted.efficiency)}% efficiency` : ''}` +
        `${r.predicted.overheadMs ? ` + launch ${num(r.predicted.overheadMs)} ms` : ''})`
      : "none (run 'tensorcost calibrate' first)"],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`);
  for (const n of r.notes ?? []) lines.push(`note${' '.repeat(w - 2)}${n}`);
  return lines.join('\n');
}

/** Exit code for a failed run: 2 for bad usage, 1 for everything the adapter refused or broke. */
export function reportError(cmd: string, e: unknown): number {
  if (e instanceof UsageError) {
    if (e.message) process.stderr.write(`tensorcost ${cmd}: ${e.message}\n\n`);
    process.stderr.write(USAGE + '\n');
    return 2;
  }
  if (e instanceof BenchError) {
    process.stderr.write(`tensorcost ${cmd}: ${e.message}\n`);
    return e.kind === 'bad-request' ? 2 : 1;
  }
  process.stderr.write(`tensorcost ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parseBenchArgs>;
  try {
    parsed = parseBenchArgs(argv);
  } catch (e) {
    if (e instanceof UsageError && !e.message) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    return reportError('bench', e);
  }
  try {
    const result = await runBenchmark(parsed.request, { timeoutMs: parsed.timeoutMs, predictWith: loadLocalDevice(), tuned: loadTunedKernels() });
    process.stdout.write((parsed.format === 'json' ? JSON.stringify(result) : formatText(result)) + '\n');
    if (!result.verified && result.checkedElements === result.totalElements) {
      process.stderr.write('tensorcost bench: the kernel output did not match the CPU reference\n');
      return 1;
    }
    return 0;
  } catch (e) {
    return reportError('bench', e);
  }
}
