/**
 * `tensorcost calibrate [--format text|json]` (docs/cli.md): measures the local adapter and saves
 * it as the "local" device. Bandwidth is what the copy kernel reaches (what kernels can stream;
 * copyBufferToBuffer, often memcpy-class, is reported beside it); peak per dtype is the best
 * verified GEMM throughput (the FMA probe's register-only figure is reported, not used: no real
 * kernel reaches it, and predictions from it would be several times too optimistic).
 */
import type { Device } from '../core/devices';
import { runBenchmark } from '../../kernels/harness/runner';
import { BenchError, BenchRequest, BenchResult } from '../../kernels/harness/types';
import { saveLocalDevice } from '../node/localDevice';
import { choiceFlag, intFlag, parseFlags, UsageError } from './benchArgs';
import { reportError } from './bench';

const USAGE = `Usage: tensorcost calibrate [--format text|json] [--max-gemm N] [--timeout SECONDS]

Measures the local WebGPU adapter's bandwidth (copy kernel) and GEMM throughput (f32, and f16
where the adapter has shader-f16), and saves them as the device 'local'.`;

export interface CalibrationRun {
  device: Device;
  adapter: BenchResult['adapter'];
  measurements: Record<string, number | string | null>;
  runs: BenchResult[];
}

type Log = (line: string) => void;

async function bench(req: BenchRequest, timeoutMs: number, log: Log): Promise<BenchResult> {
  const r = await runBenchmark(req, { timeoutMs });
  log(`  ${req.op} ${req.variant ?? ''} ${req.dtype ?? 'f32'} m=${r.m} k=${r.k} n=${r.n}: ${r.medianMs.toFixed(2)} ms, ` +
    `${r.gflops.toFixed(2)} GFLOP/s, ${r.gbps.toFixed(2)} GB/s, verified ${r.verified}`);
  if (!r.verified) throw new BenchError('gpu-error', `${req.op} (${req.variant ?? 'default'}) did not match its CPU reference; calibration stopped`);
  return r;
}

/** GEMM sizes from 256 upwards, doubling while a run stays short; returns the best throughput. */
async function bestGemm(dtype: 'f32' | 'f16', maxSize: number, timeoutMs: number, log: Log, runs: BenchResult[]): Promise<number> {
  let best = 0;
  for (let size = 256; size <= maxSize; size *= 2) {
    const r = await bench({ op: 'gemm', m: size, k: size, n: size, dtype }, timeoutMs, log);
    runs.push(r);
    best = Math.max(best, r.gflops);
    if (r.medianMs > 250) break;
  }
  return best;
}

export async function calibrate(opts: { maxGemm: number; timeoutMs: number; log: Log }): Promise<CalibrationRun> {
  const { timeoutMs, log } = opts;
  const runs: BenchResult[] = [];
  // 16 Mi f32 (64 MiB) per buffer: far beyond any cache, within WebGPU's default binding limit.
  const copy = await bench({ op: 'copy', m: 16 * 2 ** 20 }, timeoutMs, log);
  const memcpy = await bench({ op: 'copy', variant: 'copyBufferToBuffer', m: 16 * 2 ** 20 }, timeoutMs, log);
  const fma = await bench({ op: 'fma' }, timeoutMs, log);
  runs.push(copy, memcpy, fma);
  const fp32 = await bestGemm('f32', opts.maxGemm, timeoutMs, log, runs);
  let fp16: number | null = null;
  let fma16: number | null = null;
  try {
    fma16 = (await bench({ op: 'fma', dtype: 'f16' }, timeoutMs, log)).gflops;
    fp16 = await bestGemm('f16', opts.maxGemm, timeoutMs, log, runs);
  } catch (e) {
    if (!(e instanceof BenchError && e.kind === 'unsupported')) throw e;
    log('  f16: the adapter has no shader-f16; fp16 peak set to the fp32 figure');
  }
  const adapter = copy.adapter;
  const device: Device = {
    id: 'local',
    name: `Local: ${adapter.description || adapter.vendor || 'WebGPU adapter'}`,
    peak: { fp32: fp32 * 1e9, tf32: null, fp16: (fp16 ?? fp32) * 1e9, bf16: null },
    bandwidth: copy.gbps * 1e9,
    // WebGPU does not expose the adapter's memory size; maxBufferSize is only a per-buffer cap.
    memoryBytes: null,
    // Nor its number of compute units: 1 is a placeholder, so wave-quantisation rules stay quiet.
    sms: 1,
    measured: true,
    notes: `calibrated ${new Date().toISOString()} with WebGPU kernels (best verified GEMM as peak, copy kernel as bandwidth)`,
  };
  const measurements = {
    copyKernelGBps: copy.gbps,
    copyBufferToBufferGBps: memcpy.gbps,
    fmaProbeGflopsF32: fma.gflops,
    fmaProbeGflopsF16: fma16,
    gemmGflopsF32: fp32,
    gemmGflopsF16: fp16,
    timing: copy.timing,
  };
  return { device, adapter, measurements, runs };
}

export async function main(argv: string[]): Promise<number> {
  let format: 'text' | 'json';
  let maxGemm: number;
  let timeoutMs: number;
  try {
    const { positional, flags } = parseFlags(argv, ['format', 'max-gemm', 'timeout', 'help']);
    if (flags.has('help')) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
    format = choiceFlag(flags, 'format', ['text', 'json'] as const) ?? 'text';
    maxGemm = intFlag(flags, 'max-gemm') ?? 2048;
    timeoutMs = (intFlag(flags, 'timeout') ?? 300) * 1000;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tensorcost calibrate: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  try {
    const log: Log = format === 'text' ? (l) => process.stdout.write(l + '\n') : () => undefined;
    if (format === 'text') log('Calibrating the local WebGPU adapter (each kernel is checked against a CPU reference):');
    const c = await calibrate({ maxGemm, timeoutMs, log });
    const file = saveLocalDevice(c.device, { adapter: c.adapter, calibratedAt: new Date().toISOString(), measurements: c.measurements });
    if (format === 'json') {
      process.stdout.write(JSON.stringify({ device: c.device, adapter: c.adapter, measurements: c.measurements, path: file }) + '\n');
    } else {
      const d = c.device;
      log('');
      log(`device 'local' saved to ${file}`);
      log(`  peak fp32   ${(d.peak.fp32 / 1e9).toFixed(2)} GFLOP/s (best GEMM; FMA probe ${c.measurements.fmaProbeGflopsF32 !== null ? Number(c.measurements.fmaProbeGflopsF32).toFixed(2) : '-'})`);
      log(`  peak fp16   ${(d.peak.fp16 / 1e9).toFixed(2)} GFLOP/s${c.measurements.gemmGflopsF16 === null ? ' (no shader-f16: fp32 figure)' : ' (best GEMM)'}`);
      log(`  bandwidth   ${(d.bandwidth / 1e9).toFixed(2)} GB/s (copy kernel; copyBufferToBuffer ${Number(c.measurements.copyBufferToBufferGBps).toFixed(2)})`);
      log(`  ridge fp32  ${(d.peak.fp32 / d.bandwidth).toFixed(2)} FLOP/byte`);
    }
    return 0;
  } catch (e) {
    return reportError('calibrate', e);
  }
}
