/**
 * Syntactic facts about distributed training, for TC601–TC603 and the scaling table of the hover.
 * Keys written into `FileIR.signals` (all prefixed `dist.`):
 *
 * - `dist.sync` (DistSync): where gradients get synchronised: DDP / FSDP wrappers, Horovod's
 *   DistributedOptimizer, Accelerate's `prepare`, DeepSpeed's `initialize`, or a hand-written
 *   `dist.all_reduce` (with whether it runs once per parameter inside a loop, i.e. unbucketed);
 * - `dist.compression` (DistCompression): `register_comm_hook` hooks (PowerSGD, fp16/bf16
 *   compression) and Horovod's `compression=hvd.Compression.fp16`;
 * - `dist.scaling` (DistScaling): learning rate or batch size multiplied by the world size;
 * - `dist.tensorParallel`, `dist.pipeline` (DistSite): Megatron-style parallel layers and
 *   pipeline schedules;
 * - `dist.params` (ClassParams): trainable parameters per class (distributedParams.ts);
 * - `dist.autocast` (DistDtype) and `dist.paramDtype` (DistDtype): the compute dtype of autocast
 *   regions and a model cast to half precision (then gradients are 2 bytes, not 4).
 */
import { ClassParams, DistCompression, DistDtype, DistScaling, DistSite, DistSync, SyncKind } from '../../core/comm/signals';
import { Range } from '../../core/ir';
import { parseDType } from '../../core/dtypes';
import { countClassParams } from './distributedParams';
import { decideAutocastText } from './autocast';
import type { Node } from './parser';
import { descendantAt, topLevel } from './module';
import { textCache } from './textCaches';

const WRAPPERS: Record<string, SyncKind> = {
  DistributedDataParallel: 'ddp',
  DDP: 'ddp',
  FullyShardedDataParallel: 'fsdp',
  FSDP: 'fsdp',
  fully_shard: 'fsdp',
  DistributedOptimizer: 'horovod',
};
const TENSOR_PARALLEL = /^(ColumnParallelLinear|RowParallelLinear|VocabParallelEmbedding|parallelize_module|ColwiseParallel|RowwiseParallel)$/;
const PIPELINE = /^(Pipe|GPipe|PipelineStage|PipelineModule|ScheduleGPipe|Schedule1F1B|ScheduleInterleaved1F1B|pipeline)$/;
const WORLD_NAME = /^(world_size|ddp_world_size|num_gpus|n_gpus|ngpus|num_processes|nprocs|num_replicas|gpus|num_workers_total)$/i;
const WORLD_CALL = /(get_world_size|\bhvd\.size|xrt_world_size|process_count|world_size)\s*\(\s*\)$/;
const LR_NAME = /(^|_)(lr|learning_rate|base_lr|max_lr|peak_lr)$/i;
const BATCH_NAME = /(^|_)(batch_size|bs|global_batch|batch|total_batch_size|train_batch_size)$/i;

/** Files that mention none of these do no distributed training: the pass returns at once. */
const GATE = /DistributedDataParallel|DDP|Accelerator|FSDP|fully_shard|all_?reduce|hvd|horovod|accelerator|deepspeed|world_size|comm_hook|ParallelLinear|Pipe|pipelin|parallelize_module|num_processes|ParallelEmbedding/;
const CALL_HINT = /\b(DistributedDataParallel|DDP|FullyShardedDataParallel|FSDP|fully_shard|DistributedOptimizer|prepare|initialize|all_reduce|allreduce_?|all_reduce_coalesced|register_comm_hook|DistributedDataParallelKwargs|Accelerator|ColumnParallelLinear|RowParallelLinear|VocabParallelEmbedding|parallelize_module|ColwiseParallel|RowwiseParallel|Pipe|GPipe|PipelineStage|PipelineModule|ScheduleGPipe|Schedule1F1B|ScheduleInterleaved1F1B|pipeline|autocast|half|bfloat16|to)\s*\(/g;
const WORLD_HINT = /\b(?:world_size|ddp_world_size|num_gpus|n_gpus|ngpus|num_processes|nprocs|num_replicas|gpus|num_workers_total|get_world_size|xrt_world_size|process_count)\b|\bhvd\.size\b/gi;

/** The user class a variable was built from: `model = GPT(config)` → 'GPT'. */
function constructedClass(text: string, variable: string): string | undefined {
  const esc = variable.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`^[ \\t]*${esc}[ \\t]*=[ \\t]*([A-Za-z_]\\w*)[ \\t]*\\(`, 'm').exec(text);
  return m?.[1];
}

function rangeOf(n: Node): Range {
  return { start: { line: n.startPosition.row, character: n.startPosition.column }, end: { line: n.endPosition.row, character: n.endPosition.column } };
}

function lastName(n: Node | null): string {
  return n?.text.split('.').pop()?.trim() ?? '';
}

function kwarg(call: Node, name: string): Node | null {
  for (const a of call.childForFieldName('arguments')?.namedChildren ?? []) {
    if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value');
  }
  return null;
}

function firstArg(call: Node): Node | null {
  return call.childForFieldName('arguments')?.namedChildren.find((a) => a && a.type !== 'keyword_argument') ?? null;
}

function literalNumber(n: Node | null): number | undefined {
  if (n?.type !== 'integer' && n?.type !== 'float') return undefined;
  const v = Number(n.text.replace(/_/g, ''));
  return Number.isFinite(v) ? v : undefined;
}

function inLoop(n: Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'for_statement' || p.type === 'list_comprehension' || p.type === 'generator_expression') return true;
    if (p.type === 'function_definition') return false;
  }
  return false;
}

/** `model`, `model.to(device)`, `model.cuda()` → 'model'. */
function rootIdentifier(n: Node | null): string | undefined {
  let cur = n;
  while (cur && cur.type !== 'identifier') {
    if (cur.type === 'call') cur = cur.childForFieldName('function');
    else if (cur.type === 'attribute') cur = cur.childForFieldName('object');
    else return undefined;
  }
  return cur?.text;
}

function isWorldSize(n: Node | null): boolean {
  if (!n) return false;
  if (n.type === 'identifier') return WORLD_NAME.test(n.text);
  if (n.type === 'attribute') return WORLD_NAME.test(n.childForFieldName('attribute')?.text ?? '');
  if (n.type === 'call') return WORLD_CALL.test(n.text.replace(/\s+/g, ''));
  if (n.type === 'parenthesized_expression') return isWorldSize(n.namedChild(0));
  return false;
}

/** The name a value is given: the assignment target or the keyword it is passed as. */
function targetName(n: Node): string | undefined {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'assignment' || p.type === 'augmented_assignment') return lastName(p.childForFieldName('left'));
    if (p.type === 'keyword_argument') return p.childForFieldName('name')?.text;
    if (p.type === 'pair') return p.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
    if (p.type === 'expression_statement' || p.type === 'block') return undefined;
  }
  return undefined;
}

/** `parser.add_argument("--scale_lr", action="store_true", ...)`: the flags, `dest=` and the rest. */
const ADD_ARGUMENT = /add_argument\(\s*((?:(['"])-[^'"]*\2\s*,\s*)+)([^)]*)\)/g;

/**
 * The boolean options of the file's argparse parsers that a default run leaves False:
 * destination → the long flag as written. `store_true` without a default is False unless given;
 * `store_false` is True unless given (its opposite is opt-in, read by `optInFlag`).
 */
function booleanOptions(text: string): Map<string, { flag: string; dflt: boolean }> {
  const out = new Map<string, { flag: string; dflt: boolean }>();
  if (!/store_(true|false)/.test(text)) return out;
  for (const m of text.matchAll(ADD_ARGUMENT)) {
    const rest = m[3];
    const action = /action\s*=\s*['"](store_true|store_false)['"]/.exec(rest)?.[1];
    if (!action) continue;
    const given = /\bdefault\s*=\s*(True|False)\b/.exec(rest)?.[1];
    if (/\bdefault\s*=/.test(rest) && !given) continue;
    const flags = [...m[1].matchAll(/(['"])(-[^'"]*)\1/g)].map((f) => f[2]);
    const flag = flags.find((f) => f.startsWith('--')) ?? flags[0];
    const dest = /\bdest\s*=\s*['"](\w+)['"]/.exec(rest)?.[1] ?? flag.replace(/^-+/, '').replace(/-/g, '_');
    out.set(dest, { flag, dflt: given ? given === 'True' : action === 'store_false' });
  }
  return out;
}

/**
 * The flag a site waits for: the innermost `if` around it tests a boolean option (`args.scale_lr`,
 * `self.args.scale_lr`, `not args.no_scaling`) whose default sends the run to the other branch.
 * Such code runs only when the user asks for it on the command line, so a finding there says so.
 */
function optInFlag(n: Node, text: string): string | undefined {
  let child: Node = n;
  for (let p = n.parent; p; child = p, p = p.parent) {
    if (p.type === 'function_definition' || p.type === 'class_definition' || p.type === 'module') return undefined;
    if (p.type !== 'if_statement') continue;
    const inElse = child.type === 'else_clause';
    if (!inElse && child.id !== p.childForFieldName('consequence')?.id) continue;
    let cond = p.childForFieldName('condition');
    let negated = false;
    while (cond?.type === 'not_operator' || cond?.type === 'parenthesized_expression') {
      if (cond.type === 'not_operator') negated = !negated;
      cond = cond.type === 'not_operator' ? cond.childForFieldName('argument') : cond.namedChild(0);
    }
    const option = cond?.type === 'attribute' ? booleanOptions(text).get(cond.childForFieldName('attribute')?.text ?? '') : undefined;
    // The branch holding the site runs by default when the condition's default value selects it;
    // an `if` that is no such test, or whose branch runs by default, leaves it to the `if`s outside.
    if (option && (option.dflt !== negated) === inElse) return option.flag;
  }
  return undefined;
}

/** Whether a statement's text mentions anything distributed, by text (bounded; texts are detached). */
const GATED = textCache<string, boolean>();

function mentionsDistributed(texts: readonly string[]): boolean {
  if (GATED.size > 20_000) GATED.clear();
  let any = false;
  for (const t of texts) {
    let g = GATED.get(t);
    if (g === undefined) GATED.set(t, (g = GATE.test(t)));
    any ||= g;
  }
  return any;
}

/**
 * `texts`, when given, are the top-level statements' texts (document.ts's, detached): the gate
 * is then decided per statement and remembered, instead of a regex over the whole file per
 * keystroke.
 */
export function collectDistributedSignals(module: Node | readonly Node[], text: string, texts?: readonly string[], countParams?: () => ClassParams[]): Record<string, unknown[]> {
  const statements = topLevel(module);
  const sync: DistSync[] = [];
  const compression: DistCompression[] = [];
  const scaling: DistScaling[] = [];
  const tensorParallel: DistSite[] = [];
  const pipeline: DistSite[] = [];
  const autocast: DistDtype[] = [];
  const casts: { model: string; dtype: string; range: Range }[] = [];
  const visit = (n: Node) => {
    if (n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '*') {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      if (isWorldSize(l) || isWorldSize(r)) {
        const t = targetName(n);
        const other = isWorldSize(l) ? r : l;
        const target = t && LR_NAME.test(t) ? 'lr' : t && BATCH_NAME.test(t) ? 'batch' : other && LR_NAME.test(lastName(other)) ? 'lr' : other && BATCH_NAME.test(lastName(other)) ? 'batch' : undefined;
        if (target) {
          const flag = optInFlag(n, text);
          scaling.push({ target, text: n.text, range: rangeOf(n), ...(flag ? { optIn: flag } : {}) });
        }
      }
    }
    if (n.type === 'call') visitCall(n);
  };
  const visitCall = (n: Node) => {
    const fn = n.childForFieldName('function');
    const name = lastName(fn);
    const full = fn?.text.replace(/\s+/g, '') ?? '';
    const range = rangeOf(n);
    const wrapper = WRAPPERS[name];
    if (wrapper && (wrapper !== 'horovod' || /hvd|horovod/.test(full))) {
      const model = wrapper === 'horovod' ? undefined : rootIdentifier(firstArg(n) ?? kwarg(n, 'module'));
      const mb = literalNumber(kwarg(n, 'bucket_cap_mb'));
      sync.push({ kind: wrapper, name: full, range, model, bucketBytes: mb !== undefined ? mb * 1024 * 1024 : undefined });
      const comp = kwarg(n, 'compression');
      if (comp && /fp16|bf16/i.test(comp.text)) compression.push({ kind: /bf16/i.test(comp.text) ? 'bf16' : 'fp16', name: comp.text, range: rangeOf(comp) });
      // FSDP reduce-scatters gradients in `MixedPrecision(reduce_dtype=...)`, given inline or as a variable.
      const mp = wrapper === 'fsdp' ? kwarg(n, 'mixed_precision') : null;
      const reduce = mp && /reduce_dtype\s*=\s*torch\.(bfloat16|float16|half)\b/.exec(mp.type === 'identifier' ? text : mp.text);
      if (mp && reduce) compression.push({ kind: reduce[1] === 'bfloat16' ? 'bf16' : 'fp16', name: mp.text, range: rangeOf(mp) });
    } else if (name === 'DistributedDataParallelKwargs' && kwarg(n, 'comm_hook')) {
      // Accelerate's DDP comm hook: `comm_hook=DDPCommunicationHookType.BF16` (FP16, POWER_SGD, BATCHED_POWER_SGD).
      const hook = kwarg(n, 'comm_hook')!.text;
      const kind = /POWER_SGD/i.test(hook) ? 'powersgd' : /BF16/i.test(hook) ? 'bf16' : /FP16/i.test(hook) ? 'fp16' : /NO\b/.test(hook) ? undefined : 'custom';
      if (kind) compression.push({ kind, name: hook, range });
    } else if (name === 'prepare' && (/accelerator/i.test(full) || /\bAccelerator\s*\(/.test(text))) {
      sync.push({ kind: 'accelerate', name: full, range, model: rootIdentifier(firstArg(n)) });
    } else if (name === 'initialize' && /deepspeed/.test(full)) {
      sync.push({ kind: 'deepspeed', name: full, range, model: rootIdentifier(kwarg(n, 'model') ?? firstArg(n)) });
    } else if (/^(all_reduce|allreduce|allreduce_|all_reduce_coalesced)$/.test(name) && /(^|\.)(dist|distributed|hvd|horovod)\./.test(full + '.')) {
      const a = firstArg(n);
      const loop = inLoop(n);
      // A flattened buffer built from `.grad`s in the same function is a gradient sync too.
      let scope: Node | null = n.parent;
      while (scope && scope.type !== 'function_definition' && scope.type !== 'module') scope = scope.parent;
      const onGradients = /grad/.test(a?.text ?? '') || /\.grad\b/.test(scope?.text ?? '');
      sync.push({ kind: 'all_reduce', name: full, range, perTensor: loop, onGradients });
    } else if (name === 'register_comm_hook') {
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a);
      const hook = (kwarg(n, 'hook') ?? args[1] ?? args[0])?.text ?? '';
      const kind = /powerSGD|power_sgd|PowerSGD/i.test(hook) ? 'powersgd' : /bf16/i.test(hook) ? 'bf16' : /fp16/i.test(hook) ? 'fp16' : 'custom';
      compression.push({ kind, name: hook, range });
    } else if (TENSOR_PARALLEL.test(name)) {
      tensorParallel.push({ name: full, range });
    } else if (PIPELINE.test(name) && (name !== 'pipeline' || /pipelining/.test(full))) {
      pipeline.push({ name: full, range, microBatches: literalNumber(kwarg(n, 'chunks') ?? kwarg(n, 'n_microbatches')), stages: literalNumber(kwarg(n, 'num_stages')) });
    } else if (name === 'Accelerator' && kwarg(n, 'mixed_precision')) {
      // `Accelerator(mixed_precision="bf16")` runs the forward under autocast in that dtype.
      const mp = /^['"](bf16|fp16)['"]$/.exec(kwarg(n, 'mixed_precision')!.text);
      if (mp) autocast.push({ dtype: mp[1], range });
    } else if (name === 'autocast') {
      // The one decision of autocast's dtype (autocast.ts): `torch.autocast("cuda")` is fp16 here
      // as everywhere; the interpreter's decision replaces this one where it ran (signalsPrecision.ts).
      const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((a): a is Node => !!a && a.type !== 'comment');
      const keywords = new Map<string, string>();
      for (const a of args) if (a.type === 'keyword_argument') keywords.set(a.childForFieldName('name')?.text ?? '', a.childForFieldName('value')?.text ?? '');
      const d = decideAutocastText(full, keywords, args.filter((a) => a.type !== 'keyword_argument').map((a) => a.text));
      if (d?.on) autocast.push({ dtype: d.dtype ?? d.likely, range });
    } else if (fn?.type === 'attribute' && /^(half|bfloat16|to)$/.test(name)) {
      const model = rootIdentifier(fn.childForFieldName('object'));
      const args = n.childForFieldName('arguments')?.namedChildren ?? [];
      const d = name === 'half' ? 'fp16' : name === 'bfloat16' ? 'bf16' : args.map((a) => parseDType((a?.type === 'keyword_argument' ? a.childForFieldName('value') : a)?.text ?? '')).find((x) => x);
      if (model && (d === 'fp16' || d === 'bf16')) casts.push({ model, dtype: d, range });
      // `model = Net().to(rank).to(torch.bfloat16)`: the cast holds for the variable it is assigned to.
      const target = n.parent?.type === 'assignment' && n.parent.childForFieldName('right')?.id === n.id ? n.parent.childForFieldName('left') : null;
      if (target?.type === 'identifier' && target.text !== model && (d === 'fp16' || d === 'bf16')) casts.push({ model: target.text, dtype: d, range });
    }
  };
  // Only nodes at a keyword the text mentions are looked at: walking every node of a 10,000-line
  // file through web-tree-sitter costs hundreds of milliseconds, a regex over the text does not.
  // No recursion either, so deeply nested code cannot overflow the stack (ARCHITECTURE.md, invariants).
  if (!(texts ? mentionsDistributed(texts) : GATE.test(text))) return {};
  const seen = new Set<number>();
  const at = (index: number, accept: (n: Node) => boolean, levels: number) => {
    let n: Node | null = descendantAt(statements, index);
    for (let i = 0; n && i < levels; i++, n = n.parent) {
      if (!accept(n)) continue;
      if (!seen.has(n.id)) {
        seen.add(n.id);
        visit(n);
      }
      return;
    }
  };
  for (const m of text.matchAll(CALL_HINT)) at(m.index!, (n) => n.type === 'call' && lastName(n.childForFieldName('function')) === m[1], 4);
  for (const m of text.matchAll(WORLD_HINT)) at(m.index!, (n) => n.type === 'binary_operator' && n.childForFieldName('operator')?.text === '*', 5);
  for (const s of sync) if (s.model) s.modelClass = constructedClass(text, s.model);
  const models = new Set(sync.map((s) => s.model).filter((m): m is string => !!m));
  const paramDtype: DistDtype[] = casts.filter((c) => models.has(c.model)).map(({ dtype, range }) => ({ dtype, range }));
  const out: Record<string, unknown[]> = {};
  const put = (k: string, v: unknown[]) => {
    if (v.length) out[k] = v;
  };
  put('dist.sync', sync);
  put('dist.compression', compression);
  put('dist.scaling', scaling);
  put('dist.tensorParallel', tensorParallel);
  put('dist.pipeline', pipeline);
  put('dist.autocast', autocast);
  put('dist.paramDtype', paramDtype);
  // Parameter counts are only worth their pass when something trains in a distributed way.
  if (sync.length || scaling.length) put('dist.params', countParams ? countParams() : countClassParams(statements));
  return out;
}
