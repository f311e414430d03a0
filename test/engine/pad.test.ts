/**
 * `F.pad` (whisper's audio and timing code, convolutional nets): a copy into the padded shape,
 * pairs of amounts from the last dim backwards. It used to be an unmodelled call that made the
 * figures after it incomplete.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, ready$ } from './helpers';

describe('F.pad', () => {
  before(ready$);

  it('pads the last dims pair by pair, crops with negative amounts, and moves input plus output', () => {
    const a = analyse(`
import torch
import torch.nn.functional as F
x = torch.randn(8, 3, 32, 32)
y = F.pad(x, (1, 1, 2, 2))  # (8, 3, 36, 34)
z = torch.nn.functional.pad(x, (0, 4, -2, 0), mode="reflect")  # (8, 3, 30, 36)
w = y.sum()
`);
    const pads = a.ir.ops.filter((o) => o.kind === 'copy');
    assert.deepEqual(pads.map((o) => o.output.shape?.map(String)), [['8', '3', '36', '34'], ['8', '3', '30', '36']]);
    const bytes = pads.map((o) => o.cost.bytes.constValue());
    assert.deepEqual(bytes, [4 * (8 * 3 * 32 * 32 + 8 * 3 * 36 * 34), 4 * (8 * 3 * 32 * 32 + 8 * 3 * 30 * 36)]);
    assert.equal(a.ir.unmodelled.length, 0);
    assert.equal(a.findings.filter((f) => f.code === 'TC002').length, 0);
  });
});
