/**
 * TC401, TC502, TC201 and TC202 read the interpreter's facts (docs/rules/): fixtures written as
 * engineers write NumPy and PyTorch code (functions, classes, sizes from a config dict or
 * argparse, arrays a script builds), analysed as the CLI does — one program, so sizes known only
 * where a function is called reach its rules. Every figure is checked against a hand computation.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Settings, withDefaults } from '../../server/core/settings';
import { ManualAttentionSignal, NaiveConvSignal, StridedTraversalSignal } from '../../server/core/rules/signals';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { DocumentCache } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';
import { applyEdits } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'loops');

function analyse(name: string, settings: Partial<Settings> = {}): Analysis {
  const file = path.join(DIR, name);
  const program = { files: new DiskProgram([DIR]), docs: new DocumentCache(), key: programPath };
  const a = analyzeSource({ path: file, text: fs.readFileSync(file, 'utf8'), languageId: 'python' }, withDefaults(settings), { program });
  program.docs.clear();
  return a;
}

/** A fixture's text changed, analysed in its place as the CLI would (its calls give the sizes). */
function analyseEdited(name: string, text: string, settings: Partial<Settings> = {}): Analysis {
  const program = { files: new DiskProgram([DIR]), docs: new DocumentCache(), key: programPath };
  const a = analyzeSource({ path: path.join(DIR, name), text, languageId: 'python' }, withDefaults(settings), { program });
  program.docs.clear();
  return a;
}

function analyseSnippet(text: string, settings: Partial<Settings> = {}): Analysis {
  return analyzeSource({ path: 'snippet.py', text, languageId: 'python' }, withDefaults(settings));
}

const of = (a: Analysis, code: string) => a.findings.filter((f) => f.code === code);
const n = (x: number) => x.toLocaleString('en-US');
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** H100 SXM fp32 peak (devices.ts); fp64 is not listed and falls back to half of it. */
const FP32_PEAK = 66.9e12;

before(async () => {
  await initEngine();
});

describe('TC401 naive convolution: multiply-adds from the interpreter, not the loop headers', () => {
  it("the textbook's NHWC convolution with the window in a variable: 56,623,104 multiply-adds in fp64", () => {
    const a = analyse('tc401_textbook_numpy.py');
    const f = of(a, 'TC401');
    assert.equal(f.length, 1, JSON.stringify(a.findings));
    // 56,623,104 = 2^21 · 27: the loops b, h, w, c run 32 · 32 · 32 · 64 = 2,097,152 trips (a batch
    // of 32 (34, 34, 3) images, 64 filters, 32 × 32 outputs), each a 3 × 3 × 3 window product.
    const trips = 32 * 32 * 32 * 64;
    const macs = trips * 3 * 3 * 3;
    assert.equal(macs, 56_623_104);
    assert.match(f[0].message, new RegExp(esc(`${n(trips)} trips × 27 = ${n(macs)} multiply-adds (fp64)`)));
    assert.match(f[0].message, /window patch = X\[b, hs:hs \+ kh, ws:ws \+ kw, :\]/);
    // 2 array calls (the product and np.sum) per trip at ≥ 1 µs: ≥ 4.19 s; 113 MFLOP at fp64 peak.
    assert.match(f[0].message, /≥4\.19 s interpreted \(2 array calls a trip/);
    assert.match(f[0].message, /it is 113 MFLOP, ≥3\.39 µs at fp64 peak on H100 SXM/);
    assert.equal(Number((2 * macs / (FP32_PEAK / 2) * 1e6).toFixed(2)), 3.39);
    assert.match(f[0].message, /sizes from the call at tc401_textbook_numpy\.py:27/);
    assert.equal(f[0].range.start.line, 14);
  });

  it('a from-scratch Conv2d module with sizes from a config: one einsum per output pixel', () => {
    const f = of(analyse('tc401_torch_module.py'), 'TC401');
    assert.equal(f.length, 1);
    // 16 images, 128 filters over 64 channels of 3 × 3 per pixel; (66 - 3) // 2 + 1 = 32 pixels a side.
    const perPixel = 16 * 128 * 64 * 3 * 3;
    assert.match(f[0].message, new RegExp(esc(`${n(32 * 32)} trips × ${n(perPixel)} = ${n(32 * 32 * perPixel)} multiply-adds (fp32)`)));
    assert.match(f[0].message, /2\.42 GFLOP/);
  });

  it('scalar multiply-adds in six loops, sizes from argparse defaults', () => {
    const f = of(analyse('tc401_scalar_argparse.py'), 'TC401');
    assert.equal(f.length, 1);
    // 32 filters · 28 · 28 outputs · 16 channels · 3 · 3; 100 ns each.
    const macs = 32 * 28 * 28 * 16 * 9;
    assert.match(f[0].message, new RegExp(esc(`one multiply-add at a time (window y + dy): ${n(macs)} multiply-adds, ~361 ms interpreted at 100 ns each`)));
  });

  it('a FIR filter bank: one np.dot of a 31-sample window per output sample', () => {
    const f = of(analyse('tc401_conv1d_bank.py'), 'TC401');
    assert.equal(f.length, 1);
    // 64 channels · (100,000 - 31 + 1) outputs, 31 taps each, float64.
    const trips = 64 * (100_000 - 31 + 1);
    assert.match(f[0].message, new RegExp(esc(`${n(trips)} trips × 31 = ${n(trips * 31)} multiply-adds (fp64)`)));
  });

  it('near misses: max pooling an im2col copy walk windows without a product; mini-batch slices step by their width', () => {
    const a = analyse('ok_tc401_pooling.py');
    assert.deepEqual(of(a, 'TC401'), []);
    assert.deepEqual(a.ir.signals.naiveConv as NaiveConvSignal[], []);
  });
});

describe('TC502 strided traversal', () => {
  it('standardising a (100000, 512) float64 matrix column by column', () => {
    const f = of(analyse('tc502_standardize_numpy.py'), 'TC502');
    assert.equal(f.length, 1);
    // 100,000 · 512 · 8 B = 390.6 MiB; rows 512 · 8 B = 4 KiB apart; 64 / 8 = 8× the lines.
    assert.match(f[0].message, /row-major \(C-order\) \(100000, 512\) fp64 array `X` \(391 MiB\) column by column through `X\[:, j\]`/);
    assert.match(f[0].message, /4 KiB apart, so each 8-byte read pulls a 64-byte cache line — ~8× the memory traffic \(3\.05 GiB of lines per sweep/);
    assert.equal((100_000 * 512 * 8 * 8) / 2 ** 30 > 3.05 && (100_000 * 512 * 8 * 8) / 2 ** 30 < 3.06, true);
  });

  it('column norms of an embedding table held on a class, sizes from a config dict', () => {
    const f = of(analyse('tc502_torch_config.py'), 'TC502');
    assert.equal(f.length, 1);
    // 50,304 · 768 · 4 B = 147.4 MiB; 768 · 4 B = 3 KiB between a column's elements; 16×.
    assert.match(f[0].message, /\(50304, 768\) fp32 array `self\.table` \(147 MiB\)/);
    assert.match(f[0].message, /3 KiB apart, so each 4-byte read pulls a 64-byte cache line — ~16×/);
    assert.match(f[0].message, /self\.table\.sum\(dim=0\)/);
  });

  it('a column-major (Fortran-order) matrix walked row by row', () => {
    const f = of(analyse('tc502_fortran_rows.py'), 'TC502');
    assert.equal(f.length, 1);
    // 4096² · 4 B = 64 MiB; a row's neighbours are a column (4096 · 4 B = 16 KiB) apart.
    assert.match(f[0].message, /column-major \(F-order\) \(4096, 4096\) fp32 array `A` \(64 MiB\) row by row through `A\[i, :\]`: neighbouring elements are 16 KiB apart/);
    assert.match(f[0].message, /\(1 GiB of lines per sweep for 64 MiB of data\)/);
  });

  it('column sums element by element in two loops; the row-order twin is silent', () => {
    const f = of(analyse('tc502_scalar_nest.py'), 'TC502');
    // 2048² · 8 B = 32 MiB; a column's elements are a row (2048 · 8 B = 16 KiB) apart.
    assert.deepEqual(f.map((x) => x.range.start.line), [10]);
    assert.match(f[0].message, /\(2048, 2048\) fp64 array `M` \(32 MiB\) column by column through `M\[i, j\]`: neighbouring elements are 16 KiB apart/);
  });

  it('near misses: rows of a row-major array, columns of a transpose, a 2 MiB array', () => {
    const a = analyse('ok_tc502_layouts.py');
    assert.deepEqual(of(a, 'TC502'), []);
    // The small column walk is seen and decided by its size: 512 · 512 · 8 B = 2 MiB < 8 MiB.
    const sig = a.ir.signals.stridedTraversal as StridedTraversalSignal[];
    assert.deepEqual(sig.map((s) => s.text), ['S[:, j]', 'S[:, j]']);
    const lowered = of(analyse('ok_tc502_layouts.py', { thresholds: { stridedArrayMiB: 2 } }), 'TC502');
    assert.equal(lowered.length, 1);
    assert.match(lowered[0].message, /\(512, 512\) fp64 array `S` \(2 MiB\)/);
  });
});

describe('TC201 reads the same facts as TC202; a hand-written softmax is a softmax', () => {
  it("the textbook's 256 MiB per head (L = 8192, fp32) fires at exactly the threshold, softmax in a helper", () => {
    const a = analyse('tc201_numpy_textbook.py');
    const f = of(a, 'TC201');
    assert.equal(8192 * 8192 * 4, 256 * 2 ** 20);
    assert.equal(f.length, 1, JSON.stringify(a.findings));
    assert.match(f[0].message, /\(8192, 8192\) fp32 take 256 MiB \(1 score matrix of 256 MiB, B·H·L²·4 B\) ≥ 256 MiB/);
    // NumPy has no fused kernel: TC202 stays out.
    assert.deepEqual(of(a, 'TC202'), []);
  });

  it('softmax written inline with torch.exp in a module configured by a dict: TC201 and TC202 agree', () => {
    const a = analyse('tc201_torch_config.py');
    // 2 · 16 · 4096² · 4 B = 2 GiB.
    assert.match(of(a, 'TC201')[0]?.message ?? '', /\(2, 16, 4096, 4096\) fp32 take 2 GiB \(32 score matrices of 64 MiB/);
    const g = of(a, 'TC202');
    assert.equal(g.length, 1);
    // write + read (2), scale (2), max subtracted (3: read, then read+write), exp (2), sum (1),
    // division (2): 12 passes of 2 GiB, plus q, k, v and y at 32 MiB each.
    assert.match(g[0].message, /12 passes over the \(2, 16, 4096, 4096\) fp32 scores move 24\.1 GiB per call where F\.scaled_dot_product_attention moves 128 MiB/);
    // The max subtracted for stability is not a mask: no attn_mask in the fix.
    assert.doesNotMatch(JSON.stringify(g[0].data ?? {}), /attn_mask/);
  });

  it('sizes from argparse defaults: TC201 fires where TC202 does', () => {
    const a = analyse('tc201_argparse.py');
    // 4 · 8 · 2048² · 4 B = 512 MiB.
    assert.match(of(a, 'TC201')[0]?.message ?? '', /\(4, 8, 2048, 2048\) fp32 take 512 MiB \(32 score matrices of 16 MiB, B·H·L²·4 B\) ≥ 256 MiB \(sizes from the call at tc201_argparse\.py:27\)/);
    assert.match(of(a, 'TC202')[0]?.message ?? '', /6 passes over the \(4, 8, 2048, 2048\) fp32 scores/);
  });

  it('near miss: 512-query chunks of the same L = 8192 (16 MiB each) and a sampling softmax', () => {
    const a = analyse('ok_tc201_chunked.py');
    assert.deepEqual(of(a, 'TC201'), []);
    // Seen and decided by size: 512 · 8192 · 4 B = 16 MiB.
    assert.equal((a.ir.signals.manualAttention as ManualAttentionSignal[]).length, 1);
    assert.match(of(analyse('ok_tc201_chunked.py', { thresholds: { attentionScoresMiB: 16 } }), 'TC201')[0]?.message ?? '', /\(512, 8192\) fp32 take 16 MiB/);
  });

  it("nanoGPT's fallback under `if self.flash:` stores nothing while the flash branch runs (as TC202 decides)", () => {
    const text = fs.readFileSync(path.resolve(DIR, '..', 'rules', 'ok_flash_fallback.py'), 'utf8');
    assert.deepEqual(of(analyseSnippet(text), 'TC201'), []);
    // The same file with the flash branch off: 8 · 12 · 1024² · 4 B = 384 MiB of scores.
    const off = of(analyseSnippet(text.replace(/self\.flash = hasattr\([^)]*\)/, 'self.flash = False')), 'TC201');
    assert.match(off[0]?.message ?? '', /\(8, 12, 1024, 1024\) fp32 take 384 MiB/);
  });

  it('never a name: a helper called softmax that is not one stays silent; one called normalise that is fires', () => {
    const body = (name: string, ret: string) => `import numpy as np
from jaxtyping import Float32


def ${name}(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return ${ret}


def attention(q: Float32[np.ndarray, "8192 64"], k: Float32[np.ndarray, "8192 64"], v: Float32[np.ndarray, "8192 64"]):
    s = q @ k.T / 8.0
    return ${name}(s) @ v
`;
    assert.deepEqual(of(analyseSnippet(body('softmax', 'e * 0.5')), 'TC201'), []);
    assert.equal(of(analyseSnippet(body('normalise', 'e / e.sum(axis=-1, keepdims=True)')), 'TC201').length, 1);
  });
});

describe('TC202 renders what the code wrote', () => {
  it('einsum attention: the einsums, not a double transpose; the fix keeps k as it is', () => {
    const a = analyse('tc202_einsum.py');
    const g = of(a, 'TC202');
    assert.equal(g.length, 1);
    assert.match(g[0].message, /attention written by hand \(softmax\(einsum\('bhqd,bhkd->bhqk', q, k\)\) → einsum\('bhqk,bhkd->bhqd', attn, v\)\)/);
    assert.doesNotMatch(g[0].message, /transpose/);
    // 8 · 12 · 4096² · 4 B = 6 GiB of scores, 6 passes; q, k, v, out at 96 MiB each.
    assert.match(g[0].message, /6 passes over the \(8, 12, 4096, 4096\) fp32 scores move 36\.4 GiB per call where F\.scaled_dot_product_attention moves 384 MiB/);
    const edit = (g[0].data as { edits: { newText: string }[] }).edits[0];
    assert.equal(edit.newText, 'out = torch.nn.functional.scaled_dot_product_attention(q, k, v, scale=self.scale)');
    const fixed = applyEdits(fs.readFileSync(path.join(DIR, 'tc202_einsum.py'), 'utf8'), (g[0].data as { edits: never[] }).edits);
    assert.doesNotMatch(fixed, /torch\.einsum/);
  });

  it('an einsum in another layout is shown as written and offers no fix', () => {
    const text = fs.readFileSync(path.join(DIR, 'tc202_einsum.py'), 'utf8').replace("'bhqd,bhkd->bhqk'", "'bqhd,bkhd->bhqk'");
    const g = of(analyseSnippet(text), 'TC202');
    assert.equal(g.length, 1);
    assert.match(g[0].message, /softmax\(einsum\('bqhd,bkhd->bhqk', q, k\)\)/);
    assert.equal(g[0].data, undefined);
  });
});

describe('survey misses (issue 15): einsum layouts, NumPy generators, GEMM per pixel, norms of strided rows', () => {
  it('einsum attention on (b, q, h, d) projections with the method softmax: TC201 and TC202, einsums as written', () => {
    const a = analyse('tc202_einsum_bqhd.py');
    // 32 · 8 · 2048² · 4 B = 4 GiB of scores, 256 matrices of 2048² · 4 B = 16 MiB.
    assert.equal(32 * 8 * 2048 * 2048 * 4, 4 * 2 ** 30);
    const t = of(a, 'TC201');
    assert.equal(t.length, 1, JSON.stringify(a.findings));
    assert.match(t[0].message, /\(32, 8, 2048, 2048\) fp32 take 4 GiB \(256 score matrices of 16 MiB, B·H·L²·4 B\) ≥ 256 MiB \(sizes from the call at tc202_einsum_bqhd\.py:30\)/);
    const g = of(a, 'TC202');
    assert.equal(g.length, 1);
    assert.match(g[0].message, /attention written by hand \(softmax\(einsum\("bqhd,bkhd->bhqk", q, k\)\) → einsum\("bhqk,bkhd->bqhd", attn, v\)\)/);
    // Scores written and read (2), the scale (2), softmax (2): 6 × 4 GiB, plus q, k, v and the
    // output at 32 · 2048 · 512 · 4 B = 128 MiB each.
    assert.match(g[0].message, /6 passes over the \(32, 8, 2048, 2048\) fp32 scores move 24\.5 GiB per call where F\.scaled_dot_product_attention moves 512 MiB/);
    // SDPA takes (b, h, L, d): no rewrite of a (b, L, h, d) layout is offered.
    assert.equal(g[0].data, undefined);
  });

  it('NumPy attention on arrays from np.random.default_rng, softmax normalised in place: TC201, not TC202', () => {
    const a = analyse('tc201_numpy_rng.py');
    const t = of(a, 'TC201');
    assert.equal(t.length, 1, JSON.stringify(a.findings));
    // 8192² · 4 B = 256 MiB (the float32 cast of the generator's float64 draws).
    assert.match(t[0].message, /\(8192, 8192\) fp32 take 256 MiB \(1 score matrix of 256 MiB, B·H·L²·4 B\) ≥ 256 MiB \(sizes from the call at tc201_numpy_rng\.py:24\)/);
    assert.match(t[0].message, /NumPy has no fused kernel/);
    assert.deepEqual(of(a, 'TC202'), []);
    // 4096 tokens store 64 MiB: under the default threshold, over a 64 MiB one.
    const text = fs.readFileSync(path.join(DIR, 'tc201_numpy_rng.py'), 'utf8').replace('n_tokens=8192', 'n_tokens=4096');
    assert.deepEqual(of(analyseEdited('tc201_numpy_rng.py', text), 'TC201'), []);
    assert.match(of(analyseEdited('tc201_numpy_rng.py', text, { thresholds: { attentionScoresMiB: 64 } }), 'TC201')[0]?.message ?? '', /\(4096, 4096\) fp32 take 64 MiB/);
  });

  it("a Generator's draws have shapes and NumPy's dtypes: float64, int64, float32 when asked", () => {
    const a = analyseSnippet(`import numpy as np
rng = np.random.default_rng(42)
A = rng.standard_normal((64, 32))
B = rng.random(size=(32, 16))
C = rng.normal(0.0, 1.0, size=(16, 8))
D = rng.uniform(-1, 1, (8, 4))
E = rng.standard_normal((4, 2), dtype=np.float32)
idx = rng.integers(0, 10, size=(64,))
y = A @ B @ C @ D
z = E * 2.0
s = idx.sum()
`);
    assert.deepEqual(a.ir.unmodelled, []);
    const gemms = a.ir.ops.filter((o) => o.kind === 'matmul');
    // (64, 32) @ (32, 16), then (64, 16) @ (16, 8), then (64, 8) @ (8, 4): 2·m·k·n each, in fp64.
    assert.deepEqual(gemms.map((o) => o.cost.flops.evaluate(new Map())), [2 * 64 * 32 * 16, 2 * 64 * 16 * 8, 2 * 64 * 8 * 4]);
    assert.deepEqual([...new Set(gemms.map((o) => o.dtype))], ['fp64']);
    const dtypes = a.ir.ops.filter((o) => o.kind !== 'matmul').map((o) => `${o.dtype}:${o.inputs[0].shape?.map((d) => d.constValue()).join('x')}`);
    assert.deepEqual(dtypes, ['fp32:4x2', 'int64:64']);
  });

  it('a GEMM of the flattened window per output pixel is a naive convolution; TC101 leaves it to TC401', () => {
    const a = analyse('tc401_gemm_per_pixel.py');
    const f = of(a, 'TC401');
    assert.equal(f.length, 1, JSON.stringify(a.findings));
    // 64 - 5 + 1 = 60 outputs a side: 3,600 trips of (16, 75) @ (75, 32) = 38,400 multiply-adds,
    // N·C_out·H_out·W_out·C_in·k·k = 16 · 32 · 60 · 60 · 3 · 25 = 138,240,000 in all, fp64.
    assert.equal(16 * 32 * 60 * 60 * 3 * 25, 138_240_000);
    assert.match(f[0].message, new RegExp(esc(`${n(3600)} trips × ${n(16 * 75 * 32)} = ${n(138_240_000)} multiply-adds (fp64)`)));
    assert.match(f[0].message, /window = x\[:, :, i:i \+ k, j:j \+ k\]\.reshape\(n, -1\)/);
    assert.match(f[0].message, /it is 276 MFLOP/);
    assert.deepEqual(of(a, 'TC101'), []);
  });

  it('rows of a column-major array passed to np.linalg.norm: a traversal; its columns are silent', () => {
    const a = analyse('tc502_fortran_norm.py');
    assert.deepEqual(a.ir.unmodelled, []);
    const f = of(a, 'TC502');
    assert.equal(f.length, 1, JSON.stringify(a.findings));
    assert.equal(f[0].range.start.line, 6);
    // 5000² · 8 B = 190.7 MiB; a row's neighbours are a column (5000 · 8 B = 39.1 KiB) apart; 8×.
    assert.match(f[0].message, /column-major \(F-order\) \(5000, 5000\) fp64 array `M` \(191 MiB\) row by row through `M\[i, :\]`: neighbouring elements are 39\.1 KiB apart/);
    assert.match(f[0].message, /~8× the memory traffic \(1\.49 GiB of lines per sweep for 191 MiB of data\)/);
    // The norm is a reduction: 2 FLOPs per element of each 5000-element row.
    const norms = a.ir.ops.filter((o) => o.kind === 'reduction');
    assert.equal(norms.length, 2);
    assert.equal(norms[0].cost.otherFlops.evaluate(new Map()), 2 * 5000);
  });

  it("np.linalg.norm: vector and Frobenius norms reduce; a matrix's spectral norm stays unmodelled", () => {
    const a = analyseSnippet(`import numpy as np
A = np.random.rand(300, 200)
f = np.linalg.norm(A)
r = np.linalg.norm(A, axis=1, keepdims=True)
s = np.linalg.norm(A, ord=2)
`);
    assert.deepEqual(a.ir.unmodelled.map((u) => u.range.start.line), [4]);
    const red = a.ir.ops.filter((o) => o.kind === 'reduction');
    assert.deepEqual(red.map((o) => o.output.shape?.map((d) => d.constValue())), [[], [300, 1]]);
  });
});
