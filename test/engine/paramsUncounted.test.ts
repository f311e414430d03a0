/**
 * A parameter count that leaves modules out says so (never a silent number): DETR holds a backbone
 * and a transformer it is handed, pytorch-cifar's ResNet builds its stages in a helper method the
 * syntactic count does not follow. Before, their hovers showed the rest of the count as the whole
 * (ResNet-18: 6,986 parameters, the stem and the head).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileJson } from '../../server/engine/report';
import { functionHover } from '../../server/lsp/features/hoverMarkdown';
import { analyse, fn, ready$ } from './helpers';

const SRC = `
import torch
import torch.nn as nn

class Head(nn.Module):
    def __init__(self, backbone, d: int = 64):
        super().__init__()
        self.backbone = backbone
        self.act = nn.functional.relu
        self.mlpf = lambda x: self.proj(x)
        self.proj = nn.Linear(d, 10)
        self.extra = None

    def forward(self, x):
        if self.extra:
            x = self.extra(x)
        return self.mlpf(self.act(self.backbone(x)))

class Whole(nn.Module):
    def __init__(self, d: int = 64):
        super().__init__()
        self.proj = nn.Linear(d, d)

    def forward(self, x):
        return self.proj(x)
`;

describe('parameter counts that leave modules out', () => {
  before(ready$);

  it('name what they leave out, in the summary, the hover and the JSON report', () => {
    const a = analyse(SRC);
    const head = fn(a, 'Head.forward');
    assert.equal(head.summary.params?.constValue(), 64 * 10 + 10);
    // The lambda and the torch function call modules counted elsewhere, or none; None holds none.
    assert.deepEqual(head.summary.paramsUncounted, ['backbone']);
    const md = functionHover(a, head, 'Head');
    assert.match(md, /\| parameters \| at least 650 \(not counted: `backbone`, modules passed in/);
    const json = fileJson(a).functions.find((f) => f.name === 'Head.forward')!;
    assert.deepEqual(json.paramsUncounted, ['backbone']);
  });

  it('say nothing more of a count that is whole', () => {
    const a = analyse(SRC);
    const whole = fn(a, 'Whole.forward');
    assert.equal(whole.summary.paramsUncounted, undefined);
    assert.match(functionHover(a, whole, 'Whole'), /\| parameters \| 4,160 \|/);
  });
});
