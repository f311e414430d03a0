/**
 * ARCHITECTURE.md (invariants): no input makes the analysis throw or hang. Random and mutated sources, deep nesting,
 * absurd and degenerate dims, unicode names, cyclic calls and classes. Each test analyses in a
 * worker under a time bound (a hang fails the test instead of stalling the run) and asserts what
 * the analysis said: the right figure where one exists, otherwise unknown costs that say why.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AnalysisResult, analyseBounded } from './boundedAnalysis';
import { FIXTURES } from './helpers';

/**
 * Bounds generous enough for a loaded 2-core machine (the whole file analyses in under 10 s
 * there); a hang exceeds them. The test's own timeout is a backstop above the analysis bound.
 */
const BOUND_MS = 60_000;
const TEST_TIMEOUT = { timeout: 90_000 };

/** A small deterministic generator, so that a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function mutate(text: string, r: () => number): string {
  const chars = [...text];
  const edits = 1 + Math.floor(r() * 20);
  const pieces = ['(', ')', '[', ']', ':', ',', '@', '#', ' (B, T', '"', '\n    ', 'for _ in range(', 'if x:', '*', '...', 'self.', 'nn.Sequential(', '\u00e9', '1e30'];
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(r() * chars.length);
    const op = r();
    if (op < 0.4) chars.splice(at, 1 + Math.floor(r() * 5));
    else if (op < 0.8) chars.splice(at, 0, pieces[Math.floor(r() * pieces.length)]);
    else chars.splice(at, 0, ...chars.slice(Math.floor(r() * chars.length), Math.floor(r() * chars.length)));
  }
  return chars.join('');
}

/** A figure is a finite, non-negative number, or null when a dim is unbound or a cost unknown. */
function assertFigure(v: number | null, what: string): void {
  assert.ok(v === null || (Number.isFinite(v) && v >= 0), `${what} is ${v}`);
}

/**
 * What every analysis result must satisfy, whatever the input: figures are numbers or null; an op
 * whose cost is unknown has null figures and a note saying why; a function with a null figure
 * names the dims to bind; findings carry a rule code.
 */
function assertSane(r: AnalysisResult, label: string): void {
  for (const op of r.ops) {
    for (const k of ['flops', 'otherFlops', 'bytes'] as const) assertFigure(op[k], `${label}: ${op.function} ${op.kind} ${k}`);
    if (op.unknown) {
      assert.equal(op.flops, null, `${label}: an unknown op has no FLOP figure`);
      assert.ok(op.notes.length > 0, `${label}: an unknown op says why`);
    }
  }
  for (const f of r.functions) {
    for (const k of ['flops', 'otherFlops', 'bytes'] as const) assertFigure(f[k], `${label}: ${f.name} ${k}`);
    if (f.flops === null || f.otherFlops === null || f.bytes === null) assert.ok(f.unbound.length > 0, `${label}: ${f.name} has a null figure but names no dim to bind`);
  }
  for (const x of r.findings) assert.match(x.code, /^TC\d{3}$/, `${label}: finding ${JSON.stringify(x)}`);
}

const only = (r: AnalysisResult, name: string) => {
  const f = r.functions.find((x) => x.name === name);
  assert.ok(f, `no function ${name}; have ${r.functions.map((x) => x.name).join(', ')}`);
  return f;
};

describe('robustness (SPEC §11)', () => {
  it('mutated model sources finish with sane figures', TEST_TIMEOUT, async () => {
    const sources = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
    const r = rng(42);
    const texts = Array.from({ length: 60 }, (_, i) => mutate(sources[i % sources.length], r));
    const results = await analyseBounded(texts, BOUND_MS);
    results.forEach((res, i) => assertSane(res, `mutation ${i}`));
  });

  it('a syntax error in one function leaves the figure of another, before or after it', TEST_TIMEOUT, async () => {
    // good: (4, 8) @ (8, 16) = 2·4·8·16 = 1,024 FLOPs; 4·(32 + 128 + 64) = 896 B in fp32.
    const good = 'def good(x: Float[Tensor, "4 8"], w: Float[Tensor, "8 16"]):\n    return x @ w\n';
    const bad = 'def bad(x):\n    y = (x @\n';
    const results = await analyseBounded([good + bad, bad + good], BOUND_MS);
    for (const [i, res] of results.entries()) {
      assertSane(res, `order ${i}`);
      assert.deepEqual(only(res, 'good'), { name: 'good', flops: 1024, otherFlops: 0, bytes: 896, unbound: [], incomplete: false, upperBound: false });
    }
  });

  it('random characters finish with sane figures', TEST_TIMEOUT, async () => {
    const r = rng(7);
    const texts = Array.from({ length: 30 }, () => Array.from({ length: 400 }, () => String.fromCharCode(Math.floor(r() * 0x3000))).join(''));
    const results = await analyseBounded(texts, BOUND_MS);
    results.forEach((res, i) => assertSane(res, `random text ${i}`));
  });

  it('deep nesting of expressions, blocks and calls gives the figures of the shallow code', TEST_TIMEOUT, async () => {
    const deepExpr = `x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`;
    // A GEMM of (4, 4) @ (4, 4), 2·4·4·4 = 128 FLOPs, under 200 undecidable `if`s: counted once,
    // flagged as an upper bound (the branches may not run).
    let deepBlock = 'def f(x: Float[Tensor, "4 4"]):\n';
    for (let i = 0; i < 200; i++) deepBlock += `${' '.repeat(4 + i)}if x:\n`;
    deepBlock += `${' '.repeat(204)}y = x @ x\n    return x\n`;
    // 300 functions each doing a (4, 4) GEMM and calling the next: calls are followed 16 deep
    // (MAX_CALL_DEPTH), so c0 counts its own GEMM and those of c1..c16: 17 · 128 = 2,176 FLOPs.
    // Beyond that depth the operands are unknown: cost missing, never wrong.
    const chain =
      'def c0(x: Float[Tensor, "4 4"]):\n    return c1(x @ x)\n' +
      Array.from({ length: 299 }, (_, j) => `def c${j + 1}(x):\n    return c${j + 2}(x @ x)\n`).join('') +
      'def c300(x):\n    return x\n';
    const [expr, block, calls] = await analyseBounded([deepExpr, deepBlock, chain], BOUND_MS);
    for (const [res, label] of [[expr, 'expr'], [block, 'block'], [calls, 'chain']] as const) assertSane(res, label);
    assert.deepEqual(expr.ops, []);
    assert.deepEqual(expr.total, { flops: 0, otherFlops: 0, bytes: 0 });
    assert.deepEqual(only(block, 'f'), { name: 'f', flops: 128, otherFlops: 0, bytes: 192, unbound: [], incomplete: false, upperBound: true });
    assert.equal(only(calls, 'c0').flops, 17 * 128);
    assert.equal(calls.functions.length, 301);
    // Standalone, c1..c299 have unannotated operands: their GEMMs are unknown, and they say so.
    assert.equal(only(calls, 'c1').incomplete, true);
    assert.equal(only(calls, 'c1').flops, 0);
  });

  it('absurd, zero and negative dims give numbers or null and say why', TEST_TIMEOUT, async () => {
    const text = `
B = 10**30
def f(x: Float[Tensor, "B 0 -3"], w: Float[Tensor, "-3 1e30"], z: Float[Tensor, "B B"]):
    y = z @ z
    for _ in range(-5):
        y = y @ z
    return x @ w
`;
    const [free, again] = await analyseBounded([text, text], BOUND_MS);
    const [withB] = await analyseBounded([text], BOUND_MS, { dims: { B: 1e30 } });
    assertSane(free, 'absurd');
    assertSane(withB, 'absurd, B bound');
    assert.deepEqual(again, free, 'the same text analyses the same twice');
    // "1e30" is not a dim, nor is the negative "-3": TC001 on the annotations, and x @ w has an
    // unknown cost.
    assert.deepEqual([...new Set(free.findings.map((x) => x.code))], ['TC001']);
    assert.ok(free.findings.some((x) => /1e30/.test(x.message)), free.findings.map((x) => x.message).join('\n'));
    assert.deepEqual(free.ops.map((op) => [op.kind, op.unknown]), [['matmul', false], ['matmul', false], ['matmul', true]]);
    // range(-5) runs zero times: that GEMM costs nothing, whatever B is.
    assert.equal(free.ops[1].flops, 0);
    assert.equal(free.ops[1].bytes, 0);
    // The expression 10**30 is not a literal dim binding, so B is left for the user to bind.
    const f = only(free, 'f');
    assert.equal(f.flops, null);
    assert.deepEqual(f.unbound, ['B']);
    assert.equal(f.incomplete, true);
    // Bound to 1e30, z @ z is 2·B³ = 2e90 FLOPs: a finite number, not an overflow.
    const g = only(withB, 'f');
    assert.equal(g.flops, 2 * 1e30 ** 3);
    assert.equal(withB.ops[0].flops, 2 * 1e30 ** 3);
  });

  it('unicode identifiers and dims', TEST_TIMEOUT, async () => {
    const [res] = await analyseBounded(
      [
        `
def f(x: Float[Tensor, "batch d"], w: Float[Tensor, "d n"]):
    größe = x @ w  # (batch, n)
    return größe
`,
      ],
      BOUND_MS,
      { dims: { batch: 2, d: 3, n: 4 } },
    );
    assert.equal(only(res, 'f').flops, 2 * 2 * 3 * 4);
  });

  it('cyclic calls, self-constructing classes and cyclic bases finish; the recursion says it is incomplete', TEST_TIMEOUT, async () => {
    const text = `
class A(B):
    def __init__(self):
        self.b = B()
    def forward(self, x):
        return self.b(x) @ x
class B(A):
    def __init__(self):
        self.a = A()
    def forward(self, x):
        return self.a(x)
def r(x):
    return r(x @ x)
`;
    const [res] = await analyseBounded([text], BOUND_MS);
    assertSane(res, 'cyclic');
    assert.deepEqual(res.functions.map((f) => f.name), ['A.__init__', 'A.forward', 'B.__init__', 'B.forward', 'r']);
    // r's operand has no shape: its GEMM is unknown, counted as 0 and flagged incomplete.
    assert.deepEqual(only(res, 'r'), { name: 'r', flops: 0, otherFlops: 0, bytes: 0, unbound: [], incomplete: true, upperBound: false });
    assert.deepEqual(res.ops.map((op) => [op.function, op.kind, op.unknown]), [['r', 'matmul', true]]);
  });
});
