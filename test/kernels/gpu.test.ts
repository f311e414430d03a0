/**
 * The kernels on the real adapter, through the child-process runner, at small sizes that are not
 * multiples of the tiles. Without an adapter these tests skip, unless REQUIRE_WEBGPU=1 (CI), in
 * which case they fail with the reason.
 */
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { runBenchmark } from '../../kernels/harness/runner';
import { BenchError, BenchRequest } from '../../kernels/harness/types';

let skip: string | false = false;

before(async () => {
  try {
    await runBenchmark({ op: 'copy', m: 100, repeats: 1 }, { timeoutMs: 60_000 });
  } catch (e) {
    const why = `no usable WebGPU adapter: ${(e as Error).message}`;
    if (process.env.REQUIRE_WEBGPU === '1') throw new Error(`REQUIRE_WEBGPU=1 but ${why}`);
    skip = why;
  }
});

/** Small, ragged sizes: every kernel's bounds checks and scalar load paths get exercised. */
const CASES: [string, BenchRequest][] = [
  ['gemm f32 vec4 path', { op: 'gemm', m: 96, k: 36, n: 72 }],
  ['gemm f32 ragged (scalar loads and stores)', { op: 'gemm', m: 67, k: 45, n: 33 }],
  ['gemm f32 naive', { op: 'gemm', m: 67, k: 45, n: 33, variant: 'naive' }],
  ['gemm f16 with f32 accumulation', { op: 'gemm', m: 70, k: 36, n: 20, dtype: 'f16' }],
  ['bmm f32', { op: 'bmm', m: 33, k: 20, n: 36, batch: 3 }],
  ['conv2d im2col, stride 2, pad 1', { op: 'conv2d', batch: 2, conv: { cin: 3, h: 13, w: 11, cout: 5, kh: 3, kw: 3, stride: 2, pad: 1 } }],
  ['conv2d direct, stride 2, pad 1', { op: 'conv2d', variant: 'direct', batch: 2, conv: { cin: 3, h: 13, w: 11, cout: 5, kh: 3, kw: 3, stride: 2, pad: 1 } }],
  ['attention flash', { op: 'attention', batch: 2, m: 37, n: 29, k: 16 }],
  ['attention materialized', { op: 'attention', variant: 'materialized', batch: 2, m: 37, n: 29, k: 16 }],
  ['attention flash f16', { op: 'attention', dtype: 'f16', batch: 1, m: 70, k: 32 }],
  ['copy kernel', { op: 'copy', m: 1001 }],
  ['copyBufferToBuffer from a shader-written source of 4 MiB', { op: 'copy', variant: 'copyBufferToBuffer', m: 2 ** 20 }],
  ['fma probe', { op: 'fma', m: 4096, k: 64 }],
  ['fma probe, eight steps per loop iteration', { op: 'fma', variant: 'chain8', m: 4096, k: 64 }],
];

describe('kernels match the CPU reference', () => {
  for (const [name, req] of CASES) {
    it(name, async (t) => {
      if (skip) return t.skip(skip);
      const r = await runBenchmark({ ...req, repeats: 2, warmup: 0 }, { timeoutMs: 90_000 });
      assert.equal(r.verified, true, `${name}: ${r.notes?.join('; ')}`);
      assert.equal(r.checkedElements, r.totalElements);
      assert.ok(r.maxRelError <= r.tolerance);
      assert.ok(r.medianMs > 0 && r.repeats === 2);
      assert.ok(['timestamp-query', 'queue'].includes(r.timing));
      assert.equal(typeof r.adapter.vendor, 'string');
      assert.equal(r.predicted, null);
    });
  }
});

describe('the harness', () => {
  it('detects a wrong result (one output element perturbed after read-back)', async (t) => {
    if (skip) return t.skip(skip);
    const r = await runBenchmark({ op: 'gemm', m: 40, k: 24, n: 40, repeats: 1, debug: 'perturb' }, { timeoutMs: 60_000 });
    assert.equal(r.verified, false);
    assert.ok(r.maxRelError > r.tolerance);
    assert.match(r.notes?.join(' ') ?? '', /output mismatch/);
  });

  it('refuses a request above the adapter limits, naming the limit', async (t) => {
    if (skip) return t.skip(skip);
    await assert.rejects(runBenchmark({ op: 'gemm', m: 200_000, k: 200_000, n: 8 }, { timeoutMs: 60_000 }), (e: unknown) => {
      assert.ok(e instanceof BenchError);
      assert.equal(e.kind, 'too-large');
      assert.match(e.message, /maxStorageBufferBindingSize|maxBufferSize/);
      return true;
    });
  });

  it('kills the child on timeout', async (t) => {
    if (skip) return t.skip(skip);
    let pid = 0;
    const started = Date.now();
    await assert.rejects(
      runBenchmark({ op: 'gemm', m: 1024, k: 1024, n: 1024, repeats: 200, variant: 'naive' }, { timeoutMs: 1500, onSpawn: (p) => (pid = p) }),
      (e: unknown) => e instanceof BenchError && e.kind === 'timeout',
    );
    assert.ok(Date.now() - started < 10_000);
    assert.ok(pid > 0);
    await new Promise((r) => setTimeout(r, 200));
    assert.throws(() => process.kill(pid, 0), /ESRCH/, 'the child is still alive');
  });

  it('kills the child when the caller aborts', async (t) => {
    if (skip) return t.skip(skip);
    const ac = new AbortController();
    const p = runBenchmark({ op: 'gemm', m: 1024, k: 1024, n: 1024, repeats: 200, variant: 'naive' }, { signal: ac.signal, timeoutMs: 60_000 });
    setTimeout(() => ac.abort(), 500);
    await assert.rejects(p, (e: unknown) => e instanceof BenchError && e.kind === 'aborted');
  });

  it('turns a crash of the child into a rejected promise', async (t) => {
    if (skip) return t.skip(skip);
    await assert.rejects(runBenchmark({ op: 'gemm', debug: 'crash' }, { timeoutMs: 60_000 }), (e: unknown) => {
      assert.ok(e instanceof BenchError);
      assert.equal(e.kind, 'child-crashed');
      assert.match(e.message, /SIGSEGV/);
      return true;
    });
  });

  it('forwards progress', async (t) => {
    if (skip) return t.skip(skip);
    const stages = new Set<string>();
    await runBenchmark({ op: 'copy', m: 4096, repeats: 2 }, { timeoutMs: 60_000, onProgress: (p) => stages.add(p.stage) });
    for (const s of ['adapter', 'timing', 'verify', 'done']) assert.ok(stages.has(s), `no '${s}' progress`);
  });
});
