/**
 * Rules on IR built by hand with the core's own op rules, independent of how far the Python
 * frontend models a call: the numbers each message must carry (docs/cost-model.md).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateOp } from '../../server/core/cost/evaluate';
import { findDevice } from '../../server/core/devices';
import { DType } from '../../server/core/dtypes';
import { FileIR, Range, TensorOp } from '../../server/core/ir';
import { conv, DEFAULT_GEOMETRY } from '../../server/core/ops/conv';
import { matmul } from '../../server/core/ops/matmul';
import { reduce } from '../../server/core/ops/reduction';
import { OpResult } from '../../server/core/ops/types';
import { runRules } from '../../server/core/rules/run';
import { ManualAttentionSignal } from '../../server/core/rules/signals';
import { withDefaults } from '../../server/core/settings';
import { Poly } from '../../server/core/symbolic';

const P = (...xs: number[]) => xs.map((x) => Poly.const(x));
const at = (line: number, a = 0, b = 10): Range => ({ start: { line, character: a }, end: { line, character: b } });
const bindings = new Map<string, number>();

function op(r: OpResult, range: Range, dtype: DType, inputs: TensorOp['inputs'], repeat?: number): TensorOp {
  return { kind: r.kind, name: 'x', range, function: 'f', inputs, output: r.output, dtype, cost: r.cost, attrs: r.attrs, repeat: repeat ? Poly.const(repeat) : undefined };
}

function run(ops: TensorOp[], signals: Record<string, unknown[]> = {}, device = 'h100', settings = {}) {
  const ir: FileIR = { path: 'x.py', language: 'python', ops, functions: [], findings: [], unmodelled: [], facts: { dims: new Map(), directiveDims: new Map(), noqa: new Map(), fileIgnores: new Set() }, signals };
  const d = findDevice(device)!;
  return runRules(ir, ops.map((o) => evaluateOp(o, d, bindings)), d, withDefaults(settings), bindings);
}

function attention(L: number, B: number, H: number, dtype: DType, settings = {}) {
  const q = { shape: P(B, H, L, 64), dtype };
  const kT = { shape: P(B, H, 64, L), dtype };
  const scores = op(matmul(q, kT, { bindings, dtype }), at(1), dtype, [q, kT]);
  const p = { shape: P(B, H, L, L), dtype };
  const v = { shape: P(B, H, L, 64), dtype };
  const out = op(matmul(p, v, { bindings, dtype }), at(3), dtype, [p, v]);
  const sig: ManualAttentionSignal = {
    scores: at(1), softmax: at(2), output: at(3), q: 'q', k: 'k', v: 'v', causal: false, scale: 'default', indent: '', framework: 'torch', sdpaCallee: 'F.scaled_dot_product_attention',
  };
  return run([scores, out], { manualAttention: [sig] }, 'h100', settings);
}

describe('attention figures (docs/cost-model.md: per head fp32 at L=4096 is 64 MiB; B·H·L²·bytes in all)', () => {
  it('L=4096, one head, fp32: 64 MiB is under the 256 MiB threshold', () => {
    const f = attention(4096, 1, 1, 'fp32');
    assert.equal(f.filter((x) => x.code === 'TC201').length, 0);
    assert.match(f.find((x) => x.code === 'TC202')!.message, /\(1, 1, 4096, 4096\) fp32 scores/);
  });

  it('L=4096, B=1, H=8, fp32: 512 MiB = 8 × 64 MiB fires TC201', () => {
    const f = attention(4096, 1, 8, 'fp32').find((x) => x.code === 'TC201')!;
    assert.match(f.message, /take 512 MiB \(8 score matrices of 64 MiB, B·H·L²·4 B\) ≥ 256 MiB/);
  });

  it('fp16 halves the bytes: L=2048, B=8, H=16 is 1 GiB', () => {
    const f = attention(2048, 8, 16, 'fp16').find((x) => x.code === 'TC201')!;
    assert.match(f.message, /fp16 take 1 GiB \(128 score matrices of 8 MiB, B·H·L²·2 B\)/);
  });

  it('the TC201 threshold is a setting', () => {
    assert.equal(attention(4096, 1, 8, 'fp32', { thresholds: { attentionScoresMiB: 1024 } }).filter((x) => x.code === 'TC201').length, 0);
    assert.equal(attention(4096, 1, 8, 'fp32', { thresholds: { attentionScoresMiB: 100 } }).filter((x) => x.code === 'TC201').length, 1);
  });

  it('TC202 gives the bytes saved and the time at the device bandwidth', () => {
    const f = attention(1024, 8, 12, 'fp32').find((x) => x.code === 'TC202')!;
    // 6 passes (write, scale read+write, softmax read+write, read) over 384 MiB, plus q, k, v,
    // out at 24 MiB each; 2.25 GiB at 3.35 TB/s is 721 µs.
    assert.match(f.message, /6 passes over the \(8, 12, 1024, 1024\) fp32 scores move 2\.34 GiB per call where F\.scaled_dot_product_attention moves 96 MiB \(saves 2\.25 GiB, ~721 µs at 3\.35 TB\/s on H100 SXM\)/);
  });
});

describe('TC402 im2col memory', () => {
  it('(32, 64, 224, 224) 3×3 fp32: 1,605,632 × 576 elements = 3.45 GiB', () => {
    const x = { shape: P(32, 64, 224, 224), dtype: 'fp32' as DType };
    const r = conv(x, P(64, 64, 3, 3), { ...DEFAULT_GEOMETRY, padding: P(1) }, { bindings, dtype: 'fp32' });
    const f = run([op(r, at(5), 'fp32', [x])]).filter((y) => y.code === 'TC402');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /1,605,632 × 576 fp32 elements = 3\.45 GiB \(> 256 MiB\)/);
  });

  it('a threshold of 4096 MiB silences it', () => {
    const x = { shape: P(32, 64, 224, 224), dtype: 'fp32' as DType };
    const r = conv(x, P(64, 64, 3, 3), { ...DEFAULT_GEOMETRY, padding: P(1) }, { bindings, dtype: 'fp32' });
    assert.equal(run([op(r, at(5), 'fp32', [x])], {}, 'h100', { thresholds: { im2colMiB: 4096 } }).filter((y) => y.code === 'TC402').length, 0);
  });
});

describe('TC302 fp16 reductions', () => {
  it('an fp16 sum over 65536 elements fires; over 1024 it does not', () => {
    const big = { shape: P(8, 65536), dtype: 'fp16' as DType };
    const small = { shape: P(8, 1024), dtype: 'fp16' as DType };
    const f = run([op(reduce(big, [1], false, 'sum', { bindings, dtype: 'fp16' }), at(1), 'fp16', [big]), op(reduce(small, [1], false, 'sum', { bindings, dtype: 'fp16' }), at(2), 'fp16', [small])]);
    const t = f.filter((x) => x.code === 'TC302');
    assert.equal(t.length, 1);
    assert.match(t[0].message, /fp16 sum over 65,536 elements/);
  });
});

describe('TC101 / TC102 / TC303 thresholds and devices', () => {
  const gemm = (m: number, k: number, n: number, dtype: DType) => {
    const a = { shape: P(m, k), dtype };
    const b = { shape: P(k, n), dtype };
    return op(matmul(a, b, { bindings, dtype }), at(1), dtype, [a, b]);
  };

  it('lowIntensityFactor moves the line: 64 rows fp16 is 4.7× below the ridge', () => {
    const g = gemm(64, 8192, 8192, 'fp16');
    assert.equal(run([g]).filter((x) => x.code === 'TC101').length, 1);
    assert.equal(run([g], {}, 'h100', { thresholds: { lowIntensityFactor: 8 } }).filter((x) => x.code === 'TC101').length, 0);
  });

  it('TC303 stays silent on devices whose tensor cores are no faster (M2 Max)', () => {
    const g = gemm(4096, 4096, 4096, 'fp32');
    assert.equal(run([g], { imports: [{ module: 'torch', alias: 'torch' }] }, 'm2max').filter((x) => x.code === 'TC303').length, 0);
    const v100 = run([g], { imports: [{ module: 'torch', alias: 'torch' }] }, 'v100').find((x) => x.code === 'TC303')!;
    // V100 has neither TF32 nor bf16: the suggestion is fp16 autocast at its 125 TFLOP/s tensor peak.
    assert.match(v100.message, /fp32 units; fp16 autocast \+ GradScaler ≥1\.1 ms/);
  });

  it('TC102 counts batch tiles: 2 × 2 × 2 = 8 tiles of fp32 (2, 256, 65536) @ (2, 65536, 256)', () => {
    const a = { shape: P(2, 256, 65536), dtype: 'fp32' as DType };
    const b = { shape: P(2, 65536, 256), dtype: 'fp32' as DType };
    const f = run([op(matmul(a, b, { bindings, dtype: 'fp32' }, 'bmm'), at(1), 'fp32', [a, b])]).find((x) => x.code === 'TC102')!;
    assert.match(f.message, /^2×2×2 = 8 output tiles of 128×128 for 132 SMs/);
  });
});
