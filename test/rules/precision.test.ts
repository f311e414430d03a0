/**
 * Mixed precision read from the interpreter's facts (issue 15): one decision of the autocast
 * dtype shared by the interpreter, the rules and the distributed estimate; TC301 on a dtype held
 * in a variable, a dict lookup, a context stored on `self`, a GradScaler found disabled; one
 * finding per cause for `.half()` training; and the near misses that must stay silent. The
 * fixtures (test/fixtures/amp) are training scripts as engineers write them, importing their
 * model from model.py: each is analysed as part of its folder's program, as the CLI does.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Analysis, analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS, Settings, withDefaults } from '../../server/core/settings';
import { DocumentCache } from '../../server/frontends/python/session';
import { DiskProgram, programPath } from '../../server/node/program';
import { decideAutocast, decideAutocastText } from '../../server/frontends/python/autocast';
import { signalsOf } from '../../server/core/rules/signals';
import { estimateDistributed } from '../../server/core/comm/estimate';
import { analyseText, applyEdits } from './helpers';

const AMP = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'amp');
const DISTRIBUTED = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'distributed');

/** Analyses one script of the fixture folder as part of the folder's program. */
function analyseScript(name: string, settings: Settings = DEFAULT_SETTINGS): Analysis {
  const file = path.join(AMP, name);
  const program = { files: new DiskProgram([AMP]), docs: new DocumentCache(), key: programPath };
  return analyzeSource({ path: file, text: fs.readFileSync(file, 'utf8'), languageId: 'python' }, settings, { program });
}

const tc = (a: Analysis, code: string) => a.findings.filter((f) => f.code === code);
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle));
const fixture = (name: string) => fs.readFileSync(path.join(AMP, name), 'utf8');

describe('one decision of the autocast dtype (PyTorch semantics)', () => {
  it('device defaults, dtype= wins, enabled=False is off', () => {
    const on = (callee: string, a: Parameters<typeof decideAutocast>[1]) => {
      const d = decideAutocast(callee, a);
      return d?.on ? d.dtype : d ? 'off' : undefined;
    };
    assert.equal(on('torch.autocast', { device: 'cuda' }), 'fp16');
    assert.equal(on('torch.amp.autocast', { device: 'cuda:0' }), 'fp16');
    assert.equal(on('torch.autocast', { device: 'cpu' }), 'bf16');
    assert.equal(on('torch.cuda.amp.autocast', {}), 'fp16');
    assert.equal(on('torch.cpu.amp.autocast', {}), 'bf16');
    assert.equal(on('torch.autocast', { device: 'cuda', dtype: 'bf16' }), 'bf16');
    assert.equal(on('torch.autocast', { device: 'cpu', dtype: 'fp16' }), 'fp16');
    assert.equal(on('torch.autocast', { device: 'cuda', enabled: false }), 'off');
    // A dtype or a device the caller could not decide leaves the dtype undecided.
    assert.equal(on('torch.autocast', { device: 'cuda', dtype: null }), null);
    assert.equal(on('torch.autocast', { device: null }), null);
    assert.equal(on('torch.matmul', {}), undefined);
  });

  it('the text reading agrees: positional device, cuda.amp positional enabled, dtype=None is the default', () => {
    const text = (callee: string, kw: Record<string, string>, pos: string[] = []) => {
      const d = decideAutocastText(callee, new Map(Object.entries(kw)), pos);
      return d?.on ? d.dtype : d ? 'off' : undefined;
    };
    assert.equal(text('torch.autocast', {}, ['"cuda"']), 'fp16');
    assert.equal(text('torch.autocast', { device_type: "'cpu'" }), 'bf16');
    assert.equal(text('torch.autocast', { dtype: 'None' }, ["'cuda'"]), 'fp16');
    assert.equal(text('torch.autocast', { dtype: 'ptdtype' }, ["'cuda'"]), null);
    assert.equal(text('torch.cuda.amp.autocast', {}, ['False']), 'off');
    assert.equal(text('torch.autocast', { enabled: 'False' }, ['"cuda"']), 'off');
  });

  describe('every pass reads it: torch.autocast("cuda") in a DDP script on a V100', () => {
    before(initEngine);
    const MODEL = fs.readFileSync(path.join(DISTRIBUTED, 'gpt2_model.py'), 'utf8');
    const script = (autocast: string) => `${MODEL}

import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

batch_size = 12
block_size = 1024


def main():
    dist.init_process_group(backend="nccl")
    rank = dist.get_rank()
    model = DDP(GPT(GPTConfig()).to(rank), device_ids=[rank])
    optimizer = torch.optim.AdamW(model.parameters(), lr=6e-4)
    scaler = torch.cuda.amp.GradScaler()
    x = torch.randn(batch_size, block_size, 768, device=rank)
    w = torch.randn(768, 768, device=rank)
    for step in range(100):
        idx = torch.randint(0, 50304, (batch_size, block_size), device=rank)
        with ${autocast}:
            y = x @ w
            loss = model(idx).sum() + y.sum()
        scaler.scale(loss).backward()
        scaler.step(optimizer)
        scaler.update()
`;
    const run = (autocast: string, prelude = '') => {
      const text = script(autocast).replace('batch_size = 12', `${prelude}batch_size = 12`);
      return analyzeSource({ path: 'train_ddp.py', text, languageId: 'python' }, withDefaults({ worldSize: 8, device: 'v100' }));
    };

    for (const [label, autocast, prelude] of [
      ['torch.autocast("cuda")', 'torch.autocast("cuda")', ''],
      ['torch.autocast("cuda", dtype=ptdtype) with ptdtype = torch.float16', 'torch.autocast("cuda", dtype=ptdtype)', 'ptdtype = torch.float16\n'],
      ['torch.cuda.amp.autocast()', 'torch.cuda.amp.autocast()', ''],
    ] as const) {
      it(`${label}: fp16 in the op, in the rules' signal and in the distributed estimate`, () => {
        const a = run(autocast, prelude);
        const gemm = a.ir.ops.find((o) => o.name === '@')!;
        assert.equal(gemm.dtype, 'fp16');
        assert.deepEqual(signalsOf(a.ir).autocast.map((s) => s.dtype), ['fp16']);
        assert.deepEqual((a.ir.signals['dist.autocast'] as { dtype: string }[]).map((d) => d.dtype), ['fp16']);
        const r = estimateDistributed(a.ir, a.device, withDefaults({ worldSize: 8, device: 'v100' }), a.bindings);
        assert.ok(r.ok, r.ok ? '' : r.reason);
        // V100's fp16 tensor cores: 125 TFLOP/s, not its 15.7 TFLOP/s of fp32 (it has no bf16).
        assert.equal(r.estimate.compute.dtype, 'fp16');
        assert.equal(r.estimate.compute.peak, 125e12);
      });
    }

    it('torch.autocast("cpu") and a bf16 dtype held in a variable are bf16 everywhere', () => {
      for (const [autocast, prelude] of [['torch.autocast("cpu")', ''], ['torch.autocast("cuda", dtype=ptdtype)', 'ptdtype = torch.bfloat16\n']]) {
        const a = run(autocast, prelude);
        assert.equal(a.ir.ops.find((o) => o.name === '@')!.dtype, 'bf16', autocast);
        assert.deepEqual(signalsOf(a.ir).autocast.map((s) => s.dtype), ['bf16'], autocast);
        assert.deepEqual((a.ir.signals['dist.autocast'] as { dtype: string }[]).map((d) => d.dtype), ['bf16'], autocast);
      }
    });
  });
});

describe('TC301 reads the interpreter: fp16 autocast decided on values', () => {
  before(initEngine);

  it("nanoGPT's idiom with dtype = 'float16' and the scaler taken out: one finding, on the training loop's `with ctx:`", () => {
    const a = analyseScript('nanogpt_fp16.py');
    const f = tc(a, 'TC301');
    // The evaluation helper enters the same context under @torch.no_grad(): not a second cause.
    assert.equal(f.length, 1, JSON.stringify(f));
    const text = fixture('nanogpt_fp16.py');
    // The loop's own `with ctx:` follows the evaluation's print.
    assert.equal(f[0].range.start.line, lineOf(text, 'print(f"step') + 1);
    assert.equal(text.split('\n')[f[0].range.start.line].trim(), 'with ctx:');
    assert.match(f[0].message, /^`ctx` enters fp16 autocast in training \(backward at line 73\) with no GradScaler/);
  });

  it('a Trainer that makes self.ctx in __init__ from a config string and enters it in train_step', () => {
    const a = analyseScript('trainer_fp16.py');
    const f = tc(a, 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    // train_step's `with self.ctx:`, the first; evaluate's runs under no_grad.
    assert.equal(f[0].range.start.line, lineOf(fixture('trainer_fp16.py'), 'with self.ctx:'));
    assert.match(f[0].message, /^`self\.ctx` enters fp16 autocast in training \(backward at line 35\)/);
    // The fix keeps one scaler on self, made at the end of __init__, not a fresh one per step.
    const text = fixture('trainer_fp16.py');
    const after = applyEdits(text, (f[0].data as { edits: Parameters<typeof applyEdits>[1] }).edits);
    assert.match(after, /dtype=DTYPES\[config\.dtype\]\)\n        self\.scaler = torch\.amp\.GradScaler\("cuda"\)\n\n    def train_step/);
    assert.match(after, /\n        self\.scaler\.scale\(loss\)\.backward\(\)\n        self\.scaler\.step\(self\.optimizer\)\n        self\.scaler\.update\(\)\n/);
    const file = path.join(AMP, 'trainer_fp16.py');
    const program = { files: new DiskProgram([AMP]), docs: new DocumentCache(), key: programPath };
    assert.deepEqual(tc(analyzeSource({ path: file, text: after, languageId: 'python' }, DEFAULT_SETTINGS, { program }), 'TC301'), []);
  });

  it('an argparse precision passed down to the epoch loop as amp_dtype', () => {
    const a = analyseScript('train_cli.py');
    const f = tc(a, 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(fixture('train_cli.py'), "with torch.autocast('cuda', dtype=amp_dtype)"));
    assert.match(f[0].message, /^fp16 autocast in training \(backward at line 20\) with no GradScaler/);
    // The quick fix is offered as for an inline dtype.
    assert.equal((f[0].data as { fix?: string })?.fix, 'gradscaler');
  });

  it('a GradScaler found disabled is no loss scaling: an argparse flag off by default, enabled=False on self', () => {
    for (const [name, scaler] of [['train_cli_scaler_flag.py', 'torch.cuda.amp.GradScaler(enabled=args.loss_scaling)'], ['trainer_fp16_scaler_off.py', "torch.amp.GradScaler('cuda', enabled=False)"]]) {
      const f = tc(analyseScript(name), 'TC301');
      assert.equal(f.length, 1, `${name}: ${JSON.stringify(f)}`);
      const line = lineOf(fixture(name), scaler) + 1;
      assert.ok(f[0].message.includes(`with its GradScaler disabled (${scaler}, line ${line})`), f[0].message);
    }
  });

  const silent: [string, string][] = [
    ['nanogpt_fp16_scaler.py', "nanoGPT with dtype = 'float16': GradScaler(enabled=(dtype == 'float16')) is enabled"],
    ['nanogpt_bf16.py', 'nanoGPT as written, in bfloat16'],
    ['trainer_fp16_scaler.py', 'the Trainer with torch.amp.GradScaler("cuda") held on self'],
    ['train_cli_bf16.py', 'the argparse script defaulting to bf16'],
    ['train_fp32_eval_fp16.py', 'fp16 autocast only in an evaluation pass under no_grad, training in fp32'],
    ['infer_half.py', 'fp16 inference only (.half() and autocast, no backward)'],
  ];
  for (const [name, what] of silent) {
    it(`silent: ${what}`, () => {
      assert.deepEqual(tc(analyseScript(name), 'TC301'), []);
    });
  }
});

describe('TC301 where only the interpreter knows the callee or the region', () => {
  before(initEngine);
  const read = (name: string) => fs.readFileSync(path.join(AMP, 'snippets', name), 'utf8');

  it('`from torch.cuda.amp import autocast` then `with autocast():` is CUDA autocast, fp16', async () => {
    const f = tc(await analyseText(read('old_amp_import.py')), 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(read('old_amp_import.py'), 'with autocast():'));
    // The fix spells the scaler of the API the file uses.
    assert.equal((f[0].data as { edits: { newText: string }[] }).edits[0].newText.trim(), 'scaler = torch.cuda.amp.GradScaler()');
  });

  it("`@torch.autocast('cuda')` on a model's forward, trained by the file's loop", async () => {
    const f = tc(await analyseText(read('autocast_decorator.py')), 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(read('autocast_decorator.py'), "@torch.autocast('cuda')"));
  });

  it('silent: GradScaler(enabled=use_amp) with use_amp a parameter (undecidable, so it may scale)', async () => {
    assert.deepEqual(tc(await analyseText(read('scaler_parameter.py')), 'TC301'), []);
  });

  it("silent: Accelerate's mixed_precision='fp16' scales the loss in accelerator.backward; fires with 'no'", async () => {
    assert.deepEqual(tc(await analyseText(read('accelerate_fp16.py')), 'TC301'), []);
    assert.equal(tc(await analyseText(read('accelerate_fp16.py').replace('mixed_precision="fp16"', 'mixed_precision="no"')), 'TC301').length, 1);
  });
});

describe('TC301 on .half() training: one finding per cause', () => {
  before(initEngine);

  it('a model cast with .half() and every batch cast to match: one finding, on the model', () => {
    const f = tc(analyseScript('train_half.py'), 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(fixture('train_half.py'), 'model = MLP().to(device).half()'));
    assert.match(f[0].message, /^MLP\(\)\.to\(device\)\.half\(\) \(fp16 weights\) in training \(backward at line 22\)/);
    // GradScaler.unscale_ raises on fp16 gradients: the advice is fp32 weights under autocast, and no scaler fix.
    assert.match(f[0].message, /a GradScaler cannot unscale fp16 gradients: keep the weights in fp32 under torch\.autocast\(dtype=torch\.float16\) with a GradScaler, or use bf16/);
    assert.equal(f[0].data, undefined);
  });

  it('a model cast to a dtype held in the trainer (model.to(device=device, dtype=dtype)), batches cast too', () => {
    const f = tc(analyseScript('trainer_half_dtype.py'), 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(fixture('trainer_half_dtype.py'), 'self.model = model.to(device=device, dtype=dtype)'));
    assert.match(f[0].message, /\(fp16 weights\) in training \(backward at line 19\)/);
  });

  it('a torchvision model (unknown to the engine) and its inputs cast with .half(): one finding, on the first cast', async () => {
    const text = [
      'import torch',
      'import torch.nn as nn',
      'import torchvision',
      '',
      '',
      'def train(loader, epochs=90):',
      '    model = torchvision.models.resnet50().cuda().half()',
      '    criterion = nn.CrossEntropyLoss().cuda()',
      '    optimizer = torch.optim.SGD(model.parameters(), 0.1, momentum=0.9)',
      '    for epoch in range(epochs):',
      '        for images, target in loader:',
      '            images = images.cuda(non_blocking=True).half()',
      '            target = target.cuda(non_blocking=True)',
      '            loss = criterion(model(images), target)',
      '            optimizer.zero_grad()',
      '            loss.backward()',
      '            optimizer.step()',
      '',
    ].join('\n');
    const f = tc(await analyseText(text), 'TC301');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, 6);
  });

  it('silent: a .half() model that only predicts', () => {
    assert.deepEqual(tc(analyseScript('infer_half.py'), 'TC301'), []);
  });
});

describe('TC302 reads the same facts', () => {
  before(initEngine);
  const snippet = (dtype: string) => [
    'import torch',
    'import torch.nn.functional as F',
    '',
    `dtype = '${dtype}'`,
    "ptdtype = {'float32': torch.float32, 'bfloat16': torch.bfloat16, 'float16': torch.float16}[dtype]",
    "ctx = torch.amp.autocast(device_type='cuda', dtype=ptdtype)",
    '',
    '',
    'def masked_scores(q, k, mask):',
    '    with ctx:',
    '        att = q @ k.transpose(-2, -1)',
    '        return F.softmax(att.masked_fill(mask == 0, -1e9), dim=-1)',
    '',
  ].join('\n');

  it('-1e9 inside `with ctx:` where ctx is fp16 autocast through a dict lookup', async () => {
    const f = tc(await analyseText(snippet('float16')), 'TC302');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, 11);
    assert.match(f[0].message, /^-1e9 is beyond fp16's range \(max 65504\) inside fp16 autocast/);
  });

  it('silent: the same code with bfloat16', async () => {
    assert.deepEqual(tc(await analyseText(snippet('bfloat16')), 'TC302'), []);
  });

  it('-1e9 in an attention whose autocast context, fp16 by its default argument, is held on self', async () => {
    const text = fs.readFileSync(path.join(AMP, 'snippets', 'attention_self_ctx.py'), 'utf8');
    const f = tc(await analyseText(text), 'TC302');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.equal(f[0].range.start.line, lineOf(text, '-1e9'));
    assert.match(f[0].message, /inside fp16 autocast/);
  });

  it('eps=1e-8 in an RMSNorm under autocast to a dtype held in a module constant', async () => {
    const text = fs.readFileSync(path.join(AMP, 'snippets', 'rmsnorm_eps.py'), 'utf8');
    const f = tc(await analyseText(text), 'TC302');
    assert.equal(f.length, 1, JSON.stringify(f));
    assert.match(f[0].message, /^1e-8 is below fp16's smallest subnormal \(6e-8\) inside fp16 autocast: it rounds to 0/);
  });

  it('silent: the RMSNorm with the constant set to bfloat16', async () => {
    const text = fs.readFileSync(path.join(AMP, 'snippets', 'rmsnorm_eps.py'), 'utf8').replace('amp_dtype = torch.float16', 'amp_dtype = torch.bfloat16');
    assert.deepEqual(tc(await analyseText(text), 'TC302'), []);
  });
});
