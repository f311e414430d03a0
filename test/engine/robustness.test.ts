/**
 * ARCHITECTURE.md: no input makes the analysis throw or hang. Random and mutated sources, deep nesting,
 * absurd and degenerate dims, unicode names, cyclic calls and classes.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { FIXTURES, analyse, fn, ready$ } from './helpers';

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

describe('robustness (ARCHITECTURE.md, invariants)', () => {
  before(ready$);

  it('mutated model sources never throw', () => {
    const sources = fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.py')).map((f) => fs.readFileSync(path.join(FIXTURES, f), 'utf8'));
    const r = rng(42);
    for (let i = 0; i < 60; i++) {
      const text = mutate(sources[i % sources.length], r);
      assert.doesNotThrow(() => analyse(text), `mutation ${i}`);
    }
  });

  it('random bytes never throw', () => {
    const r = rng(7);
    for (let i = 0; i < 30; i++) {
      const text = Array.from({ length: 400 }, () => String.fromCharCode(Math.floor(r() * 0x3000))).join('');
      assert.doesNotThrow(() => analyse(text));
    }
  });

  it('deep nesting of expressions, blocks and calls', () => {
    const deepExpr = `x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n`;
    let deepBlock = '';
    for (let i = 0; i < 200; i++) deepBlock += `${' '.repeat(i)}if x:\n`;
    deepBlock += `${' '.repeat(200)}y = x @ x\n`;
    const chain = Array.from({ length: 300 }, (_, i) => `def f${i}(x):\n    return f${i + 1}(x) @ x\n`).join('');
    for (const text of [deepExpr, deepBlock, chain]) assert.doesNotThrow(() => analyse(text));
  });

  it('absurd, zero and negative dims give numbers or null, never an exception', () => {
    const a = analyse(`
B = 10**30
def f(x: Float[Tensor, "B 0 -3"], w: Float[Tensor, "-3 1e30"], z: Float[Tensor, "B B"]):
    y = z @ z
    for _ in range(-5):
        y = y @ z
    return x @ w
`);
    const f = fn(a, 'f');
    assert.ok(f.figures.flops === null || typeof f.figures.flops === 'number');
  });

  it('unicode identifiers and dims', () => {
    const a = analyse(`
def f(x: Float[Tensor, "batch d"], w: Float[Tensor, "d n"]):
    größe = x @ w  # (batch, n)
    return größe
`, { dims: { batch: 2, d: 3, n: 4 } });
    assert.equal(fn(a, 'f').figures.flops, 2 * 2 * 3 * 4);
  });

  it('cyclic calls, self-constructing classes and cyclic bases finish', () => {
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
    assert.doesNotThrow(() => analyse(text));
  });
});
