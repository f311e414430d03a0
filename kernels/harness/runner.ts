/**
 * Parent side of the benchmark harness. WebGPU (Dawn) is only ever loaded in a forked child:
 * the caller may be the VS Code extension host, which must survive a driver crash, a hung
 * kernel or a lost device. Every such failure becomes a rejected promise with a BenchError.
 */
import { fork } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { predictMs } from './predict';
import { withTunedKernel } from './tuned';
import { BenchError, BenchRequest, BenchResult, ChildToParent, ManyResult, ParentToChild, RunOptions } from './types';

export { BenchError } from './types';
export type { BenchRequest, BenchResult, BenchProgress, ManyResult, RunOptions } from './types';

const CHILD_SCRIPT = path.join(__dirname, 'child.js');
const DEFAULT_TIMEOUT_MS = 120_000;
const STDERR_TAIL = 4000;

/** Lines Dawn prints on every start; they would only drown the useful part of a crash report. */
const NOISE = /artificially reduced|^\s*$/;

export function runBenchmark(request: BenchRequest, options: RunOptions = {}): Promise<BenchResult> {
  const msg: ParentToChild = { type: 'run', request: withTunedKernel(request, options.tuned) };
  return runChild(msg, options, (m) => {
    if (m.type !== 'result') return undefined;
    m.result.predicted = options.predictWith ? predictMs(m.result, options.predictWith) : null;
    return m.result;
  });
}

/**
 * Runs several requests in one child, on one device, in order; each answer is a result or that
 * request's error. A crash, timeout or abort still rejects the whole call.
 */
export function runBenchmarks(requests: BenchRequest[], options: RunOptions = {}): Promise<ManyResult[]> {
  const msg: ParentToChild = { type: 'runMany', requests: requests.map((r) => withTunedKernel(r, options.tuned)) };
  return runChild(msg, options, (m) => {
    if (m.type !== 'results') return undefined;
    for (const r of m.results) if ('result' in r) r.result.predicted = options.predictWith ? predictMs(r.result, options.predictWith) : null;
    return m.results;
  });
}

function runChild<T>(msg: ParentToChild, options: RunOptions, answer: (m: ChildToParent) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new BenchError('aborted', 'benchmark cancelled before it started'));
      return;
    }
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
    // Mesa warns on every start without a runtime dir; any private writable dir will do.
    if (!env.XDG_RUNTIME_DIR) env.XDG_RUNTIME_DIR = os.tmpdir();
    // Inside Electron (VS Code) a fork runs Electron itself; this makes it behave as Node.
    env.ELECTRON_RUN_AS_NODE = '1';
    const child = fork(CHILD_SCRIPT, [], {
      execPath: options.execPath ?? process.execPath,
      execArgv: [],
      env,
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });

    let settled = false;
    const finish = (err: BenchError | null, result?: T) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      // The child exits by itself after answering; a kill here only matters on failures.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (err) reject(err);
      else resolve(result!);
    };
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timer = setTimeout(
      () => finish(new BenchError('timeout', `benchmark timed out after ${timeoutMs} ms; its process was killed`)),
      timeoutMs,
    );
    const onAbort = () => finish(new BenchError('aborted', 'benchmark cancelled; its process was killed'));
    options.signal?.addEventListener('abort', onAbort, { once: true });

    child.on('spawn', () => {
      if (child.pid !== undefined) options.onSpawn?.(child.pid);
    });
    child.on('message', (raw: unknown) => {
      const msg = raw as ChildToParent;
      const done = answer(msg);
      if (done !== undefined) {
        finish(null, done);
      } else if (msg.type === 'progress') {
        try {
          options.onProgress?.(msg.progress);
        } catch {
          // A failing progress callback must not take the run down with it.
        }
      } else if (msg.type === 'error') {
        finish(new BenchError(msg.kind, msg.message));
      }
    });
    child.on('error', (e) => finish(new BenchError('child-crashed', `could not run the benchmark process: ${e.message}`)));
    child.on('exit', (code, signal) => {
      if (settled) return;
      const tail = stderr.split('\n').filter((l) => !NOISE.test(l)).slice(-12).join('\n');
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      finish(new BenchError('child-crashed',
        `the benchmark process ${how} before answering (a GPU driver crash or lost device)` +
        (tail ? `; its last output:\n${tail}` : '')));
    });
    child.send(msg);
  });
}
