/**
 * What the interpreter establishes about distributed training, as values rather than names
 * (SPEC §7): the world size is one symbolic dim, `world_size`, whatever the code calls it
 * (`dist.get_world_size()`, `hvd.size()`, `accelerator.num_processes`,
 * `int(os.environ["WORLD_SIZE"])`, a variable or config field holding one of those), bound to the
 * world size the code states or, where it states none, to the configured one. Two facts are
 * recorded while the code runs, for TC601–TC603 (server/core/comm/signals.ts):
 *
 * - `dist.modelCalls`: each call of a user model from a training function or top-level code,
 *   with the forward FLOPs of that one call and the batch the call is given. The batch is what
 *   feeds the model (a DataLoader's `batch_size=`, the shape of the step's tensors), so a script
 *   that trains on `batch_size // world_size` per rank shows that, not the global batch.
 * - `dist.worldScale`: a product with the world size (`lr = base_lr * world_size`,
 *   `lr *= hvd.size()`): a float scaled by it is a learning rate or another hyperparameter; an int
 *   is a count, a batch when it is the batch the model is fed (decided by the estimate).
 */
import { DistModelCall, DistWorldScale } from '../../core/comm/signals';
import { Poly, product } from '../../core/symbolic';
import type { Node } from './parser';
import { ClassInfo, Value, int, itemCounts } from './values';
import { calledFields } from './distributedParams';

/** The dim every world-size value is: settings and `# tensorcost: dims world_size=8` bind it. */
export const WORLD_SIZE_DIM = 'world_size';

export const worldSizeValue = (): Value => int(Poly.sym(WORLD_SIZE_DIM));

/** Environment variables launchers (torchrun, mpirun, SLURM) set to the number of ranks. */
const WORLD_ENV = /^(WORLD_SIZE|OMPI_COMM_WORLD_SIZE|SLURM_NTASKS|PMI_SIZE|LOCAL_WORLD_SIZE)$/;

/** `os.environ["WORLD_SIZE"]`, `os.environ.get("WORLD_SIZE", 1)`: the world size; other variables unknown. */
export function environValue(key: Value | undefined): Value | undefined {
  return key?.kind === 'str' && WORLD_ENV.test(key.value) ? worldSizeValue() : undefined;
}

/**
 * The world size a launch gives by API, not by name: `dist.init_process_group(world_size=4)`,
 * `mp.spawn(train, nprocs=4)`, `hvd.init()` has none. A constant only: `world_size=ws` with `ws`
 * read at run time says nothing new.
 */
export function launchedWorldSize(name: string, args: Value[], kwargs: Map<string, Value>): number | undefined {
  let v: Value | undefined;
  if (name === 'torch.distributed.init_process_group') v = kwargs.get('world_size');
  else if (name === 'torch.multiprocessing.spawn' || name === 'torch.multiprocessing.start_processes') v = kwargs.get('nprocs') ?? args[2];
  const n = v?.kind === 'int' ? v.value.constValue() : undefined;
  return n !== undefined && Number.isInteger(n) && n >= 1 ? n : undefined;
}

/** Whether the text reads a world size at run time (a cheap test before binding the dim). */
export function readsWorldSize(text: string): boolean {
  return /get_world_size|\bhvd\.size|num_processes|WORLD_SIZE|SLURM_NTASKS|xrt_world_size/.test(text);
}

/** Whether a value is the world size itself (not a product or quotient of it). */
export function isWorldSize(v: Value): boolean {
  return v.kind === 'int' && v.value.equals(Poly.sym(WORLD_SIZE_DIM));
}

/**
 * Trainable parameters of a model as the interpreter built it: the library layers reachable from
 * its fields (through nested modules, lists and dicts), each counted once however many fields
 * hold it, and a weight tied to another layer's (`self.wte.weight = self.lm_head.weight`) once.
 * Tensors assigned to fields count when `nn.Parameter` made them (nanoGPT's own `LayerNorm`), not
 * otherwise (buffers: `register_buffer`, a causal mask held on `self`). Used for a
 * model defined in another file, which the syntactic count of this file's classes cannot see.
 */
export function instanceParams(model: Value): { params: Poly; tensors: Poly; uncounted?: string[] } | undefined {
  const seen = new Set<object>();
  // Fields the model's classes call as modules that hold nothing countable here (a module the
  // run lost): the count is then a lower bound, named by path (`backbone`, `blocks.mlp`).
  const uncounted: string[] = [];
  const weights = new Set<object>();
  let params = Poly.ZERO;
  let tensors = Poly.ZERO;
  const walk = (v: Value, times: Poly, depth: number, path = '') => {
    if (depth > 32 || seen.has(v)) return;
    seen.add(v);
    if (v.kind === 'module') {
      let p = v.params;
      let t = 0;
      for (const k of ['weight', 'bias']) {
        const w = v.attrs?.get(k);
        if (w?.kind !== 'tensor') continue;
        if (weights.has(w) && w.type.shape) p = p.sub(product(w.type.shape));
        else t++;
        weights.add(w);
      }
      params = params.add(p.mul(times));
      tensors = tensors.add(Poly.const(t || (p.isZero() ? 0 : 1)).mul(times));
    } else if (v.kind === 'tensor') {
      if (!v.parameter || !v.type.shape || weights.has(v)) return;
      weights.add(v);
      params = params.add(product(v.type.shape).mul(times));
      tensors = tensors.add(times);
    } else if (v.kind === 'instance') {
      const at = (name: string) => (path ? `${path}.${name}` : name);
      let called = CALLED_BY_CLASS.get(v.cls);
      if (!called) CALLED_BY_CLASS.set(v.cls, (called = calledFields(v.cls.node.text)));
      for (const name of called) {
        // Called as a module but holding what the run lost: an unknown, the unknown-shaped tensor
        // an unmodelled library call gives back, or the size a constructor's parameter became when
        // its argument was lost (`Classifier(somelib.resnet50())`: `backbone` is then a dim).
        const kind = v.fields.get(name)?.kind;
        const lost = kind !== undefined && !HOLDS_MODULES.has(kind);
        if (lost && !v.cls.methods.has(name) && !uncounted.includes(at(name))) uncounted.push(at(name));
      }
      for (const [name, f] of v.fields) walk(f, times, depth + 1, at(name));
    } else if (v.kind === 'tuple') {
      const counts = itemCounts(v);
      v.items.forEach((x, i) => walk(x, times.mul(counts[i]), depth + 1, path));
    } else if (v.kind === 'dict') for (const x of v.entries.values()) walk(x, times, depth + 1, path);
  };
  walk(model, Poly.ONE, 0);
  return params.isZero() ? undefined : { params, tensors, ...(uncounted.length ? { uncounted } : {}) };
}

/** `calledFields` of a class, by the class: every model call of a training loop walks the same classes. */
const CALLED_BY_CLASS = new WeakMap<ClassInfo, readonly string[]>();

/** Kinds of value a field called as a module may hold and be counted through (or hold nothing). */
const HOLDS_MODULES = new Set<Value['kind']>(['module', 'instance', 'tuple', 'dict', 'none', 'function', 'partial', 'method', 'class', 'pymodule']);

/** The fact of one call of a user model: its class, one call's forward FLOPs, the batch it is given. */
export function modelCallFact(model: Value, cls: string, args: Value[], kwargs: Map<string, Value>, flops: Poly, range: DistModelCall['range']): DistModelCall {
  const input = [...args, ...kwargs.values()].find((a) => a.kind === 'tensor' && a.type.shape !== null && a.type.shape.length > 0);
  const fact: DistModelCall = { cls, flops, range };
  const counted = instanceParams(model);
  if (counted) Object.assign(fact, counted);
  if (input?.kind === 'tensor' && input.type.shape) {
    fact.batch = input.type.shape[0];
    // Token ids (B, T) are the tokens of the step: the dense estimate 2·N per token uses them.
    if (/^u?int/.test(input.type.dtype ?? '') && input.type.shape.length === 2) fact.tokens = input.type.shape[0].mul(input.type.shape[1]);
  }
  return fact;
}

/**
 * A loop whose body runs backward but not the optimizer step (nanoGPT's
 * `for micro_step in range(gradient_accumulation_steps)`): gradients accumulate over its trips
 * and are synchronised once (`no_sync()`, `require_backward_grad_sync`). Decided once per loop.
 */
export function isAccumulationLoop(loop: Node, seen: Map<number, boolean>): boolean {
  let yes = seen.get(loop.id);
  if (yes === undefined) {
    const body = loop.childForFieldName('body')?.text ?? '';
    yes = /\.backward\s*\(/.test(body) && !/\.step\s*\(/.test(body);
    seen.set(loop.id, yes);
  }
  return yes;
}

/** `x * world_size`, `lr *= hvd.size()`: the other operand, as the kind of value it is. */
export function worldScaleFact(l: Value, r: Value, node: Node, range: DistWorldScale['range']): DistWorldScale | undefined {
  const other = isWorldSize(l) ? r : isWorldSize(r) ? l : undefined;
  if (!other || (isWorldSize(l) && isWorldSize(r))) return undefined;
  const text = node.text.length > 80 ? `${node.text.slice(0, 77)}...` : node.text;
  if (other.kind === 'float') return { kind: 'float', text, range, ...(other.value !== null ? { value: other.value } : {}) };
  if (other.kind === 'int') return { kind: 'int', text, range, factor: other.value };
  return undefined;
}
