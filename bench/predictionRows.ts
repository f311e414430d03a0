/**
 * The measured side of `npm run bench:kernels`'s prediction rows (./kernels.ts): every shape run
 * once per round, rounds interleaved, and the statistic a row compares with the model.
 */
import { median } from '../kernels/harness/timing';
import { BenchRequest, BenchResult, ManyResult } from '../kernels/harness/types';

/** Runs several requests in one child (runBenchmarks with the bench's options). */
export type RunMany = (reqs: BenchRequest[]) => Promise<ManyResult[]>;

/**
 * One shape's prediction row: every round's run, and the figure the row compares: the median over
 * the rounds of each round's median, the statistic calibration fits the model on
 * (server/cli/calibrate.ts). A spike in one round does not decide it (one run did decide a row
 * of an earlier bench: median 3.87 ms, fastest run 1.90). Not the fastest round: under steady
 * load from other processes a short run catches a moment of free CPU more often than a long
 * one, so the fastest round of the bench's short shapes and calibration's long ones are not the
 * same statistic (in one loaded run this session, 512³'s fastest round took 7.2 ms and its median
 * 13.0, against 17.0 predicted from calibration's rounds); the median is, as long as the load
 * stays the same. The fastest single run is printed beside it.
 */
export interface PredictionRow { label: string; runs: BenchResult[]; measuredMs: number; minMs: number }

/**
 * Runs every prediction shape once per round, the rounds interleaved (one child per round), so
 * that a burst of load elsewhere lands in one round of a shape, not in all its runs.
 */
export async function measurePredictionShapes(runMany: RunMany, shapes: { label: string; req: BenchRequest }[], rounds: number, results: BenchResult[]): Promise<PredictionRow[]> {
  const rows: PredictionRow[] = shapes.map((s) => ({ label: s.label, runs: [], measuredMs: 0, minMs: 0 }));
  for (let round = 0; round < rounds; round++) {
    const got = await runMany(shapes.map((s) => ({ ...s.req, repeats: 5, timeBudgetMs: 1500 })));
    got.forEach((g, i) => {
      if (!('result' in g)) throw new Error(`${shapes[i].label}: ${g.error.message}`);
      rows[i].runs.push(g.result);
      results.push(g.result);
    });
  }
  for (const row of rows) {
    row.measuredMs = median(row.runs.map((r) => r.medianMs));
    row.minMs = Math.min(...row.runs.map((r) => r.minMs));
  }
  return rows;
}

