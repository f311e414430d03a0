import { distThreshold, estimateDistributed } from '../comm/estimate';
import { syncText } from '../comm/text';
import { percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Rule } from './types';

export const rule: Rule = {
  code: 'TC602',
  name: 'linear-scaling-assumption',
  defaultSeverity: 'information',
  summary: 'Code scales the learning rate or batch size linearly with the world size while communication makes scaling efficiency fall below a threshold.',
  docs: {
    what:
      'Flags a product with the world size that scales the learning rate or the batch (`lr = base_lr * world_size`, `per_device_batch * dist.get_world_size()`, `args.learning_rate * accelerator.num_processes`, `lr *= hvd.size()`) when, at the configured world size D, the estimated scaling efficiency of a step is below `tc602.minEfficiency`. The world size is recognised as a value, not by its name; a float it multiplies (at most 1, as learning rates are) is a learning rate, an int is the batch when it is the batch the model is fed per rank. Square-root scaling (`lr * math.sqrt(world_size)`) and dividing a global batch by the world size are not linear scaling and stay silent. Scaling inside a branch that only a command-line flag opens (`if args.scale_lr:` with `action="store_true"`, as fine-tuning scripts often write it) is still reported, because the flag exists to be passed, and the message begins "when `--scale_lr` is given": the default run does not scale. Efficiency is compute / step time with the gradient sync overlapped with the backward pass: step = forward + max(backward, t_sync), backward ≈ 2/3 of compute, t_sync = 2(D−1)/D · S/BW + latency per bucket (see TC601).',
    why:
      'The linear scaling rule (Goyal et al. 2017) keeps the optimisation equivalent when the global batch grows D×, but it says nothing about time: when the all-reduce does not hide behind backward, D GPUs deliver fewer than D× the samples per second, so the run takes longer than the plan and the larger global batch may not pay for itself. The message gives the speed-up actually expected. The textbook\'s "all-reduce is O(log D)" hides this: the bandwidth term 2(D−1)/D · S/BW approaches 2·S/BW and does not shrink as D grows.',
    example: 'lr = base_lr * world_size          # TC602 at D=8 on PCIe: efficiency 44%, speed-up 3.5×, not 8×\nmodel = DDP(model)',
    useInstead:
      'Budget the run with the expected speed-up, not D; raise the per-GPU batch or accumulate gradients so compute hides the sync; compress gradients (TC603); or, for large batches, use a scaling rule with warm-up (Goyal et al.) or square-root scaling with LAMB/LARS.',
  },
  thresholds: [{ key: 'tc602.minEfficiency', default: 0.8, description: 'Fire when the overlapped scaling efficiency at the configured world size is below this.' }],
  check(ctx): Finding[] {
    const r = estimateDistributed(ctx.ir, ctx.device, ctx.settings, ctx.bindings);
    if (!r.ok || !r.estimate.at || r.estimate.compression === null) return [];
    const e = r.estimate;
    const at = e.at!;
    const min = ctx.threshold('tc602.minEfficiency');
    if (!(at.efficiencyOverlapped < min) || at.commSeconds * 1e3 < distThreshold(ctx.settings, 'dist.minSyncMs')) return [];
    return e.scaling.map((s) => ({
      code: 'TC602',
      severity: 'information' as const,
      range: s.range,
      message: `${s.optIn ? `when \`${s.optIn}\` is given, ` : ''}\`${s.text}\` scales the ${s.target === 'lr' ? 'learning rate' : 'batch size'} linearly with D=${at.ranks}, but the step scales at ${percentText(at.efficiencyOverlapped)} efficiency (below ${percentText(min)}): expect ≈ ${(at.efficiencyOverlapped * at.ranks).toFixed(1)}× the throughput of one GPU, not ${at.ranks}×; ${syncText(e, at)} against ${timeText(e.compute.seconds)} of compute per step`,
      related: [{ range: e.sync.range, message: 'gradients are synchronised here' }],
    }));
  },
};
