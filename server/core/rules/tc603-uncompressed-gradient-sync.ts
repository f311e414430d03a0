import { ringAllReduce } from '../comm/collectives';
import { estimateDistributed } from '../comm/estimate';
import { gradText, syncText } from '../comm/text';
import { percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';

const MIB = 1024 * 1024;

export const rule: Rule = {
  code: 'TC603',
  name: 'uncompressed-gradient-sync',
  defaultSeverity: 'information',
  summary: 'Large gradients are synchronised with no compression hook (or, by hand, one tensor at a time) where communication is a large part of the step.',
  docs: {
    what:
      'Flags a DDP / FSDP / Horovod / Accelerate wrapper with no `register_comm_hook` (PowerSGD, fp16/bf16 compression) and no `compression=hvd.Compression.fp16`, when the gradients exceed `tc603.minGradientMiB` and the sync takes at least `tc603.ratio` of the step\'s compute at the configured world size. Also flags a hand-written `dist.all_reduce(p.grad)` inside a loop over parameters: each tensor is one message, and each message pays the ring latency 2(D−1)·α that DDP\'s 25 MiB buckets pay once per bucket.',
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
      const half = e.gradDtype === 'fp32' ? 'bf16 compression would halve the bandwidth term' : 'PowerSGD would cut the bytes by the rank ratio';
      out.push({
        code: 'TC603',
        severity: 'information',
        range: e.sync.range,
        message: `${gradText(e)} synchronised uncompressed: ${syncText(e, at)} is ${percentText(at.ratio)} of the step's compute; ${half} (to ≈ ${timeText(at.bandwidthSeconds / 2)}), PowerSGD by far more`,
      });
    }
    return out;
  },
};
