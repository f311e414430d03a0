/**
 * Calibration's launch overhead (server/cli/calibrate.ts, launchOverhead): the fastest of the
 * probes, bounded by the fastest real GEMM, and the items too short to give a figure. No GPU.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { launchOverhead } from '../../server/cli/calibrate';
import { predictMs, streamedBytes } from '../../kernels/harness/predict';
import type { GemmConfig } from '../../kernels/wgsl/gemmConfig';
import type { Device } from '../../server/core/devices';

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

describe('streamed bytes of a memory-bound GEMM', () => {
  it('counts B once per tile of output rows, only where the run is memory-bound', () => {
    const cfg = { tileM: 4, tileN: 32 } as unknown as GemmConfig;
    const gemv = (m: number) => ({ op: 'gemm' as const, m, k: 1024, n: 1024, dtype: 'f32' as const, flops: 2 * m * 1024 * 1024, bytes: 4 * (m * 1024 + 1024 * 1024 + m * 1024), kernelConfig: cfg });
    // 8 rows through a 4-row tile: the 4 MiB weight twice.
    assert.equal(streamedBytes(gemv(8)) - gemv(8).bytes, 4 * 1024 * 1024);
    assert.equal(streamedBytes(gemv(4)), gemv(4).bytes);
    const device = { id: 'x', peak: { fp32: 40e9, fp16: 40e9 }, bandwidth: 6e9 } as unknown as Device;
    const [p4, p8] = [predictMs(gemv(4), device).ms, predictMs(gemv(8), device).ms];
    assert.ok(p8 > 1.9 * p4 && p8 < 2.1 * p4, `${p4} ${p8}`);
    // A compute-bound square keeps its ideal bytes: 64 row tiles do not stream B 64 times.
    const square = { op: 'gemm' as const, m: 256, k: 256, n: 256, dtype: 'f32' as const, flops: 2 * 256 ** 3, bytes: 4 * 3 * 256 * 256, kernelConfig: cfg };
    assert.equal(predictMs(square, device).ms, (2 * 256 ** 3 / 40e9) * 1e3);
  });
});
