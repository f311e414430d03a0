/**
 * Analyses sources in a worker thread with a wall-clock bound. The analysis is synchronous, so a
 * hang inside it would block the test runner's own timers: node:test's `timeout` alone cannot
 * stop it. A worker can be terminated, so a hang becomes a failed test naming the source that
 * did not finish, and the rest of the suite goes on.
 *
 * The same file is the worker's entry point: started as a worker it answers one request and exits.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Settings, withDefaults } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';

/** What a test reads of a function's figures. */
export interface FunctionResult {
  name: string;
  flops: number | null;
  otherFlops: number | null;
  bytes: number | null;
  unbound: string[];
  incomplete: boolean;
  upperBound: boolean;
}

/** What a test reads of one op. */
export interface OpResultSummary {
  function: string | null;
  kind: string;
  unknown: boolean;
  notes: string[];
  flops: number | null;
  otherFlops: number | null;
  bytes: number | null;
}

export interface AnalysisResult {
  functions: FunctionResult[];
  ops: OpResultSummary[];
  findings: { code: string; message: string; line: number }[];
  total: { flops: number | null; otherFlops: number | null; bytes: number | null };
}

interface Request {
  texts: string[];
  settings: Partial<Settings>;
}

type Message = { done: number; result: AnalysisResult } | { error: string; index: number };

function summarise(text: string, settings: Partial<Settings>): AnalysisResult {
  const a = analyzeSource({ path: 'snippet.py', text, languageId: 'python' }, withDefaults(settings));
  return {
    functions: a.functions.map((f) => ({
      name: f.summary.name,
      flops: f.figures.flops,
      otherFlops: f.figures.otherFlops,
      bytes: f.figures.bytes,
      unbound: f.figures.unbound,
      incomplete: f.incomplete,
      upperBound: f.summary.upperBound,
    })),
    ops: a.ir.ops.map((op, i) => ({
      function: op.function,
      kind: op.kind,
      unknown: op.cost.unknown === true,
      notes: op.cost.notes ?? [],
      flops: a.figures[i].flops,
      otherFlops: a.figures[i].otherFlops,
      bytes: a.figures[i].bytes,
    })),
    findings: a.findings.map((f) => ({ code: f.code, message: f.message, line: f.range.start.line })),
    total: { flops: a.total.flops, otherFlops: a.total.otherFlops, bytes: a.total.bytes },
  };
}

/**
 * Analyses each text in order in a fresh worker; rejects, naming the text, when all of them have
 * not finished within `limitMs` (the worker is then terminated) or when one throws.
 */
export function analyseBounded(texts: string[], limitMs: number, settings: Partial<Settings> = {}): Promise<AnalysisResult[]> {
  const results: AnalysisResult[] = [];
  const worker = new Worker(__filename, { workerData: { texts, settings } satisfies Request });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`analysis did not finish within ${limitMs} ms: ${results.length} of ${texts.length} sources done, source ${results.length} hangs or is too slow:\n${texts[results.length].slice(0, 300)}`));
    }, limitMs);
    worker.on('message', (m: Message) => {
      if ('error' in m) {
        clearTimeout(timer);
        void worker.terminate();
        reject(new Error(`analysis of source ${m.index} threw: ${m.error}\n${texts[m.index].slice(0, 300)}`));
        return;
      }
      results.push(m.result);
      if (results.length === texts.length) {
        clearTimeout(timer);
        void worker.terminate();
        resolve(results);
      }
    });
    worker.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

if (!isMainThread && parentPort) {
  const port = parentPort;
  const { texts, settings } = workerData as Request;
  initEngine().then(
    () => {
      texts.forEach((text, index) => {
        try {
          port.postMessage({ done: index, result: summarise(text, settings) } satisfies Message);
        } catch (e) {
          port.postMessage({ error: (e as Error).stack ?? String(e), index } satisfies Message);
        }
      });
    },
    (e: Error) => port.postMessage({ error: `the engine did not start: ${e.stack ?? e}`, index: 0 } satisfies Message),
  );
}
