/**
 * A model built from a table of configs keyed by name (litgpt's `Config.from_name("pythia-160m")`
 * then `GPT(config)`): the table is a list literal longer than a loop is unrolled for, extended by
 * loops that append `deepcopy`s renamed with `str.format`, and read through a dict comprehension;
 * the factory copies the entry and updates it with keywords; the model takes its MLP class by
 * name from a module of the program (`getattr(module, config.mlp_class_name)`), builds a buffer
 * in a property setter, and its forward has a tensor parameter that defaults to None. On
 * unmodified litgpt the total waited for every size of the config and was incomplete.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis } from '../../server/engine/analyze';
import { fileJson } from '../../server/engine/report';
import { analyse, analyseFolder, ready$, scriptFlops } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'config-table');

/**
 * One forward on (1, 8, n) inputs: the product with the n×n buffer the setter registers, `n_layer`
 * MLPs of one n×n linear each, and a head of n×4n.
 */
const forward = (n: number, layers: number) => (1 + layers) * 2 * 8 * n * n + 2 * 8 * n * (4 * n);

describe('a config table keyed by name', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await ready$();
    out = analyseFolder(DIR);
  });

  const total = (file: string) => scriptFlops(out, file);

  it('reads the entry a formatted name gives, from a table longer than a loop is unrolled for', () => {
    // small-chat: n_embd 128, 4 layers.
    assert.equal(total('run.py'), forward(128, 4));
  });

  it('keeps an entry as it was when a deep copy of it is changed', () => {
    // tiny: n_embd 64, 2 layers; `wide` is a deep copy of the same dict, with n_embd 1024.
    assert.equal(total('tiny.py'), forward(64, 2));
  });

  it('applies the keywords the factory updates the copied entry with', () => {
    assert.equal(total('wide.py'), forward(1024, 1));
  });
});

/** A registry of configs filled from the files of a folder, keyed by their names (open_clip's factory). */
const REGISTRY = `
import glob
import json
import os

import torch
import torch.nn as nn

CONFIGS = {}
for path in glob.glob(os.path.join(os.path.dirname(__file__), "configs", "*.json")):
    with open(path) as f:
        CONFIGS[os.path.basename(path)[:-5]] = json.load(f)
`;

describe('a registry filled under keys only the run knows', () => {
  before(ready$);

  it('gives no lookup the default of `get`: the entry may be there', () => {
    const a = analyse(`${REGISTRY}
cfg = CONFIGS.get("large", {"width": 64})
y = nn.Linear(cfg["width"], cfg["width"])(torch.randn(1, 8, 64))
`);
    // Before, 2·8·64·64 with no word that the width was the default's, not the file's.
    assert.equal(a.total.flops, null);
  });

  it('decides no `in` on it', () => {
    const a = analyse(`${REGISTRY}
x = torch.randn(1, 8, 64)
if "large" in CONFIGS:
    x = nn.Linear(64, 64)(x)
y = nn.Linear(64, 64)(x)
`);
    // Undecided, the branch that computes more is counted (before: decided False, one linear).
    assert.equal(a.total.flops, 2 * (2 * 8 * 64 * 64));
  });

  it('keeps the dict of keys all known as it was', () => {
    const a = analyse(`
import torch
import torch.nn as nn

CONFIGS = {}
for name in ("small", "large"):
    CONFIGS[name] = {"width": 64 if name == "small" else 128}
width = CONFIGS["large"]["width"] if "large" in CONFIGS else 32
y = nn.Linear(width, width)(torch.randn(1, 8, width))
`);
    assert.equal(a.total.flops, 2 * 8 * 128 * 128);
  });
});

describe('`continue` in a loop’s body (litgpt’s table skips two entries so)', () => {
  before(ready$);

  it('skips the rest of the body when its test is true', () => {
    const a = analyse(`
import torch
import torch.nn as nn

layers = []
for name in ("a", "skip", "b"):
    if name == "skip":
        continue
    layers.append(nn.Linear(64, 64))
x = torch.randn(1, 8, 64)
for layer in layers:
    x = layer(x)
`);
    // Two layers, not three.
    assert.equal(a.total.flops, 2 * (2 * 8 * 64 * 64));
  });

  it('counts the more expensive path when its test is not known', () => {
    const a = analyse(`
import random
import torch
import torch.nn as nn

x = torch.randn(1, 8, 64)
for p in (0.1, 0.9):
    if random.random() < p:
        continue
    x = nn.Linear(64, 64)(x)
`);
    // Undecided: each of the two trips may apply the linear.
    assert.equal(a.total.flops, 2 * (2 * 8 * 64 * 64));
  });
});

describe('the entries of a registry filled under keys only the run knows', () => {
  it('are a list of unknown length, not an empty one', async () => {
    await ready$();
    const a = analyseFolder(DIR).get('registry.py')!;
    const totals = fileJson(a).totals;
    // Before, no trip: 0 FLOPs and nothing said. Now one trip, and the figures say why.
    assert.equal(totals.flops, 2 * 8 * 64 * 64);
    const reasons = totals.reasons ?? [];
    assert.ok(reasons.some((r) => r.message.includes('the number of entries of a dict whose keys only the run knows is unknown')), JSON.stringify(reasons));
  });
});
