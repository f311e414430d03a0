/**
 * Rules on the shapes the calling context gives (SPEC §7, docs/whole-program.md): projects laid
 * out as engineers write them — a model or layer file whose shapes are parameters, and the script
 * that runs it with a DataLoader, a config dict, argparse or literal tensors. Every figure of the
 * messages is computed here from the formulas (2·m·k·n FLOPs, dtype bytes of every operand, the
 * H100 SXM's catalogue peaks) and formatted as the messages format it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { findDevice } from '../../server/core/devices';
import { intensityText, percentText, rateText, timeText } from '../../server/core/format';
import { opHover } from '../../server/lsp/features/hoverMarkdown';
import { Finding } from '../../server/core/ir';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { buildContextIndex, withContexts } from '../../server/engine/contexts';
import { DocumentCache, tf32Switches } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';
import { analyseFolder } from './helpers';

const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'rules');
const H100 = findDevice('h100')!;
const BW = H100.bandwidth;


function findings(out: Map<string, Analysis>, file: string, code: string): Finding[] {
  return out.get(file)!.findings.filter((f) => f.code === code);
}

/** A copy of a fixture project with some files edited, for near misses of the same code. */
function variant(project: string, edits: Record<string, [string, string][]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tensorcost-ctxrules-${project}-`));
  for (const f of fs.readdirSync(path.join(FIXTURES, project))) {
    let text = fs.readFileSync(path.join(FIXTURES, project, f), 'utf8');
    for (const [from, to] of edits[f] ?? []) {
      assert.ok(text.includes(from), `${f} has no ${from}`);
      text = text.replace(from, to);
    }
    fs.writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

/** Memory-bound GEMM figures: bytes of A, B and C at `bytes` each, time at the H100's bandwidth. */
function memoryBound(m: number, k: number, n: number, bytes: number, peak: number, extra = 0) {
  const flops = 2 * m * k * n;
  const moved = bytes * (m * k + k * n + m * n) + extra;
  const intensity = flops / moved;
  return { flops, intensity, time: moved / BW, fraction: (intensity * BW) / peak, ridge: peak / BW };
}

describe('TC101 on the shapes of the calling context', () => {
  before(initEngine);

  it('a DataLoader of batch 4 feeding nn.Linear(4096, 4096): thin in the script that runs it', () => {
    const out = analyseFolder(path.join(FIXTURES, 'embed'));
    const [f, ...rest] = findings(out, 'encoder.py', 'TC101');
    assert.equal(rest.length, 0);
    // fp32: x (4, 4096), W (4096, 4096), y (4, 4096) and the bias (4096) at 4 B.
    const g = memoryBound(4, 4096, 4096, 4, H100.peak.fp32, 4 * 4096);
    assert.equal(f.range.start.line, 12, 'at self.proj(...) in encoder.py');
    assert.equal(
      f.message,
      `intensity ${intensityText(g.intensity)} < ridge ${intensityText(g.ridge)} on H100 SXM (fp32): at most ${percentText(g.fraction)} of peak (6.69 TFLOP/s of 66.9 TFLOP/s), ${timeText(250 * g.time)} memory-bound over 250 calls; m=4 makes it thin (GEMV-like): batch more rows per call (in embed.py:18 <module>)`,
    );
    // The DataLoader gives 1,000 / 4 = 250 batches: the loop in main() runs the layer 250 times.
    assert.equal(timeText(g.time), '20.1 µs');
    // The script itself has no GEMM: nothing there.
    assert.equal(out.get('embed.py')!.findings.filter((x) => x.code.startsWith('TC1')).length, 0);
  });

  it('near miss: the same service with batches of 256 rows is not thin', () => {
    const out = analyseFolder(variant('embed', { 'embed.py': [['batch_size=4', 'batch_size=256']] }));
    assert.deepEqual(findings(out, 'encoder.py', 'TC101'), []);
  });

  it("a noqa on the layer's line silences the finding its context makes", () => {
    const out = analyseFolder(variant('embed', { 'encoder.py': [['return self.proj(self.norm(feats))', 'return self.proj(self.norm(feats))  # noqa: TC101']] }));
    assert.deepEqual(findings(out, 'encoder.py', 'TC101'), []);
  });

  it('a jaxtyping fp16 function called with torch.randn(8, 4096, dtype=torch.float16), 32 decode steps', () => {
    const out = analyseFolder(path.join(FIXTURES, 'decode'));
    const all = findings(out, 'layers.py', 'TC101');
    // project() only: logits_for_last() cuts its input to the last position on purpose.
    assert.deepEqual(all.map((f) => f.range.start.line), [7]);
    const g = memoryBound(8, 4096, 4096, 2, H100.peak.fp16);
    assert.equal(timeText(g.time), '10.1 µs');
    assert.match(all[0].message, new RegExp(`^intensity ${intensityText(g.intensity)} < ridge ${intensityText(g.ridge)} on H100 SXM \\(fp16\\)`));
    // Each of the 32 steps calls it: the floor applies to 32 × 10.06 µs.
    assert.ok(all[0].message.includes(`${timeText(32 * g.time)} memory-bound over 32 calls; m=8 makes it thin (GEMV-like): batch more rows per call (in serve.py:22 <module>)`), all[0].message);
  });

  it('near miss: the last-position output layer stays silent however thin (nanoGPT generate)', () => {
    // Without the slice the same GEMM over every position fires: the silence is the slice's.
    const out = analyseFolder(variant('decode', { 'layers.py': [['return h[:, -1, :] @ w_out', 'return h.mean(1) @ w_out']] }));
    assert.deepEqual(findings(out, 'layers.py', 'TC101').map((f) => f.range.start.line), [7, 12]);
  });

  it("near miss in a file's own pass: nanoGPT's `self.lm_head(x[:, [-1], :])`, against the same head on a mean", () => {
    const head = (arg: string) =>
      [
        'import torch.nn as nn',
        'from jaxtyping import Float',
        'from torch import Tensor',
        '',
        '',
        'class Head(nn.Module):',
        '    def __init__(self):',
        '        super().__init__()',
        '        self.lm_head = nn.Linear(4096, 32000, bias=False)',
        '',
        '    def forward(self, x: Float[Tensor, "8 128 4096"]):',
        '        # inference: only the last position',
        `        return self.lm_head(${arg})`,
        '',
      ].join('\n');
    const tc101 = (arg: string) => analyzeSource({ path: 'head.py', text: head(arg), languageId: 'python' }, DEFAULT_SETTINGS).findings.filter((f) => f.code === 'TC101');
    assert.deepEqual(tc101('x[:, [-1], :]'), []);
    assert.deepEqual(tc101('x[:, -1]'), []);
    // The same 8 rows from a mean: (8, 4096) @ (4096, 32000) fp32, 3.99 FLOP/B, fires.
    const g = memoryBound(8, 4096, 32000, 4, H100.peak.fp32);
    const [f] = tc101('x.mean(1, keepdim=True)');
    assert.match(f.message, new RegExp(`^intensity ${intensityText(g.intensity)} < ridge .* ${timeText(g.time)} memory-bound; m=8 makes it thin`));
  });

  it('LoRA down-projection x @ A with A (1024, 64): n is the thin side, counted over the 12 layers', () => {
    const out = analyseFolder(path.join(FIXTURES, 'lora'));
    const all = findings(out, 'lora.py', 'TC101');
    assert.deepEqual(all.map((f) => f.range.start.line), [15, 16]);
    // bf16 under the script's autocast: (8192, 1024) @ (1024, 64), 5.36 µs a call, below the
    // 10 µs floor on its own; the stack runs it 12 times.
    const down = memoryBound(8192, 1024, 64, 2, H100.peak.bf16!);
    assert.equal(timeText(down.time), '5.36 µs');
    assert.ok(all[0].message.startsWith(`intensity ${intensityText(down.intensity)} < ridge ${intensityText(down.ridge)} on H100 SXM (bf16): at most ${percentText(down.fraction)} of peak`), all[0].message);
    assert.ok(all[0].message.includes(`${timeText(12 * down.time)} memory-bound over 12 calls; n=64 is the thin side: more rows will not help`), all[0].message);
    assert.doesNotMatch(all[0].message, /batch more rows/);
    assert.match(all[0].message, /\(in finetune\.py:21 <module>\)$/);
    // The up-projection (8192, 64) @ (64, 1024) has the same bytes and FLOPs: k is the short side.
    assert.match(all[1].message, /k=64 is short/);
  });

  it('near miss: one adapter layer is 5.36 µs, under the 10 µs floor', () => {
    const out = analyseFolder(variant('lora', { 'finetune.py': [['"n_layers": 12', '"n_layers": 1']] }));
    assert.deepEqual(findings(out, 'lora.py', 'TC101'), []);
  });
});

describe('TC102 fires only where the idle share is material', () => {
  before(initEngine);
  const computeTime = (m: number, k: number, n: number, peak: number, batch = 1) => (2 * batch * m * k * n) / peak;

  it('a 1024-class probe on 16k features, batch 1024 from argparse: 64 tiles for 132 SMs', () => {
    const out = analyseFolder(path.join(FIXTURES, 'head'));
    const [f, ...rest] = findings(out, 'model.py', 'TC102');
    assert.equal(rest.length, 0);
    const t = computeTime(1024, 16384, 1024, H100.peak.bf16!);
    assert.equal(f.message, `1×8×8 = 64 output tiles of 128×128 for 132 SMs (≤${percentText(64 / 132)} busy): ~${timeText(t / (64 / 132))} instead of ${timeText(t)} (in train_probe.py:32 <module>)`);
    assert.equal(timeText(t), '34.7 µs');
  });

  it('wave quantisation: 140 tiles on 132 SMs take two waves, the second with 8 tiles', () => {
    const out = analyseFolder(path.join(FIXTURES, 'waves'));
    const [f] = findings(out, 'ffn.py', 'TC102');
    const t = computeTime(1792, 8192, 1280, H100.peak.bf16!);
    const busy = 140 / 264;
    assert.equal(f.message, `1×14×10 = 140 output tiles of 128×128 on 132 SMs: 2 waves, the last with 8 (≤${percentText(busy)} busy): ~${timeText(t / busy)} instead of ${timeText(t)} (in run.py:11 <module>)`);
  });

  it('per-group scores with torch.bmm: 4 groups × 4 × 4 tiles; the shared pooling (128 tiles, 3% idle) stays silent', () => {
    const out = analyseFolder(path.join(FIXTURES, 'heads'));
    const all = findings(out, 'retrieval.py', 'TC102');
    assert.deepEqual(all.map((f) => f.range.start.line), [12], 'the bmm, not the pooling Linear of line 15');
    const t = computeTime(512, 4096, 512, H100.peak.fp32, 4);
    assert.ok(all[0].message.startsWith(`4×4×4 = 64 output tiles of 128×128 for 132 SMs (≤${percentText(64 / 132)} busy): ~${timeText(t / (64 / 132))} instead of ${timeText(t)}`), all[0].message);
  });

  it('near miss: a probe of 2,048 classes has 8 × 16 = 128 tiles for 132 SMs, 3% idle', () => {
    const out = analyseFolder(variant('head', { 'model.py': [['n_classes: int = 1024', 'n_classes: int = 2048']] }));
    // 1024 rows × 2048 classes: 8 × 16 = 128 tiles on 132 SMs.
    assert.deepEqual(findings(out, 'model.py', 'TC102'), []);
  });
});

describe('TC201 and TC202 on attention whose matmuls only the calling context records', () => {
  before(initEngine);

  it('hand-written attention of a layer evaluated on 4,096-token documents', () => {
    const out = analyseFolder(path.join(FIXTURES, 'longctx'));
    const a = out.get('attention.py')!;
    // q, k, v come out of a split the layer's own analysis cannot size: only the script's run
    // records the two matmuls. (2, 16, 4096, 4096) scores in bf16 (the script's autocast).
    const scores = 2 * 16 * 4096 * 4096 * 2;
    assert.equal(scores, 1024 ** 3);
    const [t201, ...more] = a.findings.filter((f) => f.code === 'TC201');
    assert.equal(more.length, 0);
    assert.equal(t201.range.start.line, 20);
    assert.equal(t201.message, 'materialised attention scores (2, 16, 4096, 4096) bf16 take 1 GiB (32 score matrices of 32 MiB, B·H·L²·2 B) ≥ 256 MiB; a fused kernel never stores them (in long_context.py:12 <module>)');
    const t202 = a.findings.filter((f) => f.code === 'TC202');
    assert.equal(t202.length, 1);
    assert.match(t202[0].message, /\(2, 16, 4096, 4096\) bf16 scores .*\(in long_context\.py:12 <module>\)$/);
    // The attention matmuls are thin in k or n (head size 64), but TC202's fix is the one that applies.
    assert.deepEqual(a.findings.filter((f) => f.code === 'TC101'), []);
  });

  it('near miss: 1,024-token documents keep the scores at 64 MiB, under the 256 MiB of TC201', () => {
    const out = analyseFolder(variant('longctx', { 'long_context.py': [['SEQ_LEN = 4096', 'SEQ_LEN = 1024']] }));
    assert.deepEqual(out.get('attention.py')!.findings.filter((f) => f.code === 'TC201'), []);
  });
});

describe('TC303 once per function, judged by the entry point that runs it', () => {
  before(initEngine);

  it('plain fp32 training of a 3-layer MLP: one finding for the three GEMMs, with the total', () => {
    const out = analyseFolder(path.join(FIXTURES, 'fp32train'));
    const all = findings(out, 'net.py', 'TC303');
    assert.equal(all.length, 1);
    const [f] = all;
    // batch 4096: 2048→8192, 8192→8192, 8192→2048.
    const flops = [2 * 4096 * 2048 * 8192, 2 * 4096 * 8192 * 8192, 2 * 4096 * 8192 * 2048];
    const fp32 = flops.reduce((a, b) => a + b) / H100.peak.fp32;
    assert.equal(timeText(fp32), '12.3 ms');
    assert.ok(f.message.startsWith(`3 fp32 GEMMs in ResidualMLP.forward: ≥${timeText(fp32)} on fp32 units; TF32 ≥`), f.message);
    assert.match(f.message, /\(in train\.py:22 <module>\)$/);
    // At the largest (the hidden 8192×8192 layer), the other two related.
    assert.equal(f.range.start.line, 23);
    assert.deepEqual(f.related!.map((r) => r.range.start.line), [22, 24]);
  });

  it("top-level code is one group: a script's two fp32 GEMMs make one finding", () => {
    const text = ['import torch', '', 'x = torch.randn(4096, 4096)', 'w = torch.randn(4096, 4096)', 'h = x @ w', 'y = h @ w.T', ''].join('\n');
    const a = analyzeSource({ path: 'script.py', text, languageId: 'python' }, DEFAULT_SETTINGS);
    const all = a.findings.filter((f) => f.code === 'TC303');
    assert.equal(all.length, 1);
    assert.ok(all[0].message.startsWith(`2 fp32 GEMMs in top-level code: ≥${timeText((2 * 2 * 4096 ** 3) / H100.peak.fp32)} on fp32 units`), all[0].message);
    assert.deepEqual(all[0].related!.map((r) => r.range.start.line), [5]);
  });

  it('near miss: the same model under a script that sets allow_tf32 = True', () => {
    assert.deepEqual(findings(analyseFolder(path.join(FIXTURES, 'tf32train')), 'net.py', 'TC303'), []);
  });

  it("near miss: set_float32_matmul_precision('high') in the entry function, before the model runs", () => {
    const out = analyseFolder(variant('fp32train', { 'train.py': [['    cfg = NetConfig()', '    torch.set_float32_matmul_precision("high")\n    cfg = NetConfig()']] }));
    assert.deepEqual(findings(out, 'net.py', 'TC303'), []);
  });

  it("fires where the script asks for 'highest' precision: the retrieval scorer's two GEMMs", () => {
    const out = analyseFolder(path.join(FIXTURES, 'heads'));
    const [f, ...rest] = findings(out, 'retrieval.py', 'TC303');
    assert.equal(rest.length, 0);
    const fp32 = (2 * 4 * 512 * 4096 * 512 + 2 * 4096 * 4096 * 512) / H100.peak.fp32;
    assert.ok(f.message.startsWith(`2 fp32 GEMMs in GroupScorer.forward: ≥${timeText(fp32)} on fp32 units`), f.message);
    assert.match(f.message, /\(in evaluate\.py:18 <module>\)$/);
  });

  it('an annotated fp32 file fires on its own; the benchmark that runs it under a bf16 autocast held in a variable silences it', () => {
    const dir = path.join(FIXTURES, 'ampbench');
    const alone = analyzeSource({ path: path.join(dir, 'blocks.py'), text: fs.readFileSync(path.join(dir, 'blocks.py'), 'utf8'), languageId: 'python' }, DEFAULT_SETTINGS);
    const own = alone.findings.filter((f) => f.code === 'TC303');
    assert.equal(own.length, 1);
    assert.equal(own[0].message.split(':')[0], '2 fp32 GEMMs in mix');
    assert.deepEqual(findings(analyseFolder(dir), 'blocks.py', 'TC303'), []);
  });

  it('still fires on the annotated file when its benchmark runs it in fp32', () => {
    const out = analyseFolder(variant('ampbench', { 'bench.py': [['dtype = "bfloat16"', 'dtype = "float32"']] }));
    const all = findings(out, 'blocks.py', 'TC303');
    assert.equal(all.length, 1);
    // Two 4096³ GEMMs: 2 × 137 GFLOP at 66.9 TFLOP/s.
    assert.ok(all[0].message.startsWith(`2 fp32 GEMMs in mix: ≥${timeText((2 * 2 * 4096 ** 3) / H100.peak.fp32)} on fp32 units`), all[0].message);
  });
});

describe('context findings after edits equal those of a fresh analysis', () => {
  before(initEngine);

  it('switching TF32 on and off again in the script, with the previous state reused', () => {
    const dir = variant('fp32train', {});
    const program = { files: new DiskProgram([dir]), docs: new DocumentCache(), key: programPath };
    const netPath = path.join(dir, 'net.py');
    const trainPath = path.join(dir, 'train.py');
    const net = analyzeSource({ path: netPath, text: fs.readFileSync(netPath, 'utf8'), languageId: 'python' }, DEFAULT_SETTINGS, { program });
    const original = fs.readFileSync(trainPath, 'utf8');
    const on = original.replace('\n\ndef train(', '\ntorch.backends.cuda.matmul.allow_tf32 = True\n\n\ndef train(');
    const tc303 = (trainText: string, state?: Analysis['state']) => {
      // The disk holds what the editor holds: the context of net.py is read from train.py.
      fs.writeFileSync(trainPath, trainText);
      const train = analyzeSource({ path: trainPath, text: trainText, languageId: 'python' }, DEFAULT_SETTINGS, { program, ...(state ? { reuse: state } : { keep: true }) });
      const index = buildContextIndex([net.ir, train.ir]);
      return { state: train.state, found: withContexts(net, index).findings.filter((f) => f.code === 'TC303').map((f) => f.message) };
    };
    let state: Analysis['state'];
    const seen: string[][] = [];
    for (const text of [original, on, original, on]) {
      const inc = tc303(text, state);
      state = inc.state;
      const fresh = tc303(text);
      assert.deepEqual(inc.found, fresh.found, 'incremental and fresh differ');
      seen.push(inc.found);
    }
    assert.deepEqual(seen.map((x) => x.length), [1, 0, 1, 0]);
  });
});

describe('the TF32 switches of an entry file', () => {
  it('reads literal switches, precision names, and a switch from a variable as on', () => {
    const text = [
      'import torch',
      'torch.backends.cuda.matmul.allow_tf32 = False  # reproducible first',
      'def main(args):',
      '    torch.backends.cuda.matmul.allow_tf32 = args.tf32  # the user decides',
      '    torch.set_float32_matmul_precision("highest")',
      "    torch.set_float32_matmul_precision(precision='medium')",
      '    torch.backends.cudnn.allow_tf32 = False',
    ].join('\n');
    assert.deepEqual(tf32Switches(text), [[1, false], [3, true], [4, false], [5, true]]);
  });
});

describe("a context op's calls and dtype: every loop on the way from the entry point, the operands' dtype", () => {
  before(initEngine);

  it('an fp16 projection re-run for 100 epochs from main(): fp16 ridge, 100 calls, the fp16 label', () => {
    const out = analyseFolder(path.join(FIXTURES, 'retrieval'));
    const [f, ...rest] = findings(out, 'retrieve.py', 'TC101');
    assert.equal(rest.length, 0);
    // (8192, 1024) @ (1024, 64) at 2 B: 59.8 FLOP/B, 5.36 µs a call, under the 10 µs floor alone.
    const g = memoryBound(8192, 1024, 64, 2, H100.peak.fp16);
    assert.equal(intensityText(g.intensity), '59.8 FLOP/B');
    assert.equal(intensityText(g.ridge), '295 FLOP/B');
    assert.equal(timeText(g.time), '5.36 µs');
    assert.equal(f.range.start.line, 6);
    assert.ok(f.message.startsWith(`intensity 59.8 FLOP/B < ridge 295 FLOP/B on H100 SXM (fp16): at most ${percentText(g.fraction)} of peak`), f.message);
    assert.ok(f.message.includes(`${timeText(100 * g.time)} memory-bound over 100 calls; n=64 is the thin side`), f.message);
    assert.equal(timeText(100 * g.time), '536 µs');
    // The op as reported (JSON, hover) carries the dtype its figures were computed in.
    const a = out.get('retrieve.py')!;
    const i = a.ir.ops.findIndex((o) => o.range.start.line === 6 && o.kind === 'matmul');
    assert.equal(a.opContexts?.[i]?.dtype, 'fp16');
  });

  it("32 layers × 2 refinements × 256 decode steps: the caller's loop counts, and the time is per call × calls", () => {
    const out = analyseFolder(path.join(FIXTURES, 'steploop'));
    const [f, ...rest] = findings(out, 'decode.py', 'TC101');
    assert.equal(rest.length, 0);
    // (1, 4096) @ (4096, 4096) fp32: 20.0 µs a call. The list of 32 layers runs trip by trip (32
    // captures), the inner range(2) is the op's own repeat, the module's range(256) the caller's.
    const g = memoryBound(1, 4096, 4096, 4, H100.peak.fp32);
    const calls = 32 * 2 * 256;
    assert.equal(timeText(calls * g.time), '328 ms');
    assert.ok(f.message.includes(`${timeText(calls * g.time)} memory-bound over 16,384 calls; m=1 makes it thin`), f.message);
    assert.match(f.message, /\(in decode\.py:19 <module>\)$/);
  });

  it('near miss: the same decoder run for one step with one pass per layer is counted 32 times, not more', () => {
    const out = analyseFolder(variant('steploop', { 'decode.py': [['for t in range(256)', 'for t in range(1)'], ['for _ in range(2)', 'for _ in range(1)']] }));
    const [f] = findings(out, 'decode.py', 'TC101');
    const g = memoryBound(1, 4096, 4096, 4, H100.peak.fp32);
    assert.ok(f.message.includes(`${timeText(32 * g.time)} memory-bound over 32 calls`), f.message);
  });
});

describe('TC101 and TC102 leave NumPy GEMMs alone: they run on the CPU', () => {
  before(initEngine);

  it('a NumPy reference attention (64 tiles) and a thin NumPy projection in a loop stay silent', () => {
    const out = analyseFolder(path.join(FIXTURES, 'npproj'));
    assert.deepEqual(findings(out, 'attn_np.py', 'TC102'), []);
    assert.deepEqual(findings(out, 'attn_np.py', 'TC101'), []);
  });

  it('near miss: the same file importing torch (its arrays may be on the GPU) gets both findings', () => {
    const out = analyseFolder(variant('npproj', { 'attn_np.py': [['import numpy as np', 'import numpy as np\nimport torch']] }));
    // weights @ V: (8192, 8192) @ (8192, 64) fp32, 64 × 1 tiles; features @ weight: n = 8 over 100 epochs.
    assert.deepEqual(findings(out, 'attn_np.py', 'TC102').map((f) => f.range.start.line), [15]);
    assert.deepEqual(findings(out, 'attn_np.py', 'TC101').map((f) => f.range.start.line), [19]);
  });
});

describe('TC303 counts only the GEMMs tensor cores would speed up', () => {
  before(initEngine);

  it('near miss: a 32-row batch through a 2048×8192 block is memory-bound in fp32; TF32 would save nothing', () => {
    const out = analyseFolder(path.join(FIXTURES, 'fp32mlp'));
    // (32, 2048) @ (2048, 8192) fp32: 2·32·2048·8192 / (4·(32·2048 + 2048·8192 + 32·8192)) < 20 FLOP/B.
    const g = memoryBound(32, 2048, 8192, 4, H100.peak.fp32);
    assert.ok(g.intensity < g.ridge);
    assert.deepEqual(findings(out, 'model.py', 'TC303'), []);
  });

  it("a script's memory-bound fp32 GEMM is left out of the group: one GEMM counted, not two", () => {
    const text = ['import torch', '', 'x = torch.randn(4096, 4096)', 'w = torch.randn(4096, 4096)', 'h = x @ w', 't = torch.randn(32, 8192)', 'w2 = torch.randn(8192, 8192)', 'g = t @ w2', ''].join('\n');
    // t @ w2: 4.29 GFLOP over 4·(32·8192 + 8192² + 32·8192) B, 15.9 FLOP/B, under the fp32 ridge.
    const g = memoryBound(32, 8192, 8192, 4, H100.peak.fp32);
    assert.ok(g.intensity < g.ridge && g.flops > 1e9);
    const all = analyzeSource({ path: 'script.py', text, languageId: 'python' }, DEFAULT_SETTINGS).findings.filter((f) => f.code === 'TC303');
    assert.equal(all.length, 1);
    const fp32 = (2 * 4096 ** 3) / H100.peak.fp32;
    assert.ok(all[0].message.startsWith(`fp32 GEMM of 137 GFLOP: ≥${timeText(fp32)} on fp32 units; TF32 ≥${timeText((2 * 4096 ** 3) / H100.peak.tf32!)}`), all[0].message);
    assert.deepEqual(all[0].related ?? [], []);
  });

  it('the same block on batches of 4096 rows is compute-bound in fp32 and fires, TF32 well under fp32', () => {
    const out = analyseFolder(variant('fp32mlp', { 'train.py': [['BATCH = 32', 'BATCH = 4096']] }));
    const [f] = findings(out, 'model.py', 'TC303');
    const fp32 = (2 * 2 * 4096 * 2048 * 8192) / H100.peak.fp32;
    const tf32 = (2 * 2 * 4096 * 2048 * 8192) / H100.peak.tf32!;
    assert.ok(f.message.startsWith(`2 fp32 GEMMs in ResidualMLP.forward: ≥${timeText(fp32)} on fp32 units; TF32 ≥${timeText(tf32)}`), f.message);
  });
});

describe('the hover of an op run in a calling context', () => {
  before(initEngine);

  it('states the dtype the figures are at: bf16 under the script’s autocast, fp32 on its own', () => {
    const out = analyseFolder(path.join(FIXTURES, 'lora'));
    const a = out.get('lora.py')!;
    const index = a.ir.ops.findIndex((o) => o.range.start.line === 15 && o.kind === 'matmul');
    assert.ok(index >= 0 && a.opContexts?.[index], 'x @ self.lora_A has a calling context');
    assert.equal(a.ir.ops[index].dtype, 'fp32');
    const md = opHover(a, index);
    assert.match(md, /\| dtype \| bf16 in this context \(fp32 on its own\) \|/);
    // (8192, 1024) @ (1024, 64) in bf16: memory-bound, its time at the H100's bandwidth, on the
    // bf16 roof (not the 66.9 TFLOP/s fp32 one the op's own dtype would name).
    const down = memoryBound(8192, 1024, 64, 2, H100.peak.bf16!);
    assert.ok(md.includes(`| time | ≈ ${timeText(down.time)} on ${H100.name} (${rateText(H100.peak.bf16!)} bf16, `), md);
    assert.match(md, /dashed line the bf16 ridge point/);
  });
});
