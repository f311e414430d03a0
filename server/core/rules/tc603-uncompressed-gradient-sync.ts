import { ringAllReduce } from '../comm/collectives';
import { DistEstimate, estimateDistributed } from '../comm/estimate';
import { gradText, syncText } from '../comm/text';
import { percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';

const MIB = 1024 * 1024;

/**
 * What would send fewer bytes than the current state, never more: fp32 gradients can go as
 * 16-bit (half the bandwidth term), with the framework's own switch; gradients that already are
 * 16-bit only gain from a low-rank method (PowerSGD), whose saving depends on the matrices' shapes.
 */
function advice(e: DistEstimate, bandwidthSeconds: number): string {
  const powerSGD = 'PowerSGD (rank r sends r·(m+n) values per m×n gradient instead of m·n)';
  if (e.gradDtype !== 'fp32' && e.gradDtype !== 'fp64') return `the gradients are already ${e.gradDtype}: only ${powerSGD} would cut the bytes further`;
  const half = `(bandwidth term ${timeText(bandwidthSeconds)} → ≈ ${timeText(bandwidthSeconds / 2)})`;
  switch (e.sync.kind) {
    case 'horovod':
      return `\`compression=hvd.Compression.fp16\` in \`hvd.DistributedOptimizer\` would halve the bytes ${half}`;
    case 'fsdp':
      return `\`mixed_precision=MixedPrecision(reduce_dtype=torch.bfloat16)\` would halve the reduce-scatter's bytes`;
    case 'accelerate':
      return `a bf16 comm hook (\`DistributedDataParallelKwargs(comm_hook=DDPCommunicationHookType.BF16)\` in the Accelerator's kwargs_handlers) would halve the bytes ${half}; ${powerSGD} by more`;
    case 'deepspeed':
      return `bf16 or fp16 training in the DeepSpeed config communicates 16-bit gradients, half the bytes ${half}`;
    default:
      return `\`model.register_comm_hook(None, default_hooks.bf16_compress_hook)\` would halve the bytes ${half}; ${powerSGD} by more`;
  }
}

export const rule: Rule = {
  code: 'TC603',
  name: 'uncompressed-gradient-sync',
  defaultSeverity: 'information',
  summary: 'Large gradients are synchronised with no compression hook (or, by hand, one tensor at a time) where communication is a large part of the step.',
  docs: {
    what:
      'Flags a DDP / FSDP / Horovod / Accelerate wrapper with no `register_comm_hook` (PowerSGD, fp16/bf16 compression) and no `compression=hvd.Compression.fp16`, when the gradients exceed `tc603.minGradientMiB` and the sync takes at least `tc603.ratio` of the step\'s compute at the configured world size. Also flags a hand-written `dist.all_reduce(p.grad)` inside a loop over parameters: each tensor is one message, and each message pays the ring latency 2(D−1)·α that DDP\'s 25 MiB buckets pay once per bucket; the message counts the tensors and gives the latency.\n\n' +
      'Compression counts wherever the code asks for it: `register_comm_hook` (PowerSGD, fp16/bf16), Horovod\'s `compression=hvd.Compression.fp16`, FSDP\'s `MixedPrecision(reduce_dtype=torch.bfloat16)`, Accelerate\'s `DistributedDataParallelKwargs(comm_hook=...)`. The advice never costs more than the current state: fp32 gradients are told the framework\'s own 16-bit switch (with the bandwidth term before and after), gradients that already are 16-bit (a model cast with `.half()` / `.to(torch.bfloat16)`) only PowerSGD.',
    why:
      'The sync time is 2(D−1)/D · S/BW: it is proportional to the bytes sent, so halving S (bf16 compression of fp32 gradients) halves the dominant term, and PowerSGD (rank r) sends r·(m+n) values per m×n matrix instead of m·n. The textbook\'s O(log D) rounds suggests the size does not matter; NCCL\'s model shows it is the size that does.',
    example: 'model = DDP(model, device_ids=[rank])   # 475 MiB of fp32 gradients per step on PCIe\nfor p in model.parameters():\n    dist.all_reduce(p.grad)                # one message per tensor',
    useInstead:
      'from torch.distributed.algorithms.ddp_comm_hooks import default_hooks, powerSGD_hook as powerSGD\nmodel.register_comm_hook(state=None, hook=default_hooks.bf16_compress_hook)\n# or: state = powerSGD.PowerSGDState(process_group=None, matrix_approximation_rank=1, start_powerSGD_iter=1000)\n#     model.register_comm_hook(state, powerSGD.powerSGD_hook)\n# and let DDP bucket gradients instead of all-reducing them one by one.',
  },
  thresholds: [
    { key: 'tc603.minGradientMiB', default: 100, description: 'Gradients smaller than this (MiB) are not worth compressing.' },
    { key: 'tc603.ratio', default: 0.5, description: 'Fire when sync time / compute time per step is at least this.' },
  ],
  check(ctx): Finding[] {
    const r = estimateDistributed(ctx.ir, ctx.device, ctx.settings, ctx.bindings);
    if (!r.ok || !r.estimate.at) return [];
    const e = r.estimate;
    const at = e.at!;
    if (e.signals.compression.length > 0 || at.ratio < ctx.threshold('tc603.ratio')) return [];
    const out: Finding[] = [];
    if (e.sync.kind === 'all_reduce' && e.config.messages !== undefined && e.config.messages > 1) {
      const bucketed = ringAllReduce(e.gradBytes, at.ranks, at.link, Math.ceil(e.gradBytes / (25 * MIB)));
      out.push({
        code: 'TC603',
        severity: 'information',
        range: e.sync.range,
        message: `unbucketed gradient sync: ${e.config.messages} all-reduces (one per parameter tensor) of ${gradText(e)}: ${syncText(e, at)}; 25 MiB buckets would cost ≈ ${timeText(bucketed.seconds)}`,
      });
    } else if (e.gradBytes >= ctx.threshold('tc603.minGradientMiB') * MIB) {
      out.push({
        code: 'TC603',
        severity: 'information',
        range: e.sync.range,
        message: `${gradText(e)} synchronised uncompressed: ${syncText(e, at)} is ${percentText(at.ratio)} of the step's compute; ${advice(e, at.bandwidthSeconds)}`,
      });
    }
    return out;
  },
};
