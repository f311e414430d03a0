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
import { loadCalibration, loadTunedKernels, saveLocalDevice } from '../node/localDevice';
import { choiceFlag, intFlag, parseFlags, timeoutMsFlag, UsageError } from './benchArgs';
import { reportError } from './bench';
import { fastestConfirmed, MAX_ROUNDS, MIN_ROUNDS } from '../../kernels/harness/timing';
import { tuneGemm } from '../../kernels/harness/tune';
import { bandwidthAt, executedFlops, streamedBytes } from '../../kernels/harness/predict';
import { pickKernel, TunedKernels } from '../../kernels/harness/tuned';
import { batchedLadder, calibrationShape, configLabel, gemvSides, ShapeClass, SHAPE_CLASSES, SQUARE_LADDER_START } from '../../kernels/wgsl/gemmConfig';

const USAGE = `Usage: tensorcost calibrate [--format text|json] [--max-gemm N] [--tune-seconds S] [--timeout SECONDS]

Measures the local WebGPU adapter's bandwidth (copy kernel), launch overhead and GEMM throughput
(f32, and f16 where the adapter has shader-f16), after tuning the GEMM kernel for each shape class
(square, tall-skinny, batched) within --tune-seconds (default 240; 0 keeps the kernels tuned
earlier on this adapter), and saves
them as the device 'local' with the tuned kernels. Ctrl-C cancels and saves nothing.`;

export interface CalibrationRun {
  device: Device;
  adapter: BenchResult['adapter'];
  measurements: Record<string, number | string | null>;
  runs: BenchResult[];
  gemmKernels?: TunedKernels;
}

type Log = (line: string) => void;

interface Ctx { timeoutMs: number; log: Log; signal?: AbortSignal; tuned?: TunedKernels }

async function bench(req: BenchRequest, c: Ctx): Promise<BenchResult> {
  const r = await runBenchmark(req, { timeoutMs: c.timeoutMs, signal: c.signal, tuned: c.tuned });
  c.log(`  ${req.op} ${req.variant ?? ''} ${req.dtype ?? 'f32'} m=${r.m} k=${r.k} n=${r.n}${r.kernel ? ` [${r.kernel}]` : ''}: ${r.medianMs.toFixed(3)} ms, ` +
    `${r.gflops.toFixed(2)} GFLOP/s, ${r.gbps.toFixed(2)} GB/s, ${checkLabel(r)}`);
  // Large GEMMs are checked on a sample of rows: only a failed check stops.
  if (!(r.maxRelError <= r.tolerance)) throw new BenchError('gpu-error', `${req.op} (${req.variant ?? 'default'}) did not match its CPU reference; calibration stopped`);
  return r;
}

/**
 * How the output was checked, in words. `verified` is true only when every output element was
 * compared; a large GEMM (2048³ and up: its CPU reference would cost more than the check's
 * budget) is compared on a sample of rows, and a sample that passed is not a failure. Printing
 * "verified false" for it read as a wrong kernel (it was an f16 2048³ GEMM whose full check,
 * run separately, passed with a maximum relative error of 4.7e-5 against a tolerance of 2e-3).
 */
export function checkLabel(r: Pick<BenchResult, 'verified' | 'maxRelError' | 'tolerance' | 'checkedElements' | 'totalElements'>): string {
  const err = `max relative error ${r.maxRelError.toExponential(1)}, tolerance ${r.tolerance.toExponential(0)}`;
  if (r.verified) return `verified (${err})`;
  if (r.maxRelError <= r.tolerance) return `checked on a sample: ${r.checkedElements} of ${r.totalElements} outputs match (${err})`;
  return `WRONG: ${r.checkedElements} outputs checked, ${err}`;
}

/** GEMM sizes from 256 upwards, doubling while a run stays short; returns the best throughput. */
async function bestGemm(dtype: 'f32' | 'f16', maxSize: number, c: Ctx, runs: BenchResult[]): Promise<number> {
  let best = 0;
  for (let size = 256; size <= maxSize; size *= 2) {
    const r = await bench({ op: 'gemm', m: size, k: size, n: size, dtype }, c);
    runs.push(r);
    // The fastest run, as for every other figure of the model (see roundMins in calibrate).
    best = Math.max(best, r.minMs > 0 ? r.flops / r.minMs / 1e6 : r.gflops);
    if (r.medianMs > 250) break;
  }
  return best;
}

export function isSoftware(adapter: BenchResult['adapter']): boolean {
  return /llvmpipe|lavapipe|swiftshader|software/i.test(`${adapter.architecture} ${adapter.description}`);
}

/**
 * The fraction of the peak that a shape class's tuned kernel reached on a compute-bound shape
 * (launch overhead taken off the measured time); clamped to [0.02, 4] so that one bad
 * measurement cannot make predictions absurd.
 */
export function classEfficiency(device: Device, dtype: 'f32' | 'f16', measuredMs: number, flops: number, bytes: number): number {
  void bytes;
  const peak = dtype === 'f16' ? device.peak.fp16 : device.peak.fp32;
  const workMs = Math.max(measuredMs - (device.launchOverheadS ?? 0) * 1e3, 1e-6);
  return Math.min(4, Math.max(0.02, (flops / peak) * 1e3 / workMs));
}

/**
 * The launch overhead from the launch probes' fastest runs, and the GEMM items (by key, with
 * their fastest runs) too short to give a figure. Every dispatch pays the overhead, so no real
 * GEMM runs faster than it: a probe slower than one was in its slow mode throughout (lavapipe's
 * tiny dispatches sometimes run 1.2 ms for a whole sequence of runs), and the fastest GEMM bounds
 * the overhead instead (`bounded`). A run within 25% of the overhead says nothing about its
 * kernel's speed: what is left after the overhead is within the timestamps' step and the
 * overhead's own error (with 1.15 ms taken off a 0.79 ms GEMV, one calibration stored a
 * bandwidth of 2.4 PB/s, which the device check then refused, and the bench ran uncalibrated).
 */
export function launchOverhead(probes: number[], gemms: Map<string, number>): { ms: number; bounded: boolean; tooShort: string[] } {
  const probe = Math.min(...probes);
  const quickest = Math.min(...gemms.values());
  const bounded = probe > quickest;
  const ms = bounded ? quickest : probe;
  return { ms, bounded, tooShort: [...gemms].filter(([, t]) => t < 1.25 * ms).map(([k]) => k) };
}

/** Whether the plain roofline calls a run memory-bound on the device. */
export function memoryBound(device: Device, flops: number, bytes: number): boolean {
  return bytes / device.bandwidth > flops / device.peak.fp32;
}

export async function calibrate(opts: { maxGemm: number; timeoutMs: number; tuneSeconds: number; log: Log; signal?: AbortSignal }): Promise<CalibrationRun> {
  const c: Ctx = { timeoutMs: opts.timeoutMs, log: opts.log, signal: opts.signal };
  const { log } = opts;
  const runs: BenchResult[] = [];
  // 16 Mi f32 (64 MiB) per buffer: far beyond any cache, within WebGPU's default binding limit.
  const copy = await bench({ op: 'copy', m: 16 * 2 ** 20 }, c);
  const memcpy = await bench({ op: 'copy', variant: 'copyBufferToBuffer', m: 16 * 2 ** 20 }, c);
  const fma = await bench({ op: 'fma' }, c);
  runs.push(copy, memcpy, fma);
  let fma16: number | null = null;
  try {
    fma16 = (await bench({ op: 'fma', dtype: 'f16' }, c)).gflops;
  } catch (e) {
    if (!(e instanceof BenchError && e.kind === 'unsupported')) throw e;
    log('  f16: the adapter has no shader-f16; fp16 peak set to the fp32 figure');
  }
  const adapter = copy.adapter;
  let gemmKernels: TunedKernels | undefined;
  if (opts.tuneSeconds > 0) {
    log(`Tuning the GEMM kernel (at most ${opts.tuneSeconds} s; every candidate checked against the CPU reference before it is timed):`);
    const t = await tuneGemm({
      software: isSoftware(adapter), dtypes: fma16 === null ? ['f32'] : ['f32', 'f16'], subgroupSize: adapter.subgroupSize,
      budgetMs: opts.tuneSeconds * 1000, timeoutMs: opts.timeoutMs, signal: opts.signal, log: (l) => log(`  ${l}`),
    });
    gemmKernels = t.tuned;
    c.tuned = t.tuned;
  } else {
    // No search: the kernels tuned earlier on this same adapter, if any, stay in use.
    const stored = loadCalibration();
    const same = stored?.adapter && stored.adapter.description === adapter.description && stored.adapter.vendor === adapter.vendor;
    gemmKernels = same ? loadTunedKernels() : undefined;
    c.tuned = gemmKernels;
    if (gemmKernels) log('Keeping the GEMM kernels tuned earlier on this adapter (--tune-seconds 0).');
  }
  log(`Measuring with the tuned kernels (${MIN_ROUNDS} to ${MAX_ROUNDS} interleaved rounds of 5 runs; each figure from the fastest run, confirmed by a second round):`);
  // Everything the model is built from is measured in the same rounds, one after the other, so
  // that load from other processes shifts peak, bandwidth, overhead and efficiencies alike
  // instead of skewing one against the others.
  // `cls` names the class of a further size of a class's ladder (its key is not the class).
  const items: { key: string; req: BenchRequest; cls?: ShapeClass }[] = [
    { key: 'copy', req: { op: 'copy', m: 16 * 2 ** 20, repeats: 5 } },
    // A GEMM that does almost nothing: what every dispatch costs before any work. Three of them,
    // each its own sequence of runs: on lavapipe a tiny dispatch's runs are now and then all slow
    // together (1.15–1.26 ms against one 65.5 µs timestamp step, with no other load on the
    // same core), and in one calibration all three rounds of a single probe were; a round of
    // three probes all in that mode is much rarer.
    ...[1, 2, 3].map((i) => ({ key: `launch ${i}`, req: { op: 'gemm' as const, m: 4, k: 4, n: 4, repeats: 20 } })),
  ];
  const isLaunch = (key: string) => key.startsWith('launch ');
  // Every class is measured with the kernel it will run (its tuned winner, or the default kernel
  // when tuning did not reach it), so that no class is predicted with another kernel's
  // efficiency, on a shape the bench does not check the model on (calibrationShape).
  const software = isSoftware(adapter);
  for (const cls of SHAPE_CLASSES) {
    if (cls === 'square') continue;
    const shape = calibrationShape(cls, software);
    items.push({ key: cls, req: { op: shape.batch > 1 ? 'bmm' : 'gemm', ...shape, repeats: 5 } });
  }
  // The batched class at two more sizes: its kernel is not the square one, so it gets its own
  // ladder instead of following the square class's change with size (batchedLadder).
  for (const s of batchedLadder(software)) {
    if (s.m !== calibrationShape('batched', software).m) items.push({ key: `batched ${s.batch}×${s.m}³`, cls: 'batched', req: { op: 'bmm', ...s, repeats: 5 } });
  }
  // One row against the tall-skinny shape's matrix: memory-bound unless the kernel's tile pads it
  // to more rows, it measures the bandwidth that class's kernel streams.
  // At two matrix sides, since what a CPU adapter streams depends on whether the matrix fits its
  // cache (predict.ts, bandwidthAt).
  for (const side of gemvSides(software)) items.push({ key: `tall-skinny@1x${side}`, req: { op: 'gemm', m: 1, k: side, n: side, repeats: 5 } });
  const times = new Map<string, number[]>();
  // The fastest single run of each item over all rounds: the figure every part of the model is
  // built from. On a CPU adapter shared with other processes (lavapipe on this project's 2-core
  // machine), a run's time is bimodal: lavapipe splits a dispatch over one thread per core, and
  // a run during which another process holds one core takes about twice as long. In one
  // calibration the 6×1536² tall-skinny shape ran 1.57 ms in one round and 3.02 ms in the other
  // two, 1536³ 186 ms and then 356 and 362 ms, so the median round stored the slow mode for some
  // items and the fast one for others, and bench rows measured in the other mode missed by 2×.
  // The fastest run is the undisturbed mode whenever any run caught it, and other processes only
  // ever add time. Each bench row's calibration points are of similar length (the square ladder
  // brackets its squares, the GEMVs its few-row shapes, the batched ladder its batched shapes), so
  // a short run's better chance of catching a quiet moment is shared by the row and its points.
  // The runs of one round are consecutive and share its mode, so an item whose fastest run no
  // second round has confirmed (fastestConfirmed) runs again in further rounds, up to MAX_ROUNDS.
  // bench:kernels measures its prediction rows with the same rounds of as many runs and the same
  // statistic (bench/predictionRows.ts).
  const roundMins = new Map<string, number[]>();
  const last = new Map<string, BenchResult>();
  let ladder: number[] | null = null;
  const again = (key: string, round: number) => round < MIN_ROUNDS || !fastestConfirmed(roundMins.get(key) ?? []);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (ladder) {
      const keys = [...ladder.map((s) => `square ${s}`), ...items.map((it) => it.key)];
      const pending = keys.filter((k) => again(k, round));
      if (!pending.length) break;
      if (round >= MIN_ROUNDS) log(`  round ${round + 1}: ${pending.join(', ')} again (no second round confirmed its fastest run)`);
    }
    const sizes: number[] = ladder ?? [];
    // The first round finds the square sizes: from 192, doubling while a run stays short.
    if (!ladder) {
      for (let size = SQUARE_LADDER_START; size <= opts.maxGemm; size *= 2) {
        const r = await bench({ op: 'gemm', m: size, k: size, n: size, repeats: 5 }, c);
        record(`square ${size}`, r);
        sizes.push(size);
        if (r.medianMs > 250) break;
      }
      ladder = sizes;
    } else {
      for (const size of ladder) if (again(`square ${size}`, round)) record(`square ${size}`, await bench({ op: 'gemm', m: size, k: size, n: size, repeats: 5 }, c));
    }
    for (const it of items) if (again(it.key, round)) record(it.key, await bench(it.req, c));
  }
  function record(key: string, r: BenchResult): void {
    (times.get(key) ?? times.set(key, []).get(key)!).push(r.medianMs);
    (roundMins.get(key) ?? roundMins.set(key, []).get(key)!).push(r.minMs);
    last.set(key, r);
    runs.push(r);
  }
  const unconfirmed = [...roundMins.keys()].filter((k) => !fastestConfirmed(roundMins.get(k)!));
  if (unconfirmed.length) log(`  Fastest runs no second round confirmed after ${MAX_ROUNDS} rounds (the machine was busy; their figures may be slow): ${unconfirmed.join(', ')}`);
  const fastest = (key: string) => Math.min(...roundMins.get(key)!);
  // How far apart the rounds were, for the log: the model does not use it.
  const spreadOf = (key: string) => Math.max(...times.get(key)!) / fastest(key);
  const squares = ladder!.map((s) => ({ size: s, ms: fastest(`square ${s}`), gflops: last.get(`square ${s}`)!.flops / fastest(`square ${s}`) / 1e6 }));
  const fp32 = Math.max(...squares.map((q) => q.gflops));
  const unsteady = [...times.keys()].filter((k) => spreadOf(k) > 1.5);
  if (unsteady.length) {
    log(`  Timings that changed by more than 1.5× between rounds (load from other processes; the model takes each item's fastest run): ` +
      unsteady.map((k) => `${k} ${fastest(k).toFixed(3)} ms, rounds' medians ${times.get(k)!.map((t) => t.toFixed(3)).join(' / ')}`).join('; '));
  }
  const fp16 = fma16 === null ? null : await bestGemm('f16', opts.maxGemm, c, runs);
  const copyGBps = last.get('copy')!.bytes / (fastest('copy') / 1e3) / 1e9;
  // The launch overhead is a floor (what a dispatch costs before any work), and load from other
  // processes only adds to it: the fastest of all its runs (20 per round and probe), not a median. With the
  // fastest round's median, a calibration on this shared 2-core machine under a load average of 9
  // stored 1.2 ms per dispatch, twenty times the quiet figure, which the class efficiencies then
  // subtracted (192³ came out at 400% of the peak). On lavapipe the fastest run is one tick of its
  // timestamps (they advance in steps of 2^16 ns, 65.5 µs): the overhead is known to that step.
  const gemmKeys = [...roundMins.keys()].filter((k) => !isLaunch(k) && k !== 'copy');
  const launch = launchOverhead(items.filter((it) => isLaunch(it.key)).map((it) => fastest(it.key)), new Map(gemmKeys.map((k) => [k, fastest(k)])));
  const launchMs = launch.ms;
  if (launch.bounded) log(`  The launch probes' fastest run was slower than a real GEMM's (${launchMs.toFixed(3)} ms): the overhead is taken as that GEMM's time`);
  const tooShort = (key: string) => launch.tooShort.includes(key);
  if (launch.tooShort.length) log(`  No figure from ${launch.tooShort.join(', ')}: its fastest run is within 25% of the launch overhead`);
  const device: Device = {
    id: 'local',
    name: `Local: ${adapter.description || adapter.vendor || 'WebGPU adapter'}`,
    peak: { fp32: fp32 * 1e9, tf32: null, fp16: (fp16 ?? fp32) * 1e9, bf16: null },
    bandwidth: copyGBps * 1e9,
    // WebGPU does not expose the adapter's memory size; maxBufferSize is only a per-buffer cap.
    memoryBytes: null,
    // Nor its number of compute units: 1 is a placeholder, so wave-quantisation rules stay quiet.
    sms: 1,
    measured: true,
    launchOverheadS: launchMs / 1e3,
    notes: `calibrated ${new Date().toISOString()} with WebGPU kernels (best verified square GEMM as peak, copy kernel as bandwidth, ` +
      'a 4×4×4 GEMM as launch overhead, per-class GEMM efficiency and bandwidth from the tuned kernels; fastest run of interleaved rounds)',
  };
  // The square class defines the peak; the other classes are measured against it: on a
  // compute-bound shape the fraction of the peak, on a memory-bound one the bandwidth.
  const efficiency: Record<string, number> = {};
  const bandwidth: Record<string, number> = {};
  // The one-row GEMVs first, each judged against the copy kernel's bandwidth; a class's other
  // shape is then judged against the bandwidth its kernel streams at that shape's footprint (on
  // lavapipe the 8-row tall-skinny shape can be compute-bound at that bandwidth, though
  // memory-bound at the copy kernel's; and a matrix that fits the cache streams faster).
  const measured = items.filter((it) => it.key !== 'copy' && !isLaunch(it.key) && !tooShort(it.key)).sort((a, b) => Number(b.key.includes('@')) - Number(a.key.includes('@')));
  for (const it of measured) {
    const cls = it.cls ?? it.key.replace(/@.*/, '');
    // A further size of a class's ladder adds its point only; the class's own figure stays the
    // one at its calibration shape.
    const point = it.cls !== undefined;
    const r = last.get(it.key)!;
    const ms = fastest(it.key);
    const bw = it.key.includes('@') ? device.bandwidth : bandwidthAt({ ...device, gemmBandwidth: bandwidth }, cls, r.bytes) ?? device.bandwidth;
    // Judged on the work the kernel executes: an 8-row tile computes 8 rows for the one-row GEMV,
    // which is then compute-bound and measures the class's efficiency, not a bandwidth.
    if (memoryBound({ ...device, bandwidth: bw }, executedFlops(r), r.bytes)) {
      // The rate the kernel streams at: B once per tile of rows (predictMs counts it the same way).
      const gbps = streamedBytes(r) / (Math.max(ms - launchMs, 1e-6) / 1e3);
      if (!point) bandwidth[cls] = gbps;
      // By footprint too, so that other sizes of the class follow the measured ones.
      bandwidth[`${cls}@${r.bytes}`] = gbps;
    }
    // Against the work the kernel executes (tile-padded), as predictMs counts it.
    else {
      const e = classEfficiency(device, 'f32', ms, executedFlops(r), r.bytes);
      if (!point) efficiency[cls] = e;
      // The size it was measured at: other sizes of the class follow its own ladder where it has
      // several, else the square ladder from there (predict.ts, efficiencyAt).
      if (!it.key.includes('@')) efficiency[`${cls}@${executedFlops(r)}`] = e;
    }
  }
  // The square ladder, size by size, against the peak it defines (kernels/harness/predict.ts,
  // efficiencyAt): the model then follows how throughput changes with the size of the GEMM.
  if (ladder!.length > 1) {
    for (const q of squares.filter((x) => !tooShort(`square ${x.size}`))) {
      const r = last.get(`square ${q.size}`)!;
      efficiency[`square@${executedFlops(r)}`] = classEfficiency(device, 'f32', q.ms, executedFlops(r), r.bytes);
    }
  }
  if (Object.keys(efficiency).length) device.gemmEfficiency = efficiency;
  if (Object.keys(bandwidth).length) device.gemmBandwidth = bandwidth;
  const measurements = {
    copyKernelGBps: copyGBps,
    copyKernelGBpsFirst: copy.gbps,
    copyBufferToBufferGBps: memcpy.gbps,
    // From its fastest run, as every figure of the model (bench:kernels compares its own with it).
    fmaProbeGflopsF32: fma.minMs > 0 ? fma.flops / fma.minMs / 1e6 : fma.gflops,
    fmaProbeGflopsF16: fma16,
    gemmGflopsF32: fp32,
    gemmGflopsF16: fp16,
    launchOverheadMs: launchMs,
    timing: copy.timing,
  };
  return { device, adapter, measurements, runs, gemmKernels };
}

export async function main(argv: string[]): Promise<number> {
  let format: 'text' | 'json';
  let maxGemm: number;
  let timeoutMs: number;
  let tuneSeconds: number;
  try {
    const { positional, flags } = parseFlags(argv, ['format', 'max-gemm', 'timeout', 'tune-seconds', 'help']);
    if (flags.has('help')) {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (positional.length) throw new UsageError(`unexpected argument '${positional[0]}'`);
    format = choiceFlag(flags, 'format', ['text', 'json'] as const) ?? 'text';
    maxGemm = intFlag(flags, 'max-gemm') ?? 2048;
    timeoutMs = timeoutMsFlag(flags);
    tuneSeconds = intFlag(flags, 'tune-seconds') ?? 240;
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
    // Ctrl-C kills the running benchmark child and saves nothing.
    const abort = new AbortController();
    const onSigint = () => abort.abort();
    process.once('SIGINT', onSigint);
    let c: CalibrationRun;
    try {
      c = await calibrate({ maxGemm, timeoutMs, tuneSeconds, log, signal: abort.signal });
    } finally {
      process.off('SIGINT', onSigint);
    }
    const file = saveLocalDevice(c.device, {
      adapter: c.adapter, calibratedAt: new Date().toISOString(), measurements: c.measurements, gemmKernels: c.gemmKernels,
    });
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
      log(`  launch      ${(1e3 * (d.launchOverheadS ?? 0)).toFixed(3)} ms per dispatch (4×4×4 GEMM)`);
      const ladder = Object.entries(d.gemmEfficiency ?? {}).filter(([k]) => k.startsWith('square@'));
      if (ladder.length) log(`  square      ${ladder.map(([k, e]) => `${Math.round(Math.cbrt(Number(k.slice(7)) / 2))}³ ${(100 * e).toFixed(0)}%`).join(', ')} of the peak (other sizes and classes follow this ladder)`);
      for (const [cls, e] of Object.entries(d.gemmEfficiency ?? {})) {
        if (cls.includes('@')) continue;
        // The kernel the class runs: its own winner, else the square one (pickKernel), else the default.
        const shape = cls === 'square' ? { m: 512, n: 512, batch: 1 } : calibrationShape(cls as Exclude<ShapeClass, 'square'>, true);
        const k = pickKernel(c.gemmKernels, 'f32', shape.m, shape.n, shape.batch);
        const own = Object.entries(d.gemmEfficiency ?? {}).filter(([key]) => key.startsWith(`${cls}@`)).sort((x, y) => Number(x[0].split('@')[1]) - Number(y[0].split('@')[1]));
        const bySize = cls !== 'square' && own.length > 1 ? ` (its own ladder, by work: ${own.map(([key, v]) => `${(Number(key.split('@')[1]) / 1e6).toFixed(0)} MFLOP ${(100 * v).toFixed(0)}%`).join(', ')})` : '';
        log(`  ${cls.padEnd(11)} ${k ? configLabel(k.config) : 'default kernel'}, ${(100 * e).toFixed(0)}% of the peak on a compute-bound shape${bySize}`);
      }
      for (const [cls, b] of Object.entries(d.gemmBandwidth ?? {})) {
        if (cls.includes('@')) continue;
        const bySize = Object.entries(d.gemmBandwidth ?? {}).filter(([k]) => k.startsWith(`${cls}@`))
          .map(([k, v]) => `${(Number(k.split('@')[1]) / 2 ** 20).toFixed(1)} MiB ${(v / 1e9).toFixed(2)} GB/s`);
        log(`  ${cls.padEnd(11)} streams ${(b / 1e9).toFixed(2)} GB/s on a memory-bound shape${bySize.length > 1 ? ` (by footprint: ${bySize.join(', ')})` : ''}`);
      }
      if (c.gemmKernels?.f16?.square) log(`  f16 square  ${configLabel(c.gemmKernels.f16.square.config)}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof BenchError && e.kind === 'aborted') {
      process.stderr.write('tensorcost calibrate: cancelled; nothing was saved\n');
      return 130;
    }
    return reportError('calibrate', e);
  }
}
