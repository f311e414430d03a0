/** Synthetic but realistic Python model code for the benchmarks: transformer blocks with annotations. */

/** One block of about 25 lines: a module with annotated GEMMs, softmax, a loop and a helper. */
function block(i: number): string {
  return `
class Block${i}(nn.Module):
    def __init__(self, C: int):
        super().__init__()
        self.n_head = 12

    def forward(self, x: Float[Tensor, "B T C"], w: Float[Tensor, "C C"], v: Float[Tensor, "C H"]):
        h = x @ w  # (B, T, C)
        s = torch.matmul(h, w)
        out = s @ v
        for _ in range(4):
            h = h @ w
        return out


def helper${i}(a: Float[Tensor, "B T C"], b: Float[Tensor, "C H"]) -> Float[Tensor, "B T H"]:
    y = a @ b
    return y


def thin${i}(q: Float[Tensor, "B 1 C"], w: Float[Tensor, "C C"]):
    r = q @ w
    return r

`;
}

const HEADER = `import torch
from torch import nn
from jaxtyping import Float
from torch import Tensor

# tensorcost: dims B=8 T=1024 C=768 H=3072
`;

/** A Python file of at least `lines` lines. */
export function generatePython(lines: number): string {
  let text = HEADER;
  let i = 0;
  while (text.split('\n').length < lines) text += block(i++);
  return text;
}
