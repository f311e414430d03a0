/**
 * Decorated classes (`@dataclass class Config:`) are declared from what an earlier analysis read
 * of the same text (interpreter.ts, `declareDecoratedClass`) when their defaults are literals, and
 * by walking the tree otherwise: both give the config's defaults as numbers, on the first
 * analysis of a text and on later ones.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, fn, ready$ } from './helpers';

const text = (width: string) =>
  [
    'import torch',
    'import torch.nn as nn',
    'from dataclasses import dataclass',
    '',
    '@dataclass',
    'class Cfg:',
    `    width: int = ${width}`,
    '    depth: int = 2',
    '    dropout: float = 0.0',
    '    bias: bool = True',
    '',
    '    def doubled(self):',
    '        return 2 * self.width',
    '',
    'class Net(nn.Module):',
    '    def __init__(self, cfg: Cfg):',
    '        super().__init__()',
    '        self.fc = nn.Linear(cfg.width, cfg.width, bias=cfg.bias)',
    '',
    '    def forward(self, x):',
    '        return self.fc(x)',
    '',
    'def main():',
    '    net = Net(Cfg())',
    '    y = net(torch.randn(8, 64))',
    '',
  ].join('\n');

describe('decorated classes declared from their text', () => {
  before(() => ready$());

  it('gives literal defaults (fast path) and computed ones (the tree) alike, first and again', () => {
    for (const width of ['64', '32 * 2']) {
      const first = analyse(text(width));
      const again = analyse(text(width));
      const flops = (a: ReturnType<typeof analyse>) => fn(a, 'main').figures.flops;
      // One 8×64 by 64×64 linear (its bias is in the other FLOPs): a number only when `width` is known.
      assert.equal(flops(first), 2 * 8 * 64 * 64, width);
      assert.equal(flops(again), flops(first), width);
      assert.ok(first.functions.some((f) => f.summary.name === 'Cfg.doubled'), 'the method is declared');
    }
  });
});
