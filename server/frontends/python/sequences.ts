/**
 * Python list and tuple arithmetic, truthiness, comparisons of constants and the order in which a
 * loop visits a list: the parts of the interpreter that make layer specs written as data
 * (`strides = [stride] + [1] * (num_blocks - 1)`, VGG's `cfg = [64, 'M', 128, ...]`) run as the
 * program runs them. Every helper returns null or UNKNOWN where Python's answer is not known, so a
 * caller never takes a guess for a fact.
 */
import { Bindings, Poly } from '../../core/symbolic';
import { UNKNOWN, Value, asDim, itemCounts } from './values';

type TupleValue = Extract<Value, { kind: 'tuple' }>;

/**
 * A dict's key as the map of a `dict` value holds it: a string as itself, a number (ShuffleNetV2's
 * `configs = {0.5: {...}, 1: {...}}`) behind a NUL, which no attribute name holds. Python's
 * `1 == 1.0 == True` are one key, as here. Undefined when the key is not a known constant.
 */
export function dictKey(v: Value | undefined): string | undefined {
  if (v?.kind === 'str') return v.value;
  if (v?.kind === 'float' && v.value !== null) return `\0${v.value}`;
  if (v?.kind === 'bool' && v.value !== null) return `\0${v.value ? 1 : 0}`;
  const n = v?.kind === 'int' ? v.value.constValue() : undefined;
  return n !== undefined ? `\0${n}` : undefined;
}

/**
 * `'level_%d' % i`: printf-style formatting of known constants (`%d %i %s %r %%`, widths left out),
 * as attribute names built in a loop need it. Undefined when an argument is not a known constant
 * or the format uses anything else, so a name is never made up.
 */
export function percentFormat(format: string, args: Value): Value | undefined {
  const items = args.kind === 'tuple' && !args.repeat ? args.items : [args];
  let i = 0;
  let failed = false;
  const out = format.replace(/%([%dirs])/g, (_, c: string) => {
    if (c === '%') return '%';
    const v = items[i++];
    const n = v?.kind === 'int' ? v.value.constValue() : v?.kind === 'bool' && v.value !== null ? (v.value ? 1 : 0) : undefined;
    if (c === 's' && v?.kind === 'str') return v.value;
    if (c === 'r' && v?.kind === 'str') return `'${v.value}'`;
    if (n !== undefined) return String(c === 's' || c === 'r' ? (v?.kind === 'bool' ? (n ? 'True' : 'False') : n) : Math.trunc(n));
    failed = true;
    return '';
  });
  if (failed || i !== items.length || /%[^%dirs]/.test(format.replace(/%[%dirs]/g, ''))) return undefined;
  return { kind: 'str', value: out };
}

/** The key `dictKey` made, as a value again (`for k in configs`, `configs.items()`). */
export function keyValue(k: string): Value {
  if (!k.startsWith('\0')) return { kind: 'str', value: k };
  const n = Number(k.slice(1));
  return Number.isInteger(n) ? { kind: 'int', value: Poly.const(n) } : { kind: 'float', value: n };
}

/** Longest list built item by item from `[x] * n` with a constant n; longer ones keep counts. */
const MAX_LITERAL_REPEAT = 256;

/** Whether every item occurs once (no repeat, no counts above one): the items are the list. */
/**
 * The sizes a plain tuple or list holds (`img_shape = (1, 28, 28)`), as dims; undefined for a
 * list of repeated items or of unknown length, or one with an item that is not a size.
 */
export function sizesOf(v: Value | undefined): Poly[] | undefined {
  if (v?.kind !== 'tuple' || v.unknownTrips || !isPlain(v)) return undefined;
  const ds = v.items.map(asDim);
  return ds.every((d): d is Poly => !!d) ? ds : undefined;
}

export function isPlain(v: TupleValue): boolean {
  return (!v.repeat || v.repeat.equals(Poly.ONE)) && (!v.counts || v.counts.every((c) => c.equals(Poly.ONE)));
}

/** `a + b` of two lists or two tuples: items in order, each keeping how often it occurs. */
export function concatSequences(a: TupleValue, b: TupleValue): Pick<TupleValue, 'items' | 'counts'> {
  if (isPlain(a) && isPlain(b)) return { items: [...a.items, ...b.items] };
  return { items: [...a.items, ...b.items], counts: [...itemCounts(a), ...itemCounts(b)] };
}

/**
 * `xs * n`: with a constant n (up to a bound) the items repeated in order, as Python builds them;
 * with a symbolic n every item occurs n times as often (the order of a symbolic repetition does
 * not change a cost). A negative n gives the empty list. Undefined when n is not an int.
 */
export function repeatSequence(xs: TupleValue, n: Value): Pick<TupleValue, 'items' | 'counts'> | undefined {
  const times = asDim(n);
  if (!times || n.kind === 'bool') return undefined;
  const k = times.constValue();
  if (k !== undefined) {
    if (!Number.isInteger(k)) return undefined;
    if (k <= 0) return { items: [] };
    const total = xs.items.length * k;
    if (isPlain(xs) && total <= MAX_LITERAL_REPEAT) return { items: Array.from({ length: total }, (_, i) => xs.items[i % xs.items.length]) };
  }
  return { items: [...xs.items], counts: itemCounts(xs).map((c) => c.mul(times)) };
}

/** Longest list of repeated items a constant slice walks position by position. */
const MAX_SLICED = 65536;

/**
 * `blocks[i : i + chunk]` of a list whose items repeat (a comprehension's one block standing for
 * `depth` of them, `[nn.Identity()] * i + blocks`): the items the slice takes, in order, each as
 * often as the slice takes it. `indices(n)` gives the positions the slice takes of a sequence of
 * length n. Undefined when a count is not a known constant or the list is too long to walk.
 */
export function sliceCounted(xs: TupleValue, indices: (n: number) => number[]): Pick<TupleValue, 'items' | 'counts'> | undefined {
  const counts = itemCounts(xs).map((c) => c.constValue());
  if (counts.some((c) => c === undefined || !Number.isInteger(c) || c < 0)) return undefined;
  const total = (counts as number[]).reduce((a, b) => a + b, 0);
  if (total > MAX_SLICED) return undefined;
  const owner: number[] = [];
  (counts as number[]).forEach((c, i) => {
    for (let j = 0; j < c; j++) owner.push(i);
  });
  const items: Value[] = [];
  const taken: number[] = [];
  let last = -1;
  for (const p of indices(total)) {
    if (owner[p] === last) taken[taken.length - 1]++;
    else {
      last = owner[p];
      items.push(xs.items[last]);
      taken.push(1);
    }
  }
  return taken.every((c) => c === 1) ? { items } : { items, counts: taken.map((c) => Poly.const(c)) };
}

/** Python truthiness of a value, or null when it depends on what is not known. */
export function truthy(v: Value): boolean | null {
  switch (v.kind) {
    case 'bool':
      return v.value;
    case 'none':
      return false;
    case 'int': {
      const c = v.value.constValue();
      return c === undefined ? null : c !== 0;
    }
    case 'float':
      return v.value === null ? null : v.value !== 0;
    case 'str':
      return v.value.length > 0;
    case 'tuple':
      if (v.items.length === 0) return false;
      // Counts that may be zero (`[x] * n` with n unknown) leave the length open.
      return itemCounts(v).some((c) => (c.constValue() ?? 0) > 0) ? true : null;
    case 'instance':
      // An object whose class defines its truth (`__len__` of a dataset, `__bool__`) may be false.
      return v.cls.methods.has('__len__') || v.cls.methods.has('__bool__') ? null : true;
    case 'module':
    case 'class':
    case 'function':
    case 'dtype':
    case 'ref':
      return true;
    default:
      return null;
  }
}

/** A constant a comparison can decide on: a number, a string, a bool or None. */
type Constant = { t: 'num'; v: number } | { t: 'str'; v: string } | { t: 'none' };

function constantOf(v: Value, bindings: Bindings): Constant | undefined {
  if (v.kind === 'str') return { t: 'str', v: v.value };
  if (v.kind === 'none') return { t: 'none' };
  if (v.kind === 'float') return v.value === null ? undefined : { t: 'num', v: v.value };
  const d = asDim(v)?.evaluate(bindings);
  return d === null || d === undefined ? undefined : { t: 'num', v: d };
}

/**
 * `==`, `!=`, `<`... between constants, `in` / `not in` over a list, tuple or dict of constants.
 * A string never equals a number (VGG's `x == 'M'` on a channel count is False). Undefined when
 * the comparison is not one of these or an operand is not known.
 */
export function compareConstants(op: string, a: Value, b: Value, bindings: Bindings): boolean | undefined {
  if (op === 'in' || op === 'not in') {
    const found = membership(a, b, bindings);
    return found === undefined ? undefined : op === 'in' ? found : !found;
  }
  const x = constantOf(a, bindings);
  const y = constantOf(b, bindings);
  if (!x || !y) return undefined;
  if (op === '==' || op === '!=') {
    const same = x.t === y.t && (x.t === 'none' || (x as { v: unknown }).v === (y as { v: unknown }).v);
    return op === '==' ? same : !same;
  }
  if (x.t !== y.t || x.t === 'none') return undefined;
  const [p, q] = [(x as { v: number | string }).v, (y as { v: number | string }).v];
  switch (op) {
    case '<':
      return p < q;
    case '>':
      return p > q;
    case '<=':
      return p <= q;
    case '>=':
      return p >= q;
    default:
      return undefined;
  }
}

function membership(a: Value, b: Value, bindings: Bindings): boolean | undefined {
  if (b.kind === 'dict') {
    const k = dictKey(a);
    // A mapping read at run time (`json.load`, entries stored under keys not known here) may
    // hold a key it does not hold here.
    return k === undefined ? undefined : b.entries.has(k) ? true : b.readAtRun ? undefined : false;
  }
  if (b.kind === 'str') return a.kind === 'str' ? b.value.includes(a.value) : undefined;
  if (b.kind !== 'tuple') return undefined;
  let unsure = false;
  for (const item of b.items) {
    const eq = compareConstants('==', a, item, bindings);
    if (eq === true) return true;
    if (eq === undefined) unsure = true;
  }
  return unsure ? undefined : false;
}

/**
 * The order a `for` loop visits a list's items in, as (item, trips) steps. Building modules
 * (`unroll`) each occurrence is its own step when the length is a small constant, since a trip
 * can change state the next one reads (`in_channels = x` in VGG, `self.in_planes` in ResNet);
 * otherwise consecutive occurrences of the same item are one step run as many times.
 */
export function loopSteps(v: TupleValue, unroll: boolean, maxUnroll: number, maxSteps: number): { item: Value; count: Poly }[] | undefined {
  const counts = itemCounts(v);
  const consts = counts.map((c) => c.constValue());
  const total = consts.every((c): c is number => c !== undefined) ? consts.reduce((a, b) => a + b, 0) : undefined;
  if (unroll && total !== undefined && total <= maxUnroll) {
    const out: { item: Value; count: Poly }[] = [];
    v.items.forEach((item, i) => {
      for (let k = 0; k < consts[i]!; k++) out.push({ item, count: Poly.ONE });
    });
    return out;
  }
  const out: { item: Value; count: Poly }[] = [];
  v.items.forEach((item, i) => {
    const last = out[out.length - 1];
    if (last && sameItem(last.item, item)) last.count = last.count.add(counts[i]);
    else out.push({ item, count: counts[i] });
  });
  return out.length <= maxSteps ? out : undefined;
}

/** The same object, or equal numbers or strings. */
export function sameItem(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a.kind === 'int' && b.kind === 'int') return a.value.equals(b.value);
  if (a.kind === 'str' && b.kind === 'str') return a.value === b.value;
  return false;
}

/**
 * `{'gpt2': dict(n_layer=12, ...), 'gpt2-medium': dict(n_layer=24, ...)}[model_type]` with a key
 * that is not known: one config whose fields are what every entry agrees on, and a dim named
 * after the field where they differ in number (`n_layer`, for the user to bind). Fields that
 * differ otherwise are unknown. Undefined unless every entry is itself a dict.
 */
export function mergedEntry(table: Extract<Value, { kind: 'dict' }>): Value | undefined {
  const rows = [...table.entries.values()];
  if (rows.length === 0 || rows.some((r) => r.kind !== 'dict')) return undefined;
  const dicts = rows as Extract<Value, { kind: 'dict' }>[];
  const keys = new Set(dicts.flatMap((d) => [...d.entries.keys()]));
  const entries = new Map<string, Value>();
  for (const k of keys) {
    const vals = dicts.map((d) => d.entries.get(k));
    const first = vals[0];
    if (first && vals.every((x) => x && sameItem(x, first))) entries.set(k, first);
    else if (vals.every((x) => x?.kind === 'int')) entries.set(k, { kind: 'int', value: Poly.sym(k) });
    else entries.set(k, UNKNOWN);
  }
  return { kind: 'dict', entries };
}

/**
 * The bindings of a frame, with the fields of the objects they hold (`self.in_planes`) and the
 * entries of the dicts: two snapshots equal by `sameBindings` mean a loop trip changed no state its
 * next trip could read, apart from what it appended to lists. Taken before and after every trip
 * of a loop over a model's blocks, so kept as flat lists rather than a map keyed by
 * `self.in_planes`-like strings (a string and a map entry per field per trip, a twentieth of what a
 * GPT-style analysis allocated).
 */
export interface BindingSnapshot {
  /** Each binding's name, each followed by the names of its object's fields or its dict's entries. */
  names: string[];
  /** Per name: 0 a binding, 1 a field of the binding before it (`k.f`), 2 an entry (`k[f]`). */
  kinds: number[];
  values: Value[];
  /**
   * No name holds `.`, `[` or `]`: names of different parts never spell the same flat key, so
   * two snapshots with the same names in the same order have the same keys, each once.
   */
  plain: boolean;
}

const NOT_PLAIN = /[.[\]]/;

export function snapshotBindings(env: Map<string, Value>): BindingSnapshot {
  const names: string[] = [];
  const kinds: number[] = [];
  const values: Value[] = [];
  let plain = true;
  const add = (name: string, kind: number, v: Value) => {
    names.push(name);
    kinds.push(kind);
    values.push(v);
    if (plain && NOT_PLAIN.test(name)) plain = false;
  };
  for (const [k, v] of env) {
    add(k, 0, v);
    if (v.kind === 'instance') for (const [f, x] of v.fields) add(f, 1, x);
    else if (v.kind === 'dict') for (const [f, x] of v.entries) add(f, 2, x);
  }
  return { names, kinds, values, plain };
}

/**
 * Same flat keys (`k`, `k.f`, `k[f]`), each holding the same object or an equal constant. Taken
 * by position when both snapshots list the same plain names in the same order; else through the
 * flat maps themselves.
 */
export function sameBindings(a: BindingSnapshot, b: BindingSnapshot): boolean {
  const n = a.names.length;
  if (a.plain && b.plain && n === b.names.length) {
    let sameNames = true;
    for (let i = 0; i < n && sameNames; i++) sameNames = a.names[i] === b.names[i] && a.kinds[i] === b.kinds[i];
    if (sameNames) {
      for (let i = 0; i < n; i++) if (!sameValue(a.values[i], b.values[i])) return false;
      return true;
    }
  }
  const x = flatBindings(a);
  const y = flatBindings(b);
  if (x.size !== y.size) return false;
  for (const [k, v] of x) {
    const w = y.get(k);
    if (!w || !sameValue(v, w)) return false;
  }
  return true;
}

function sameValue(x: Value, y: Value): boolean {
  return sameItem(x, y) || sameConstant(x, y);
}

/** A snapshot as one map, keyed `k`, `k.f` and `k[f]`. */
function flatBindings(s: BindingSnapshot): Map<string, Value> {
  const out = new Map<string, Value>();
  let owner = '';
  for (let i = 0; i < s.names.length; i++) {
    const name = s.names[i];
    if (s.kinds[i] === 0) owner = name;
    out.set(s.kinds[i] === 0 ? name : s.kinds[i] === 1 ? `${owner}.${name}` : `${owner}[${name}]`, s.values[i]);
  }
  return out;
}

function sameConstant(a: Value, b: Value): boolean {
  if (a.kind === 'bool' && b.kind === 'bool') return a.value === b.value;
  if (a.kind === 'float' && b.kind === 'float') return a.value === b.value;
  return a.kind === 'none' && b.kind === 'none';
}

/**
 * The text Python's `str(v)` gives of a string, an int, a bool or None, as f-strings and
 * `str.format` write them; else undefined.
 */
export function pythonText(v: Value | undefined): string | undefined {
  if (v?.kind === 'str') return v.value;
  if (v?.kind === 'bool' && v.value !== null) return v.value ? 'True' : 'False';
  if (v?.kind === 'none') return 'None';
  const k = v?.kind === 'int' ? v.value.constValue() : undefined;
  return k !== undefined && Number.isSafeInteger(k) ? String(k) : undefined;
}

/**
 * The order `list.sort(key=..., reverse=...)` leaves a list of constants in, by the keys given
 * (one per item): numbers by value, strings by code point, as Python compares them. Undefined
 * when a key is not a constant, or numbers and strings are mixed (Python raises). Equal keys keep
 * their order, with `reverse` too: Python's sort is stable both ways, and so is JavaScript's.
 */
export function sortedOrder(keys: readonly Value[], reverse: boolean): number[] | undefined {
  const plain: (number | string)[] = [];
  for (const k of keys) {
    const v = k.kind === 'str' ? k.value : k.kind === 'int' ? k.value.constValue() : k.kind === 'float' ? k.value ?? undefined : k.kind === 'bool' ? (k.value === null ? undefined : Number(k.value)) : undefined;
    if (v === undefined) return undefined;
    plain.push(v);
  }
  if (plain.some((v) => typeof v !== typeof plain[0])) return undefined;
  const order = plain.map((_, i) => i);
  const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  return order.sort((i, j) => (reverse ? cmp(plain[j], plain[i]) : cmp(plain[i], plain[j])));
}
