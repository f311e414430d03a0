/**
 * The parts of the harness that need no GPU: the output check (including that it fails on a
 * wrong result), the input generator, the sampling of rows, the prediction and the local device
 * file.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { randomValues, halvesToFloat } from '../../kernels/harness/fill';
import { bandwidthAt, efficiencyAt, executedFlops, predictMs } from '../../kernels/harness/predict';
import { normalize } from '../../kernels/harness/request';
import { BenchError } from '../../kernels/harness/types';
import { checkOutput, rowsToCheck, toleranceFor } from '../../kernels/harness/verify';
import { gemmReference } from '../../kernels/reference/gemm';
import { loadLocalDevice, loadTunedKernels, saveLocalDevice } from '../../server/node/localDevice';
import { TunedKernels, withTunedKernel } from '../../kernels/harness/tuned';
import { allConfigs, batchedLadder, calibrationShape, configLabel, configProblem, DEFAULT_GEMM, searchSpace, shapeClass, SHAPE_CLASSES, SQUARE_LADDER_START, subgroupConfigs, uniformConfig, uniformFallback } from '../../kernels/wgsl/gemmConfig';
import { packPanelsWgsl, uniformGemmWgsl, uniformPlan, uniformPlanFor, WINDOW_FLOATS } from '../../kernels/wgsl/gemmUniform';
import { tiledGemmWgsl } from '../../kernels/wgsl/gemm';
import { checkLabel, classEfficiency } from '../../server/cli/calibrate';
import { quietly } from '../../kernels/harness/timing';

describe('output check', () => {
  const a = randomValues(5 * 7, 'f32', 1);
  const b = randomValues(7 * 3, 'f32', 2);
  const { ref, scale } = gemmReference(a, b, { m: 5, k: 7, n: 3, strideA: 0, strideB: 0 }, [0, 1, 2, 3, 4]);

  it('accepts the reference rounded to f32', () => {
    const got = Float32Array.from(ref);
    const r = checkOutput(got, ref, scale, toleranceFor('f32', 'gemm', 'tiled'));
    assert.equal(r.ok, true);
    assert.ok(r.maxRelError < 1e-6);
    assert.equal(r.checked, 15);
  });

  it('rejects an output with one element off by 1%', () => {
    const got = Float32Array.from(ref);
    got[7] += 0.01 * scale[7];
    const r = checkOutput(got, ref, scale, toleranceFor('f32', 'gemm', 'tiled'));
    assert.equal(r.ok, false);
    assert.equal(r.firstFailure?.index, 7);
    assert.ok(r.maxRelError >= 0.0099);
  });

  it('rejects NaN and a transposed result', () => {
    const nan = Float32Array.from(ref);
    nan[0] = NaN;
    assert.equal(checkOutput(nan, ref, scale, 1e-4).ok, false);
    const swapped = Float32Array.from(ref);
    [swapped[1], swapped[3]] = [swapped[3], swapped[1]];
    assert.equal(checkOutput(swapped, ref, scale, 1e-4).ok, false);
  });

  it('uses a looser bound for f16 and an exact one for copies', () => {
    assert.ok(toleranceFor('f16', 'gemm', 'tiled') > toleranceFor('f32', 'gemm', 'tiled'));
    assert.equal(toleranceFor('f32', 'copy', 'shader'), 0);
  });
});

describe('inputs', () => {
  it('are never zero, lie in ±[1, 2) and depend on the seed', () => {
    for (const dtype of ['f32', 'f16'] as const) {
      const v = randomValues(10_001, dtype, 7);
      assert.equal(v.length, 10_001);
      for (const x of v) assert.ok(Math.abs(x) >= 1 && Math.abs(x) < 2, `${x}`);
      const negatives = v.filter((x) => x < 0).length;
      assert.ok(negatives > 4000 && negatives < 6000, `${negatives} negatives`);
      assert.notDeepEqual(randomValues(16, dtype, 8), randomValues(16, dtype, 7));
    }
  });

  it('widens f16 bit patterns exactly', () => {
    assert.deepEqual([...halvesToFloat(Uint16Array.from([0x3c00, 0xc000, 0x7bff, 0x0001]))], [1, -2, 65504, 2 ** -24]);
  });
});

describe('verification budget', () => {
  it('checks every row within budget and samples edges beyond it', () => {
    assert.deepEqual(rowsToCheck(4, 10, 1000, false), { rows: [0, 1, 2, 3], complete: true });
    const s = rowsToCheck(1000, 1e6, 1e7, false);
    assert.equal(s.complete, false);
    assert.ok(s.rows.includes(0) && s.rows.includes(999));
    assert.ok(s.rows.length <= 10);
    assert.equal(rowsToCheck(1000, 1e6, 1e7, true).complete, true);
  });
});

describe('requests', () => {
  it('refuses bad sizes and unknown variants before forking', () => {
    assert.throws(() => normalize({ op: 'gemm', m: 0 }), BenchError);
    assert.throws(() => normalize({ op: 'gemm', m: 1.5 }), BenchError);
    assert.throws(() => normalize({ op: 'conv2d', variant: 'flash' }), /no variant 'flash'/);
    assert.throws(() => normalize({ op: 'attention', k: 512 }), /head dim/);
    assert.throws(() => normalize({ op: 'fma', variant: 'chain8', k: 12 }), /steps of 8/);
    assert.equal(normalize({ op: 'fma', variant: 'chain8' }).k, 512);
    assert.equal(normalize({ op: 'conv2d', batch: 2, conv: { cin: 3, h: 8, w: 8, cout: 4, kh: 3, kw: 3 } }).m, 2 * 6 * 6);
  });
});

describe('prediction and the local device', () => {
  const device = {
    id: 'local', name: 'test', peak: { fp32: 1e10, tf32: null, fp16: 2e10, bf16: null },
    bandwidth: 1e9, memoryBytes: null, sms: 1, measured: true,
  };

  it('predicts max(flops/peak, bytes/bandwidth)', () => {
    assert.deepEqual(predictMs({ flops: 2e10, bytes: 1e6, dtype: 'f32' }, device), { device: 'local', ms: 2000, rooflineMs: 2000, overheadMs: 0, efficiency: 1, bandwidth: 1e9 });
    assert.equal(predictMs({ flops: 2e10, bytes: 1e6, dtype: 'f16' }, device).ms, 1000);
    assert.equal(predictMs({ flops: 0, bytes: 3e9, dtype: 'f32' }, device).ms, 3000);
  });

  it('adds the measured launch overhead, and divides a GEMM\'s roofline time by its class\'s efficiency', () => {
    const learned = { ...device, launchOverheadS: 0.0005, gemmEfficiency: { square: 0.5, 'tall-skinny': 0.25, batched: 0.8 } };
    // 1024³: 2.1e9 FLOP (210 ms at 10 GFLOP/s) and 12.6 MB (12.6 ms at 1 GB/s): compute-bound.
    const sq = { op: 'gemm' as const, m: 1024, k: 1024, n: 1024, batch: 1, flops: 2 * 1024 ** 3, bytes: 4 * 3 * 1024 ** 2, dtype: 'f32' as const };
    const p = predictMs(sq, learned);
    assert.ok(Math.abs(p.rooflineMs - 214.748) < 1e-3);
    assert.equal(p.overheadMs, 0.5);
    assert.equal(p.efficiency, 0.5);
    assert.ok(Math.abs(p.ms - (0.5 + p.rooflineMs / 0.5)) < 1e-9);
    // m = 2: the tall-skinny class, memory-bound.
    const thin = { op: 'gemm' as const, m: 2, k: 4096, n: 4096, batch: 1, flops: 2 * 2 * 4096 ** 2, bytes: 4 * (2 * 4096 + 4096 ** 2 + 2 * 4096), dtype: 'f32' as const };
    const q = predictMs(thin, learned);
    assert.equal(q.efficiency, 0.25);
    assert.ok(Math.abs(q.rooflineMs - thin.bytes / 1e6) < 1e-9);
    // The class's efficiency scales the compute term only: this shape stays memory-bound.
    assert.ok(Math.abs(q.ms - (0.5 + thin.bytes / 1e6)) < 1e-9);
    // A measured class bandwidth replaces the copy kernel's in the memory term.
    const fast = predictMs(thin, { ...learned, gemmBandwidth: { 'tall-skinny': 4e9 } });
    assert.equal(fast.bandwidth, 4e9);
    assert.ok(Math.abs(fast.ms - (0.5 + Math.max(thin.flops / (1e10 * 0.25), thin.bytes / 4e9) * 1e3)) < 1e-9);
    assert.equal(predictMs({ ...sq, op: 'bmm', batch: 4 }, learned).efficiency, 0.8);
    // A tiny GEMM is all launch overhead; a copy gets the overhead but no GEMM efficiency.
    const tiny = predictMs({ op: 'gemm', m: 4, k: 4, n: 4, batch: 1, flops: 128, bytes: 192, dtype: 'f32' }, learned);
    assert.ok(tiny.ms > 0.5 && tiny.ms < 0.501);
    const copy = predictMs({ op: 'copy', m: 1e6, n: 1, batch: 1, flops: 0, bytes: 8e6, dtype: 'f32' }, learned);
    assert.equal(copy.efficiency, 1);
    assert.equal(copy.ms, 8.5);
  });

  it('counts the work the named kernel executes: m and n padded to its tile in the compute term', () => {
    const eight = { tileM: 8, tileN: 32, tileK: 4, rowsPerThread: 8, colsPerThread: 4, vec4: true, stage: 'none' as const };
    const gemv = { op: 'gemm' as const, m: 1, k: 1024, n: 1000, batch: 1, flops: 2 * 1024 * 1000, bytes: 4 * (1024 + 1024 * 1000 + 1000), dtype: 'f32' as const };
    // 1 row padded to 8, 1000 columns to 1024: 8·1024 / (1·1000) times the useful FLOPs.
    assert.equal(executedFlops({ ...gemv, kernelConfig: eight }), 2 * 1024 * 8 * 1024);
    // Without a kernel (or for another op) the useful FLOPs stand.
    assert.equal(executedFlops(gemv), gemv.flops);
    assert.equal(executedFlops({ ...gemv, op: 'conv2d', kernelConfig: eight }), gemv.flops);
    // The plain roofline keeps the useful FLOPs; the model's compute term uses the executed ones.
    const slow = { ...device, peak: { ...device.peak, fp32: 1e8 }, bandwidth: 1e12 };
    const p = predictMs({ ...gemv, kernelConfig: eight }, slow);
    assert.ok(Math.abs(p.rooflineMs - (gemv.flops / 1e8) * 1e3) < 1e-9);
    assert.ok(Math.abs(p.ms - (2 * 1024 * 8 * 1024 / 1e8) * 1e3) < 1e-9);
    // m = 1, 2, 4, 8 on the 8-row tile: the same executed work, the same predicted time.
    const times = [1, 2, 4, 8].map((m) => predictMs({ ...gemv, m, n: 1024, flops: 2 * m * 1024 * 1024, kernelConfig: eight }, slow).ms);
    assert.ok(times.every((t) => Math.abs(t - times[3]) < 1e-9));
  });

  it('follows the square ladder\'s efficiencies with the size of the GEMM, log-linearly, clamped outside them', () => {
    const f = (s: number) => 2 * s ** 3;
    const ladder = { ...device, gemmEfficiency: { square: 1, [`square@${f(256)}`]: 1, [`square@${f(1024)}`]: 0.5, batched: 0.8 } };
    assert.equal(efficiencyAt(ladder, 'square', f(256)), 1);
    assert.equal(efficiencyAt(ladder, 'square', f(1024)), 0.5);
    // 512³ is halfway between 256³ and 1024³ in log(FLOPs): 0.75.
    assert.ok(Math.abs(efficiencyAt(ladder, 'square', f(512))! - 0.75) < 1e-12);
    // Outside the ladder: the nearest measured size.
    assert.equal(efficiencyAt(ladder, 'square', f(64)), 1);
    assert.equal(efficiencyAt(ladder, 'square', f(4096)), 0.5);
    // A class without sizes keeps its one figure; an unknown class has none.
    assert.equal(efficiencyAt(ladder, 'batched', f(512)), 0.8);
    // A class measured at one size (0.8 at 256³'s FLOPs) follows the square ladder from there:
    // at 1024³'s FLOPs the square class halves, so this one does too.
    const sized = { ...ladder, gemmEfficiency: { ...ladder.gemmEfficiency, [`batched@${f(256)}`]: 0.8 } };
    assert.ok(Math.abs(efficiencyAt(sized, 'batched', f(1024))! - 0.4) < 1e-12);
    assert.ok(Math.abs(efficiencyAt(sized, 'batched', f(256))! - 0.8) < 1e-12);
    // A class measured at several sizes (calibration's batched ladder) follows its own points, not
    // the square class's change: rising from 0.4 to 0.8 where the square ladder halves.
    const own = { ...ladder, gemmEfficiency: { ...ladder.gemmEfficiency, [`batched@${f(256)}`]: 0.4, [`batched@${f(1024)}`]: 0.8 } };
    assert.ok(Math.abs(efficiencyAt(own, 'batched', f(512))! - 0.6) < 1e-12);
    assert.equal(efficiencyAt(own, 'batched', f(4096)), 0.8);
    assert.equal(efficiencyAt(ladder, 'tall-skinny', f(512)), undefined);
    const sq = { op: 'gemm' as const, m: 512, k: 512, n: 512, batch: 1, flops: f(512), bytes: 4 * 3 * 512 ** 2, dtype: 'f32' as const };
    const p = predictMs(sq, ladder);
    assert.ok(Math.abs(p.efficiency - 0.75) < 1e-12);
    assert.ok(Math.abs(p.ms - (f(512) / (1e10 * 0.75)) * 1e3) < 1e-9);
  });

  it('follows a class\'s bandwidth with the footprint between the sizes calibration measured it at', () => {
    const footprints = { ...device, gemmBandwidth: { 'tall-skinny': 2e9, [`tall-skinny@${2 ** 21}`]: 8e9, [`tall-skinny@${2 ** 23}`]: 2e9 } };
    assert.equal(bandwidthAt(footprints, 'tall-skinny', 2 ** 20), 8e9);
    assert.equal(bandwidthAt(footprints, 'tall-skinny', 2 ** 22), 5e9);
    assert.equal(bandwidthAt(footprints, 'tall-skinny', 2 ** 24), 2e9);
    // A memory-bound GEMV of 4 MiB is predicted at the interpolated bandwidth, not the class's last figure.
    const r = { op: 'gemm' as const, dtype: 'f32' as const, m: 1, k: 1024, n: 1024, batch: 1, flops: 2 * 1024 * 1024, bytes: 4 * (1024 + 1024 * 1024 + 1024) };
    const p = predictMs(r, { ...footprints, peak: { ...device.peak, fp32: 1e15 } });
    assert.ok(Math.abs(p.bandwidth - bandwidthAt(footprints, 'tall-skinny', r.bytes)!) < 1);
    assert.ok(p.bandwidth > 4.9e9 && p.bandwidth < 5.1e9, String(p.bandwidth));
    // Without footprints the class's figure stands.
    assert.equal(bandwidthAt({ ...footprints, gemmBandwidth: { 'tall-skinny': 3e9 } }, 'tall-skinny', 2 ** 22), 3e9);
  });

  it('measures a class efficiency as compute time at peak over measured time less the launch overhead', () => {
    const d = { ...device, launchOverheadS: 0.001 };
    // 1e10 FLOP: 1000 ms on the roofline; measured 2001 ms, of which 1 ms is the launch.
    assert.equal(classEfficiency(d, 'f32', 2001, 1e10, 1e6), 0.5);
    assert.equal(classEfficiency(d, 'f32', 1e9, 1e10, 1e6), 0.02);
    assert.equal(classEfficiency(d, 'f32', 1, 1e10, 1e6), 4);
  });

  it('round-trips the tuned kernels with the device, and picks the winner of a GEMM\'s class', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-local-'));
    const old = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = dir;
    try {
      assert.equal(loadTunedKernels(), undefined);
      const square = searchSpace('square')[3];
      const skinny = searchSpace('tall-skinny').find((c) => c.stage === 'none')!;
      const f16 = searchSpace('square')[2];
      const tuned: TunedKernels = {
        f32: {
          square: { config: square, gflops: 7, shape: { m: 512, k: 512, n: 512, batch: 1 } },
          'tall-skinny': { config: skinny, gflops: 3, shape: { m: 8, k: 1024, n: 1024, batch: 1 } },
        },
        f16: { square: { config: f16, gflops: 5, shape: { m: 512, k: 512, n: 512, batch: 1 } } },
      };
      saveLocalDevice({ ...device, launchOverheadS: 2e-4, gemmEfficiency: { square: 0.9 } }, { gemmKernels: tuned });
      const back = loadTunedKernels();
      assert.deepEqual(back, tuned);
      assert.equal(loadLocalDevice()?.launchOverheadS, 2e-4);
      assert.deepEqual(loadLocalDevice()?.gemmEfficiency, { square: 0.9 });
      assert.deepEqual(withTunedKernel({ op: 'gemm', m: 300, k: 64, n: 300 }, back).kernel, square);
      assert.deepEqual(withTunedKernel({ op: 'gemm', m: 8, k: 64, n: 300 }, back).kernel, skinny);
      // No batched winner: the f32 square one; f16 square: its own; f16 tall-skinny: the f32 one.
      assert.deepEqual(withTunedKernel({ op: 'bmm', batch: 4, m: 300, k: 64, n: 300 }, back).kernel, square);
      assert.deepEqual(withTunedKernel({ op: 'gemm', dtype: 'f16', m: 300 }, back).kernel, f16);
      assert.deepEqual(withTunedKernel({ op: 'gemm', dtype: 'f16', m: 4 }, back).kernel, skinny);
      // An explicit kernel, another variant or another op is left alone.
      assert.deepEqual(withTunedKernel({ op: 'gemm', m: 300, kernel: DEFAULT_GEMM }, back).kernel, DEFAULT_GEMM);
      assert.equal(withTunedKernel({ op: 'gemm', m: 300, variant: 'tfjs' }, back).kernel, undefined);
      assert.equal(withTunedKernel({ op: 'attention', m: 300 }, back).kernel, undefined);
      // A malformed entry is dropped, the rest kept.
      const file = path.join(dir, 'tensorcost', 'local-device.json');
      const raw = JSON.parse(fs.readFileSync(file, 'utf8'));
      raw.gemmKernels.f32.square.config.tileM = 3;
      fs.writeFileSync(file, JSON.stringify(raw));
      assert.equal(loadTunedKernels()?.f32?.square, undefined);
      assert.deepEqual(loadTunedKernels()?.f32?.['tall-skinny']?.config, skinny);
    } finally {
      if (old === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = old;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('saves and loads under XDG_CONFIG_HOME, and ignores a corrupt file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-local-'));
    const old = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = dir;
    try {
      assert.equal(loadLocalDevice(), undefined);
      const file = saveLocalDevice(device, { measurements: { copyKernelGBps: 1 } });
      assert.equal(file, path.join(dir, 'tensorcost', 'local-device.json'));
      assert.deepEqual(loadLocalDevice(), device);
      fs.writeFileSync(file, '{"version": 1, "device": {"id": "local"}}');
      assert.equal(loadLocalDevice(), undefined);
    } finally {
      if (old === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = old;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the GEMM search space', () => {
  it('holds only configs every WebGPU adapter can run (default limits: 256 threads, 16 KiB)', () => {
    for (const cls of SHAPE_CLASSES) {
      assert.ok(searchSpace(cls).length >= 8, cls);
      for (const c of searchSpace(cls)) assert.equal(configProblem(c), null, configLabel(c));
    }
  });

  it('varies tiles, k-panels, register blocks, workgroup shapes, loads and staging', () => {
    const all = allConfigs();
    const distinct = (f: (c: (typeof all)[number]) => unknown) => new Set(all.map(f)).size;
    assert.ok(distinct((c) => c.tileM) >= 4 && distinct((c) => c.tileN) >= 3 && distinct((c) => c.tileK) >= 3);
    assert.ok(distinct((c) => `${c.rowsPerThread}×${c.colsPerThread}`) >= 5);
    assert.ok(distinct((c) => configLabel(c).replace(/.*\(/, '')) >= 5, 'workgroup shapes');
    assert.equal(distinct((c) => c.vec4), 2);
    assert.equal(distinct((c) => c.stage ?? 'workgroup'), 2);
  });

  it('refuses impossible configs with the reason', () => {
    assert.match(configProblem({ ...DEFAULT_GEMM, tileM: 48 }) ?? '', /power of two/);
    assert.match(configProblem({ ...DEFAULT_GEMM, colsPerThread: 2 }) ?? '', /at least 4/);
    assert.match(configProblem({ tileM: 128, tileN: 128, tileK: 32, rowsPerThread: 4, colsPerThread: 4, vec4: true }) ?? '', /threads per workgroup/);
    assert.match(configProblem({ ...DEFAULT_GEMM, tileK: 64 }) ?? '', /workgroup memory/);
    assert.match(configProblem({ ...DEFAULT_GEMM, stage: 'none' }) ?? '', /rowsPerThread must equal tileM/);
    assert.match(configProblem({ ...DEFAULT_GEMM, subgroup: 8 }) ?? '', /unstaged kernels only/);
    assert.match(configProblem({ ...subgroupConfigs('square', 8).find((c) => c.stage === 'none')!, subgroup: 16 }) ?? '', /whole subgroups/);
    const uniform = uniformConfig(12, 8, 4);
    assert.equal(configProblem(uniform), null);
    assert.match(configProblem({ ...uniform, subgroup: 16 }) ?? '', /one subgroup/);
    assert.match(configProblem({ ...uniform, tileK: 32 }) ?? '', /subgroup size \(tileK\)/);
    assert.equal(configProblem(uniformConfig(24, 8, 8)), null);
    assert.match(configProblem(uniformConfig(16, 8, 16)) ?? '', /48 vec4 accumulators/);
    for (const c of subgroupConfigs('square', 32)) assert.equal(configProblem(c), null, configLabel(c));
    assert.throws(() => normalize({ op: 'gemm', kernel: { ...DEFAULT_GEMM, tileN: 0 } }), /bad kernel config/);
    assert.throws(() => normalize({ op: 'gemm', variant: 'naive', kernel: DEFAULT_GEMM }), /tiled gemm and bmm only/);
  });

  it('plans the uniform-B kernel: 64 KiB windows of whole k blocks, few windows, or the reason it cannot run', () => {
    const c = uniformConfig(12, 8, 4);
    const plan = (m: number, k: number, n: number, more: Partial<{ batch: number; dtype: 'f32' | 'f16'; transB: boolean }> = {}) =>
      uniformPlan(c, { m, k, n, batch: 1, dtype: 'f32', transB: false, ...more }, 12);
    assert.deepEqual(plan(512, 512, 512), { panel: 32, kw: 512, windows: 1, panels: 16 });
    assert.deepEqual(plan(1024, 1024, 1024), { panel: 32, kw: 512, windows: 2, panels: 32 });
    // One window either way: the widest panel that the matrix fills.
    assert.deepEqual(plan(128, 128, 128), { panel: 128, kw: 128, windows: 1, panels: 1 });
    for (const p of [plan(512, 512, 512), plan(1024, 1024, 1024), plan(128, 128, 128)]) {
      if (typeof p === 'string') continue;
      assert.equal(p.kw * p.panel, WINDOW_FLOATS, 'a window is 64 KiB');
      assert.equal(p.kw % c.tileK, 0, 'a window holds whole k blocks');
    }
    assert.match(String(plan(64, 100, 64)), /multiple of 8/);
    assert.match(String(plan(64, 64, 66)), /multiple of 4/);
    assert.match(String(plan(64, 64, 64, { batch: 2 })), /one product/);
    assert.match(String(plan(64, 64, 64, { dtype: 'f16' })), /f32 only/);
    assert.match(String(plan(64, 64, 64, { transB: true })), /row-major B/);
    assert.match(String(plan(64, 4096, 64)), /uniform windows/);
    assert.equal(uniformFallback(c).stage, 'none');
    assert.equal(uniformFallback(c).subgroup, 8);
    // A wide config gives way to the same rows with narrower column blocks where k needs more
    // windows than it may bind (64 columns: 256 k per window; 32 columns: 512), then to nothing.
    const wide = uniformConfig(16, 8, 8);
    const s = (k: number) => ({ m: 64, k, n: 64, batch: 1, dtype: 'f32' as const, transB: false });
    const at1024 = uniformPlanFor(wide, s(1024), 12);
    assert.ok(typeof at1024 !== 'string' && at1024.config === wide && at1024.plan.windows === 4);
    const at2048 = uniformPlanFor(wide, s(2048), 12);
    assert.ok(typeof at2048 !== 'string' && at2048.config.colsPerThread === 4 && at2048.config.tileN === 32 && at2048.plan.windows === 4);
    assert.equal(at2048.config.rowsPerThread, 16);
    assert.match(String(uniformPlanFor(wide, s(4096), 12)), /uniform windows/);
  });

  it('generates WGSL whose workgroup size and memory follow the config', () => {
    const code = tiledGemmWgsl({ dtype: 'f32', transB: false, vecA: true, vecB: true, vecC: true, config: { tileM: 128, tileN: 64, tileK: 16, rowsPerThread: 8, colsPerThread: 8, vec4: true } });
    assert.match(code, /@workgroup_size\(8, 16\)/);
    assert.match(code, /var<workgroup> As: array<vec4<f32>, 512>/);
    assert.match(code, /var<workgroup> Bs: array<vec4<f32>, 256>/);
    assert.equal(code.match(/acc\d+_\d+ \+=/g)?.length, 16);
    const flat = tiledGemmWgsl({ dtype: 'f16', transB: false, vecA: false, vecB: false, vecC: false, config: searchSpace('tall-skinny').find((c) => c.stage === 'none')! });
    assert.doesNotMatch(flat, /var<workgroup>|workgroupBarrier/);
    assert.match(flat, /enable f16/);
    const unstaged = subgroupConfigs('square', 8).find((c) => c.stage === 'none')!;
    const sg = tiledGemmWgsl({ dtype: 'f32', transB: false, vecA: true, vecB: true, vecC: true, config: unstaged, subgroup: 8 });
    assert.match(sg, /enable subgroups/);
    // One broadcast per row of the thread's block per k step of the subgroup's 8.
    assert.equal(sg.match(/subgroupBroadcast\(/g)?.length, unstaged.rowsPerThread * 8);
    // Without a usable subgroup size (k not a multiple of it) the same config is the plain kernel.
    assert.doesNotMatch(tiledGemmWgsl({ dtype: 'f32', transB: false, vecA: true, vecB: true, vecC: true, config: unstaged }), /subgroup/);
    // The uniform-B kernel: one uniform binding per window after the parameters, one broadcast
    // per row per k of its 8-step block, per window; a row's products summed eight k at a time.
    const uc = uniformConfig(12, 8, 4);
    const plan = uniformPlan(uc, { m: 1024, k: 1024, n: 1024, batch: 1, dtype: 'f32', transB: false }, 12);
    assert.ok(typeof plan !== 'string');
    const ub = uniformGemmWgsl(uc, plan);
    assert.equal(ub.match(/var<uniform> W\d+: array<vec4<f32>, 4096>/g)?.length, 2);
    assert.equal(ub.match(/subgroupBroadcast\(/g)?.length, 2 * 12 * 8);
    assert.equal(ub.match(/acc\d+_\d+ \+=/g)?.length, 2 * 12);
    assert.match(ub, /var<storage, read> A1: array<f32>/, 'A is read one scalar per lane');
    assert.match(ub, /@workgroup_size\(8, 1\)/);
    assert.match(packPanelsWgsl(32), /P\.panels \* P\.kpad \* 8u/);
  });

  it('classifies shapes: few rows, batched, the rest square', () => {
    assert.equal(shapeClass(1, 4096, 1), 'tall-skinny');
    assert.equal(shapeClass(64, 64, 8), 'tall-skinny');
    assert.equal(shapeClass(65, 4096, 8), 'batched');
    assert.equal(shapeClass(1024, 1024, 1), 'square');
    assert.equal(shapeClass(4096, 8, 1), 'square');
  });
});

describe('calibration shapes and labels', () => {
  it('fits the model on shapes off the bench\'s powers of two, so that the bench checks held-out shapes', () => {
    const pow2 = (x: number) => (x & (x - 1)) === 0;
    for (const software of [true, false]) {
      const thin = calibrationShape('tall-skinny', software);
      const batched = calibrationShape('batched', software);
      assert.equal(shapeClass(thin.m, thin.n, thin.batch), 'tall-skinny');
      assert.equal(shapeClass(batched.m, batched.n, batched.batch), 'batched');
      // The bench's rows are m = 1, 2, 4, 8 against k = n = 2^j, squares 2^j and batches 8×2^j, 4×2^j.
      assert.ok(!pow2(thin.m) && !pow2(thin.k), `tall-skinny ${JSON.stringify(thin)}`);
      assert.ok(!pow2(batched.m) && !pow2(batched.batch), `batched ${JSON.stringify(batched)}`);
    }
    for (let s = SQUARE_LADDER_START; s <= 2048; s *= 2) assert.ok(!pow2(s));
    for (const software of [true, false]) {
      const steps = batchedLadder(software);
      const base = calibrationShape('batched', software);
      assert.ok(steps.some((e) => JSON.stringify(e) === JSON.stringify(base)), 'the ladder holds the calibration shape');
      const flops = steps.map((e) => 2 * e.batch * e.m * e.k * e.n);
      assert.ok(flops.every((x, i) => i === 0 || x > flops[i - 1]), 'sizes rise');
      for (const e of steps) {
        assert.equal(shapeClass(e.m, e.n, e.batch), 'batched');
        assert.ok(!pow2(e.m) && !pow2(e.batch), `batched ${JSON.stringify(e)}`);
      }
      // It brackets the bench's batched rows (8×128³, 4×256³ on a CPU adapter) in FLOPs.
      if (software) for (const [b, s] of [[8, 128], [4, 256]]) assert.ok(flops[0] < 2 * b * s ** 3 && 2 * b * s ** 3 < flops[2]);
    }
  });

  it('says that a sampled check passed instead of "verified false", and calls a failed one wrong', () => {
    const base = { maxRelError: 4.7e-5, tolerance: 2e-3, checkedElements: 1048576, totalElements: 4194304 };
    assert.match(checkLabel({ ...base, verified: false }), /^checked on a sample: 1048576 of 4194304 outputs match/);
    assert.match(checkLabel({ ...base, verified: true, checkedElements: 4194304 }), /^verified/);
    assert.match(checkLabel({ ...base, verified: false, maxRelError: 0.5 }), /^WRONG/);
  });
});

describe('waiting for the GPU without spinning', () => {
  it('returns the promise\'s value and rejection, with the thread asleep between polls', async () => {
    assert.equal(await quietly(new Promise((r) => setTimeout(() => r(7), 20))), 7);
    await assert.rejects(quietly(new Promise((_, reject) => setTimeout(() => reject(new Error('lost')), 5))), /lost/);
    // Dawn's Node binding settles its promises from a setImmediate loop that polls while any is
    // pending; awaited plainly, such a promise keeps the thread busy for its whole duration.
    const dawnLike = (ms: number) => new Promise<void>((resolve) => {
      const end = performance.now() + ms;
      const tick = () => (performance.now() >= end ? resolve() : setImmediate(tick));
      tick();
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await quietly(dawnLike(100));
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    assert.ok(wall >= 100);
    assert.ok((cpu.user + cpu.system) / 1e3 < 0.3 * wall, `${(cpu.user + cpu.system) / 1e3} ms of CPU in ${wall} ms`);
  });
});
