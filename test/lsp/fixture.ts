/** A small model file for the editor-feature tests, and helpers to find positions in it. */
import { pathToFileURL } from 'node:url';
import * as path from 'node:path';
import * as os from 'node:os';

export const MODEL = `import torch
from torch import nn
from jaxtyping import Float
from torch import Tensor

# tensorcost: dims B=8 T=1024 C=768


class MLP(nn.Module):
    def __init__(self, C: int):
        super().__init__()

    def forward(self, x: Float[Tensor, "B T C"], w: Float[Tensor, "C C"]):
        h = x @ w
        y = torch.matmul(h, w)
        return y


def helper(a: Float[Tensor, "B T C"], w: Float[Tensor, "C C"]):
    out = a @ w  # the shape is inferred
    return out


def thin(v: Float[Tensor, "B 1 C"], w: Float[Tensor, "C C"]):
    return v @ w
`;

export const MODEL_URI = pathToFileURL(path.join(os.tmpdir(), 'tensorcost-lsp-tests', 'model.py')).toString();

/** Position of the first occurrence of `needle` (which may span lines) plus `offset` characters. */
export function positionIn(text: string, needle: string, offset = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`'${needle}' not in the text`);
  const before = text.slice(0, i + offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

export const at = (needle: string, offset = 0) => positionIn(MODEL, needle, offset);
