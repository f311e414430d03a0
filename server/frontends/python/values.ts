/**
 * Abstract values of the Python interpreter. Only what matters for shapes and costs is tracked:
 * tensors (shape and dtype), integers as symbolic dims, dtypes, containers, modules and user
 * classes. Everything else is `unknown`, which flows through the analysis without stopping it.
 */
import { DType } from '../../core/dtypes';
import { TensorType } from '../../core/ir';
import { Poly } from '../../core/symbolic';
import type { BuiltinCtx } from './builtins/registry';
import type { Node } from './parser';
import type { Interpreter } from './interpreter';

export type Value =
  /** `parameter`: made by `nn.Parameter(...)`, so a trainable weight of the module holding it (not a buffer). */
  | { kind: 'tensor'; type: TensorType; parameter?: true }
  | { kind: 'int'; value: Poly }
  | { kind: 'float'; value: number | null }
  /** `path`: a `pathlib.Path` (builtins/paths.ts); its text is `str(p)`. */
  | { kind: 'str'; value: string; path?: true }
  | { kind: 'bool'; value: boolean | null }
  /**
   * `name`: a config field that is None until someone sets it (`C.n_layer = None`); used as a
   * size it is the dim named after the field, for the user to bind.
   */
  | { kind: 'none'; name?: string }
  | { kind: 'dtype'; dtype: DType }
  /**
   * Tuples and lists; `repeat` means the items repeat that many times (`[Block() for _ in range(n)]`).
   * `counts`, when present, says how many times each item occurs (a list appended to in a loop
   * holds the item built in the loop body once per trip). `sequential` marks `nn.Sequential`,
   * which calling runs item after item.
   */
  | { kind: 'tuple'; items: Value[]; list?: boolean; repeat?: Poly; counts?: Poly[]; sequential?: boolean; unknownTrips?: string }
  /** `range(...)` with its trip count; `start` and `step` when they are constants. */
  | { kind: 'range'; trips: Poly; start?: number; step?: number }
  /**
   * `readAtRun`: a mapping the run reads from a file (`json.load(open("config.json"))`): what a
   * key holds only the run knows, so `cfg["d_model"]` is the dim named after the key, for the
   * user to bind, and `**cfg` may set any keyword. The text says where it comes from.
   */
  | { kind: 'dict'; entries: Map<string, Value>; readAtRun?: string }
  /** A dotted name from an import (`torch.nn.functional.linear`), resolved when called. */
  | { kind: 'ref'; path: string }
  /**
   * A library module object (`nn.Linear(768, 3072)`) with the handler that runs its forward;
   * `attrs` holds what its constructor sets that code reads (`weight`, `out_features`).
   */
  | { kind: 'module'; cls: string; call: ModuleCall; params: Poly; children?: Value[]; attrs?: Map<string, Value> }
  | { kind: 'instance'; cls: ClassInfo; fields: Map<string, Value> }
  | { kind: 'class'; cls: ClassInfo }
  /** A def or a lambda; `closure` is the scope a lambda was written in (`lambda x: m.c_fc(x)`). */
  | { kind: 'function'; def: FunctionInfo; self?: Value; closure?: Map<string, Value> }
  /**
   * `functools.partial(ResnetBlock, time_emb_dim=time_dim)`: calling it calls `target` with these
   * arguments first and these keywords, overridden by the call's own.
   */
  | { kind: 'partial'; target: Value; args: Value[]; kwargs: Map<string, Value> }
  /** A bound method of a tensor or another builtin value: `x.view`, `x.size`. */
  | { kind: 'method'; of: Value; name: string }
  /** `a:b:c` inside a subscript; absent bounds are null (`x[:, :T]`). */
  | { kind: 'slice'; start: Value | null; stop: Value | null; step: Value | null }
  /** `...` inside a subscript. */
  | { kind: 'ellipsis' }
  /**
   * A module of the program (`import model`, `from pkg import layers`): its attributes are the
   * names its file defines, then its submodules (docs/whole-program.md).
   */
  | { kind: 'pymodule'; name: string; attribute: (name: string) => Value | undefined }
  | { kind: 'unknown' };

/**
 * Runs a library module's forward. The interpreter passes the context of the frame that calls the
 * module (`self.c_attn(x)` in `forward`), so the op's cost lands in the caller's totals and report:
 * a handler must record through this `ctx`, never through one captured when the module was built
 * (that one belongs to `__init__`).
 */
export type ModuleCall = (args: Value[], kwargs: Map<string, Value>, site: CallSite, ctx?: BuiltinCtx) => Value;

/** What a builtin handler needs to record an op at the place it was called. */
export interface CallSite {
  node: Node;
  name: string;
}

export interface FunctionInfo {
  /** `Class.method` or the bare name. */
  qualName: string;
  node: Node;
  cls?: ClassInfo;
  /** Index of the top-level statement that defines it (its class, for a method). */
  chunk?: number;
  /**
   * The interpreter of the file that defines it, when that is not the file being analysed: calls
   * run there, so that its names, classes and comments are that file's.
   */
  owner?: Interpreter;
}

export interface ClassInfo {
  name: string;
  node: Node;
  bases: string[];
  methods: Map<string, FunctionInfo>;
  /** Dataclass-style fields with defaults (`n_embd: int = 768`). */
  defaults: Map<string, Value>;
  /**
   * Annotated fields (`d_model: int`, `n_layer: int = 12`) in the order they are declared: a
   * dataclass's positional arguments fill them in this order, whether they have a default or not.
   * `annotations` holds the annotation's text of each (`int`, `Optional[int]`).
   */
  fields?: string[];
  annotations?: Map<string, string>;
  /** Index of the top-level statement that defines it. */
  chunk?: number;
  /** The interpreter of the file that defines it (see `FunctionInfo.owner`). */
  owner?: Interpreter;
}

export const UNKNOWN: Value = { kind: 'unknown' };

/**
 * The key a call's keyword map holds when `**mapping` passes keys the analysis does not know
 * (`Args(**checkpoint["model_args"])`): any parameter or field not given otherwise may be set by
 * it, so its default is no longer what the call gets. Not an identifier, so no keyword meets it.
 */
export const OPEN_KEYWORDS = '**';
export const NONE: Value = { kind: 'none' };

export function tensor(type: TensorType): Value {
  return born({ kind: 'tensor', type });
}

/**
 * What the call memo (callMemo.ts) needs to know of the interpreter's state, shared by every
 * interpreter of a program: `epoch` changes whenever state a call could read is changed in place
 * (an object's fields, a dict's entries, a list's items, a module's globals, a class's witness;
 * `touched`), `effects` counts effects a replay would not repeat and no call reads (facts noted
 * for the rules; `unreplayable`), `fresh` counts anonymous dims made, `recursions` calls met on
 * their own stack, and `serial` numbers the values made (`born`).
 */
export const HEAP = { epoch: 0, effects: 0, fresh: 0, recursions: 0, serial: 0 };

/** An effect no call reads but a replay would not repeat: the call making it is not remembered. */
export function unreplayable(): void {
  HEAP.effects++;
}

/** Something a call could read was changed in place: remembered calls are no longer valid. */
export function touched(): void {
  HEAP.epoch++;
}

/**
 * When each tensor and tuple value was made (`HEAP.serial`), for the call memo to tell a value
 * a call made (a fresh one on every run) from one that existed before it (the same object on
 * every run). Values made without `born` have no number, and a call that returns one is not
 * remembered.
 */
const BIRTH = Symbol('tensorcost.birth');

/**
 * The number sits on the value itself, as a property no copy takes along (not enumerable: a
 * spread or `Object.assign` of a value makes one without a number, as a WeakMap would have), and
 * that JSON and `for...in` do not see. A WeakMap entry per value cost about five times as much
 * to make, and its ephemeron table grew with every tensor of the analysis.
 */
export function born<T extends Value>(v: T): T {
  Object.defineProperty(v, BIRTH, { value: ++HEAP.serial, writable: true, configurable: true });
  return v;
}

export function birthOf(v: Value): number | undefined {
  return (v as { [BIRTH]?: number })[BIRTH];
}

export function int(v: number | Poly): Value {
  return { kind: 'int', value: typeof v === 'number' ? Poly.const(v) : v };
}

/** A value usable as a dim: ints, and single-int tuples never. */
export function asDim(v: Value | undefined): Poly | undefined {
  if (!v) return undefined;
  if (v.kind === 'int') return v.value;
  if (v.kind === 'bool' && v.value !== null) return Poly.const(v.value ? 1 : 0);
  if (v.kind === 'none' && v.name) return Poly.sym(v.name);
  return undefined;
}

export function asInt(v: Value | undefined): number | undefined {
  return asDim(v)?.constValue();
}

export function asTensor(v: Value | undefined): TensorType | undefined {
  return v?.kind === 'tensor' ? v.type : undefined;
}

/** How many times each item of a list occurs (`counts` and `repeat` applied). */
export function itemCounts(v: Extract<Value, { kind: 'tuple' }>): Poly[] {
  const rep = v.repeat ?? Poly.ONE;
  return v.items.map((_, i) => (v.counts?.[i] ?? Poly.ONE).mul(rep));
}
