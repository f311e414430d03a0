/**
 * The rules run again on the shapes a calling context gives (SPEC §7, docs/whole-program.md).
 *
 * A file's own pass (`runRules` in analyze.ts) sees each op with the shapes its function has on
 * its own: a parameter's batch is a symbol there, and `nn.Linear(4096, 4096)` fed by
 * `DataLoader(..., batch_size=4)` in the training script never looks thin. `withContexts`
 * completes such ops with the figures of the entry points that ran them; this module then runs
 * the rules that read op shapes and figures over those ops (and over ops only a context recorded,
 * such as the matmuls of q, k and v split from a projection whose width is the caller's), with the
 * context's shapes, dtype, figures and call count:
 *
 * - a finding sits at the op's range in its own file, and its message names the context
 *   ("in train.py:42 main");
 * - an op whose own figures already fired a rule gets no second finding of that code, unless the
 *   own finding waits for the sizes (`Finding.unsized`): the context's, with them, replaces it;
 * - TC303's own finding is dropped where every context that runs its ops enables TF32 or
 *   autocast (the training script fixes what the model file alone would not).
 *
 * Per rule and per context op, what the check concluded is remembered while the op's context
 * figures are the same objects (they are, while the context index and the bindings are), so a
 * keystroke elsewhere redoes nothing here.
 */
import { CostFigures } from '../core/cost/evaluate';
import { ContextOp, FileIR, Finding, FunctionSummary, Range, TensorOp } from '../core/ir';
import { RULES } from '../core/rules/registry';
import { configured, enabled, thresholdOf } from '../core/rules/run';
import { OpContextInfo, RuleContext } from '../core/rules/types';
import { contains, sameRange } from '../core/rules/util';
import type { Analysis } from './analyze';

/** The context an op's rules read: one variant of the index, its figures and how often it ran. */
export interface ChosenContext {
  v: ContextOp;
  figures: CostFigures;
  bindings: Map<string, number>;
  calls: number;
}

/**
 * Rules whose findings follow from op shapes and figures. The others read file-level facts only
 * (loss scaling, distributed setup, loop syntax): their own pass says all they have to say.
 */
const SHAPE_RULES = new Set(['TC101', 'TC102', 'TC103', 'TC201', 'TC202', 'TC302', 'TC303', 'TC402', 'TC501']);

/** What a rule's check concluded for one op as run, for one key and figures. */
interface Checked {
  key: string;
  figures: CostFigures;
  value: Finding | null;
}

/**
 * An op as run (`asRun`, `contextOnlyOp`) and what each rule's check concluded for it, by rule
 * (`ruleSlot`): kept with the op rather than in a weak map per rule, where every op of a first
 * analysis was an insertion into each rule's table.
 */
interface AsRun {
  value: TensorOp;
  checked: (Checked | undefined)[];
}

/** An op as its context ran it: the same op (name, range, function) with the context's figures. */
const AS_RUN = new WeakMap<ContextOp, AsRun & { op: TensorOp }>();
/** Rule codes by the slot of `AsRun.checked` that holds their conclusions. */
const RULE_SLOTS = new Map<string, number>();

function ruleSlot(code: string): number {
  let k = RULE_SLOTS.get(code);
  if (k === undefined) RULE_SLOTS.set(code, (k = RULE_SLOTS.size));
  return k;
}

function asRun(op: TensorOp, v: ContextOp): AsRun {
  const hit = AS_RUN.get(v);
  if (hit && hit.op === op) return hit;
  const value: TensorOp = { ...op, inputs: v.inputs, output: v.output, dtype: v.dtype, cost: v.cost, attrs: v.attrs ?? op.attrs, repeat: v.repeat };
  const made = { op, value, checked: [] };
  AS_RUN.set(v, made);
  return made;
}

const ONLY = new WeakMap<ContextOp, AsRun & { function: string | null }>();

/** An op recorded only in a context, placed in the innermost function of this file around it. */
function contextOnlyOp(v: ContextOp, functions: readonly FunctionSummary[]): AsRun {
  let fn: FunctionSummary | undefined;
  for (const f of functions) if (contains(f.range, v.range) && (!fn || contains(fn.range, f.range))) fn = f;
  const name = fn?.name ?? null;
  const hit = ONLY.get(v);
  if (hit && hit.function === name) return hit;
  const value: TensorOp = { kind: v.kind, name: v.name ?? v.kind, range: v.range, function: name, inputs: v.inputs, output: v.output, dtype: v.dtype, cost: v.cost, attrs: v.attrs ?? {}, repeat: v.repeat };
  const made = { function: name, value, checked: [] };
  ONLY.set(v, made);
  return made;
}

/** "in train.py:42 main" ("at the top level of" for a script's own statements). */
export function contextLabel(info: OpContextInfo): string {
  const file = info.ref.path.slice(info.ref.path.lastIndexOf('/') + 1);
  return `in ${file}:${info.ref.line + 1} ${info.ref.function}`;
}

/**
 * `a.findings` with what the calling contexts add and remove. `figures` are the completed
 * figures (`withContexts`), `chosen[i]` the context of op i where one ran it, `only` the ops a
 * context ran that the file's own analysis did not record, and `variants` every context recorded
 * for an op.
 */
export function contextFindings(a: Analysis, figures: CostFigures[], chosen: (ChosenContext | undefined)[], only: readonly ChosenContext[], variants: (op: TensorOp) => readonly ContextOp[]): Finding[] {
  // Per op with a context, its `AsRun` record (the memo of the checks); undefined for the others.
  const runs: (AsRun | undefined)[] = new Array(a.ir.ops.length);
  const ops = a.ir.ops.map((op, i) => {
    if (!chosen[i]) return op;
    const r = (runs[i] = asRun(op, chosen[i]!.v));
    return r.value;
  });
  const figs = figures.map((f, i) => chosen[i]?.figures ?? f);
  // Ops only a context recorded join the list after the file's own (the rules find ops by range).
  if (only.length) {
    chosen = chosen.slice();
    for (const c of only) {
      chosen[ops.length] = c;
      const r = contextOnlyOp(c.v, a.ir.functions);
      runs[ops.length] = r;
      ops.push(r.value);
      figs.push(c.figures);
    }
  }
  const info = new Map<TensorOp, OpContextInfo>();
  // One pass per set of bindings (the user's, or those a context's own asserts state).
  const groups = new Map<Map<string, number>, number[]>();
  chosen.forEach((c, i) => {
    if (!c) return;
    info.set(ops[i], { ref: c.v.context, calls: c.calls, tf32: !!c.v.tf32 });
    const g = groups.get(c.bindings) ?? [];
    g.push(i);
    groups.set(c.bindings, g);
  });
  const ir: FileIR = { ...a.ir, ops, segments: undefined };
  const own = a.findings;
  const at = (f: Finding) => `${f.code}\0${f.range.start.line}:${f.range.start.character}`;
  // An own finding without figures (`Finding.unsized`) gives way to a context's that has them.
  const ownAt = new Set(own.filter((f) => !f.unsized).map(at));
  const replaced = new Set<string>();
  const ownTC303 = new Set(own.filter((f) => f.code === 'TC303').map((f) => f.data?.function));
  const extra: Finding[] = [];
  const said = new Set<string>();
  for (const [bindings, members] of groups) {
    const mine = members.map((i) => ops[i]);
    // The first of the group's ops at each range: a file of many models has thousands of ops in
    // a group and hundreds of findings, and a scan of the ops per finding was most of this pass.
    const mineAt = new Map<string, number>();
    mine.forEach((o, k) => {
      const key = rangeKey(o.range);
      if (!mineAt.has(key)) mineAt.set(key, k);
    });
    const ctx: RuleContext = {
      ir,
      device: a.device,
      settings: a.settings,
      bindings,
      figures: figs,
      threshold: (key) => thresholdOf(a.settings, key),
      context: (op) => info.get(op),
      opFindings: (code, key, check) => {
        const slot = ruleSlot(code);
        const out: Finding[] = [];
        for (const i of members) {
          // Every member has a context, and so a record (`runs`).
          const checked = runs[i]!.checked;
          const hit = checked[slot];
          let found: Finding | null;
          if (hit && hit.key === key && hit.figures === figs[i]) found = hit.value;
          else checked[slot] = { key, figures: figs[i], value: (found = check(ops[i], figs[i])) };
          if (found) out.push(found);
        }
        return out;
      },
    };
    for (const rule of RULES) {
      if (!rule.check || !SHAPE_RULES.has(rule.code) || !enabled(rule.code, a.settings)) continue;
      let found: Finding[];
      try {
        found = rule.check(ctx);
      } catch {
        // The own pass reports a failing rule; a second report would say nothing new.
        continue;
      }
      for (const f of found) {
        // Only what an op completed by this context made: the rest the own pass said already.
        if (ownAt.has(at(f)) || (f.unsized && own.some((o) => o.unsized && at(o) === at(f)))) continue;
        let k = mineAt.get(rangeKey(f.range));
        // Else the first of the group's ops at one of the finding's related ranges.
        if (k === undefined) {
          for (const r of f.related ?? []) {
            const at = mineAt.get(rangeKey(r.range));
            if (at !== undefined && (k === undefined || at < k)) k = at;
          }
        }
        if (k === undefined) continue;
        const op = mine[k];
        if (f.code === 'TC303' && ownTC303.has(f.data?.function)) continue;
        const message = `${f.message} (${contextLabel(info.get(op)!)})`;
        // Ops that share a call (nn.MultiheadAttention's projections) say the same thing once.
        const once = `${f.code}\0${message}\0${rangeKey(f.range)}`;
        if (said.has(once)) continue;
        said.add(once);
        if (!f.unsized) replaced.add(at(f));
        extra.push({ ...f, message });
      }
    }
  }
  const kept = own.filter((f) => !(f.unsized && replaced.has(at(f))) && !(f.code === 'TC303' && fixedByEntryPoints(f, a.ir.ops, variants)));
  if (extra.length === 0 && kept.length === own.length) return own;
  return kept.concat(configured(extra, a.ir, a.settings));
}

/** A range as a key: equal keys for ranges `sameRange` says are the same. */
function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}`;
}

/**
 * A TC303 finding of the file's own pass whose every GEMM runs, in every context that runs it, in
 * a 16-bit autocast dtype or with TF32 switched on: the entry point already does what it asks.
 */
function fixedByEntryPoints(f: Finding, ops: readonly TensorOp[], variants: (op: TensorOp) => readonly ContextOp[]): boolean {
  const ranges = (f.data?.ops as Range[] | undefined) ?? [f.range];
  return ranges.every((r) => {
    const op = ops.find((o) => sameRange(o.range, r));
    const vs = op ? variants(op) : [];
    return vs.length > 0 && vs.every((v) => v.dtype !== 'fp32' || !!v.tf32);
  });
}
