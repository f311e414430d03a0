/**
 * The measured side of `npm run bench:kernels`'s prediction rows (./kernels.ts): every shape run
 * once per round, rounds interleaved, and the statistic a row compares with the model.
 */
import { fastestConfirmed, median } from '../kernels/harness/timing';
import { BenchRequest, BenchResult, ManyResult } from '../kernels/harness/types';

/** Runs several requests in one child (runBenchmarks with the bench's options). */
export type RunMany = (reqs: BenchRequest[]) => Promise<ManyResult[]>;

/** Timed runs per shape and round: calibration's measurement phase times each item the same way. */
export const RUNS_PER_ROUND = 5;

/**
 * One shape's prediction row: every round's run, and the figure the row compares with the model:
 * the fastest single run over all rounds, the statistic calibration fits the model on
 * (server/cli/calibrate.ts, with the same rounds of the same number of runs, and the same further
 * rounds for a shape until a second round confirms its fastest run: fastestConfirmed). On a CPU adapter
 * shared with other processes a run's time is bimodal (lavapipe splits a dispatch over one
 * thread per core, and a run during which another process holds a core takes about twice as
 * long: 2×1024² ran 0.72 ms and 1.44 ms within one bench), so a median round lands in either mode
 * and the row missed by 2× whenever it and calibration's points landed in different ones. The
 * fastest run is the undisturbed mode whenever one run caught it. The median round is kept
 * beside it (`medianMs`), and `spread` (the slowest round's median over the fastest run) says how
 * disturbed the row's timings were; `confirmed`, whether a second round confirmed the fastest run.
 */
export interface PredictionRow { label: string; runs: BenchResult[]; measuredMs: number; medianMs: number; spread: number; confirmed: boolean }

/**
 * Runs every prediction shape once per round, the rounds interleaved (one child per round), so
 * that a burst of load elsewhere lands in one round of a shape, not in all its runs: `rounds`
 * rounds, then further rounds of the shapes whose fastest run no second round has confirmed, up
 * to `maxRounds` in all.
 */
export async function measurePredictionShapes(runMany: RunMany, shapes: { label: string; req: BenchRequest }[], rounds: number, results: BenchResult[], maxRounds = rounds): Promise<PredictionRow[]> {
  const rows: PredictionRow[] = shapes.map((s) => ({ label: s.label, runs: [], measuredMs: 0, medianMs: 0, spread: 1, confirmed: false }));
  for (let round = 0; round < Math.max(rounds, maxRounds); round++) {
    const pending = rows.map((row, i) => i).filter((i) => round < rounds || !fastestConfirmed(rows[i].runs.map((r) => r.minMs)));
    if (!pending.length) break;
    const got = await runMany(pending.map((i) => ({ ...shapes[i].req, repeats: RUNS_PER_ROUND, timeBudgetMs: 1500 })));
    got.forEach((g, j) => {
      const i = pending[j];
      if (!('result' in g)) throw new Error(`${shapes[i].label}: ${g.error.message}`);
      rows[i].runs.push(g.result);
      results.push(g.result);
    });
  }
  for (const row of rows) {
    row.measuredMs = Math.min(...row.runs.map((r) => r.minMs));
    row.medianMs = median(row.runs.map((r) => r.medianMs));
    row.spread = Math.max(...row.runs.map((r) => r.medianMs)) / row.measuredMs;
    row.confirmed = fastestConfirmed(row.runs.map((r) => r.minMs));
  }
  return rows;
}
