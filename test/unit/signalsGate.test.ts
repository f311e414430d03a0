/**
 * The signal collector leaves unwalked a top-level definition none of whose words a handler acts
 * on (signals.ts `inert`, `EFFECTS`). These tests hold the signals with that gate to the signals
 * of walking every statement, on every Python file the repository ships and on one definition per
 * word of the gate whose only reason to be walked is that word, and check that the gate does leave
 * plain definitions (the bench's helpers) unwalked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ready$ } from '../engine/helpers';
import { PythonDocument } from '../../server/frontends/python/document';
import { SIGNAL_GATE, collectSignals, plainAndInert } from '../../server/frontends/python/signals';
import { generatePython } from '../../bench/generate';
import { REPO } from '../helpers/lspClient';

const DIRS = ['examples', 'examples/models', 'test/fixtures/models', 'test/fixtures/rules', 'test/fixtures/distributed'];

/** The signals of `text` with the gate on or off, and how many statements the walk visited. */
function signals(text: string, gate: boolean): { json: string; counts: Record<string, number> } {
  const doc = new PythonDocument(text);
  SIGNAL_GATE.on = gate;
  try {
    const s = collectSignals(doc.statements, text, { entries: new Map() }, doc.texts, doc.lines, doc.position);
    const counts = Object.fromEntries(Object.entries(s).filter(([, v]) => v.length > 0).map(([k, v]) => [k, v.length]));
    return { json: JSON.stringify(s), counts };
  } finally {
    SIGNAL_GATE.on = true;
    doc.delete();
  }
}

function assertSame(text: string, label: string): Record<string, number> {
  const gated = signals(text, true);
  const walked = signals(text, false);
  assert.equal(gated.json, walked.json, label);
  return gated.counts;
}

test('the gate changes no signal of any Python file the repository ships', async () => {
  await ready$();
  let files = 0;
  for (const dir of DIRS) {
    for (const file of fs.readdirSync(path.join(REPO, dir)).filter((f) => f.endsWith('.py'))) {
      assertSame(fs.readFileSync(path.join(REPO, dir, file), 'utf8'), `${dir}/${file}`);
      files++;
    }
  }
  assert.ok(files >= 20, `only ${files} files`);
});

/** Each a definition (after module-level lines it needs) whose signal hangs on one word of the gate. */
const CASES: [string, string, string[]][] = [
  ['import', 'def f():\n    import torch.nn.functional as F\n', ['imports']],
  ['with', 'import torch\n\ndef f(x):\n    with torch.autocast("cuda"):\n        return x\n', ['autocast']],
  ['for', 'def f(xs, w):\n    for x in xs:\n        y = x @ w\n', ['loops']],
  ['while', 'def f(x, w):\n    while x:\n        x = x @ w\n', ['loops']],
  ['GradScaler', 'def f():\n    s = GradScaler()\n', ['gradScaler']],
  ['initialize', 'def f(m, o):\n    m, o = amp.initialize(m, o)\n', ['gradScaler']],
  ['LossScaler', 'def f():\n    s = DynamicLossScaler()\n', ['gradScaler']],
  ['loss_scale', 'def f(m):\n    return FP16_Optimizer(m, dynamic_loss_scale=True)\n', ['gradScaler']],
  ['Accelerator', 'def f():\n    a = Accelerator(mixed_precision="fp16")\n', ['gradScaler']],
  ['backward', 'def f(loss):\n    loss.backward()\n', ['backward']],
  ['step', 'def f(optimizer):\n    optimizer.step()\n', ['optimizerStep']],
  ['half', 'def f(model):\n    model.half()\n', ['halfModel']],
  ['allow_tf32', 'def f():\n    torch.backends.cuda.matmul.allow_tf32 = True\n', ['tf32']],
  ['set_float32_matmul_precision', 'def f():\n    torch.set_float32_matmul_precision("high")\n', ['tf32']],
  ['view', 'def f(x):\n    return x.transpose(1, 2).view(3, 4)\n', ['viewOfTranspose']],
  ['softmax', 'import torch.nn.functional as F\n\ndef attn(q, k, v):\n    return F.softmax(q @ k.mT, dim=-1) @ v\n', ['manualAttention']],
  ['exp', 'import torch\n\ndef attn(q, k, v):\n    e = torch.exp(q @ k.mT)\n    p = e / e.sum(-1, keepdim=True)\n    return p @ v\n', ['manualAttention']],
  ['masked_fill', 'def f(s, m):\n    return s.masked_fill(m, -0xFFFFF)\n', ['floatLiterals']],
  ['exponent', 'def f(x):\n    return x * 1e9\n', ['floatLiterals']],
  ['five digits', 'def f(x):\n    return x * 0.00000001\n', ['floatLiterals']],
  // Learnt while walking: an optimizer's name, a softmax module, a function that is a softmax.
  ['optimizer', 'def make(p):\n    global trainer\n    trainer = Lion(p)\n\ndef go():\n    trainer.step()\n', ['optimizerStep']],
  ['softmax module', 'import torch.nn as nn\nsm = nn.Softmax(-1)\n\ndef attn(q, k, v):\n    s = q @ k.mT\n    p = sm(s)\n    return p @ v\n', ['manualAttention']],
  ['softmax function', 'import numpy as np\n\ndef weights(s):\n    e = np.exp(s - s.max(-1, keepdims=True))\n    return e / e.sum(-1, keepdims=True)\n\ndef attend(q, k, v):\n    s = q @ k.mT\n    p = weights(s)\n    return p @ v\n', ['manualAttention']],
  // Methods are gated one by one: the class is walked, its plain `__init__` is not, `run` is.
  ['nested def', 'class M:\n    def __init__(self):\n        self.n = 3\n\n    def run(self, xs, w):\n        for x in xs:\n            y = x @ w\n', ['loops']],
  // A class body's assignment sets the module's layouts, which a later loop reads (TC502).
  ['fortran', 'import numpy as np\n\nclass C:\n    X = np.asfortranarray(np.ones((4, 4)))\n\nfor i in range(4):\n    s = X[i, :].sum()\n', ['stridedTraversal']],
];

test('a definition whose only reason to be walked is one word of the gate is walked', async () => {
  await ready$();
  for (const [word, text, keys] of CASES) {
    const counts = assertSame(text, word);
    for (const k of keys) assert.ok((counts[k] ?? 0) > 0, `${word}: no ${k} signal (${JSON.stringify(counts)})`);
  }
});

test('plain definitions are left unwalked, and the bench file keeps its signals', async () => {
  await ready$();
  // A def whose loop the gate skipped would lose its loop signal; one it walked shows nothing.
  const plain = 'def helper(a, b):\n    y = a @ b\n    return y\n';
  assert.deepEqual(assertSame(plain, 'plain'), {});
  assert.ok(plainAndInert(plain));
  const bench = generatePython(600);
  // The helpers and thin functions of every block (two of its three definitions) are inert.
  const doc = new PythonDocument(bench);
  const inert = doc.texts.filter(plainAndInert).length;
  doc.delete();
  assert.ok(inert >= 2 * 20, `${inert} inert definitions`);
  const counts = assertSame(bench, 'bench');
  assert.ok(counts.loops > 0 && counts.imports > 0, JSON.stringify(counts));
});
