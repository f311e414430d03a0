/**
 * A synchronised model whose count misses a module (a backbone from a library the engine does not
 * model) sizes its gradients as a floor and says so: before, the all-reduce was sized by the head
 * alone, as if the backbone had no parameters.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { estimateDistributed } from '../../server/core/comm/estimate';
import { gradText } from '../../server/core/comm/text';
import { withDefaults } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { commHoverSection } from '../../server/lsp/features/commHover';

const SRC = `
import torch
import torch.nn as nn
import torch.distributed as dist
import somelib
from torch.nn.parallel import DistributedDataParallel as DDP


class Classifier(nn.Module):
    def __init__(self, backbone):
        super().__init__()
        self.backbone = backbone
        self.head = nn.Linear(2048, 1000)

    def forward(self, x):
        # The features the backbone adds are what the engine cannot size; the head's are known.
        return self.head(x) + self.backbone(x)


def main():
    dist.init_process_group(backend="nccl")
    model = DDP(Classifier(somelib.resnet50()))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    for step in range(100):
        x = torch.randn(64, 2048)
        loss = model(x).sum()
        loss.backward()
        optimizer.step()
`;

describe('a synchronised model whose count misses a module', () => {
  before(initEngine);

  it('sizes the gradients as a floor and names what it missed', () => {
    const settings = withDefaults({ worldSize: 8, interconnect: 'nvlink' });
    const a = analyzeSource({ path: 'train.py', text: SRC, languageId: 'python' }, settings);
    const r = estimateDistributed(a.ir, a.device, settings, a.bindings);
    assert.ok(r.ok, r.ok ? '' : r.reason);
    // The head alone: 2048·1000 + 1000.
    assert.equal(r.estimate.params, 2_049_000);
    assert.deepEqual(r.estimate.paramsUncounted, ['backbone']);
    // TC603's words for the gradients, and the distributed hover's.
    assert.match(gradText(r.estimate), /^at least 7\.82 MiB of gradients \(at least 2,049,000 params × 4 B fp32; not counted: backbone\)$/);
    assert.match(commHoverSection(a, settings, 'Classifier.forward'), /Classifier: at least 2,049,000 parameters, at least .* gradients.*; not counted: `backbone`/);
  });
});
