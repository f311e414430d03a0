/**
 * Every GEMM kernel of the tuning search space against the CPU reference, on the real adapter, at
 * small sizes that are not multiples of any tile: each config through the vec4 path (k and n
 * multiples of 4) and the scalar path (odd k and n), f16 through the vec4 path, batched through
 * two configs of each staging; and the stored winner reaching the kernel through the runner.
 * All kernels of one group run in one child (runBenchmarks), so the file stays well under a minute
 * on lavapipe. Without an adapter these tests skip, unless REQUIRE_WEBGPU=1 (CI).
 */
import { strict as assert } from 'node:assert';
import { before, describe, it } from 'node:test';
import { runBenchmark, runBenchmarks } from '../../kernels/harness/runner';
import { TunedKernels } from '../../kernels/harness/tuned';
import { BenchRequest } from '../../kernels/harness/types';
import { allConfigs, configLabel, DEFAULT_GEMM, GemmConfig, searchSpace, subgroupConfigs } from '../../kernels/wgsl/gemmConfig';
import { effectiveGemmConfig } from '../../kernels/ops/gemmKernel';

let skip: string | false = false;
let hasF16 = true;
let subgroupSize: number | null = null;

before(async () => {
  try {
    subgroupSize = (await runBenchmark({ op: 'copy', m: 100, repeats: 1 }, { timeoutMs: 60_000 })).adapter.subgroupSize ?? null;
  } catch (e) {
    const why = `no usable WebGPU adapter: ${(e as Error).message}`;
    if (process.env.REQUIRE_WEBGPU === '1') throw new Error(`REQUIRE_WEBGPU=1 but ${why}`);
    skip = why;
    return;
  }
  try {
    await runBenchmark({ op: 'fma', dtype: 'f16', m: 64, k: 1, repeats: 1 }, { timeoutMs: 60_000 });
  } catch {
    hasF16 = false;
  }
});

/**
 * Runs every config at one shape and checks each answer: in two children at once, since on
 * lavapipe the time goes into compiling the kernels (LLVM, one thread per process).
 */
async function verifyAll(configs: GemmConfig[], shape: Omit<BenchRequest, 'op' | 'kernel'> & { op?: 'gemm' | 'bmm' }): Promise<void> {
  const requests: BenchRequest[] = configs.map((kernel) => ({ op: 'gemm', ...shape, kernel, repeats: 1, warmup: 0, verify: 'full' }));
  const half = Math.ceil(requests.length / 2);
  const answers = (await Promise.all([requests.slice(0, half), requests.slice(half)]
    .map((part) => (part.length ? runBenchmarks(part, { timeoutMs: 240_000 }) : [])))).flat();
  assert.equal(answers.length, configs.length);
  answers.forEach((a, i) => {
    const label = `${configLabel(configs[i])} at ${JSON.stringify(shape)}`;
    if (!('result' in a)) return assert.fail(`${label}: ${a.error.kind}: ${a.error.message}`);
    const r = a.result;
    assert.equal(r.kernel, configLabel(ran(configs[i], shape)), label);
    assert.equal(r.verified, true, `${label}: ${r.notes?.join('; ')}`);
    assert.equal(r.checkedElements, r.totalElements, label);
    assert.ok(r.maxRelError <= r.tolerance, label);
  });
}

/**
 * The kernel a config runs at a shape (effectiveGemmConfig): a uniform-B config gives way to
 * narrower column blocks where k needs too many windows, and to its fallback where it cannot run
 * (f16, batched, k not a multiple of its k block). 12 uniform bindings is WebGPU's minimum, and
 * the kernel uses at most 5 of them.
 */
function ran(c: GemmConfig, shape: Omit<BenchRequest, 'op' | 'kernel'> & { op?: 'gemm' | 'bmm' }): GemmConfig {
  const s = { m: shape.m!, k: shape.k ?? shape.m!, n: shape.n ?? shape.m!, batch: shape.batch ?? 1, dtype: shape.dtype ?? 'f32', transB: false };
  return effectiveGemmConfig(c, s, 12).config;
}

describe('every GEMM variant of the search space matches the CPU reference', () => {
  const configs = allConfigs();

  it(`has distinct variants to check (${configs.length})`, () => {
    assert.ok(configs.length >= 20);
    assert.ok(configs.some((c) => c.rowsPerThread < 4 && c.stage !== 'none'), 'a staged config with a scalar A panel');
    assert.ok(configs.some((c) => c.stage === 'none') && configs.some((c) => c.stage !== 'none'));
    assert.ok(configs.some((c) => !c.vec4));
  });

  it('f32, vec4 path (m 137, k 36, n 140: partial tiles on every side)', async (t) => {
    if (skip) return t.skip(skip);
    await verifyAll(configs, { m: 137, k: 36, n: 140 });
  });

  it('f32, scalar path (m 131, k 45, n 133)', async (t) => {
    if (skip) return t.skip(skip);
    await verifyAll(configs, { m: 131, k: 45, n: 133 });
  });

  it('f16 with f32 accumulation: one config of each structure (packed and scalar A panel, unstaged, scalar loads)', async (t) => {
    if (skip) return t.skip(skip);
    if (!hasF16) return t.skip('the adapter has no shader-f16');
    // The f16 code differs from f32 only in the storage types and the widening on load, which
    // every config shares; calibration also verifies each f16 candidate before timing it.
    const pick = [DEFAULT_GEMM, searchSpace('tall-skinny').find((c) => c.rowsPerThread < 4 && c.stage !== 'none')!,
      searchSpace('square').find((c) => c.stage === 'none')!, searchSpace('square').find((c) => c.stage === 'none' && !c.vec4)!];
    await verifyAll(pick, { m: 70, k: 36, n: 68, dtype: 'f16' });
    await verifyAll(pick, { m: 19, k: 37, n: 21, dtype: 'f16' });
  });

  it('subgroup kernels, where the adapter has one fixed subgroup size (k a multiple of it, and not)', async (t) => {
    if (skip) return t.skip(skip);
    if (!subgroupSize) return t.skip('the adapter has no subgroups of one fixed size');
    const configs = subgroupConfigs('square', subgroupSize);
    await verifyAll(configs, { m: 37, k: 8 * subgroupSize, n: 140 });
    await verifyAll(configs, { m: 13, k: 3 * subgroupSize + 1, n: 61 });
    await verifyAll(configs, { op: 'bmm', batch: 2, m: 9, k: 2 * subgroupSize, n: 36 });
  });

  it('uniform-B kernels: partial tiles and panels, several 64 KiB windows of k, and their fallback', async (t) => {
    if (skip) return t.skip(skip);
    if (!subgroupSize) return t.skip('the adapter has no subgroups of one fixed size');
    const configs = subgroupConfigs('square', subgroupSize).filter((c) => c.stage === 'uniform');
    assert.ok(configs.length >= 2);
    // (The subgroup test above runs them at m 37, k 64, n 140: several panels, a partial one.)
    await verifyAll(configs, { m: 5, k: 4 * subgroupSize, n: 12 });
    // k = 1056: three windows of 512 rows for the 32-column panels, so the k loop crosses
    // uniform bindings; the 64-column config would need five and runs with 32 columns. (Two
    // configs only: lavapipe takes seconds to compile a three-window kernel.)
    const long = { m: 29, k: 33 * 4 * subgroupSize, n: 44 };
    const narrow = configs.find((c) => c.colsPerThread === 4)!;
    const wide = configs.find((c) => c.colsPerThread > 4)!;
    await verifyAll([narrow, wide], long);
    assert.equal(ran(narrow, long), narrow, 'the long shape runs the narrow uniform kernel itself');
    assert.equal(ran(wide, long).stage, 'uniform', 'and the wide config the same rows with 32 columns');
    assert.equal(ran(wide, long).colsPerThread, 4);
    assert.equal(ran(wide, { ...long, k: 8 * 4 * 66 }).stage, 'none', 'beyond four windows even at 32 columns, the fallback');
    assert.notEqual(configLabel(ran(narrow, { m: 8, k: 4 * subgroupSize + 4, n: 8 })), configLabel(narrow), 'k off the block falls back');
  });

  it('batched (per-batch offsets), staged and unstaged, vec4 and scalar', async (t) => {
    if (skip) return t.skip(skip);
    const staged = searchSpace('batched').filter((c) => c.stage !== 'none').slice(0, 2);
    const unstaged = searchSpace('batched').filter((c) => c.stage === 'none').slice(0, 2);
    await verifyAll([...staged, ...unstaged], { op: 'bmm', batch: 3, m: 33, k: 20, n: 36 });
    await verifyAll([...staged, ...unstaged], { op: 'bmm', batch: 2, m: 21, k: 19, n: 23 });
  });
});

describe('the stored winner', () => {
  it('is the kernel a GEMM of its class runs, and the default runs without one', async (t) => {
    if (skip) return t.skip(skip);
    const square = searchSpace('square').find((c) => c.stage === 'none')!;
    const skinny = searchSpace('tall-skinny')[1];
    const tuned: TunedKernels = {
      f32: {
        square: { config: square, gflops: 1, shape: { m: 512, k: 512, n: 512, batch: 1 } },
        'tall-skinny': { config: skinny, gflops: 1, shape: { m: 8, k: 1024, n: 1024, batch: 1 } },
      },
    };
    const sq = await runBenchmark({ op: 'gemm', m: 96, k: 40, n: 72, repeats: 1 }, { timeoutMs: 60_000, tuned });
    assert.equal(sq.kernel, configLabel(square));
    assert.equal(sq.verified, true);
    const thin = await runBenchmark({ op: 'gemm', m: 5, k: 40, n: 72, repeats: 1 }, { timeoutMs: 60_000, tuned });
    assert.equal(thin.kernel, configLabel(skinny));
    assert.equal(thin.verified, true);
    const plain = await runBenchmark({ op: 'gemm', m: 96, k: 40, n: 72, repeats: 1 }, { timeoutMs: 60_000 });
    assert.equal(plain.kernel, configLabel(DEFAULT_GEMM));
  });

  it('refuses a config the adapter cannot run, naming the limit', async (t) => {
    if (skip) return t.skip(skip);
    const huge: GemmConfig = { tileM: 128, tileN: 128, tileK: 64, rowsPerThread: 8, colsPerThread: 8, vec4: true };
    const [answer] = await runBenchmarks([{ op: 'gemm', m: 64, kernel: huge, repeats: 1 }], { timeoutMs: 60_000 });
    assert.ok('error' in answer);
    assert.equal(answer.error.kind, 'unsupported');
    assert.match(answer.error.message, /workgroup memory/);
  });
});
