/**
 * The Python frontend: parsed top-level statements → IR (ops with symbolic costs, function
 * totals, shape findings). Phases, in order: directives and imports, module-level facts, then
 * every function and method analysed on its own with calls followed.
 *
 * Re-analysis after an edit reuses, per top-level definition, what the previous analysis of the
 * same document found (statementCache.ts says when that is sound). **Invariant: an analysis
 * that reuses cached results equals a fresh analysis of the same text**; test/engine/incremental
 * checks it after every kind of edit on every fixture, test/lsp/incremental through the server.
 */
import { nodeMemoForText } from './nodeMemo';
import { FileIR, FunctionSummary } from '../../core/ir';
import type { Node } from './parser';
import { Settings } from '../../core/settings';
import { commonEnds } from '../../core/splice';
import { Interpreter, RunState } from './interpreter';
import { PythonDocument } from './document';
import { readDirectives } from './directives';
import { SignalCache, collectSignals } from './signals';
import { CommentCache } from './comments';
import { collectDistributedSignals } from './distributed';
import { calledFields, countClassParams } from './distributedParams';
import { applyPrecisionFacts } from './signalsPrecision';
import { WORLD_SIZE_DIM } from './distributedFacts';
import { TextScans, scanText } from './textScans';
import { ClassParams } from '../../core/comm/signals';
import { StatementCache, analyseStatements } from './statementCache';
import { DocumentCache, ProgramSession } from './session';
import { ProgramFiles, importClosure } from './program';
import { PARSER_MAX_INDENT_LEVELS, tooDeeplyIndented } from './notAnalysed';
import { LARGE_TEXT_CHARS, forgetTextCaches, textCache } from './textCaches';
import './builtins';

/** Classes whose integer defaults are dims users mean (`GPTConfig.n_embd = 768`). */
const CONFIG_CLASS = /config|args|hparams|params|settings|cfg/i;

/** What one document keeps between analyses: its parsed statements and per-statement results. */
export interface PythonState {
  doc: PythonDocument;
  functions: StatementCache;
  signals: SignalCache;
  comments: CommentCache;
  params?: { key: readonly string[]; value: ClassParams[] };
}

/** The whole-text scans of each document's last analysis, made again from the lines an edit touched. */
const SCANS = new WeakMap<PythonState, TextScans>();

export function newPythonState(text: string): PythonState {
  return { doc: new PythonDocument(text), functions: new StatementCache(), signals: { entries: new Map() }, comments: {} };
}

export function disposePythonState(state: PythonState): void {
  if (state.doc.text.length > LARGE_TEXT_CHARS) forgetTextCaches();
  state.doc.delete();
}

export interface PythonAnalysis {
  ir: FileIR;
  state: PythonState;
}

/** The program a file is analysed in (docs/whole-program.md): its files and their parsed documents. */
export interface PythonProgram {
  files: ProgramFiles;
  docs: DocumentCache;
  /** The program's name for a path the caller analyses (absolute, '/'-separated). */
  key(path: string): string;
}

/**
 * Analyses `text`. With the `state` of an earlier analysis of the same document, only what the
 * edit touched is parsed and analysed again; the state is updated in place and returned.
 * `betweenPhases`: called once the interpreter is done, before the passes over the syntax.
 */
export function analysePython(path: string, text: string, settings: Settings, state?: PythonState, program?: PythonProgram, betweenPhases?: () => void): PythonAnalysis {
  // Node reads are remembered for texts an editor holds; a text of megabytes is read without.
  nodeMemoForText(text.length);
  if (state) state.doc.update(text);
  else state = newPythonState(text);
  const statements = state.doc.statements;
  const facts = readDirectives(text, '#', undefined, state.doc.lineIndex);
  const bindings = new Map<string, number>(Object.entries(settings.dims));
  const defaultDtype = facts.defaultDtype ?? settings.defaultDtype;
  // The files this one imports, with their versions, key the per-statement cache.
  const self = program ? program.key(path) : path;
  const scans = scanText(text, SCANS.get(state));
  SCANS.set(state, scans);
  const deps = program ? importClosure(program.files, self, text, scans.imports) : [];
  const programKey = deps.map((p) => `${p}@${program!.files.version(p)}`).join('\n');
  // What the run sets for every file it goes through (`torch.set_default_dtype`, absl flags).
  const run: RunState = {};
  const session = program ? new ProgramSession(program.files, program.docs, { bindings, defaultDtype, rootTf32: scans.tf32, run }, self) : undefined;
  const it = new Interpreter(statements, {
    path: self,
    program: session,
    main: true,
    bindings,
    defaultDtype,
    run,
    text,
    texts: state.doc.texts,
    lines: state.doc.lines,
    valid: !state.doc.syntaxError,
    comments: { cache: state.comments, position: state.doc.position },
  });
  session?.setRoot(it);
  it.declare();
  it.checkComments();
  for (const cls of it.classes.values()) {
    if (!CONFIG_CLASS.test(cls.name)) continue;
    for (const [k, v] of cls.defaults) {
      const n = v.kind === 'int' ? v.value.constValue() : undefined;
      // `vocab_size: int = -1  # defined later by tokenizer` (LLaMA's ModelArgs) is a placeholder,
      // not a size: it must not shadow the value the user binds.
      if (n !== undefined && n > 0) {
        facts.dims.set(k, n);
        (facts.configDefaults ??= new Map()).set(k, cls.name);
      }
    }
  }
  // The world size the code reads at run time (`dist.get_world_size()`) is the configured one,
  // unless the user binds the dim or the code assigns it a constant (below).
  if (!bindings.has(WORLD_SIZE_DIM) && scans.world) facts.dims.set(WORLD_SIZE_DIM, settings.worldSize);
  for (const [k, v] of facts.dims) bindings.set(k, v);
  it.analyseModule();
  for (const [k, v] of it.globals) {
    const n = v.kind === 'int' ? v.value.constValue() : undefined;
    if (n !== undefined && Number.isFinite(n)) {
      facts.dims.set(k, n);
      bindings.set(k, n);
    }
  }
  for (const [k, v] of facts.directiveDims) bindings.set(k, v);
  // Builders run when a function reaching their classes is analysed (statementCache.ts).
  it.discoverInstances(true);
  const { summaries, segments } = analyseStatements(it, statements, state.doc.texts, {
    bindings,
    defaultDtype,
    line: (row) => state!.doc.line(row),
    position: state.doc.position,
    program: programKey,
  }, state.functions);
  betweenPhases?.();
  const ir: FileIR = {
    path,
    language: 'python',
    ops: it.ops,
    segments,
    functions: summaries,
    findings: facts.problems.length ? it.findings.concat(facts.problems) : it.findings,
    unmodelled: it.unmodelledCalls,
    facts,
    signals: collectSignals(statements, text, state.signals, state.doc.texts, state.doc.lines, state.doc.position),
  };
  // Blocks nested past what the parser follows vanish from its tree as a syntax error: said where.
  const deep = state.doc.syntaxError ? tooDeeplyIndented(text) : undefined;
  if (deep) {
    const message = `code nested ${deep.depth} levels deep is not analysed: the Python parser follows ${PARSER_MAX_INDENT_LEVELS} levels of indentation (Python itself refuses 100), and the block around this line is lost to it`;
    ir.findings = [...ir.findings, { code: 'TC000', severity: 'warning', message, range: { start: { line: deep.line, character: 0 }, end: { line: deep.line, character: 0 } } }];
  }
  if (session) {
    ir.captured = session.captured();
    ir.programPath = self;
    ir.dependencies = session.dependencies;
    const m = it.moduleAcc;
    ir.moduleSummary = { flops: m.flops, otherFlops: m.otherFlops, bytes: m.bytes, upperBound: m.upperBound, ...(m.reasons?.length ? { reasons: m.reasons } : {}), ...(m.trains ? { trains: true } : {}) };
    // Top-level code is an entry point when it computes, calls into what does, or could not be followed.
    const moduleRuns = !it.moduleAcc.flops.isZero() || !it.moduleAcc.otherFlops.isZero() || !!it.moduleAcc.reasons?.length || segments.length > 0 && segments[0].length > 0 && segments[0][0].function === null;
    ir.entries = [...(moduleRuns ? ['<module>'] : []), ...it.functions.filter((f) => it.isEntry(f)).map((f) => f.qualName)];
    session.release();
  }
  Object.assign(ir.signals, collectDistributedSignals(statements, text, state.doc.syntaxError ? undefined : state.doc.texts, () => classParams(state!)));
  // The interpreter's mixed-precision facts decide over the syntax's (issue 15).
  applyPrecisionFacts(ir, it.moduleAcc.precision);
  // A loop body or a function called from several places records the same fact again: kept once.
  const seenFacts = new Set<string>();
  for (const f of it.distFacts) {
    const key = factKey(f);
    if (seenFacts.has(key)) continue;
    seenFacts.add(key);
    (ir.signals[f.key] ??= []).push(f.value);
  }
  attachParams(ir, state, it.classes.size > 0);
  state.doc.releaseNodes();
  it.forgetCalls();
  return { ir, state };
}

/**
 * A distributed-training fact as text, to keep each once. Facts of cached statements are the same
 * objects on every keystroke (statementCache.ts): each is formatted once.
 */
const FACT_KEYS = new WeakMap<object, string>();

function factKey(f: { key: string; value: unknown }): string {
  let k = FACT_KEYS.get(f);
  if (k === undefined) FACT_KEYS.set(f, (k = `${f.key}|${JSON.stringify(f.value)}`));
  return k;
}

/**
 * The parameter counts of the file's classes (`countClassParams`), counted again only when what
 * they depend on changed: the class statements with the bodies of their methods other than
 * `__init__` left out (only `__init__` builds parameters), so that typing in a `forward` does not
 * recount every class of the file.
 */
function classParams(state: PythonState): ClassParams[] {
  const texts = state.doc.texts;
  const statements = state.doc.statements;
  const key: string[] = [];
  const at: number[] = [];
  texts.forEach((t, i) => {
    if (CLASS_OR_DECORATED.test(t)) {
      key.push(paramsKey(t, statements[i]));
      at.push(i);
    }
  });
  // Unchanged class texts give the same key strings: the comparison is cheap.
  const same = state.params && state.params.key.length === key.length && state.params.key.every((t, i) => t === key[i]);
  if (!same) state.params = { key, value: countClassParams(at.map((i) => statements[i])) };
  return state.params!.value;
}

/** By statement text (detached, document.ts): the text with other methods' bodies cut out. */
const PARAMS_KEYS = textCache<string, string>();

function paramsKey(text: string, stmt: Node): string {
  let key = PARAMS_KEYS.get(text);
  if (key !== undefined) return key;
  const def = stmt.type === 'decorated_definition' ? stmt.childForFieldName('definition') : stmt;
  const cuts: [number, number][] = [];
  if (def?.type === 'class_definition') {
    for (const m of def.childForFieldName('body')?.namedChildren ?? []) {
      const fn = m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m;
      if (fn?.type !== 'function_definition' || fn.childForFieldName('name')?.text === '__init__') continue;
      const body = fn.childForFieldName('body');
      if (body) cuts.push([body.startIndex - stmt.startIndex, body.endIndex - stmt.startIndex]);
    }
  }
  key = '';
  let from = 0;
  for (const [a, b] of cuts) {
    key += text.slice(from, a) + '…';
    from = b;
  }
  key += text.slice(from);
  // Which fields the methods call as modules decides what the count says it left out
  // (`uncountedFields`): those calls are in the bodies cut out above, so they join the key.
  key += `\n${calledFields(text).join(' ')}`;
  if (PARAMS_KEYS.size > 10_000) PARAMS_KEYS.clear();
  PARAMS_KEYS.set(text, key);
  return key;
}

/**
 * Trainable parameters per class (issue 7), shown on the hover of the class's methods: the
 * distributed pass's counts when the file trains in parallel, else `classParams`'s (the same
 * cache either way).
 */
const WITH_PARAMS = new WeakMap<FunctionSummary, FunctionSummary>();
const CLASS_OR_DECORATED = /^(@|class\b)/;

/**
 * The last `attachParams` of a document: while the counts are the same array, the summaries it
 * was given that a keystroke did not touch (the common leading and trailing ones, the same
 * objects) take what it made for them by position, instead of a name cut and two lookups each.
 */
const ATTACHED = new WeakMap<PythonState, { counted: ClassParams[]; byClass: Map<string, ClassParams>; input: readonly FunctionSummary[]; output: FunctionSummary[] }>();

function attachParams(ir: FileIR, state: PythonState, hasClasses: boolean): void {
  if (!hasClasses) return;
  const counted = (ir.signals['dist.params'] as ClassParams[] | undefined) ?? classParams(state);
  const last = ATTACHED.get(state)?.counted === counted ? ATTACHED.get(state) : undefined;
  const byClass = last?.byClass ?? new Map(counted.filter((c) => !c.params.isZero()).map((c) => [c.cls, c]));
  if (byClass.size === 0) return;
  // Summaries may be shared with the previous analysis (cached): copied, never changed in place.
  const attach = (f: FunctionSummary): FunctionSummary => {
    const dot = f.name.indexOf('.');
    const c = dot > 0 ? byClass.get(f.name.slice(0, dot)) : undefined;
    if (!c || f.params) return f;
    const copy = WITH_PARAMS.get(f);
    if (copy && copy.params === c.params && copy.paramsUncounted === c.uncounted) return copy;
    const made = { ...f, params: c.params, ...(c.uncounted ? { paramsUncounted: c.uncounted } : {}) };
    WITH_PARAMS.set(f, made);
    return made;
  };
  const input = ir.functions;
  const n = input.length;
  const output = new Array<FunctionSummary>(n);
  const { p, q } = last ? commonEnds(last.input, input) : { p: 0, q: 0 };
  if (last) {
    for (let i = 0; i < p; i++) output[i] = last.output[i];
    for (let i = n - q; i < n; i++) output[i] = last.output[i - n + last.input.length];
  }
  for (let i = p; i < n - q; i++) output[i] = attach(input[i]);
  ATTACHED.set(state, { counted, byClass, input, output });
  ir.functions = output;
}
