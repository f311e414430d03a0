/**
 * Dims no tensor can have (zero, negative, fractional, non-finite, past 2^53) are refused where
 * they enter, with a message, and never become negative, NaN or falsely exact figures.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { evaluateCost } from '../../server/core/cost/evaluate';
import { checkDim, parseDimText } from '../../server/core/dimCheck';
import { findDevice } from '../../server/core/devices';
import { exact } from '../../server/core/format';
import { Poly } from '../../server/core/symbolic';
import { settingsFromTable } from '../../server/node/config';
import { fromClient, settingsProblems } from '../../server/lsp/settings';
import { analyse, ready$ } from '../engine/helpers';

const figuresOf = (a: ReturnType<typeof analyse>) => a.figures.flatMap((f) => [f.flops, f.otherFlops, f.bytes, f.timeSeconds, f.intensity]).filter((x) => x !== null) as number[];

describe('dims', () => {
  before(ready$);

  it('reads `# tensorcost: dims B=1e3 T=2_048 C=4096.5 D=-7` as B=1000, T=2048, and flags C and D', () => {
    const text = [
      'from jaxtyping import Float',
      'from torch import Tensor',
      '# tensorcost: dims B=1e3 T=2_048 C=4096.5 D=-7',
      'def f(x: Float[Tensor, "B T C"], w: Float[Tensor, "C D"]):',
      '    return x @ w',
      '',
    ].join('\n');
    const a = analyse(text);
    assert.equal(a.bindings.get('B'), 1000);
    assert.equal(a.bindings.get('T'), 2048);
    assert.equal(a.bindings.has('C'), false);
    assert.equal(a.bindings.has('D'), false);
    const tc001 = a.findings.filter((f) => f.code === 'TC001').map((f) => [f.message, f.range.start.line, f.range.start.character]);
    assert.deepEqual(tc001, [
      ["# tensorcost: dims C: '4096.5' must be a whole number; the dim is left unbound", 2, 33],
      ["# tensorcost: dims D: '-7' must not be negative; the dim is left unbound", 2, 42],
    ]);
    assert.deepEqual(a.figures[0].unbound, ['C', 'D']);
  });

  it('annotations and shape comments with negative or past-2^53 sizes are TC001, not figures', () => {
    const text = [
      'from jaxtyping import Float',
      'from torch import Tensor',
      'def f(a: Float[Tensor, "4 -3"], b: Float[Tensor, "-3 5"]):',
      '    return a @ b',
      'def g(a, b):',
      '    # tensorcost: shape a=(4, 2-5) b=(-3, 5)',
      '    return a @ b',
      'def k(a: Float[Tensor, "4 99999999999999999999"], b: Float[Tensor, "99999999999999999999 5"]):',
      '    return a @ b',
      '',
    ].join('\n');
    const a = analyse(text);
    const tc001 = a.findings.filter((f) => f.code === 'TC001').map((f) => f.message);
    assert.equal(tc001.length, 5, tc001.join('\n'));
    assert.match(tc001.join('\n'), /bad dim '-3' in "4 -3": a size cannot be negative/);
    assert.match(tc001.join('\n'), /bad dim '2-5' in "\(4, 2-5\)": a size cannot be negative/);
    assert.match(tc001.join('\n'), /99999999999999999999 is larger than 2\^53-1/);
    for (const v of figuresOf(a)) assert.ok(v >= 0 && Number.isFinite(v), `figure ${v}`);
    assert.ok(a.figures.every((f) => f.flops === null), 'no op gets a figure from an invalid size');
  });

  it('a negative size in a constructor gives an unknown shape, never negative figures', () => {
    const a = analyse('import torch\na = torch.randn(-8, 4)\nb = torch.randn(4, 5)\nc = a @ b\nd = b.repeat(-2, 1)\n');
    for (const v of figuresOf(a)) assert.ok(v >= 0 && Number.isFinite(v), `figure ${v}`);
  });

  it('no figure is negative or non-finite, whatever the cost evaluates to', () => {
    const h100 = findDevice('h100')!;
    const f = evaluateCost({ flops: Poly.sym('K').mul(Poly.const(-2)), otherFlops: Poly.ZERO, bytes: Poly.const(16) }, 'fp32', h100, new Map([['K', 5]]));
    assert.equal(f.flops, null);
    assert.equal(f.bound, null);
    const g = evaluateCost({ flops: Poly.sym('K').pow(40), otherFlops: Poly.ZERO, bytes: Poly.const(16) }, 'fp32', h100, new Map([['K', 2 ** 52]]));
    assert.equal(g.flops, null, 'a product past 1e308 is no figure');
  });

  it('an op that does no work is not called compute-bound', () => {
    const f = evaluateCost({ flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO }, 'fp32', findDevice('h100')!, new Map());
    assert.equal(f.bound, null);
    assert.equal(f.timeSeconds, 0);
    const copy = evaluateCost({ flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.const(1024) }, 'fp32', findDevice('h100')!, new Map());
    assert.equal(copy.bound, 'memory');
  });

  it('checkDim and parseDimText accept non-negative safe integers only', () => {
    // Zero is a size (an empty batch, a KV-cache offset at the prompt pass).
    for (const v of [0, 1, 8, 2 ** 53 - 1]) assert.equal(checkDim(v), undefined, String(v));
    for (const v of [-1, 1.5, NaN, Infinity, 2 ** 53, 1e300, '8', null]) assert.ok(checkDim(v), String(v));
    assert.deepEqual(parseDimText('2_048'), { value: 2048 });
    assert.deepEqual(parseDimText('1e3'), { value: 1000 });
    assert.deepEqual(parseDimText('0'), { value: 0 });
    for (const t of ['4096.5', '-7', '1e400', '9007199254740993', 'abc', '1__0', '']) assert.ok('error' in parseDimText(t), t);
  });

  it('settings and pyproject.toml refuse bad dims with a message', () => {
    const s = fromClient({ dims: { B: 8, T: -3, C: 0.5, D: 1e400, E: 2 ** 60 } });
    assert.deepEqual(s.dims, { B: 8 });
    assert.equal(settingsProblems(s).length, 4);
    assert.match(settingsProblems(s).join('\n'), /tensorcost\.dims\.T: must not be negative, got -3/);
    const p = settingsFromTable({ dims: { B: 8n, T: -1, C: 1.5, P: 0 } }, 'pyproject.toml');
    assert.deepEqual(p.settings.dims, { B: 8, P: 0 });
    assert.match(p.errors.join('\n'), /\[tool\.tensorcost\] dims\.T: must not be negative, got -1/);
    assert.match(p.errors.join('\n'), /\[tool\.tensorcost\] dims\.C: must be a whole number, got 1\.5/);
  });

  it('integers past 2^53 are never printed as if exact', () => {
    assert.equal(exact(2 ** 53 - 1), '9,007,199,254,740,991');
    assert.equal(exact(2 ** 60), '≈1.15292e+18');
    assert.equal(exact(123456789012345680000), '≈1.23457e+20');
  });
});
