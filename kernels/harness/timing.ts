/// <reference types="@webgpu/types" />
/**
 * Timing of one recorded run: warm-up, then the median of repeats. GPU timestamps bracket the
 * run's compute passes when the adapter has `timestamp-query`; otherwise (or when asked) each
 * run is one submit timed on the CPU until onSubmittedWorkDone resolves.
 */

/** Where a recorder writes its two timestamps, when timestamps are in use. */
export interface TimestampSlot {
  querySet: GPUQuerySet;
  begin: number;
  end: number;
}

/**
 * Encodes one run. With a slot, the recorder must write `begin` before its first GPU work and
 * `end` after its last (usually as timestampWrites of its single compute pass).
 */
export type Recorder = (enc: GPUCommandEncoder, ts: TimestampSlot | null) => void;

export interface Timed {
  medianMs: number;
  minMs: number;
  repeats: number;
  timing: 'timestamp-query' | 'queue';
  notes: string[];
}

export interface TimingOptions {
  useTimestamps: boolean;
  repeats?: number;
  warmup?: number;
  timeBudgetMs: number;
  onProgress?: (stage: 'warmup' | 'timing', done: number, total: number) => void;
}

/** Encodes `run` in a compute pass, with the slot's timestamps on that pass. */
export function computePass(enc: GPUCommandEncoder, ts: TimestampSlot | null, run: (pass: GPUComputePassEncoder) => void): void {
  const pass = enc.beginComputePass(
    ts ? { timestampWrites: { querySet: ts.querySet, beginningOfPassWriteIndex: ts.begin, endOfPassWriteIndex: ts.end } } : {},
  );
  run(pass);
  pass.end();
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Rounds of a measurement that takes each item's fastest run (calibration's measurement phase and
 * bench:kernels' prediction rows, which must use the same statistic): at least MIN_ROUNDS, and
 * while some item's fastest run is not yet confirmed, more rounds of those items up to MAX_ROUNDS.
 * Five, not three: under a load average of 4–5 from other processes, three rounds of the
 * 1×1024² GEMV in the bench all ran in the slow mode (1.31 ms, two rounds agreeing, so
 * "confirmed") where the fast one was 0.72 ms; every further round is another chance at it, for
 * calibration's points and the bench's rows alike.
 */
export const MIN_ROUNDS = 5;
export const MAX_ROUNDS = 8;

/**
 * Whether an item's fastest run is confirmed by another round: the two fastest rounds' fastest
 * runs are within 20% of each other (or one step of lavapipe's timestamps, 65.5 µs, for runs so
 * short that a step is more than that). On a CPU adapter shared with other processes a run's
 * time is bimodal, and the runs of one round are consecutive, so they share their round's mode:
 * in 6 rounds under a load average of 3.5, the 1×1024² GEMV's rounds gave fastest runs of 0.92,
 * 0.85, 0.98, 0.52, 0.52 and 0.79 ms. One undisturbed round can also be one lucky round; two that
 * agree are the undisturbed mode.
 */
export function fastestConfirmed(roundMins: number[]): boolean {
  if (roundMins.length < 2) return false;
  const [a, b] = [...roundMins].sort((x, y) => x - y);
  return b <= a * 1.2 || b - a <= 0.07;
}

const sleepCell = new Int32Array(new SharedArrayBuffer(4));

/**
 * Awaits a WebGPU promise with the process's main thread asleep most of the time. Dawn's Node
 * binding resolves its promises by polling from setImmediate while any is pending, so a plain
 * await keeps one CPU core busy for as long as the GPU works. On a CPU adapter (lavapipe) that
 * core is one the kernel itself runs on: on this project's 2-core machine the main thread took
 * as much CPU as each of lavapipe's two workers, and eight 1024³ GEMMs took 6.1 s of wall time
 * with a plain await against 2.7–3.4 s with this one (same process, same kernel). Between polls
 * the thread sleeps `sleepMs` (Atomics.wait: no CPU), then lets one turn of the event loop run.
 * The wake-up can come up to `sleepMs` late, so time measured on the CPU around this wait is
 * that much too long: use it where timestamps do the timing, or around work nobody times.
 */
export async function quietly<T>(p: Promise<T>, sleepMs = 1): Promise<T> {
  let done = false;
  // A handler on p itself, so that a rejection while we sleep is never reported as unhandled.
  p.then(() => { done = true; }, () => { done = true; });
  while (!done) {
    Atomics.wait(sleepCell, 0, 0, sleepMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return p;
}

async function submitAndWait(device: GPUDevice, record: Recorder): Promise<number> {
  const enc = device.createCommandEncoder();
  record(enc, null);
  const t0 = performance.now();
  device.queue.submit([enc.finish()]);
  await quietly(device.queue.onSubmittedWorkDone());
  return performance.now() - t0;
}

export async function timeRuns(device: GPUDevice, record: Recorder, opt: TimingOptions): Promise<Timed> {
  const notes: string[] = [];
  // The first run also compiles lazily on some drivers: it only decides how many runs fit.
  const first = await submitAndWait(device, record);
  const warmup = opt.warmup ?? (first > 1000 ? 0 : 2);
  for (let i = 0; i < warmup; i++) {
    opt.onProgress?.('warmup', i + 1, warmup);
    await submitAndWait(device, record);
  }
  const repeats = opt.repeats ?? Math.max(3, Math.min(30, Math.floor(opt.timeBudgetMs / Math.max(first, 0.01))));

  const queueMs: number[] = [];
  const qs = opt.useTimestamps ? device.createQuerySet({ type: 'timestamp', count: 2 * repeats }) : null;
  for (let r = 0; r < repeats; r++) {
    const enc = device.createCommandEncoder();
    record(enc, qs ? { querySet: qs, begin: 2 * r, end: 2 * r + 1 } : null);
    const t0 = performance.now();
    device.queue.submit([enc.finish()]);
    // Waiting after each run keeps runs from overlapping and gives the queue time as a fallback.
    // With timestamps the wait sleeps (see quietly); without, the queue time is the measurement
    // and a late wake-up would lengthen it, so it polls as fast as Dawn does.
    await (qs ? quietly(device.queue.onSubmittedWorkDone()) : device.queue.onSubmittedWorkDone());
    queueMs.push(performance.now() - t0);
    opt.onProgress?.('timing', r + 1, repeats);
  }
  if (qs) {
    const bytes = 16 * repeats;
    const resolve = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    const read = device.createBuffer({ size: bytes, usage: GPUBufferUsage.COPY_DST | GPUBufferUsage.MAP_READ });
    const enc = device.createCommandEncoder();
    enc.resolveQuerySet(qs, 0, 2 * repeats, resolve, 0);
    enc.copyBufferToBuffer(resolve, 0, read, 0, bytes);
    device.queue.submit([enc.finish()]);
    await quietly(read.mapAsync(GPUMapMode.READ));
    const ticks = new BigInt64Array(read.getMappedRange().slice(0));
    read.unmap();
    const gpuMs: number[] = [];
    for (let r = 0; r < repeats; r++) gpuMs.push(Number(ticks[2 * r + 1] - ticks[2 * r]) / 1e6);
    // Timestamps are a hint: drivers may quantise or zero them. Trust them only when every run
    // has a positive duration no longer than the CPU saw for the whole submit.
    const sane = gpuMs.every((t, i) => Number.isFinite(t) && t > 0 && t <= queueMs[i] * 1.05 + 0.05);
    if (sane) return { medianMs: median(gpuMs), minMs: Math.min(...gpuMs), repeats, timing: 'timestamp-query', notes };
    notes.push('timestamp queries gave implausible durations; queue completion times used');
  }
  return { medianMs: median(queueMs), minMs: Math.min(...queueMs), repeats, timing: 'queue', notes };
}
