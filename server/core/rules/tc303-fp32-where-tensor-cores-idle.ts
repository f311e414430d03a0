import { roofline } from '../cost/evaluate';
import { flopsText, timeText } from '../format';
import { Finding } from '../ir';
import { signalsOf } from './signals';
import { Rule } from './types';
import { contains, make } from './util';

/** The least speed-up (fp32 time over the best tensor-core option's) a GEMM must gain to count. */
const MIN_GAIN = 1.5;

/** Convolutions are left out: cuDNN allows TF32 for them by default (`cudnn.allow_tf32 = True`). */
const GEMMS = new Set(['matmul', 'bmm', 'linear', 'einsum', 'sdpa']);

export const rule: Rule = {
  code: 'TC303',
  name: 'fp32-where-tensor-cores-idle',
  defaultSeverity: 'information',
  summary: 'Large fp32 GEMMs run on the SIMT units with no autocast and TF32 disabled, while tensor cores idle.',
  docs: {
    what: 'In PyTorch code, flags fp32 matmuls of at least `fp32GemmMinGflop` GFLOP that run outside any autocast region in a file that neither sets `torch.backends.cuda.matmul.allow_tf32 = True` nor `torch.set_float32_matmul_precision("high")`, on devices whose tensor cores are faster than their fp32 units. (PyTorch has defaulted `allow_tf32` for matmuls to False since 1.12.) ' +
      'Only GEMMs that the tensor cores would speed up count: one compute-bound in fp32 on the device (intensity at least the fp32 ridge, 20 FLOP/B on an H100 SXM) whose time with the best option the message names (TF32, or a 16-bit autocast, which also halves the bytes) is at most 1/1.5 of its fp32 time. A memory-bound GEMM (a batch of 32 rows through a 2048×8192 layer) waits on its bytes, which TF32 does not change; with none left the rule stays silent. ' +
      'One finding per function (or per module for top-level code): at its most expensive fp32 GEMM, with the count and the total time of the GEMMs it covers and the others as related locations. ' +
      'A model file is judged by the entry points that run it (docs/whole-program.md): where every calling context runs the GEMMs under a 16-bit autocast or after switching TF32 on (nanoGPT\'s train.py: `allow_tf32 = True` and `with ctx:` for a bf16 autocast), the rule stays silent; a context that leaves them in fp32 is named in the message. The entry file\'s switches are read above the call that starts the context; one set from a variable (`allow_tf32 = args.tf32`) counts as on, since the script leaves TF32 to its user on purpose.',
    why:
      'An H100 SXM does 66.9 TFLOP/s in fp32 on its SIMT units but 494.7 TFLOP/s in TF32 and 989.4 TFLOP/s in bf16/fp16 on its tensor cores; an A100 19.5 against 156 and 312. A 4096³ fp32 matmul (137 GFLOP) needs ≥2.05 ms on H100 in fp32 and ≥0.28 ms with TF32. TF32 keeps fp32 storage and range and rounds the multiplicands to a 10-bit mantissa, which training tolerates; autocast to bf16 also halves the bytes.',
    example: 'def project(x: Float32[Tensor, "4096 4096"], w: Float32[Tensor, "4096 4096"]):\n    return x @ w',
    useInstead: 'torch.backends.cuda.matmul.allow_tf32 = True      # or torch.set_float32_matmul_precision("high")\n\ndef project(x, w):\n    with torch.autocast("cuda", dtype=torch.bfloat16):\n        return x @ w',
  },
  thresholds: [{ key: 'fp32GemmMinGflop', default: 1, description: 'Only fp32 GEMMs of at least this many GFLOP per call (loop trips included).' }],
  check(ctx) {
    const sig = signalsOf(ctx.ir);
    if (!sig.imports.some((i) => i.module === 'torch' || i.module.startsWith('torch.'))) return [];
    const enabled = sig.tf32.find((t) => t.enabled && t.setting !== 'cudnn.allow_tf32');
    if (enabled) return [];
    const d = ctx.device;
    const tensorPeak = Math.max(d.peak.tf32 ?? 0, d.peak.bf16 ?? 0, d.peak.fp16);
    if (tensorPeak <= d.peak.fp32 * 1.5) return [];
    const minFlops = ctx.threshold('fp32GemmMinGflop') * 1e9;
    const disabled = sig.tf32.filter((t) => !t.enabled && t.setting !== 'cudnn.allow_tf32');
    // Autocast regions move with every line inserted above them: applied to the few findings,
    // not to what is remembered per op.
    const found = ctx.opFindings(rule.code, `${minFlops}|${JSON.stringify(disabled)}`, (op, f) => {
      if (!GEMMS.has(op.kind) || op.dtype !== 'fp32' || f.flops === null || f.bytes === null || f.flops < minFlops) return null;
      // The entry point that runs this op switched TF32 on before the call.
      if (ctx.context?.(op)?.tf32) return null;
      return check(op, f);
    });
    return perFunction(sig.autocast.length === 0 ? found : found.filter((f) => !sig.autocast.some((a) => contains(a.region, f.range))), disabled);

    function check(op: (typeof ctx.ir.ops)[number], f: (typeof ctx.figures)[number]): Finding | null {
      if (f.flops === null || f.bytes === null) return null;
      const onFp32 = roofline(f.flops, f.bytes, d, 'fp32');
      // A GEMM memory-bound in fp32 waits on its bytes, not on the fp32 units: TF32 saves nothing
      // there (a batch of 32 rows through a 2048×8192 layer), so it is not counted at all.
      if (onFp32.bound !== 'compute') return null;
      const fp32 = onFp32.timeSeconds;
      // V100 and T4 have neither TF32 nor bf16: fp16 autocast is their tensor-core path. The
      // 16-bit paths also halve the bytes, which is what helps a memory-bound GEMM.
      const options: { name: string; peak: number; time: number }[] = [];
      // Names only: how to switch TF32 on and why fp16 wants a GradScaler are in the rule's docs.
      if (d.peak.tf32) options.push({ name: 'TF32', peak: d.peak.tf32, time: roofline(f.flops, f.bytes, d, 'tf32').timeSeconds });
      const half = d.peak.bf16 ? 'bf16' : 'fp16';
      options.push({ name: `${half} autocast${half === 'fp16' ? ' + GradScaler' : ''}`, peak: d.peak[half] ?? d.peak.fp16, time: roofline(f.flops, f.bytes / 2, d, half).timeSeconds });
      // The best tensor-core path must save at least a third of the time (MIN_GAIN): a GEMM just
      // past the fp32 ridge gains little from TF32, though bf16 (half the bytes) may still halve it.
      const best = Math.min(...options.map((o) => o.time));
      if (fp32 / best < MIN_GAIN) return null;
      const per: PerOp = { function: op.function ?? '<module>', flops: f.flops, fp32, options: options.map((o) => ({ name: o.name, time: o.time })) };
      // Never shown: `perFunction` writes the message of the function's one finding from `data`.
      return make(rule, op.range, 'fp32 GEMM', { data: per as unknown as Record<string, unknown> });
    }
  },
};

/** What `check` concluded for one GEMM, for the finding of its function. */
interface PerOp {
  function: string;
  flops: number;
  fp32: number;
  options: { name: string; time: number }[];
}

/**
 * One finding per function (or the module's top-level code): at its most expensive fp32 GEMM,
 * with the count and the totals of all of them, and the others as related locations. The data
 * keeps the function and the ranges of the ops covered (engine/contextFindings.ts reads them).
 */
function perFunction(found: Finding[], disabled: { range: Finding['range'] }[]): Finding[] {
  const groups = new Map<string, { f: Finding; d: PerOp }[]>();
  for (const f of found) {
    const d = f.data as unknown as PerOp;
    const g = groups.get(d.function) ?? [];
    g.push({ f, d });
    groups.set(d.function, g);
  }
  const out: Finding[] = [];
  const disabledKey = disabled.length ? JSON.stringify(disabled.map((t) => t.range)) : '';
  for (const [fn, g] of groups) {
    g.sort((a, b) => b.d.fp32 - a.d.fp32);
    // The findings of unchanged ops are the same objects from one keystroke to the next
    // (`opFindings`): a group of the same ones gives the same finding, made once. A file of
    // thousands of fp32 GEMMs otherwise formatted every group's message again per keystroke.
    const hit = GROUPS.get(g[0].f);
    if (hit && hit.fn === fn && hit.disabled === disabledKey && hit.members.length === g.length && hit.members.every((m, i) => m === g[i].f)) {
      out.push(hit.value);
      continue;
    }
    const sum = (pick: (d: PerOp) => number) => g.reduce((t, x) => t + pick(x.d), 0);
    const options = g[0].d.options.map((o, i) => `${o.name} ≥${timeText(sum((d) => d.options[i].time))}`).join(', ');
    // Several: the FLOPs of each are in the related locations, the message stays one line.
    const what = g.length === 1 ? `fp32 GEMM of ${flopsText(g[0].d.flops)}` : `${g.length} fp32 GEMMs in ${fn === '<module>' ? 'top-level code' : fn}`;
    const value = make(rule, g[0].f.range, `${what}: ≥${timeText(sum((d) => d.fp32))} on fp32 units; ${options}`, {
      related: [...g.slice(1).map((x) => ({ range: x.f.range, message: `also fp32: ${flopsText(x.d.flops)}, ≥${timeText(x.d.fp32)}` })), ...disabled.map((t) => ({ range: t.range, message: 'TF32 is switched off here' }))],
      data: { function: fn, ops: g.map((x) => x.f.range) },
    });
    GROUPS.set(g[0].f, { fn, disabled: disabledKey, members: g.map((x) => x.f), value });
    out.push(value);
  }
  return out;
}

/** Per group's most expensive finding: the group's members and the finding made of them. */
const GROUPS = new WeakMap<Finding, { fn: string; disabled: string; members: Finding[]; value: Finding }>();
