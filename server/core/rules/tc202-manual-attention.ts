import { bandwidthText, bytesText, timeText } from '../format';
import { FileIR, Finding, Range, TensorOp } from '../ir';
import { attentionFigures } from './attentionFigures';
import { capturedAt, contextLabel } from './siteOps';
import { ManualAttentionSignal, signalsOf } from './signals';
import { Rule, RuleContext } from './types';
import { deviceLabel, make } from './util';

export const rule: Rule = {
  code: 'TC202',
  name: 'manual-attention',
  defaultSeverity: 'warning',
  summary: 'softmax(QKᵀ)V written by hand where a fused attention kernel exists; the message gives the bytes it would save.',
  docs: {
    what: 'Finds attention written out as a matmul with a transposed key, optional scaling, masking and dropout, a softmax and a matmul with the values, in PyTorch, JAX or TF.js code, where `F.scaled_dot_product_attention` (or `jax.nn.dot_product_attention`) does the same in one fused kernel. A quick fix rewrites the chain as one SDPA call when the statements are consecutive. An einsum is recognised in any layout (`bhqd,bhkd->bhqk`, or `bqhd,bkhd->bhqk` on projections never transposed) and shown as written; the fix is offered only for the (..., L, d) layout SDPA takes. NumPy has no fused kernel, so NumPy code is left to TC201: advice to rewrite a NumPy program in PyTorch is not a local fix, and on the CPU NumPy runs on the saving in memory traffic is not the H100 figure this rule gives; the memory of the stored scores (TC201) applies whatever the library.',
    why:
      'The eager chain stores the B·H·L_q·L_k score matrix and passes over it several times: the scores matmul writes it, the scale, the mask, the softmax and the dropout each read and write it, and the output matmul reads it again — 10 passes for a scaled, masked, dropped-out chain. For GPT-2 small (B = 8, 12 heads, L = 1024, fp32) the matrix is 384 MiB and the chain moves ~3.75 GiB per layer, about 1.2 ms at the H100\'s 3.35 TB/s, while a fused kernel reads q, k, v and writes the output once: 96 MiB. The FLOPs are the same (4·B·H·L²·d, halved when causal for the fused kernel); the saving is memory traffic and the quadratic memory.',
    example: 'att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))\natt = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))\natt = F.softmax(att, dim=-1)\natt = self.attn_dropout(att)\ny = att @ v',
    useInstead: 'y = F.scaled_dot_product_attention(q, k, v, is_causal=True,\n                                   dropout_p=self.attn_dropout.p if self.training else 0.0)',
  },
  check(ctx) {
    const out: Finding[] = [];
    const sig = signalsOf(ctx.ir);
    for (const s of sig.manualAttention) {
      if (s.framework === 'numpy' || inDeadBranch(ctx, s)) continue;
      const f = attentionFigures(ctx, s);
      // TF.js core has no fused attention op; its WebGPU backend can run a custom fused kernel, and
      // ONNX Runtime Web has one (com.microsoft MultiHeadAttention).
      const fused = s.framework === 'torch' ? 'F.scaled_dot_product_attention' : s.framework === 'tfjs' ? 'a fused attention kernel (not in TF.js core: a custom WebGPU kernel, or ONNX Runtime Web\'s MultiHeadAttention)' : 'jax.nn.dot_product_attention';
      let figures = '';
      if (f) {
        const moved = f.passes * f.scoresBytes + (f.fusedBytes ?? 0);
        const saved = f.passes * f.scoresBytes;
        figures = `: ${f.passes} passes over the ${f.shape} ${f.dtype} scores move ${bytesText(moved)} per call where ${fused} moves ${f.fusedBytes === null ? 'only q, k, v and the output' : bytesText(f.fusedBytes)} (saves ${bytesText(saved)}, ~${timeText(saved / ctx.device.bandwidth)} at ${bandwidthText(ctx.device.bandwidth)} on ${deviceLabel(ctx.device)})${f.context ? ` (sizes from the call at ${contextLabel(f.context)})` : ''}`;
      }
      const fix = s.framework === 'torch' ? fixFor(s) : undefined;
      out.push(
        make(rule, s.softmax, `attention written by hand (${chainText(s)})${figures}`, {
          related: [
            { range: s.scores, message: 'the scores matmul writes the L×L matrix' },
            { range: s.output, message: 'the output matmul reads it back' },
          ],
          data: fix,
          ...(f ? {} : { unsized: true }),
        }),
      );
    }
    return out;
  },
};

/** The chain as the code wrote it: `softmax(q @ kᵀ) @ v`, or its einsum calls. */
export function chainText(s: ManualAttentionSignal): string {
  const scores = s.scoresText ?? `${s.q} @ ${s.k}ᵀ`;
  return s.outputText ? `softmax(${scores}) → ${s.outputText}` : `softmax(${scores}) @ ${s.v}`;
}

/**
 * nanoGPT keeps the hand-written path as the `else` of `if self.flash:`; when the engine decided
 * that branch is not taken, the interpreter recorded ops around it but none of the chain's own.
 */
export function inDeadBranch(ctx: RuleContext, s: ManualAttentionSignal): boolean {
  const at = (r: Range) => (o: { range: Range }) => o.range.start.line === r.start.line && o.range.start.character === r.start.character;
  const fn = functionAt(ctx.ir.functions, s.scores);
  if (!fn) return false;
  const ops = opsOf(ctx.ir.ops, fn.name);
  if (ops.length === 0 || ops.some(at(s.scores)) || ops.some(at(s.output))) return false;
  // The function's own analysis may stop short of the chain (an unpacking it could not follow)
  // where a calling context ran it: then it is not dead.
  const self = ctx.ir.programPath ?? ctx.ir.path;
  // Context ops by where they start (tens of thousands in a file of many models, asked for every
  // signal by two rules in two passes).
  return !(capturedAt(ctx.ir.captured, s.scores).some((o) => o.path === self) || capturedAt(ctx.ir.captured, s.output).some((o) => o.path === self));
}

/**
 * The first function (in the file's order) whose range holds `r`, remembered per functions list
 * and signal range: a file of many models has thousands of functions and hundreds of signals.
 */
const FUNCTION_AT = new WeakMap<readonly FileIR['functions'][number][], { at: Map<string, FileIR['functions'][number] | undefined>; starts: FunctionStarts }>();
export function functionAt(fns: readonly FileIR['functions'][number][], r: Range): FileIR['functions'][number] | undefined {
  let by = FUNCTION_AT.get(fns);
  if (!by) FUNCTION_AT.set(fns, (by = { at: new Map(), starts: functionStarts(fns) }));
  const key = `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
  if (!by.at.has(key)) by.at.set(key, firstHolding(fns, by.starts, r));
  return by.at.get(key);
}

/**
 * The functions' indices in the order of their starts, with the furthest end reached by each
 * prefix of that order: the functions holding a range are among those starting at or before it,
 * and the scan back stops where no earlier start reaches its end. A file of many models asked
 * `find` over thousands of functions per signal on every keystroke.
 */
interface FunctionStarts {
  order: number[];
  reach: Range['end'][];
}

const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);

function functionStarts(fns: readonly FileIR['functions'][number][]): FunctionStarts {
  const order = fns.map((_, i) => i).sort((i, j) => fns[i].range.start.line - fns[j].range.start.line || fns[i].range.start.character - fns[j].range.start.character || i - j);
  const reach: Range['end'][] = [];
  order.forEach((i, k) => reach.push(k > 0 && before(fns[i].range.end, reach[k - 1]) ? reach[k - 1] : fns[i].range.end));
  return { order, reach };
}

/** `fns.find((f) => within(r, f.range))`, through `starts`. */
function firstHolding(fns: readonly FileIR['functions'][number][], starts: FunctionStarts, r: Range): FileIR['functions'][number] | undefined {
  const { order, reach } = starts;
  // The last position whose function starts at or before r.
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (before(fns[order[mid]].range.start, r.start)) lo = mid + 1;
    else hi = mid;
  }
  let best = -1;
  for (let k = lo - 1; k >= 0 && before(r.end, reach[k]); k--) {
    const i = order[k];
    if (within(r, fns[i].range) && (best < 0 || i < best)) best = i;
  }
  return best < 0 ? undefined : fns[best];
}

/**
 * The ops of each function, grouped once per analysis (the ops array is new with each one):
 * filtering every op of the file per signal cost ~15 ms a keystroke on a file of 90 models.
 */
const OPS_BY_FUNCTION = new WeakMap<readonly TensorOp[], Map<string | null, TensorOp[]>>();

function opsOf(ops: readonly TensorOp[], name: string): TensorOp[] {
  let by = OPS_BY_FUNCTION.get(ops);
  if (!by) {
    by = new Map();
    for (const o of ops) {
      const list = by.get(o.function);
      if (list) list.push(o);
      else by.set(o.function, [o]);
    }
    OPS_BY_FUNCTION.set(ops, by);
  }
  return by.get(name) ?? [];
}

function within(r: Range, outer: Range): boolean {
  const le = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, r.start) && le(r.end, outer.end);
}

function fixFor(s: ManualAttentionSignal): Record<string, unknown> | undefined {
  if (!s.statements || !s.target) return undefined;
  const args = [s.q, s.k, s.v];
  if (s.attnMask) args.push(`attn_mask=${s.attnMask}`);
  if (s.dropout) args.push(`dropout_p=${s.dropout}`);
  if (s.causal) args.push('is_causal=True');
  if (s.scale === 'none') args.push('scale=1.0');
  else if (s.scale !== 'default') args.push(`scale=${s.scale}`);
  const call = `${s.target} = ${s.sdpaCallee}(${args.join(', ')})`;
  return { fix: 'sdpa', title: `Replace with ${s.sdpaCallee.split('.').slice(-1)[0]}(...)`, edits: [{ range: s.statements, newText: call }] };
}
