/**
 * The bundled model examples (`npm start`) show the totals their docstrings promise, by formula.
 *   gpt.py (b 8, t 512, C 512, 6 layers, 8 heads, V 32000, causal SDPA halved, no biases):
 *     per layer 2·N·C·3C + 2·N·C·C + 2·(2·N·C·4C) + 4·b·H·t²·(C/H)/2 with N = b·t
 *     forward   6 · layer + 2·N·C·V
 *   resnet.py (ResNet-20, batch 128, 32×32): 40,813,184 MACs per image (stem 442,368; stage 1
 *     6 × 2,359,296; stages 2 and 3 each 1,179,648 + 5 × 2,359,296 + 131,072 for the 1×1
 *     projection; fc 640), 2 FLOPs per MAC.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { REPO } from '../helpers/lspClient';
import { analyse, fn, ready$ } from './helpers';

function example(name: string) {
  const file = path.join('examples', 'models', name);
  return analyse(fs.readFileSync(path.join(REPO, file), 'utf8'), {}, file);
}

describe('bundled model examples', () => {
  before(ready$);

  it('gpt.py: GPT.forward and Block.forward totals', () => {
    const [b, t, c, h, v, layers] = [8, 512, 512, 8, 32000, 6];
    const n = b * t;
    const layer = 2 * n * c * 3 * c + 2 * n * c * c + 2 * (2 * n * c * 4 * c) + (4 * b * h * t * t * (c / h)) / 2;
    const a = example('gpt.py');
    assert.equal(fn(a, 'Block.forward').figures.flops, layer);
    assert.equal(fn(a, 'GPT.forward').figures.flops, layers * layer + 2 * n * c * v);
    assert.equal(fn(a, 'GPT.forward').figures.flops, 301_721_452_544);
  });

  it('resnet.py: ResNet-20 is 40,813,184 MACs per image', () => {
    const conv = (cout: number, cin: number, k: number, hw: number) => cout * cin * k * k * hw * hw;
    const stage = (cin: number, cout: number, hw: number) => conv(cout, cin, 3, hw) + 5 * conv(cout, cout, 3, hw) + conv(cout, cin, 1, hw);
    const perImage = conv(16, 3, 3, 32) + 6 * conv(16, 16, 3, 32) + stage(16, 32, 16) + stage(32, 64, 8) + 64 * 10;
    assert.equal(perImage, 40_813_184);
    const a = example('resnet.py');
    assert.equal(fn(a, 'ResNet.forward').figures.flops, 2 * 128 * perImage);
    assert.equal(fn(a, 'BasicBlock.forward').figures.flops, 2 * 2 * 128 * conv(16, 16, 3, 32));
  });
});
