/**
 * Calibration's launch overhead (server/cli/calibrate.ts, launchOverhead): the fastest of the
 * probes, bounded by the fastest real GEMM, and the items too short to give a figure. No GPU.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { launchOverhead } from '../../server/cli/calibrate';

describe('calibration launch overhead', () => {
  it('is the fastest probe run, and items within 25% of it give no figure', () => {
    const gemms = new Map([['square 192', 0.852], ['tall-skinny@1x768', 0.079], ['square 1536', 182]]);
    const got = launchOverhead([0.131, 0.066, 1.2], gemms);
    assert.equal(got.ms, 0.066);
    assert.equal(got.bounded, false);
    assert.deepEqual(got.tooShort, ['tall-skinny@1x768']);
  });

  it('is bounded by the fastest real GEMM when every probe ran in its slow mode', () => {
    // The calibration that stored 2.4 PB/s: probes at 1.15–1.26 ms, a GEMV at 0.786 ms.
    const gemms = new Map([['tall-skinny@1x768', 0.786], ['batched 6×96³', 0.95], ['square 384', 3.08]]);
    const got = launchOverhead([1.149, 1.181, 1.26], gemms);
    assert.equal(got.ms, 0.786);
    assert.equal(got.bounded, true);
    assert.deepEqual(got.tooShort, ['tall-skinny@1x768', 'batched 6×96³']);
  });
});
