/**
 * Syntactic facts the rules need beyond ops and shapes, collected in one pass over the tree:
 * mixed-precision setup (autocast regions, loss scalers, backward and optimizer steps, `.half()`,
 * TF32 switches), loops around matmuls, nested-loop convolutions, hand-written attention,
 * transposes fed to matmul inside loops and fp16-hostile literals. Ranges are LSP ranges taken
 * from the same nodes the interpreter records ops at, so a rule can find the op of a signal by its
 * range. Each key of the result holds one kind of signal; the shapes are the interfaces below.
 */
import type { Range } from '../../core/ir';
import type { CallSignal, FloatLiteralSignal, LoopSignal, Signals } from '../../core/rules/signals';
import type { Node } from './parser';
import { collectAttention, ScopeFacts, statementOf } from './signalsAttention';
import type { Language, TreeCursor } from 'web-tree-sitter';
import { isTransposeExpr, loopVarsOf, matmulOperands, matmulSite, namesIn } from './signalsSyntax';
import { handSoftmaxInput, softmaxDefsIn } from './signalsSoftmax';
import { Order, orderOfValue, stridedAccesses } from './signalsStrided';
import { shiftRanges } from '../../core/shift';
import { decideAutocastText } from './autocast';
import { intern } from '../../core/intern';
import { DocumentPosition, byPosition as reusable } from './document';
import { identPart, identStart } from './identifiers';

export function rangeOfNode(n: Node): Range {
  return { start: { line: n.startPosition.row, character: n.startPosition.column }, end: { line: n.endPosition.row, character: n.endPosition.column } };
}

const OPTIMIZER_NAME = /(^|[._])(opt|optim|optimizer|optimiser)\w*$/i;
const FP16_MAX = 65504;
const FP16_MIN_SUBNORMAL = 6e-8;

interface LoopFrame {
  sig: LoopSignal;
  node: Node;
  vars: Set<string>;
  /** Names assigned anywhere in the loop body: values that may change per iteration. */
  assigned: Set<string>;
  /**
   * Names the body computes from their own previous value (`x = deltaA[:, i] * x + ...`,
   * `h += ...`): a recurrence, so a matmul that reads one depends on the trip before.
   */
  recurrent: Set<string>;
}

class Collector {
  readonly s: Signals = {
    imports: [], autocast: [], gradScaler: [], gradScalerOff: [], backward: [], optimizerStep: [], halfModel: [], tf32: [], loops: [],
    naiveConv: [], manualAttention: [], transposeInLoop: [], viewOfTranspose: [], floatLiterals: [], stridedTraversal: [],
  };
  private readonly loops: LoopFrame[] = [];
  private readonly optimizers = new Set<string>();
  /** Functions and methods of the file that return a softmax written by hand (signalsSoftmax.ts). */
  private softmaxDefs = new Set<string>();
  /** Attributes holding an `nn.Softmax` module (`self.softmax = nn.Softmax(dim=-1)`). */
  private readonly softmaxModules = new Set<string>();
  /**
   * Arrays whose layout the code set (`np.asfortranarray`, `order='F'`, `.T`), by name: the
   * module's first, then one map per function being walked (a def's names are its own).
   */
  private readonly orderScopes: Map<string, Order>[] = [new Map()];

  /** The layouts in force where the walk stands: the function's, else the module's. */
  private readonly orders = {
    get: (name: string): Order | undefined => this.orderScopes[this.orderScopes.length - 1].get(name) ?? this.orderScopes[0].get(name),
  };
  private scopes: ScopeFacts[] = [];
  /** Which handlers can act in the statement being walked (`readWords`). */
  private words = { softmax: true, assignments: true, numbers: true };
  /** Where the walk stands (see `walk`). */
  private at?: WalkState;

  constructor(private readonly lines: readonly string[]) {}

  run(statements: readonly Node[], cache?: SignalCache, texts?: readonly string[], position?: DocumentPosition): Signals {
    this.scopes.push(newScope());
    // A call of a function defined further down that computes a softmax by hand is a softmax:
    // the file's such functions are known before the walk, and are part of every cache key.
    const defs: string[] = [];
    // A statement with the same text as the last run's at its index takes what that run found
    // there: matching every definition's text against /exp/ read the whole file on each keystroke.
    const before = cache?.last?.softmax ? cache.last : undefined;
    const softmaxAt: (readonly string[] | undefined)[] = new Array(statements.length);
    for (let i = 0; i < statements.length; i++) {
      const text = texts?.[i] ?? statements[i].text;
      if (before && before.texts[i] === text) {
        const names = before.softmax![i];
        softmaxAt[i] = names;
        if (names) defs.push(...names);
        continue;
      }
      if (!DEFINITION.test(text) || !/exp/.test(text)) continue;
      // By text: an unchanged definition is not walked again on the next keystroke.
      let names = SOFTMAX_DEFS.get(text);
      if (!names) {
        names = softmaxDefsIn(statements[i], text);
        if (SOFTMAX_DEFS.size > 10_000) SOFTMAX_DEFS.clear();
        SOFTMAX_DEFS.set(text, names);
      }
      softmaxAt[i] = names;
      defs.push(...names);
    }
    this.softmaxDefs = new Set(defs);
    const softmaxKey = [...this.softmaxDefs].sort().join(',');
    // After an edit that moved no line and kept the number of statements, an untouched
    // definition met with the same imports and optimizers before it takes its last entry by
    // position; the maps are then kept and updated rather than rebuilt.
    const last = cache?.last;
    const change = texts && last ? reusable(position, last.updates, last.texts.length, texts.length) : undefined;
    const byPosition = !!change;
    const end = change ? change.first + change.newCount : 0;
    const next: SignalCache['entries'] = byPosition ? cache!.entries : new Map();
    const entriesAt: (SignalEntry | undefined)[] = [];
    const keysAt: (string | undefined)[] = [];
    const seenAtIndex: (string | undefined)[] = [];
    // Untouched definitions that could not be taken by position (what was met before them
    // changed): the kept maps would then collect entries no statement uses, so they are rebuilt.
    let strays = 0;
    let seen = '';
    let seenAt = -1;
    for (let i = 0; i < statements.length; i++) {
      const stmt = statements[i];
      const text = texts?.[i] ?? stmt.text;
      if (byPosition && i >= change!.first && i < end) {
        // An edited statement's old text leaves the maps, or every keystroke would add one.
        const old = last!.texts[i];
        if (old !== text && !texts!.includes(old)) next.delete(old);
      }
      // Definitions are told by their first word (`classes = ...` is not one): asking the tree
      // for each statement's type costs a call into WebAssembly per statement.
      if (!cache || !DEFINITION.test(text)) {
        if (!this.inert(text)) {
          this.readWords(text);
          this.walk(stmt, text);
        }
        continue;
      }
      // What a definition contributes depends on its text and place, and on the imports and
      // optimizer names met before it; nothing else the collector holds reaches into a def.
      const ordersKey = this.orderScopes[0].size === 0 ? '' : JSON.stringify([...this.orderScopes[0]]);
      if (seenAt !== this.s.imports.length + this.optimizers.size * 1e6 || !seen.endsWith(`|${ordersKey}`)) {
        seen = `${JSON.stringify(this.s.imports)}|${[...this.optimizers].join(',')}|${softmaxKey}|${ordersKey}`;
        seenAt = this.s.imports.length + this.optimizers.size * 1e6;
        // The same content as last time is the same string: entries then compare by reference.
        seen = intern(seen);
      }
      seenAtIndex[i] = seen;
      if (byPosition && (i < change!.first || i >= end) && text === last!.texts[i] && last!.seen[i] === seen && last!.entries[i]) {
        const same = last!.entries[i]!;
        this.replay(same);
        entriesAt[i] = same;
        keysAt[i] = last!.keys[i];
        continue;
      }
      if (byPosition && (i < change!.first || i >= end)) strays++;
      // Keyed by the text first: statement texts live as long as their statement, and a string
      // key's hash is computed once per string, not once per analysis.
      const row = stmt.startPosition.row;
      const key = stmt.startPosition.column === 0 ? seen : `${stmt.startPosition.column}|${seen}`;
      keysAt[i] = key;
      let hit = cache.entries.get(text)?.get(key);
      if (hit && hit.row !== row) hit = { ...hit, row, added: shiftRanges(hit.added, row - hit.row) };
      const put = (e: SignalEntry) => {
        let m = next.get(text);
        if (!m) next.set(text, (m = new Map()));
        m.set(key, e);
      };
      if (hit) {
        this.replay(hit);
        put(hit);
        entriesAt[i] = hit;
        continue;
      }
      if (this.inert(text)) {
        // What walking it would give: nothing, and no fact of the module's scope.
        const entry: SignalEntry = { row, added: {}, optimizers: [] };
        put(entry);
        entriesAt[i] = entry;
        continue;
      }
      const lengths = Object.fromEntries(Object.entries(this.s).map(([k, v]) => [k, (v as unknown[]).length]));
      const optimizers = new Set(this.optimizers);
      const module = this.scopes[0];
      const moduleFacts = () => module.softmaxes.length + module.matmuls.length + [...module.assignments.values()].reduce((n, list) => n + list.length, 0);
      const moduleSize = moduleFacts();
      this.readWords(text);
      this.walk(stmt, text);
      // Statements at class level report into the module's scope, which holds nodes: not cached.
      if (moduleFacts() !== moduleSize) continue;
      const added: Partial<Record<keyof Signals, unknown[]>> = {};
      for (const [k, v] of Object.entries(this.s)) if ((v as unknown[]).length > lengths[k]) added[k as keyof Signals] = (v as unknown[]).slice(lengths[k]);
      const entry: SignalEntry = { row, added, optimizers: [...this.optimizers].filter((o) => !optimizers.has(o)) };
      put(entry);
      entriesAt[i] = entry;
    }
    if (cache) {
      let entries = next;
      if (byPosition && strays > 0) {
        entries = new Map();
        entriesAt.forEach((e, i) => {
          if (!e) return;
          let m = entries.get(texts![i]);
          if (!m) entries.set(texts![i], (m = new Map()));
          m.set(keysAt[i]!, e);
        });
      }
      cache.entries = entries;
      cache.last = texts && position ? { updates: position.updates, texts, seen: seenAtIndex, keys: keysAt, entries: entriesAt, softmax: softmaxAt } : undefined;
    }
    this.endScope();
    return this.s;
  }

  /**
   * Whether walking the top-level statement `text` would add nothing: a function or class (not
   * decorated: a decorator runs in the module's scope) none of whose words any handler acts on.
   * Every signal, and every fact that outlives the statement (optimizer names, softmax modules,
   * the module's array layouts), starts at a word or literal of `EFFECTS` or at a name the walk
   * learnt (the file's softmax functions and modules); facts that die with the definition's scope
   * (its assignments and matmuls) are read only when it holds a softmax. `EFFECTS` must name the
   * words of every handler added to `enter`.
   */
  private inert(text: string): boolean {
    return PLAIN_DEFINITION.test(text) && this.inertBody(text);
  }

  /**
   * `inert` without the test of the first word: for a def or class met inside a statement,
   * whose scope is its own from its node on (the walk pushes it on entering the node).
   */
  private inertBody(text: string): boolean {
    if (!SIGNAL_GATE.on || EFFECTS.test(text) || this.orderScopes[0].size > 0) return false;
    for (const name of this.softmaxDefs) if (text.includes(name)) return false;
    // A module's call is matched by its whole dotted name; its last part is a word of the text.
    for (const m of this.softmaxModules) if (text.includes(m.slice(m.lastIndexOf('.') + 1))) return false;
    return true;
  }

  /** What a cached definition contributed, added again. */
  private replay(e: SignalEntry): void {
    for (const k of (e.keys ??= Object.keys(e.added) as (keyof Signals)[])) for (const x of e.added[k]!) (this.s[k] as unknown[]).push(x);
    for (const o of e.optimizers) this.optimizers.add(o);
  }

  /**
   * Which handlers can act within the top-level statement `text` about to be walked, from its
   * words as `inert` reads them: a definition without a softmax word keeps no scope facts (its
   * scopes die with it, and only a softmax reads them), one without the words of `onAssignment`
   * has assignments that say nothing, one without a literal of `NUMBERS` has no literal to report.
   * Module-level code and decorated definitions write the module's scope: every handler acts.
   */
  private readWords(text: string): void {
    const plain = SIGNAL_GATE.on && PLAIN_DEFINITION.test(text);
    let softmax = !plain || SOFTMAX_WORDS.test(text);
    for (const name of this.softmaxDefs) softmax ||= text.includes(name);
    for (const m of this.softmaxModules) softmax ||= text.includes(m.slice(m.lastIndexOf('.') + 1));
    this.words = {
      softmax,
      assignments: softmax || ASSIGNMENT_WORDS.test(text) || this.orderScopes[0].size > 0,
      numbers: !plain || NUMBERS.test(text),
    };
  }

  private endScope(): void {
    const scope = this.scopes.pop()!;
    this.s.manualAttention.push(...collectAttention(scope, this.lines, this.s.imports));
  }

  private indentOf(n: Node): string {
    const line = this.lines[n.startPosition.row] ?? '';
    // Spaces and tabs counted by hand (the common case); any other whitespace goes to the regex.
    let i = 0;
    while (i < line.length && (line.charCodeAt(i) === 32 || line.charCodeAt(i) === 9)) i++;
    const next = i < line.length ? line.charCodeAt(i) : -1;
    if (next === -1 || (next > 32 && next < 127)) return line.slice(0, i);
    return /^\s*/.exec(line)![0];
  }

  /**
   * The statement holding the node the walk stands on: the nearest node, itself included, whose
   * parent is a block or the module. Found from the walk's own path rather than `Node.parent`,
   * which web-tree-sitter computes by descending from the root again on every call.
   */
  private statementOf(n: Node): Node {
    const w = this.at!;
    let d = w.depth;
    while (d > 0 && !w.blocks[d - 1]) d--;
    if (d === w.depth) return n;
    let st = w.statements[d];
    if (!st) {
      // Not `cursor.copy()`: web-tree-sitter 0.25 copies whichever cursor it marshalled last.
      // One spare cursor per walk, moved to where the walk stands each time.
      const up = (w.up ??= w.root.walk());
      up.resetTo(w.cursor);
      for (let k = w.depth; k > d; k--) up.gotoParent();
      st = w.statements[d] = up.currentNode;
    }
    return st;
  }

  private callSignal(n: Node, receiver?: string): CallSignal {
    const st = this.statementOf(n);
    return { range: rangeOfNode(n), text: n.text, receiver, statement: rangeOfNode(st), indent: this.indentOf(st) };
  }

  /**
   * Walks one top-level statement in document order with a tree cursor: a cursor step is one
   * call into WebAssembly, while `namedChildren` builds a JavaScript object for every node of the
   * file (measured: 85 ms against 211 ms for the 10,000-line bench file). Node objects are made
   * only for the kinds of node a handler looks at. A handler that needs to act after a node's
   * children (a def's scope, a loop's frame) leaves that action in `exits` at the node's depth.
   */
  private walk(stmt: Node, text: string): void {
    const cursor = stmt.walk();
    const lang = stmt.tree.language;
    // Dotted names are read from the statement's text (`dottedName`) where it is the node's
    // text, and the statement parsed without error (where any node may hold anything).
    const base = stmt.startIndex;
    const readable = text.length === stmt.endIndex - base && !stmt.hasError;
    const w: WalkState = { root: stmt, cursor, depth: 0, blocks: [], statements: [] };
    const exits: ((() => void) | undefined)[] = [];
    const saved = this.at;
    this.at = w;
    try {
      for (;;) {
        const id = cursor.nodeTypeId;
        const kind = nodeKind(lang, id);
        w.blocks[w.depth] = kind === BLOCK;
        w.statements[w.depth] = undefined;
        exits[w.depth] = undefined;
        // Anonymous nodes are tokens: `namedChildren` never showed them, and they hold nothing.
        let descend = kind !== ANONYMOUS && kind !== LEAF;
        if (kind === DOTTED) {
          // `self.c_attn`, `config.n_embd`, `torch.nn.functional`: identifiers and dots, nothing
          // a handler acts on; a tenth of the nodes of model code, three cursor steps each.
          if (readable && dottedName(text, cursor.startIndex - base, cursor.endIndex - base)) descend = false;
        } else if (kind === PARAMETERS) {
          // A parameter list holds code only in its defaults (`eps=1e-12`, `w=torch.ones(3)`): one
          // without `=` (and without a syntax error, which could hide anything) is names and type
          // annotations, a quarter of the nodes of annotated code, left unvisited.
          const n = cursor.currentNode;
          if (!n.text.includes('=') && !n.hasError) descend = false;
        } else if (kind === HANDLED) {
          // The type from the id the cursor read: `Node.type` would ask WebAssembly again.
          const type = lang.types[id];
          // A call none of whose words `onCall` acts on gets no node (its children are walked).
          if (type === 'call' && readable && this.quietCall(text, cursor.startIndex - base, cursor.endIndex - base)) {
            // Nothing to enter.
          } else if (this.acts(type)) {
            const n = cursor.currentNode;
            const exit = this.enter(n, type);
            if (exit === SKIP) descend = false;
            else exits[w.depth] = exit;
          } else if (type === 'float' || type === 'integer') descend = false;
        }
        if (descend && cursor.gotoFirstChild()) {
          w.depth++;
          continue;
        }
        exits[w.depth]?.();
        while (!cursor.gotoNextSibling()) {
          if (w.depth === 0 || !cursor.gotoParent()) return;
          w.depth--;
          exits[w.depth]?.();
        }
      }
    } finally {
      this.at = saved;
      cursor.delete();
      w.up?.delete();
    }
  }

  /**
   * Whether the handler of `type` can act here (`readWords`): if not, no node is made for it. The
   * same tests open the handlers themselves, which `enter` may reach by other paths.
   */
  private acts(type: string): boolean {
    switch (type) {
      case 'assignment':
        return this.words.assignments;
      case 'augmented_assignment':
        return this.words.softmax;
      case 'binary_operator':
        // `@` outside a loop and `/` are scope facts for a softmax; `@` in a loop is a signal.
        return this.words.softmax || this.loops.length > 0;
      case 'float':
      case 'integer':
        return this.words.numbers;
    }
    return true;
  }

  /**
   * Whether `onCall` would do nothing for the call whose text is `text[from, to)`: none of the
   * words its tests compare the callee with (or look for in the arguments) is in the text, nor a
   * softmax function or module of the file. Read from the text, so that such a call (most calls of
   * model code: `nn.Linear(...)`, `self.c_proj(y)`) costs no node and no reads of its children.
   */
  private quietCall(text: string, from: number, to: number): boolean {
    if (from < 0 || to > text.length) return false;
    const call = text.slice(from, to);
    if (CALL_WORDS.test(call)) return false;
    for (const name of this.softmaxDefs) if (call.includes(name)) return false;
    for (const m of this.softmaxModules) if (call.includes(m.slice(m.lastIndexOf('.') + 1))) return false;
    return true;
  }

  /**
   * What the walk does on reaching `n`: SKIP to leave its children unwalked, or an action to
   * run once they have been walked.
   */
  private enter(n: Node, type: string): typeof SKIP | (() => void) | undefined {
    switch (type) {
      case 'function_definition': {
        // A method or nested def that `inert` would leave unwalked at the top level adds nothing here either.
        if (this.inertBody(n.text)) return SKIP;
        // A nested def starts a new scope; loops around it do not run its body.
        const saved = this.loops.splice(0);
        this.scopes.push(newScope());
        this.orderScopes.push(new Map());
        return () => {
          this.orderScopes.pop();
          this.endScope();
          this.loops.push(...saved);
        };
      }
      case 'class_definition': {
        if (this.inertBody(n.text)) return SKIP;
        // A class body is a scope of its own, as in Python: its assignments (a dataclass's
        // fields) are not the module's, so a class statement's signals can be cached like a
        // def's instead of being walked again on every keystroke (the module's facts hold nodes).
        this.scopes.push(newScope());
        return () => this.endScope();
      }
      case 'import_statement':
      case 'import_from_statement':
        this.onImport(n);
        return SKIP;
      case 'with_statement':
        this.onWith(n);
        return undefined;
      case 'for_statement':
      case 'while_statement':
        return this.onLoop(n, type);
      case 'list_comprehension':
      case 'generator_expression':
      case 'set_comprehension':
      case 'dictionary_comprehension':
        this.onComprehension(n);
        return undefined;
      case 'call':
        this.onCall(n);
        return undefined;
      case 'binary_operator': {
        const op = n.childForFieldName('operator')?.text;
        if (op === '@') this.onMatmul(n);
        else if (op === '/') this.onDivision(n);
        return undefined;
      }
      case 'assignment':
        this.onAssignment(n);
        return undefined;
      case 'augmented_assignment':
        // `e /= e.sum(axis=-1, keepdims=True)`: a softmax normalised in place.
        if (n.childForFieldName('operator')?.text === '/=') this.onDivision(n);
        return undefined;
      case 'float':
      case 'integer':
        this.onNumber(n, type);
        return SKIP;
    }
    return undefined;
  }

  private onImport(n: Node): void {
    if (n.type === 'import_statement') {
      for (const c of n.namedChildren) {
        if (c?.type === 'dotted_name') this.s.imports.push({ module: c.text, alias: c.text.split('.')[0] });
        else if (c?.type === 'aliased_import') this.s.imports.push({ module: c.childForFieldName('name')?.text ?? '', alias: c.childForFieldName('alias')?.text ?? '' });
      }
    } else {
      const mod = n.childForFieldName('module_name')?.text ?? '';
      for (const c of n.childrenForFieldName('name')) {
        if (c?.type === 'dotted_name') this.s.imports.push({ module: `${mod}.${c.text}`, alias: c.text });
        else if (c?.type === 'aliased_import') this.s.imports.push({ module: `${mod}.${c.childForFieldName('name')?.text ?? ''}`, alias: c.childForFieldName('alias')?.text ?? '' });
      }
    }
  }

  private onWith(n: Node): void {
    const clause = n.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      let v = item?.childForFieldName('value') ?? null;
      if (v?.type === 'as_pattern') v = v.namedChild(0);
      if (v?.type !== 'call') continue;
      const fn = v.childForFieldName('function')?.text.replace(/\s+/g, '') ?? '';
      const args = v.childForFieldName('arguments');
      // The one decision of what autocast computes in (autocast.ts); the interpreter's, made on
      // the values, replaces it where it ran (signalsPrecision.ts).
      const d = decideAutocastText(fn, keywordArgs(args), positional(args).map((p) => p.text));
      if (!d?.on) continue;
      const dtype = d.dtype === 'fp16' || d.dtype === 'bf16' ? d.dtype : null;
      this.s.autocast.push({ range: rangeOfNode(v), region: rangeOfNode(n), dtype, api: d.api });
    }
  }

  private onLoop(n: Node, type: string): () => void {
    const body = n.childForFieldName('body');
    const left = type === 'for_statement' ? n.childForFieldName('left') : null;
    const iterNode = type === 'for_statement' ? n.childForFieldName('right') : n.childForFieldName('condition');
    const header: Range = { start: rangeOfNode(n).start, end: body ? { line: body.startPosition.row, character: body.startPosition.column } : rangeOfNode(n).end };
    // The header ends at the colon: trim back to the end of the iterable.
    if (iterNode) header.end = { line: iterNode.endPosition.row, character: iterNode.endPosition.column + 1 };
    const sig: LoopSignal = {
      header,
      range: rangeOfNode(n),
      vars: left ? loopVarsOf(left) : [],
      iter: iterNode?.text ?? '',
      indent: this.indentOf(n),
      matmuls: [],
      depth: this.loops.length,
    };
    this.s.loops.push(sig);
    // The body's text, read once: the strided and convolution passes look for a subscript in it.
    const bodyText = body?.text ?? '';
    if (type === 'for_statement' && /\[/.test(bodyText)) this.s.stridedTraversal.push(...stridedAccesses(n, sig.vars, header, this.orders));
    let assigned: Set<string> | undefined;
    let recurrent: Set<string> | undefined;
    const frame: LoopFrame = {
      sig,
      node: n,
      vars: new Set(sig.vars),
      // Only a transpose used in the loop asks: most loops never pay for a search of their body.
      get assigned() {
        if (assigned) return assigned;
        assigned = new Set<string>(sig.vars);
        if (body) for (const a of body.descendantsOfType(['assignment', 'augmented_assignment'])) if (a?.childForFieldName('left')) for (const x of namesIn(a.childForFieldName('left')!)) assigned.add(x);
        return assigned;
      },
      // Only a matmul in the loop asks.
      get recurrent() {
        if (recurrent) return recurrent;
        recurrent = new Set<string>();
        for (const a of body?.descendantsOfType(['assignment', 'augmented_assignment']) ?? []) {
          const left = a?.childForFieldName('left');
          const right = a?.childForFieldName('right');
          if (!left || !right) continue;
          const reads = a!.type === 'augmented_assignment' ? undefined : new Set(namesIn(right));
          for (const x of namesIn(left, true)) if (!reads || reads.has(x)) recurrent.add(x);
        }
        for (const v of sig.vars) recurrent.delete(v);
        return recurrent;
      },
    };
    this.loops.push(frame);
    return () => {
      this.loops.pop();
      // A convolution nest multiplies a window taken by subscript (`x[i + di]`, `patch = x[...]`):
      // a body without a bracket holds none, and its search is skipped.
      if (this.loops.length === 0 && type === 'for_statement' && bodyText.includes('[')) this.detectNaiveConv(n);
    };
  }

  /** `[X[:, j].sum() for j in range(d)]` walks the columns as a loop does (TC502). */
  private onComprehension(n: Node): void {
    if (!/\[/.test(n.childForFieldName('body')?.text ?? '')) return;
    const vars = n.namedChildren.filter((c): c is Node => c?.type === 'for_in_clause').flatMap((c) => (c.childForFieldName('left') ? loopVarsOf(c.childForFieldName('left')!) : []));
    this.s.stridedTraversal.push(...stridedAccesses(n, vars, rangeOfNode(n), this.orders));
  }

  private onCall(n: Node): void {
    const fnNode = n.childForFieldName('function');
    if (!fnNode) return;
    const fn = fnNode.text.replace(/\s+/g, '');
    const last = fn.split('.').pop() ?? '';
    // The receiver is read only for the names below that ask for it: most calls are none of them.
    const receiver = RECEIVER_NAMES.has(last) || this.softmaxDefs.has(last) || this.softmaxModules.has(fn) ? (fnNode.type === 'attribute' ? fnNode.childForFieldName('object')?.text : undefined) : undefined;
    const args = n.childForFieldName('arguments');
    if (last === 'GradScaler' || /(^|\.)amp\.initialize$/.test(fn) || /^(LossScaler|DynamicLossScaler)$/.test(last)) this.s.gradScaler.push(this.callSignal(n));
    // A keyword's name is in the arguments' text: without `loss_scale` there, no list is built.
    else if (args?.text.includes('loss_scale') && (keywordArgs(args).has('loss_scale') || keywordArgs(args).has('dynamic_loss_scale'))) this.s.gradScaler.push(this.callSignal(n));
    // Accelerate scales the loss itself in fp16 (`accelerator.backward` goes through its GradScaler).
    else if (last === 'Accelerator' && /^['"]fp16['"]$/.test(keywordArgs(args).get('mixed_precision') ?? '')) this.s.gradScaler.push(this.callSignal(n));
    if (last === 'backward' && (receiver !== undefined || fn === 'backward')) this.s.backward.push(this.callSignal(n, receiver === 'accelerator' || fn === 'torch.autograd.backward' ? positional(args)[0]?.text : receiver));
    if (last === 'step' && receiver !== undefined && (OPTIMIZER_NAME.test(receiver) || this.optimizers.has(receiver))) this.s.optimizerStep.push(this.callSignal(n, receiver));
    if (last === 'half' && receiver !== undefined && positional(args).length === 0) this.s.halfModel.push(this.callSignal(n, receiver));
    if (last === 'to' && receiver !== undefined && /float16|\bhalf\b/.test(args?.text ?? '') && !/bfloat16/.test(args?.text ?? '')) this.s.halfModel.push(this.callSignal(n, receiver));
    if (/(^|\.)set_float32_matmul_precision$/.test(fn)) {
      const v = positional(args)[0]?.text ?? '';
      this.s.tf32.push({ range: rangeOfNode(n), setting: 'matmul_precision', enabled: /high|medium/.test(v) && !/highest/.test(v) });
    }
    if (this.isSoftmaxCall(fn, last, receiver)) this.scope().softmaxes.push(n);
    if (['matmul', 'mm', 'bmm', 'dot', 'einsum', 'linear', 'baddbmm', 'addmm', 'tensordot'].includes(last)) this.onMatmul(n);
    if (last === 'contiguous' && receiver !== undefined && this.loops.length > 0) {
      const obj = fnNode.childForFieldName('object')!;
      if (isTransposeExpr(obj)) this.onTransposeUse(obj, n, 'contiguous');
    }
    if (last === 'view' && fnNode.type === 'attribute') {
      const obj = fnNode.childForFieldName('object')!;
      if (isTransposeExpr(obj)) this.s.viewOfTranspose.push({ range: rangeOfNode(n), text: n.text });
    }
  }

  /**
   * A library softmax (`F.softmax`, `torch.softmax`, `scores.softmax(-1)`, `jax.nn.softmax`,
   * `scipy.special.softmax` imported as `softmax`), an `nn.Softmax` module, or a function of this
   * file that returns a softmax written by hand. Never a name alone: `self.softmax(x)` is one only
   * when the method or the module behind it is.
   */
  private isSoftmaxCall(fn: string, last: string, receiver: string | undefined): boolean {
    if (this.softmaxModules.has(fn)) return true;
    const own = receiver === undefined || receiver === 'self' || receiver === 'cls';
    if (own && this.softmaxDefs.has(last)) return true;
    if (last !== 'softmax') return false;
    if (receiver === undefined) return this.s.imports.some((i) => i.alias === 'softmax' && /^(scipy|torch|jax|tensorflow|tf|keras|mlx)\b/.test(i.module));
    // A method of the class that is not one of the above is the user's own, unread.
    return !own;
  }

  /**
   * `e / e.sum(-1, keepdims=True)` (or `e /= e.sum(...)`) with `e = np.exp(s - s.max(-1,
   * keepdims=True))`: a softmax.
   */
  private onDivision(n: Node): void {
    if (!this.words.softmax) return;
    const scope = this.scope();
    const input = handSoftmaxInput(n, (name, beforeRow) => {
      let best: { value: Node; row: number } | undefined;
      for (const a of scope.assignments.get(name) ?? []) {
        const row = a.value.startPosition.row;
        if (row < beforeRow && (!best || row > best.row)) best = { value: a.value, row };
      }
      return best?.value;
    });
    if (!input) return;
    scope.softmaxes.push(n);
    scope.softmaxInputs.set(n.id, input);
  }

  private onMatmul(n: Node): void {
    // Outside a loop a matmul is only a scope fact, which only a softmax reads.
    if (!this.words.softmax && this.loops.length === 0) return;
    const found = matmulOperands(n);
    if (!found) return;
    this.scope().matmuls.push(n);
    const loop = this.loops[this.loops.length - 1];
    if (!loop) return;
    const site = matmulSite(n, found)!;
    // Whether each operand changes per trip, and whether the result feeds the next trip.
    const st = this.statementOf(n);
    const target = st.type === 'expression_statement' ? st.namedChild(0) : null;
    const written = target?.type === 'assignment' || target?.type === 'augmented_assignment' ? namesIn(target.childForFieldName('left')!, true) : [];
    site.loopCarried = written.some((w) => site.operands.some((o) => o.names.includes(w))) || site.operands.some((o) => o.names.some((x) => loop.recurrent.has(x)));
    if (target?.type === 'assignment' || target?.type === 'augmented_assignment') site.target = target.childForFieldName('left')?.text;
    if (/\.append\(/.test(st.text)) site.target = st.text.split('.append(')[0].trim();
    for (const o of site.operands) {
      o.indexedBy = o.subscriptNames.filter((x) => loop.vars.has(x));
      o.isLoopVar = o.names.length === 1 && loop.vars.has(o.names[0]) && o.text === o.names[0];
    }
    site.statement = rangeOfNode(st);
    // Signals outlive the tree (they are cached per statement): they keep no nodes.
    const { operandNodes: _nodes, ...plain } = site;
    loop.sig.matmuls.push(plain);
    site.operandNodes.forEach((o, i) => {
      if (isTransposeExpr(o)) this.onTransposeUse(o, n, 'matmul', i);
    });
  }

  private onTransposeUse(t: Node, use: Node, useKind: 'matmul' | 'contiguous', operand?: number): void {
    const loop = this.loops[this.loops.length - 1];
    if (!loop) return;
    const invariant = !namesIn(t).some((x) => loop.assigned.has(x));
    this.s.transposeInLoop.push({ range: rangeOfNode(t), text: t.text, use: rangeOfNode(use), useKind, operand, loop: loop.sig.range, loopHeader: loop.sig.header, invariant });
  }

  private onAssignment(n: Node): void {
    if (!this.words.assignments) return;
    const left = n.childForFieldName('left');
    const right = n.childForFieldName('right');
    if (!left || !right) return;
    const l = left.text.replace(/\s+/g, '');
    // Each read of a node's text or type is a call into WebAssembly: read once here.
    const rightText = right.text;
    const rightType = right.type;
    if (/backends\.cuda\.matmul\.allow_tf32$/.test(l)) this.s.tf32.push({ range: rangeOfNode(n), setting: 'allow_tf32', enabled: rightText === 'True' });
    if (/backends\.cudnn\.allow_tf32$/.test(l)) this.s.tf32.push({ range: rangeOfNode(n), setting: 'cudnn.allow_tf32', enabled: rightText === 'True' });
    // Only a value that can say something about layout is read, or a name that holds an F array.
    if (/^[A-Za-z_][\w.]*$/.test(l) && (/fortran|order|\.T\b|transpose|\.t\(|contiguous|astype|\.to\(|float|double|half/.test(rightText) || this.orders.get(l) === 'F')) {
      const o = orderOfValue(right, this.orders);
      const own = this.orderScopes[this.orderScopes.length - 1];
      if (o === 'F') own.set(l, 'F');
      else if (own.has(l) || this.orderScopes[0].has(l)) own.set(l, 'C');
    }
    if (rightType === 'call') {
      const callee = right.childForFieldName('function')?.text ?? '';
      if (/(^|\.)Softmax$/.test(callee)) this.softmaxModules.add(l);
      if (/(^|\.)optim\.\w+$|^(SGD|Adam|AdamW|RMSprop|Adagrad|Lion|LAMB)$/.test(callee)) this.optimizers.add(l);
    }
    if (left.type === 'identifier') {
      const scope = this.scope();
      const list = scope.assignments.get(left.text) ?? [];
      // Only a scope with a softmax reads the statement (signalsAttention.ts): found then.
      let statement: Node | undefined;
      list.push({ value: right, get statement() { return (statement ??= statementOf(n)); } });
      scope.assignments.set(left.text, list);
    }
  }

  private onNumber(n: Node, type: string): void {
    if (!this.words.numbers) return;
    const v = Number(n.text.replace(/_/g, ''));
    if (!Number.isFinite(v) || v === 0) return;
    const a = Math.abs(v);
    if (a <= FP16_MAX && a >= FP16_MIN_SUBNORMAL) return;
    let ctx: FloatLiteralSignal['context'] = 'other';
    let p: Node | null = n.parent;
    if (p?.type === 'unary_operator') p = p.parent;
    if (p?.type === 'keyword_argument' && /eps|epsilon/i.test(p.childForFieldName('name')?.text ?? '')) ctx = 'eps';
    else if (p?.type === 'assignment' && /eps|epsilon/i.test(p.childForFieldName('left')?.text ?? '')) ctx = 'eps';
    else if (p?.type === 'argument_list' && /masked_fill_?$/.test(p.parent?.childForFieldName('function')?.text ?? '')) ctx = 'masked_fill';
    // Integers past 65504 are sizes and counts everywhere; only as a fill value are they a risk.
    if (type === 'integer' && ctx !== 'masked_fill') return;
    const range = n.parent?.type === 'unary_operator' ? rangeOfNode(n.parent) : rangeOfNode(n);
    this.s.floatLiterals.push({ range, value: n.parent?.type === 'unary_operator' && n.parent.childForFieldName('operator')?.text === '-' ? -v : v, text: n.parent?.type === 'unary_operator' ? n.parent.text : n.text, context: ctx });
  }

  private scope(): ScopeFacts {
    return this.scopes[this.scopes.length - 1];
  }

  /**
   * A loop nest whose innermost statement accumulates a product of a sliding window and the
   * kernel: `out[n, co, i, j] += x[n, ci, i + di, j + dj] * w[co, ci, di, dj]`, or
   * `out[i, j] = np.sum(x[i:i+kh, j:j+kw] * w)`, or the window taken into a name first
   * (`hs = h * stride; patch = X[b, hs:hs+kh, ws:ws+kw, :]; Y[b, h, w, c] = np.sum(patch * W[c])`).
   * An im2col copy has no product and never matches; neither does a pooling window (no product).
   */
  private detectNaiveConv(outer: Node): void {
    const nest: Node[] = [];
    let cur: Node | null = outer;
    const vars: string[] = [];
    const iters: string[] = [];
    const bodies: Node[] = [];
    // Follow the chain of loops, allowing a few statements (zeroing an accumulator) between them.
    while (cur && (cur.type === 'for_statement')) {
      nest.push(cur);
      vars.push(...loopVarsOf(cur.childForFieldName('left')!));
      iters.push(cur.childForFieldName('right')?.text ?? '');
      const body = cur.childForFieldName('body');
      if (!body) break;
      bodies.push(body);
      const inner: Node[] = body.namedChildren.filter((c): c is Node => !!c && c.type === 'for_statement');
      cur = inner.length === 1 ? inner[0] : null;
    }
    // One loop slides a window too (`y[t] = np.dot(x[t:t + K], w)`, a 1-D convolution), when it
    // moves one step a trip: a loop that steps by the window (`range(0, n, bs)`) cuts batches.
    const single = nest.length === 1;
    if (single && !/^range\(\s*[^,()]*(\([^()]*\)[^,()]*)*(,\s*[^,()]*(\([^()]*\)[^,()]*)*)?\)$/.test(iters[0])) return;
    // Names computed from the loop variables (`hs = h * stride`) index like them, and a name
    // assigned a windowed subscript (`patch = X[b, hs:hs+kh, ...]`) is a window.
    const derived = new Set(vars);
    const windowNames = new Map<string, string>();
    for (const body of bodies) {
      for (const st of body.namedChildren) {
        const e = st?.type === 'expression_statement' ? st.namedChild(0) : null;
        if (e?.type !== 'assignment') continue;
        const left = e.childForFieldName('left');
        const right = e.childForFieldName('right');
        if (!left || !right) continue;
        if (namesIn(right).some((x) => derived.has(x))) for (const x of namesIn(left, true)) derived.add(x);
        let r = right;
        while (r.type === 'parenthesized_expression' && r.namedChild(0)) r = r.namedChild(0)!;
        // `x[:, :, i:i + k, j:j + k].reshape(n, -1)`: a window flattened for a GEMM is a window.
        r = withoutReshapes(r);
        if (left.type === 'identifier' && r.type === 'subscript' && windowIndices(r, derived).length > 0) windowNames.set(left.text, right.text);
      }
    }
    for (const body of [...bodies].reverse()) {
      for (const st of body.namedChildren) {
        const e = st?.type === 'expression_statement' ? st.namedChild(0) : null;
        if (!e || (e.type !== 'augmented_assignment' && e.type !== 'assignment')) continue;
        const right = e.childForFieldName('right');
        if (!right) continue;
        const windowed = (n: Node) => windowIndices(n, derived).length > 0 || namesIn(n).some((x) => windowNames.has(x));
        const product = productOf(right, windowed);
        if (!product) continue;
        const contraction = product.type === 'call' || product.childForFieldName('operator')?.text === '@';
        const accumulates = contraction || e.type === 'augmented_assignment' || /(^|\.)sum\(/.test(right.text) || (right.type === 'binary_operator' && right.childForFieldName('left')?.text === e.childForFieldName('left')?.text);
        if (!accumulates) continue;
        const windows = [...windowIndices(right, derived), ...namesIn(product).filter((x) => windowNames.has(x)).map((x) => `${x} = ${windowNames.get(x)}`)];
        if (single && !windows.some((w) => w.includes(':') || w.includes('='))) continue;
        const outerHeader = rangeOfNode(outer);
        const b = outer.childForFieldName('right');
        if (b) outerHeader.end = { line: b.endPosition.row, character: b.endPosition.column + 1 };
        this.s.naiveConv.push({ range: rangeOfNode(outer), header: outerHeader, accumulate: rangeOfNode(e), product: rangeOfNode(product), vars, iters, windows });
        return;
      }
    }
  }
}

/** The callee names for which `onCall` reads the receiver (every test of `receiver` below it). */
const RECEIVER_NAMES = new Set(['backward', 'step', 'half', 'to', 'softmax', 'contiguous', 'view']);
/**
 * Every word a test of `onCall` compares the callee's last name with or looks for in its text or
 * its arguments (`quietCall`): a call whose text has none of them is one `onCall` ignores. Kept in
 * step with `onCall`, `isSoftmaxCall` (the file's softmax functions and modules are asked apart)
 * and the matmul names there.
 */
const CALL_WORDS = /GradScaler|initialize|LossScaler|loss_scale|Accelerator|set_float32_matmul_precision|\b(backward|step|half|to|softmax|matmul|mm|bmm|dot|einsum|linear|baddbmm|addmm|tensordot|contiguous|view)\b/;

/** Methods that lay a window out anew without computing on it: its elements stay the window's. */
const RESHAPES = new Set(['reshape', 'view', 'flatten', 'ravel', 'contiguous', 'copy', 'clone', 'astype', 'float', 'double', 'half', 'to']);

/** The array a chain of reshapes, copies and casts starts from: `x[...].reshape(n, -1)` → `x[...]`. */
function withoutReshapes(n: Node): Node {
  let e = n;
  for (let hops = 0; hops < 4 && e.type === 'call'; hops++) {
    const fn = e.childForFieldName('function');
    if (fn?.type !== 'attribute' || !RESHAPES.has(fn.childForFieldName('attribute')?.text ?? '')) break;
    e = fn.childForFieldName('object')!;
    while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  }
  return e;
}

/**
 * The multiply of a window by something else in an accumulated expression: `a * b` where one
 * side is (or holds) a subscript or a window name, the other side anything but a constant; or a
 * contraction call (`np.dot`, `np.tensordot`, `np.einsum`, `np.vdot`, `@`) with a window operand.
 */
function productOf(right: Node, windowed: (n: Node) => boolean): Node | null {
  const candidates = [right, ...right.descendantsOfType(['binary_operator', 'call'])].filter((x): x is Node => !!x);
  for (const c of candidates) {
    if (c.type === 'binary_operator') {
      const op = c.childForFieldName('operator')?.text;
      if (op !== '*' && op !== '@') continue;
      const l = c.childForFieldName('left')!;
      const r = c.childForFieldName('right')!;
      // The other factor is the kernel: a name, an attribute (`self.weight`), a subscript of
      // one, or an expression of them; a constant factor (`x[i:i+k] * 0.5`) is a scaling.
      const kernel = (n: Node) => n.type !== 'integer' && n.type !== 'float' && namesIn(n).length > 0;
      if ((windowed(l) && kernel(r)) || (windowed(r) && kernel(l))) return c;
    } else if (c.type === 'call') {
      const fn = c.childForFieldName('function')?.text.split('.').pop() ?? '';
      if (!['dot', 'vdot', 'tensordot', 'einsum', 'inner'].includes(fn)) continue;
      const args = positional(c.childForFieldName('arguments')).filter((a) => a.type !== 'string');
      if (args.some(windowed) && args.length >= 2) return c;
    }
  }
  return null;
}

/** The walk's position: its cursor, depth, which depths are blocks, statements made there. */
interface WalkState {
  root: Node;
  cursor: TreeCursor;
  depth: number;
  blocks: boolean[];
  statements: (Node | undefined)[];
  /** The cursor `statementOf` climbs with, made on its first use. */
  up?: TreeCursor;
}

const SKIP = Symbol('skip');

/** How the walk treats a node type (`nodeKind`). */
const ANONYMOUS = 0;
const LEAF = 1;
const BLOCK = 2;
const HANDLED = 3;
const OTHER = 4;
const PARAMETERS = 5;
/** An attribute (`a.b`): not descended into when it is a dotted name (`dottedName`). */
const DOTTED = 6;

const HANDLED_TYPES = new Set(['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension', 'function_definition', 'class_definition', 'import_statement', 'import_from_statement', 'with_statement', 'for_statement', 'while_statement', 'call', 'binary_operator', 'assignment', 'augmented_assignment', 'float', 'integer']);
/**
 * Not descended into: named leaves (an f-string's interpolations aside, which hold nothing the
 * rules look for), and type annotations, which run no code (a sixth of the nodes of annotated
 * model code).
 */
const LEAF_TYPES = new Set(['identifier', 'comment', 'string', 'true', 'false', 'none', 'type']);

/**
 * Whether `text[from, to)` is a dotted name of ASCII identifiers (`self.config.n_embd`): two or
 * more identifiers joined by dots, nothing else, not even spaces. Its nodes are then identifiers
 * and dots only (with no syntax error around).
 */
function dottedName(text: string, from: number, to: number): boolean {
  if (from < 0 || to > text.length || to - from < 3) return false;
  let dots = 0;
  let start = true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (start) return false;
      dots++;
      start = true;
      continue;
    }
    if (start ? !identStart(c) : !identPart(c)) return false;
    start = false;
  }
  return dots > 0 && !start;
}

/** Per language, by type id: asked of WebAssembly once per id, not once per node. */
const KINDS = new WeakMap<Language, number[]>();

function nodeKind(lang: Language, id: number): number {
  let kinds = KINDS.get(lang);
  if (!kinds) KINDS.set(lang, (kinds = []));
  let k = kinds[id];
  if (k === undefined) {
    // Ids past the language's symbols are ERROR nodes, which are named and hold children.
    const type = lang.types[id] ?? 'ERROR';
    const named = lang.types[id] === undefined || lang.nodeTypeIsNamed(id);
    k = kinds[id] = !named ? ANONYMOUS : HANDLED_TYPES.has(type) ? HANDLED : LEAF_TYPES.has(type) ? LEAF : type === 'block' || type === 'module' ? BLOCK : type === 'parameters' || type === 'lambda_parameters' ? PARAMETERS : type === 'attribute' ? DOTTED : OTHER;
  }
  return k;
}

function newScope(): ScopeFacts {
  return { assignments: new Map(), softmaxes: [], softmaxInputs: new Map(), matmuls: [] };
}

/** Subscript indices that slide a window: two loop variables added, or a slice starting at one. */
function windowIndices(n: Node, loopVars: Set<string>): string[] {
  const out: string[] = [];
  for (const sub of n.type === 'subscript' ? [n, ...n.descendantsOfType('subscript')] : n.descendantsOfType('subscript')) {
    if (!sub) continue;
    for (const idx of sub.childrenForFieldName('subscript')) {
      if (!idx) continue;
      const used = namesIn(idx).filter((x) => loopVars.has(x));
      if (idx.type === 'slice' && used.length >= 1 && /[+]/.test(idx.text)) out.push(idx.text);
      else if (idx.type === 'binary_operator' && new Set(used).size >= 2 && /\+/.test(idx.text)) out.push(idx.text);
    }
  }
  return out;
}

export function keywordArgs(args: Node | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const c of args?.namedChildren ?? []) {
    if (c?.type !== 'keyword_argument') continue;
    const k = c.childForFieldName('name')?.text;
    const v = c.childForFieldName('value')?.text;
    if (k && v !== undefined) out.set(k, v);
  }
  return out;
}

export function positional(args: Node | null): Node[] {
  return (args?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment');
}

/** Names of hand-written softmax functions a definition holds, by the definition's text. */
const SOFTMAX_DEFS = new Map<string, string[]>();

/** Whether `inert` definitions are left unwalked: turned off only by the test that checks it changes nothing. */
export const SIGNAL_GATE = { on: true };

/** Definitions without decorators: their scope is their own from their first word (`inert`). */
const PLAIN_DEFINITION = /^(def|async\s+def|class)\b/;

/**
 * The words and literals a handler of the walk acts on (`inert`): imports, `with` (autocast),
 * loops and comprehensions; the calls of `onCall` (loss scaling, backward, optimizer steps, half
 * casts, TF32, softmax, views); hand-written softmax (`exp`); the assignments of `onAssignment`
 * (TF32 flags, array layouts, optimizers); literals outside fp16's range (five digits or an
 * exponent) and `masked_fill`, the one place an integer counts.
 */
const EFFECTS = /\bimport\b|\bwith\b|\bfor\b|\bwhile\b|GradScaler|initialize|LossScaler|loss_scale|Accelerator|backward|step|half|\bto\b|set_float32_matmul_precision|[Ss]oftmax|view|exp|allow_tf32|fortran|order|\.T\b|transpose|\.t\(|contiguous|astype|float|double|optim|SGD|Adam|RMSprop|Adagrad|Lion|LAMB|masked_fill|\d[\d_]{4,}|\d\.?[eE][+-]?\d/;

/** The words of `EFFECTS` by handler (`readWords`): a softmax, by library or by hand (`exp`). */
const SOFTMAX_WORDS = /[Ss]oftmax|exp/;
/** What `onAssignment` acts on besides scope facts: TF32 flags, array layouts, optimizers, softmax modules. */
const ASSIGNMENT_WORDS = /allow_tf32|fortran|order|\.T\b|transpose|\.t\(|contiguous|astype|\bto\b|float|double|half|optim|SGD|Adam|RMSprop|Adagrad|Lion|LAMB|Softmax/;
/** Literals `onNumber` reports: past fp16's range (five digits or an exponent), or a `masked_fill` value. */
const NUMBERS = /masked_fill|\d[\d_]{4,}|\d\.?[eE][+-]?\d/;

/** The part of `inert` that reads the text alone: a plain definition with no word of `EFFECTS`. */
export function plainAndInert(text: string): boolean {
  return PLAIN_DEFINITION.test(text) && !EFFECTS.test(text);
}

/** Top-level statements whose signals are cached by their text and place: definitions. */
const DEFINITION = /^(def|async\s+def|class|@)\b/;

/** Signals of top-level definitions from the previous analysis of the same document. */
export interface SignalCache {
  /** By statement text, then by place and what was met before it (see `run`). */
  entries: Map<string, Map<string, SignalEntry>>;
  /** The last run by statement index: texts, what was met before each, its key, the entry used. */
  last?: {
    updates: number;
    texts: readonly string[];
    seen: (string | undefined)[];
    keys: (string | undefined)[];
    entries: (SignalEntry | undefined)[];
    /** The functions computing a softmax by hand each statement defines (`softmaxDefsIn`), where it defines any. */
    softmax?: (readonly string[] | undefined)[];
  };
}

interface SignalEntry {
  /** The statement's first line when it was walked: the ranges in `added` move with it. */
  row: number;
  added: Partial<Record<keyof Signals, unknown[]>>;
  /** The keys of `added`, once asked for. */
  keys?: (keyof Signals)[];
  optimizers: string[];
}

/**
 * `position` (`PythonDocument.position`) lets the cache take the entries of untouched
 * definitions by position after an edit.
 */
export function collectSignals(statements: readonly Node[], text: string, cache?: SignalCache, texts?: readonly string[], lines?: readonly string[], position?: DocumentPosition): Record<string, unknown[]> {
  const s = new Collector(lines ?? text.split(/\r\n|\r|\n/)).run(statements, cache, texts, position);
  return s as unknown as Record<string, unknown[]>;
}

