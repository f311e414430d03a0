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
import { predictMs } from '../../kernels/harness/predict';
import { normalize } from '../../kernels/harness/request';
import { BenchError } from '../../kernels/harness/types';
import { checkOutput, rowsToCheck, toleranceFor } from '../../kernels/harness/verify';
import { gemmReference } from '../../kernels/reference/gemm';
import { loadLocalDevice, saveLocalDevice } from '../../server/node/localDevice';

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
    assert.equal(normalize({ op: 'conv2d', batch: 2, conv: { cin: 3, h: 8, w: 8, cout: 4, kh: 3, kw: 3 } }).m, 2 * 6 * 6);
  });
});

describe('prediction and the local device', () => {
  const device = {
    id: 'local', name: 'test', peak: { fp32: 1e10, tf32: null, fp16: 2e10, bf16: null },
    bandwidth: 1e9, memoryBytes: null, sms: 1, measured: true,
  };

  it('predicts max(flops/peak, bytes/bandwidth)', () => {
    assert.deepEqual(predictMs({ flops: 2e10, bytes: 1e6, dtype: 'f32' }, device), { device: 'local', ms: 2000 });
    assert.deepEqual(predictMs({ flops: 2e10, bytes: 1e6, dtype: 'f16' }, device), { device: 'local', ms: 1000 });
    assert.deepEqual(predictMs({ flops: 0, bytes: 3e9, dtype: 'f32' }, device), { device: 'local', ms: 3000 });
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
