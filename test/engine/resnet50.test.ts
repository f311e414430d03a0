/**
 * ResNet-50 in torchvision's style at 224×224 (docs/cost-model.md: ~4.1 GMAC). Exact figure, counted as
 * FlopCounterMode does (convolutions and the final linear, 2 FLOPs per MAC):
 * 4,087,136,256 conv MACs + 2,048,000 fc MACs = 4,089,184,256 MACs = 8,178,368,512 FLOPs.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FIXTURES, analyse, analyseFixture, fn, opFlops, ready$ } from './helpers';

const FIXTURE = 'resnet50_torchvision_style.py';

describe('ResNet-50, torchvision style (docs/cost-model.md)', () => {
  before(ready$);

  it('forward is 4,089,184,256 MACs at 224×224', () => {
    const a = analyseFixture(FIXTURE);
    const f = fn(a, 'ResNet.forward');
    assert.equal(f.figures.macs, 4_089_184_256);
    assert.equal(f.figures.flops, 8_178_368_512);
    // Every branch (downsample or not) is decided per block: the figure is exact, not a bound.
    assert.equal(f.summary.upperBound, false);
  });

  it('the stem and the classifier are where the layers put them', () => {
    const a = analyseFixture(FIXTURE);
    // conv1: 7×7, 3→64, stride 2 → 112×112: 118,013,952 MACs.
    assert.equal(opFlops(a, 'ResNet.forward', (op) => op.name === 'self.conv1'), 2 * 118_013_952);
    assert.equal(opFlops(a, 'ResNet.forward', (op) => op.name === 'self.fc'), 2 * 2_048_000);
    // layer4 ends at 7×7 with 2048 channels; the pooled, flattened input of fc is (1, 2048).
    const fc = a.ir.ops.find((op) => op.function === 'ResNet.forward' && op.name === 'self.fc')!;
    assert.deepEqual(fc.inputs[0].shape!.map((d) => d.evaluate(a.bindings)), [1, 2048]);
  });

  it('block counts follow the layers list: [1, 2, 3, 1] by the closed formula', () => {
    const text = fs.readFileSync(path.join(FIXTURES, FIXTURE), 'utf8').replace('[3, 4, 6, 3]', '[1, 2, 3, 1]');
    const a = analyse(text);
    assert.equal(fn(a, 'ResNet.forward').figures.macs, bottleneckResNetMacs([1, 2, 3, 1]));
    assert.equal(bottleneckResNetMacs([3, 4, 6, 3]), 4_089_184_256);
  });
});

/** MACs of a bottleneck ResNet at 224×224, 1000 classes, written out independently of the engine. */
function bottleneckResNetMacs(layers: number[]): number {
  const out = (h: number, k: number, s: number, p: number) => Math.floor((h + 2 * p - k) / s) + 1;
  let h = out(224, 7, 2, 3);
  let macs = h * h * 64 * 3 * 49;
  h = out(h, 3, 2, 1);
  let inplanes = 64;
  [64, 128, 256, 512].forEach((planes, li) => {
    for (let b = 0; b < layers[li]; b++) {
      const s = b === 0 && li > 0 ? 2 : 1;
      const h2 = out(h, 3, s, 1);
      macs += h * h * inplanes * planes + h2 * h2 * planes * planes * 9 + h2 * h2 * planes * planes * 4;
      if (b === 0) macs += h2 * h2 * inplanes * planes * 4;
      inplanes = planes * 4;
      h = h2;
    }
  });
  return macs + 2048 * 1000;
}
