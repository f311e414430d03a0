/**
 * bench:kernels' prediction rows (bench/predictionRows.ts): every shape runs once per round with
 * the rounds interleaved, and a row's figure is its fastest run over the rounds, the statistic
 * calibration fits the model on. No GPU: the runs are made up.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { measurePredictionShapes, RunMany } from '../../bench/predictionRows';
import { BenchRequest, BenchResult, ManyResult } from '../../kernels/harness/types';
import { fastestConfirmed } from '../../kernels/harness/timing';

const shapes = [
  { label: '8×1024×1024', req: { op: 'gemm', m: 8, k: 1024, n: 1024 } as BenchRequest },
  { label: '512³', req: { op: 'gemm', m: 512, k: 512, n: 512 } as BenchRequest },
];

/** A runner whose k-th call answers each shape with the medians and minima given for round k. */
function fake(rounds: { medianMs: number; minMs: number }[][], calls: BenchRequest[][]): RunMany {
  return async (reqs) => {
    const round = calls.length;
    calls.push(reqs);
    return reqs.map((req, i): ManyResult => ({ result: { ...req, ...rounds[round][i] } as unknown as BenchResult }));
  };
}

describe('bench:kernels prediction rows', () => {
  it('runs every shape in each round, in one call per round, with five timed runs each', async () => {
    const calls: BenchRequest[][] = [];
    const results: BenchResult[] = [];
    const r = { medianMs: 1, minMs: 1 };
    await measurePredictionShapes(fake([[r, r], [r, r], [r, r]], calls), shapes, 3, results);
    assert.equal(calls.length, 3);
    for (const call of calls) assert.deepEqual(call.map((q) => q.m), [8, 512]);
    assert.ok(calls.flat().every((q) => q.repeats === 5));
    assert.equal(results.length, 6, 'every run is kept for --json');
  });

  it('takes the fastest run over all rounds, as calibration does; the median round and the spread beside it', async () => {
    // Bimodal timings as lavapipe gives them on a shared 2-core machine: 2×1024² ran 0.72 ms in
    // one round and 1.44 ms in the others; a median would have taken the slow mode.
    const rows = await measurePredictionShapes(fake([
      [{ medianMs: 1.44, minMs: 1.38 }, { medianMs: 14, minMs: 13 }],
      [{ medianMs: 0.72, minMs: 0.72 }, { medianMs: 13, minMs: 12.5 }],
      [{ medianMs: 1.51, minMs: 1.44 }, { medianMs: 26, minMs: 15 }],
    ], []), shapes, 3, []);
    assert.equal(rows[0].measuredMs, 0.72);
    assert.equal(rows[0].medianMs, 1.44);
    assert.ok(Math.abs(rows[0].spread - 1.51 / 0.72) < 1e-12);
    assert.equal(rows[1].measuredMs, 12.5);
    assert.equal(rows[1].medianMs, 14);
    assert.ok(Math.abs(rows[1].spread - 26 / 12.5) < 1e-12);
    assert.equal(rows[1].runs.length, 3);
  });

  it('runs further rounds of the shapes whose fastest run no second round confirmed, up to the maximum', async () => {
    const calls: BenchRequest[][] = [];
    // Shape 0: 0.72 once, then slow rounds, then 0.75 in round 5 (confirmed); shape 1 steady.
    const slow = { medianMs: 1.44, minMs: 1.38 };
    const steady = { medianMs: 13, minMs: 12.5 };
    const fakeRounds = [
      [{ medianMs: 0.8, minMs: 0.72 }, steady], [slow, steady], [slow, steady],
      [slow], [{ medianMs: 0.8, minMs: 0.75 }], [slow],
    ];
    const rows = await measurePredictionShapes(fake(fakeRounds, calls), shapes, 3, [], 8);
    assert.deepEqual(calls.map((c) => c.length), [2, 2, 2, 1, 1], 'only the unconfirmed shape runs again, and it stops once confirmed');
    assert.equal(rows[0].measuredMs, 0.72);
    assert.equal(rows[0].confirmed, true);
    assert.equal(rows[0].runs.length, 5);
    assert.equal(rows[1].runs.length, 3);
    // Never confirmed: it stops at the maximum and says so.
    const never = await measurePredictionShapes(fake([[{ medianMs: 0.8, minMs: 0.72 }, steady], [slow, steady], [slow, steady], [slow], [slow]], []), shapes, 3, [], 5);
    assert.equal(never[0].runs.length, 5);
    assert.equal(never[0].confirmed, false);
  });

  it('confirms a fastest run when a second round comes within 20% of it, or within one lavapipe timestamp step', () => {
    assert.equal(fastestConfirmed([0.72]), false);
    assert.equal(fastestConfirmed([1.44, 0.72, 1.38]), false);
    assert.equal(fastestConfirmed([1.44, 0.72, 0.85]), true);
    // 5 and 6 steps of 65.5 µs: 20% apart, one step.
    assert.equal(fastestConfirmed([0.393, 0.328]), true);
    assert.equal(fastestConfirmed([0.197, 0.131]), true);
    assert.equal(fastestConfirmed([0.262, 0.131]), false);
  });

  it('names the shape whose run failed', async () => {
    const failing: RunMany = async (reqs) => reqs.map((_, i): ManyResult =>
      i === 1 ? { error: { kind: 'internal', message: 'device lost' } } : { result: { medianMs: 1, minMs: 1 } as BenchResult });
    await assert.rejects(measurePredictionShapes(failing, shapes, 2, []), /512³: device lost/);
  });
});
