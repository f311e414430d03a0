/**
 * An abstract interpreter of TF.js code over the TypeScript syntax tree. Module-level statements
 * run first (constants, tensors, models); then every module-level function, function-valued
 * constant and class method is analysed once on its own, with what the module holds at its end.
 * Calls into the file are followed with the call site's values (the callee's cost is added to the
 * caller's total; its ops are recorded where the callee is analysed on its own), loops with a known
 * trip count multiply, and a branch whose condition is unknown counts its more expensive side.
 * Anything not understood becomes `unknown` and flows on; a step budget and a call-depth limit keep
 * pathological input from hanging the analysis.
 */
import ts from 'typescript';
import { DType } from '../../core/dtypes';
import { Finding, FunctionSummary, GEMM_KINDS, Range, TensorOp, TensorType, Unmodelled } from '../../core/ir';
import { OpContext, OpResult, numel } from '../../core/ops/types';
import { ManualAttentionSignal } from '../../core/rules/signals';
import { Bindings, Poly } from '../../core/symbolic';
import { BATCH, isLayerType, makeLayer } from './layers';
import { TENSOR_READBACK, TF_OPS, TF_SETUP } from './tfOps';
import { AttentionTag, Closure, ClassValue, Layer, Model, Recorder, Scope, TensorValue, TfValue, UNKNOWN, dimOf, field, intConst, isTensor, strOf, tensorOf } from './values';

const MAX_CALL_DEPTH = 16;
const MAX_STEPS = 400_000;

/** Modules whose names are TF.js. */
const TFJS_MODULE = /^@tensorflow\/tfjs(-core|-layers|-node|-node-gpu|-backend-[\w-]+)?$/;

/** What an imported file of the same folder exports, read through the host's callback. */
export type ModuleReader = (fromPath: string, specifier: string) => { path: string; text: string } | undefined;

/**
 * Imports are followed transitively (main imports train, which imports the model), with bounds:
 * a chain of at most MAX_IMPORT_DEPTH files below the analysed one and MAX_MODULES files read in
 * all, so that a large source tree cannot make one keystroke's analysis read the whole tree.
 */
const MAX_IMPORT_DEPTH = 8;
const MAX_MODULES = 64;

/** Shared by the interpreters of one analysis: files being run (a cycle) and files already run. */
interface ModuleChain {
  depth: number;
  loading: Set<string>;
  done: Map<string, Map<string, TfValue>>;
  /** The host's answers by importing folder and specifier, so that no file is read twice. */
  read: Map<string, { path: string; text: string } | undefined>;
}

export interface InterpreterOptions {
  bindings: Bindings;
  dtype: DType;
  /** Declared shapes by variable or parameter name (`// tensorcost: shape x=(B, 784)`). */
  declared: Map<string, TensorType>;
  readModule?: ModuleReader;
  /** Set on the interpreter of an imported file: where it sits in the chain of imports. */
  chain?: ModuleChain;
}

interface Acc {
  flops: Poly;
  other: Poly;
  bytes: Poly;
  upper: boolean;
  /** Ops run (here or in followed calls) whose cost is unknown: the totals miss them. */
  unknown: number;
  /** A training step ran (`model.fit`, `optimizer.minimize`…): the function reports `trainingFlops`. */
  trains?: boolean;
}

const zeroAcc = (): Acc => ({ flops: Poly.ZERO, other: Poly.ZERO, bytes: Poly.ZERO, upper: false, unknown: 0 });

interface Frame {
  scope: Scope;
  fn: string | null;
  /** Only the function being reported records ops and findings; followed calls only add cost. */
  report: boolean;
  acc: Acc;
  mult: Poly;
  self?: TfValue;
  depth: number;
  returned: boolean;
  ret: TfValue;
  /** Inside `model.fit`, `optimizer.minimize(f)` or `tf.variableGrads(f)`: GEMMs get a backward op. */
  training?: boolean;
}

class BudgetExceeded extends Error {}

interface CallContext {
  args: TfValue[];
  self?: TfValue;
  /** 0-based line of the call, and the function it is in. */
  line: number;
  caller: string | null;
}

interface Standalone {
  ops: TensorOp[];
  findings: Finding[];
  summary: FunctionSummary;
  /** Ops run whose cost is unknown (followed calls included). */
  uncosted: number;
  /** Ops recorded with a known cost. */
  costed: number;
  context?: CallContext;
}

/** Said on the ops of a model where it is built: they are what one call of it costs. */
const BUILT_NOTE = 'as built: one forward pass over a batch of the declared input (the model runs where predict / fit call it)';

interface ModelState {
  layers: Layer[];
  out: TensorType | null;
  input: TensorType | null;
}

interface ModelChange {
  model: Model;
  before: ModelState;
  after: ModelState;
}

const snapshot = (m: Model): ModelState => ({ layers: [...m.layers], out: m.out, input: m.input });

function restore(m: Model, s: ModelState): void {
  m.layers = [...s.layers];
  m.out = s.out;
  m.input = s.input;
}

/** A declared input type with the batch dim of the inputs actually given. */
function withBatch(t: TensorType, batch: Poly | undefined): TensorType {
  return batch && t.shape && t.shape.length > 0 ? { ...t, shape: [batch, ...t.shape.slice(1)] } : t;
}

/** A value worth analysing a callee with: a tensor of known shape, a number, a model or a layer. */
function known(v: TfValue): boolean {
  return (v.kind === 'tensor' && v.type.shape !== null) || v.kind === 'int' || v.kind === 'model' || v.kind === 'layer' || (v.kind === 'list' && v.items.some(known));
}

export class Interpreter {
  readonly ops: TensorOp[] = [];
  readonly findings: Finding[] = [];
  readonly unmodelled: Unmodelled[] = [];
  readonly functions: FunctionSummary[] = [];
  readonly attention: ManualAttentionSignal[] = [];
  /** Module-level names, after the module's statements ran. */
  readonly module: Scope;
  private steps = 0;
  private readonly stack: ts.Node[] = [];
  private readonly standalone = new Set<ts.Node>();
  private readonly seenUnmodelled = new Set<string>();
  private readonly seenAttention = new Set<string>();
  private readonly instances = new Map<ts.Node, TfValue>();
  /** Layers added to sequential models, so that an undecidable branch's can be taken back. */
  private readonly modelLog: ModelChange[] = [];
  private modelSeq = 0;
  /** The first call in the file of each standalone function that passes known values. */
  private readonly contexts = new Map<ts.Node, CallContext>();
  /** Where recorded ops and findings go: the module's, or the standalone function's being analysed. */
  private sink: { ops: TensorOp[]; findings: Finding[] } = { ops: this.ops, findings: this.findings };

  constructor(private readonly sf: ts.SourceFile, private readonly opts: InterpreterOptions) {
    const root = new Scope(null);
    // Scripts loaded with a <script> tag use the global `tf`; an import of its own shadows it.
    root.vars.set('tf', { kind: 'ns', path: '' });
    this.module = new Scope(root);
    this.findStandalone();
  }

  private ctx(dtype?: DType | null): OpContext {
    return { bindings: this.opts.bindings, dtype: dtype ?? this.opts.dtype };
  }

  rangeOf(n: ts.Node): Range {
    const s = this.sf.getLineAndCharacterOfPosition(n.getStart(this.sf));
    const e = this.sf.getLineAndCharacterOfPosition(n.getEnd());
    return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
  }

  // ------------------------------------------------------------------ driver

  /**
   * Runs the module's statements, then analyses each standalone function. A function called in
   * the file with known values (`run()` calling `stack(x)`) is analysed again with the arguments
   * of the first such call, and keeps that analysis when it costs more of its ops; its ops then
   * say which call gave their shapes.
   */
  run(silent = false): void {
    const top: Frame = { scope: this.module, fn: null, report: !silent, acc: zeroAcc(), mult: Poly.ONE, depth: 0, returned: false, ret: UNKNOWN };
    this.guard(() => this.execBlock(this.sf.statements, top));
    if (silent) return;
    const results = new Map<ts.Node, Standalone>();
    for (const node of this.standalone) {
      const r = this.guarded(() => this.analyseStandalone(node as ts.SignatureDeclaration));
      if (r) results.set(node, r);
    }
    // Calls found while analysing one function give contexts to others: a few rounds follow
    // chains of calls (run → stack → Mlp.forward).
    for (let round = 0; round < 3; round++) {
      let changed = false;
      for (const [node, r] of results) {
        const ctx = this.contexts.get(node);
        if (!ctx || r.context) continue;
        const again = this.guarded(() => this.analyseStandalone(node as ts.SignatureDeclaration, ctx));
        // Kept when it leaves fewer ops uncosted, or as few and costs more of them (a model passed
        // in: on its own the function cannot even tell that `model.fit` runs layers).
        if (again && (again.uncosted < r.uncosted || (again.uncosted <= r.uncosted && again.costed > r.costed))) {
          results.set(node, again);
          changed = true;
        }
      }
      if (!changed) break;
    }
    for (const r of results.values()) {
      this.ops.push(...r.ops);
      this.findings.push(...r.findings);
      this.functions.push(r.summary);
    }
  }

  private guarded<T>(f: () => T): T | undefined {
    let out: T | undefined;
    this.guard(() => {
      out = f();
    });
    return out;
  }

  private guard(f: () => void): void {
    this.steps = 0;
    try {
      f();
    } catch (err) {
      // Deep recursion the call-depth limit did not catch is cut like an exhausted budget:
      // what was found so far stands, the rest is unknown.
      if (!(err instanceof BudgetExceeded) && !(err instanceof RangeError)) throw err;
    }
  }

  /** Module-level functions, function-valued constants and methods of module-level classes. */
  private findStandalone(): void {
    for (const st of this.sf.statements) {
      if (ts.isFunctionDeclaration(st) && st.body) this.standalone.add(st);
      else if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) {
          const init = d.initializer && unwrap(d.initializer);
          if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) this.standalone.add(init);
        }
      } else if (ts.isClassDeclaration(st)) {
        for (const m of st.members) if ((ts.isMethodDeclaration(m) || ts.isGetAccessorDeclaration(m)) && m.body) this.standalone.add(m);
      }
    }
  }

  private nameOf(fn: ts.SignatureDeclaration): { name: string; node: ts.Node } | null {
    if (ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn)) {
      const cls = fn.parent;
      const cname = ts.isClassLike(cls) && cls.name ? cls.name.text : 'anonymous';
      return { name: `${cname}.${fn.name.getText(this.sf)}`, node: fn.name };
    }
    if (fn.name) return { name: fn.name.getText(this.sf), node: fn.name };
    const p = fn.parent;
    if (p && ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return { name: p.name.text, node: p.name };
    return null;
  }

  private analyseStandalone(fn: ts.SignatureDeclaration, context?: CallContext): Standalone | undefined {
    const named = this.nameOf(fn);
    if (!named) return undefined;
    let self: TfValue | undefined = context?.self;
    if (!self && ts.isClassLike(fn.parent)) self = this.instanceFor(fn.parent);
    const frame: Frame = { scope: new Scope(this.module), fn: named.name, report: true, acc: zeroAcc(), mult: Poly.ONE, self, depth: 0, returned: false, ret: UNKNOWN };
    const sink = { ops: [] as TensorOp[], findings: [] as Finding[] };
    const saved = this.sink;
    this.sink = sink;
    try {
      this.bindParams(fn, context?.args ?? [], frame);
      const body = (fn as ts.FunctionLikeDeclaration).body;
      if (body) {
        this.stack.push(fn);
        try {
          this.runBody(body, frame);
        } finally {
          this.stack.pop();
        }
      }
    } finally {
      this.sink = saved;
    }
    if (context) for (const op of sink.ops) op.cost = { ...op.cost, notes: [...(op.cost.notes ?? []), `shapes from the call in ${context.caller ?? 'the module'} at line ${context.line + 1}`] };
    return {
      ops: sink.ops,
      findings: sink.findings,
      uncosted: frame.acc.unknown,
      costed: sink.ops.filter((o) => !o.cost.unknown).length,
      context,
      summary: { name: named.name, range: this.rangeOf(fn), nameRange: this.rangeOf(named.node), flops: frame.acc.flops, otherFlops: frame.acc.other, bytes: frame.acc.bytes, upperBound: frame.acc.upper, ...(frame.acc.trains ? { trains: true } : {}) },
    };
  }

  /** A class's representative instance: its constructor run once, silently, on unknown arguments. */
  private instanceFor(cls: ts.ClassLikeDeclaration): TfValue {
    const hit = this.instances.get(cls);
    if (hit) return { ...(hit as { kind: 'object'; fields: Map<string, TfValue> }), fields: new Map((hit as { fields: Map<string, TfValue> }).fields) };
    const c = this.module.lookup(cls.name?.text ?? '');
    const value = c?.kind === 'class' ? this.instantiate(c, [], this.silentFrame()) : UNKNOWN;
    this.instances.set(cls, value);
    return value;
  }

  private silentFrame(): Frame {
    return { scope: this.module, fn: null, report: false, acc: zeroAcc(), mult: Poly.ONE, depth: 0, returned: false, ret: UNKNOWN };
  }

  private step(): void {
    if (++this.steps > MAX_STEPS) throw new BudgetExceeded();
  }

  // ------------------------------------------------------------------ statements

  private hoist(stmts: readonly ts.Statement[], frame: Frame): void {
    for (const st of stmts) {
      if (ts.isFunctionDeclaration(st) && st.name && st.body) frame.scope.vars.set(st.name.text, this.closure(st, frame));
      else if (ts.isClassDeclaration(st) && st.name) frame.scope.vars.set(st.name.text, { kind: 'class', name: st.name.text, node: st, env: frame.scope });
    }
  }

  private execBlock(stmts: readonly ts.Statement[], frame: Frame): void {
    this.hoist(stmts, frame);
    for (const st of stmts) {
      if (frame.returned) return;
      this.exec(st, frame);
    }
  }

  private exec(st: ts.Statement, frame: Frame): void {
    this.step();
    if (ts.isBlock(st)) {
      const inner = { ...frame, scope: new Scope(frame.scope) };
      this.execBlock(st.statements, inner);
      this.propagate(inner, frame);
    } else if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) this.bindPattern(d.name, d.initializer ? this.eval(d.initializer, frame) : UNKNOWN, frame.scope, true);
    } else if (ts.isExpressionStatement(st)) {
      this.eval(st.expression, frame);
    } else if (ts.isReturnStatement(st)) {
      const v = st.expression ? this.eval(st.expression, frame) : UNKNOWN;
      if (frame.ret.kind === 'unknown') frame.ret = v;
      frame.returned = true;
    } else if (ts.isIfStatement(st)) {
      this.execIf(st, frame);
    } else if (ts.isForStatement(st)) {
      this.execFor(st, frame);
    } else if (ts.isForOfStatement(st) || ts.isForInStatement(st)) {
      const it = this.eval(st.expression, frame);
      const inner = { ...frame, scope: new Scope(frame.scope) };
      const items = ts.isForOfStatement(st) && it.kind === 'list' ? it.items : null;
      if (items) inner.mult = frame.mult.mul(Poly.const(items.length));
      const item = items?.[0] ?? UNKNOWN;
      const init = st.initializer;
      if (ts.isVariableDeclarationList(init)) for (const d of init.declarations) this.bindPattern(d.name, item, inner.scope, true);
      else if (ts.isIdentifier(init)) inner.scope.assign(init.text, item);
      if (!items || items.length > 0) this.exec(st.statement, inner);
      this.propagate(inner, frame);
    } else if (ts.isWhileStatement(st) || ts.isDoStatement(st)) {
      // An unknown trip count: the body is counted once.
      this.eval(st.expression, frame);
      const inner = { ...frame, scope: new Scope(frame.scope) };
      this.exec(st.statement, inner);
      this.propagate(inner, frame);
    } else if (ts.isTryStatement(st)) {
      this.exec(st.tryBlock, frame);
      if (st.finallyBlock && !frame.returned) this.exec(st.finallyBlock, frame);
    } else if (ts.isLabeledStatement(st)) {
      this.exec(st.statement, frame);
    } else if (ts.isSwitchStatement(st)) {
      this.execSwitch(st, frame);
    } else if (ts.isImportDeclaration(st)) {
      this.execImport(st, frame);
    } else if (ts.isExportAssignment(st)) {
      frame.scope.vars.set('default', this.eval(st.expression, frame));
    }
  }

  /**
   * A known discriminant runs its case (falling through until a `break`); an unknown one runs
   * the first case with statements, standing for the others (each would build the same model
   * with another layer type, say: running all of them would stack what is exclusive).
   */
  private execSwitch(st: ts.SwitchStatement, frame: Frame): void {
    const d = this.eval(st.expression, frame);
    const clauses = st.caseBlock.clauses;
    let start = -1;
    if (d.kind === 'str' || d.kind === 'int') {
      start = clauses.findIndex((c) => {
        if (!ts.isCaseClause(c)) return false;
        const v = this.eval(c.expression, frame);
        return (v.kind === 'str' && d.kind === 'str' && v.value === d.value) || (v.kind === 'int' && d.kind === 'int' && v.value.equals(d.value));
      });
      if (start < 0) start = clauses.findIndex((c) => ts.isDefaultClause(c));
    } else start = clauses.findIndex((c) => c.statements.length > 0);
    if (start < 0) return;
    const inner = { ...frame, scope: new Scope(frame.scope) };
    for (const c of clauses.slice(start)) {
      const stmts = c.statements.filter((x) => !ts.isBreakStatement(x));
      this.execBlock(stmts, inner);
      if (stmts.length !== c.statements.length || inner.returned) break;
    }
    this.propagate(inner, frame);
  }

  /**
   * A side's FLOPs as a number to compare: unbound dims are taken as 1024 (a typical size), so a
   * side that scales with a dim outweighs one that costs nothing.
   */
  private size(acc: Acc): number {
    const p = acc.flops.add(acc.other);
    const b = new Map(this.opts.bindings);
    for (const s of p.freeSymbols()) if (!b.has(s)) b.set(s, 1024);
    return p.evaluate(b) ?? 0;
  }

  /** What a nested block did to its frame that outlives the block. */
  private propagate(inner: Frame, outer: Frame): void {
    outer.acc = inner.acc;
    if (inner.returned) outer.returned = true;
    if (outer.ret.kind === 'unknown') outer.ret = inner.ret;
  }

  private execIf(st: ts.IfStatement, frame: Frame): void {
    const cond = this.eval(st.expression, frame);
    if (cond.kind === 'bool') {
      const branch = cond.value ? st.thenStatement : st.elseStatement;
      if (branch) this.exec(branch, frame);
      return;
    }
    // Undecidable: both sides run (their ops are recorded), the more expensive one counts. Layers
    // a side adds to a model are taken back before the other side runs (an if / else-if chain
    // choosing the model's type must not stack every choice), and the chosen side's kept.
    const base = frame.acc;
    const sides: Acc[] = [];
    const logs: ModelChange[][] = [];
    let returnedBoth = true;
    for (const branch of [st.thenStatement, st.elseStatement]) {
      const inner: Frame = { ...frame, scope: new Scope(frame.scope), acc: zeroAcc(), returned: false };
      const mark = this.modelLog.length;
      const born = this.modelSeq;
      if (branch) this.exec(branch, inner);
      // Only models that existed before the branch are shared with the other side; one the
      // branch made itself is reached only through what the branch assigned.
      const log = this.modelLog.splice(mark).filter((c) => (c.model.seq ?? 0) < born);
      for (const c of [...log].reverse()) restore(c.model, c.before);
      logs.push(log);
      sides.push(inner.acc);
      returnedBoth &&= inner.returned;
      if (frame.ret.kind === 'unknown') frame.ret = inner.ret;
    }
    const [a, b] = sides;
    const pick = this.size(b) > this.size(a) ? b : a;
    const kept = pick === a ? logs[0] : logs[1];
    for (const c of kept) restore(c.model, c.after);
    this.modelLog.push(...kept);
    const differ = !a.flops.equals(b.flops) || !a.other.equals(b.other) || !a.bytes.equals(b.bytes);
    frame.acc = { flops: base.flops.add(pick.flops), other: base.other.add(pick.other), bytes: base.bytes.add(pick.bytes), upper: base.upper || a.upper || b.upper || differ, unknown: base.unknown + a.unknown + b.unknown, trains: base.trains || a.trains || b.trains };
    if (returnedBoth) frame.returned = true;
  }

  /** `for (let i = a; i < b; i++)`: b − a trips (b − a + 1 with <=); otherwise one. */
  private execFor(st: ts.ForStatement, frame: Frame): void {
    const inner = { ...frame, scope: new Scope(frame.scope) };
    let loopVar: string | undefined;
    let start: TfValue = UNKNOWN;
    if (st.initializer && ts.isVariableDeclarationList(st.initializer)) {
      for (const d of st.initializer.declarations) {
        const v = d.initializer ? this.eval(d.initializer, frame) : UNKNOWN;
        this.bindPattern(d.name, v, inner.scope, true);
        if (ts.isIdentifier(d.name) && loopVar === undefined) {
          loopVar = d.name.text;
          start = v;
        }
      }
    } else if (st.initializer) {
      this.eval(st.initializer, frame);
      const init = unwrap(st.initializer);
      if (ts.isBinaryExpression(init) && ts.isIdentifier(init.left)) {
        loopVar = init.left.text;
        start = inner.scope.lookup(loopVar) ?? UNKNOWN;
      }
    }
    const trips = this.tripsOf(st, loopVar, start, inner);
    if (trips) inner.mult = frame.mult.mul(trips);
    // The loop variable's value differs per trip: unknown inside the body.
    if (loopVar) inner.scope.assign(loopVar, UNKNOWN);
    if (!trips || trips.constValue() !== 0) this.exec(st.statement, inner);
    this.propagate(inner, frame);
  }

  private tripsOf(st: ts.ForStatement, v: string | undefined, start: TfValue, frame: Frame): Poly | null {
    if (!v || start.kind !== 'int' || !st.condition || !st.incrementor) return null;
    const inc = unwrap(st.incrementor);
    const unitStep =
      ((ts.isPostfixUnaryExpression(inc) || ts.isPrefixUnaryExpression(inc)) && inc.operator === ts.SyntaxKind.PlusPlusToken && ts.isIdentifier(inc.operand) && inc.operand.text === v) ||
      (ts.isBinaryExpression(inc) && inc.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken && ts.isIdentifier(inc.left) && inc.left.text === v && intConst(this.eval(inc.right, frame)) === 1);
    if (!unitStep) return null;
    const cond = unwrap(st.condition);
    if (!ts.isBinaryExpression(cond) || !ts.isIdentifier(cond.left) || cond.left.text !== v) return null;
    const op = cond.operatorToken.kind;
    if (op !== ts.SyntaxKind.LessThanToken && op !== ts.SyntaxKind.LessThanEqualsToken) return null;
    const end = this.eval(cond.right, frame);
    if (end.kind !== 'int') return null;
    const n = end.value.sub(start.value).add(op === ts.SyntaxKind.LessThanEqualsToken ? 1 : 0);
    const c = n.constValue();
    return c !== undefined && c < 0 ? Poly.ZERO : n;
  }

  private execImport(st: ts.ImportDeclaration, frame: Frame): void {
    const clause = st.importClause;
    if (!clause || !ts.isStringLiteral(st.moduleSpecifier)) return;
    const spec = st.moduleSpecifier.text;
    const isTf = TFJS_MODULE.test(spec);
    const exports = isTf ? null : this.loadModule(spec);
    const member = (name: string, local: string): TfValue => (isTf ? { kind: 'ns', path: name } : exports?.get(name) ?? { kind: 'unknown', name: local });
    if (clause.name) frame.scope.vars.set(clause.name.text, isTf ? { kind: 'ns', path: '' } : exports?.get('default') ?? UNKNOWN);
    const nb = clause.namedBindings;
    if (nb && ts.isNamespaceImport(nb)) frame.scope.vars.set(nb.name.text, isTf ? { kind: 'ns', path: '' } : exports ? { kind: 'object', fields: exports } : UNKNOWN);
    else if (nb) for (const el of nb.elements) frame.scope.vars.set(el.name.text, member((el.propertyName ?? el.name).text, el.name.text));
  }

  /**
   * A relative import, run silently through the host's reader; its exports by name. The imported
   * file's own imports are followed the same way, each file run once per analysis. A file met
   * again while it is still running (an import cycle) gives no names, as an unread import does:
   * its names stay unknown rather than half-initialised.
   */
  private loadModule(spec: string): Map<string, TfValue> | null {
    if (!this.opts.readModule || !spec.startsWith('.') || this.stack.length > 0) return null;
    const chain = this.opts.chain ?? { depth: 0, loading: new Set([this.sf.fileName]), done: new Map(), read: new Map() };
    if (chain.depth >= MAX_IMPORT_DEPTH) return null;
    const key = `${this.sf.fileName.replace(/[^/\\]*$/, '')}\0${spec}`;
    if (!chain.read.has(key)) chain.read.set(key, this.opts.readModule(this.sf.fileName, spec));
    const file = chain.read.get(key);
    if (!file) return null;
    const seen = chain.done.get(file.path);
    if (seen) return seen;
    if (chain.loading.has(file.path) || chain.loading.size + chain.done.size >= MAX_MODULES + 1) return null;
    chain.loading.add(file.path);
    const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, /\.(tsx|jsx)$/.test(file.path) ? ts.ScriptKind.TSX : /\.(ts|mts|cts)$/.test(file.path) ? ts.ScriptKind.TS : ts.ScriptKind.JS);
    const sub = new Interpreter(sf, { ...this.opts, chain: { ...chain, depth: chain.depth + 1 } });
    sub.run(true);
    const out = sub.exports();
    chain.loading.delete(file.path);
    chain.done.set(file.path, out);
    return out;
  }

  /** The module's exports after it ran: declarations, `export {a as b}`, re-exports, default. */
  private exports(): Map<string, TfValue> {
    const out = new Map<string, TfValue>();
    const local = (name: string): TfValue => this.module.lookup(name) ?? UNKNOWN;
    for (const st of this.sf.statements) {
      const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
      const exported = mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      const isDefault = mods?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (exported && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
        out.set(isDefault ? 'default' : st.name.text, local(st.name.text));
      }
      if (exported && ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) out.set(d.name.text, local(d.name.text));
      if (ts.isExportAssignment(st)) out.set('default', local('default'));
      if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
        // `export {a, b as c}` names this module's bindings; with `from './x'` the other file's.
        const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? this.loadModule(st.moduleSpecifier.text) : undefined;
        if (st.moduleSpecifier && !from) continue;
        const clause = st.exportClause;
        if (!clause) {
          for (const [k, v] of from ?? []) if (k !== 'default' && !out.has(k)) out.set(k, v);
        } else if (ts.isNamedExports(clause)) {
          for (const el of clause.elements) {
            const name = (el.propertyName ?? el.name).text;
            out.set(el.name.text, from ? from.get(name) ?? UNKNOWN : local(name));
          }
        } else if (from) {
          out.set(clause.name.text, { kind: 'object', fields: from });
        }
      }
    }
    return out;
  }

  // ------------------------------------------------------------------ bindings

  private bindName(name: string, v: TfValue, scope: Scope, declare: boolean): void {
    const d = this.opts.declared.get(name);
    const value = d ? tensorOf(d.shape, d.dtype ?? (isTensor(v) ? v.type.dtype : null), { text: name }) : isTensor(v) && !v.text ? { ...v, text: name } : v;
    if (declare) scope.vars.set(name, value);
    else scope.assign(name, value);
  }

  /** `x`, `[a, b] = list`, `{units, inputShape: shape = [1]} = cfg`. */
  private bindPattern(p: ts.BindingName, v: TfValue, scope: Scope, declare: boolean, frame?: Frame): void {
    if (ts.isIdentifier(p)) return this.bindName(p.text, v, scope, declare);
    if (ts.isArrayBindingPattern(p)) {
      p.elements.forEach((el, i) => {
        if (ts.isOmittedExpression(el)) return;
        let item: TfValue = v.kind === 'list' ? v.items[i] ?? UNKNOWN : UNKNOWN;
        if (el.dotDotDotToken) item = v.kind === 'list' ? { kind: 'list', items: v.items.slice(i) } : UNKNOWN;
        if (item.kind === 'unknown' && el.initializer && frame) item = this.eval(el.initializer, frame);
        this.bindPattern(el.name, item, scope, declare, frame);
      });
      return;
    }
    for (const el of p.elements) {
      const key = el.propertyName ? propName(el.propertyName) : ts.isIdentifier(el.name) ? el.name.text : undefined;
      let item = key ? this.member(v, key) : UNKNOWN;
      if (item.kind === 'unknown' && el.initializer) item = this.eval(el.initializer, frame ?? this.silentFrame());
      if (item.kind === 'unknown' && !item.name && key) item = { kind: 'unknown', name: key };
      this.bindPattern(el.name, item, scope, declare, frame);
    }
  }

  private bindParams(fn: ts.SignatureDeclaration, args: TfValue[], frame: Frame): void {
    fn.parameters.forEach((p, i) => {
      let v: TfValue = p.dotDotDotToken ? { kind: 'list', items: args.slice(i) } : args[i] ?? UNKNOWN;
      if (v.kind === 'unknown' && p.initializer) v = this.eval(p.initializer, frame);
      // An unseen argument keeps the parameter's name: used as a number it is a dim of that name.
      if (v.kind === 'unknown' && !v.name && ts.isIdentifier(p.name)) v = { kind: 'unknown', name: p.name.text };
      this.bindPattern(p.name, v, frame.scope, true, frame);
    });
  }

  private closure(node: ts.SignatureDeclaration, frame: Frame): Closure {
    const named = ts.isFunctionDeclaration(node) || ts.isFunctionExpression(node) ? node.name?.text ?? null : null;
    return { kind: 'fn', name: named, node, env: frame.scope, self: ts.isArrowFunction(node) ? frame.self : undefined, standalone: this.standalone.has(node) };
  }

  // ------------------------------------------------------------------ expressions

  eval(e: ts.Expression, frame: Frame): TfValue {
    this.step();
    e = unwrap(e);
    switch (e.kind) {
      case ts.SyntaxKind.TrueKeyword:
        return { kind: 'bool', value: true };
      case ts.SyntaxKind.FalseKeyword:
        return { kind: 'bool', value: false };
      case ts.SyntaxKind.ThisKeyword:
        return frame.self ?? UNKNOWN;
      case ts.SyntaxKind.NullKeyword:
        return UNKNOWN;
    }
    if (ts.isNumericLiteral(e)) return { kind: 'int', value: Poly.const(Number(e.text)) };
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { kind: 'str', value: e.text };
    if (ts.isIdentifier(e)) return frame.scope.lookup(e.text) ?? (e.text === 'undefined' ? UNKNOWN : { kind: 'unknown', name: e.text });
    if (ts.isArrayLiteralExpression(e)) {
      const items: TfValue[] = [];
      for (const x of e.elements) {
        if (ts.isSpreadElement(x)) {
          const s = this.eval(x.expression, frame);
          if (s.kind !== 'list') return { kind: 'unknown' };
          items.push(...s.items);
        } else if (!ts.isOmittedExpression(x)) items.push(this.eval(x, frame));
      }
      return { kind: 'list', items };
    }
    if (ts.isObjectLiteralExpression(e)) return this.evalObject(e, frame);
    if (ts.isPrefixUnaryExpression(e)) {
      const v = this.eval(e.operand, frame);
      if (e.operator === ts.SyntaxKind.MinusToken && v.kind === 'int') return { kind: 'int', value: v.value.neg() };
      if (e.operator === ts.SyntaxKind.PlusToken) return v;
      if (e.operator === ts.SyntaxKind.ExclamationToken && v.kind === 'bool') return { kind: 'bool', value: !v.value };
      return UNKNOWN;
    }
    if (ts.isPostfixUnaryExpression(e)) return UNKNOWN;
    if (ts.isBinaryExpression(e)) return this.evalBinary(e, frame);
    if (ts.isConditionalExpression(e)) {
      const c = this.eval(e.condition, frame);
      if (c.kind === 'bool') return this.eval(c.value ? e.whenTrue : e.whenFalse, frame);
      const a = this.eval(e.whenTrue, frame);
      const b = this.eval(e.whenFalse, frame);
      return a.kind !== 'unknown' ? a : b;
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.closure(e, frame);
    if (ts.isClassExpression(e)) return { kind: 'class', name: e.name?.text ?? 'anonymous', node: e, env: frame.scope };
    if (ts.isPropertyAccessExpression(e)) {
      const obj = this.eval(e.expression, frame);
      const v = this.member(obj, e.name.text);
      // `config.units` of an unseen config: a named unknown, a dim if used as one.
      return v.kind === 'unknown' && (obj.kind === 'unknown' || obj.kind === 'object') && !v.name ? { kind: 'unknown', name: e.getText(this.sf).replace(/^this\./, '') } : v;
    }
    if (ts.isElementAccessExpression(e)) return this.evalElement(e, frame);
    if (ts.isCallExpression(e)) return this.evalCall(e, frame);
    if (ts.isNewExpression(e)) {
      const c = this.eval(e.expression, frame);
      const args = (e.arguments ?? []).map((a) => this.eval(a, frame));
      return c.kind === 'class' ? this.instantiate(c, args, frame) : UNKNOWN;
    }
    if (ts.isTemplateExpression(e)) return { kind: 'str', value: '' };
    return UNKNOWN;
  }

  private evalObject(e: ts.ObjectLiteralExpression, frame: Frame): TfValue {
    const fields = new Map<string, TfValue>();
    const obj: TfValue = { kind: 'object', fields };
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p)) {
        const k = propName(p.name);
        if (k !== undefined) fields.set(k, this.eval(p.initializer, frame));
      } else if (ts.isShorthandPropertyAssignment(p)) {
        fields.set(p.name.text, frame.scope.lookup(p.name.text) ?? UNKNOWN);
      } else if (ts.isSpreadAssignment(p)) {
        const s = this.eval(p.expression, frame);
        if (s.kind === 'object') for (const [k, v] of s.fields) fields.set(k, v);
      } else if (ts.isMethodDeclaration(p)) {
        const k = propName(p.name);
        if (k !== undefined) fields.set(k, { ...this.closure(p, frame), self: obj });
      }
    }
    return obj;
  }

  private evalBinary(e: ts.BinaryExpression, frame: Frame): TfValue {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const v = this.eval(e.right, frame);
      this.assignTo(e.left, v, frame);
      return v;
    }
    if (op === ts.SyntaxKind.PlusEqualsToken || op === ts.SyntaxKind.MinusEqualsToken || op === ts.SyntaxKind.AsteriskEqualsToken) {
      const cur = this.eval(e.left, frame);
      const r = this.eval(e.right, frame);
      const v = cur.kind === 'int' && r.kind === 'int' ? { kind: 'int' as const, value: op === ts.SyntaxKind.PlusEqualsToken ? cur.value.add(r.value) : op === ts.SyntaxKind.MinusEqualsToken ? cur.value.sub(r.value) : cur.value.mul(r.value) } : UNKNOWN;
      this.assignTo(e.left, v, frame);
      return v;
    }
    const a = this.eval(e.left, frame);
    if (op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
      const b = this.eval(e.right, frame);
      return a.kind !== 'unknown' && !(a.kind === 'bool' && !a.value) ? a : b;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const b = this.eval(e.right, frame);
      return a.kind === 'bool' && !a.value ? a : b;
    }
    const b0 = this.eval(e.right, frame);
    // JavaScript has no operator overloading: arithmetic operands are numbers (or strings).
    const arith = a.kind !== 'str' && b0.kind !== 'str' && (a.kind === 'int' || b0.kind === 'int' || (a.kind === 'unknown' && b0.kind === 'unknown'));
    const x0 = arith ? dimOf(a) : null;
    const y0 = arith ? dimOf(b0) : null;
    const b = b0;
    if (x0 && y0) {
      const x = x0;
      const y = y0;
      const cx = x.constValue();
      const cy = y.constValue();
      switch (op) {
        case ts.SyntaxKind.PlusToken: return { kind: 'int', value: x.add(y) };
        case ts.SyntaxKind.MinusToken: return { kind: 'int', value: x.sub(y) };
        case ts.SyntaxKind.AsteriskToken: return { kind: 'int', value: x.mul(y) };
        case ts.SyntaxKind.SlashToken:
          if (y.isZero()) return UNKNOWN;
          if (cx !== undefined && cy !== undefined && cy !== 0 && !Number.isInteger(cx / cy)) return { kind: 'int', value: Poly.const(cx / cy) };
          return { kind: 'int', value: x.div(y) };
        case ts.SyntaxKind.PercentToken: return { kind: 'int', value: x.mod(y) };
        case ts.SyntaxKind.AsteriskAsteriskToken: return cy !== undefined && Number.isInteger(cy) && cy >= 0 ? { kind: 'int', value: x.pow(cy) } : UNKNOWN;
      }
      if (cx !== undefined && cy !== undefined) {
        switch (op) {
          case ts.SyntaxKind.LessThanToken: return { kind: 'bool', value: cx < cy };
          case ts.SyntaxKind.LessThanEqualsToken: return { kind: 'bool', value: cx <= cy };
          case ts.SyntaxKind.GreaterThanToken: return { kind: 'bool', value: cx > cy };
          case ts.SyntaxKind.GreaterThanEqualsToken: return { kind: 'bool', value: cx >= cy };
          case ts.SyntaxKind.EqualsEqualsEqualsToken: case ts.SyntaxKind.EqualsEqualsToken: return { kind: 'bool', value: cx === cy };
          case ts.SyntaxKind.ExclamationEqualsEqualsToken: case ts.SyntaxKind.ExclamationEqualsToken: return { kind: 'bool', value: cx !== cy };
        }
      }
    }
    if (a.kind === 'str' && b.kind === 'str') {
      if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) return { kind: 'bool', value: a.value === b.value };
      if (op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken) return { kind: 'bool', value: a.value !== b.value };
    }
    return UNKNOWN;
  }

  private assignTo(target: ts.Expression, v: TfValue, frame: Frame): void {
    target = unwrap(target);
    if (ts.isIdentifier(target)) this.bindName(target.text, v, frame.scope, false);
    else if (ts.isPropertyAccessExpression(target)) {
      const obj = this.eval(target.expression, frame);
      if (obj.kind === 'object') obj.fields.set(target.name.text, isTensor(v) && !v.text ? { ...v, text: target.getText(this.sf) } : v);
    } else if (ts.isElementAccessExpression(target)) {
      const obj = this.eval(target.expression, frame);
      const k = this.eval(target.argumentExpression, frame);
      if (obj.kind === 'object' && k.kind === 'str') obj.fields.set(k.value, v);
      else if (obj.kind === 'list' && intConst(k) !== undefined) obj.items[intConst(k)!] = v;
    } else if (ts.isArrayLiteralExpression(target)) {
      target.elements.forEach((el, i) => this.assignTo(el, v.kind === 'list' ? v.items[i] ?? UNKNOWN : UNKNOWN, frame));
    } else if (ts.isObjectLiteralExpression(target)) {
      for (const p of target.properties) {
        if (ts.isShorthandPropertyAssignment(p)) this.bindName(p.name.text, this.member(v, p.name.text), frame.scope, false);
        else if (ts.isPropertyAssignment(p)) {
          const k = propName(p.name);
          if (k) this.assignTo(p.initializer, this.member(v, k), frame);
        }
      }
    }
  }

  /** `v.name`: tensor attributes, object fields and methods, namespaces, list lengths. */
  member(v: TfValue, name: string): TfValue {
    switch (v.kind) {
      case 'ns':
        return { kind: 'ns', path: v.path ? `${v.path}.${name}` : name };
      case 'tensor': {
        const s = v.type.shape;
        if (name === 'shape') return s ? { kind: 'list', items: s.map((d) => ({ kind: 'int', value: d })) } : UNKNOWN;
        if (name === 'rank') return s ? { kind: 'int', value: Poly.const(s.length) } : UNKNOWN;
        if (name === 'size') return s ? { kind: 'int', value: numel(s) } : UNKNOWN;
        return UNKNOWN;
      }
      case 'object': {
        const f = v.fields.get(name);
        if (f) return f;
        const m = v.cls ? this.methodOf(v.cls, name) : undefined;
        return m ? { ...this.closure(m, { scope: v.cls!.env } as Frame), self: v, standalone: this.standalone.has(m) } : UNKNOWN;
      }
      case 'list':
        return name === 'length' ? { kind: 'int', value: Poly.const(v.items.length) } : UNKNOWN;
      case 'str':
        return name === 'length' ? { kind: 'int', value: Poly.const(v.value.length) } : UNKNOWN;
      case 'model':
        if (name === 'layers') return { kind: 'list', items: v.layers };
        if (name === 'inputs' && v.inputs) return { kind: 'list', items: v.inputs };
        if (name === 'outputs' && v.outputs) return { kind: 'list', items: v.outputs };
        return UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  private methodOf(cls: ClassValue, name: string): ts.MethodDeclaration | undefined {
    for (const m of cls.node.members) if (ts.isMethodDeclaration(m) && m.body && propName(m.name) === name) return m;
    const base = this.baseOf(cls);
    return base ? this.methodOf(base, name) : undefined;
  }

  private baseOf(cls: ClassValue): ClassValue | undefined {
    const h = cls.node.heritageClauses?.find((c) => c.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    if (!h) return undefined;
    const b = this.eval(h.expression, { scope: cls.env, fn: null, report: false, acc: zeroAcc(), mult: Poly.ONE, depth: 0, returned: false, ret: UNKNOWN });
    return b.kind === 'class' ? b : undefined;
  }

  private evalElement(e: ts.ElementAccessExpression, frame: Frame): TfValue {
    const obj = this.eval(e.expression, frame);
    const k = this.eval(e.argumentExpression, frame);
    if (obj.kind === 'list') {
      const i = intConst(k);
      if (i === undefined) return obj.items.length > 0 && obj.items.every((x) => x.kind === obj.items[0].kind && x.kind !== 'int') ? obj.items[0] : UNKNOWN;
      return obj.items[i < 0 ? obj.items.length + i : i] ?? UNKNOWN;
    }
    if (k.kind === 'str') return this.member(obj, k.value);
    // `xTrain.shape[1]` of an unseen tensor: a dim named after the expression.
    if (obj.kind === 'unknown' && obj.name && intConst(k) !== undefined) return { kind: 'unknown', name: `${obj.name}[${intConst(k)}]` };
    return UNKNOWN;
  }

  // ------------------------------------------------------------------ calls

  private evalCall(e: ts.CallExpression, frame: Frame): TfValue {
    const callee = unwrap(e.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const recv = this.eval(callee.expression, frame);
      const m = callee.name.text;
      const args = () => e.arguments.map((a) => this.eval(a, frame));
      switch (recv.kind) {
        case 'ns':
          return this.callTf(recv.path ? `${recv.path}.${m}` : m, args(), e, frame);
        case 'tensor':
          return this.callTensorMethod(recv, m, args(), e, frame);
        case 'layer':
          if (m === 'apply' || m === 'call') return this.applyLayer(recv, args()[0], e, frame);
          args();
          return UNKNOWN;
        case 'model':
          return this.callModel(recv, m, args(), e, frame);
        case 'object': {
          const f = this.member(recv, m);
          if (f.kind === 'fn') return this.callClosure(f, args(), frame, e);
          // A custom layer (a class extending tf.layers.Layer) applied: its `call` runs.
          if (m === 'apply' && recv.cls) {
            const call = this.member(recv, 'call');
            if (call.kind === 'fn') return this.callClosure(call, args(), frame);
          }
          if (f.kind === 'model' || f.kind === 'layer') return UNKNOWN;
          break;
        }
        case 'list':
          return this.callListMethod(recv, m, args(), frame);
        case 'fn':
          if (m === 'call') return this.callClosure(recv, args().slice(1), frame);
          if (m === 'apply') return this.callClosure(recv, (args()[1] as { items?: TfValue[] }).items ?? [], frame);
          break;
        case 'unknown':
          if (recv.name === 'Math') return mathCall(m, args());
          // `inputXs.conv2d(...)` on an unseen value: a name only tensors have makes it a tensor.
          if (TENSOR_ONLY.test(m) && !JS_GLOBALS.has(recv.name?.split('.')[0] ?? '')) return this.callTensorMethod(tensorOf(null, null, { text: recv.name }), m, args(), e, frame);
          break;
      }
      return this.callUnknown(args(), frame);
    }
    const f = this.eval(callee, frame);
    const args = e.arguments.map((a) => this.eval(a, frame));
    if (f.kind === 'ns') return this.callTf(f.path, args, e, frame);
    if (f.kind === 'fn') return this.callClosure(f, args, frame, e);
    if (f.kind === 'layer') return this.applyLayer(f, args[0], e, frame);
    if (ts.isIdentifier(callee) && callee.text === 'require' && args[0]?.kind === 'str') {
      if (TFJS_MODULE.test(args[0].value)) return { kind: 'ns', path: '' };
      const ex = this.loadModule(args[0].value);
      return ex ? { kind: 'object', fields: ex } : UNKNOWN;
    }
    return this.callUnknown(args, frame);
  }

  /** Callbacks passed to code we cannot see run once, so that their ops are found. */
  private callUnknown(args: TfValue[], frame: Frame): TfValue {
    for (const a of args) if (a.kind === 'fn' && !a.standalone) this.callClosure(a, [], frame);
    return UNKNOWN;
  }

  private callListMethod(list: Extract<TfValue, { kind: 'list' }>, m: string, args: TfValue[], frame: Frame): TfValue {
    if (m === 'push') {
      list.items.push(...args);
      return { kind: 'int', value: Poly.const(list.items.length) };
    }
    if (m === 'concat') return { kind: 'list', items: [...list.items, ...args.flatMap((a) => (a.kind === 'list' ? a.items : [a]))] };
    if (m === 'slice') return { kind: 'list', items: list.items.slice(intConst(args[0]) ?? 0, intConst(args[1])) };
    const fn = args[0];
    if ((m === 'map' || m === 'forEach' || m === 'reduce' || m === 'flatMap' || m === 'filter') && fn?.kind === 'fn') {
      // One run stands for every item: the cost is multiplied by the length.
      const inner: Frame = { ...frame, mult: frame.mult.mul(Poly.const(list.items.length)) };
      if (list.items.length === 0) return m === 'reduce' ? args[1] ?? UNKNOWN : { kind: 'list', items: [] };
      const r = m === 'reduce' ? this.callClosure(fn, [args[1] ?? list.items[0], list.items[0], { kind: 'int', value: Poly.ZERO }], inner) : this.callClosure(fn, [list.items[0], { kind: 'int', value: Poly.ZERO }], inner);
      frame.acc = inner.acc;
      if (m === 'map') return { kind: 'list', items: list.items.map(() => r) };
      return m === 'reduce' ? r : UNKNOWN;
    }
    return UNKNOWN;
  }

  callClosure(fn: Closure, args: TfValue[], frame: Frame, site?: ts.Node): TfValue {
    if (frame.depth >= MAX_CALL_DEPTH || this.stack.includes(fn.node)) return UNKNOWN;
    if (fn.standalone && site && !this.contexts.has(fn.node) && fn.node.getSourceFile() === this.sf && args.some(known)) {
      this.contexts.set(fn.node, { args, self: fn.self, line: this.sf.getLineAndCharacterOfPosition(site.getStart(this.sf)).line, caller: frame.fn });
    }
    const inner: Frame = {
      scope: new Scope(fn.env),
      fn: fn.standalone ? this.nameOf(fn.node)?.name ?? frame.fn : frame.fn,
      report: fn.standalone ? false : frame.report,
      acc: frame.acc,
      mult: frame.mult,
      self: fn.self ?? (ts.isArrowFunction(fn.node) ? frame.self : undefined),
      depth: frame.depth + 1,
      returned: false,
      ret: UNKNOWN,
      training: frame.training,
    };
    this.bindParams(fn.node, args, inner);
    const body = (fn.node as ts.FunctionLikeDeclaration).body;
    if (!body) return UNKNOWN;
    this.stack.push(fn.node);
    try {
      this.runBody(body, inner);
    } finally {
      this.stack.pop();
    }
    frame.acc = inner.acc;
    return inner.ret;
  }

  private runBody(body: ts.ConciseBody, frame: Frame): void {
    if (ts.isBlock(body)) this.execBlock(body.statements, frame);
    else frame.ret = this.eval(body, frame);
  }

  instantiate(cls: ClassValue, args: TfValue[], frame: Frame): TfValue {
    const obj: TfValue = { kind: 'object', fields: new Map(), cls };
    if (frame.depth >= MAX_CALL_DEPTH) return obj;
    frame = { ...frame, depth: frame.depth + 1 };
    const ctor = this.constructorOf(cls);
    if (ctor) this.callClosure({ kind: 'fn', name: null, node: ctor, env: cls.env, self: obj, standalone: false }, args, { ...frame, report: false });
    // Class fields with initialisers (`w = tf.variable(...)`).
    for (const m of cls.node.members) if (ts.isPropertyDeclaration(m) && m.initializer) {
      const k = propName(m.name);
      if (k && !obj.fields.has(k)) obj.fields.set(k, this.eval(m.initializer, { ...frame, report: false, self: obj, scope: new Scope(cls.env) }));
    }
    return obj;
  }

  private constructorOf(cls: ClassValue): ts.ConstructorDeclaration | undefined {
    for (const m of cls.node.members) if (ts.isConstructorDeclaration(m) && m.body) return m;
    const base = this.baseOf(cls);
    return base ? this.constructorOf(base) : undefined;
  }

  // ------------------------------------------------------------------ TF.js

  /**
   * Records an op. In a training step (`model.fit`, `optimizer.minimize`…) only the forward is
   * recorded and counted, as in Python: the function is marked as training, and the engine reports
   * its `trainingFlops` beside the forward `flops`, with the backward of GEMM-class work as twice
   * its forward (input and weight gradients), so a step is 3× forward (docs/whole-program.md).
   */
  private recordOp(r: OpResult, inputs: TensorType[], node: ts.Node, name: string, frame: Frame, extra: Poly = Poly.ONE): void {
    if (frame.training && GEMM_KINDS.has(r.kind) && !r.cost.unknown && !r.error) {
      frame.acc.trains = true;
      const notes = [...(r.cost.notes ?? []), 'trained: its backward (≈ 2× these FLOPs) is in the function\'s training FLOPs'];
      r = { ...r, cost: { ...r.cost, notes } };
    }
    this.recordOne(r, inputs, node, name, frame, extra);
  }

  private recordOne(r: OpResult, inputs: TensorType[], node: ts.Node, name: string, frame: Frame, extra: Poly): void {
    const m = frame.mult.mul(extra);
    // An op with a shape error has no trustworthy cost: it adds nothing to the totals.
    const cost = r.error ? { ...r.cost, unknown: true } : r.cost;
    if (cost.unknown) frame.acc.unknown++;
    else {
      frame.acc.flops = frame.acc.flops.add(cost.flops.mul(m));
      frame.acc.other = frame.acc.other.add(cost.otherFlops.mul(m));
      frame.acc.bytes = frame.acc.bytes.add(cost.bytes.mul(m));
    }
    if (!frame.report) return;
    const range = this.rangeOf(node);
    this.sink.ops.push({ kind: r.kind, name, range, function: frame.fn, inputs, output: r.output, dtype: r.output.dtype ?? this.opts.dtype, cost, attrs: r.attrs, repeat: m.equals(Poly.ONE) ? undefined : m });
    if (r.error) this.sink.findings.push({ code: 'TC002', severity: 'error', message: r.error, range });
  }

  private noteUnmodelled(name: string, node: ts.Node, frame: Frame): void {
    if (!frame.report) return;
    const range = this.rangeOf(node);
    const key = `${name}@${range.start.line}:${range.start.character}`;
    if (this.seenUnmodelled.has(key)) return;
    this.seenUnmodelled.add(key);
    this.unmodelled.push({ name, range });
  }

  private callTf(path: string, args: TfValue[], e: ts.CallExpression, frame: Frame): TfValue {
    if (path === 'tidy') {
      const f = args.find((a) => a.kind === 'fn');
      return f?.kind === 'fn' ? this.callClosure(f, [], frame) : UNKNOWN;
    }
    if (/^train\.\w+$/.test(path)) return { kind: 'ns', path: 'optimizer' };
    if (path === 'optimizer.minimize' || path === 'variableGrads' || path === 'valueAndGrads' || path === 'valueAndGrad') {
      // One training step of the loss function: its forward ops, and a backward op per GEMM.
      const f = args.find((a) => a.kind === 'fn');
      return f?.kind === 'fn' ? this.callClosure(f, [], { ...frame, training: true }) : UNKNOWN;
    }
    if (path === 'sequential') return this.sequential(args[0], e, frame);
    if (path === 'model') return this.functional(args[0]);
    if (path === 'input' || path === 'layers.input') {
      const cfg = args[0];
      const shape = field(cfg, 'shape');
      const bs = field(cfg, 'batchShape');
      const dims = shape?.kind === 'list' ? [Poly.sym(BATCH), ...listDims(shape)] : bs?.kind === 'list' ? listDims(bs, true) : null;
      const id = this.inputIds++;
      return tensorOf(dims && dims.every((d) => d !== null) ? (dims as Poly[]) : null, strOf(field(cfg, 'dtype')) === 'int32' ? 'int32' : null, { src: { input: id } });
    }
    if (path.startsWith('layers.')) {
      const type = path.slice('layers.'.length);
      if (!isLayerType(type)) this.noteUnmodelled(`tf.${path}`, e, frame);
      return makeLayer(type, args[0], e);
    }
    const h = TF_OPS[path];
    if (h) return this.runOp(path, h, args, e, frame);
    if (!TF_SETUP.test(path)) this.noteUnmodelled(`tf.${path}`, e, frame);
    return this.callUnknown(args, frame);
  }

  private inputIds = 0;

  private callTensorMethod(recv: TensorValue, m: string, args: TfValue[], e: ts.CallExpression, frame: Frame): TfValue {
    if (TENSOR_READBACK.has(m)) return UNKNOWN;
    if (m === 'clone' || m === 'variable') return recv;
    const h = TF_OPS[m];
    if (h) return this.runOp(m, h, [recv, ...args], e, frame);
    this.noteUnmodelled(`Tensor.${m}`, e, frame);
    return tensorOf(null, recv.type.dtype);
  }

  private runOp(name: string, h: (typeof TF_OPS)[string], args: TfValue[], e: ts.CallExpression, frame: Frame): TfValue {
    const callName = e.expression.getText(this.sf).replace(/\s+/g, '');
    const out = h({ args, ctx: this.ctx(), record: (r, inputs) => {
      this.recordOp(r, inputs, e, callName, frame);
      return tensorOf(r.output.shape, r.output.dtype);
    } });
    if (isTensor(out)) this.trackAttention(name, args, out, e, frame);
    return out;
  }

  /**
   * Hand-written attention, followed through the values: a matMul with a transposed second
   * operand makes scores; scaling, masking and dropout keep them scores; a softmax makes them
   * probabilities; a matMul of probabilities with values is the output (TC201 / TC202).
   */
  private trackAttention(name: string, args: TfValue[], out: TensorValue, e: ts.CallExpression, frame: Frame): void {
    const tags = args.filter(isTensor).map((a) => a.attention).filter((t): t is AttentionTag => !!t);
    const text = (i: number) => {
      const a = args[i];
      return (isTensor(a) && a.text) || (e.arguments[i - (args.length - e.arguments.length)]?.getText(this.sf) ?? '?');
    };
    if (name === 'transpose') {
      out.text = `${text(0)}ᵀ`;
      (out as TensorValue & { transposed?: boolean }).transposed = true;
      return;
    }
    if (name === 'matMul') {
      const [a, b, , tb] = args;
      if (isTensor(a) && a.attention?.stage === 'probs') {
        const t = a.attention;
        const key = `${t.scores.start.line}:${t.scores.start.character}`;
        if (frame.report && t.softmax && !this.seenAttention.has(key)) {
          this.seenAttention.add(key);
          this.attention.push({ scores: t.scores, softmax: t.softmax, output: this.rangeOf(e), q: t.q, k: t.k, v: text(1), causal: t.masked, scale: t.scaled ? 'default' : 'none', indent: '', framework: 'tfjs', sdpaCallee: '' });
        }
        return;
      }
      const transposed = (tb?.kind === 'bool' && tb.value) || (isTensor(b) && (b as TensorValue & { transposed?: boolean }).transposed);
      if (transposed && isTensor(a) && isTensor(b) && a.type.shape && a.type.shape.length >= 2) {
        out.attention = { stage: 'scores', scores: this.rangeOf(e), q: text(0), k: text(1).replace(/ᵀ$/, ''), scaled: false, masked: false };
      }
      return;
    }
    const tag = tags[0];
    if (!tag) return;
    if (name === 'softmax' && tag.stage === 'scores') out.attention = { ...tag, stage: 'probs', softmax: this.rangeOf(e) };
    else if (name === 'dropout') out.attention = tag;
    else if (['div', 'mul'].includes(name)) out.attention = { ...tag, scaled: true };
    else if (['add', 'sub', 'where', 'maximum', 'minimum'].includes(name)) out.attention = { ...tag, masked: true };
  }

  // ------------------------------------------------------------------ layers and models

  /** Records a layer's ops at `node` within `frame`, `extra` trips, with backward when training. */
  private recorder(frame: Frame, node: ts.Node | null, prefix: string | null, extra: Poly, training: boolean, note?: string): Recorder {
    return {
      ctx: this.ctx(),
      record: (r, inputs, site, name) => {
        const at = prefix === null ? site ?? node : node;
        if (!at) return;
        const label = prefix === null ? name : `${prefix}: ${name}`;
        const noted = note && !r.cost.unknown ? { ...r, cost: { ...r.cost, notes: [...(r.cost.notes ?? []), note] } } : r;
        this.recordOp(noted, inputs, at, label, training ? { ...frame, training: true } : frame, extra);
      },
    };
  }

  private applyLayer(layer: Layer, x: TfValue | undefined, e: ts.CallExpression, frame: Frame): TfValue {
    const xs = x?.kind === 'list' ? x.items : x ? [x] : [];
    const types = xs.map((v) => (isTensor(v) ? v.type : { shape: null, dtype: null }));
    const symbolic = xs.some((v) => isTensor(v) && v.src);
    // Applied to tf.input tensors, a layer builds a graph and computes nothing: as with
    // model.add, its cost counts only in the total of the building function when reported.
    const built = symbolic && !frame.report ? { ...frame, acc: zeroAcc() } : frame;
    const y = layer.call(types, this.recorder(built, e, null, Poly.ONE, false, symbolic ? BUILT_NOTE : undefined));
    // A layer's ops are recorded at the `tf.layers.x(...)` call that made it.
    const out = tensorOf(y?.shape ?? null, y?.dtype ?? null, symbolic ? { src: { layer, args: xs } } : undefined);
    this.trackLayerAttention(layer, xs, out, e, frame);
    return out;
  }

  /**
   * Attention written with layers (the date-conversion example): `dot({axes: [2, 2]})` of queries
   * and keys makes scores, a softmax activation makes probabilities, `dot({axes: [2, 1]})` with
   * the values is the output.
   */
  private trackLayerAttention(layer: Layer, xs: TfValue[], out: TensorValue, e: ts.CallExpression, frame: Frame): void {
    const arg = e.arguments[0];
    const texts = arg && ts.isArrayLiteralExpression(arg) ? arg.elements.map((x) => x.getText(this.sf)) : [arg?.getText(this.sf) ?? '?'];
    const axes = field(layer.config, 'axes');
    const ax = axes?.kind === 'list' ? axes.items.map(intConst) : [intConst(axes), intConst(axes)];
    const [a] = xs;
    // Ranges of the ops as recorded: at the layer's creation (see `recorder`).
    const at = this.rangeOf(layer.site ?? e);
    if (layer.type === 'dot' && isTensor(a) && a.attention?.stage === 'probs' && a.attention.softmax) {
      const t = a.attention;
      const key = `${t.scores.start.line}:${t.scores.start.character}`;
      if (frame.report && !this.seenAttention.has(key)) {
        this.seenAttention.add(key);
        this.attention.push({ scores: t.scores, softmax: t.softmax!, output: at, q: t.q, k: t.k, v: texts[1] ?? '?', causal: t.masked, scale: t.scaled ? 'default' : 'none', indent: '', framework: 'tfjs', sdpaCallee: '' });
      }
    } else if (layer.type === 'dot' && ax[0] === 2 && ax[1] === 2) {
      out.attention = { stage: 'scores', scores: at, q: texts[0], k: texts[1] ?? '?', scaled: false, masked: false };
    } else if (isTensor(a) && a.attention?.stage === 'scores' && (layer.type === 'softmax' || (layer.type === 'activation' && strOf(field(layer.config, 'activation')) === 'softmax'))) {
      out.attention = { ...a.attention, stage: 'probs', softmax: at };
    }
  }

  private sequential(cfg: TfValue | undefined, e: ts.CallExpression, frame: Frame): Model {
    const model: Model = { kind: 'model', layers: [], out: null, input: null, seq: this.modelSeq++ };
    const layers = field(cfg, 'layers');
    if (layers?.kind === 'list') for (const l of layers.items) if (l.kind === 'layer') this.addLayer(model, l, e, frame);
    return model;
  }

  /** `model.add(layer)`: the layer runs on the model's current output, recorded at its own line. */
  private addLayer(model: Model, layer: Layer, e: ts.Node, frame: Frame): void {
    const before = snapshot(model);
    this.addLayerTo(model, layer, e, frame);
    this.modelLog.push({ model, before, after: snapshot(model) });
  }

  private addLayerTo(model: Model, layer: Layer, e: ts.Node, frame: Frame): void {
    if (model.layers.length === 0 && layer.inputShape) {
      model.input = { shape: layer.inputShape, dtype: layer.type === 'embedding' ? 'int32' : null };
      model.out = model.input;
    }
    model.layers.push(layer);
    if (!model.out) return;
    // Building a model computes nothing; its layers are shown with the forward cost of one batch,
    // and count in the total of the function that builds it only when that function is reported.
    const built = frame.report ? frame : { ...frame, acc: zeroAcc() };
    model.out = layer.call([model.out], this.recorder(built, layer.site ?? e, null, Poly.ONE, false, BUILT_NOTE));
    frame.acc = built === frame ? built.acc : frame.acc;
  }

  private functional(cfg: TfValue | undefined): TfValue {
    const list = (v: TfValue | undefined) => (v?.kind === 'list' ? v.items.filter(isTensor) : isTensor(v) ? [v] : []);
    const inputs = list(field(cfg, 'inputs'));
    const outputs = list(field(cfg, 'outputs'));
    return { kind: 'model', layers: [], out: outputs[0]?.type ?? null, input: inputs[0]?.type ?? null, inputs, outputs };
  }

  /** Runs a model on input types: sequential layers in order, or the functional graph replayed. */
  private forward(model: Model, xs: TensorType[], rec: Recorder): TensorType | null {
    if (model.outputs) {
      const memo = new Map<TfValue, TensorType | null>();
      const ids = model.inputs?.map((t) => (t.src && 'input' in t.src ? t.src.input : -1)) ?? [];
      const evalT = (v: TfValue): TensorType | null => {
        if (!isTensor(v)) return null;
        if (memo.has(v)) return memo.get(v)!;
        let out: TensorType | null = null;
        if (v.src && 'input' in v.src) out = xs[ids.indexOf(v.src.input)] ?? withBatch(v.type, xs[0]?.shape?.[0]);
        else if (v.src) {
          const args = v.src.args.map((a) => evalT(a) ?? { shape: null, dtype: null });
          out = v.src.layer.call(args, rec);
        } else out = v.type;
        memo.set(v, out);
        return out;
      };
      return evalT(model.outputs[0]);
    }
    let cur: TensorType | null = xs[0] ?? model.input;
    for (const l of model.layers) {
      if (!cur) return null;
      cur = l.call([cur], rec);
    }
    return cur;
  }

  /** The input a model runs on: the argument's type, else its declared input with `batch` rows. */
  private inputFor(model: Model, x: TfValue | undefined, batch?: Poly): TensorType | null {
    if (isTensor(x) && x.type.shape) return x.type;
    const d = model.input;
    if (!d?.shape) return null;
    return batch ? { ...d, shape: [batch, ...d.shape.slice(1)] } : d;
  }

  private callModel(model: Model, m: string, args: TfValue[], e: ts.CallExpression, frame: Frame): TfValue {
    const site = e.expression.getText(this.sf).replace(/\s+/g, '');
    if (m === 'add') {
      if (args[0]?.kind === 'layer') this.addLayer(model, args[0], e.arguments[0] ?? e, frame);
      return UNKNOWN;
    }
    if (m === 'predict' || m === 'apply' || m === 'execute' || m === 'call' || m === 'evaluate' || m === 'predictOnBatch') {
      const x = args[0];
      const xs = x?.kind === 'list' ? x.items : [x];
      const types = xs.map((v) => this.inputFor(model, v)).filter((t): t is TensorType => !!t);
      const y = this.forward(model, types, this.recorder(frame, e, site, Poly.ONE, false));
      return tensorOf(y?.shape ?? null, y?.dtype ?? null);
    }
    if (m === 'fit' || m === 'trainOnBatch' || m === 'fitDataset') {
      const cfg = m === 'fit' ? args[2] : m === 'fitDataset' ? args[1] : undefined;
      // An unseen epoch count or batch size (`epochs: trainEpochs`) is a dim of that name.
      const epochs = dimOf(field(cfg, 'epochs')) ?? (field(cfg, 'epochs') ? Poly.sym('epochs') : Poly.ONE);
      let batch: Poly | undefined;
      let steps: Poly = Poly.ONE;
      let x: TensorType | null;
      if (m === 'trainOnBatch') x = this.inputFor(model, args[0]);
      else if (m === 'fitDataset') {
        x = this.inputFor(model, undefined);
        steps = dimOf(field(cfg, 'batchesPerEpoch')) ?? Poly.sym('stepsPerEpoch');
      } else {
        // fit: ceil(N / batchSize) steps of batchSize rows (TF.js's default batch size is 32).
        const bs = dimOf(field(cfg, 'batchSize')) ?? Poly.const(32);
        const given = isTensor(args[0]) && args[0].type.shape ? args[0].type : null;
        const n = given?.shape?.[0];
        const nc = n?.constValue();
        const bc = bs.constValue();
        if (n && nc !== undefined && bc !== undefined && nc <= bc) batch = n;
        else {
          batch = bs;
          steps = n ? (nc !== undefined && bc !== undefined ? Poly.const(Math.ceil(nc / bc)) : n.ceildiv(bs)) : Poly.sym('stepsPerEpoch');
        }
        x = given ? { ...given, shape: [batch, ...given.shape!.slice(1)] } : this.inputFor(model, undefined, batch);
      }
      const trips = epochs.mul(steps);
      if (x) this.forward(model, [x], this.recorder(frame, e, site, trips, true));
      return UNKNOWN;
    }
    return UNKNOWN;
  }
}

/**
 * Methods of TF.js tensors that arrays, strings, numbers and promises do not have: a call of one
 * on an unseen value is a tensor op whose operand shape is unknown.
 */
const TENSOR_ONLY = /^(matMul|conv1d|conv2d|conv3d|depthwiseConv2d|maxPool|avgPool|relu|relu6|elu|selu|sigmoid|tanh|softmax|logSoftmax|as1D|as2D|as3D|as4D|as5D|asScalar|expandDims|squeeze|reshape|transpose|argMax|argMin|sum|mean|square|sqrt|exp|log|neg|add|sub|mul|div|pow|greater|less|equal|oneHot|gather|toFloat|toInt|cast|dot|softplus|leakyRelu|clipByValue|logSumExp|batchNorm|dropout|mod|maximum|minimum)$/;

/** `Math.sqrt(64)` and friends on known numbers. */
function mathCall(m: string, args: TfValue[]): TfValue {
  const xs = args.map(intConst);
  if (xs.some((x) => x === undefined)) return UNKNOWN;
  const f: Record<string, (...v: number[]) => number> = { sqrt: Math.sqrt, pow: Math.pow, floor: Math.floor, ceil: Math.ceil, round: Math.round, max: Math.max, min: Math.min, abs: Math.abs, exp: Math.exp, log: Math.log, log2: Math.log2, trunc: Math.trunc };
  const fn = f[m];
  return fn ? { kind: 'int', value: Poly.const(fn(...(xs as number[]))) } : UNKNOWN;
}

/** Globals of JavaScript and the browser whose methods share names with tensor methods. */
const JS_GLOBALS = new Set(['Math', 'Number', 'Object', 'Array', 'JSON', 'console', 'Promise', 'document', 'window', 'String', 'Date', 'performance', 'process', 'ui']);

/** Parentheses, type assertions, `await`, `!` and `satisfies` change no value. */
function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e) || ts.isTypeAssertionExpression(e) || ts.isSatisfiesExpression(e)) e = e.expression;
    else return e;
  }
}

function propName(n: ts.PropertyName): string | undefined {
  if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
  return undefined;
}

/** Dims of a shape list where null (unknown batch) is allowed in front. */
function listDims(v: Extract<TfValue, { kind: 'list' }>, batchFirst = false): (Poly | null)[] {
  return v.items.map((x, i) => dimOf(x) ?? (batchFirst && i === 0 ? Poly.sym(BATCH) : null));
}
