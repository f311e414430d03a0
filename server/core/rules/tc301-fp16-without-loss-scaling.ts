import { Finding, FunctionSummary, Range } from '../ir';
import { AutocastSignal, CallSignal, HalfCastSignal, signalsOf } from './signals';
import { Rule } from './types';
import { contains, lineOf, make } from './util';

export const rule: Rule = {
  code: 'TC301',
  name: 'fp16-without-loss-scaling',
  defaultSeverity: 'warning',
  summary: 'fp16 autocast or a `.half()` model is trained (backward / optimizer step present) with no GradScaler or loss scale.',
  docs: {
    what: 'Flags fp16 autocast regions and models cast to fp16 (`.half()`, `.to(torch.float16)`) that train (a `backward()` or an optimizer step is reached where they run) when no enabled `GradScaler` (nor apex `amp.initialize`, nor a `loss_scale` setting, nor `Accelerator(mixed_precision="fp16")` of Accelerate) appears. The dtype is the one the interpreter decides on the values, as PyTorch would: `torch.autocast("cuda")` and `torch.cuda.amp.autocast()` default to fp16, `torch.autocast("cpu")` to bf16, `dtype=` wins, `enabled=False` is off; a dtype held in a variable, looked up in a dict (`{\'float16\': torch.float16}[dtype]`), passed as an argument or a context stored on `self.ctx` and entered in another method count as written inline. A `GradScaler(enabled=...)` counts unless the interpreter finds it disabled. One finding per cause: a context entered in several places is reported where it trains, a `.half()` on the input batch is not a second finding, and regions under `torch.no_grad()` (evaluation) never train. bf16 autocast is never flagged: bf16 has fp32\'s exponent range.',
    why:
      'fp16 has 5 exponent bits: its smallest normal number is 6.1e-5 and its smallest subnormal 6e-8. Gradients of a typical network are often smaller than that, so in fp16 they flush to zero and the weights stop learning, silently. A GradScaler multiplies the loss (by 65536 at first) before backward so the gradients land inside fp16\'s range, unscales them before the optimizer step and skips steps whose gradients overflowed (above 65504). bf16 (8 exponent bits, the range of fp32) needs no scaling. A model cast with `.half()` has fp16 gradients, which `GradScaler.unscale_` refuses ("Attempting to unscale FP16 gradients"): such a model keeps fp32 weights under fp16 autocast with a GradScaler, or moves to bf16; no GradScaler quick fix is offered for it.',
    example: 'with torch.autocast("cuda", dtype=torch.float16):\n    loss = loss_fn(model(x), y)\nloss.backward()\noptimizer.step()',
    useInstead: 'scaler = torch.amp.GradScaler("cuda")\nwith torch.autocast("cuda", dtype=torch.float16):\n    loss = loss_fn(model(x), y)\nscaler.scale(loss).backward()\nscaler.step(optimizer)\nscaler.update()\n\n# or: with torch.autocast("cuda", dtype=torch.bfloat16): ... (no scaler needed)',
  },
  check(ctx) {
    const sig = signalsOf(ctx.ir);
    if (sig.backward.length === 0 || sig.gradScaler.length > 0) return [];
    const out: Finding[] = [];
    // A GradScaler made with `enabled=False` (or a flag that is false) scales nothing.
    const off = sig.gradScalerOff[0];
    const noScaler = off ? `its GradScaler disabled (${off.text.replace(/\s+/g, ' ')}, line ${lineOf(off.range)})` : 'no GradScaler';
    const sources: { range: Range; what: string; api: AutocastSignal['api']; region?: Range; weights?: boolean }[] = [
      ...fp16Regions(sig.autocast).map((a) => ({ range: a.range, what: a.held ? `\`${a.held}\` enters fp16 autocast` : 'fp16 autocast', api: a.api, region: a.region })),
      ...fp16Models(sig.halfModel).map((h) => ({ range: h.range, what: `${h.text} (fp16 weights)`, api: 'amp' as const, weights: true })),
    ];
    for (const s of sources) {
      // The backward that trains this region: inside it, else the first one after it.
      const bw = sig.backward.find((b) => s.region && contains(s.region, b.range)) ?? sig.backward.find((b) => b.range.start.line >= s.range.start.line) ?? sig.backward[0];
      const step = sig.optimizerStep.find((o) => o.range.start.line >= bw.range.start.line) ?? sig.optimizerStep[0];
      const related = [{ range: bw.range, message: `${bw.text} runs without loss scaling: gradients below 6e-8 become 0 in fp16` }];
      if (step && !s.weights) related.push({ range: step.range, message: `${step.text} would go through scaler.step(${step.receiver}) and scaler.update()` });
      // A GradScaler refuses fp16 weights ("Attempting to unscale FP16 gradients"): fp16 weights
      // need fp32 master weights (autocast) first, so no scaler is offered for them. A disabled
      // scaler is the user's to enable: no second one is added.
      const fix = s.weights
        ? '; a GradScaler cannot unscale fp16 gradients: keep the weights in fp32 under torch.autocast(dtype=torch.float16) with a GradScaler, or use bf16 (fp32 range)'
        : '; scale the loss with a GradScaler or use bf16 (fp32 range)';
      out.push(
        make(
          rule,
          s.range,
          `${s.what} in training (backward at line ${lineOf(bw.range)}) with ${noScaler}: fp16 gradients under 6e-8 flush to zero and overflow above 65504 goes unchecked${fix}`,
          { related, data: s.weights || off ? undefined : fixFor(s.api, bw, step, sig.loops, ctx.ir.functions) },
        ),
      );
    }
    return out;
  },
};

function fixFor(api: AutocastSignal['api'], bw: CallSignal, step: CallSignal | undefined, loops: { range: Range; indent: string }[], functions: FunctionSummary[]): Record<string, unknown> | undefined {
  if (!step || !bw.receiver || !step.receiver || bw.text.replace(/\s+/g, '') !== `${bw.receiver}.backward()`) return undefined;
  const ctor = api === 'cuda.amp' ? 'torch.cuda.amp.GradScaler()' : 'torch.amp.GradScaler("cuda")';
  const title = `Add ${ctor.replace(/\(.*\)$/, '')} around backward and step`;
  // The scaler is created once, before the outermost loop around the backward (else before it).
  const outer = loops.filter((l) => contains(l.range, bw.range)).sort((a, b) => a.range.start.line - b.range.start.line)[0];
  // In a method called once per step (`Trainer.train_step`), a scaler made there would start
  // afresh every step: it belongs on self, made at the end of `__init__`.
  const method = functions.filter((f) => f.name.includes('.') && contains(f.range, bw.range)).sort((a, b) => b.range.start.line - a.range.start.line)[0];
  const init = method && !outer ? functions.find((f) => f.name === `${method.name.slice(0, method.name.lastIndexOf('.'))}.__init__`) : undefined;
  if (init && init !== method) {
    const at = { line: init.range.end.line + 1, character: 0 };
    return {
      fix: 'gradscaler',
      title,
      edits: [
        { range: { start: at, end: at }, newText: `${bw.indent}self.scaler = ${ctor}\n` },
        { range: bw.range, newText: `self.scaler.scale(${bw.receiver}).backward()` },
        { range: step.range, newText: `self.scaler.step(${step.receiver})\n${step.indent}self.scaler.update()` },
      ],
    };
  }
  const at = outer ? { line: outer.range.start.line, character: 0 } : { line: bw.statement.start.line, character: 0 };
  const indent = outer ? outer.indent : bw.indent;
  return {
    fix: 'gradscaler',
    title,
    edits: [
      { range: { start: at, end: at }, newText: `${indent}scaler = ${ctor}\n` },
      { range: bw.range, newText: `scaler.scale(${bw.receiver}).backward()` },
      { range: step.range, newText: `scaler.step(${step.receiver})\n${step.indent}scaler.update()` },
    ],
  };
}

/**
 * fp16 autocast regions that train: where the interpreter reached a region it says whether a
 * backward or an optimizer step runs with it (an fp16 evaluation helper in a training file is
 * no finding); elsewhere the file's backward stands for it. A context held in a variable or a
 * field is one cause however often it is entered: one finding, where it trains directly.
 */
function fp16Regions(all: AutocastSignal[]): AutocastSignal[] {
  const regions = all.filter((a) => a.dtype === 'fp16' && a.trained !== false);
  const byHeld = new Map<string, AutocastSignal>();
  for (const a of regions) {
    if (!a.held) continue;
    const first = byHeld.get(a.held);
    if (!first || (a.direct && !first.direct)) byHeld.set(a.held, a);
  }
  return regions.filter((a) => !a.held || byHeld.get(a.held) === a);
}

/**
 * Casts that make a model's weights fp16. A cast the interpreter found on a tensor (the input
 * batch that must match the model) is no second cause; where it could not tell model from tensor,
 * the first such cast stands for the model, once.
 */
function fp16Models(all: HalfCastSignal[]): HalfCastSignal[] {
  const models = all.filter((h) => h.target === 'module');
  if (models.length > 0) return models;
  const unknown = all.filter((h) => h.target !== 'tensor');
  return unknown.slice(0, 1);
}
