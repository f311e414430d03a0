/**
 * What the model says it lacks where a bench:kernels prediction row misses
 * (kernels/harness/missReason.ts). No GPU: made-up devices and runs.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { whatTheModelLacks } from '../../kernels/harness/missReason';
import { predictMs } from '../../kernels/harness/predict';

const f = (s: number) => 2 * s ** 3;
const device = {
  id: 'local', name: 'test', peak: { fp32: 1e10, tf32: null, fp16: 2e10, bf16: null },
  bandwidth: 1e9, memoryBytes: null, sms: 1, measured: true, launchOverheadS: 1e-5,
  gemmEfficiency: { square: 1, [`square@${f(192)}`]: 0.7, [`square@${f(1536)}`]: 0.9 },
  gemmBandwidth: { 'tall-skinny': 3e9, [`tall-skinny@${2 ** 21}`]: 6e9, [`tall-skinny@${2 ** 23}`]: 3e9 },
};
const square = (s: number) => ({ op: 'gemm' as const, m: s, k: s, n: s, batch: 1, flops: f(s), bytes: 12 * s * s, dtype: 'f32' as const });
const gemv = (side: number) => ({ op: 'gemm' as const, m: 1, k: side, n: side, batch: 1, flops: 2 * side * side, bytes: 4 * (side * side + 2 * side), dtype: 'f32' as const });

describe('what the model lacks where a prediction misses', () => {
  it('names the compute term and the missing per-shape efficiency inside the calibrated ladder', () => {
    const run = square(512);
    const p = predictMs(run, device);
    const why = whatTheModelLacks(run, p, { measuredMs: 2 * p.ms, spread: 1.1 }, device);
    assert.match(why, /compute-bound at \d+% of the peak/);
    assert.match(why, /ran slower here: a per-shape efficiency measured near this shape is missing/);
    assert.doesNotMatch(why, /unsteady|outside/);
  });

  it('says that a class with one calibrated size follows the square ladder', () => {
    const batched = { ...device, gemmEfficiency: { ...device.gemmEfficiency, batched: 0.4, [`batched@${8 * f(192)}`]: 0.4 } };
    const run = { op: 'bmm' as const, m: 256, k: 256, n: 256, batch: 4, flops: 4 * f(256), bytes: 4 * 12 * 256 * 256, dtype: 'f32' as const };
    const p = predictMs(run, batched);
    assert.match(whatTheModelLacks(run, p, { measuredMs: 2 * p.ms, spread: 1 }, batched),
      /interpolated from the square ladder's \(the batched class has one point of its own\) calibrated sizes/);
  });

  it('says when the work lies outside the calibrated sizes, and when the timings were unsteady', () => {
    const run = square(4096);
    const p = predictMs(run, device);
    const why = whatTheModelLacks(run, p, { measuredMs: p.ms / 2, spread: 2.1 }, device);
    assert.match(why, /unsteady \(the slowest round's median 2\.1× its fastest run, which a second round confirmed\)/);
    const unconfirmed = whatTheModelLacks(run, p, { measuredMs: p.ms / 2, spread: 2.1, confirmed: false }, device);
    assert.match(unconfirmed, /^no second round confirmed its fastest run/);
    assert.match(why, /work \(137439 MFLOP executed\) is outside the square class's calibrated sizes \(14 MFLOP–7248 MFLOP\)/);
  });

  it('says when the bench\'s probes ran slower than calibration\'s, for a row that ran slow', () => {
    const run = square(512);
    const p = predictMs(run, device);
    const drift = { fma: 0.5, copy: 0.82 };
    assert.match(whatTheModelLacks(run, p, { measuredMs: 1.8 * p.ms, spread: 1.1, drift }, device), /^this run's probes reached ×0\.50 \(FMA\) and ×0\.82 \(copy\) of calibration's/);
    // A row that ran fast is not explained by a busier machine.
    assert.doesNotMatch(whatTheModelLacks(run, p, { measuredMs: p.ms / 1.8, spread: 1.1, drift }, device), /busier/);
  });

  it('names the memory term and the class\'s footprints for a memory-bound GEMV', () => {
    const inside = gemv(1024);
    const p = predictMs(inside, device);
    assert.match(whatTheModelLacks(inside, p, { measuredMs: 2 * p.ms, spread: 1 }, device),
      /memory-bound at [\d.]+ GB\/s \(interpolated from the tall-skinny class's calibrated footprints\), and its kernel streamed slower here/);
    const outside = gemv(8192);
    const q = predictMs(outside, device);
    assert.match(whatTheModelLacks(outside, q, { measuredMs: 2 * q.ms, spread: 1 }, device), /footprint \(256\.1 MiB\) is outside the tall-skinny class's calibrated footprints \(2\.0 MiB–8\.0 MiB\)/);
  });

  it('blames the launch overhead where it is most of the prediction', () => {
    const tiny = { ...square(8), m: 80, n: 80, k: 8, flops: 2 * 80 * 80 * 8 };
    const p = predictMs(tiny, { ...device, launchOverheadS: 1e-3 });
    assert.match(whatTheModelLacks(tiny, p, { measuredMs: 3 * p.ms, spread: 1 }, { ...device, launchOverheadS: 1e-3 }), /launch overhead \(1\.000 ms/);
  });
});
