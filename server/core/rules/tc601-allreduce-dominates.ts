import { DistEstimate, distThreshold, estimateDistributed } from '../comm/estimate';
import { computeText, gradText, syncText } from '../comm/text';
import { bytesText, percentText, timeText } from '../format';
import { Finding } from '../ir';
import { Settings } from '../settings';
import { Rule } from './types';

export const rule: Rule = {
  code: 'TC601',
  name: 'allreduce-dominates',
  defaultSeverity: 'warning',
  summary: 'The estimated gradient all-reduce per step takes longer than the step computes, at the configured world size.',
  docs: {
    what:
      'Estimates, for data-parallel training (DDP, FSDP, Horovod, Accelerate, DeepSpeed or a hand-written `dist.all_reduce` of gradients), the time to synchronise one step\'s gradients at the configured world size D (`tensorcost.worldSize`, `--world-size`, or a `world_size` dim) over the configured interconnect, and flags the wrapper when it exceeds the compute of one step.\n\n' +
      'The step is the model call as the engine ran it: the batch is whatever feeds the model (a DataLoader\'s `batch_size=`, an argparse default, a config field, the shape of the step\'s tensors), per rank, so a script that trains on `batch_size // world_size` is costed on that. The world size is one value whatever the code calls it (`dist.get_world_size()`, `hvd.size()`, `accelerator.num_processes`, `int(os.environ["WORLD_SIZE"])`, a variable or config field holding one); a launch that gives it as a constant (`dist.init_process_group(world_size=4)`, `mp.spawn(train, nprocs=args.gpus)` with an argparse default) sets D unless the setting does; where the code only reads it at run time, D is the setting. The message says which. Gradient accumulation (a loop that runs backward but not the optimizer step, as nanoGPT\'s micro-steps) counts its micro-batches into the compute per sync. Syncs under `dist.minSyncMs` per step are not reported. A model defined in another file is counted as the engine built it.\n\n' +
      'Where nothing gives the world size (the code only reads it at run time, as `dist.get_world_size()` under torchrun, and neither the setting nor a `world_size` dim binds it), TC601–TC603 cannot estimate the sync at D = 1; instead of staying silent, TC601 says so once per file at the wrapper, at information level (or TC601\'s configured severity), naming the setting, with the sync the model would need across one node (`dist.gpusPerNode` ranks). A model whose sync stays under `dist.minSyncMs` even there gets no note.\n\n' +
      'Model: a ring all-reduce of S bytes costs t = 2(D−1)/D · S/BW + 2(D−1)·α per message (NCCL; DDP sends 25 MiB buckets, each paying the latency term); FSDP/ZeRO-3 costs two all-gathers and a reduce-scatter, 3·(D−1)/D · S/BW. S = parameters × gradient bytes (fp32 unless the model is cast to half). Compute per step = 3 × forward FLOPs at `dist.mfu` of the dtype\'s peak. Past `dist.gpusPerNode` ranks the ring crosses the inter-node network (InfiniBand NDR, 50 GB/s per GPU) even when NVLink is configured.',
    why:
      'When synchronisation takes longer than compute, adding GPUs mostly adds waiting: even perfect overlap with the backward pass cannot hide it. The source textbook calls all-reduce "O(log D)"; that is wrong for gradients. The bandwidth term 2(D−1)/D · S/BW does not shrink with D, it grows to 2·S/BW: GPT-2 124M (124,439,808 fp32 gradients, 498 MB) takes 2·7/8·498 MB / 450 GB/s = 1.94 ms on 8×H100 NVLink, and 34.8 ms on PCIe 4.0 (25 GB/s), more than the ≈ 18.5 ms a 12×1024-token bf16 step computes on an H100 at 50% MFU. Only latency terms of tree algorithms grow like log D, and they come on top.',
    example:
      '# tensorcost: dims batch_size=12\n# with --world-size 8 --interconnect pcie\nmodel = GPT(GPTConfig())\nmodel = DDP(model, device_ids=[rank])   # TC601: 36.2 ms all-reduce vs 18.5 ms compute',
    useInstead:
      'Raise the work per sync (larger per-GPU batch, gradient accumulation with `model.no_sync()`), compress gradients (`model.register_comm_hook(None, default_hooks.bf16_compress_hook)` halves S; PowerSGD far more), use a faster interconnect (NVLink), or shard with FSDP/ZeRO only where memory requires it (it moves 1.5× the bytes).',
  },
  thresholds: [
    { key: 'tc601.ratio', default: 1, description: 'Fire when all-reduce time / compute time per step exceeds this.' },
    { key: 'dist.minSyncMs', default: 1, description: 'Syncs shorter than this per step (ms) are not reported by TC601 and TC602: a toy model\'s latency-bound all-reduce of a few kilobytes is not worth a finding.' },
    { key: 'dist.mfu', default: 0.5, description: 'Fraction of the dtype\'s peak a training step achieves (model FLOPs utilisation), used by TC601–TC603 and the scaling hover.' },
    { key: 'dist.gpusPerNode', default: 8, description: 'GPUs per node: rings larger than this cross the inter-node network.' },
  ],
  check(ctx): Finding[] {
    const r = estimateDistributed(ctx.ir, ctx.device, ctx.settings, ctx.bindings);
    if (r.ok && r.estimate.ranksFrom === 'unset') return waitingForWorldSize(r.estimate, ctx.settings);
    if (!r.ok || !r.estimate.at || r.estimate.compression === null) return [];
    const e = r.estimate;
    const at = e.at!;
    if (!(at.ratio > ctx.threshold('tc601.ratio')) || at.commSeconds * 1e3 < distThreshold(ctx.settings, 'dist.minSyncMs')) return [];
    return [
      {
        code: 'TC601',
        severity: 'warning',
        range: e.sync.range,
        message: `gradient sync dominates: ${gradText(e)}, ${syncText(e, at)}, ${at.ratio.toFixed(2)}× the ${computeText(e)}; scaling efficiency ${percentText(at.efficiency)} (${percentText(at.efficiencyOverlapped)} with backward overlap)${e.ranksFrom === 'setting' ? `; D=${at.ranks} is the worldSize setting` : e.ranksAt ? `; D=${at.ranks} as the code launches it (line ${e.ranksAt})` : ''}`,
        data: { ranks: at.ranks, commSeconds: at.commSeconds, computeSeconds: e.compute.seconds, gradBytes: e.gradBytes, params: e.params },
      },
    ];
  },
};

/**
 * One note per file that trains data-parallel when nothing gives the world size (the code reads
 * it at run time and neither the setting nor a dims binding gives it): TC601–TC603 cannot estimate
 * the sync at D = 1, and silence would read as "no problem". A model whose sync stays under
 * `dist.minSyncMs` even across a full node (`dist.gpusPerNode` ranks) gets no note: it would
 * not be reported at any world size that fits in a node.
 */
function waitingForWorldSize(e: DistEstimate, settings: Settings): Finding[] {
  const node = distThreshold(settings, 'dist.gpusPerNode');
  const [row] = e.table([node]);
  if (!row || row.commSeconds * 1e3 < distThreshold(settings, 'dist.minSyncMs')) return [];
  return [
    {
      code: 'TC601',
      severity: 'information',
      range: e.sync.range,
      message: `the world size is not known before the run (no setting or dims binding gives it), so TC601–TC603 do not estimate the gradient sync; set \`tensorcost.worldSize\` (\`--world-size N\` on the CLI) or \`# tensorcost: dims world_size=N\`. At D=${row.ranks} (one node) the ${e.config.strategy === 'fsdp' ? 'FSDP collectives' : 'all-reduce'} of ${bytesText(e.gradBytes)} of ${e.gradDtype} gradients would take ≈ ${timeText(row.commSeconds)} per step`,
    },
  ];
}
