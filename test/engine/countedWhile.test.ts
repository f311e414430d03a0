/**
 * `while` loops whose trip count the code fixes (frontends/python/countedWhile.ts): nanoGPT's
 * training loop (`while True: ... iter_num += 1; if iter_num > max_iters: break`) used to count
 * one trip, with its evaluation every `eval_interval` steps counted on that trip; build-nanogpt's
 * `for step in range(max_steps):` counted its `if step % 250 == 0 or last_step:` validation on
 * every step (3.7 times its training FLOPs). Figures are
 * checked against counts written out here; loops the code does not fix keep "one trip counted".
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileJson } from '../../server/engine/report';
import { TripTest, countTrips } from '../../server/frontends/python/countedWhile';
import { analyseFolder, ready$ } from './helpers';

/** The file's run as the CLI reports it (its top-level code, with its calling contexts). */
function run(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-while-'));
  try {
    fs.writeFileSync(path.join(dir, 'train.py'), text);
    return fileJson(analyseFolder(dir).get('train.py')!).totals;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
const reasons = (t: ReturnType<typeof run>) => (t.reasons ?? []).map((r) => r.message).join('\n');
/** FLOPs of `torch.randn(rows, 64) @ W` with W 64×64. */
const mm = (rows: number) => 2 * rows * 64 * 64;

describe('counted while loops', () => {
  before(ready$);

  it('counts the trips before an `if last_step: break` in a for loop (llm.c)', () => {
    // llm.c's train_gpt2.py loops over range(num_iterations + 1) to evaluate once more, and
    // leaves before training on the last trip: 10 training steps, not 11.
    const a = run(`
import torch
num_iterations = 10
W = torch.randn(64, 64)
for step in range(num_iterations + 1):
    last_step = step == num_iterations
    if last_step:
        break
    y = torch.randn(8, 64) @ W
`);
    assert.equal(a.flops, 10 * mm(8), reasons(a));
    assert.equal(a.incomplete, undefined, reasons(a));
  });

  it('says what runs before such a break is counted on every trip', () => {
    const a = run(`
import torch
W = torch.randn(64, 64)
for step in range(5):
    y = torch.randn(2, 64) @ W
    if step == 2:
        break
    z = torch.randn(8, 64) @ W
`);
    // After the break: trips 0 and 1; before it: counted on all 5 trips (3 in fact), said.
    assert.equal(a.flops, 5 * mm(2) + 2 * mm(8));
    assert.match(reasons(a), /`break` at line 6 leaves the loop after trip 3 of 5; what runs before it is counted on every trip/);
  });

  it('counts a nanoGPT-style training loop and its periodic evaluation', () => {
    const a = run(`
import torch
max_iters = 100
eval_interval = 10
eval_only = False
W = torch.randn(64, 64)

def estimate():
    return torch.randn(8, 64) @ W

iter_num = 0
while True:
    if iter_num % eval_interval == 0:
        losses = estimate()
    if iter_num == 0 and eval_only:
        break
    y = torch.randn(4, 64) @ W
    iter_num += 1
    if iter_num > max_iters:
        break
`);
    // Trips 1..101 (the test after the step leaves at 101); evaluations at 0, 10, ..., 100.
    assert.equal(a.flops, 101 * mm(4) + 11 * mm(8));
    assert.doesNotMatch(reasons(a), /trip count unknown/);
  });

  it('counts `while i < n` and `while i <= n` with a constant step', () => {
    const a = run(`
import torch
W = torch.randn(64, 64)
i = 0
while i < 5:
    z = torch.randn(2, 64) @ W
    i += 1
j = 0
while j <= 10:
    z = torch.randn(3, 64) @ W
    j = j + 2
`);
    assert.equal(a.flops, 5 * mm(2) + 6 * mm(3));
  });

  it('counts tests on a range loop’s counter: periodic, the last step through an alias, and a start', () => {
    const a = run(`
import torch
W = torch.randn(64, 64)
max_steps = 1000
use_compile = False
for step in range(max_steps):
    last_step = (step == max_steps - 1)
    if step % 250 == 0 or last_step:
        v = torch.randn(8, 64) @ W
    if ((step > 0 and step % 250 == 0) or last_step) and (not use_compile):
        g = torch.randn(16, 64) @ W
    if step % 100 == 0 and use_compile:
        h = torch.randn(32, 64) @ W
    y = torch.randn(4, 64) @ W
`);
    // Every step; steps 0, 250, 500, 750 and the last (999); 250, 500, 750, 999; never.
    assert.equal(a.flops, 1000 * mm(4) + 5 * mm(8) + 4 * mm(16));
  });

  it('counts a test period by period as it would trip by trip', () => {
    // Seeded tests of the shapes tripTest builds: periodic parts, comparisons, and/or/not.
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let i = 0; i < 300; i++) {
      const k1 = 1 + rnd(40);
      const k2 = 1 + rnd(12);
      const e1 = rnd(3000);
      const e2 = rnd(3000);
      const tests: TripTest[] = [
        { test: (v) => v % k1 === 0 || v === e1, moduli: [k1], points: [e1] },
        { test: (v) => v > e1 && v % k1 === 0 && !(v % k2 === 0), moduli: [k1, k2], points: [e1] },
        { test: (v) => (v >= e1 && v < e2) || v % k2 === 0, moduli: [k2], points: [e1, e2] },
        { test: (v) => v !== e2, moduli: [], points: [e2] },
      ];
      const first = rnd(50);
      const trips = rnd(4000);
      for (const t of tests) {
        let brute = 0;
        for (let v = first; v < first + trips; v++) if (t.test(v)) brute++;
        assert.equal(countTrips(t, first, 1, trips), brute, `k1 ${k1} k2 ${k2} e1 ${e1} e2 ${e2} first ${first} trips ${trips}`);
      }
    }
  });

  for (const [what, loop] of [
    ['a break on a loss', 'while True:\n    y = torch.randn(4, 64) @ W\n    i += 1\n    if y.sum() < 0.1:\n        break\n'],
    ['an unknown bound', 'while i < n:\n    y = torch.randn(4, 64) @ W\n    i += 1\n'],
    ['a second way out', 'while i < 10:\n    y = torch.randn(4, 64) @ W\n    if stop:\n        break\n    i += 1\n'],
    ['a counter set twice', 'while i < 10:\n    y = torch.randn(4, 64) @ W\n    i += 1\n    i = i * 2\n'],
  ] as const) {
    it(`keeps one trip, said, for ${what}`, () => {
      const a = run(`
import sys
import torch
W = torch.randn(64, 64)
def run(n, stop):
    i = 0
${loop.replace(/^/gm, '    ')}
run(int(sys.argv[1]), sys.argv[2] == 'stop')
`);
      assert.match(reasons(a), /`while` loop at line \d+: trip count unknown, one trip counted/);
    });
  }
});
