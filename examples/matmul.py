"""A projection and a mistake: the smallest file that shows what Tensor Cost does.

Run `npm start` (or `npx tensorcost check examples`) to see each op's FLOPs, bytes, arithmetic
intensity and roofline position on the default device (H100), and the TC002 shape error below.
"""
import torch
from jaxtyping import Float
from torch import Tensor

# tensorcost: dims m=4096 k=4096 n=4096


def project(x: Float[Tensor, "m k"], w: Float[Tensor, "k n"]) -> Float[Tensor, "m n"]:
    return x @ w


def scores(q: Float[Tensor, "batch 128 64"], k: Float[Tensor, "batch 32 128"]):
    # The inner dims differ (64 vs 32): this raises at run time; TC002 says so as you type.
    return torch.matmul(q, k)
