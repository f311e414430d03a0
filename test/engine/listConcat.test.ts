/**
 * `sum(lists, [])`: lists laid end to end, as mistral-inference lays its prompts (`torch.tensor(
 * sum(prompt_chunks, []))`) and builds its cache masks. The tensor made of the result has the
 * total length as its size, not an unknown one (the run then waited for a dim `num_toks`).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyse, ready$ } from './helpers';

const shapes = (src: string) => analyse(src).ir.ops.filter((o) => o.kind === 'matmul').map((o) => o.inputs[0].shape?.map((d) => d.toString()));

describe('sum(lists, start)', () => {
  before(ready$);

  it('concatenates lists of known length, each as often as it occurs', () => {
    assert.deepEqual(
      shapes(`
import torch
W = torch.ones(16, 4)
prompts = [[0, 1, 2, 3], [0, 5], [0, 7, 8]]
flat = torch.tensor(sum(prompts, []))
(n,) = flat.shape
a = torch.ones(n, 16) @ W
b = torch.ones(len(sum([[1, 2]] * 3, [0])), 16) @ W
`),
      [['9', '16'], ['7', '16']],
    );
  });

  it('stays unknown when one of the lists is of unknown length', () => {
    assert.deepEqual(
      shapes(`
import torch
W = torch.ones(16, 4)
def run(tokenizer):
    flat = sum([[0, 1], tokenizer.encode("a b")], [])
    return torch.ones(len(flat), 16) @ W
run(None)
`),
      [undefined],
    );
  });
});
