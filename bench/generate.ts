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

/**
 * The 10,000-line generated file, its classes and helpers repeated under new names until the
 * text has at least `bytes` characters: a huge file of distinct definitions, for memory tests.
 */
export function generatePythonOfSize(bytes: number): string {
  const base = generatePython(10_000);
  const at = base.indexOf('\nclass Block0');
  const parts = [base.slice(0, at)];
  let n = at;
  for (let k = 0; n < bytes; k++) {
    const copy = base.slice(at).replace(/\b(Block|helper|thin)(\d+)/g, (_, a, d) => `${a}${k}_${d}`);
    parts.push(copy);
    n += copy.length;
  }
  return parts.join('');
}

/**
 * One GPT-style unit of about 110 lines, written as nanoGPT-like model code is: a config
 * dataclass, attention / MLP / block modules whose layers are built in `__init__` from the config
 * and called in `forward`, a model class composing them (an `nn.ModuleList` of blocks), and a
 * training function that builds the model and runs steps. Unlike `block`, nothing here is
 * annotated: every shape comes from following constructions and calls, which is what makes such
 * files expensive to re-analyse (issue #16's keystroke item).
 */
function gptUnit(i: number): string {
  return `
@dataclass
class GPTConfig${i}:
    block_size: int = 1024
    vocab_size: int = 50304
    n_layer: int = 12
    n_head: int = 12
    n_embd: int = 768
    dropout: float = 0.0
    bias: bool = True


class CausalSelfAttention${i}(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)
        self.c_proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)
        self.n_head = config.n_head
        self.n_embd = config.n_embd

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(self.n_embd, dim=2)
        k = k.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        q = q.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        v = v.view(B, T, self.n_head, C // self.n_head).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = F.softmax(att, dim=-1)
        att = self.attn_dropout(att)
        y = att @ v
        y = y.transpose(1, 2).contiguous().view(B, T, C)
        y = self.resid_dropout(self.c_proj(y))
        return y


class MLP${i}(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        x = self.c_fc(x)
        x = self.gelu(x)
        x = self.c_proj(x)
        x = self.dropout(x)
        return x


class Block${i}(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention${i}(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP${i}(config)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class GPT${i}(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)
        self.wpe = nn.Embedding(config.block_size, config.n_embd)
        self.drop = nn.Dropout(config.dropout)
        self.h = nn.ModuleList([Block${i}(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)

    def forward(self, idx, targets=None):
        b, t = idx.size()
        pos = torch.arange(0, t, dtype=torch.long, device=idx.device)
        tok_emb = self.wte(idx)
        pos_emb = self.wpe(pos)
        x = self.drop(tok_emb + pos_emb)
        for block in self.h:
            x = block(x)
        x = self.ln_f(x)
        logits = self.lm_head(x)
        loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


def train${i}(steps: int = 100):
    config = GPTConfig${i}()
    model = GPT${i}(config)
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-4)
    for step in range(steps):
        idx = torch.randint(0, config.vocab_size, (8, config.block_size))
        targets = torch.randint(0, config.vocab_size, (8, config.block_size))
        logits, loss = model(idx, targets)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model

`;
}

const GPT_HEADER = `import math
from dataclasses import dataclass

import torch
import torch.nn as nn
from torch.nn import functional as F
`;

/** A GPT-style Python file (`gptUnit` repeated) of at least `lines` lines. */
export function generateModelHeavy(lines: number): string {
  let text = GPT_HEADER;
  let i = 0;
  while (text.split('\n').length < lines) text += gptUnit(i++);
  return text;
}
