/** The language-neutral op rules, called directly with symbolic shapes. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sdpa } from '../../server/core/ops/attention';
import { conv, convTranspose, DEFAULT_GEOMETRY } from '../../server/core/ops/conv';
import { crossEntropy } from '../../server/core/ops/crossEntropy';
import { einsum } from '../../server/core/ops/einsum';
import { SCALAR, activation, elementwise } from '../../server/core/ops/elementwise';
import { embedding } from '../../server/core/ops/embedding';
import { addmm, linear } from '../../server/core/ops/linear';
import { layerNorm, softmax } from '../../server/core/ops/normalization';
import { adaptivePool, pool } from '../../server/core/ops/pool';
import { rearrange } from '../../server/core/ops/rearrange';
import { reduce } from '../../server/core/ops/reduction';
import { cat, chunk, index, reshape, split } from '../../server/core/ops/shape';
import { Poly } from '../../server/core/symbolic';

const s = (...d: (string | number)[]) => d.map((x) => (typeof x === 'number' ? Poly.const(x) : Poly.sym(x)));
const none = new Map<string, number>();
const ctx = { bindings: none, dtype: 'fp32' as const };
const t = (...d: (string | number)[]) => ({ shape: s(...d), dtype: null });
const shapeOf = (r: { output: { shape: Poly[] | null } }) => r.output.shape!.map(String);
const num = (p: Poly, b: Record<string, number> = {}) => p.evaluate(new Map(Object.entries(b)));

describe('attention (SDPA)', () => {
  it('(1, 12, 1024, 64) costs 3,221,225,472 FLOPs forward, half when causal', () => {
    const q = t(1, 12, 1024, 64);
    const r = sdpa(q, q, q, { causal: false }, ctx);
    assert.equal(r.error, undefined);
    assert.equal(num(r.cost.flops), 3_221_225_472);
    assert.equal(num(r.cost.otherFlops), 5 * 12 * 1024 * 1024);
    assert.deepEqual(shapeOf(r), ['1', '12', '1024', '64']);
    const c = sdpa(q, q, q, { causal: true }, ctx);
    assert.equal(num(c.cost.flops), 3_221_225_472 / 2);
    assert.ok(c.cost.notes!.some((n) => /causal/.test(n)));
  });

  it('gives fused and materialised byte counts; the scores are B·H·L² written and read', () => {
    const q = { shape: s('B', 'H', 'L', 64), dtype: 'fp16' as const };
    const r = sdpa(q, q, q, { causal: false }, ctx);
    const [fused, mat] = r.cost.variants!;
    const b = { B: 2, H: 8, L: 4096 };
    assert.equal(num(fused.bytes, b), 4 * 2 * 2 * 8 * 4096 * 64);
    assert.equal(num(mat.bytes, b)! - num(fused.bytes, b)!, 2 * 2 * 2 * 8 * 4096 * 4096);
    assert.equal(String(r.cost.flops), '256*B*H*L^2');
  });

  it('flags query/key head dims that differ', () => {
    assert.match(sdpa(t(1, 2, 8, 64), t(1, 2, 8, 32), t(1, 2, 8, 32), { causal: false }, ctx).error!, /64 vs 32/);
  });
});

describe('conv', () => {
  it('ResNet-50 first conv 7×7/2 on 224×224: 236,027,904 FLOPs', () => {
    const r = conv(t(1, 3, 224, 224), s(64, 3, 7, 7), { ...DEFAULT_GEOMETRY, stride: s(2), padding: s(3), bias: false }, ctx);
    assert.deepEqual(shapeOf(r), ['1', '64', '112', '112']);
    assert.equal(num(r.cost.flops), 2 * 64 * 3 * 49 * 112 * 112);
    assert.equal(num(r.cost.flops), 236_027_904);
    const [direct, im2col] = r.cost.variants!;
    assert.equal(num(direct.bytes), 4 * (3 * 224 * 224 + 64 * 3 * 49 + 64 * 112 * 112));
    assert.equal(num(im2col.bytes)! - num(direct.bytes)!, 2 * 4 * 112 * 112 * 3 * 49);
  });

  it('groups, dilation and "same" padding', () => {
    const grouped = conv(t(8, 64, 56, 56), s(128, 16, 3, 3), { ...DEFAULT_GEOMETRY, padding: s(1), groups: Poly.const(4) }, ctx);
    assert.equal(grouped.error, undefined);
    assert.deepEqual(shapeOf(grouped), ['8', '128', '56', '56']);
    assert.equal(num(grouped.cost.flops), 2 * 8 * 128 * 16 * 9 * 56 * 56);
    const dilated = conv(t(1, 16, 32, 32), s(16, 16, 3, 3), { ...DEFAULT_GEOMETRY, dilation: s(2) }, ctx);
    assert.deepEqual(shapeOf(dilated), ['1', '16', '28', '28']);
    const same = conv(t('N', 16, 'H', 'W'), s(32, 16, 5, 5), { ...DEFAULT_GEOMETRY, padding: 'same' }, ctx);
    assert.deepEqual(shapeOf(same), ['N', '32', 'H', 'W']);
    assert.equal(String(same.cost.flops), '25600*H*N*W');
    const conv1d = conv(t(4, 80, 3000), s(384, 80, 3), { ...DEFAULT_GEOMETRY, padding: s(1), stride: s(2) }, ctx);
    assert.deepEqual(shapeOf(conv1d), ['4', '384', '1500']);
  });

  it('channel mismatch is a TC002 error naming both shapes', () => {
    const r = conv(t(1, 3, 32, 32), s(8, 4, 3, 3), DEFAULT_GEOMETRY, ctx);
    assert.match(r.error!, /\(1, 3, 32, 32\).*\(8, 4, 3, 3\)/);
    assert.equal(conv(t(1, 'C', 32, 32), s(8, 4, 3, 3), DEFAULT_GEOMETRY, ctx).error, undefined);
    assert.match(conv(t(1, 12, 32, 32), s(8, 4, 3, 3), { ...DEFAULT_GEOMETRY, groups: Poly.const(2) }, ctx).error!, /expects 8/);
  });

  it('transposed conv doubles the resolution with stride 2', () => {
    const r = convTranspose(t(1, 64, 16, 16), s(64, 32, 4, 4), { ...DEFAULT_GEOMETRY, stride: s(2), padding: s(1) }, ctx);
    assert.deepEqual(shapeOf(r), ['1', '32', '32', '32']);
    assert.equal(num(r.cost.flops), 2 * 16 * 16 * 64 * 32 * 16);
  });
});

describe('einsum', () => {
  it("'bhqd,bhkd->bhqk' is the score GEMM", () => {
    const r = einsum('bhqd,bhkd->bhqk', [t('B', 'H', 'T', 64), t('B', 'H', 'T', 64)], ctx);
    assert.deepEqual(shapeOf(r), ['B', 'H', 'T', 'T']);
    assert.equal(String(r.cost.flops), '128*B*H*T^2');
    assert.equal(String(r.attrs.k), '64');
  });

  it("'ij,jk' with the implicit output and '...ij,...jk->...ik' with broadcast batch dims", () => {
    const r = einsum('ij,jk', [t(32, 64), t(64, 16)], ctx);
    assert.deepEqual(shapeOf(r), ['32', '16']);
    assert.equal(num(r.cost.flops), 2 * 32 * 64 * 16);
    const b = einsum('...ij,...jk->...ik', [t(4, 1, 32, 64), t(5, 64, 16)], ctx);
    assert.deepEqual(shapeOf(b), ['4', '5', '32', '16']);
    assert.equal(num(b.cost.flops), 2 * 4 * 5 * 32 * 64 * 16);
  });

  it('n-ary equations contract left to right; einops spelling; index conflicts', () => {
    const r = einsum('ij,jk,kl->il', [t(10, 20), t(20, 30), t(30, 40)], ctx);
    assert.equal(num(r.cost.flops), 2 * 10 * 20 * 30 + 2 * 10 * 30 * 40);
    const e = einsum('b h q d, b h k d -> b h q k', [t(2, 3, 5, 7), t(2, 3, 11, 7)], ctx, 'names');
    assert.deepEqual(shapeOf(e), ['2', '3', '5', '11']);
    assert.match(einsum('ij,jk->ik', [t(3, 4), t(5, 6)], ctx).error!, /'j' is 4 .* 5/);
    assert.equal(einsum('ii->i', [t(5, 5)], ctx).output.shape!.length, 1);
  });
});

describe('linear, addmm', () => {
  it('2·rows·in·out, bias not counted', () => {
    const r = linear(t('B', 'T', 768), s(3072, 768), true, ctx);
    assert.equal(String(r.cost.flops), '4718592*B*T');
    assert.deepEqual(shapeOf(r), ['B', 'T', '3072']);
    const nb = linear(t('B', 'T', 768), s(3072, 768), false, ctx);
    assert.ok(nb.cost.flops.equals(r.cost.flops));
    assert.equal(num(r.cost.bytes, { B: 1, T: 1 })! - num(nb.cost.bytes, { B: 1, T: 1 })!, 4 * 3072);
    assert.match(linear(t(8, 512), s(10, 768), false, ctx).error!, /512.*768/);
  });

  it('addmm costs the product and reads the addend', () => {
    const r = addmm(t(16), t(8, 32), t(32, 16), ctx);
    assert.equal(num(r.cost.flops), 2 * 8 * 32 * 16);
    assert.equal(num(r.cost.bytes), 4 * (8 * 32 + 32 * 16 + 8 * 16 + 16));
    assert.match(addmm(t(7), t(8, 32), t(32, 16), ctx).error!, /\(7,\)/);
  });
});

describe('elementwise and reductions', () => {
  it('broadcasts NumPy-style and flags proven failures only', () => {
    const r = elementwise([t('B', 1, 'C'), t('T', 'C'), SCALAR], ctx, { flopsPerElement: 1 });
    assert.deepEqual(shapeOf(r), ['B', 'T', 'C']);
    assert.match(elementwise([t(4, 3), t(5, 3)], ctx, { flopsPerElement: 1 }).error!, /\(4, 3\) and \(5, 3\)/);
    assert.equal(elementwise([t('A', 3), t('B', 3)], ctx, { flopsPerElement: 1 }).error, undefined);
    assert.equal(num(activation(t(10, 10), 'gelu', ctx).cost.otherFlops), 800);
  });

  it('softmax 5/element, layer norm 7/element, reductions with dim and keepdim', () => {
    assert.equal(num(softmax(t(4, 8), -1, ctx).cost.otherFlops), 160);
    const ln = layerNorm(t(2, 16, 768), s(768), { weight: true, bias: true }, ctx);
    assert.equal(num(ln.cost.otherFlops), 7 * 2 * 16 * 768);
    assert.match(layerNorm(t(2, 16, 768), s(512), { weight: true, bias: true }, ctx).error!, /\(512,\).*\(2, 16, 768\)/);
    const m = reduce(t('B', 'T', 'C'), [-1], true, 'mean', ctx);
    assert.deepEqual(shapeOf(m), ['B', 'T', '1']);
    assert.deepEqual(shapeOf(reduce(t('B', 'T', 'C'), [0, 2], false, 'sum', ctx)), ['T']);
    assert.deepEqual(shapeOf(reduce(t('B', 'T'), null, false, 'amax', ctx)), []);
  });

  it('cross-entropy, embedding and pooling', () => {
    const ce = crossEntropy(t('N', 1000), { shape: s('N'), dtype: 'int64' }, 'mean', ctx);
    assert.deepEqual(shapeOf(ce), []);
    assert.equal(String(ce.cost.otherFlops), '5002*N');
    assert.match(crossEntropy(t(8, 10), { shape: s(4), dtype: 'int64' }, 'mean', ctx).error!, /\(4,\).*\(8, 10\)/);
    const e = embedding({ shape: s('B', 'T'), dtype: 'int64' }, Poly.const(50257), Poly.const(768), null, ctx);
    assert.deepEqual(shapeOf(e), ['B', 'T', '768']);
    assert.ok(e.cost.flops.isZero() && e.cost.otherFlops.isZero());
    const p = pool(t(1, 64, 112, 112), 2, { kernel: s(3), stride: s(2), padding: s(1), dilation: s(1), ceilMode: false }, 'max', ctx);
    assert.deepEqual(shapeOf(p), ['1', '64', '56', '56']);
    assert.deepEqual(shapeOf(adaptivePool(t(1, 2048, 7, 7), [Poly.ONE, Poly.ONE], 'avg', ctx)), ['1', '2048', '1', '1']);
  });
});

describe('shape ops', () => {
  it('reshape infers -1 and flags a changed element count', () => {
    const r = reshape(s('B', 'T', 768), [Poly.sym('B'), Poly.sym('T'), Poly.const(12), -1], none);
    assert.deepEqual('shape' in r && r.shape.map(String), ['B', 'T', '12', '64']);
    const bad = reshape(s(2, 3, 4), s(5, 5), none);
    assert.match('error' in bad ? bad.error : '', /\(2, 3, 4\).*24.*\(5, 5\).*25/);
    assert.ok('error' in reshape(s(2, 3, 4), [Poly.const(5), -1], none));
    assert.ok('shape' in reshape(s('B', 'T'), s('T', 'B'), none));
  });

  it('split, chunk, cat and indexing', () => {
    const sp = split(s('B', 'T', 2304), Poly.const(768), 2, none);
    assert.equal('shapes' in sp && sp.shapes.length, 3);
    const ch = chunk(s(10, 4), 3, 0, none);
    assert.deepEqual('shapes' in ch && ch.shapes.map((x) => String(x[0])), ['4', '4', '2']);
    const c = cat([s('B', 3), s('B', 5)], -1, none);
    assert.deepEqual('shape' in c && c.shape.map(String), ['B', '8']);
    assert.ok('error' in cat([s(2, 3), s(4, 5)], 1, none));
    const ix = index(s('B', 'T', 'C'), [{ kind: 'slice' }, { kind: 'int' }, { kind: 'none' }, { kind: 'ellipsis' }], none, () => 'f');
    assert.deepEqual('shape' in ix && ix.shape.map(String), ['B', '1', 'C']);
    const sl = index(s(1, 1, 1024, 1024), [{ kind: 'slice' }, { kind: 'slice' }, { kind: 'slice', stop: Poly.sym('T') }, { kind: 'slice', start: Poly.const(-8) }], none, () => 'f');
    assert.deepEqual('shape' in sl && sl.shape.map(String), ['1', '1', 'T', '8']);
  });

  it('einops rearrange splits and merges groups', () => {
    const r = rearrange(s('b', 't', 768), 'b t (h d) -> b h t d', new Map([['h', Poly.const(12)]]), none);
    assert.deepEqual('shape' in r && r.shape.map(String), ['b', '12', 't', '64']);
    assert.ok('error' in rearrange(s('b', 't', 770), 'b t (h d) -> b h t d', new Map([['h', Poly.const(12)]]), none));
  });
});
