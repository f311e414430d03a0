/**
 * The engine side of the fuzz test, run in a worker thread so that the test can stop it (an
 * endless synchronous loop cannot be interrupted in the thread that runs it). For each seed file
 * it analyses a chain of cumulative mutations twice, fresh and reusing the previous state, and
 * posts one message per input: the main thread fails the test when none comes within the time
 * box. Loaded as a test file too by `node --test out/test/`, where it does nothing.
 */
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import type { PythonState } from '../../server/frontends/python';
import { edit, rng } from './fuzzInputs';

export interface FuzzJob {
  fuzz: true;
  seeds: { name: string; text: string }[];
  chain: number;
  seed: number;
}

export type FuzzMessage =
  | { kind: 'input'; seed: string; index: number; ms: number; ops: number; problem?: string; text?: string; previous?: string; broken: boolean }
  | { kind: 'done' };

async function run(job: FuzzJob): Promise<void> {
  await initEngine();
  const r = rng(job.seed);
  for (const { name, text: seedText } of job.seeds) {
    let text = seedText;
    let state: PythonState | undefined;
    let wasBroken = false;
    for (let i = 0; i < job.chain; i++) {
      const previous = text;
      // Every fifth input starts again from the seed, so edits do not pile up into noise.
      text = i % 5 === 0 ? edit(seedText, r) : edit(text, r);
      let broken = false;
      const t0 = performance.now();
      let problem: string | undefined;
      let ops = 0;
      try {
        const fresh = analyzeSource({ path: name, text, languageId: 'python' }, DEFAULT_SETTINGS);
        const incremental = analyzeSource({ path: name, text, languageId: 'python' }, DEFAULT_SETTINGS, { reuse: state, keep: true });
        state = incremental.state;
        broken = wasBroken && !!incremental.state?.doc.syntaxError;
        wasBroken = !!incremental.state?.doc.syntaxError;
        ops = fresh.ir.ops.length;
        const a = JSON.stringify(fileJson(fresh));
        const b = JSON.stringify(fileJson(incremental));
        if (a !== b) problem = `incremental differs from fresh: ${firstDifference(a, b)}`;
        for (const f of fresh.figures) {
          for (const v of [f.flops, f.otherFlops, f.bytes, f.timeSeconds]) if (v !== null && !(Number.isFinite(v) && v >= 0)) problem ??= `figure ${v}`;
        }
      } catch (e) {
        problem = `threw: ${(e as Error)?.stack ?? String(e)}`;
        state = undefined;
        wasBroken = false;
      }
      // `previous` is the text the incremental analysis started from (its state).
      const withPrevious = problem ? previous : undefined;
      parentPort!.postMessage({ kind: 'input', seed: name, index: i, ms: performance.now() - t0, ops, problem, text: problem ? text : undefined, previous: withPrevious, broken } satisfies FuzzMessage);
    }
  }
  parentPort!.postMessage({ kind: 'done' } satisfies FuzzMessage);
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `at ${i}: fresh …${a.slice(Math.max(0, i - 80), i + 80)}… incremental …${b.slice(Math.max(0, i - 80), i + 80)}…`;
}

if (!isMainThread && (workerData as FuzzJob | undefined)?.fuzz) void run(workerData as FuzzJob);
