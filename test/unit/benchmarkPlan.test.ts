import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBenchmark, scaleDown } from '../../client/benchmarkRequest';
import { OpPoint } from '../../server/protocol';

const base: OpPoint = {
  index: 0, kind: 'matmul', name: '@', function: 'f', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
  dtype: 'fp16', inputs: [], output: null, flops: null, otherFlops: null, bytes: null, intensity: null, bound: null, timeSeconds: null,
  unbound: [], attrs: {}, severity: null, codes: [],
};

describe('benchmark planning', () => {
  it('maps a batched fp16 matmul to the f16 bmm kernel', () => {
    const p = planBenchmark({ ...base, gemm: { m: 64, k: 32, n: 16, batch: 4 } });
    assert.ok(!('error' in p));
    assert.deepEqual(p.runs[0].request, { op: 'bmm', dtype: 'f16', m: 64, k: 32, n: 16, batch: 4 });
    assert.equal(p.flops, 2 * 4 * 64 * 32 * 16);
  });

  it('refuses unbound, grouped or batched convolutions with a reason', () => {
    assert.match((planBenchmark({ ...base, gemm: { m: 'B*T', k: 32, n: 16, batch: 1 } }) as { error: string }).error, /m is not a number/);
    const conv = { ...base, kind: 'conv', inputs: [[1, 3, 32, 32]], attrs: { dims: 2, cIn: 3, cOut: 8, kernel: [3, 3], stride: [1, 1], padding: 'same', groups: 2, batchSize: 1 } } as OpPoint;
    assert.match((planBenchmark(conv) as { error: string }).error, /grouped/);
    const ok = planBenchmark({ ...conv, attrs: { ...conv.attrs, groups: 1 } });
    assert.ok(!('error' in ok));
    assert.deepEqual(ok.runs.map((r) => r.request.variant), ['direct', 'im2col']);
    assert.equal(ok.runs[0].request.conv!.pad, 1);
    assert.equal(ok.flops, 2 * 8 * 3 * 9 * 32 * 32);
  });

  it('scales a run down keeping its proportions', () => {
    const r = scaleDown({ op: 'gemm', m: 4096, k: 4096, n: 1024 }, 0.25);
    assert.deepEqual([r.m, r.k, r.n], [1024, 4096, 256]);
  });
});
