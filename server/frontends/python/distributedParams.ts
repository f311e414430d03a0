/**
 * Trainable parameters per class, from a syntactic pass over each class's `__init__`: module
 * constructors (`nn.Linear(config.n_embd, 4 * config.n_embd)`), `nn.Parameter(torch.zeros(d))`,
 * containers (`nn.ModuleList([Block(config) for _ in range(config.n_layer)])`, `nn.ModuleDict`,
 * `nn.Sequential`), user classes constructed with their arguments, and weight tying
 * (`self.transformer.wte.weight = self.lm_head.weight` counts that weight once).
 *
 * It exists because the gradient all-reduce is sized by parameters, not FLOPs. It is a stop-gap
 * until the interpreter fills `FunctionSummary.params`; counts are symbolic in config fields, so
 * `# tensorcost: dims` and settings bind them as they bind every other dim.
 */
import { ClassParams } from '../../core/comm/signals';
import { ModuleArgs, ParamArg, isKnownModule, moduleParams } from '../../core/params';
import { Poly, product } from '../../core/symbolic';
import type { Node } from './parser';
import { topLevel } from './module';
import { textCache } from './textCaches';
import { detach } from '../../core/intern';

/** Classes whose fields are configuration (same test as the frontend's dims from config defaults). */
const CONFIG_CLASS = /config|args|hparams|params|settings|cfg/i;
const CONFIG_NAMES = /^(config|cfg|conf|args|hparams|params|opt|model_args|hp)$/;
const TENSOR_CTORS = /^(zeros|ones|randn|rand|empty|full|normal|tensor|arange)$/;
const CONTAINERS = /^(ModuleList|Sequential|ModuleDict|ParameterList|ParameterDict)$/;
const MAX_DEPTH = 24;
/** Longest list a count builds (`[hidden] * n`); a longer one is not followed. */
const MAX_LIST = 64;
/** How deep expressions are followed (`Counter.eval`). */
const MAX_EVAL_DEPTH = 200;

type SV =
  | { k: 'num'; p: Poly }
  | { k: 'bool'; v: boolean }
  | { k: 'cfg' }
  | { k: 'range'; trips: Poly }
  | { k: 'list'; items: SV[] }
  /**
   * Anything holding parameters; `fields` lets tying find `self.transformer.wte`. `uncounted`:
   * fields its methods call as modules (`self.backbone(x)`) that the count could not size (a
   * module passed in, a library layer it does not know): its count is a lower bound.
   */
  | { k: 'mod'; params: Poly; tensors: Poly; weight?: Poly; fields: Map<string, SV>; uncounted?: string[] }
  /** `None`: a field left empty (`self.cross_attn = ... if cross_attention else None`). */
  | { k: 'none' }
  | { k: 'unknown' };

const UNKNOWN: SV = { k: 'unknown' };

interface ClassDecl {
  name: string;
  node: Node;
  init?: Node;
  bases: string[];
}

export type { ClassParams };

export function countClassParams(module: Node | readonly Node[]): ClassParams[] {
  const classes = new Map<string, ClassDecl>();
  const configDefaults = new Map<string, SV>();
  const walk = (statements: readonly (Node | null)[]) => {
    for (const c of statements) {
      if (!c) continue;
      const def = c.type === 'decorated_definition' ? c.childForFieldName('definition') : c;
      if (def?.type === 'class_definition') {
        const name = def.childForFieldName('name')?.text ?? '';
        const body = def.childForFieldName('body');
        const bases = (def.childForFieldName('superclasses')?.namedChildren ?? []).map((b) => b?.text.split('.').pop() ?? '');
        const decl: ClassDecl = { name, node: def, bases };
        for (const s of body?.namedChildren ?? []) {
          const fn = s?.type === 'decorated_definition' ? s.childForFieldName('definition') : s;
          if (fn?.type === 'function_definition' && fn.childForFieldName('name')?.text === '__init__') decl.init = fn;
          if (s?.type === 'expression_statement') readDefault(s.namedChild(0), name, configDefaults);
        }
        classes.set(name, decl);
      }
    }
  };
  walk(topLevel(module));
  const counter = new Counter(classes, configDefaults);
  const out: ClassParams[] = [];
  for (const decl of classes.values()) {
    if (!decl.init) continue;
    const r = counter.representative(decl);
    if (r.k !== 'mod') continue;
    out.push({ cls: decl.name, params: r.params, tensors: r.tensors, constructs: [...(counter.constructed.get(decl.name) ?? [])], ...(r.uncounted ? { uncounted: r.uncounted } : {}) });
  }
  return out;
}

/** `self.name(` in a class's text: the fields its methods call. */
const SELF_CALL = /\bself\.([A-Za-z_]\w*)\s*\(/g;

/**
 * The fields a class's text calls (`self.backbone(x)`) that it also assigns, and may hold a module:
 * a name it never assigns is a method (its own, a base's, `nn.Module`'s), and a field assigned a lambda
 * or a torch function (`self.mlpf = lambda x: ...`, `self.act = F.gelu`) calls modules counted
 * elsewhere, or none. Read from the whole class, methods included; also the key of a cached
 * count (index.ts), since the methods' bodies are cut out of that key otherwise.
 */
export function calledFields(text: string): readonly string[] {
  let found = CALLED_FIELDS.get(text);
  if (found) return found;
  found = scanCalledFields(text);
  if (CALLED_FIELDS.size > 10_000) CALLED_FIELDS.clear();
  // Detached: the text is a slice of the document's source, which a key would keep alive.
  CALLED_FIELDS.set(detach(text), found);
  return found;
}

/**
 * By class text: every construction of a class and every model object the training code calls
 * asks again (about 10 ms of an analysis of the GPT-style bench file before this).
 */
const CALLED_FIELDS = textCache<string, readonly string[]>();

function scanCalledFields(text: string): string[] {
  const out: string[] = [];
  for (const [, name] of text.matchAll(SELF_CALL)) {
    if (out.includes(name)) continue;
    const assigned = new RegExp(`\\bself\\.${name}\\s*=(?!=)\\s*(lambda\\b|(F|nn\\.functional|torch(\\.nn\\.functional)?)\\.[A-Za-z_]\\w*\\s*$)?`, 'm').exec(text);
    if (assigned && !assigned[1]) out.push(name);
  }
  return out;
}

/**
 * The fields a class's methods call as modules (`calledFields`) whose parameters the count does
 * not have: not a module it sized, not None, not a method of the class or of a base it knows.
 * Nested modules' own uncounted fields are named through them (`encoder.backbone`).
 */
function uncountedFields(decl: ClassDecl, fields: Map<string, SV>, classes: Map<string, ClassDecl>): string[] {
  const out = calledFields(decl.node.text).filter((name) => fields.get(name)?.k !== 'mod' && fields.get(name)?.k !== 'none');
  if (out.length > 0) {
    // Read through the tree only when a field is left to tell from a method.
    const methods = new Set<string>();
    for (let c: ClassDecl | undefined = decl, depth = 0; c && depth < 8; c = classes.get(c.bases[0] ?? ''), depth++) {
      for (const m of c.node.childForFieldName('body')?.namedChildren ?? []) {
        const fn = m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
        const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
        if (name) methods.add(name);
      }
    }
    for (let i = out.length - 1; i >= 0; i--) if (methods.has(out[i])) out.splice(i, 1);
  }
  for (const [name, v] of fields) if (v.k === 'mod' && v.uncounted) for (const u of v.uncounted) if (!out.includes(`${name}.${u}`)) out.push(`${name}.${u}`);
  return out;
}

function readDefault(a: Node | null, cls: string, into: Map<string, SV>): void {
  if (a?.type !== 'assignment') return;
  const left = a.childForFieldName('left');
  const right = a.childForFieldName('right');
  if (left?.type !== 'identifier' || !right || into.has(left.text)) return;
  if (right.type === 'integer') {
    const n = Number(right.text.replace(/_/g, ''));
    into.set(left.text, { k: 'num', p: CONFIG_CLASS.test(cls) ? Poly.sym(left.text) : Poly.const(n) });
  } else if (right.type === 'true' || right.type === 'false') into.set(left.text, { k: 'bool', v: right.type === 'true' });
}

/**
 * A construction counted once (`Counter.construct`), for the same class with the same bound
 * parameters again: a model's classes are constructed by each class that holds them as well as
 * on their own (a GPT's attention three times: its own, its block's, the GPT's), and each
 * construction walked the same `__init__` bodies through the tree again.
 */
interface Counted {
  value: SV;
  /** The classes the construction constructed, itself and nested: none may be on the stack of a reuse. */
  names: Set<string>;
  /** How far it went past its own start: the stack of constructions, and `evalDepth`. */
  stackDepth: number;
  evalDepth: number;
}

class Counter {
  readonly constructed = new Map<string, Set<string>>();
  private readonly stack: string[] = [];
  private readonly counted = new Map<string, Counted>();
  /**
   * While constructions are being counted: the classes each constructs and how deep it went, and
   * whether a limit of the count (depth, recursion) cut it short, which makes its value depend on
   * where it was counted, so that it is not kept.
   */
  private readonly open: { names: Set<string>; stack: number; evalFrom: number; evalMax: number; cut: boolean }[] = [];

  constructor(
    private readonly classes: Map<string, ClassDecl>,
    private readonly configDefaults: Map<string, SV>,
  ) {}

  representative(decl: ClassDecl): SV {
    const params = decl.init?.childForFieldName('parameters')?.namedChildren ?? [];
    const kw = new Map<string, SV>();
    for (const p of params.slice(1)) {
      if (!p) continue;
      const nameNode = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChild(0);
      const name = nameNode?.type === 'identifier' ? nameNode.text : undefined;
      if (!name) continue;
      const dflt = p.childForFieldName('value');
      const v = dflt ? this.eval(dflt, new Map(), new Map()) : UNKNOWN;
      // A parameter defaulting to None stands for what a caller passes, as one without a default.
      kw.set(name, v.k !== 'unknown' && v.k !== 'none' ? v : CONFIG_NAMES.test(name) ? { k: 'cfg' } : { k: 'num', p: Poly.sym(name) });
    }
    return this.construct(decl, [], kw);
  }

  construct(decl: ClassDecl, args: SV[], kwargs: Map<string, SV>): SV {
    if (this.stack.length >= MAX_DEPTH || this.stack.includes(decl.name)) {
      for (const o of this.open) o.cut = true;
      return UNKNOWN;
    }
    const caller = this.stack[this.stack.length - 1];
    if (caller) {
      if (!this.constructed.has(caller)) this.constructed.set(caller, new Set());
      this.constructed.get(caller)!.add(decl.name);
    }
    for (const o of this.open) {
      o.names.add(decl.name);
      o.stack = Math.max(o.stack, this.stack.length + 1);
    }
    this.stack.push(decl.name);
    const mine = { names: new Set([decl.name]), stack: this.stack.length, evalFrom: this.evalDepth, evalMax: this.evalDepth, cut: false };
    this.open.push(mine);
    let key: string | undefined;
    try {
      const fields = new Map<string, SV>();
      const ties: Poly[] = [];
      if (decl.init) {
        const env = new Map<string, SV>();
        const params = decl.init.childForFieldName('parameters')?.namedChildren ?? [];
        let pos = 0;
        for (const p of params.slice(1)) {
          if (!p) continue;
          const nameNode = p.type === 'identifier' ? p : p.childForFieldName('name') ?? p.namedChild(0);
          const name = nameNode?.type === 'identifier' ? nameNode.text : undefined;
          if (!name) continue;
          let v = kwargs.get(name) ?? args[pos++];
          if (!v || v.k === 'unknown') {
            const dflt = p.childForFieldName('value');
            v = dflt ? this.eval(dflt, new Map(), fields) : UNKNOWN;
          }
          if (v.k === 'unknown' || v.k === 'none') v = CONFIG_NAMES.test(name) ? { k: 'cfg' } : { k: 'num', p: Poly.sym(name) };
          env.set(name, v);
        }
        // What the body reads besides the tree: its parameters as bound (and the config
        // defaults and classes, the same for the whole count).
        key = envKey(decl.name, env);
        const hit = key === undefined ? undefined : this.reusable(key);
        if (hit) {
          // The constructions around this one took its path as well.
          for (const o of this.open) {
            if (o === mine) continue;
            for (const n of hit.names) o.names.add(n);
            o.stack = Math.max(o.stack, this.stack.length - 1 + hit.stackDepth);
            o.evalMax = Math.max(o.evalMax, this.evalDepth + hit.evalDepth);
          }
          return hit.value;
        }
        this.execBlock(decl.init.childForFieldName('body'), env, fields, ties, decl);
      }
      let params = Poly.ZERO;
      let tensors = Poly.ZERO;
      for (const v of fields.values()) {
        if (v.k === 'mod') {
          params = params.add(v.params);
          tensors = tensors.add(v.tensors);
        }
      }
      for (const t of ties) {
        params = params.sub(t);
        tensors = tensors.sub(1);
      }
      const uncounted = uncountedFields(decl, fields, this.classes);
      const value: SV = { k: 'mod', params, tensors, fields, ...(uncounted.length ? { uncounted } : {}) };
      if (key !== undefined && !mine.cut) this.counted.set(key, { value, names: mine.names, stackDepth: mine.stack - (this.stack.length - 1), evalDepth: mine.evalMax - mine.evalFrom });
      return value;
    } finally {
      this.open.pop();
      this.stack.pop();
      // How deep its expressions went counts for the construction around it too.
      const parent = this.open[this.open.length - 1];
      if (parent && mine.evalMax > parent.evalMax) parent.evalMax = mine.evalMax;
    }
  }

  /**
   * The construction counted under `key`, if counting it here would take the same path: none of
   * the classes it constructed is on the stack (no recursion refused), and neither the stack nor
   * `evalDepth` would reach their limits where they did not.
   */
  private reusable(key: string): Counted | undefined {
    const c = this.counted.get(key);
    if (!c) return undefined;
    // The construction itself is on the stack now (pushed before its body): its start is one below.
    const base = this.stack.length - 1;
    if (base + c.stackDepth > MAX_DEPTH || this.evalDepth + c.evalDepth > MAX_EVAL_DEPTH) return undefined;
    for (let i = 0; i < base; i++) if (c.names.has(this.stack[i])) return undefined;
    return c;
  }

  private execBlock(body: Node | null, env: Map<string, SV>, fields: Map<string, SV>, ties: Poly[], decl: ClassDecl): void {
    for (const s of body?.namedChildren ?? []) {
      if (!s) continue;
      if (s.type === 'expression_statement') this.execExpr(s.namedChild(0), env, fields, ties, decl);
      else if (s.type === 'if_statement') {
        const c = this.eval(s.childForFieldName('condition'), env, fields);
        const alt = s.childForFieldName('alternative');
        if (c.k === 'bool' && !c.v) {
          if (alt?.type === 'else_clause') this.execBlock(alt.childForFieldName('body'), env, fields, ties, decl);
        } else this.execBlock(s.childForFieldName('consequence'), env, fields, ties, decl);
      }
    }
  }

  private execExpr(e: Node | null, env: Map<string, SV>, fields: Map<string, SV>, ties: Poly[], decl: ClassDecl): void {
    if (!e) return;
    if (e.type === 'call') {
      // `super().__init__(...)` of a user base class contributes that class's parameters.
      const fn = e.childForFieldName('function');
      if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === '__init__' && /^super\(/.test(fn.text)) {
        for (const b of decl.bases) {
          const base = this.classes.get(b);
          if (!base) continue;
          const r = this.construct(base, ...this.args(e, env, fields));
          if (r.k === 'mod') for (const [k, v] of r.fields) fields.set(k, v);
        }
      }
      return;
    }
    if (e.type !== 'assignment') return;
    const left = e.childForFieldName('left');
    const right = e.childForFieldName('right');
    if (!left || !right) return;
    const path = selfPath(left);
    if (path && path.length >= 2 && path[path.length - 1] === 'weight' && selfPath(right)?.slice(-1)[0] === 'weight') {
      const w = this.lookup(fields, path.slice(0, -1)) ?? this.lookup(fields, selfPath(right)!.slice(0, -1));
      if (w?.k === 'mod' && w.weight) ties.push(w.weight);
      return;
    }
    const v = this.eval(right, env, fields);
    if (path && path.length === 1) fields.set(path[0], v);
    else if (left.type === 'identifier') env.set(left.text, v);
  }

  private lookup(fields: Map<string, SV>, path: string[]): SV | undefined {
    let cur: SV | undefined = { k: 'mod', params: Poly.ZERO, tensors: Poly.ZERO, fields };
    for (const p of path) cur = cur?.k === 'mod' ? cur.fields.get(p) : undefined;
    return cur;
  }

  private args(call: Node, env: Map<string, SV>, fields: Map<string, SV>): [SV[], Map<string, SV>] {
    const args: SV[] = [];
    const kwargs = new Map<string, SV>();
    const list = call.childForFieldName('arguments');
    // `nn.ModuleList(Block(config) for _ in range(n))`: a generator as the only argument is the
    // call's argument node itself, not an item of an argument list (gpt-fast's 32 blocks were
    // counted as one).
    if (list?.type === 'generator_expression') return [[this.eval(list, env, fields)], kwargs];
    for (const a of list?.namedChildren ?? []) {
      if (!a) continue;
      if (a.type === 'keyword_argument') {
        const k = a.childForFieldName('name')?.text;
        if (k) kwargs.set(k, this.eval(a.childForFieldName('value'), env, fields));
      } else if (a.type === 'list_splat') {
        const inner = this.eval(a.namedChild(0), env, fields);
        if (inner.k === 'list') args.push(...inner.items);
        else args.push(inner);
      } else args.push(this.eval(a, env, fields));
    }
    return [args, kwargs];
  }

  private evalDepth = 0;

  eval(n: Node | null, env: Map<string, SV>, fields: Map<string, SV>): SV {
    if (!n) return UNKNOWN;
    if (this.evalDepth > MAX_EVAL_DEPTH) {
      for (const o of this.open) o.cut = true;
      return UNKNOWN;
    }
    const top = this.open[this.open.length - 1];
    if (top && this.evalDepth > top.evalMax) top.evalMax = this.evalDepth;
    this.evalDepth++;
    try {
      return this.evalNode(n, env, fields);
    } finally {
      this.evalDepth--;
    }
  }

  private evalNode(n: Node, env: Map<string, SV>, fields: Map<string, SV>): SV {
    switch (n.type) {
      case 'integer':
        return { k: 'num', p: Poly.const(Number(n.text.replace(/_/g, ''))) };
      case 'true':
      case 'false':
        return { k: 'bool', v: n.type === 'true' };
      case 'none':
        return { k: 'none' };
      case 'parenthesized_expression':
        return this.eval(n.namedChild(0), env, fields);
      case 'identifier':
        return env.get(n.text) ?? { k: 'num', p: Poly.sym(n.text) };
      case 'attribute': {
        const obj = n.childForFieldName('object');
        const attr = n.childForFieldName('attribute')?.text ?? '';
        if (obj?.type === 'identifier' && obj.text === 'self') return fields.get(attr) ?? UNKNOWN;
        const o = this.eval(obj, env, fields);
        // `c.n_embd` where `c` is a parameter no caller bound (a config named `c`, `gpt_cfg`): a
        // number has no attributes, so the name holds a config and the field is one of its dims.
        const unbound = o.k === 'num' && obj?.type === 'identifier' && o.p.equals(Poly.sym(obj.text));
        if (o.k === 'cfg' || unbound) return this.configDefaults.get(attr) ?? { k: 'num', p: Poly.sym(attr) };
        if (o.k === 'mod') return o.fields.get(attr) ?? UNKNOWN;
        return UNKNOWN;
      }
      case 'binary_operator': {
        const a = this.eval(n.childForFieldName('left'), env, fields);
        const b = this.eval(n.childForFieldName('right'), env, fields);
        const op = n.childForFieldName('operator')?.text;
        // `[input_dim] + h` and `[hidden_dim] * (num_layers - 1)`: the widths of DETR's and SAM's
        // MLPs, zipped into their layers.
        if (op === '+' && a.k === 'list' && b.k === 'list') return { k: 'list', items: [...a.items, ...b.items] };
        if (op === '*' && (a.k === 'list' || b.k === 'list')) {
          const [xs, times] = a.k === 'list' ? [a, b] : [b as Extract<SV, { k: 'list' }>, a];
          const t = times.k === 'num' ? times.p.constValue() : undefined;
          if (t === undefined || !Number.isInteger(t) || xs.items.length * Math.max(0, t) > MAX_LIST) return UNKNOWN;
          return { k: 'list', items: Array.from({ length: Math.max(0, t) }, () => xs.items).flat() };
        }
        if (a.k !== 'num' || b.k !== 'num') return UNKNOWN;
        if (op === '+') return { k: 'num', p: a.p.add(b.p) };
        if (op === '-') return { k: 'num', p: a.p.sub(b.p) };
        if (op === '*') return { k: 'num', p: a.p.mul(b.p) };
        if (op === '//') return { k: 'num', p: a.p.floordiv(b.p) };
        if (op === '/') return { k: 'num', p: a.p.div(b.p) };
        return UNKNOWN;
      }
      case 'conditional_expression': {
        const [a, c, b] = n.namedChildren;
        const cond = this.eval(c, env, fields);
        return cond.k === 'bool' && !cond.v ? this.eval(b, env, fields) : this.eval(a, env, fields);
      }
      case 'list':
      case 'tuple':
        return { k: 'list', items: n.namedChildren.map((c) => this.eval(c, env, fields)) };
      case 'list_comprehension':
      case 'generator_expression': {
        const body = this.eval(n.namedChild(0), env, fields);
        const clause = n.namedChildren.find((c) => c?.type === 'for_in_clause');
        const it = this.eval(clause?.childForFieldName('right') ?? null, env, fields);
        if (it.k === 'list') return this.perItem(n, clause!, it.items, env, fields);
        if (body.k !== 'mod' || it.k !== 'range') return UNKNOWN;
        return { k: 'mod', params: body.params.mul(it.trips), tensors: body.tensors.mul(it.trips), fields: new Map(), ...(body.uncounted ? { uncounted: body.uncounted } : {}) };
      }
      case 'dictionary': {
        const entries = new Map<string, SV>();
        for (const p of n.namedChildren) {
          const key = p?.childForFieldName('key');
          if (p?.type === 'pair' && key?.type === 'string') entries.set(key.text.replace(/^['"]|['"]$/g, ''), this.eval(p.childForFieldName('value'), env, fields));
        }
        return sum(entries);
      }
      case 'call':
        return this.call(n, env, fields);
      default:
        return UNKNOWN;
    }
  }

  /**
   * A comprehension over a list the count knows (`nn.Linear(n, k) for n, k in zip(...)`): its
   * body once per item, the target bound to the item; the modules it makes, summed.
   */
  private perItem(n: Node, clause: Node, items: SV[], env: Map<string, SV>, fields: Map<string, SV>): SV {
    const target = clause.childForFieldName('left');
    const names = target?.type === 'identifier' ? [target] : target?.type === 'pattern_list' || target?.type === 'tuple_pattern' ? target.namedChildren : [];
    if (names.length === 0 || names.some((t) => t?.type !== 'identifier')) return UNKNOWN;
    let params = Poly.ZERO;
    let tensors = Poly.ZERO;
    const uncounted = new Set<string>();
    for (const item of items) {
      const sub = new Map(env);
      if (names.length === 1) sub.set(names[0]!.text, item);
      else if (item.k === 'list' && item.items.length === names.length) names.forEach((t, i) => sub.set(t!.text, item.items[i]));
      else return UNKNOWN;
      const body = this.eval(n.namedChild(0), sub, fields);
      if (body.k !== 'mod') return UNKNOWN;
      params = params.add(body.params);
      tensors = tensors.add(body.tensors);
      for (const u of body.uncounted ?? []) uncounted.add(u);
    }
    return { k: 'mod', params, tensors, fields: new Map(), ...(uncounted.size ? { uncounted: [...uncounted] } : {}) };
  }

  private call(n: Node, env: Map<string, SV>, fields: Map<string, SV>): SV {
    const callee = n.childForFieldName('function');
    const name = callee?.text.split('.').pop() ?? '';
    const [args, kwargs] = this.args(n, env, fields);
    const user = this.classes.get(name);
    if (user && callee?.type === 'identifier') return CONFIG_CLASS.test(name) && !user.init ? { k: 'cfg' } : this.construct(user, args, kwargs);
    if (name === 'range') {
      const [a, b] = args;
      if (args.length === 1 && a.k === 'num') return { k: 'range', trips: a.p };
      if (args.length >= 2 && a.k === 'num' && b.k === 'num' && args.length === 2) return { k: 'range', trips: b.p.sub(a.p) };
      return UNKNOWN;
    }
    if (name === 'int') return args[0] ?? UNKNOWN;
    if (name === 'zip' && args.length > 0 && args.every((a) => a.k === 'list')) {
      const lists = args as Extract<SV, { k: 'list' }>[];
      const n = Math.min(...lists.map((l) => l.items.length));
      return { k: 'list', items: Array.from({ length: n }, (_, i): SV => ({ k: 'list', items: lists.map((l) => l.items[i]) })) };
    }
    if (name === 'dict') return sum(kwargs);
    if (CONTAINERS.test(name)) {
      const items = new Map<string, SV>();
      const flat = args.length === 1 && args[0].k === 'list' ? args[0].items : args;
      flat.forEach((v, i) => items.set(String(i), v));
      if (args.length === 1 && args[0].k === 'mod') return args[0];
      return sum(items);
    }
    if (name === 'Parameter') {
      const shape = tensorShape(n.childForFieldName('arguments')?.namedChild(0) ?? null, this, env, fields);
      if (!shape) return UNKNOWN;
      const p = product(shape);
      return { k: 'mod', params: p, tensors: Poly.ONE, weight: p, fields: new Map() };
    }
    if (isKnownModule(name)) {
      const toArg = (v: SV): ParamArg => (v.k === 'num' ? v.p : v.k === 'bool' ? v.v : v.k === 'list' && v.items.every((i) => i.k === 'num') ? v.items.map((i) => (i as { p: Poly }).p) : undefined);
      const margs: ModuleArgs = { positional: args.map(toArg), keywords: new Map([...kwargs].map(([k, v]) => [k, toArg(v)])) };
      const r = moduleParams(name, margs);
      if (!r) return UNKNOWN;
      return { k: 'mod', params: r.params, tensors: Poly.const(r.tensors), weight: r.weight, fields: new Map() };
    }
    return UNKNOWN;
  }
}

/**
 * A construction's parameters as bound, as a key, when every one is a number, a bool or a config
 * (the values a count of the same class compares equal); undefined otherwise.
 */
function envKey(cls: string, env: Map<string, SV>): string | undefined {
  let k = cls;
  for (const [name, v] of env) {
    if (v.k === 'num') k += `\0${name}=n${v.p.exactKey()}`;
    else if (v.k === 'bool') k += `\0${name}=b${v.v ? 1 : 0}`;
    else if (v.k === 'cfg') k += `\0${name}=c`;
    else return undefined;
  }
  return k;
}

function sum(entries: Map<string, SV>): SV {
  let params = Poly.ZERO;
  let tensors = Poly.ZERO;
  // A container's items are named by what they hold, not by their position or key.
  const uncounted = new Set<string>();
  for (const v of entries.values()) {
    if (v.k !== 'mod') continue;
    params = params.add(v.params);
    tensors = tensors.add(v.tensors);
    for (const u of v.uncounted ?? []) uncounted.add(u);
  }
  return { k: 'mod', params, tensors, fields: entries, ...(uncounted.size ? { uncounted: [...uncounted] } : {}) };
}

/** `self.a.b` → ['a', 'b']; anything not rooted at `self` → undefined. */
function selfPath(n: Node): string[] | undefined {
  if (n.type === 'identifier') return n.text === 'self' ? [] : undefined;
  if (n.type !== 'attribute') return undefined;
  const base = selfPath(n.childForFieldName('object')!);
  const attr = n.childForFieldName('attribute')?.text;
  return base && attr ? [...base, attr] : undefined;
}

/** The shape of `torch.zeros(a, b)`, `torch.randn((a, b))`, `torch.empty(a, b).uniform_()`. */
function tensorShape(n: Node | null, c: Counter, env: Map<string, SV>, fields: Map<string, SV>): Poly[] | undefined {
  let call = n;
  // `torch.randn(d, k) * 0.02` scales values, not the shape.
  while (call?.type === 'binary_operator' || call?.type === 'parenthesized_expression') call = call.type === 'binary_operator' ? call.childForFieldName('left') : call.namedChild(0);
  while (call?.type === 'call' && call.childForFieldName('function')?.type === 'attribute' && !TENSOR_CTORS.test(call.childForFieldName('function')!.childForFieldName('attribute')?.text ?? '')) {
    call = call.childForFieldName('function')!.childForFieldName('object');
  }
  if (call?.type !== 'call') return undefined;
  const name = call.childForFieldName('function')?.text.split('.').pop() ?? '';
  if (!TENSOR_CTORS.test(name) || name === 'tensor' || name === 'arange') return undefined;
  const positional = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a && a.type !== 'keyword_argument') as Node[];
  const vals = positional.map((a) => c.eval(a, env, fields));
  const dims = vals.length === 1 && vals[0].k === 'list' ? vals[0].items : name === 'full' ? (vals[0]?.k === 'list' ? vals[0].items : [vals[0]]) : vals;
  if (dims.length === 0 || dims.some((d) => d?.k !== 'num')) return undefined;
  return dims.map((d) => (d as { p: Poly }).p);
}
