/**
 * Python idioms of OpenAI's improved-diffusion UNet and its scripts, written afresh: options named
 * in a loop over a dict of defaults (`f"--{k}"`), attention resolutions from `"16,8".split(",")`,
 * decoder levels walked with `list(enumerate(mult))[::-1]`, skip connections popped as they were
 * pushed, `if level and ...`, an `if/elif/else` whose else is taken, a `while` that adds axes,
 * `b, c, *spatial = x.shape`, a subclass of `nn.Sequential` iterated as `for layer in self`, and
 * `self.out_layers[1:]`. Every figure is checked against a hand formula.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { analyse, analyseFolder, fn, ready$ } from './helpers';

before(ready$);

const HEAD = 'import argparse\nimport torch\nimport torch.nn as nn\n';
const lin = (rows: number, i: number, o: number) => 2 * rows * i * o;

describe('improved-diffusion idioms', () => {
  it('f-strings: options named in a loop over defaults take their values (2·4·64·64·2 = 65,536)', () => {
    const a = analyse(`${HEAD}
def main():
    parser = argparse.ArgumentParser()
    for k, v in dict(width=64, depth=2, batch=4).items():
        parser.add_argument(f"--{k}", default=v, type=type(v))
    args = parser.parse_args()
    x = torch.randn(args.batch, args.width)
    for _ in range(args.depth):
        x = nn.Linear(args.width, args.width)(x)
`);
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 2 * lin(4, 64, 64));
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });

  it('a constant string split and read as ints; a list walked backwards with [::-1]', () => {
    // "16,8" gives resolutions 64 // 16 = 4 and 64 // 8 = 8: a Linear of width 4 then one of 8.
    // list(range(3))[::-1] is [2, 1, 0]: widths 3, 2, 1 (an empty range would count nothing).
    const a = analyse(`${HEAD}
def main():
    x = torch.randn(2, 16)
    for r in "16,8".split(","):
        w = 64 // int(r)
        y = nn.Linear(16, w)(x)
    for i in list(range(3))[::-1]:
        z = nn.Linear(16, i + 1)(x)
    for level, mult in list(enumerate((1, 2, 3)))[::-1]:
        if level:
            q = nn.Linear(16, mult)(x)
`);
    const main = fn(a, 'main');
    const expected = lin(2, 16, 4) + lin(2, 16, 8) + lin(2, 16, 3) + lin(2, 16, 2) + lin(2, 16, 1) + lin(2, 16, 3) + lin(2, 16, 2);
    assert.equal(main.figures.flops, expected);
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });

  it('skip connections pop in the order they were pushed; an elif chain takes its else', () => {
    // Widths pushed 8, 16, 32; popped 32, 16, 8: Linear(4 + 32, 4), (4 + 16, 4), (4 + 8, 4). The
    // pops run in a callee, whose loop runs trip by trip (a reported loop runs once for all).
    // The skip: out 16 differs from 8 and use_conv is false, so the else (a Linear 8→16) runs.
    const a = analyse(`${HEAD}
def skip(cin, cout, use_conv=False):
    if cout == cin:
        return nn.Identity()
    elif use_conv:
        return nn.Linear(cin, cout * 100)
    else:
        return nn.Linear(cin, cout)

def decoder(chans):
    for _ in range(3):
        c = chans.pop()
        x = nn.Linear(4 + c, 4)(torch.randn(2, 4 + c))

def main():
    chans = []
    for c in [8, 16, 32]:
        chans.append(c)
    decoder(chans)
    y = skip(8, 16)(torch.randn(2, 8))

if __name__ == "__main__":
    main()
`);
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, lin(2, 36, 4) + lin(2, 20, 4) + lin(2, 12, 4) + lin(2, 8, 16));
  });

  it('a while loop that only adds axes runs until its test fails; starred targets take the middle', () => {
    // emb (2, 16) becomes (2, 16, 1, 1), so (h * emb) @ h is a batched (4×4)·(4×4) per (2, 16):
    // 2·32·4·4·4 = 4,096. spatial = [4, 4]: h.reshape(b, c, *spatial) @ itself is 4,096 again.
    const a = analyse(`${HEAD}
def main():
    h = torch.randn(2, 16, 4, 4)
    emb = torch.randn(2, 16)
    while len(emb.shape) < len(h.shape):
        emb = emb[..., None]
    y = (h * emb) @ h
    b, c, *spatial = h.shape
    z = h.reshape(b, c, -1).reshape(b, c, *spatial)
    w = z @ z
`);
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 2 * 4096);
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });

  it('a subclass of nn.Sequential walked with `for layer in self`, and a Sequential sliced', () => {
    // Steps(Linear 8→8, Tagged(Linear 8→8)): 2·2·8·8 each. rest = seq[1:] keeps Linear 8→4 and
    // Linear 4→2: 2·2·8·4 + 2·2·4·2.
    const a = analyse(`${HEAD}
class Tagged(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner
    def forward(self, x, emb):
        return self.inner(x) + emb

class Steps(nn.Sequential):
    def forward(self, x, emb):
        for layer in self:
            if isinstance(layer, Tagged):
                x = layer(x, emb)
            else:
                x = layer(x)
        return x

def main():
    s = Steps(nn.Linear(8, 8), Tagged(nn.Linear(8, 8)))
    x = torch.randn(2, 8)
    y = s(x, torch.randn(2, 8))
    seq = nn.Sequential(nn.ReLU(), nn.Linear(8, 4), nn.Linear(4, 2))
    first, rest = seq[0], seq[1:]
    z = rest(first(y))
`);
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 2 * lin(2, 8, 8) + lin(2, 8, 4) + lin(2, 4, 2));
    assert.equal(main.incomplete, false, JSON.stringify(main.reasons));
  });

  it('list() of a length the analysis lost is of unknown length: one trip counted, and said', () => {
    // sel's length is what the mask keeps: unknown. Before, list(range(unknown)) was an empty list
    // and the loop counted nothing without a word.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-'));
    fs.writeFileSync(path.join(dir, 'run.py'), `${HEAD}
def main():
    keep = torch.randn(10) > 0
    sel = torch.randn(10)[keep]
    x = torch.randn(2, 8)
    for i in list(range(sel.shape[0]))[::-1]:
        x = nn.Linear(8, 8)(x)
    for j in list(lookup()):
        x = nn.Linear(8, 8)(x)

if __name__ == "__main__":
    main()
`);
    const a = analyseFolder(dir).get('run.py')!;
    fs.rmSync(dir, { recursive: true, force: true });
    const main = fn(a, 'main');
    assert.equal(main.figures.flops, 2 * lin(2, 8, 8));
    assert.equal(main.incomplete, true);
    assert.equal(main.reasons?.filter((r) => /the length of `list\(\.\.\.\)` is unknown, one trip counted/.test(r.message)).length, 2, JSON.stringify(main.reasons));
  });

  it('a plain list called on a tensor is said to be unmodelled, not silently nothing', () => {
    // As the command line runs it: a program of one file, from its entry point.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'unet-'));
    fs.writeFileSync(path.join(dir, 'run.py'), `${HEAD}
def main():
    layers = [nn.Linear(8, 8), nn.Linear(8, 8)]
    x = torch.randn(2, 8)
    y = layers(x)
    return y @ x.T

if __name__ == "__main__":
    main()
`);
    const a = analyseFolder(dir).get('run.py')!;
    fs.rmSync(dir, { recursive: true, force: true });
    const main = fn(a, 'main');
    assert.equal(main.incomplete, true);
    assert.ok(main.reasons?.some((r) => /layers\(\.\.\.\).*a list/.test(r.message)), JSON.stringify(main.reasons));
  });
});
