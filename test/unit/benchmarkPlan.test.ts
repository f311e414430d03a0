import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitToAdapter, isSoftwareAdapter, knowledgeOf, SOFTWARE_TARGET_FLOPS, whatRan } from '../../client/benchmarkFit';
import { planBenchmark, requestFlops, scaleRun } from '../../client/benchmarkRequest';
import { dimDefault, opLabel, verificationText } from '../../client/benchmarkText';
import { OpPoint } from '../../server/protocol';

const base: OpPoint = {
  index: 0, kind: 'matmul', name: '@', function: 'f', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
  dtype: 'fp16', inputs: [], output: null, flops: null, otherFlops: null, bytes: null, intensity: null, bound: null, timeSeconds: null,
  unbound: [], attrs: {}, severity: null, codes: [],
};

const LAVAPIPE = { vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 19.1.7, 256 bits)' };
const H100 = { vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' };

/** The plan of examples/matmul.py's `x @ w`: m = k = n = 4096 in fp32, 137 GFLOP. */
function bigGemm() {
  const p = planBenchmark({ ...base, dtype: 'fp32', gemm: { m: 4096, k: 4096, n: 4096, batch: 1 } });
  assert.ok(!('error' in p));
  return p;
}

describe('benchmark planning', () => {
  it('maps a batched fp16 matmul to the f16 bmm kernel', () => {
    const p = planBenchmark({ ...base, gemm: { m: 64, k: 32, n: 16, batch: 4 } });
    assert.ok(!('error' in p));
    assert.deepEqual(p.runs[0].request, { op: 'bmm', dtype: 'f16', m: 64, k: 32, n: 16, batch: 4 });
    assert.equal(p.flops, 2 * 4 * 64 * 32 * 16);
    assert.equal(requestFlops(p.runs[0].request), p.flops);
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
    assert.equal(requestFlops(ok.runs[0].request), ok.flops);
  });

  it('scales all three sides of a GEMM by the same factor, to about the target', () => {
    const { request, factor } = scaleRun({ op: 'gemm', m: 4096, k: 4096, n: 1024 }, 1e9);
    // 2·4096·4096·1024 = 34.4 GFLOP: the factor is the cube root of 1e9 / 34.4e9.
    assert.ok(Math.abs(factor - Math.cbrt(1e9 / (2 * 4096 * 4096 * 1024))) < 1e-12);
    for (const [full, scaled] of [[4096, request.m!], [4096, request.k!], [1024, request.n!]]) {
      assert.ok(Math.abs(scaled / full - factor) < 0.02, `${scaled} / ${full} vs ${factor}`);
      assert.equal(scaled % 8, 0);
    }
    const flops = requestFlops(request);
    assert.ok(flops > 0.9e9 && flops < 1.1e9, `${flops}`);
  });

  it('leaves a run that is already small as it is', () => {
    const r = { op: 'gemm' as const, m: 48, k: 40, n: 24 };
    assert.deepEqual(scaleRun(r, 1e9), { request: r, factor: 1 });
  });

  it('scales attention over Lq, Lk and d, and a convolution over its image only', () => {
    const att = scaleRun({ op: 'attention', m: 4096, n: 4096, k: 128, batch: 32 }, 1e9).request;
    assert.equal(att.batch, 32);
    assert.ok(Math.abs(att.m! / 4096 - att.k! / 128) < 0.07, JSON.stringify(att));
    const conv = scaleRun({ op: 'conv2d', conv: { cin: 64, h: 224, w: 224, cout: 64, kh: 3, kw: 3, stride: 1, pad: 1 } }, 1e8).request;
    assert.deepEqual([conv.conv!.cin, conv.conv!.cout], [64, 64]);
    assert.equal(conv.conv!.h, conv.conv!.w);
    assert.ok(requestFlops(conv) < 1.3e8 && requestFlops(conv) > 0.7e8, `${requestFlops(conv)}`);
  });

  it('tells a software adapter from a GPU by its name', () => {
    assert.equal(isSoftwareAdapter(LAVAPIPE), true);
    assert.equal(isSoftwareAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' }), true);
    assert.equal(isSoftwareAdapter(H100), false);
  });

  it('runs a 137 GFLOP op on lavapipe as a scaled run of about 1 GFLOP and says what ran', () => {
    const plan = bigGemm();
    const s = fitToAdapter(plan.runs, knowledgeOf(LAVAPIPE));
    assert.equal(s.scaled, true);
    assert.ok(s.runFlops > 0.8 * SOFTWARE_TARGET_FLOPS && s.runFlops < 1.2 * SOFTWARE_TARGET_FLOPS, `${s.runFlops}`);
    const { m, k, n } = s.runs[0].request;
    assert.equal(m, k);
    assert.equal(k, n);
    const said = whatRan(s, plan.runs);
    // cbrt(1e9 / 137.4e9) = 0.194 per side: 4096 → 792 (a multiple of 8), 2·792³ = 993.6 MFLOP.
    assert.deepEqual([m, k, n], [792, 792, 792]);
    assert.match(said, /^m=792 k=792 n=792: scaled ×0\.194 per side from m=4096 k=4096 n=4096 \(994 MFLOP of the op's 137 GFLOP\) because llvmpipe is a software adapter \(it runs on the CPU\)$/);
  });

  it('runs the op at full size on a GPU, and on any adapter when asked', () => {
    const plan = bigGemm();
    const gpu = fitToAdapter(plan.runs, knowledgeOf(H100));
    assert.equal(gpu.scaled, false);
    assert.deepEqual(gpu.runs[0].request, plan.runs[0].request);
    assert.match(whatRan(gpu, plan.runs), /^m=4096 k=4096 n=4096 \(137 GFLOP, full size\)$/);
    assert.equal(fitToAdapter(plan.runs, knowledgeOf(LAVAPIPE), true).scaled, false);
  });

  it('scales a GPU run whose known rate says it would take long, and keeps an unknown adapter small', () => {
    const plan = bigGemm();
    // 137 GFLOP at 10 GFLOP/s is 14 s per run: scaled to 2 s of work (20 GFLOP).
    const slow = fitToAdapter(plan.runs, knowledgeOf({ vendor: 'intel', architecture: 'gen-9', description: 'Intel UHD 620' }, 10));
    assert.equal(slow.scaled, true);
    assert.ok(slow.runFlops > 15e9 && slow.runFlops < 25e9, `${slow.runFlops}`);
    assert.match(slow.reason, /10 GFLOP\/s .* 14 s per run/);
    const unknown = fitToAdapter(plan.runs, undefined);
    assert.equal(unknown.scaled, true);
    assert.match(unknown.reason, /not known/);
  });

  it('names the op by its source text, on one line', () => {
    assert.equal(opLabel('@', 'q @ k.transpose(-2, -1)'), 'q @ k.transpose(-2, -1)');
    assert.equal(opLabel('@', 'torch.matmul(\n    a,\n    b)'), 'torch.matmul( a, b)');
    assert.equal(opLabel('@', undefined), '@');
    assert.equal(opLabel('@', 'x'.repeat(100)).length, 48);
  });

  it('says what the check covered and why it covered no more', () => {
    const r = { verified: false, checkedElements: 8192, totalElements: 16_777_216, maxRelError: 3e-7, tolerance: 1e-4, flops: 2 * 4096 ** 3 };
    const t = verificationText(r);
    assert.match(t, /^not fully verified: 8,192 of 16,777,216 output elements checked \(whole rows sampled, first and last included\), all within tolerance/);
    assert.match(t, /6\.9e\+10 multiply-accumulates, over its budget of 2\.1e\+9/);
    assert.match(verificationText({ ...r, verified: true, checkedElements: r.totalElements }), /^verified: all 16,777,216 output elements match/);
    assert.match(verificationText({ ...r, maxRelError: 0.5 }), /^FAILED/);
  });

  it('offers the last answer for a dim, else a default from its name', () => {
    assert.deepEqual(dimDefault('B', {}), { value: 8, source: 'default' });
    assert.deepEqual(dimDefault('T', {}), { value: 1024, source: 'default' });
    assert.deepEqual(dimDefault('T', { T: 256 }), { value: 256, source: 'last answer' });
    assert.deepEqual(dimDefault('T', { T: 0 }), { value: 1024, source: 'default' });
  });
});
