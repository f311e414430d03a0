/**
 * Absolute figures of single ops placed on a device's roofline: bytes, intensity, attainable rate
 * and time, each worked out by hand below (H100 SXM: fp32 66.9 TFLOP/s, fp16 989.4 TFLOP/s,
 * 3.35 TB/s). Ratios and differences alone let through a roofline that forgets the "other" FLOPs
 * (softmax intensity 0.625 → 0), an SDPA that prices V with the key head size, a Linear that
 * forgets its weight, and m and n swapped in a GEMM; every figure here is asserted outright.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCost, sumFigures } from '../../server/core/cost/evaluate';
import { findDevice } from '../../server/core/devices';
import { sdpa } from '../../server/core/ops/attention';
import { linear } from '../../server/core/ops/linear';
import { matmul } from '../../server/core/ops/matmul';
import { layerNorm, softmax } from '../../server/core/ops/normalization';
import { OpResult } from '../../server/core/ops/types';
import { Poly } from '../../server/core/symbolic';

const H100 = findDevice('h100')!;
const BW = 3350e9;
const FP32_PEAK = 66.9e12;
const FP16_PEAK = 989.4e12;
const none = new Map<string, number>();
const ctx = { bindings: none, dtype: 'fp32' as const };
const s = (...d: (string | number)[]) => d.map((x) => (typeof x === 'number' ? Poly.const(x) : Poly.sym(x)));
const t = (...d: (string | number)[]) => ({ shape: s(...d), dtype: null });
const t16 = (...d: number[]) => ({ shape: s(...d), dtype: 'fp16' as const });
const figures = (r: OpResult) => evaluateCost(r.cost, r.output.dtype!, H100, none);
/** Equal to 12 significant digits: the figures are quotients of exact integers. */
const close = (got: number | null, want: number, what: string) =>
  assert.ok(got !== null && Math.abs(got - want) <= 1e-12 * Math.abs(want), `${what}: ${got} ≠ ${want}`);

describe('memory-bound ops: the "other" FLOPs set the intensity', () => {
  it('softmax over (8, 4096) fp32: 163,840 FLOP over 262,144 B = 0.625 FLOP/B, 78.25 ns', () => {
    // 8·4096 = 32,768 elements; 5 FLOP each (max, subtract, exp, sum, divide) = 163,840 FLOP.
    // Bytes: read and write each fp32 element once, 2·4·32,768 = 262,144 B.
    // Intensity 163,840 / 262,144 = 0.625 FLOP/B, below the fp32 ridge 66.9e12 / 3.35e12 = 19.97.
    // Attainable 3.35e12 · 0.625 = 2.09375e12 FLOP/s; time max(163,840 / 66.9e12, 262,144 / 3.35e12)
    // = 262,144 / 3.35e12 = 7.8252e-8 s.
    const f = figures(softmax(t(8, 4096), -1, ctx));
    assert.equal(f.flops, 0);
    assert.equal(f.otherFlops, 163_840);
    assert.equal(f.bytes, 262_144);
    assert.equal(f.intensity, 0.625);
    close(f.attainable, BW * 0.625, 'attainable');
    close(f.fractionOfPeak, (BW * 0.625) / FP32_PEAK, 'fraction of peak');
    close(f.timeSeconds, 262_144 / BW, 'time');
    assert.equal(f.bound, 'memory');
  });

  it('layer norm over (2, 16, 768) fp32 with weight and bias: 28/33 FLOP/B', () => {
    // 2·16·768 = 24,576 elements; 7 FLOP each = 172,032 FLOP.
    // Bytes: input and output 2·4·24,576 = 196,608, plus γ and β 2·4·768 = 6,144: 202,752 B.
    // Intensity 172,032 / 202,752 = 28/33 = 0.848… FLOP/B; time 202,752 / 3.35e12 = 6.0523e-8 s.
    const f = figures(layerNorm(t(2, 16, 768), s(768), { weight: true, bias: true }, ctx));
    assert.equal(f.flops, 0);
    assert.equal(f.otherFlops, 172_032);
    assert.equal(f.bytes, 202_752);
    close(f.intensity, 28 / 33, 'intensity');
    close(f.attainable, (BW * 28) / 33, 'attainable');
    close(f.timeSeconds, 202_752 / BW, 'time');
    assert.equal(f.bound, 'memory');
    // Without the affine parameters only the 196,608 B of activations move: 172,032 / 196,608 = 7/8.
    const bare = figures(layerNorm(t(2, 16, 768), s(768), { weight: false, bias: false }, ctx));
    assert.equal(bare.bytes, 196_608);
    close(bare.intensity, 7 / 8, 'intensity without affine');
  });
});

describe('SDPA on the roofline', () => {
  it('(1, 12, 1024, 64) fp16, not causal: 522 FLOP/B, compute-bound, 3.3193 µs', () => {
    // GEMM FLOPs 2·12·1024·1024·(64 + 64) = 3,221,225,472; softmax 5·12·1024·1024 = 62,914,560.
    // Fused bytes: Q, K, V read and O written, 4 · 2 B · 12·1024·64 = 6,291,456 B.
    // Intensity (3,221,225,472 + 62,914,560) / 6,291,456 = 512 + 10 = 522 FLOP/B, above the fp16
    // ridge 989.4e12 / 3.35e12 = 295.3: compute-bound, time 3,284,140,032 / 989.4e12 = 3.31933e-6 s.
    const q = t16(1, 12, 1024, 64);
    const f = figures(sdpa(q, q, q, { causal: false }, ctx));
    assert.equal(f.flops, 3_221_225_472);
    assert.equal(f.otherFlops, 62_914_560);
    assert.equal(f.bytes, 6_291_456);
    assert.equal(f.intensity, 522);
    assert.equal(f.bound, 'compute');
    close(f.timeSeconds, 3_284_140_032 / FP16_PEAK, 'time');
    close(f.attainable, FP16_PEAK, 'attainable');
  });

  it('value head size 32 with key head size 64 and Lq ≠ Lk: the second GEMM uses d_v', () => {
    // q (1, 8, 128, 64), k (1, 8, 256, 64), v (1, 8, 256, 32), fp32.
    // Scores 8·128·256 = 262,144. FLOPs 2·262,144·64 (QKᵀ) + 2·262,144·32 (PV) = 50,331,648
    // (pricing PV with d = 64 would give 67,108,864, a third more). Softmax 5·262,144 = 1,310,720.
    // Output (1, 8, 128, 32). Fused bytes 4·(65,536 + 131,072 + 65,536 + 32,768) = 1,179,648 B.
    // Intensity 51,642,368 / 1,179,648 = 43.777… FLOP/B > fp32 ridge 19.97: compute-bound, time
    // 51,642,368 / 66.9e12 = 7.7193e-7 s.
    const r = sdpa(t(1, 8, 128, 64), t(1, 8, 256, 64), t(1, 8, 256, 32), { causal: false }, ctx);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.output.shape!.map(String), ['1', '8', '128', '32']);
    assert.equal(String(r.attrs.d), '64');
    assert.equal(String(r.attrs.dv), '32');
    const f = figures(r);
    assert.equal(f.flops, 50_331_648);
    assert.equal(f.otherFlops, 1_310_720);
    assert.equal(f.bytes, 1_179_648);
    close(f.intensity, 51_642_368 / 1_179_648, 'intensity');
    assert.equal(f.bound, 'compute');
    close(f.timeSeconds, 51_642_368 / FP32_PEAK, 'time');
    // The materialised variant also writes and reads the 262,144 fp32 scores: + 2·4·262,144 B.
    assert.equal(r.cost.variants![1].bytes.evaluate(none), 1_179_648 + 2_097_152);
    // Causal halves both GEMMs and the softmax.
    const c = figures(sdpa(t(1, 8, 128, 64), t(1, 8, 256, 64), t(1, 8, 256, 32), { causal: true }, ctx));
    assert.equal(c.flops, 25_165_824);
    assert.equal(c.otherFlops, 655_360);
  });
});

describe('Linear bytes, absolute', () => {
  it('(8, 128, 768) · W(3072, 768)ᵀ in fp32: 25,178,112 B with bias, 25,165,824 B without', () => {
    // Input 8·128·768 = 786,432; weight 3072·768 = 2,359,296; output 8·128·3072 = 3,145,728;
    // bias 3,072 elements. With bias 4·6,294,528 = 25,178,112 B; without 4·6,291,456 = 25,165,824 B.
    // FLOPs 2·1024·768·3072 = 4,831,838,208 either way (the bias add is not counted).
    const withBias = figures(linear(t(8, 128, 768), s(3072, 768), true, ctx));
    const noBias = figures(linear(t(8, 128, 768), s(3072, 768), false, ctx));
    assert.equal(withBias.bytes, 25_178_112);
    assert.equal(noBias.bytes, 25_165_824);
    assert.equal(withBias.flops, 4_831_838_208);
    assert.equal(noBias.flops, 4_831_838_208);
    // Intensity 4,831,838,208 / 25,165,824 = 192 FLOP/B without bias: compute-bound in fp32.
    assert.equal(noBias.intensity, 192);
    assert.equal(noBias.bound, 'compute');
    close(noBias.timeSeconds, 4_831_838_208 / FP32_PEAK, 'time');
  });

  it('records the GEMM as m = rows, k = in features, n = out features', () => {
    const r = linear(t(8, 128, 768), s(3072, 768), false, ctx);
    assert.deepEqual([r.attrs.m, r.attrs.k, r.attrs.n].map(String), ['1024', '768', '3072']);
    assert.deepEqual(r.output.shape!.map(String), ['8', '128', '3072']);
  });
});

describe('a non-square GEMM (m ≠ k ≠ n)', () => {
  it('(64, 128) @ (128, 32) fp32: shape (64, 32), 524,288 FLOP, 57,344 B, 64/7 FLOP/B', () => {
    // m = 64, k = 128, n = 32. FLOPs 2·64·128·32 = 524,288.
    // Bytes 4·(64·128 + 128·32 + 64·32) = 4·(8,192 + 4,096 + 2,048) = 57,344.
    // Intensity 524,288 / 57,344 = 64/7 = 9.142… FLOP/B < ridge 19.97: memory-bound,
    // time 57,344 / 3.35e12 = 1.71176e-8 s.
    const r = matmul({ shape: s(64, 128), dtype: null }, { shape: s(128, 32), dtype: null }, ctx);
    assert.equal(r.error, undefined);
    assert.deepEqual(r.output.shape!.map(String), ['64', '32']);
    assert.deepEqual([r.attrs.m, r.attrs.k, r.attrs.n, r.attrs.batch].map(String), ['64', '128', '32', '1']);
    const f = figures(r);
    assert.equal(f.flops, 524_288);
    assert.equal(f.bytes, 57_344);
    close(f.intensity, 64 / 7, 'intensity');
    assert.equal(f.bound, 'memory');
    close(f.timeSeconds, 57_344 / BW, 'time');
  });

  it('a batched left operand over a shared right one: (3, 64, 128) @ (128, 32)', () => {
    // Output (3, 64, 32). FLOPs 3·524,288 = 1,572,864. The shared (128, 32) operand is stored once:
    // bytes 4·(3·8,192 + 4,096 + 3·2,048) = 4·34,816 = 139,264. Intensity 1,572,864 / 139,264 = 192/17.
    const r = matmul({ shape: s(3, 64, 128), dtype: null }, { shape: s(128, 32), dtype: null }, ctx);
    assert.deepEqual(r.output.shape!.map(String), ['3', '64', '32']);
    assert.deepEqual([r.attrs.m, r.attrs.k, r.attrs.n, r.attrs.batch].map(String), ['64', '128', '32', '3']);
    const f = figures(r);
    assert.equal(f.flops, 1_572_864);
    assert.equal(f.bytes, 139_264);
    close(f.intensity, 192 / 17, 'intensity');
  });

  it('a matrix-vector product keeps m and drops the promoted n: (64, 128) @ (128,)', () => {
    // n = 1 after promotion: FLOPs 2·64·128 = 16,384; bytes 4·(8,192 + 128 + 64) = 33,536.
    const r = matmul({ shape: s(64, 128), dtype: null }, { shape: s(128), dtype: null }, ctx);
    assert.deepEqual(r.output.shape!.map(String), ['64']);
    assert.deepEqual([r.attrs.m, r.attrs.k, r.attrs.n].map(String), ['64', '128', '1']);
    const f = figures(r);
    assert.equal(f.flops, 16_384);
    assert.equal(f.bytes, 33_536);
  });
});

describe('sums of figures', () => {
  it('a softmax and a GEMM summed: the total intensity counts both kinds of FLOPs', () => {
    // Softmax (8, 4096): 163,840 other FLOP, 262,144 B. GEMM (64, 128) @ (128, 32): 524,288 FLOP,
    // 57,344 B. Total (524,288 + 163,840) / (262,144 + 57,344) = 688,128 / 319,488 = 2.1538… FLOP/B.
    const parts = [figures(softmax(t(8, 4096), -1, ctx)), figures(matmul(t(64, 128), t(128, 32), ctx))];
    const total = sumFigures(parts, 'fp32', H100);
    assert.equal(total.flops, 524_288);
    assert.equal(total.otherFlops, 163_840);
    assert.equal(total.bytes, 319_488);
    close(total.intensity, 688_128 / 319_488, 'intensity');
    close(total.timeSeconds, 319_488 / BW, 'time');
  });
});
