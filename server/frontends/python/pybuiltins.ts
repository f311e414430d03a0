/**
 * Python builtins and library callables the interpreter itself models, because they shape the
 * program rather than compute on tensors: `range`, `len`, `dict`, `enumerate`, `math.sqrt`, and
 * torch's module containers (`nn.Sequential`, `nn.ModuleList`, `nn.ModuleDict`), which must be able
 * to call the user's own classes. Tensor operations live in builtins/ instead.
 */
import { Poly, isMadeUpDim } from '../../core/symbolic';
import { parseDType } from '../../core/dtypes';
import type { Frame, Interpreter } from './interpreter';
import { CallSite, ClassInfo, NONE, OPEN_KEYWORDS, UNKNOWN, Value, asDim, int, itemCounts, tensor, touched } from './values';
import { FUNCTIONS, canonical } from './builtins/registry';
import { containerMembers, libraryBase, librarySuper } from './librarySubclass';
import { isInstance } from './pytypes';
import { addArgument, mutuallyExclusiveGroup, parseArgs } from './argparse';
import { createModel } from './timmRegistry';
import { concatSequences, dictKey, keyValue, pythonText, repeatSequence, sizesOf, truthy } from './sequences';
import { namedChildren } from './moduleTree';

/** `site` is the call being evaluated, for builtins that call what they are given (`map`). */
export type Builtin = (args: Value[], kwargs: Map<string, Value>, it: Interpreter, frame: Frame, site?: CallSite) => Value;

type TupleValue = Extract<Value, { kind: 'tuple' }>;

/** A fresh list created in `frame`; appends inside loops count relative to this frame's loops. */
export function newList(items: Value[], it: Interpreter, frame: Frame, extra: Partial<TupleValue> = {}): TupleValue {
  const v: TupleValue = { kind: 'tuple', items, list: true, ...extra };
  it.listOrigin.set(v, frame.multiplier);
  if (it.uncounted.length) it.listUncounted.set(v, it.uncounted.length);
  return v;
}

/** `sum(lists, start)`: `start` followed by each list as often as it occurs, or unknown. */
function concatenated(start: TupleValue, lists: TupleValue, it: Interpreter, frame: Frame): Value {
  if (start.unknownTrips) return UNKNOWN;
  let out: Pick<TupleValue, 'items' | 'counts'> = start;
  const counts = itemCounts(lists);
  for (let i = 0; i < lists.items.length; i++) {
    const x = lists.items[i];
    if (x.kind !== 'tuple' || x.unknownTrips) return UNKNOWN;
    const repeated = counts[i].equals(Poly.ONE) ? x : repeatSequence(x, int(counts[i]));
    if (!repeated) return UNKNOWN;
    out = concatSequences({ kind: 'tuple', ...out }, { kind: 'tuple', ...repeated });
  }
  return newList(out.items, it, frame, out.counts ? { counts: out.counts } : {});
}

/** The ints of a `range` of known start, step and (short) length. */
function rangeItems(v: Value | undefined): Value[] | undefined {
  if (v?.kind !== 'range' || v.start === undefined || v.step === undefined) return undefined;
  const n = v.trips.constValue();
  if (n === undefined || n > MAX_LISTED_RANGE) return undefined;
  return Array.from({ length: Math.max(0, n) }, (_, i) => int(v.start! + i * v.step!));
}

/** The items of a list, dict (values) or tuple argument, keeping per-item counts. */
function itemsOf(v: Value | undefined): { items: Value[]; counts: Poly[] } | undefined {
  if (!v) return undefined;
  if (v.kind === 'tuple') return { items: v.items, counts: itemCounts(v) };
  if (v.kind === 'dict') return { items: [...v.entries.values()], counts: [...v.entries.values()].map(() => Poly.ONE) };
  return undefined;
}

/** `[(k, v), ...]` pairs or a dict, as dict entries. */
function entriesOf(v: Value | undefined): Map<string, Value> {
  const out = new Map<string, Value>();
  if (v?.kind === 'dict') for (const [k, x] of v.entries) out.set(k, x);
  if (v?.kind === 'tuple') {
    for (const pair of v.items) {
      if (pair.kind === 'tuple' && pair.items.length === 2 && pair.items[0].kind === 'str') out.set(pair.items[0].value, pair.items[1]);
    }
  }
  return out;
}

/** `nn.Sequential(a, b)`, `nn.Sequential(*layers)`, `nn.Sequential(OrderedDict(...))`. */
const sequential: Builtin = (args, _kw, it, frame) => {
  if (args.length === 1 && (args[0].kind === 'dict' || (args[0].kind === 'tuple' && (args[0] as { splat?: boolean }).splat))) {
    const got = itemsOf(args[0])!;
    return newList(got.items, it, frame, { counts: got.counts, sequential: true });
  }
  return newList(args, it, frame, { sequential: true });
};

const moduleList: Builtin = (args, kw, it, frame) => {
  const arg = args[0] ?? kw.get('modules');
  // `nn.ModuleList(chunk)` of a ModuleList subclass's object: its members.
  const given = arg?.kind === 'instance' ? containerMembers(arg) ?? arg : arg;
  const got = itemsOf(given);
  if (got) return newList([...got.items], it, frame, { counts: [...got.counts], ...(given?.kind === 'tuple' && given.unknownTrips ? { unknownTrips: given.unknownTrips } : {}) });
  // `nn.ModuleList(p)` of a list the analysis lost: members nobody knows, not none, so a loop
  // over them says it counted one unknown trip instead of silently computing nothing.
  if (given && given.kind !== 'none') return newList([UNKNOWN], it, frame, { unknownTrips: 'the number of modules in the `nn.ModuleList`' });
  return newList([], it, frame);
};

const dictOf: Builtin = (args, kw) => {
  // `dict(unknown)`, `dict(**unknown)`: keys not known here, so not a dict of the known ones.
  if ((args[0] && args[0].kind !== 'dict' && args[0].kind !== 'tuple') || kw.has(OPEN_KEYWORDS)) return UNKNOWN;
  const entries = entriesOf(args[0]);
  for (const [k, v] of kw) entries.set(k, v);
  // `dict(cfg)` of a mapping whose keys only the run knows is one too.
  const readAtRun = args[0]?.kind === 'dict' ? args[0].readAtRun : undefined;
  return readAtRun ? { kind: 'dict', entries, readAtRun } : { kind: 'dict', entries };
};

function scalar(x: number | null | undefined): Value {
  return { kind: 'float', value: x === undefined || x === null || !Number.isFinite(x) ? null : x };
}

function num(v: Value | undefined): number | undefined {
  if (v?.kind === 'float') return v.value ?? undefined;
  return asDim(v)?.constValue();
}

function math1(f: (x: number) => number): Builtin {
  return (args) => scalar(num(args[0]) !== undefined ? f(num(args[0])!) : null);
}

/**
 * `all(xs)` (want true) or `any(xs)` (want false, negated): decided when every item's truth is
 * known, or one item settles it.
 */
function allOf(v: Value | undefined, all: boolean): boolean | null {
  if (v?.kind !== 'tuple' || (v.repeat && !v.repeat.equals(Poly.ONE))) return null;
  let unsure = false;
  for (const x of v.items) {
    const t = truthy(x);
    if (t === null) unsure = true;
    else if (t !== all) return !all;
  }
  return unsure ? null : all;
}

function pickNumeric(args: Value[], f: (...n: number[]) => number): Value {
  // The one item of a list of unknown length stands for values nobody knows.
  if (args.length === 1 && args[0].kind === 'tuple' && args[0].unknownTrips) return UNKNOWN;
  const items = args.length === 1 && args[0].kind === 'tuple' ? args[0].items : args;
  const xs = items.map((a) => asDim(a)?.constValue());
  if (xs.every((x): x is number => x !== undefined) && xs.length > 0) return int(f(...xs));
  return items.find((a) => a.kind === 'tensor') ?? UNKNOWN;
}

export const BUILTINS: Record<string, Builtin> = {
  'timm.models.create_model': createModel,
  'timm.create_model': createModel,
  range: (args) => {
    const d = args.map(asDim);
    if (d.length === 0 || d.some((x) => !x)) return UNKNOWN;
    const [start, stop, step] = d.length === 1 ? [Poly.ZERO, d[0]!, Poly.ONE] : [d[0]!, d[1]!, d[2] ?? Poly.ONE];
    const s = step.constValue();
    const trips = s === 1 || s === undefined ? stop.sub(start) : stop.sub(start).ceildiv(s);
    const n = trips.constValue();
    // An empty or negative range runs its body zero times.
    const [a, c] = [start.constValue(), step.constValue()];
    return { kind: 'range', trips: n !== undefined && n < 0 ? Poly.ZERO : trips, ...(a !== undefined && c !== undefined ? { start: a, step: c } : {}) };
  },
  // `mask_slice = slice(1, None)` then `masks[:, mask_slice]` (SAM's mask decoder): the slice the
  // subscript `1:` would be.
  slice: (args) => {
    if (args.length < 1 || args.length > 3) return UNKNOWN;
    const [start, stop, step] = args.length === 1 ? [null, args[0], null] : [args[0], args[1], args[2] ?? null];
    return { kind: 'slice', start, stop, step };
  },
  len: (args) => {
    const v = args[0];
    // A list of unknown length (a tokenizer's output) is not one item long.
    if (v?.kind === 'tuple') return v.unknownTrips ? UNKNOWN : int(itemCounts(v).reduce((a, b) => a.add(b), Poly.ZERO));
    if (v?.kind === 'dict') return int(v.entries.size);
    if (v?.kind === 'str') return int(v.value.length);
    if (v?.kind === 'tensor' && v.type.shape?.length) return int(v.type.shape[0]);
    return UNKNOWN;
  },
  // `int(2 * hidden / 3)` (lit-llama's MLP width) of a size that may have a fraction is its floor.
  int: (args) => (args[0]?.kind === 'int' ? intOfSize(args[0]) : args[0]?.kind === 'float' && args[0].value !== null ? int(Math.trunc(args[0].value)) : args[0]?.kind === 'str' ? intOfText(args[0].value) : UNKNOWN),
  float: (args) => {
    const a = args[0];
    if (a?.kind === 'int') return scalar(a.value.constValue());
    if (a?.kind === 'str') return scalar(Number(a.value.replace(/^([+-]?)inf$/i, '$1Infinity')));
    return a ?? UNKNOWN;
  },
  // `int(round(w_out * bottleneck_ratio))` (RegNet widths); Python rounds halves to even.
  round: (args) => {
    const x = num(args[0]);
    if (x === undefined) return args[0]?.kind === 'int' ? args[0] : UNKNOWN;
    const digits = num(args[1]);
    if (digits !== undefined) return scalar(Math.round(x * 10 ** digits) / 10 ** digits);
    const r = Math.round(x);
    return int(Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r);
  },
  // `sum(self.cfg['num_blocks'])`; a generator of tensors or unknowns stays unknown.
  sum: (args, _kwargs, it, frame) => {
    const v = args[0];
    if (v?.kind !== 'tuple' || args.length > 2 || v.unknownTrips) return UNKNOWN;
    // `sum(prompt_chunks, [])` (mistral-inference's prompts laid end to end): lists concatenated,
    // each as often as it occurs, when every one is of known length.
    if (args[1]?.kind === 'tuple') return concatenated(args[1], v, it, frame);
    const counts = itemCounts(v);
    let total = asDim(args[1]) ?? Poly.ZERO;
    for (let i = 0; i < v.items.length; i++) {
      const d = asDim(v.items[i]);
      if (!d) return UNKNOWN;
      total = total.add(d.mul(counts[i]));
    }
    return int(total);
  },
  all: (args) => ({ kind: 'bool', value: allOf(args[0], true) }),
  any: (args) => ({ kind: 'bool', value: allOf(args[0], false) }),
  min: (args) => pickNumeric(args, Math.min),
  max: (args) => pickNumeric(args, Math.max),
  abs: (args) => (args[0]?.kind === 'int' ? int(Math.abs(args[0].value.constValue() ?? NaN)) : args[0] ?? UNKNOWN),
  super: (_a, _k, it, frame) => {
    const self = frame.env.get('self');
    if (self?.kind !== 'instance') return UNKNOWN;
    // A base class of this file: its methods run on the same object (the fields are shared), so
    // what `super().__init__(cfg)` assigns lands on `self`.
    const base = frame.fn?.cls?.bases.map((b) => it.classOf(b)).find((c) => !!c);
    if (base) return { kind: 'instance', cls: base, fields: self.fields };
    // A torch.nn layer as the base (`class Linear(nn.Linear)`): its constructor and forward.
    const layer = frame.fn?.cls ? libraryBase(frame.fn.cls, it, frame) : undefined;
    if (layer) return librarySuper(self, layer, it, frame);
    return { kind: 'dict', entries: new Map([['__init__', NONE]]) };
  },
  isinstance: (args, _k, it) => ({ kind: 'bool', value: isInstance(args[0], args[1], it.classes) }),
  // `d() if callable(d) else d` (denoising-diffusion-pytorch's `default`): decided where the value is.
  callable: (args) => {
    const k = args[0]?.kind;
    if (k === 'function' || k === 'class' || k === 'partial' || k === 'ref' || k === 'method' || k === 'module') return { kind: 'bool', value: true };
    if (k === 'int' || k === 'float' || k === 'str' || k === 'bool' || k === 'none' || k === 'tensor' || k === 'tuple' || k === 'dict' || k === 'dtype') return { kind: 'bool', value: false };
    return { kind: 'bool', value: null };
  },
  // `map(lambda t: rearrange(t, 'b n (h d) -> b h n d', h=h), qkv)`: the function runs on each
  // item, as often as the item occurs.
  map: (args, _kw, it, frame, site) => {
    const [f, xs] = args;
    if (!f || xs?.kind !== 'tuple' || args.length !== 2) return UNKNOWN;
    const counts = itemCounts(xs);
    const saved = frame.multiplier;
    const items = xs.items.map((x, i) => {
      frame.multiplier = saved.mul(counts[i]);
      try {
        if (f.kind === 'function') return it.callFunction(f.def, [x], new Map(), frame, f.self, f.closure);
        const own = f.kind === 'ref' && Object.prototype.hasOwnProperty.call(BUILTINS, f.path) ? BUILTINS[f.path] : undefined;
        if (own) return own([x], new Map(), it, frame);
        // A module (`map(self.split_heads, (q, k, v))`), a layer or a library function: called
        // as `f(x)` would be at the map's own site.
        return site ? it.call(f, [x], new Map(), site, frame) : UNKNOWN;
      } finally {
        frame.multiplier = saved;
      }
    });
    return newList(items, it, frame, xs.counts || xs.repeat ? { counts: counts } : {});
  },
  // `ArgumentParser(..., parents=[get_args_parser()])` (DETR's main.py): the parents' options first.
  'argparse.ArgumentParser': (_args, kwargs) => {
    const entries = new Map<string, Value>();
    const parents = kwargs.get('parents');
    if (parents?.kind === 'tuple') for (const p of parents.items) if (p.kind === 'dict') for (const [k, v] of p.entries) entries.set(k, v);
    return { kind: 'dict', entries };
  },
  // `nn.ModuleList([copy.deepcopy(layer) for i in range(N)])` (DETR's and the Annotated
  // Transformer's `clones`): a copy has the shapes and costs of what it copies. Setup code that
  // computes nothing, so the copy's own bytes are not counted.
  'copy.deepcopy': (args, _kw, it, frame) => copied(args[0], it, frame, new Map()),
  'copy.copy': (args, _kw, it, frame) => copied(args[0], it, frame),
  // absl flags (gemma_pytorch's scripts): `flags.DEFINE_string('variant', '4b', 'help')` makes
  // `FLAGS.variant` read '4b', its default, as argparse's options do (argparse.ts).
  ...Object.fromEntries(
    ['string', 'integer', 'float', 'boolean', 'bool', 'enum', 'list', 'multi_string', 'multi_integer'].map((kind) => [
      `absl.flags.DEFINE_${kind}`,
      ((args, kwargs, it) => {
        const name = args[0] ?? kwargs.get('name');
        if (name?.kind !== 'str') return NONE;
        touched();
        it.abslFlags().entries.set(name.value, args[1] ?? kwargs.get('default') ?? NONE);
        return NONE;
      }) as Builtin,
    ]),
  ),
  // `app.run(main)`: absl calls `main(argv)`.
  'absl.app.run': (args, kwargs, it, frame, site) => {
    const main = args[0] ?? kwargs.get('main');
    return main && site ? it.call(main, [{ kind: 'tuple', list: true, items: [], unknownTrips: 'the command line' }], new Map(), site, frame) : UNKNOWN;
  },
  // A config file read at run time (Mamba's `json.load(open(resolved_archive_file))`).
  ...Object.fromEntries(
    ['json.load', 'json.loads', 'yaml.safe_load', 'yaml.load', 'yaml.full_load', 'tomllib.load', 'tomllib.loads', 'toml.load', 'toml.loads'].map((name) => [
      name,
      (() => ({ kind: 'dict', entries: new Map(), readAtRun: name })) as Builtin,
    ]),
  ),
  hasattr: (args, _k, it) => {
    const [obj, name] = args;
    if (name?.kind !== 'str') return { kind: 'bool', value: null };
    // `hasattr(torch.nn.functional, 'scaled_dot_product_attention')`: the feature checks of real
    // code (nanoGPT's flash switch) are true for the library versions we model.
    if (obj?.kind === 'ref') return { kind: 'bool', value: FUNCTIONS.has(canonical(`${obj.path}.${name.value}`)) ? true : null };
    if (obj?.kind === 'instance' && (obj.fields.has(name.value) || it.hasMethod(obj.cls, name.value) || classHas(obj.cls, name.value, it))) return { kind: 'bool', value: true };
    // A plain config class of this file (a dataclass, no library base): what it does not define
    // it does not have. A module may gain attributes elsewhere (caches set in another method).
    if (obj?.kind === 'instance' && plainClass(obj.cls, it)) return { kind: 'bool', value: false };
    // `self.shortcut(out) if hasattr(self, 'shortcut') else x` (pre-activation ResNets): a module
    // of this file that sets the attribute only in `__init__`, which has run, lacks it.
    if (obj?.kind === 'instance' && !setOutsideInit(obj.cls, name.value, it)) return { kind: 'bool', value: false };
    if (obj?.kind === 'dict' && obj.entries.has(name.value)) return { kind: 'bool', value: true };
    return { kind: 'bool', value: null };
  },
  getattr: (args) => {
    const [obj, name, dflt] = args;
    // `getattr(litgpt.model, self.mlp_class_name)` with the name a config holds: the class that
    // module of the program defines, as `litgpt.model.GptNeoxMLP` is.
    if ((obj?.kind === 'instance' || obj?.kind === 'dict' || obj?.kind === 'pymodule') && name?.kind === 'str') return plainAttribute(obj, name.value) ?? dflt ?? UNKNOWN;
    // `getattr(torch.nn, "LayerNorm")`: the library's callable of that name. A dtype's name
    // (`getattr(torch, "bfloat16")`) is left unknown, as before: a reference is no dtype.
    if (obj?.kind === 'ref' && name?.kind === 'str' && /^[A-Za-z_]\w*$/.test(name.value) && !parseDType(name.value)) return { kind: 'ref', path: `${obj.path}.${name.value}` };
    return dflt ?? UNKNOWN;
  },
  // `eval(f'args.{name}')` (Swin's config.py reads its command-line flags so): a constant dotted
  // name is read as the code would read it; anything else is not known.
  eval: (args, _k, it, frame) => {
    const src = args[0];
    if (src?.kind !== 'str' || !/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(src.value.trim())) return UNKNOWN;
    const [head, ...rest] = src.value.trim().split('.');
    let v: Value | undefined = it.lookup(head, frame);
    for (const a of rest) v = v && plainAttribute(v, a);
    return v ?? UNKNOWN;
  },
  setattr: (args) => {
    const [obj, name, v] = args;
    touched();
    if (obj?.kind === 'instance' && name?.kind === 'str' && v) obj.fields.set(name.value, v);
    if (obj?.kind === 'dict' && name?.kind === 'str' && v) obj.entries.set(name.value, v);
    return NONE;
  },
  // `str(i)` of a known int (ModuleDict keys): the text Python gives it.
  str: (args) => {
    const v = args[0];
    // `str(checkpoint_path)` of a `pathlib.Path`: its text, a string like any other.
    if (v?.kind === 'str') return v.path ? { kind: 'str', value: v.value } : v;
    const n = v?.kind === 'int' ? v.value.constValue() : undefined;
    if (n !== undefined && Number.isSafeInteger(n)) return { kind: 'str', value: String(n) };
    if (v?.kind === 'bool' && v.value !== null) return { kind: 'str', value: v.value ? 'True' : 'False' };
    return UNKNOWN;
  },
  print: () => NONE,
  // The process ends there: nothing to cost (llm.c's `exit(1)` on a bad data file).
  exit: () => NONE,
  quit: () => NONE,
  'sys.exit': () => NONE,
  dict: dictOf,
  // `AttentionConfig = namedtuple('AttentionConfig', [...])`: a record type; making one computes
  // nothing (a call of the type is a call outside the program given no tensor).
  'collections.namedtuple': () => ({ kind: 'ref', path: 'collections.namedtuple.type' }),
  // `partial(ResnetBlock, time_emb_dim=time_dim)` (denoising-diffusion-pytorch), `partial(Task.iter_batches, ...)` (llama2.c).
  'functools.partial': (args, kwargs) => (args[0] && args[0].kind !== 'unknown' ? { kind: 'partial', target: args[0], args: args.slice(1), kwargs: new Map(kwargs) } : UNKNOWN),
  list: (args, _kw, it, frame) => {
    // `list(range(n))`: the numbers where few and known, else one item standing for all n.
    const r = args[0];
    if (r?.kind === 'range') {
      const listed = rangeItems(r);
      if (listed) return newList(listed, it, frame);
      // A length the analysis lost (a dim it made up, shown as `?`): a list of unknown length,
      // whose loops count one trip and say so, as a loop over the range would be counted.
      if ([...r.trips.freeSymbols()].some(isMadeUpDim)) return newList([UNKNOWN], it, frame, { unknownTrips: 'the length of `list(range(...))`' });
      return newList([UNKNOWN], it, frame, { repeat: r.trips });
    }
    const got = itemsOf(args[0]);
    const unknownTrips = args[0]?.kind === 'tuple' ? args[0].unknownTrips : undefined;
    if (got) return newList([...got.items], it, frame, { counts: [...got.counts], ...(unknownTrips ? { unknownTrips } : {}) });
    if (!args[0]) return newList([], it, frame);
    // `list(x)` of a tensor: its rows; of what the analysis does not know: a list of unknown
    // length, not an empty one (a loop over it counted nothing without a word;
    // `len(list(set(words)))` was 0, nlp-tutorial's vocabulary size).
    const x = args[0];
    if (x.kind === 'tensor' && x.type.shape?.length) return newList([tensor({ shape: x.type.shape.slice(1), dtype: x.type.dtype })], it, frame, { repeat: x.type.shape[0] });
    return newList([UNKNOWN], it, frame, { unknownTrips: 'the length of `list(...)`' });
  },
  // `set(words)` of known strings or numbers: its distinct items (as a list; only sizes and
  // membership matter here). Of anything else: a collection of unknown size.
  set: (args, _kw, it, frame) => {
    if (args.length === 0) return newList([], it, frame);
    const got = itemsOf(args[0]);
    const plain = got && !(args[0].kind === 'tuple' && args[0].unknownTrips) && got.counts.every((c) => c.equals(Poly.ONE));
    const keys = plain ? got.items.map((x) => (x.kind === 'str' || x.kind === 'int' || x.kind === 'bool' ? dictKey(x) : undefined)) : [];
    if (!plain || keys.some((k) => k === undefined)) return newList([UNKNOWN], it, frame, { unknownTrips: 'the size of `set(...)`' });
    const seen = new Map<string, Value>();
    got.items.forEach((x, i) => seen.has(keys[i]!) || seen.set(keys[i]!, x));
    return newList([...seen.values()], it, frame);
  },
  tuple: (args) => (args[0]?.kind === 'tuple' ? { ...args[0], list: false } : UNKNOWN),
  enumerate: (args) => {
    const v = args[0];
    if (v?.kind !== 'tuple') return UNKNOWN;
    const single = v.items.length === 1 && (v.repeat || v.counts);
    return {
      kind: 'tuple',
      list: true,
      items: v.items.map((x, i) => ({ kind: 'tuple', items: [single ? int(Poly.sym('i')) : int(i), x] }) as Value),
      repeat: v.repeat,
      counts: v.counts,
      ...(v.unknownTrips ? { unknownTrips: v.unknownTrips } : {}),
    };
  },
  zip: (args) => {
    const lists = args.filter((a): a is TupleValue => a.kind === 'tuple');
    if (lists.length !== args.length || lists.length === 0) return UNKNOWN;
    const n = Math.min(...lists.map((l) => l.items.length));
    return { kind: 'tuple', list: true, items: Array.from({ length: n }, (_, i) => ({ kind: 'tuple', items: lists.map((l) => l.items[i]) }) as Value), repeat: lists[0].repeat };
  },
  reversed: (args) => {
    const v = args[0];
    if (v?.kind === 'tuple') return { ...v, items: [...v.items].reverse(), counts: v.counts ? [...v.counts].reverse() : undefined };
    // `reversed(range(1, level))` (DLA's Tree) with known bounds: the numbers, last first.
    const n = v?.kind === 'range' ? v.trips.constValue() : undefined;
    if (v?.kind === 'range' && v.start !== undefined && v.step !== undefined && n !== undefined && n >= 0 && n <= MAX_LISTED_RANGE) {
      const { start, step } = v;
      return { kind: 'tuple', list: true, items: Array.from({ length: n }, (_, i) => int(start + (n - 1 - i) * step)) };
    }
    return UNKNOWN;
  },
  'math.sqrt': math1(Math.sqrt),
  'math.log': math1(Math.log),
  'math.log2': math1(Math.log2),
  'math.exp': math1(Math.exp),
  'math.ceil': (args) => rounded(args[0], 'ceil'),
  'math.floor': (args) => rounded(args[0], 'floor'),
  'math.prod': (args) => {
    const sizes = sizesOf(args[0]);
    return sizes ? int(sizes.reduce((a, d) => a.mul(d), Poly.ONE)) : UNKNOWN;
  },
  'collections.OrderedDict': dictOf,
  'torch.nn.Sequential': sequential,
  'torch.nn.ModuleList': moduleList,
  'torch.nn.ModuleDict': dictOf,
  'torch.nn.ParameterList': moduleList,
  'torch.nn.ParameterDict': dictOf,
  // A parameter is the tensor it wraps (`nn.Parameter(torch.zeros(n, d))`), marked as trainable:
  // a model's parameter count includes it, where a buffer of the same shape is not counted.
  'torch.nn.Parameter': (args, kw) => parameter(args[0] ?? kw.get('data'), kw.get('requires_grad') ?? args[1]),
  'torch.nn.parameter.Parameter': (args, kw) => parameter(args[0] ?? kw.get('data'), kw.get('requires_grad') ?? args[1]),
};

function parameter(data: Value | undefined, requiresGrad: Value | undefined): Value {
  if (!data) return UNKNOWN;
  if (data.kind !== 'tensor' || (requiresGrad?.kind === 'bool' && requiresGrad.value === false)) return data;
  return { ...data, parameter: true };
}

/** Whether a class or one of its bases of this file has a class attribute of that name. */
function classHas(cls: ClassInfo, name: string, it: Interpreter, seen = new Set<object>()): boolean {
  if (seen.has(cls)) return false;
  seen.add(cls);
  return cls.defaults.has(name) || cls.bases.some((b) => !!it.classes.get(b) && classHas(it.classes.get(b)!, name, it, seen));
}

/**
 * Whether a class might gain attribute `name` after `__init__`: one of its other methods (or a
 * base's, or a base outside this file) sets it, or it answers attributes through `__getattr__`.
 */
function setOutsideInit(cls: ClassInfo, name: string, it: Interpreter, seen = new Set<object>()): boolean {
  if (seen.has(cls)) return false;
  seen.add(cls);
  if (cls.methods.has('__getattr__') || cls.methods.has('__getattribute__')) return true;
  const sets = new RegExp(`self\\.${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*(=[^=]|:)|setattr\\(|__setattr__|__dict__`);
  for (const [m, info] of cls.methods) if (m !== '__init__' && sets.test(info.node.text)) return true;
  return cls.bases.some((b) => {
    if (/^(object|(torch\.)?nn\.Module|Module)$/.test(b)) return false;
    const base = it.classes.get(b);
    return !base || setOutsideInit(base, name, it, seen);
  });
}

/**
 * A class whose bases are all of this file or `object`, and which answers no attribute it lacks
 * through `__getattr__`: its attributes are all in view.
 */
function plainClass(cls: ClassInfo, it: Interpreter, seen = new Set<object>()): boolean {
  if (seen.has(cls)) return true;
  seen.add(cls);
  if (cls.methods.has('__getattr__') || cls.methods.has('__getattribute__')) return false;
  return cls.bases.every((b) => b === 'object' || (it.classes.has(b) && plainClass(it.classes.get(b)!, it, seen)));
}

/** Module-level constants of `math`. */
export const MATH_CONSTANTS: Record<string, number> = {
  'math.pi': Math.PI, 'math.e': Math.E, 'math.inf': Infinity, 'math.tau': 2 * Math.PI,
  // GPT-2's tanh GELU written out (`torch.sqrt(torch.tensor(2.0 / torch.pi))`, LLMs-from-scratch).
  'torch.pi': Math.PI, 'torch.e': Math.E, 'torch.inf': Infinity,
  'numpy.pi': Math.PI, 'numpy.e': Math.E, 'numpy.inf': Infinity, 'jax.numpy.pi': Math.PI,
};

/**
 * An entry of a mapping read at run time (`cfg["d_model"]` of a JSON config): a size named after
 * its key when the key is a name (the user binds it), else unknown.
 */
export function readAtRunEntry(key: string): Value {
  return /^[A-Za-z_]\w*$/.test(key) ? int(Poly.sym(key)) : UNKNOWN;
}

/**
 * `getattr(v, name)` where it is a plain read (`getattr` and `eval` share it): an object's field
 * or its class's default, a dict's entry, a module of the program's attribute; undefined when
 * absent or for any other value.
 */
function plainAttribute(v: Value, name: string): Value | undefined {
  if (v.kind === 'instance') return v.fields.get(name) ?? v.cls.defaults.get(name);
  if (v.kind === 'dict') return v.entries.get(name);
  if (v.kind === 'pymodule') return v.attribute(name);
  return undefined;
}

/**
 * `readAtRun` of a dict the program stored entries in under keys the analysis could not compute
 * (`CONFIGS[os.path.basename(path)] = json.load(f)` in a loop over the files of a folder, the way
 * open_clip fills its registry of model configs): its keys are the run's to know, so a key it lacks
 * may be there. Looking one up is unknown, neither `get`'s default nor a dim named after it, and
 * `in` is not decided.
 */
export const KEYS_SET_AT_RUN = 'entries stored under keys known at run time';

/** A key a dict read at run time (`readAtRun`) lacks, looked up. */
export function missingEntry(d: Extract<Value, { kind: 'dict' }>, key: string): Value {
  return d.readAtRun === KEYS_SET_AT_RUN ? UNKNOWN : readAtRunEntry(key);
}

/**
 * What `copy.deepcopy(x)` (with `deep`, the copies made so far) or `copy.copy(x)` gives: a new
 * dict or list, whose items are copied too when deep, so that writing to the copy leaves the
 * original as it was (litgpt's config table appends `deepcopy(c)` with `copy["name"]` changed, and
 * the original entry must keep its name). Anything else is `x` itself, as far as shapes and
 * costs go; unknown when `x` is a parameter nothing says is a tensor (nanochat's
 * `copy.deepcopy(conversation)` of a dict).
 */
function copied(x: Value | undefined, it: Interpreter, frame: Frame, deep?: Map<Value, Value>): Value {
  if (!x || (x.kind === 'tensor' && x.type.shape === null)) return UNKNOWN;
  if (x.kind !== 'dict' && x.kind !== 'tuple') return x;
  const done = deep?.get(x);
  if (done) return done;
  const item = (v: Value): Value => (deep ? copied(v, it, frame, deep) : v);
  if (x.kind === 'dict') {
    const out: Value = { kind: 'dict', entries: new Map(), ...(x.readAtRun !== undefined ? { readAtRun: x.readAtRun } : {}) };
    deep?.set(x, out);
    for (const [k, v] of x.entries) out.entries.set(k, item(v));
    return out;
  }
  // A tuple cannot hold itself, and its items are copied only when deep; a list is a new list.
  const { kind: _kind, items: _items, ...rest } = x;
  const out: TupleValue = x.list ? newList([], it, frame, { ...rest, counts: x.counts && [...x.counts] }) : { kind: 'tuple', items: [], ...rest };
  deep?.set(x, out);
  for (const v of x.items) out.items.push(item(v));
  return out;
}

/** `math.ceil` / `math.floor` of a number or of a size (`math.ceil(d_model / 16)`). */
function rounded(v: Value | undefined, mode: 'ceil' | 'floor'): Value {
  const n = num(v);
  if (n !== undefined) return int(mode === 'ceil' ? Math.ceil(n) : Math.floor(n));
  const d = v?.kind === 'int' ? asDim(v)?.rounded(mode) : undefined;
  return d ? int(d) : UNKNOWN;
}

/** Longest `range` that `reversed` lists number by number. */
const MAX_LISTED_RANGE = 256;

/** Methods of lists and dicts that matter for shapes; `it`/`frame` give the loop multiplier. */
export function containerMethod(of: Value, name: string, args: Value[], it: Interpreter, frame: Frame, kwargs: Map<string, Value> = new Map()): Value {
  if (of.kind === 'str') return name === 'format' ? formatStr(of.value, args, kwargs) : kwargs.size ? UNKNOWN : strMethod(of.value, name, args, it, frame);
  // `for name, child in module.named_children()` (DINOv2's `named_apply`): the module tree.
  if (name === 'named_children' && (of.kind === 'module' || of.kind === 'instance' || of.kind === 'tuple')) {
    const got = namedChildren(of, it);
    return got ? newList(got.items, it, frame, { counts: got.counts }) : newList([UNKNOWN], it, frame, { unknownTrips: 'the number of children of the module' });
  }
  if (of.kind === 'tuple') {
    const count = () => {
      const origin = it.listOrigin.get(of) ?? Poly.ONE;
      return origin.equals(Poly.ONE) ? frame.multiplier : frame.multiplier.div(origin);
    };
    const push = (x: Value, c: Poly) => {
      touched();
      // Pushed once per trip of a loop of unknown trip count the list is older than.
      const depth = it.listUncounted.get(of) ?? 0;
      if (it.uncounted.length > depth && !of.unknownTrips) of.unknownTrips = it.uncounted[depth];
      if (!of.counts) of.counts = of.items.map(() => Poly.ONE);
      of.items.push(x);
      of.counts.push(c);
    };
    // A module container moved, cast or switched (`nn.Sequential(...).to(device)`) is itself.
    if (RETURNS_SELF.has(name)) return of;
    switch (name) {
      case 'append':
        if (args[0]) push(args[0], count());
        return NONE;
      case 'extend': {
        const got = itemsOf(args[0]);
        if (got) got.items.forEach((x, i) => push(x, got.counts[i].mul(count())));
        // Extended by what is not known, or by a list of unknown length: its length is unknown.
        const unknownLength = !got ? 'the items it was extended with' : args[0].kind === 'tuple' ? args[0].unknownTrips : undefined;
        if (unknownLength && !of.unknownTrips) {
          touched();
          of.unknownTrips = unknownLength;
        }
        return NONE;
      }
      case 'insert':
        if (args[1]) push(args[1], count());
        return NONE;
      case 'add_module':
        if (args[1]) push(args[1], Poly.ONE);
        return NONE;
      case 'pop': {
        // `chans.pop()` (a UNet's skip connections, popped as they were pushed): the item leaves
        // the list when it stands for one push, else every later pop read the same last item. An
        // item pushed by a trip standing for several keeps standing for the rest.
        const at = args.length === 0 ? of.items.length - 1 : asDim(args[0])?.constValue();
        if (at === undefined || !Number.isInteger(at)) return of.items[of.items.length - 1] ?? UNKNOWN;
        const i = at < 0 ? at + of.items.length : at;
        const item = of.items[i];
        if (!item) return UNKNOWN;
        if (!of.repeat && !of.unknownTrips && (!of.counts || of.counts[i].equals(Poly.ONE))) {
          touched();
          of.items.splice(i, 1);
          of.counts?.splice(i, 1);
        }
        return item;
      }
      case 'copy':
        return copied(of, it, frame);
      case 'index':
      case 'count':
        return UNKNOWN;
      case 'children':
      case 'modules':
      case 'parameters':
        return of;
      default:
        return UNKNOWN;
    }
  }
  if (of.kind === 'dict') {
    // Entries stored under keys only the run knows are there too: one entry of unknown key and
    // value stands for them, in a list of unknown length (a loop over it says so).
    const open = of.readAtRun === KEYS_SET_AT_RUN;
    const listed = (items: Value[], other: Value): Value =>
      open ? { kind: 'tuple', list: true, items: [...items, other], unknownTrips: 'the number of entries of a dict whose keys only the run knows' } : { kind: 'tuple', list: true, items };
    switch (name) {
      case 'items':
        return listed([...of.entries].map(([k, v]) => ({ kind: 'tuple', items: [keyValue(k), v] }) as Value), { kind: 'tuple', items: [UNKNOWN, UNKNOWN] });
      case 'values':
        return listed([...of.entries.values()], UNKNOWN);
      case 'keys':
        return listed([...of.entries.keys()].map(keyValue), UNKNOWN);
      case 'get': {
        const k = dictKey(args[0]);
        const got = k !== undefined ? of.entries.get(k) : undefined;
        // What a file read at run time holds is not known: the default may not be what runs.
        if (!got && of.readAtRun && k !== undefined) return missingEntry(of, k);
        if (k === undefined && of.readAtRun === KEYS_SET_AT_RUN) return UNKNOWN;
        return got ?? args[1] ?? NONE;
      }
      case 'add_argument':
        touched();
        addArgument(of, args, kwargs);
        return NONE;
      case 'add_argument_group':
        return of;
      case 'add_mutually_exclusive_group':
        return mutuallyExclusiveGroup(of, kwargs);
      case 'parse_args':
        return parseArgs(of);
      case 'parse_known_args':
        return { kind: 'tuple', items: [parseArgs(of), { kind: 'tuple', items: [], list: true }] };
      case 'set_defaults':
        touched();
        for (const [k, v] of kwargs) if (k !== OPEN_KEYWORDS) of.entries.set(k, v);
        return NONE;
      case 'update':
      // yacs / minGPT `CfgNode.merge_from_dict({...})`.
      case 'merge_from_dict':
        touched();
        if (args[0]?.kind === 'dict') for (const [k, v] of args[0].entries) of.entries.set(k, v);
        return NONE;
      case 'copy':
        return copied(of, it, frame);
      case 'pop': {
        const k = args[0];
        const v = k?.kind === 'str' ? of.entries.get(k.value) : undefined;
        touched();
        if (k?.kind === 'str') of.entries.delete(k.value);
        return v ?? args[1] ?? UNKNOWN;
      }
      default:
        return UNKNOWN;
    }
  }
  if (of.kind === 'module') {
    // A library layer moved or cast (`nn.Linear(2048, 10).cuda().half()`) is the same layer: the
    // dtype its ops compute in comes from their inputs, as for a user module.
    if (RETURNS_SELF.has(name)) return of;
    return name === 'zero_grad' || name === 'apply' ? NONE : UNKNOWN;
  }
  if (of.kind === 'instance') {
    // `model.half()`, `model.to(device)`, `model.eval()` return the module itself.
    if (RETURNS_SELF.has(name)) return of;
    // nn.Module's own methods that create attributes.
    const [a, b] = args;
    if ((name === 'register_buffer' || name === 'register_parameter' || name === 'add_module' || name === 'register_module' || name === '__setattr__') && a?.kind === 'str' && b) {
      touched();
      of.fields.set(a.value, b);
    }
    // `self.__getattr__('level_%d' % i)` (DLA's Tree): the field by its computed name.
    if (name === '__getattr__' || name === 'get_submodule') return a?.kind === 'str' ? of.fields.get(a.value) ?? UNKNOWN : UNKNOWN;
    return NONE;
  }
  return UNKNOWN;
}

/** `int(x)` of a size: its floor where it may have a fraction (sizes are not negative). */
function intOfSize(v: Extract<Value, { kind: 'int' }>): Value {
  const floor = v.value.rounded('floor');
  return floor && floor !== v.value ? int(floor) : v;
}

/** `int("16")`: Python's integer literal syntax in base 10, spaces around allowed; else unknown. */
function intOfText(text: string): Value {
  const t = text.trim().replace(/_/g, '');
  return /^[+-]?\d+$/.test(t) && Number.isSafeInteger(Number(t)) ? int(Number(t)) : UNKNOWN;
}

/**
 * `"falcon-7b{}".format(kind)` (litgpt's table of configs names its variants so): the text with
 * each `{}`, `{0}` or `{name}` replaced by the argument's text, as an f-string is (`formatted` in
 * the interpreter). A field with a conversion, a format spec or an attribute, or an argument that
 * is not a known string, int or bool, makes it unknown: the literal parts alone are not its value.
 */
function formatStr(text: string, args: Value[], kwargs: Map<string, Value>): Value {
  let out = '';
  let next = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if ((ch === '{' || ch === '}') && text[i + 1] === ch) {
      out += ch;
      i++;
    } else if (ch === '{') {
      const close = text.indexOf('}', i);
      if (close < 0) return UNKNOWN;
      const field = text.slice(i + 1, close);
      const arg = field === '' ? args[next++] : /^\d+$/.test(field) ? args[Number(field)] : /^[A-Za-z_]\w*$/.test(field) ? kwargs.get(field) : undefined;
      const piece = pythonText(arg);
      if (piece === undefined) return UNKNOWN;
      out += piece;
      i = close;
    } else if (ch === '}') return UNKNOWN;
    else out += ch;
  }
  return { kind: 'str', value: out };
}

/**
 * A method of a string: pure Python, never a tensor op. Of a known string with known arguments,
 * the value Python gives (`"16,8".split(",")`, improved-diffusion's attention resolutions from an
 * argparse default; nlp-tutorial's `sen.split()` sizes a batch); the rest
 * (`'{:.6f}'.format(loss)`) give a value nobody needs to know, and nothing is missing.
 */
function strMethod(text: string, name: string, args: Value[], it: Interpreter, frame: Frame): Value {
  const str = (value: string): Value => ({ kind: 'str', value });
  // The arguments as strings (None for None), or undefined where one is neither.
  const strs = args.map((a) => (a.kind === 'str' ? a.value : a.kind === 'none' ? null : undefined));
  const plain = !strs.some((a) => a === undefined);
  switch (name) {
    case 'split': {
      if (!plain || args.length > 1) return UNKNOWN;
      const sep = strs[0];
      if (sep === '') return UNKNOWN;
      const parts = sep == null ? text.split(/\s+/).filter((x) => x !== '') : text.split(sep);
      return newList(parts.map(str), it, frame);
    }
    case 'strip':
    case 'lower':
    case 'upper':
      if (args.length) return UNKNOWN;
      return str(name === 'strip' ? text.trim() : name === 'lower' ? text.toLowerCase() : text.toUpperCase());
    case 'startswith':
    case 'endswith':
      if (!plain || args.length !== 1 || strs[0] == null) return UNKNOWN;
      return { kind: 'bool', value: name === 'startswith' ? text.startsWith(strs[0]) : text.endsWith(strs[0]) };
    case 'replace':
      return plain && args.length === 2 && strs[0] != null && strs[1] != null ? str(text.split(strs[0]).join(strs[1])) : UNKNOWN;
    case 'join': {
      const xs = args[0];
      const items = xs?.kind === 'tuple' && !xs.counts && !xs.unknownTrips ? xs.items : undefined;
      return items?.every((x) => x.kind === 'str') ? str(items.map((x) => (x as { value: string }).value).join(text)) : UNKNOWN;
    }
    default:
      return UNKNOWN;
  }
}

/** Module methods that return the module itself (`model.half()`, `nn.Linear(...).cuda()`, `.eval()`). */
export const RETURNS_SELF = new Set(['to', 'cuda', 'cpu', 'half', 'float', 'bfloat16', 'double', 'train', 'eval', 'requires_grad_', 'type']);

/** Methods of lists and dicts that evaluation of `x.name` should return as bound methods. */
export const LIST_METHODS = new Set(['append', 'extend', 'insert', 'add_module', 'pop', 'copy', 'index', 'count', 'sort', 'children', 'modules', 'parameters', 'named_children']);
/** yacs's CfgNode methods (yacsConfig.ts runs them). */
const CFG_NODE_METHODS = ['clone', 'defrost', 'freeze', 'merge_from_file', 'merge_from_list', 'merge_from_other_cfg'];
export const DICT_METHODS = new Set(['items', 'values', 'keys', 'get', 'update', 'pop', 'copy', 'merge_from_dict', 'add_argument', 'add_argument_group', 'add_mutually_exclusive_group', 'parse_args', 'parse_known_args', 'set_defaults', ...CFG_NODE_METHODS]);
export const MODULE_METHODS = new Set(['register_buffer', 'register_parameter', 'add_module', 'register_module', '__setattr__', '__getattr__', 'get_submodule', 'apply', 'modules', 'parameters', 'named_parameters', 'children', 'named_children', 'named_modules', 'train', 'eval', 'requires_grad_', 'zero_grad', 'to', 'cuda', 'half', 'float', 'bfloat16', 'type']);
