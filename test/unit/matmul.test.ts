import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateCost } from '../../server/core/cost/evaluate';
import { findDevice } from '../../server/core/devices';
import { matmul } from '../../server/core/ops/matmul';
import { Poly } from '../../server/core/symbolic';

const s = (...d: (string | number)[]) => d.map((x) => (typeof x === 'number' ? Poly.const(x) : Poly.sym(x)));
const ctx = { bindings: new Map<string, number>(), dtype: 'fp32' as const };

describe('matmul shape and cost', () => {
  it('GEMM m×k×n costs 2mkn FLOPs and dtype_bytes·(mk+kn+mn) bytes', () => {
    const r = matmul({ shape: s('m', 'k'), dtype: 'fp16' }, { shape: s('k', 'n'), dtype: 'fp16' }, ctx);
    assert.equal(r.error, undefined);
    assert.equal(r.cost.flops.toString(), '2*k*m*n');
    assert.equal(r.cost.bytes.toString(), '2*k*m + 2*k*n + 2*m*n');
    const b = new Map([['m', 1024], ['k', 1024], ['n', 1024]]);
    const f = evaluateCost(r.cost, 'fp16', findDevice('h100')!, b);
    assert.equal(f.flops, 2 * 1024 ** 3);
    assert.equal(f.bytes, 2 * 3 * 1024 ** 2);
    // Intensity 341 FLOP/B < ridge 295? No: 2·1024³ / 6 MiB = 341.3 > 295.3 → compute-bound.
    assert.ok(Math.abs(f.intensity! - 341.33) < 0.01);
    assert.equal(f.bound, 'compute');
    assert.ok(Math.abs(f.ridge - 989.4e12 / 3350e9) < 1e-9);
  });

  it('broadcasts batch dims and removes promoted vector dims', () => {
    const r = matmul({ shape: s('B', 'H', 'T', 64), dtype: null }, { shape: s('B', 'H', 64, 'T'), dtype: null }, ctx);
    assert.deepEqual(r.output.shape!.map(String), ['B', 'H', 'T', 'T']);
    assert.equal(r.cost.flops.toString(), '128*B*H*T^2');
    const v = matmul({ shape: s('m', 'k'), dtype: null }, { shape: s('k'), dtype: null }, ctx);
    assert.deepEqual(v.output.shape!.map(String), ['m']);
  });

  it('reports a contraction mismatch only when both dims are known to differ', () => {
    assert.match(matmul({ shape: s('m', 64), dtype: null }, { shape: s(32, 'n'), dtype: null }, ctx).error!, /64 vs 32/);
    assert.equal(matmul({ shape: s('m', 'C'), dtype: null }, { shape: s('D', 'n'), dtype: null }, ctx).error, undefined);
    const bound = { ...ctx, bindings: new Map([['C', 768], ['D', 512]]) };
    assert.match(matmul({ shape: s('m', 'C'), dtype: null }, { shape: s('D', 'n'), dtype: null }, bound).error!, /C vs D/);
  });

  it('memory-bound GEMV: intensity below the ridge point', () => {
    const r = matmul({ shape: s(1, 4096), dtype: 'fp16' }, { shape: s(4096, 4096), dtype: 'fp16' }, ctx);
    const f = evaluateCost(r.cost, 'fp16', findDevice('h100')!, new Map());
    assert.equal(f.bound, 'memory');
    assert.ok(f.intensity! < 1.01);
    assert.ok(Math.abs(f.timeSeconds! - f.bytes! / 3350e9) < 1e-15);
  });
});
