/**
 * TF.js as people write it (issue 21): the Layers API, module and class state, calls, loops,
 * imports, method forms, the rules that apply, file types and devices. Every figure is checked
 * against a formula written out by hand next to it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { DEVICES } from '../../server/core/devices';
import { withDefaults, Settings } from '../../server/core/settings';
import { Analysis, analyzeSource } from '../../server/engine/analyze';
import { buildContextIndex, withContexts } from '../../server/engine/contexts';
import { analyseTypeScript } from '../../server/frontends/typescript';
import { formatText } from '../../server/cli/format/text';
import { readSiblingModule } from '../../server/node/modules';
import { REPO } from '../helpers/lspClient';
import { fn, ready$ } from './helpers';

const DIR = path.join(REPO, 'test', 'fixtures', 'tfjs');

function analyseTs(text: string, file = 'snippet.ts', settings: Partial<Settings> = {}): Analysis {
  return analyzeSource({ path: file, text, languageId: /\.(m|c)?tsx?$/.test(file) ? 'typescript' : 'javascript' }, withDefaults(settings));
}

function fixture(name: string, settings: Partial<Settings> = {}): Analysis {
  return analyseTs(fs.readFileSync(path.join(DIR, name), 'utf8'), name, settings);
}

const flopsOf = (a: Analysis, name: string) => fn(a, name).figures.flops;
/** The figures the CLI and the editor report: the analysis completed as one program (training FLOPs). */
const completed = (a: Analysis) => withContexts(a, buildContextIndex([a.ir]));
const shape = (op: Analysis['ir']['ops'][number]) => op.output.shape?.map((d) => d.toString()).join(', ');

describe('TF.js: Layers API', () => {
  before(() => ready$());

  it('costs a sequential CNN per layer, built with model.add and an inputShape', () => {
    const a = fixture('sequential_cnn.js', { dims: { batch: 1 } });
    const built = a.ir.ops.filter((o) => o.function === 'createConvModel');
    // conv 3×3 1→16 on 28×28 valid: 2·26·26·16·1·9; conv 3×3 16→32 on 13×13: 2·11·11·32·16·9;
    // dense 5·5·32 → 64: 2·800·64; dense 64 → 10: 2·64·10.
    const gemm = built.filter((o) => o.kind === 'conv' || o.kind === 'linear').map((o) => a.figures[a.ir.ops.indexOf(o)].flops);
    assert.deepEqual(gemm, [2 * 26 * 26 * 16 * 9, 2 * 11 * 11 * 32 * 16 * 9, 2 * 800 * 64, 2 * 64 * 10]);
    assert.deepEqual(built.map(shape).slice(0, 3), ['batch, 26, 26, 16', 'batch, 26, 26, 16', 'batch, 13, 13, 16']);
    assert.equal(flopsOf(a, 'createConvModel'), 1_413_504);
    // The relu after the first conv: one FLOP per output element.
    assert.equal(a.figures[a.ir.ops.indexOf(built[1])].otherFlops, 26 * 26 * 16);
  });

  it('trains with model.fit: forward in flops, forward + 2 × forward GEMM backward in trainingFlops, as Python', () => {
    const a = fixture('sequential_cnn.js');
    // 1000 samples in batches of 100 for 3 epochs: 30 steps of 100 rows. `flops` is the forward,
    // `trainingFlops` forward + backward = 3× the forward GEMMs (docs/whole-program.md).
    assert.equal(flopsOf(a, 'train'), 30 * 100 * 1_413_504);
    assert.equal(fn(completed(a), 'train').trainingFlops, 3 * 30 * 100 * 1_413_504);
    assert.ok(!a.ir.ops.some((o) => o.name.endsWith('(backward)')));
    const trained = a.ir.ops.filter((o) => o.function === 'train' && (o.kind === 'conv' || o.kind === 'linear'));
    assert.equal(trained.length, 4);
    assert.ok(trained.every((o) => o.repeat?.constValue() === 30 && o.cost.notes?.some((n) => n.startsWith('trained'))));
    // A function that only predicts does not train: no trainingFlops.
    assert.equal(fn(completed(a), 'classify').trainingFlops, undefined);
    // The JSON report carries the field, as for Python.
    const cli = path.join(REPO, 'out', 'server', 'cli', 'main.js');
    const r = spawnSync(process.execPath, [cli, 'check', path.join(DIR, 'sequential_cnn.js'), '--format', 'json', '--no-config'], { encoding: 'utf8' });
    const train = JSON.parse(r.stdout).files[0].functions.find((f: { name: string }) => f.name === 'train');
    assert.deepEqual([train.flops, train.trainingFlops], [4_240_512_000, 12_721_536_000]);
    // model.predict on one image (as4D(1, 28, 28, 1)) runs the layers on a batch of 1.
    assert.equal(flopsOf(a, 'classify'), 1_413_504);
    // Ideal bytes of the first conv in predict: x 28·28·1, weight 16·1·3·3, output 26·26·16, bias 16, fp32.
    const conv = a.ir.ops.findIndex((o) => o.function === 'classify' && o.kind === 'conv');
    assert.equal(a.figures[conv].bytes, 4 * (28 * 28 + 16 * 9 + 26 * 26 * 16 + 16));
  });

  it('counts optimizer.minimize(loss) as a training step: trainingFlops = forward + 2 × forward GEMM backward', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
const w = tf.variable(tf.randomNormal([784, 10]));
const optimizer = tf.train.sgd(0.1);
function step() {
  const xs = tf.randomNormal([64, 784]);
  const ys = tf.zeros([64, 10]);
  for (let i = 0; i < 5; i++) {
    optimizer.minimize(() => tf.losses.meanSquaredError(ys, xs.matMul(w)));
  }
}`);
    assert.equal(flopsOf(a, 'step'), 5 * 2 * 64 * 784 * 10);
    assert.equal(fn(completed(a), 'step').trainingFlops, 5 * 3 * 2 * 64 * 784 * 10);
    assert.deepEqual(a.ir.ops.filter((o) => o.kind === 'matmul').map((o) => o.name), ['xs.matMul']);
  });

  it('replays a functional model (tf.input, apply, tf.model) with LSTM, GRU, SimpleRNN, bidirectional', () => {
    const a = fixture('functional_rnn.mjs');
    // Per sample: bidirectional LSTM over 20 steps, 32 → 64: 2 × 2·4·20·(32+64)·64; GRU over 20
    // steps, 128 → 64: 2·3·20·(128+64)·64; SimpleRNN over 4 steps, 64 → 64: 2·4·(64+64)·64;
    // dense 128 → 2: 2·128·2.
    const perSample = 2 * (2 * 4 * 20 * 96 * 64) + 2 * 3 * 20 * 192 * 64 + 2 * 4 * 128 * 64 + 2 * 128 * 2;
    assert.equal(perSample, 3_506_688);
    assert.equal(flopsOf(a, 'predictBatch'), 8 * perSample);
    assert.equal(fn(a, 'createModel').summary.flops.toString(), `${perSample}*batch`);
    const lstm = a.ir.ops.filter((o) => o.function === 'predictBatch' && o.name.endsWith('tf.layers.lstm'));
    assert.equal(lstm.length, 2);
    assert.equal(shape(a.ir.ops.find((o) => o.function === 'predictBatch' && o.kind === 'copy' && o.name.endsWith('concatenate'))!), '8, 128');
  });
});

describe('TF.js: values beyond one function', () => {
  before(() => ready$());

  it('follows module constants, class fields, arrow functions, calls, loops, destructuring and aliased imports', () => {
    const a = fixture('core_state.ts');
    const mlp = 2 * 64 * 256 * 1024 + 2 * 64 * 1024 * 256;
    // stack: 10 trips of Mlp.forward; project: dense with units = cols · 2 = 512 (object shorthand).
    assert.equal(flopsOf(a, 'Mlp.forward'), mlp);
    assert.equal(flopsOf(a, 'stack'), 10 * mlp);
    assert.equal(flopsOf(a, 'project'), 2 * 64 * 256 * 512);
    assert.equal(flopsOf(a, 'run'), 10 * mlp + 2 * 64 * 256 * 512);
    // Mlp.forward's ops take their shapes from the call in stack and say so.
    const mm = a.ir.ops.find((o) => o.function === 'Mlp.forward' && o.name === 'mm')!;
    assert.ok(mm.cost.notes?.some((n) => /shapes from the call in stack at line 28/.test(n)), JSON.stringify(mm.cost.notes));
  });

  it('multiplies a matMul in a 10-trip loop and counts a while loop once', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
const w = tf.randomNormal([128, 128]);
function f() {
  let y = tf.ones([32, 128]);
  for (let i = 0; i < 10; i++) y = tf.matMul(y, w);
  for (const s of [1, 2, 3]) y = y.matMul(w);
  while (Math.random() > 0.5) y = tf.matMul(y, w);
  return y;
}`);
    const one = 2 * 32 * 128 * 128;
    assert.equal(flopsOf(a, 'f'), (10 + 3 + 1) * one);
    assert.deepEqual(a.ir.ops.map((o) => o.repeat?.constValue() ?? 1), [10, 3, 1]);
  });

  it('builds a sequential model on the more expensive side of an undecidable branch, not on both', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
function build(kind) {
  const model = tf.sequential();
  model.add(tf.layers.dense({units: 64, inputShape: [100]}));
  if (kind === 'big') model.add(tf.layers.dense({units: 512}));
  else model.add(tf.layers.dense({units: 8}));
  model.add(tf.layers.dense({units: 10}));
  return model;
}`, 'b.js', { dims: { batch: 1 } });
    // 100 → 64, then the 'big' side 64 → 512 (not 8), then 512 → 10.
    assert.equal(flopsOf(a, 'build'), 2 * 100 * 64 + 2 * 64 * 512 + 2 * 512 * 10);
    assert.ok(fn(a, 'build').summary.upperBound);
    assert.equal(shape(a.ir.ops[a.ir.ops.length - 1]), 'batch, 10');
    assert.equal(a.ir.ops[a.ir.ops.length - 1].inputs[0].shape?.map(String).join(', '), 'batch, 512');
  });

  it('reads x.shape[i], destructured shapes, require, and a sibling module through the host callback', () => {
    const files: Record<string, string> = { '/p/data.js': 'export const IMAGE_H = 28;\nexport const IMAGE_W = 28;\n' };
    const ir = analyseTypeScript('/p/main.js', `const tf = require('@tensorflow/tfjs');
import {IMAGE_H, IMAGE_W} from './data';
function g() {
  const x = tf.zeros([16, IMAGE_H * IMAGE_W]);
  const [n, d] = x.shape;
  const w = tf.ones([x.shape[1], 10]);
  return tf.matMul(x, w).reshape([n, 10]);
}`, withDefaults({}), 'javascript', { readModule: (_from, spec) => (spec === './data' ? { path: '/p/data.js', text: files['/p/data.js'] } : undefined) });
    const op = ir.ops.find((o) => o.kind === 'matmul')!;
    assert.equal(op.cost.flops.constValue(), 2 * 16 * 784 * 10);
    // Without the callback the imported dims stay symbolic, named after the import.
    const bare = analyseTypeScript('/p/main.js', `import {IMAGE_H} from './data';\nimport * as tf from '@tensorflow/tfjs';\nfunction g() { return tf.matMul(tf.zeros([4, IMAGE_H]), tf.zeros([IMAGE_H, 2])); }`, withDefaults({}), 'javascript');
    assert.equal(bare.ops[0].cost.flops.toString(), '16*IMAGE_H');
  });
});

describe('TF.js: imports followed transitively', () => {
  before(() => ready$());

  const chainDir = path.join(DIR, 'chain');
  const analyseFile = (file: string, readModule = readSiblingModule) =>
    analyzeSource({ path: file, text: fs.readFileSync(file, 'utf8'), languageId: 'javascript', readModule }, withDefaults({}));

  it('builds a model three imports away, through a folder index, a re-export and an import cycle', () => {
    const a = analyseFile(path.join(chainDir, 'main.js'));
    // main → train → models/index (export * / export {createMlp as default}) → models/mlp → ../config;
    // mlp ↔ helpers is a cycle. Batch 32 (BATCH from train.js): dense 784 → 256, then 256 → 10.
    assert.equal(flopsOf(a, 'predictBatch'), 2 * 32 * 784 * 256 + 2 * 32 * 256 * 10);
    assert.ok(!fn(a, 'predictBatch').incomplete);
    const dense = a.ir.ops.filter((o) => o.function === 'predictBatch' && o.kind === 'linear');
    assert.deepEqual(dense.map(shape), ['32, 256', '32, 10']);
    // The relu (activation: ACT, read from helpers.js across the cycle): one FLOP per element.
    assert.equal(fn(a, 'predictBatch').figures.otherFlops, 32 * 256);
  });

  it('reads each file once, and stops at an import cycle and at the depth bound', () => {
    const reads: string[] = [];
    const counting = (from: string, spec: string) => {
      const r = readSiblingModule(from, spec);
      if (r) reads.push(path.relative(chainDir, r.path));
      return r;
    };
    analyseFile(path.join(chainDir, 'main.js'), counting);
    // mlp.js is imported twice by models/index.js (export * and export {…}) and once by
    // helpers.js (the cycle, found still running): every file is read once.
    assert.deepEqual(reads.sort(), ['config.js', 'models/helpers.js', 'models/index.js', 'models/mlp.js', 'train.js'].map((p) => p.split('/').join(path.sep)));

    // A chain of 12 files, each importing the next; the last builds a 64 → 64 dense layer.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-chain-'));
    const n = 12;
    for (let i = 0; i < n; i++) {
      const body = i === n - 1
        ? `import * as tf from '@tensorflow/tfjs';\nexport function build() { return tf.layers.dense({units: 64}); }\n`
        : `export {build} from './m${i + 1}';\n`;
      fs.writeFileSync(path.join(dir, `m${i}.js`), body);
    }
    const use = (first: number) =>
      analyseFile(path.join(dir, `use${first}.js`), readSiblingModule);
    for (const first of [4, 0]) {
      fs.writeFileSync(path.join(dir, `use${first}.js`), `import * as tf from '@tensorflow/tfjs';\nimport {build} from './m${first}';\nfunction f() { return build().apply(tf.zeros([8, 64])); }\n`);
    }
    // From m4: 8 files below the user, within the bound: the layer is found and costed.
    assert.equal(flopsOf(use(4), 'f'), 2 * 8 * 64 * 64);
    // From m0: 12 files below, past the bound of 8: `build` stays unknown, and no figure is made up.
    const deep = use(0);
    assert.ok(!deep.ir.ops.some((o) => o.function === 'f' && o.kind === 'linear'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('TF.js: ops, correctness, unmodelled calls', () => {
  before(() => ready$());

  it("costs a stride-2 'same' conv2d's bytes on the ceil(L / s) output, not the input size", () => {
    const a = fixture('attention.ts');
    const i = a.ir.ops.findIndex((o) => o.function === 'stem');
    assert.equal(shape(a.ir.ops[i]), '1, 112, 112, 64');
    assert.equal(a.figures[i].flops, 2 * 112 * 112 * 64 * 3 * 7 * 7);
    // x (1, 224, 224, 3) + filter 7·7·3·64 + output (1, 112, 112, 64), fp32: 3.67 MiB (not 12.9).
    assert.equal(a.figures[i].bytes, 4 * (224 * 224 * 3 + 7 * 7 * 3 * 64 + 112 * 112 * 64));
  });

  it('leaves an op with a TC002 shape error out of the function total', () => {
    const a = fixture('attention.ts');
    assert.equal(flopsOf(a, 'broken'), 2 * 8 * 3 * 5);
    assert.ok(fn(a, 'broken').incomplete);
    const err = a.findings.filter((f) => f.code === 'TC002');
    assert.equal(err.length, 1);
    assert.equal(err[0].range.start.line, 22);
  });

  it('reads method forms, reductions, losses, oneHot, gather and concat', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
function h() {
  const x = tf.tensor2d([[1, 2, 3], [4, 5, 6]]);
  const img = tf.zeros([8, 784]).as4D(8, 28, 28, 1);
  const pooled = img.maxPool(2, 2, 'valid');
  const s = tf.scalar(2);
  const m = tf.mean(pooled, [1, 2]);
  const labels = tf.oneHot(tf.zeros([8], 'int32'), 10);
  const logits = tf.gather(tf.ones([100, 10]), tf.zeros([8], 'int32'));
  const loss = tf.losses.softmaxCrossEntropy(labels, logits);
  const both = tf.concat([x, x], 0);
  return [m, loss, both, s];
}`);
    const byName = (n: string) => a.ir.ops.find((o) => o.name === n)!;
    assert.equal(shape(byName('img.maxPool')), '8, 14, 14, 1');
    // Max pool 2×2: 4 compares per output element.
    assert.equal(a.figures[a.ir.ops.indexOf(byName('img.maxPool'))].otherFlops, 8 * 14 * 14 * 4);
    assert.equal(shape(byName('tf.mean')), '8, 1');
    assert.equal(shape(byName('tf.oneHot')), '8, 10');
    assert.equal(shape(byName('tf.gather')), '8, 10');
    assert.equal(shape(byName('tf.losses.softmaxCrossEntropy')), '');
    assert.equal(shape(byName('tf.concat')), '4, 3');
  });

  it('lists unknown tf calls, layers and tensor methods as unmodelled, and the text output says so', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
function k() {
  const x = tf.ones([4, 4]);
  const y = tf.someNewKernel(x, 1);
  const l = tf.layers.fancyLayer({units: 3});
  tf.train.adam(0.01);
  return x.someNewOp();
}`);
    assert.deepEqual(a.ir.unmodelled.map((u) => u.name), ['tf.someNewKernel', 'tf.layers.fancyLayer', 'Tensor.someNewOp']);
    const text = formatText([a], (p) => p);
    assert.match(text, /3 call\(s\) not modelled: tf\.someNewKernel \(line 4\), tf\.layers\.fancyLayer \(line 5\), Tensor\.someNewOp \(line 7\); their cost is not in the totals\./);
  });
});

describe('TF.js: rules', () => {
  before(() => ready$());

  it('fires TC201 and TC202 on hand-written attention with tf.matMul and tf.softmax', () => {
    const a = fixture('attention.ts');
    const codes = a.findings.map((f) => f.code).sort();
    assert.deepEqual(codes, ['TC002', 'TC201', 'TC202']);
    const tc202 = a.findings.find((f) => f.code === 'TC202')!;
    // Scores written and read by the matmuls, read+written by the scale, the mask and the softmax: 8 passes of 384 MiB.
    assert.match(tc202.message, /8 passes over the \(8, 12, 1024, 1024\) fp32 scores/);
    assert.match(tc202.message, /not in TF\.js core/);
    assert.equal(flopsOf(a, 'attention'), 4 * 8 * 12 * 1024 * 1024 * 64);
  });

  it('fires TC202 on attention written with layers (dot, softmax activation, dot)', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
function seq2seq() {
  const enc = tf.input({shape: [12, 64]});
  const dec = tf.input({shape: [10, 64]});
  let att = tf.layers.dot({axes: [2, 2]}).apply([dec, enc]);
  att = tf.layers.activation({activation: 'softmax'}).apply(att);
  const ctx = tf.layers.dot({axes: [2, 1]}).apply([att, enc]);
  return tf.model({inputs: [enc, dec], outputs: ctx});
}`, 'seq.js', { dims: { batch: 128 } });
    const f = a.findings.find((x) => x.code === 'TC202');
    assert.ok(f, a.findings.map((x) => x.code).join());
    // Scores (128, 10, 12) fp32 = 61,440 B, 4 passes; fused: q (128, 10, 64), k and v (128, 12, 64), out (128, 10, 64).
    const moved = 4 * 61_440 + 4 * 128 * (10 * 64 + 12 * 64 + 12 * 64 + 10 * 64);
    assert.equal(moved, 1_687_552);
    assert.match(f.message, /4 passes over the \(128, 10, 12\) fp32 scores move 1\.61 MiB/);
  });

  it('fires TC401 on a convolution written as JavaScript loops, not on a matmul loop nest', () => {
    const a = fixture('naive_conv.js');
    const tc401 = a.findings.filter((f) => f.code === 'TC401');
    assert.equal(tc401.length, 1);
    assert.equal(tc401[0].range.start.line, 4);
    // C · (H − K + 1)² · K² = 8 · 30 · 30 · 9 multiply-adds.
    assert.match(tc401[0].message, /5 nested JavaScript loops .*: 64,800 multiply-adds/);
  });

  it('fires TC101 on a thin TF.js GEMM, TC102 on one with few output tiles, and never TC303 (PyTorch advice)', () => {
    const a = analyseTs(`import * as tf from '@tensorflow/tfjs';
function thin() {
  return tf.matMul(tf.ones([1, 8192]), tf.ones([8192, 8192]));
}
function few() {
  return tf.matMul(tf.ones([256, 16384]), tf.ones([16384, 256]));
}
function big() {
  return tf.matMul(tf.ones([8192, 8192]), tf.ones([8192, 8192]));
}`);
    const codes = a.findings.map((f) => f.code);
    assert.ok(codes.includes('TC101'), codes.join());
    // 256 × 256 output in 128 × 128 tiles: 4 tiles for the H100's 132 SMs.
    assert.match(a.findings.find((f) => f.code === 'TC102')?.message ?? '', /1×2×2 = 4 output tiles of 128×128 for 132 SMs/);
    assert.ok(!codes.includes('TC303'), codes.join());
  });
});

describe('TF.js: files and devices', () => {
  before(() => ready$());

  it('picks the device of a // tensorcost: device directive', () => {
    const a = analyseTs(`// tensorcost: device iris-xe\nimport * as tf from '@tensorflow/tfjs';\nfunction f() { return tf.matMul(tf.ones([1024, 1024]), tf.ones([1024, 1024])); }`);
    assert.equal(a.device.id, 'iris-xe');
    // Compute-bound at 2.07 TFLOP/s: 2·1024³ FLOPs.
    assert.ok(Math.abs(a.figures[0].timeSeconds! / ((2 * 1024 ** 3) / 2.07e12) - 1) < 1e-12);
  });

  it('keeps the package.json device enum in step with the catalogue', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const prop = pkg.contributes.configuration.properties['tensorcost.device'];
    assert.deepEqual(prop.enum, [...DEVICES.map((d) => d.id), 'local']);
    assert.deepEqual(prop.enumDescriptions.slice(0, -1), DEVICES.map((d) => d.name));
  });

  it('analyses .tsx, .jsx, .mjs and .cjs files as TypeScript / JavaScript from the CLI', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-ext-'));
    const body = `import * as tf from '@tensorflow/tfjs';\nexport function f() { return tf.matMul(tf.ones([2, 3]), tf.ones([3, 4])); }\n`;
    for (const ext of ['tsx', 'jsx', 'mjs', 'cjs']) fs.writeFileSync(path.join(dir, `m.${ext}`), ext === 'tsx' ? body.replace('return', 'const el = <div/>;\n  return') : body);
    const cli = path.join(REPO, 'out', 'server', 'cli', 'main.js');
    // The folder walk and an explicitly named .tsx both take the TS/JS frontend.
    for (const args of [[dir], [path.join(dir, 'm.tsx')]]) {
      const r = spawnSync(process.execPath, [cli, 'check', ...args, '--format', 'json', '--no-config'], { encoding: 'utf8' });
      const report = JSON.parse(r.stdout);
      for (const f of report.files) {
        assert.notEqual(f.language, 'python', f.path);
        assert.equal(f.ops.length, 1, f.path);
        assert.equal(f.ops[0].flops, 2 * 2 * 3 * 4);
      }
      assert.equal(report.files.length, args[0] === dir ? 4 : 1);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
