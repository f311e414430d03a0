import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Poly } from '../../server/core/symbolic';

const B = Poly.sym('B');
const T = Poly.sym('T');
const C = Poly.sym('C');

describe('Poly', () => {
  it('multiplies and prints formulas in both styles', () => {
    const f = B.mul(T).mul(C.pow(2)).scale(2);
    assert.equal(f.toString(), '2*B*C^2*T');
    assert.equal(f.toString('pretty'), '2·B·C²·T');
  });

  it('evaluates exactly once bound and stays symbolic otherwise', () => {
    const f = B.mul(T).mul(C).scale(2);
    assert.equal(f.evaluate(new Map([['B', 8], ['T', 1024], ['C', 768]])), 2 * 8 * 1024 * 768);
    assert.equal(f.evaluate(new Map([['B', 8]])), null);
    assert.deepEqual([...f.freeSymbols()].sort(), ['B', 'C', 'T']);
  });

  it('keeps floor division opaque until bound, and cancels common factors', () => {
    const hs = C.floordiv(Poly.sym('nh'));
    assert.equal(hs.toString(), '(C//nh)');
    assert.equal(hs.evaluate(new Map([['C', 768], ['nh', 12]])), 64);
    assert.equal(B.mul(T).mul(C).floordiv(C).toString(), 'B*T');
    assert.equal(C.scale(4).floordiv(2).toString(), '2*C');
    assert.equal(Poly.const(7).floordiv(2).constValue(), 3);
    // A grouped convolution's channels per group: (2*d) // (2*d) is 1, 4*d // (2*d) is 2, and a
    // coefficient that does not divide stays opaque (3*d // (2*d) is 1.5 floored, not 1.5).
    const d = Poly.sym('d');
    assert.equal(d.scale(2).floordiv(d.scale(2)).constValue(), 1);
    assert.equal(d.scale(4).floordiv(d.scale(2)).constValue(), 2);
    assert.equal(d.scale(3).floordiv(d.scale(2)).evaluate(new Map([['d', 1]])), 1);
  });

  it('rounds a true division as math.ceil / math.floor do', () => {
    const d = Poly.sym('d_model');
    // Mamba's dt_rank = math.ceil(d_model / 16): 0.0625*d_model becomes a ceiling division.
    const rank = d.div(16).rounded('ceil')!;
    assert.equal(rank.evaluate(new Map([['d_model', 1024]])), 64);
    assert.equal(rank.evaluate(new Map([['d_model', 1000]])), 63);
    assert.equal(d.div(16).rounded('floor')!.evaluate(new Map([['d_model', 1000]])), 62);
    // Mixed denominators: (d/2 + d/3) = 5d/6, ceil at d = 5 is ceil(25/6) = 5.
    assert.equal(d.div(2).add(d.div(3)).rounded('ceil')!.evaluate(new Map([['d_model', 5]])), 5);
    // A whole polynomial is its own ceiling; a division by a dim stays as written.
    assert.equal(d.scale(2).rounded('ceil')!.toString(), '2*d_model');
    assert.equal(Poly.const(2.5).rounded('floor')!.constValue(), 2);
    assert.equal(d.div(Poly.sym('h')).rounded('ceil')!.evaluate(new Map([['d_model', 10], ['h', 4]])), 3);
  });

  it('adds like terms and drops zeros', () => {
    assert.equal(B.add(B).toString(), '2*B');
    assert.ok(B.sub(B).isZero());
    assert.equal(B.add(1).sub(1).toString(), 'B');
  });
});

describe('Poly.sum', () => {
  it('equals adding one by one, cancelling terms', () => {
    const ps = [B.mul(T), T.scale(3), B.mul(T).neg(), Poly.const(5), T];
    const byAdd = ps.reduce((a, p) => a.add(p), Poly.ZERO);
    assert.equal(Poly.sum(ps).toString(), byAdd.toString());
    assert.equal(Poly.sum(ps).toString(), '4*T + 5');
    assert.ok(Poly.sum([]).isZero());
  });
});

describe('Poly.rename', () => {
  it('renames dims, inside floor divisions too, and merges the terms that become alike', () => {
    const nEmbd = Poly.sym('n_embd');
    const p = B.mul(T).mul(C).scale(4).add(B.mul(T).mul(nEmbd).scale(12)).add(C.floordiv(Poly.sym('n_head')).mul(B));
    const r = p.rename(new Map([['C', 'n_embd']]));
    assert.equal(r.toString(), '16*B*T*n_embd + (n_embd//n_head)*B');
    assert.equal(r.termCount(), 2);
    assert.equal(p.termCount(), 3);
    assert.equal(r.evaluate(new Map([['B', 2], ['T', 3], ['n_embd', 8], ['n_head', 2]])), 16 * 2 * 3 * 8 + 4 * 2);
  });

  it('tells a lone dim from a formula', () => {
    assert.equal(C.loneSymbol(), 'C');
    assert.equal(C.scale(2).loneSymbol(), undefined);
    assert.equal(C.mul(C).loneSymbol(), undefined);
    assert.equal(C.floordiv(2).loneSymbol(), undefined);
    assert.equal(Poly.const(3).loneSymbol(), undefined);
  });
});

describe('Poly arithmetic shortcuts', () => {
  it('gives each product by its factors, remembered or not, past the bound of remembered ones', () => {
    const dims = Array.from({ length: 40 }, (_, i) => Poly.sym(`d${i}`).add(i % 3));
    // Twice over more factors than a polynomial remembers: later products push out earlier ones.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < dims.length; i++) {
        const p = B.mul(dims[i]);
        assert.equal(p.toString(), [`B*d${i}`, `B*d${i} + B`, `B*d${i} + 2*B`][i % 3]);
        assert.equal(p.evaluate(new Map([['B', 2], [`d${i}`, 5]])), 2 * (5 + (i % 3)));
      }
    }
    // A factor equal in value but another object: the same product.
    assert.ok(B.mul(T.add(0)).equals(B.mul(T)));
    assert.equal(B.mul(T).mul(C).toString(), 'B*C*T');
  });

  it('adds, scales and multiplies constants as the term arithmetic does', () => {
    assert.equal(Poly.const(3).add(Poly.const(-3)).isZero(), true);
    assert.equal(Poly.const(0.1).add(Poly.const(0.2)).constValue(), 0.1 + 0.2);
    assert.equal(Poly.const(7).scale(3).constValue(), 21);
    assert.equal(Poly.const(7).mul(Poly.const(0.5)).constValue(), 3.5);
    assert.equal(Poly.const(6).add(B).toString(), 'B + 6');
    assert.equal(Poly.ZERO.scale(5).isZero(), true);
  });

  it('equals agrees with the formulas whether or not the terms settle it', () => {
    const f = B.mul(T).mul(C).scale(2).add(C.mul(C).scale(3));
    // Built in another order: the same terms, other objects.
    const g = C.mul(C).scale(3).add(T.mul(C).mul(B).scale(2));
    assert.notEqual(f, g);
    assert.ok(f.equals(g));
    // The same monomials, an integer coefficient apart.
    assert.ok(!f.equals(f.add(C.mul(C))));
    // Other monomials.
    assert.ok(!f.equals(f.add(B)));
    assert.ok(!f.equals(B.mul(T).mul(C).scale(2)));
    // Coefficients that differ only past what the formula writes are equal, as before.
    const third = B.scale(0.1).add(B.scale(0.2));
    assert.ok(third.equals(B.scale(0.3)));
    assert.equal(third.toString() === B.scale(0.3).toString(), true);
  });
});
