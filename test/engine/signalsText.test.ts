/**
 * What the signal walk leaves out by reading the statement's text (frontends/python/signals.ts):
 * dotted names (`self.config.n_embd`, `dottedName`), skipped only when the text is identifiers
 * joined by dots, so that an attribute whose object holds code (a matmul in parentheses, a call,
 * a subscript) is walked as before; and calls with none of the words `onCall` acts on
 * (`quietCall`), which must still count a call of the file's own softmax module, named by the
 * user (`self.norm = nn.Softmax(dim=-1)`).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import type { LoopSignal } from '../../server/core/rules/signals';

const loopsOf = (text: string) => analyzeSource({ path: 'loop.py', text, languageId: 'python' }, DEFAULT_SETTINGS).ir.signals.loops as LoopSignal[];

const analyse = (text: string) => analyzeSource({ path: 'attn.py', text, languageId: 'python' }, DEFAULT_SETTINGS);

describe('signal walk over attributes and calls', () => {
  before(initEngine);

  it('finds a matmul inside the object of an attribute, in a loop', () => {
    const loops = loopsOf(`import torch


def f(a, b, n):
    for i in range(n):
        y = (a @ b).T
        z = a.weight.data @ b
    return y, z
`);
    assert.equal(loops.length, 1);
    // `(a @ b)` under `.T`, and the matmul whose left operand is the dotted name `a.weight.data`.
    assert.deepEqual(loops[0].matmuls.map((m) => m.statement?.start.line), [5, 6]);
  });

  it('sees a call of a softmax module the file names itself', () => {
    const a = analyse(`import torch
import torch.nn as nn


class Attn(nn.Module):
    def __init__(self):
        super().__init__()
        self.norm = nn.Softmax(dim=-1)

    def forward(self, q, k, v):
        w = self.norm(q @ k.transpose(-2, -1))
        return w @ v
`);
    assert.equal((a.ir.signals.manualAttention as unknown[]).length, 1);
    assert.deepEqual(a.findings.map((f) => f.code), ['TC202']);
  });
});
