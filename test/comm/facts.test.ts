/**
 * TC601–TC603 on the interpreter's facts (issue 15, SPEC §7): training scripts written as real
 * projects are (model imported from another file, argparse, a Trainer class, Horovod's and
 * Accelerate's idioms), analysed as part of their program. The batch is what feeds the model,
 * per rank; the world size is a value whatever it is called. Every figure is checked against a
 * hand computation in the comments.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { estimateDistributed } from '../../server/core/comm/estimate';
import { Settings, withDefaults } from '../../server/core/settings';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { DocumentCache } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'distributed', 'facts');

function analyse(script: string, settings: Partial<Settings>): Analysis {
  const file = path.join(DIR, script);
  const program = { files: new DiskProgram([DIR]), docs: new DocumentCache(), key: programPath };
  const a = analyzeSource({ path: file, text: fs.readFileSync(file, 'utf8'), languageId: 'python' }, withDefaults(settings), { program });
  program.docs.clear();
  return a;
}

const lineOf = (script: string, line: number) => fs.readFileSync(path.join(DIR, script), 'utf8').split('\n')[line];
const tc6 = (a: Analysis) => a.findings.filter((f) => f.code.startsWith('TC6'));
const codes = (a: Analysis) => tc6(a).map((f) => f.code).sort();
const finding = (a: Analysis, code: string) => {
  const f = tc6(a).find((x) => x.code === code);
  assert.ok(f, `no ${code} in ${codes(a).join(', ')}`);
  return f;
};
const estimate = (a: Analysis, settings: Partial<Settings>) => {
  const r = estimateDistributed(a.ir, a.device, withDefaults(settings), a.bindings);
  assert.ok(r.ok, r.ok ? '' : r.reason);
  return r.estimate;
};
const close = (actual: number, expected: number, rel = 1e-9) => assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} ≠ ${expected}`);

// FeatureMLP() of models.py: stem 1024→2048, 8 residual blocks (LayerNorm 2048, 2048→8192, 8192→2048), head 2048→1000.
const MLP_PARAMS = 1024 * 2048 + 2048 + 8 * (2 * 2048 + (2048 * 8192 + 8192) + (8192 * 2048 + 2048)) + (2048 * 1000 + 1000);
// GEMM FLOPs per sample: 2·(1024·2048 + 8·2·2048·8192 + 2048·1000).
const MLP_FLOPS_PER_SAMPLE = 2 * (1024 * 2048 + 8 * 2 * 2048 * 8192 + 2048 * 1000);
const H100_BF16 = 989.4e12;
const H100_FP32 = 66.9e12;

describe('TC601–TC603 read the batch that feeds the model, per rank', () => {
  before(initEngine);

  it('DDP + argparse + DataLoader: costs the step on the global batch // world size, with the model of another file', () => {
    assert.equal(MLP_PARAMS, 272_698_344);
    assert.equal(MLP_FLOPS_PER_SAMPLE, 545_161_216);
    const settings = { worldSize: 8, interconnect: 'nvlink' };
    const a = analyse('train_ddp_argparse.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.modelClass, 'FeatureMLP');
    assert.equal(e.params, MLP_PARAMS);
    // --global-batch-size 2048 over 8 ranks: 256 samples per rank, not 2048.
    assert.equal(e.compute.forwardFlops, 256 * MLP_FLOPS_PER_SAMPLE);
    assert.equal(e.compute.dtype, 'bf16');
    assert.match(e.compute.source, /batch 2048 \/\/ world_size = 256 per rank at D=8/);
    // 3 × 139,561,271,296 FLOPs at 50% of 989.4 TFLOP/s = 0.8463 ms.
    close(e.compute.seconds, (3 * 256 * MLP_FLOPS_PER_SAMPLE) / (0.5 * H100_BF16));
    // Ring over NVLink (450 GB/s, 2 µs): 2·7/8 · 1,090,793,376 B / 450e9 = 4.242 ms, plus
    // ceil(1,090,793,376 / 25 MiB) = 42 buckets × 14 steps × 2 µs = 1.176 ms.
    close(e.at!.bandwidthSeconds, (2 * 7 / 8 * MLP_PARAMS * 4) / 450e9);
    close(e.at!.latencySeconds, 42 * 14 * 2e-6);
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
    const tc601 = finding(a, 'TC601');
    assert.match(tc601.message, /1\.02 GiB of gradients \(272,698,344 params × 4 B fp32\)/);
    assert.match(tc601.message, /ring all-reduce ≈ 5\.42 ms at D=8/);
    assert.match(tc601.message, /6\.40× the compute ≈ 846 µs per step/);
    assert.match(tc601.message, /D=8 is the worldSize setting/);
  });

  it('the per-rank batch follows the world size: D=4 gives 512 samples per rank', () => {
    const settings = { worldSize: 4, interconnect: 'nvlink' };
    const e = estimate(analyse('train_ddp_argparse.py', settings), settings);
    assert.equal(e.compute.forwardFlops, 512 * MLP_FLOPS_PER_SAMPLE);
  });

  it('a near-miss: 32,768 // world_size = 4,096 per rank in bf16 hides the NVLink all-reduce (int(os.environ["WORLD_SIZE"]) in a class)', () => {
    const settings = { worldSize: 8, interconnect: 'nvlink' };
    const a = analyse('train_ddp_large_batch.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.compute.forwardFlops, 4096 * MLP_FLOPS_PER_SAMPLE);
    // 5.418 ms of sync against 3 × 2.233e12 / 494.7e12 = 13.54 ms of compute: ratio 0.40.
    close(e.at!.ratio, ((2 * 7 / 8 * MLP_PARAMS * 4) / 450e9 + 42 * 14 * 2e-6) / ((3 * 4096 * MLP_FLOPS_PER_SAMPLE) / (0.5 * H100_BF16)));
    assert.ok(e.at!.ratio < 0.5);
    assert.deepEqual(codes(a), []);
  });

  it('a model of another file: nn.Parameter weights of a hand-written LayerNorm count, a registered buffer does not', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const e = estimate(analyse('train_ln.py', settings), settings);
    assert.equal(e.modelClass, 'Net');
    // 4 blocks × (LayerNorm weight 512, bias-free 512→2048 and 2048→512) + the final LayerNorm's 512;
    // the 256×256 causal masks are buffers.
    assert.equal(e.params, 4 * (512 + 512 * 2048 + 2048 * 512) + 512);
  });

  it('a near-miss: a tutorial-sized model (165 parameters) is under the 1 ms floor of TC601 and TC602, whatever the ratio', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_toy_ddp.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.params, 10 * 10 + 10 + 10 * 5 + 5);
    // 14 ring steps × 5 µs = 70 µs of latency, far more than 3 × 2 · 20 · (100 + 50) FLOPs compute.
    assert.equal(e.compute.forwardFlops, 2 * 20 * (10 * 10 + 10 * 5));
    assert.ok(e.at!.ratio > 1 && e.at!.commSeconds < 1e-3);
    assert.deepEqual(codes(a), []);
  });

  it('mp.spawn(train, nprocs=args.gpus): D=4 from the code, the spawned function run with its arguments', () => {
    const a = analyse('train_spawn.py', { interconnect: 'pcie' });
    const e = estimate(a, { interconnect: 'pcie' });
    assert.equal(e.ranks, 4);
    assert.equal(e.compute.forwardFlops, 128 * MLP_FLOPS_PER_SAMPLE);
    // 2·3/4 · 1,090,793,376 B / 25 GB/s = 65.44 ms + 42 buckets × 6 steps × 5 µs = 1.26 ms.
    close(e.at!.commSeconds, (2 * 3 / 4 * MLP_PARAMS * 4) / 25e9 + 42 * 6 * 5e-6);
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
    assert.match(finding(a, 'TC601').message, /D=4 as the code launches it \(line \d+\)$/);
    // The setting wins over the code.
    assert.equal(estimate(analyse('train_spawn.py', { worldSize: 2, interconnect: 'pcie' }), { worldSize: 2, interconnect: 'pcie' }).ranks, 2);
  });

  it('Accelerate in a Trainer class: TinyLM with tied embeddings, bf16 from mixed_precision, lr × num_processes', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_accelerate.py', settings);
    const e = estimate(a, settings);
    // Embedding 32,000 × 1,024 tied to the bias-free head (counted once) + 12 blocks of 8,395,776.
    const params = 32000 * 1024 + 12 * (2 * 1024 + (1024 * 4096 + 4096) + (4096 * 1024 + 1024));
    assert.equal(params, 133_517_312);
    assert.equal(e.modelClass, 'TinyLM');
    assert.equal(e.params, params);
    assert.equal(e.compute.dtype, 'bf16');
    // per_device_train_batch_size 8 × seq_len 1024 token ids: at least 2·N per token.
    assert.equal(e.compute.forwardFlops, 2 * params * 8 * 1024);
    assert.deepEqual(codes(a), ['TC601', 'TC602', 'TC603']);
    assert.match(finding(a, 'TC602').message, /`cfg\.learning_rate \* self\.accelerator\.num_processes` scales the learning rate linearly with D=8/);
    assert.match(finding(a, 'TC603').message, /DistributedDataParallelKwargs\(comm_hook=DDPCommunicationHookType\.BF16\)/);
  });
});

describe('a model whose config is a dataclass of the training script', () => {
  before(initEngine);

  // TinyGPT(GPTConfig()) of train_lm_dataclass.py: wte 50,304 × 2,048, 24 blocks (LayerNorm 2,048,
  // 2,048→8,192 and 8,192→2,048 with biases), bias-free head 2,048 → 50,304.
  const GPT_PARAMS = 50304 * 2048 + 24 * (2 * 2048 + (2048 * 8192 + 8192) + (8192 * 2048 + 2048)) + 2048 * 50304;

  it('`@dataclass GPTConfig` handed to every module as `c`: 1.01B parameters, TC601 and TC603 at D=8 on NVLink', () => {
    assert.equal(GPT_PARAMS, 1_011_695_616);
    const settings = { worldSize: 8, interconnect: 'nvlink' };
    const a = analyse('train_lm_dataclass.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.modelClass, 'TinyGPT');
    assert.equal(e.params, GPT_PARAMS);
    assert.equal(e.compute.dtype, 'bf16');
    // Micro-batch 2 × 256 token ids: 2·N per token = 2 × 1,011,695,616 × 512 = 1,035,976,310,784
    // FLOPs, more than the layers counted (the embedding lookup has no FLOPs).
    assert.equal(e.compute.forwardFlops, 2 * GPT_PARAMS * 512);
    // 3 × 1.036e12 / (0.5 × 989.4e12) = 6.283 ms per step.
    close(e.compute.seconds, (3 * 2 * GPT_PARAMS * 512) / (0.5 * H100_BF16));
    // 4,046,782,464 B: 2·7/8 · S / 450 GB/s = 15.74 ms, + ceil(S / 25 MiB) = 155 buckets × 14 steps × 2 µs = 4.34 ms.
    close(e.at!.bandwidthSeconds, (2 * 7 / 8 * GPT_PARAMS * 4) / 450e9);
    close(e.at!.latencySeconds, 155 * 14 * 2e-6);
    // 20.08 ms / 6.283 ms = 3.20.
    close(e.at!.ratio, ((2 * 7 / 8 * GPT_PARAMS * 4) / 450e9 + 155 * 14 * 2e-6) / ((3 * 2 * GPT_PARAMS * 512) / (0.5 * H100_BF16)));
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
    const tc601 = finding(a, 'TC601');
    assert.match(tc601.message, /3\.77 GiB of gradients \(1,011,695,616 params × 4 B fp32\)/);
    assert.match(tc601.message, /3\.20× the compute ≈ 6\.28 ms per step/);
    assert.match(tc601.message, /2·N per token × 512 tokens fed to the call at line \d+ \(batch 2 per rank\)/);
  });

  it('the syntactic count of the script\'s classes reads `c.n_embd` as the config field, symbolic in its dims', () => {
    const a = analyse('train_lm_dataclass.py', { worldSize: 8 });
    const counted = (a.ir.signals['dist.params'] as { cls: string; params: { evaluate(b: Map<string, number>): number | null } }[]).find((p) => p.cls === 'TinyGPT');
    assert.ok(counted);
    assert.equal(counted.params.evaluate(a.bindings), GPT_PARAMS);
  });

  // Transformer(ModelArgs()) of train_lm_append.py: embedding 32,000 × 1,024, 16 layers (LayerNorm
  // 1,024, bias-free 1,024→4,096 and 4,096→1,024), final LayerNorm, bias-free head 1,024 → 32,000.
  const LLAMA_PARAMS = 32000 * 1024 + 16 * (2 * 1024 + 2 * 1024 * 4096) + 2 * 1024 + 1024 * 32000;

  it('layers appended in a loop: the model as its constructor ran (199.8M), not the 65.5M the syntactic count sees', () => {
    assert.equal(LLAMA_PARAMS, 199_788_544);
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_lm_append.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.modelClass, 'Transformer');
    assert.equal(e.params, LLAMA_PARAMS);
    // 4 × 512 token ids: 2 × 199,788,544 × 2,048 FLOPs forward, 4.96 ms per step in bf16.
    assert.equal(e.compute.forwardFlops, 2 * LLAMA_PARAMS * 2048);
    // PCIe 4.0: 2·7/8 · 799,154,176 B / 25 GB/s = 55.94 ms + 31 buckets × 14 steps × 5 µs = 2.17 ms.
    close(e.at!.commSeconds, (2 * 7 / 8 * LLAMA_PARAMS * 4) / 25e9 + 31 * 14 * 5e-6);
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
  });

  it('a near-miss: the same model on NVLink syncs in 0.80 of the step, under TC601\'s ratio (TC603 still advises bf16)', () => {
    const settings = { worldSize: 8, interconnect: 'nvlink' };
    const a = analyse('train_lm_append.py', settings);
    const e = estimate(a, settings);
    // (3.108 ms + 31 × 14 × 2 µs) / (3 × 818.3e9 / 494.7e12 = 4.963 ms) = 0.801.
    close(e.at!.ratio, ((2 * 7 / 8 * LLAMA_PARAMS * 4) / 450e9 + 31 * 14 * 2e-6) / ((3 * 2 * LLAMA_PARAMS * 2048) / (0.5 * H100_BF16)));
    assert.ok(e.at!.ratio < 1);
    assert.deepEqual(codes(a), ['TC603']);
  });
});

describe('without a world size, TC601 says what it waits for instead of staying silent', () => {
  before(initEngine);

  it('a torchrun script that only reads the world size at run time: one information note at the wrapper, naming the setting', () => {
    const a = analyse('train_lm_dataclass.py', { interconnect: 'nvlink' });
    const notes = tc6(a);
    assert.equal(notes.length, 1);
    const [note] = notes;
    assert.equal(note.code, 'TC601');
    assert.equal(note.severity, 'information');
    assert.match(lineOf('train_lm_dataclass.py', note.range.start.line), /DistributedDataParallel\(/);
    assert.match(note.message, /^the world size is not known before the run \(no setting or dims binding gives it\), so TC601–TC603 do not estimate the gradient sync/);
    assert.match(note.message, /`tensorcost\.worldSize` \(`--world-size N` on the CLI\) or `# tensorcost: dims world_size=N`/);
    // At D=8 over NVLink: 2·7/8 · 4,046,782,464 B / 450 GB/s = 15.74 ms + 155 buckets × 14 × 2 µs = 4.34 ms.
    assert.match(note.message, /At D=8 \(one node\) the all-reduce of 3\.77 GiB of fp32 gradients would take ≈ 20\.1 ms per step$/);
  });

  it('`hvd.size()` read at run time (the world_size dim then stands at the default setting of 1): the same one note', () => {
    const a = analyse('train_horovod.py', { interconnect: 'pcie' });
    assert.deepEqual(tc6(a).map((f) => [f.code, f.severity]), [['TC601', 'information']]);
    // 2·7/8 · 1,090,793,376 B / 25 GB/s = 76.36 ms + 17 Horovod fusion buffers of 64 MiB × 14 × 5 µs = 1.19 ms.
    assert.match(tc6(a)[0].message, /At D=8 \(one node\) the all-reduce of 1\.02 GiB of fp32 gradients would take ≈ 77\.5 ms per step$/);
  });

  it('near-misses: no note where the code launches D ranks, where a dims binding gives D, or for a toy model', () => {
    assert.deepEqual(codes(analyse('train_spawn.py', { interconnect: 'pcie' })), ['TC601', 'TC603']);
    assert.deepEqual(codes(analyse('train_lm_dataclass.py', { interconnect: 'nvlink', dims: { world_size: 1 } })), []);
    // 165 parameters: even across a node the sync is microseconds, under dist.minSyncMs.
    assert.deepEqual(codes(analyse('train_toy_ddp.py', { interconnect: 'pcie' })), []);
  });
});

describe('gradient accumulation: one sync per optimizer step, not per micro-batch', () => {
  before(initEngine);
  const params = 133_517_312;

  it('a near-miss: 64 // world_size = 8 micro-batches of 8 × 1024 tokens per sync hide the PCIe all-reduce at D=8', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_grad_accum.py', settings);
    const e = estimate(a, settings);
    // 8 micro-batches × 2·N per token × 8,192 tokens = 17,500,381,118,464 FLOPs forward per sync.
    assert.equal(e.compute.forwardFlops, 8 * 2 * params * 8 * 1024);
    assert.match(e.compute.source, /× 8 micro-batches per sync \(gradient accumulation, line 28\)/);
    // 38.85 ms of sync (2·7/8 · 534,069,248 B / 25 GB/s + 21 buckets × 14 × 5 µs) against 106.1 ms.
    close(e.at!.commSeconds, (2 * 7 / 8 * params * 4) / 25e9 + 21 * 14 * 5e-6);
    assert.deepEqual(codes(a), []);
  });

  it('at D=64 one micro-batch is left per sync, and the all-reduce across nodes dominates', () => {
    const settings = { worldSize: 64, interconnect: 'pcie' };
    const a = analyse('train_grad_accum.py', settings);
    assert.equal(estimate(a, settings).compute.forwardFlops, 2 * params * 8 * 1024);
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
    assert.doesNotMatch(finding(a, 'TC601').message, /micro-batches per sync/);
  });
});

describe("TC602 reads the multiplication by the world size as a fact", () => {
  before(initEngine);

  it("Horovod's idiom `lr *= hvd.size()` (argparse per-worker batch), with the expected speed-up", () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_horovod.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.compute.forwardFlops, 64 * MLP_FLOPS_PER_SAMPLE);
    assert.deepEqual(codes(a), ['TC601', 'TC602', 'TC603']);
    const tc602 = finding(a, 'TC602');
    assert.match(tc602.message, /^`lr \*= hvd\.size\(\)` scales the learning rate/);
    // Overlapped efficiency: compute / (compute/3 + max(2/3·compute, sync)) with sync ≫ compute.
    const compute = (3 * 64 * MLP_FLOPS_PER_SAMPLE) / (0.5 * H100_FP32);
    const sync = (2 * 7 / 8 * MLP_PARAMS * 4) / 25e9 + Math.ceil((MLP_PARAMS * 4) / (64 * 1024 * 1024)) * 14 * 5e-6;
    close(e.at!.commSeconds, sync);
    close(e.at!.efficiencyOverlapped, compute / (compute / 3 + Math.max((2 / 3) * compute, sync)));
    assert.match(tc602.message, new RegExp(`expect ≈ ${(e.at!.efficiencyOverlapped * 8).toFixed(1)}× the throughput`));
  });

  it('`per_device_batch * dist.get_world_size()` is the batch scaled, because it is the batch the model is fed', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_ddp_bf16_weights.py', settings);
    const tc602 = finding(a, 'TC602');
    assert.match(tc602.message, /^`per_device_batch \* dist\.get_world_size\(\)` scales the batch size/);
  });

  it('`if args.scale_lr:` (store_true, off by default): reported, saying the scaling waits for --scale_lr', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('finetune_scale_lr.py', settings);
    const e = estimate(a, settings);
    // 32 samples per rank of FeatureMLP in fp32: 3 × 32 × 545,161,216 / (0.5 × 66.9e12) = 1.565 ms;
    // 2·7/8 · 1,090,793,376 B / 25 GB/s = 76.36 ms + 42 buckets × 14 steps × 5 µs = 2.94 ms.
    const compute = (3 * 32 * MLP_FLOPS_PER_SAMPLE) / (0.5 * H100_FP32);
    const sync = (2 * 7 / 8 * MLP_PARAMS * 4) / 25e9 + 42 * 14 * 5e-6;
    close(e.compute.seconds, compute);
    close(e.at!.commSeconds, sync);
    // 1.565 / (0.522 + 79.30) = 1.96%: ≈ 0.2× one GPU's throughput at D=8.
    close(e.at!.efficiencyOverlapped, compute / (compute / 3 + Math.max((2 / 3) * compute, sync)));
    assert.deepEqual(codes(a), ['TC601', 'TC602', 'TC603']);
    const tc602 = finding(a, 'TC602');
    assert.match(tc602.message, /^when `--scale_lr` is given, `args\.learning_rate \* args\.gradient_accumulation_steps \* args\.train_batch_size \* accelerator\.num_processes` scales the learning rate linearly with D=8/);
    assert.match(tc602.message, /1\.96% efficiency \(below 80%\): expect ≈ 0\.2× the throughput of one GPU, not 8×/);
  });

  it('a near-miss: square-root lr scaling and a divided global batch are not linear scaling', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_sqrt_lr.py', settings);
    assert.deepEqual(codes(a), ['TC601', 'TC603']);
    assert.equal(estimate(a, settings).compute.forwardFlops, 64 * MLP_FLOPS_PER_SAMPLE);
  });
});

describe('TC603: the sync as the code configures it, and advice never costlier than the current state', () => {
  before(initEngine);

  it('Horovod without compression= is told fp16 compression, with the bandwidth term halved', () => {
    const a = analyse('train_horovod.py', { worldSize: 8, interconnect: 'pcie' });
    const m = finding(a, 'TC603').message;
    // 2·7/8 · 1,090,793,376 B / 25 GB/s = 76.36 ms → 38.18 ms.
    assert.match(m, /`compression=hvd\.Compression\.fp16` in `hvd\.DistributedOptimizer` would halve the bytes \(bandwidth term 76\.4 ms → ≈ 38\.2 ms\)/);
  });

  it('a near-miss: Horovod with compression=hvd.Compression.fp16 is silent (the sync is costed at half the bytes)', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_horovod_compressed.py', settings);
    assert.ok(!codes(a).includes('TC603'));
    close(estimate(a, settings).at!.bandwidthSeconds, (2 * 7 / 8 * MLP_PARAMS * 2) / 25e9);
  });

  it('a near-miss: FSDP with MixedPrecision(reduce_dtype=torch.bfloat16) held in a variable is silent', () => {
    assert.ok(!codes(analyse('train_fsdp_mixed.py', { worldSize: 8, interconnect: 'pcie' })).includes('TC603'));
  });

  it('a per-parameter dist.all_reduce loop: counts the tensors and the latency (os.environ world size, batch // world_size)', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_manual_sync.py', settings);
    const e = estimate(a, settings);
    assert.equal(e.compute.forwardFlops, 128 * MLP_FLOPS_PER_SAMPLE);
    // 52 tensors: stem and head weight + bias, 8 blocks × (LayerNorm, fc1, fc2) × (weight, bias).
    assert.equal(e.config.messages, 52);
    // 52 messages × 14 ring steps × 5 µs = 3.64 ms of latency; 42 buckets would pay 2.94 ms.
    close(e.at!.latencySeconds, 52 * 14 * 5e-6);
    const m = finding(a, 'TC603').message;
    assert.match(m, /^unbucketed gradient sync: 52 all-reduces \(one per parameter tensor\)/);
    assert.match(m, /latency 3\.64 ms\); 25 MiB buckets would cost ≈ 79\.3 ms/);
  });

  it('gradients already bf16 (model cast after .to(rank)): only PowerSGD is advised, never a 16-bit compression', () => {
    const settings = { worldSize: 8, interconnect: 'pcie' };
    const a = analyse('train_ddp_bf16_weights.py', settings);
    assert.equal(estimate(a, settings).gradDtype, 'bf16');
    const m = finding(a, 'TC603').message;
    assert.match(m, /the gradients are already bf16: only PowerSGD/);
    assert.doesNotMatch(m, /halve|bf16_compress_hook|fp16/);
  });
});

describe('the facts survive re-analysis: an edited document reports what a fresh analysis does', () => {
  before(initEngine);

  it('reuses cached statements with their facts, and re-records them where lines moved', () => {
    const settings = withDefaults({ worldSize: 8, interconnect: 'pcie' });
    const file = path.join(DIR, 'train_manual_sync.py');
    const program = { files: new DiskProgram([DIR]), docs: new DocumentCache(), key: programPath };
    const view = (a: Analysis) => JSON.stringify({ findings: tc6(a).map((f) => [f.code, f.range, f.message]), facts: [a.ir.signals['dist.modelCalls'], a.ir.signals['dist.worldScale']] });
    // Without its `__main__` block, `run` is analysed on its own only: its facts come from its
    // statement's analysis, which re-analysis takes from the cache.
    const text0 = fs.readFileSync(file, 'utf8').replace(/\nif __name__ == "__main__":[^]*$/, '\n');
    assert.ok(!text0.includes('__main__'));
    const edits = [
      (t: string) => t.replace('for step in range(500):', 'for step in range(400):'),
      (t: string) => `# launched with torchrun\n${t}`,
      (t: string) => t.replace('GLOBAL_BATCH = 1024', 'GLOBAL_BATCH = 2048'),
      (t: string) => t.replace('        loss.backward()\n', '        loss.backward()\n\n'),
      (t: string) => t.replace('def average_gradients(model):', 'def average_gradients(model):\n    # one message per tensor'),
      // Edits elsewhere leave `run` and its callees cached: their facts come from the cache.
      (t: string) => `${t}\n\ndef log_step(step, loss):\n    print(step, loss)\n`,
      (t: string) => t.replace('print(step, loss)', 'print(f"step {step}: {loss:.4f}")'),
    ];
    let state = analyzeSource({ path: file, text: text0, languageId: 'python' }, settings, { program, keep: true }).state;
    let text = text0;
    for (const [i, edit] of edits.entries()) {
      text = edit(text);
      assert.notEqual(text, text0);
      const again = analyzeSource({ path: file, text, languageId: 'python' }, settings, { program, reuse: state });
      state = again.state;
      const fresh = analyzeSource({ path: file, text, languageId: 'python' }, settings, { program });
      assert.equal(view(again), view(fresh), `edit ${i}`);
      assert.equal((fresh.ir.signals['dist.modelCalls'] as { cls: string }[] | undefined)?.[0]?.cls, 'FeatureMLP');
    }
    program.docs.clear();
  });
});

describe('the world size is a value, whatever the code calls it', () => {
  before(initEngine);
  const scaled = (expr: string, setup = '') => {
    const text = `import os\nimport torch.distributed as dist\nimport horovod.torch as hvd\nfrom accelerate import Accelerator\n${setup}\n\ndef main():\n    base_lr = 0.1\n    n = ${expr}\n    lr = base_lr * n\n    return lr\n`;
    const a = analyzeSource({ path: 'snippet.py', text, languageId: 'python' }, withDefaults({}));
    return ((a.ir.signals['dist.worldScale'] ?? []) as { kind: string; text: string }[]).map((f) => `${f.kind}:${f.text}`);
  };

  for (const expr of ['dist.get_world_size()', 'hvd.size()', 'int(os.environ["WORLD_SIZE"])', 'int(os.environ.get("WORLD_SIZE", 1))', 'Accelerator().num_processes']) {
    it(`\`${expr}\` held in a variable is the world size`, () => {
      assert.deepEqual(scaled(expr), ['float:base_lr * n']);
    });
  }

  it('a near-miss: other environment variables and the local GPU count are not the world size', () => {
    assert.deepEqual(scaled('int(os.environ["LOCAL_RANK"])'), []);
    assert.deepEqual(scaled('torch.cuda.device_count()', 'import torch'), []);
  });
});
