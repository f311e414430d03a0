/**
 * Functions and methods analysed per top-level statement, with the results of the previous
 * analysis of the same document reused where nothing they depend on changed.
 *
 * What the analysis of a top-level definition depends on, and so what its cache key holds:
 * - its own text, its column and the line above it (a comment there annotates it); lines
 *   inserted or deleted above it only move the ranges in its results;
 * - the module context: dims and dtype in force, and the text of every top-level statement that
 *   is not a definition (imports, constants, comments and their directives);
 * - the definitions it names, transitively (callees, classes it constructs or inherits from,
 *   config classes its parameters are typed with): a conservative closure over identifiers;
 * - the classes' witnesses (the best-known constructions): definitions whose analysis improved a
 *   witness are never cached, and their text, with the texts of every definition they reach, is
 *   part of the key of every definition after them that reaches one of those definitions;
 * - the builders `discoverInstances` found that reach what the definition reaches, with every
 *   definition they reach (a builder constructs `GPT`, whose `__init__` constructs `Block`, whose
 *   `__init__` sets the witness of `CausalSelfAttention`: a change to any of them changes what
 *   those classes' methods see), as the ids of their groups (`builderGroups`); the builders of a
 *   group run just before the first definition that depends on it is analysed, so a keystroke in
 *   one model of a file of many runs only that model's builders.
 * Anonymous dims are numbered afresh per statement (`Interpreter.resetFresh`), cached or not, so
 * that a statement's results do not depend on those before it.
 *
 * After an edit that moved no line, the statements it did not touch take their entries of the
 * last analysis by position instead (`positional` says when their keys provably did not change),
 * which on a large file is most of what a keystroke would otherwise cost here.
 */
import type { AssertedBound, ContextFunction, ContextOp, Finding, FunctionSummary, TensorOp, Unmodelled } from '../../core/ir';
import type { DType } from '../../core/dtypes';
import type { Interpreter } from './interpreter';
import { identPart, identStart } from './identifiers';
import type { Node } from './parser';
import { DocumentPosition, byPosition } from './document';
import type { FunctionInfo } from './values';
import { shiftRanges } from '../../core/shift';
import { intern } from '../../core/intern';
import { concatAll } from '../../core/splice';


interface Entry {
  /** The statement's first line when the results were made; ranges move with the statement. */
  row: number;
  ops: TensorOp[];
  findings: Finding[];
  unmodelled: Unmodelled[];
  summaries: FunctionSummary[];
  /** The calling contexts the statement's entry points recorded (docs/whole-program.md). */
  captured?: { ops: ContextOp[]; functions: ContextFunction[]; bounds?: [string, AssertedBound][] };
  /** Facts about distributed training the statement's run recorded (distributedFacts.ts). */
  dist?: { key: string; value: unknown }[];
}

export class StatementCache {
  /** The module context's key, and the entries valid in that context by statement key. */
  context = '';
  /** By statement text first (its hash is computed once per string), then by the rest of the key. */
  entries = new Map<string, Map<string, Entry>>();
  /** The top-level names each statement text mentions, by text, for one set of defined names. */
  mentions = new Map<string, { defined: string; names: string[] }>();
  /** The last analysis, by statement index (see `Positions`). */
  last?: Positions;
  /** The last analysis's defined names in the order met, and their key. */
  definedNames?: { names: string[]; defined: string };
  /** A number per builder group's key (`builderGroups`), never reused for another key. */
  groupIds = new Map<string, number>();
  nextGroupId = 1;
  /**
   * A number per statement text, never reused for another text: keys name the texts they hold
   * by these. A key that held the texts themselves was thousands of characters for a model's
   * `train` (it reaches the whole model), made anew and hashed on every keystroke; a statement's
   * text is the same string object across analyses, whose hash V8 keeps.
   */
  textIds = new Map<string, number>();
  nextTextId = 1;
  /**
   * Per builder group id, the builders its last run found to build a model they run
   * (`Interpreter.buildsModel`), and the module context of that run: a group none of whose
   * dependents is analysed again does not run, and its builders are still no entry points.
   */
  modelBuilders?: { context: string; byGroup: Map<number, string[]> };
}

function groupIds(groups: BuilderGroups, n: number): (number | undefined)[] {
  const out: (number | undefined)[] = [];
  for (let i = 0; i < n; i++) out.push(groups.idAt(i));
  return out;
}

/** The number of a statement text (`StatementCache.textIds`). */
function textId(cache: StatementCache, text: string): number {
  let id = cache.textIds.get(text);
  if (id === undefined) cache.textIds.set(text, (id = cache.nextTextId++));
  return id;
}

/** Keeps the numbers of the texts of this analysis only (an edited statement's old texts go). */
function pruneTextIds(cache: StatementCache, texts: readonly string[]): void {
  if (cache.textIds.size <= 2 * texts.length + 16) return;
  const kept = new Map<string, number>();
  for (const t of texts) {
    const id = cache.textIds.get(t);
    if (id !== undefined) kept.set(t, id);
  }
  cache.textIds = kept;
}

/**
 * The last analysis by statement index, so that the next one can take the entries of statements
 * an edit did not touch by position (`byPosition`) instead of computing and looking up their keys.
 */
interface Positions {
  /** `PythonDocument.updates` when it was made. */
  updates: number;
  texts: readonly string[];
  defined: string;
  /** Whether no statement changed a witness (every later key then has an empty witness part). */
  witnessFree: boolean;
  /** The entry used for each statement with functions. */
  entries: (Entry | undefined)[];
  /** The top-level names each statement defines, and those it mentions. */
  definedAt: (string[] | undefined)[];
  mentionsAt: (string[] | undefined)[];
  /** The id of the builder group each statement belongs to (`BuilderGroups.idAt`), and the global group's. */
  groupAt: readonly (number | undefined)[];
  global: number | undefined;
  /** The statements that mention each name (from `mentionsAt`), made when first needed. */
  mentioning?: Map<string, number[]>;
}

/** The statements that mention each name. */
function mentioningOf(mentionsAt: readonly (string[] | undefined)[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  mentionsAt.forEach((names, chunk) => {
    for (const n of names ?? []) {
      const list = out.get(n);
      if (list) list.push(chunk);
      else out.set(n, [chunk]);
    }
  });
  return out;
}

const IDENT = /[A-Za-z_][A-Za-z0-9_]*/g;

const NO_GROUPS: readonly (number | undefined)[] = [];

const PLAIN_KEYS: string[] = [];

/** The key of a statement at `column` with nothing above it and no dependencies. */
function plainKey(column: number): string {
  return (PLAIN_KEYS[column] ??= `${column}\0\0\0`);
}

function put(next: Map<string, Map<string, Entry>>, text: string, key: string, e: Entry): void {
  let m = next.get(text);
  if (!m) next.set(text, (m = new Map()));
  m.set(key, e);
}

function append<T>(to: T[], items: readonly T[]): void {
  for (const x of items) to.push(x);
}

/** The defined names a statement's text mentions (remembered while the set of names is the same). */
function mentionsOf(cache: StatementCache, next: StatementCache['mentions'], text: string, defined: string, defines: Map<string, number>): string[] {
  // This analysis's own reading first: a closure asks for the same texts again and again (every
  // model's classes, once per definition that reaches them), and on a first analysis the last
  // analysis's map is empty, so each ask matched the whole text against the identifier pattern.
  let m = next.get(text);
  if (m && m.defined === defined) return m.names;
  m = cache.mentions.get(text);
  if (!m || m.defined !== defined) m = { defined, names: definedNamesIn(text, defines) };
  next.set(text, m);
  return m.names;
}

/**
 * The defined names `text` mentions, each once, in the order first met: the identifiers matched
 * one by one, so that only defined names are kept (a list and a set of every identifier of a
 * 10,000-line file were most of what reading mentions allocated).
 */
function definedNamesIn(text: string, defines: Map<string, number>): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  const { first, lengths } = nameFilter(defines);
  // The identifiers as IDENT (`[A-Za-z_][A-Za-z0-9_]*`, global) matches them, scanned by
  // character code: a regex match makes an array and a string for every identifier of the text
  // (4.5 MB per full analysis of the generated bench file, 5% of all it allocated). Only an
  // identifier whose first character and length some defined name has is cut out and looked up.
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (!identStart(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && identPart(text.charCodeAt(j))) j++;
    if (first[c] === 1 && j - i < lengths.length && lengths[j - i] === 1) {
      const name = text.slice(i, j);
      if (defines.has(name) && !seen.has(name)) {
        seen.add(name);
        names.push(name);
      }
    }
    i = j;
  }
  return names;
}

/** The first characters and lengths of a set of defined names, made once per map (an analysis makes its map once and only reads it). */
const NAME_FILTERS = new WeakMap<Map<string, number>, { first: Uint8Array; lengths: Uint8Array; size: number }>();

function nameFilter(defines: Map<string, number>): { first: Uint8Array; lengths: Uint8Array } {
  let f = NAME_FILTERS.get(defines);
  if (f && f.size === defines.size) return f;
  let longest = 0;
  for (const k of defines.keys()) longest = Math.max(longest, k.length);
  const first = new Uint8Array(128);
  const lengths = new Uint8Array(longest + 1);
  for (const k of defines.keys()) {
    const c = k.charCodeAt(0);
    if (c < 128) first[c] = 1;
    lengths[k.length] = 1;
  }
  f = { first, lengths, size: defines.size };
  NAME_FILTERS.set(defines, f);
  return f;
}

/**
 * Whether the last analysis's entries can be taken by position after `change`, and for which
 * statements. They can when the change is the next update after that analysis, moved no line,
 * and kept the number of statements; the set of defined names is the same; no statement changed
 * a witness; and the group of builders every statement depends on is the same. Then a statement's
 * key (its column, the line above it, the texts it reaches, the empty witness part, the ids of
 * the builder groups of what it reaches) is what it was unless it is *dirty*: a changed
 * statement, one whose line above may have changed, one whose builder group changed, one that
 * mentions a name a changed statement defines (before or after), or one that reaches a dirty
 * statement (through the names it mentions). The dirty ones are keyed afresh; a keystroke in one
 * model of a file of many makes only that model's statements dirty.
 */
function positional(
  last: Positions | undefined,
  now: DocumentPosition | undefined,
  texts: readonly string[],
  defined: string,
  groups: BuilderGroups,
  definedIn: (first: number, end: number) => Set<string>,
  rowOf: (chunk: number) => number,
): Position | undefined {
  const change = last && byPosition(now, last.updates, last.texts.length, texts.length);
  if (!last || !change || last.defined !== defined || !last.witnessFree || last.global !== groups.global) return undefined;
  const { first, newCount } = change;
  const end = first + newCount;
  // Names defined by the changed statements, before and after.
  const changedNames = definedIn(first, end);
  for (let i = first; i < end; i++) for (const n of last.definedAt[i] ?? []) changedNames.add(n);
  // A statement starting on the line after the edit, or on its last line (after a `;`), may
  // have an edited line above it.
  let safeFrom = end;
  while (safeFrom < texts.length && rowOf(safeFrom) <= change.endRow + 1) safeFrom++;
  // Who mentions each name, from the last analysis: the same for every untouched statement.
  const mentioning = (last.mentioning ??= mentioningOf(last.mentionsAt));
  const dirty = new Uint8Array(texts.length);
  const queue: number[] = [];
  const mark = (chunk: number) => {
    if (dirty[chunk]) return;
    dirty[chunk] = 1;
    queue.push(chunk);
  };
  for (let i = first; i < safeFrom; i++) mark(i);
  for (let i = 0; i < texts.length; i++) if (texts[i] !== last.texts[i] || groups.idAt(i) !== last.groupAt[i]) mark(i);
  for (const n of changedNames) for (const c of mentioning.get(n) ?? []) mark(c);
  // Whatever mentions a name a dirty statement defines reaches it.
  while (queue.length) {
    const d = queue.pop()!;
    for (const n of last.definedAt[d] ?? []) for (const c of mentioning.get(n) ?? []) mark(c);
  }
  return {
    entryAt: (chunk) => (dirty[chunk] ? undefined : last.entries[chunk]),
    mentionsAt: (chunk) => last.mentionsAt[chunk],
    forget: (chunk, cache) => {
      // A changed statement's old text leaves the maps, or every keystroke would add an entry.
      const old = last.texts[chunk];
      if (old === undefined || old === texts[chunk] || texts.includes(old)) return;
      cache.entries.delete(old);
      cache.mentions.delete(old);
    },
    mentioning: (now) => {
      // The last analysis's map with the changed statements' mentions replaced (it is dropped
      // with that analysis, so it is updated in place).
      for (let i = first; i < end; i++) {
        for (const n of last.mentionsAt[i] ?? []) {
          const list = mentioning.get(n)!;
          list.splice(list.indexOf(i), 1);
          if (list.length === 0) mentioning.delete(n);
        }
        for (const n of now[i] ?? []) {
          const list = mentioning.get(n);
          if (!list) mentioning.set(n, [i]);
          else list.splice(sortedIndex(list, i), 0, i);
        }
      }
      return mentioning;
    },
  };
}

/** Where `x` goes in the ascending `list`. */
function sortedIndex(list: readonly number[], x: number): number {
  let i = 0;
  while (i < list.length && list[i] < x) i++;
  return i;
}

interface Position {
  /** The entry of a statement whose key did not change, to reuse as it is. */
  entryAt(chunk: number): Entry | undefined;
  mentionsAt(chunk: number): string[] | undefined;
  /** Drops from the maps what the changed statement's old text had there. */
  forget(chunk: number, cache: StatementCache): void;
  /** `mentioningOf(now)`, made from the last analysis's (called once, when the analysis is done). */
  mentioning(now: readonly (string[] | undefined)[]): Map<string, number[]>;
}

/**
 * Analyses every function and method, statement by statement, reusing cached results. Returns
 * the summaries and the ops cut into segments (`FileIR.segments`): the ops already recorded
 * (module level) first, then one per definition; a reused definition's segment is the cached
 * array itself.
 */
export function analyseStatements(it: Interpreter, statements: readonly Node[], texts: readonly string[], context: { bindings: Map<string, number>; defaultDtype: DType; line: (row: number) => string; position?: DocumentPosition; program?: string }, cache: StatementCache): { summaries: FunctionSummary[]; segments: TensorOp[][] } {
  // Which statement defines each top-level name.
  const defines = new Map<string, number>();
  for (const f of it.functions) if (!f.cls && f.chunk !== undefined) defines.set(f.qualName, f.chunk);
  for (const c of it.classes.values()) if (c.chunk !== undefined) defines.set(c.name, c.chunk);
  const isDef = new Set(defines.values());
  const bindings = [...context.bindings].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');
  const moduleText = texts.filter((_, i) => !isDef.has(i)).join('\0');

  // One string for the set of defined names, the same object across analyses (fast compare);
  // sorted only when the names, in the order met, differ from the last analysis's.
  const names = [...defines.keys()];
  const lastNames = cache.definedNames;
  const defined = lastNames && lastNames.names.length === names.length && lastNames.names.every((n, i) => n === names[i]) ? lastNames.defined : intern([...names].sort().join(','));
  cache.definedNames = { names, defined };
  const nextMentions: StatementCache['mentions'] = new Map();
  const closure = (start: number, own = mentionsOf(cache, nextMentions, texts[start], defined, defines)): number[] => {
    // Most definitions name no other definition of the file: no sets, no sorting.
    if (own.length === 0) return [];
    const seen = new Set<number>([start]);
    const queue = [start];
    while (queue.length) {
      const i = queue.pop()!;
      for (const name of mentionsOf(cache, nextMentions, texts[i], defined, defines)) {
        const j = defines.get(name);
        if (j !== undefined && !seen.has(j)) {
          seen.add(j);
          queue.push(j);
        }
      }
    }
    seen.delete(start);
    return [...seen].sort((a, b) => a - b);
  };

  const reach = (chunk: number | undefined) => (chunk === undefined ? [] : [chunk, ...closure(chunk)].map((j) => texts[j]));
  const groups = builderGroups(it, texts, moduleText, defines, closure, cache);
  // The other files of the program this one imports, with their versions: any edit there can
  // change what every function here computes (docs/whole-program.md).
  const contextKey = `${bindings}|${context.defaultDtype}|${moduleText}|${context.program ?? ''}`;
  const session = it.program;
  const replay = (e: Entry) => {
    if (!session || !e.captured) return;
    // Its records were cut at the bound per statement when made: counted from its own start.
    session.beginStatement();
    session.replay(e.captured);
    for (const [k, b] of e.captured.bounds ?? []) session.noteBound(k, b);
  };

  const byChunk = new Map<number, FunctionInfo[]>();
  for (const f of it.functions) {
    if (f.chunk === undefined) continue;
    const list = byChunk.get(f.chunk) ?? [];
    list.push(f);
    byChunk.set(f.chunk, list);
  }
  // The context is compared once, not hashed into every statement's key.
  const sameContext = cache.context === contextKey;
  const definedIn = (from: number, to: number): Set<string> => {
    const names = new Set<string>();
    for (const [name, chunk] of defines) if (chunk >= from && chunk < to) names.add(name);
    return names;
  };
  const reuse = sameContext ? positional(cache.last, context.position, texts, defined, groups, definedIn, (i) => statements[i].startPosition.row) : undefined;
  // What each statement defines: the last analysis's for untouched ones.
  let definedAt: (string[] | undefined)[];
  if (reuse) {
    const { first, newCount } = context.position!.change!;
    definedAt = cache.last!.definedAt.slice();
    for (let i = first; i < first + newCount; i++) definedAt[i] = undefined;
    for (const [name, chunk] of defines) if (chunk >= first && chunk < first + newCount) (definedAt[chunk] ??= []).push(name);
  } else {
    definedAt = [];
    for (const [name, chunk] of defines) (definedAt[chunk] ??= []).push(name);
  }
  // Taking entries by position keeps the previous maps (updated below); otherwise they are
  // rebuilt from the entries used, which drops those of texts that no longer exist.
  const next = reuse ? cache.entries : new Map<string, Map<string, Entry>>();
  // Taking entries by position, the kept map of a statement keyed afresh holds the entries of its
  // earlier keys: the first statement of a text to be keyed in this analysis starts its map anew,
  // or a model's `train`, keyed afresh on every keystroke in the model, would gain one per keystroke.
  const restarted = new Set<string>();
  const keep = (text: string, key: string, e: Entry) => {
    if (restarted.has(text)) return put(next, text, key, e);
    restarted.add(text);
    next.set(text, new Map([[key, e]]));
  };
  const mentionsNext = reuse ? cache.mentions : nextMentions;
  const entriesAt: (Entry | undefined)[] = [];
  const mentionsAt: (string[] | undefined)[] = [];
  /** The builder groups that ran in this analysis. */
  const ran = new Set<BuilderGroup>();
  // Per statement, flattened once at the end (a native copy, not a push per op).
  const summaryLists: FunctionSummary[][] = [];
  const segments: TensorOp[][] = it.ops.length > 0 ? [it.ops.slice()] : [];
  // Per statement that changed a witness: the definitions it reaches, and their texts. A later
  // statement's key holds only the parts whose definitions it reaches itself: a witness is a
  // class's, and only code that reaches the class reads it. One key part for every change before
  // a statement made an edit in one model of a file of many miss every statement after it.
  const witnessParts: { chunks: Set<number>; text: string }[] = [];
  for (const [chunk, fns] of byChunk) {
    // An untouched statement, with no witness changed before it: its entry of the last analysis.
    const same = reuse && witnessParts.length === 0 ? reuse.entryAt(chunk) : undefined;
    if (same) {
      replay(same);
      if (same.dist) append(it.distFacts, same.dist);
      segments.push(same.ops);
      append(it.findings, same.findings);
      append(it.unmodelledCalls, same.unmodelled);
      summaryLists.push(same.summaries);
      entriesAt[chunk] = same;
      mentionsAt[chunk] = reuse!.mentionsAt(chunk);
      continue;
    }
    if (reuse) reuse.forget(chunk, cache);
    mentionsAt[chunk] = mentionsOf(cache, mentionsNext, texts[chunk], defined, defines);
    const s = statements[chunk];
    const depChunks = closure(chunk, mentionsAt[chunk]);
    const deps = depChunks.map((j) => textId(cache, texts[j]));
    const own = groups.of(chunk, depChunks);
    const text = texts[chunk];
    // The line is not part of the key: lines inserted above a statement move its results (the
    // ranges in them) but change nothing else. The column is: it is the statement's indentation.
    const row = s.startPosition.row;
    // The line above is in it too: a comment there annotates the statement.
    const above = row > 0 ? context.line(row - 1) : '';
    const column = s.startPosition.column;
    const reached = witnessParts.length ? new Set([chunk, ...depChunks]) : undefined;
    const witnessPart = reached ? witnessParts.filter((p) => [...p.chunks].some((c) => reached.has(c))).map((p) => p.text).join('\0\0') : '';
    // Most keys are the same few strings (no line above, no dependencies): made once.
    const key = above === '' && deps.length === 0 && witnessPart === '' && own.length === 0 ? plainKey(column) : `${column}\0${above}\0${deps.join(',')}\0${witnessPart}\0${own.map((g) => g.id).join(',')}`;
    const byKey = sameContext ? cache.entries.get(text) : undefined;
    let hit = byKey?.get(key);
    // Contexts hold lines of this file and of others: a moved statement with some is analysed again.
    if (hit && hit.row !== row && (hit.captured || hit.dist)) hit = undefined;
    if (hit && hit.row !== row) hit = { ...shiftRanges({ ops: hit.ops, findings: hit.findings, unmodelled: hit.unmodelled, summaries: hit.summaries }, row - hit.row), row };
    if (hit) {
      replay(hit);
      if (hit.dist) append(it.distFacts, hit.dist);
      segments.push(hit.ops);
      append(it.findings, hit.findings);
      append(it.unmodelledCalls, hit.unmodelled);
      summaryLists.push(hit.summaries);
      // The usual case, a text with one entry: its map is carried over as it is (the old map is
      // dropped with the old cache, so updating it in place is safe).
      if (reuse) keep(text, key, hit);
      else if (byKey!.size === 1 && !next.has(text)) {
        byKey!.set(key, hit);
        next.set(text, byKey!);
      } else put(next, text, key, hit);
      entriesAt[chunk] = hit;
      continue;
    }
    // The builders whose witnesses this statement can see run now, once per analysis.
    for (const g of own) {
      it.runBuilders(g.builders);
      ran.add(g);
    }
    it.resetFresh();
    session?.beginStatement();
    const before = { ops: it.ops.length, findings: it.findings.length, unmodelled: it.unmodelledCalls.length, witness: it.witnessChanges, cops: session?.opsLength ?? 0, dist: it.distFacts.length, cfns: session?.functions.length ?? 0, bounds: new Set(session?.bounds.keys() ?? []) };
    const summaries: FunctionSummary[] = [];
    for (const f of fns) {
      try {
        summaries.push(it.analyseFunction(f));
      } catch (e) {
        // One function the interpreter cannot follow must not cost the file its other results,
        // and is listed with the reason instead of missing.
        summaries.push(it.unanalysedFunction(f, e));
      }
    }
    summaryLists.push(summaries);
    const ops = it.ops.slice(before.ops);
    segments.push(ops);
    if (it.witnessChanges !== before.witness) {
      witnessParts.push({ chunks: new Set([chunk, ...closure(chunk)]), text: reach(chunk).join('\0') });
      continue;
    }
    const newBounds = session ? [...session.bounds].filter(([k]) => !before.bounds.has(k)) : [];
    const captured = session && (session.opsLength > before.cops || session.functions.length > before.cfns || newBounds.length > 0) ? { ops: session.opsFrom(before.cops), functions: session.functions.slice(before.cfns), ...(newBounds.length ? { bounds: newBounds } : {}) } : undefined;
    // A statement whose contexts were cut by the session's bound is not cached: its replay would differ.
    if (session?.truncated) continue;
    const entry: Entry = {
      row,
      ops,
      findings: it.findings.slice(before.findings),
      unmodelled: it.unmodelledCalls.slice(before.unmodelled),
      summaries,
      ...(captured ? { captured } : {}),
      ...(it.distFacts.length > before.dist ? { dist: it.distFacts.slice(before.dist) } : {}),
    };
    if (reuse) keep(text, key, entry);
    else put(next, text, key, entry);
    entriesAt[chunk] = entry;
  }
  // Definitions without functions (a config class) are reached as well: their mentions too, for
  // `positional` to follow what reaches a changed statement through them.
  const lastTexts = reuse ? cache.last!.texts : undefined;
  for (const c of isDef) mentionsAt[c] ??= (lastTexts?.[c] === texts[c] ? cache.last!.mentionsAt[c] : undefined) ?? mentionsOf(cache, mentionsNext, texts[c], defined, defines);
  cache.modelBuilders = modelBuildersOf(it, groups, ran, cache.modelBuilders?.context === contextKey ? cache.modelBuilders.byGroup : undefined, contextKey);
  cache.entries = next;
  pruneTextIds(cache, texts);
  cache.context = contextKey;
  cache.mentions = mentionsNext;
  // A file without builders has no groups: one empty list says so for every statement.
  const groupAt: readonly (number | undefined)[] = groups.list.length === 0 ? NO_GROUPS : groupIds(groups, texts.length);
  cache.last = { updates: context.position?.updates ?? -1, texts, defined, witnessFree: witnessParts.length === 0, entries: entriesAt, definedAt, mentionsAt, groupAt, global: groups.global, ...(reuse ? { mentioning: reuse.mentioning(mentionsAt) } : {}) };
  // The ops of cached statements were never pushed to `it.ops`: the segments are the ops.
  it.ops = concatAll(segments);
  return { summaries: concatAll(summaryLists), segments };
}

/**
 * Which builders of each group build a model they run: found by the groups that ran, taken from
 * the last analysis (same module context, same group key) for the others. A group that neither
 * ran nor has a record is one no analysis of this context ran: no statement with functions
 * depends on it, so a fresh analysis would not run it either, and it is left so.
 */
function modelBuildersOf(it: Interpreter, groups: BuilderGroups, ran: ReadonlySet<BuilderGroup>, last: Map<number, string[]> | undefined, context: string): StatementCache['modelBuilders'] {
  const byGroup = new Map<number, string[]>();
  for (const g of groups.list) {
    if (ran.has(g)) {
      byGroup.set(g.id, g.builders.filter((b) => it.buildsModel(b)).map((b) => b.qualName));
      continue;
    }
    const known = last?.get(g.id);
    if (!known) continue;
    for (const b of g.builders) if (known.includes(b.qualName)) it.noteModelBuilder(b);
    byGroup.set(g.id, known);
  }
  return { context, byGroup };
}

/** The builder groups of an analysis, and which each statement depends on. */
interface BuilderGroups {
  list: BuilderGroup[];
  /** The groups a statement depends on: the global one, its own and those of what it reaches. */
  of(chunk: number, deps: readonly number[]): BuilderGroup[];
  /** The id of the group whose builders reach the statement, if any. */
  idAt(chunk: number): number | undefined;
  /** The id of the group every statement depends on (top-level code's), if any. */
  global: number | undefined;
}

interface BuilderGroup {
  /** A number for the group's key (its builders' names and the texts they reach). */
  id: number;
  /** Its builders, in file order. */
  builders: FunctionInfo[];
}

/**
 * The builders `discoverInstances` found, grouped, and which groups each statement depends on.
 *
 * A builder's constructions set the witnesses of the classes it reaches, so the analysis of a
 * statement depends on every builder that reaches a definition the statement reaches, and on the
 * texts those builders reach. Builders whose reaches share a definition may read a witness
 * another set: they form one group, run together in file order (`Interpreter.runBuilders`).
 * Top-level code runs before every builder and its globals can reach any function, so the
 * definitions it names join the builders that reach them into a group every statement depends
 * on; so does a builder that is not a top-level statement of its own. A keystroke in one model's
 * classes then changes only the key of that model's group, and only its builders run again,
 * where one key over all builders made every statement of a file of many models miss.
 */
function builderGroups(
  it: Interpreter,
  texts: readonly string[],
  moduleText: string,
  defines: Map<string, number>,
  closure: (start: number) => number[],
  cache: StatementCache,
): BuilderGroups {
  const none: BuilderGroups = { list: [], of: () => [], idAt: () => undefined, global: undefined };
  if (it.builders.length === 0) return none;
  // Member 0: the top-level code, with the definitions it names and what they reach.
  const moduleChunks = new Set<number>();
  for (const name of new Set(moduleText.match(IDENT) ?? [])) {
    const j = defines.get(name);
    if (j === undefined || moduleChunks.has(j)) continue;
    moduleChunks.add(j);
    for (const k of closure(j)) moduleChunks.add(k);
  }
  let everywhere = moduleChunks.size > 0;
  const reaches: (number[] | undefined)[] = [[...moduleChunks].sort((a, b) => a - b)];
  for (const b of it.builders) {
    if (b.chunk === undefined) everywhere = true;
    reaches.push(b.chunk === undefined ? undefined : [b.chunk, ...closure(b.chunk)]);
  }
  const parent = reaches.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]];
    return i;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const memberAt = new Map<number, number>();
  reaches.forEach((chunks, m) => {
    if (!chunks) return union(m, 0);
    for (const c of chunks) {
      const other = memberAt.get(c);
      if (other === undefined) memberAt.set(c, m);
      else union(m, other);
    }
  });
  // Each group's key: its members' reached texts, in member order.
  const parts = new Map<number, string[]>();
  const builders = new Map<number, FunctionInfo[]>();
  reaches.forEach((chunks, m) => {
    const root = find(m);
    if (m === 0 && !everywhere) return;
    const name = m === 0 ? '<module>' : it.builders[m - 1].qualName;
    let p = parts.get(root);
    if (!p) parts.set(root, (p = []));
    p.push(`${name}:${(chunks ?? []).map((j) => textId(cache, texts[j])).join(',')}`);
    if (m > 0) {
      let list = builders.get(root);
      if (!list) builders.set(root, (list = []));
      list.push(it.builders[m - 1]);
    }
  });
  const ids = new Map<string, number>();
  const byRoot = new Map<number, BuilderGroup>();
  for (const [root, p] of parts) {
    const key = p.join('\0\0');
    const id = cache.groupIds.get(key) ?? cache.nextGroupId++;
    ids.set(key, id);
    byRoot.set(root, { id, builders: builders.get(root) ?? [] });
  }
  // Only the keys of this analysis are kept: a key seen again later gets a new number.
  cache.groupIds = ids;
  const list = [...byRoot.values()].sort((a, b) => a.id - b.id);
  const global = everywhere ? byRoot.get(find(0)) : undefined;
  return {
    list,
    global: global?.id,
    idAt(chunk) {
      const m = memberAt.get(chunk);
      return m === undefined ? undefined : byRoot.get(find(m))?.id;
    },
    of(chunk, deps) {
      const out = new Set<BuilderGroup>();
      if (global) out.add(global);
      const m = memberAt.get(chunk);
      if (m !== undefined) out.add(byRoot.get(find(m))!);
      for (const j of deps) {
        const k = memberAt.get(j);
        if (k !== undefined) out.add(byRoot.get(find(k))!);
      }
      return out.size === 0 ? [] : [...out].sort((a, b) => a.id - b.id);
    },
  };
}
