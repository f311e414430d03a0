/**
 * Every rule on fixtures written to fire and on near misses that must not: bf16 autocast has no
 * loss-scaling problem, SDPA is not manual attention, a square fp16 GEMM is not low-intensity, a
 * batched bmm is not a per-item loop, the im2col version of a convolution is not naive loops.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyseFixture, analyseText, codes, FIXTURES } from './helpers';

const RULE_CODES = ['TC101', 'TC102', 'TC103', 'TC201', 'TC202', 'TC301', 'TC302', 'TC303', 'TC401', 'TC402', 'TC501'];

const ruleCodes = (xs: string[]) => xs.filter((c) => RULE_CODES.includes(c));

describe('rules fire on their fixtures', () => {
  it('TC101: 8-row fp16 GEMM against the H100 ridge', async () => {
    const a = await analyseFixture('tc101_low_intensity.py');
    assert.deepEqual(ruleCodes(codes(a)), ['TC101']);
    const f = a.findings.find((x) => x.code === 'TC101')!;
    // 2·8·8192² FLOPs over 2·(8·8192 + 8192² + 8·8192) bytes.
    const intensity = (2 * 8 * 8192 * 8192) / (2 * (2 * 8 * 8192 + 8192 * 8192));
    assert.match(f.message, new RegExp(`intensity ${intensity.toPrecision(3)} FLOP/B < ridge 295 FLOP/B on H100 SXM \\(fp16\\)`));
    assert.match(f.message, /at most 2\.7% of peak/);
    assert.match(f.message, /m=8/);
  });

  it('TC101 and TC102 follow the device: the same GEMM on an L4', async () => {
    const a = await analyseFixture('tc101_low_intensity.py', { device: 'l4' });
    // L4: 121 TFLOP/s fp16 over 300 GB/s = 403 FLOP/B.
    assert.match(a.findings.find((x) => x.code === 'TC101')!.message, /ridge 403 FLOP\/B on L4 \(fp16\)/);
  });

  it('TC102: 64 tiles for 132 SMs', async () => {
    const a = await analyseFixture('tc102_small_batch.py');
    assert.deepEqual(ruleCodes(codes(a)), ['TC102']);
    assert.match(a.findings[0].message, /1×8×8 = 64 output tiles of 128×128 for 132 SMs \(≤48\.5% busy\)/);
  });

  it('TC103: textbook NumPy batched GEMM as a loop, not its np.matmul version', async () => {
    const a = await analyseFixture('tc103_loop_matmul.py');
    const f = a.findings.filter((x) => x.code === 'TC103');
    assert.equal(f.length, 1);
    assert.equal(f[0].range.start.line, 10);
    assert.match(f[0].message, /64 trips/);
    assert.match(f[0].message, /np\.matmul/);
    const fix = f[0].data as { edits: { newText: string }[] };
    assert.equal(fix.edits[0].newText, 'out = np.matmul(A, W)');
  });

  it('TC103: torch.mm per item offers torch.bmm', async () => {
    const a = await analyseFixture('tc103_torch_loop.py');
    const f = a.findings.find((x) => x.code === 'TC103')!;
    assert.match(f.message, /256 trips/);
    assert.equal((f.data as { edits: { newText: string }[] }).edits[0].newText, 'out = torch.bmm(a, b)');
    assert.equal(f.related![0].range.start.line, 9);
  });

  it('TC202: nanoGPT attention by hand, with a fix that keeps mask, dropout and scale', async () => {
    const a = await analyseFixture('tc202_manual_attention.py');
    const f = a.findings.find((x) => x.code === 'TC202')!;
    assert.ok(f, JSON.stringify(a.findings));
    assert.equal(f.range.start.line, 27);
    // 8·12·1024²·4 B = 384 MiB of scores, 10 passes (write, scale, mask, softmax, dropout, read).
    assert.match(f.message, /10 passes over the \(8, 12, 1024, 1024\) fp32 scores move 3\.84 GiB per call where F\.scaled_dot_product_attention moves 96 MiB \(saves 3\.75 GiB, ~1\.2 ms at 3\.35 TB\/s on H100 SXM\)/);
    assert.match(a.findings.find((x) => x.code === 'TC201')!.message, /\(8, 12, 1024, 1024\) fp32 take 384 MiB \(96 score matrices of 4 MiB, B·H·L²·4 B\)/);
    const edit = (f.data as { edits: { newText: string }[] }).edits[0];
    assert.equal(edit.newText, 'y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.attn_dropout.p if self.training else 0.0, is_causal=True)');
    assert.deepEqual(f.related!.map((r) => r.range.start.line), [25, 29]);
  });

  it('TC201 and TC202: L=4096 attention, 64 MiB per head in fp32, B·H·L²·4 B in all', async () => {
    const a = await analyseFixture('tc201_long_context.py');
    // The two fp32 GEMMs (68.7 GFLOP each) also leave the tensor cores idle: one TC303 for the
    // function, 2 × 2·2·16·4096²·64 = 137 GFLOP at 66.9 TFLOP/s = 2 × 1.03 ms.
    assert.deepEqual(ruleCodes(codes(a)), ['TC201', 'TC202', 'TC303']);
    const t = a.findings.find((x) => x.code === 'TC303')!;
    assert.match(t.message, /^2 fp32 GEMMs in attention: ≥2\.05 ms on fp32 units/);
    assert.deepEqual(t.related!.map((r) => [r.range.start.line, r.message]), [[14, 'also fp32: 68.7 GFLOP, ≥1.03 ms']]);
    const f = a.findings.find((x) => x.code === 'TC201')!;
    assert.match(f.message, /\(2, 16, 4096, 4096\) fp32 take 2 GiB \(32 score matrices of 64 MiB, B·H·L²·4 B\)/);
    const g = a.findings.find((x) => x.code === 'TC202')!;
    // scores written, scaled (read+write), softmaxed (read+write), read: 6 passes of 2 GiB.
    assert.match(g.message, /6 passes over the \(2, 16, 4096, 4096\) fp32 scores move 12\.1 GiB per call where F\.scaled_dot_product_attention moves 128 MiB/);
  });

  it('TC301: fp16 autocast training without a scaler, with a GradScaler fix', async () => {
    const a = await analyseFixture('tc301_fp16_training.py');
    assert.deepEqual(ruleCodes(codes(a)), ['TC301']);
    const f = a.findings[0];
    assert.equal(f.range.start.line, 10);
    assert.deepEqual(f.related!.map((r) => r.range.start.line), [12, 13]);
    assert.match(f.message, /backward at line 13/);
  });

  it('TC302: -1e9 and 1e-8 under fp16 autocast', async () => {
    const a = await analyseFixture('tc302_fp16_overflow.py');
    const f = a.findings.filter((x) => x.code === 'TC302');
    assert.deepEqual(f.map((x) => x.range.start.line), [7, 8]);
    assert.match(f[0].message, /-1e9 is beyond fp16's range \(max 65504\)/);
    assert.match(f[1].message, /1e-8 is below fp16's smallest subnormal \(6e-8\)/);
  });

  it('TC303: 137 GFLOP fp32 matmul with TF32 off', async () => {
    const a = await analyseFixture('tc303_fp32_gemm.py');
    assert.deepEqual(ruleCodes(codes(a)), ['TC303']);
    assert.match(a.findings[0].message, /137 GFLOP: ≥2\.05 ms on fp32 units; TF32 ≥278 µs, bf16 autocast ≥139 µs/);
  });

  it('TC401: five-loop convolution fires, its im2col version does not', async () => {
    const a = await analyseFixture('tc401_naive_conv.py');
    const f = a.findings.filter((x) => x.code === 'TC401');
    assert.equal(f.length, 1);
    assert.equal(f[0].range.start.line, 9);
    // 64·56·56·64·3·3 multiply-adds.
    assert.match(f[0].message, new RegExp((64 * 56 * 56 * 64 * 9).toLocaleString('en-US')));
    assert.match(f[0].message, /231 MFLOP/);
  });

  it('TC402: a 3×3 conv on (32, 64, 224, 224) unfolds to 3.45 GiB; the small one does not fire', async () => {
    const a = await analyseFixture('tc402_im2col.py');
    const f = a.findings.filter((x) => x.code === 'TC402');
    assert.equal(f.length, 1);
    assert.match(f[0].message, /1,605,632 × 576 fp32 elements = 3\.45 GiB/);
  });

  it('TC501: a loop-invariant permute fed to matmul and a view of a transpose', async () => {
    const a = await analyseFixture('tc501_transpose_in_loop.py');
    const f = a.findings.filter((x) => x.code === 'TC501');
    assert.deepEqual(f.map((x) => x.range.start.line), [8, 13]);
    assert.match(f[1].message, /view\(\) of a transposed tensor/);
  });
});

describe('near misses stay silent', () => {
  const silent: [string, string[]][] = [
    ['ok_square_gemm.py', ['TC101', 'TC102', 'TC303']],
    ['ok_batched_bmm.py', ['TC103', 'TC102']],
    ['ok_sdpa.py', ['TC201', 'TC202']],
    ['ok_numpy_attention.py', ['TC201', 'TC202']],
    ['ok_bf16_training.py', ['TC301', 'TC302']],
    ['ok_fp16_scaler.py', ['TC301']],
    ['ok_bf16_constants.py', ['TC302']],
    ['ok_tf32_enabled.py', ['TC303']],
    ['ok_flash_fallback.py', ['TC202']],
  ];
  for (const [file, never] of silent) {
    it(`${file}: none of ${never.join(', ')}`, async () => {
      const a = await analyseFixture(file);
      assert.deepEqual(codes(a).filter((c) => never.includes(c)), [], JSON.stringify(a.findings, null, 1));
    });
  }

  it('the same fallback fires once the flash branch is off (the near miss is decided, not blind)', async () => {
    const a = await analyseText(fs.readFileSync(path.join(FIXTURES, 'ok_flash_fallback.py'), 'utf8').replace(/self\.flash = hasattr\([^)]*\)/, 'self.flash = False'));
    assert.deepEqual(codes(a).filter((c) => c === 'TC202'), ['TC202']);
  });

  it('the im2col half of the convolution fixture is not flagged', async () => {
    const a = await analyseFixture('tc401_naive_conv.py');
    assert.ok(a.findings.every((f) => f.code !== 'TC401' || f.range.start.line < 20));
  });

  it('.T of a matrix in a loop is free for BLAS (no TC501)', async () => {
    const a = await analyseFixture('tc501_transpose_in_loop.py');
    assert.ok(a.findings.every((f) => f.code !== 'TC501' || f.range.start.line < 17));
  });
});
