/**
 * `nn.LSTM`, `nn.GRU`, `nn.RNN` (frontends/python/builtins/recurrent.ts): they were unmodelled
 * calls, so every recurrent model's cost was missing (yunjey/pytorch-tutorial's RNN, language
 * model and image captioning). Each layer and direction is an input projection, a recurrence of
 * T GEMMs, the gates and the state update; figures are checked against 2·m·n·k written out here.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, ready$ } from './helpers';

const ops = (text: string) => analyse(text).ir.ops;
const gemmFlops = (text: string) => ops(text).reduce((s, o) => s + (o.cost.flops.constValue() ?? NaN), 0);

describe('recurrent layers', () => {
  before(ready$);

  it('LSTM, two layers, batch first: output, final states and the GEMMs of both layers', () => {
    const text = `
import torch
import torch.nn as nn
lstm = nn.LSTM(28, 128, 2, batch_first=True)
x = torch.randn(100, 28, 28)
out, (h, c) = lstm(x)  # (100, 28, 128)
hs = h  # (2, 100, 128)
`;
    const a = analyse(text);
    assert.equal(a.findings.filter((f) => f.code === 'TC002').length, 0, 'the shape comments hold');
    const T = 28, B = 100, I = 28, H = 128;
    // Layer 1: 2·T·B·I·4H + 2·T·B·H·4H; layer 2: its input is H wide.
    assert.equal(gemmFlops(text), 2 * T * B * I * 4 * H + 2 * T * B * H * 4 * H + 2 * (2 * T * B * H * 4 * H));
    // The recurrence reads its weight once per step.
    const rec = a.ir.ops.find((o) => o.kind === 'bmm')!;
    assert.ok(rec.cost.bytes.constValue()! >= 4 * T * H * 4 * H);
    assert.equal(a.ir.unmodelled.length, 0);
  });

  it('GRU, bidirectional: three gates, the second layer reads both directions', () => {
    const text = `
import torch
import torch.nn as nn
gru = nn.GRU(input_size=64, hidden_size=32, num_layers=2, bidirectional=True)
x = torch.randn(50, 8, 64)
out, h = gru(x)  # (50, 8, 64)
hn = h  # (4, 8, 32)
`;
    assert.equal(analyse(text).findings.filter((f) => f.code === 'TC002').length, 0);
    const T = 50, B = 8, H = 32;
    const layer = (inp: number) => 2 * (2 * T * B * inp * 3 * H + 2 * T * B * H * 3 * H);
    assert.equal(gemmFlops(text), layer(64) + layer(2 * H));
  });

  it('RNN with relu: one gate, its nonlinearity, no state update', () => {
    const a = analyse(`
import torch
import torch.nn as nn
rnn = nn.RNN(10, 20, 1, 'relu')
out, h = rnn(torch.randn(5, 3, 10))  # (5, 3, 20)
`);
    assert.deepEqual(a.ir.ops.map((o) => o.kind), ['linear', 'bmm', 'activation']);
    assert.equal(a.ir.ops[2].attrs.activation, 'relu');
    assert.equal(a.ir.ops[0].cost.flops.constValue(), 2 * 5 * 3 * 10 * 20);
  });

  it('a module container moved to a device is the same container (yunjey’s GAN: `D = D.to(device)`)', () => {
    const a = analyse(`
import torch
import torch.nn as nn
D = nn.Sequential(nn.Linear(784, 256), nn.LeakyReLU(0.2), nn.Linear(256, 1), nn.Sigmoid())
D = D.to('cuda')
def step():
    return D(torch.randn(100, 784))
`);
    assert.equal(a.functions.find((f) => f.summary.name === 'step')?.figures.flops, 2 * 100 * 784 * 256 + 2 * 100 * 256 * 1);
  });
});

