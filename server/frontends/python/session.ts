/**
 * One analysis of a file as part of its program (docs/whole-program.md): the interpreters of the
 * other files it imports, made on demand and shared by the whole analysis, and what the file's
 * entry points did in the code they called (the calling contexts of that code).
 *
 * A session lives for one analysis. The parsed documents of the other files outlive it in a
 * `DocumentCache`, keyed by their text, so that a keystroke in `train.py` does not parse
 * `model.py` again.
 */
import type { AssertedBound, ContextFunction, ContextOp } from '../../core/ir';
import type { Bindings } from '../../core/symbolic';
import type { DType } from '../../core/dtypes';
import { PythonDocument } from './document';
import { Interpreter, RunState } from './interpreter';
import { ProgramFiles, resolveModule } from './program';
import { lazyProperty } from '../../core/lazyProperty';
import { concatenatedFrom } from '../../core/rules/siteOps';

/** Parsed documents of the program's files, by path, while their text stays the same. */
export class DocumentCache {
  private readonly docs = new Map<string, { text: string; doc: PythonDocument }>();

  constructor(private readonly limit = 256) {}

  get(path: string, text: string): PythonDocument {
    const hit = this.docs.get(path);
    if (hit && hit.text === text) {
      // Most recently used last: eviction takes the first.
      this.docs.delete(path);
      this.docs.set(path, hit);
      return hit.doc;
    }
    if (hit) hit.doc.delete();
    const doc = new PythonDocument(text);
    this.docs.set(path, { text, doc });
    while (this.docs.size > this.limit) {
      const [oldest, entry] = this.docs.entries().next().value as [string, { doc: PythonDocument }];
      entry.doc.delete();
      this.docs.delete(oldest);
    }
    return doc;
  }

  /** Drops the child nodes web-tree-sitter cached on the statements (see PythonDocument). */
  release(paths: Iterable<string>): void {
    for (const p of paths) this.docs.get(p)?.doc.releaseNodes();
  }

  clear(): void {
    for (const { doc } of this.docs.values()) doc.delete();
    this.docs.clear();
  }
}

/**
 * Most calling contexts recorded per analysis. Past it, statements are no longer cached (what
 * they would replay depends on what ran before them).
 */
const MAX_CAPTURED = 200_000;
/**
 * Most ops (and functions) one top-level statement's run records. A bound per statement keeps
 * what a statement records a function of its own run, so that its cache entry stays valid: with
 * only the bound per analysis, a file of many models filled it halfway, and every statement
 * after that was analysed again on every keystroke. Ops past it keep their own figures (or the
 * stated defaults), as ops no context reached do.
 */
const MAX_PER_STATEMENT = 5_000;

export class ProgramSession {
  /** The interpreter of each file read so far (null: unreadable). */
  private readonly units = new Map<string, Interpreter | null>();
  /** Shared step budget of the analysis (see Interpreter). */
  readonly counter = { steps: 0 };
  /**
   * The context ops recorded so far, end to end: a replayed statement's list is kept as a part of
   * its own (`replay`), live captures go to the part after it. A file of many models replays tens
   * of thousands of ops per keystroke; copying them one by one into one list was a tenth of it.
   */
  private readonly parts: (readonly ContextOp[])[] = [];
  private live?: ContextOp[];
  private opCount = 0;
  private flat?: ContextOp[];

  /** Every context op recorded, in order (one list, made when asked for). */
  get ops(): ContextOp[] {
    if (!this.flat || this.flat.length !== this.opCount) this.flat = concatParts(this.parts, this.opCount);
    return this.flat;
  }

  /**
   * What the analysis recorded, for `FileIR.captured`: its `ops` list is made when first read (a
   * hover after a keystroke reads none), and `capturedParts` gives the parts it is made of, which
   * the server's record compares without making it.
   */
  captured(): { ops: ContextOp[]; functions: ContextFunction[]; bounds: [string, AssertedBound][] } {
    const out = { functions: this.functions, bounds: [...this.bounds] } as { ops: ContextOp[]; functions: ContextFunction[]; bounds: [string, AssertedBound][] };
    // The getter holds the parts only: a record is kept by the program for every file it
    // analysed, and the session would keep that analysis's interpreters alive.
    const parts = this.parts.slice();
    const count = this.opCount;
    lazyProperty(out, 'ops', () => concatParts(parts, count));
    concatenatedFrom(out, parts);
    PARTS.set(out, parts);
    return out;
  }

  /** How many context ops were recorded so far (`ops.length`, without making the list). */
  get opsLength(): number {
    return this.opCount;
  }

  /** The context ops recorded from the `start`th on (a new list). */
  opsFrom(start: number): ContextOp[] {
    const out: ContextOp[] = [];
    let end = this.opCount;
    // The parts that hold them, found from the end.
    let k = this.parts.length;
    while (k > 0 && end > start) end -= this.parts[--k].length;
    for (; k < this.parts.length; k++) {
      const p = this.parts[k];
      for (let i = Math.max(0, start - end); i < p.length; i++) out.push(p[i]);
      end += p.length;
    }
    return out;
  }

  private pushOp(op: ContextOp): void {
    if (!this.live) this.parts.push((this.live = []));
    this.live.push(op);
    this.opCount++;
  }
  readonly functions: ContextFunction[] = [];
  /** Dims the code bounds (`assert t <= block_size`), in any file this analysis ran through. */
  readonly bounds = new Map<string, AssertedBound>();
  /** Set when more contexts were met than are kept. */
  truncated = false;
  /** Where the current top-level statement's records start (`beginStatement`). */
  private statementOps = 0;
  private statementFunctions = 0;

  constructor(
    readonly files: ProgramFiles,
    private readonly docs: DocumentCache,
    /**
     * `rootTf32`: whether the root's text names a TF32 switch at all (`mentionsTf32`), where the
     * caller knows it without reading the whole text again (textScans.ts).
     */
    private readonly options: { bindings: Bindings; defaultDtype: DType; rootTf32?: boolean; run?: RunState },
    /** The file being analysed, and its interpreter: imports of it from other files come back to it. */
    readonly root: string,
  ) {}

  setRoot(it: Interpreter): void {
    this.units.set(this.root, it);
  }

  /** The root file's interpreter: facts met in other files' code belong to the root's analysis. */
  rootInterpreter(): Interpreter | undefined {
    return this.units.get(this.root) ?? undefined;
  }

  /** The files other than the root that this analysis read. */
  get dependencies(): string[] {
    return [...this.units.keys()].filter((p) => p !== this.root && this.units.get(p));
  }

  resolve(name: string, level: number, from: string): string | undefined {
    return resolveModule(this.files, name, level, from);
  }

  /**
   * The interpreter of a file of the program, declared and with its top level run (silently,
   * as an import runs it). Cyclic imports get the interpreter being declared, as Python gives a
   * partly initialised module.
   */
  unit(path: string): Interpreter | undefined {
    if (this.units.has(path)) return this.units.get(path) ?? undefined;
    const text = this.files.read(path);
    if (text === undefined) {
      this.units.set(path, null);
      return undefined;
    }
    const doc = this.docs.get(path, text);
    const it = new Interpreter(doc.statements, {
      bindings: this.options.bindings,
      defaultDtype: this.options.defaultDtype,
      run: this.options.run,
      text,
      texts: doc.texts,
      lines: doc.lines,
      valid: !doc.syntaxError,
      path,
      program: this,
      main: false,
    });
    this.units.set(path, it);
    // The root's step budget must not pay for declaring a dependency, nor be reset by it.
    const steps = this.counter.steps;
    this.counter.steps = 0;
    try {
      it.declare();
      it.analyseModule(false);
    } catch {
      // A file the interpreter trips over still gives the names it declared.
    }
    this.counter.steps = steps;
    return it;
  }

  noteBound(dim: string, b: AssertedBound): void {
    if (!this.bounds.has(dim)) this.bounds.set(dim, b);
  }

  /** Called before each top-level statement runs (statementCache.ts): its records start here. */
  beginStatement(): void {
    this.statementOps = this.opCount;
    this.statementFunctions = this.functions.length;
  }

  captureOp(op: ContextOp): void {
    if (this.opCount >= MAX_CAPTURED) {
      this.truncated = true;
      return;
    }
    if (this.opCount - this.statementOps >= MAX_PER_STATEMENT) return;
    // Stamped on every capture, replayed ones included: the switch may have been edited since.
    const tf32 = this.tf32Before(op.context.path, op.context.line);
    this.pushOp(tf32 === !!op.tf32 ? op : { ...op, tf32 });
  }

  /** Per entry file, the lines that switch TF32 matmuls on (true) or off (false), in order. */
  private readonly tf32Switches = new Map<string, [number, boolean][]>();

  /**
   * Whether the entry file switched TF32 matmuls on above the line of the call that starts a
   * context (a statement above it in the script, or above it in the entry function): the last
   * switch before the call decides (TC303).
   */
  tf32Before(path: string, line: number): boolean {
    let on = false;
    for (const [l, enabled] of this.switchesOf(path)) {
      if (l >= line) break;
      on = enabled;
    }
    return on;
  }

  /**
   * A cached statement's records again (statementCache.ts), after `beginStatement`: the same as
   * `captureOp` and `captureFunction` on each, in one copy when none of its ops needs a TF32
   * stamp other than the one it has (its entry files switch nothing, and none was stamped on).
   * A file of many models replays tens of thousands of ops per keystroke.
   */
  replay(captured: { ops: readonly ContextOp[]; functions: readonly ContextFunction[] }): void {
    const { ops, functions } = captured;
    if (this.opCount + ops.length < MAX_CAPTURED && ops.length <= MAX_PER_STATEMENT && this.unstamped(ops)) {
      if (ops.length > 0) {
        this.parts.push(ops);
        this.live = undefined;
        this.opCount += ops.length;
      }
    } else for (const o of ops) this.captureOp(o);
    if (this.functions.length + functions.length < MAX_CAPTURED && functions.length <= MAX_PER_STATEMENT) {
      for (const f of functions) this.functions.push(f);
    } else for (const f of functions) this.captureFunction(f);
  }

  /** Whether `captureOp` would keep every op of a list as it is: no TF32 stamp, and none to set. */
  private unstamped(ops: readonly ContextOp[]): boolean {
    let facts = REPLAY_FACTS.get(ops);
    if (!facts) {
      const paths = new Set<string>();
      let stamped = false;
      for (const o of ops) {
        paths.add(o.context.path);
        if (o.tf32) stamped = true;
      }
      REPLAY_FACTS.set(ops, (facts = { paths: [...paths], stamped }));
    }
    if (facts.stamped) return false;
    for (const p of facts.paths) if (this.switchesOf(p).length > 0) return false;
    return true;
  }

  private switchesOf(path: string): [number, boolean][] {
    let switches = this.tf32Switches.get(path);
    // The root's text is the one being analysed (an editor's unsaved buffer), not the disk's.
    if (!switches && path === this.root && this.options.rootTf32 === false) this.tf32Switches.set(path, (switches = []));
    if (!switches) this.tf32Switches.set(path, (switches = tf32Switches((path === this.root ? this.units.get(path)?.text : undefined) ?? this.files.read(path) ?? '')));
    return switches;
  }

  captureFunction(fn: ContextFunction): void {
    if (this.functions.length >= MAX_CAPTURED) this.truncated = true;
    else if (this.functions.length - this.statementFunctions < MAX_PER_STATEMENT) this.functions.push(fn);
  }

  /** Lets go of the nodes the analysis read in the other files. */
  release(): void {
    this.docs.release(this.dependencies);
  }
}

/** The parts end to end, `count` ops in all (preallocated). */
function concatParts(parts: readonly (readonly ContextOp[])[], count: number): ContextOp[] {
  const out = new Array<ContextOp>(count);
  let k = 0;
  for (const p of parts) for (let i = 0; i < p.length; i++) out[k++] = p[i];
  return out;
}

/** The parts of the ops list of each record made by `ProgramSession.captured`. */
const PARTS = new WeakMap<object, readonly (readonly ContextOp[])[]>();

/**
 * The lists whose concatenation is `captured.ops`, for a record `ProgramSession.captured` made
 * (never written to): a replayed statement's list is the same object in every analysis that
 * replays it. Undefined for any other record.
 */
export function capturedParts(captured: object): readonly (readonly ContextOp[])[] | undefined {
  return PARTS.get(captured);
}

/** Per list of replayed ops (a cache entry's): the entry files of its contexts, and whether one has a TF32 stamp. */
const REPLAY_FACTS = new WeakMap<readonly ContextOp[], { paths: string[]; stamped: boolean }>();

/** `torch.backends.cuda.matmul.allow_tf32 = ...`, `torch.set_float32_matmul_precision(...)`. */
const ALLOW_TF32 = /^\s*[\w.]*backends\.cuda\.matmul\.allow_tf32\s*=\s*([^#\n]*)/;
const PRECISION = /^\s*[\w.]*set_float32_matmul_precision\(\s*(?:precision\s*=\s*)?([^)#\n]*)/;

/**
 * The TF32 switches of a file's text, by 0-based line (a line scan: the switch is one statement).
 * A switch set from a variable (`allow_tf32 = args.tf32`, DiT's sample_ddp.py) counts as on: the
 * script handles TF32 and leaves it to its user, whose default is the script's business; only a
 * literal `False` or 'highest' turns it off.
 */
/** Whether a text names a TF32 switch at all: `tf32Switches` finds none where it does not. */
export function mentionsTf32(text: string): boolean {
  return text.includes('allow_tf32') || text.includes('set_float32_matmul_precision');
}

export function tf32Switches(text: string): [number, boolean][] {
  const out: [number, boolean][] = [];
  if (!mentionsTf32(text)) return out;
  text.split('\n').forEach((l, i) => {
    const a = ALLOW_TF32.exec(l);
    if (a) out.push([i, a[1].trim() !== 'False']);
    const p = PRECISION.exec(l);
    if (p) out.push([i, !/^['"]highest['"]$/.test(p[1].trim())]);
  });
  return out;
}
