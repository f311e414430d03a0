/**
 * bench:kernels' prediction rows (bench/predictionRows.ts): every shape runs once per round with
 * the rounds interleaved, and a row's figure is the median round, so that one spiked round does
 * not decide it. No GPU: the runs are made up.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { measurePredictionShapes, RunMany } from '../../bench/predictionRows';
import { BenchRequest, BenchResult, ManyResult } from '../../kernels/harness/types';

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

  it('takes the median round, so that one spiked round does not decide a row; the fastest run beside it', async () => {
    // The spike of an earlier bench: one round's median 3.87 ms where the others took about 2.
    const rows = await measurePredictionShapes(fake([
      [{ medianMs: 2.0, minMs: 1.9 }, { medianMs: 14, minMs: 13 }],
      [{ medianMs: 3.87, minMs: 1.95 }, { medianMs: 13, minMs: 12.5 }],
      [{ medianMs: 2.1, minMs: 2.0 }, { medianMs: 26, minMs: 15 }],
    ], []), shapes, 3, []);
    assert.equal(rows[0].measuredMs, 2.1);
    assert.equal(rows[0].minMs, 1.9);
    assert.equal(rows[1].measuredMs, 14);
    assert.equal(rows[1].minMs, 12.5);
    assert.equal(rows[1].runs.length, 3);
  });

  it('names the shape whose run failed', async () => {
    const failing: RunMany = async (reqs) => reqs.map((_, i): ManyResult =>
      i === 1 ? { error: { kind: 'internal', message: 'device lost' } } : { result: { medianMs: 1, minMs: 1 } as BenchResult });
    await assert.rejects(measurePredictionShapes(failing, shapes, 2, []), /512³: device lost/);
  });
});
