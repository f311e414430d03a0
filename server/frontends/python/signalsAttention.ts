/**
 * Hand-written attention, `softmax(q @ kᵀ · scale [masked]) @ v`, found per scope from the
 * scope's assignments, softmax calls and matmuls: the softmax argument is traced back through
 * scaling, masking and plain reassignments to a matmul with a transposed second operand, and the
 * softmax result forward (through dropout) to the matmul that applies it to v.
 */
import type { ImportSignal, ManualAttentionSignal, Range } from '../../core/rules/signals';
import type { Node } from './parser';
import { isTransposeExpr, matmulSite, rangeOf, transposedBase } from './signalsSyntax';
import { withoutMax } from './signalsSoftmax';

export interface Assigned {
  value: Node;
  statement: Node;
}

export interface ScopeFacts {
  assignments: Map<string, Assigned[]>;
  softmaxes: Node[];
  /** A softmax written by hand, by the id of its `exp / sum` node: the scores it normalises. */
  softmaxInputs: Map<number, { input: Node; maxSubtracted: boolean }>;
  matmuls: Node[];
}

interface Trace {
  scores: Node;
  statements: Node[];
  maskCond?: string;
  additiveMask?: string;
  scale?: { op: string; text: string };
  /** The row max was subtracted for stability on the way (`s - s.max(-1, keepdim=True)`). */
  maxSubtracted?: boolean;
}

const MAX_HOPS = 8;

export function collectAttention(scope: ScopeFacts, lines: readonly string[], imports: ImportSignal[]): ManualAttentionSignal[] {
  const out: ManualAttentionSignal[] = [];
  for (const sm of scope.softmaxes) {
    const hand = scope.softmaxInputs.get(sm.id);
    const arg = hand?.input ?? softmaxInput(sm);
    if (!arg) continue;
    const trace: Trace | null = traceScores(arg, scope, sm.startPosition.row, 0, { statements: [] });
    if (!trace) continue;
    const use = softmaxUse(sm, scope);
    if (!use) continue;
    const scoresSite = matmulSite(trace.scores)!;
    const outSite = matmulSite(use.output)!;
    const kNode = scoresSite.operandNodes[1];
    // An einsum names its layout in its equation: its key is not transposed, and the message
    // shows the call as written rather than a matmul with a transpose it never wrote.
    const scoresEq = einsumEquation(trace.scores);
    const outEq = einsumEquation(use.output);
    const kBase = scoresEq ? kNode?.text : kNode && isTransposeExpr(kNode) ? transposedBase(kNode)?.text : resolveTransposed(kNode, scope)?.text;
    // SDPA takes (..., L, d) operands: a fix only when both einsums keep that layout.
    const sdpaLayout = (!scoresEq || standardScores(scoresEq)) && (!outEq || standardOutput(outEq));
    const framework = frameworkOf(sm, imports);
    const statements = [...trace.statements, ...use.statements, statementOf(sm), statementOf(use.output)];
    const causal = !!trace.maskCond && (/tril|triu|causal|bias|future/i.test(trace.maskCond) || maskFromTril(trace.maskCond, scope));
    const scale = !trace.scale ? 'none' : /sqrt|\*\*\s*\(?\s*-?0?\.5|rsqrt/.test(trace.scale.text) ? 'default' : trace.scale.op === '/' ? `1.0 / (${trace.scale.text})` : trace.scale.text;
    const target = assignmentTarget(use.output);
    out.push({
      scores: rangeOf(trace.scores),
      softmax: rangeOf(sm),
      output: rangeOf(use.output),
      q: scoresSite.operands[0].text,
      k: kBase ?? `${kNode?.text ?? 'k'}.transpose(-2, -1)`,
      v: outSite.operands[1]?.text ?? 'v',
      causal,
      attnMask: causal ? undefined : trace.maskCond ? invertMask(trace.maskCond) : trace.additiveMask,
      dropout: use.dropout,
      scale,
      statements: sdpaLayout ? consecutive(statements, lines, target) : undefined,
      ...(scoresEq ? { scoresText: callText(trace.scores) } : {}),
      // A library softmax reads and writes the scores once; by hand, exp and the division each
      // read and write them, the sum reads them, and a max subtracted first reads, reads and writes.
      ...(hand ? { softmaxPasses: 5 + (hand.maxSubtracted || trace.maxSubtracted ? 3 : 0) } : {}),
      ...(outEq ? { outputText: callText(use.output) } : {}),
      target,
      indent: /^\s*/.exec(lines[statementOf(use.output).startPosition.row] ?? '')![0],
      framework,
      sdpaCallee: sdpaName(imports),
    });
  }
  return out;
}

/** The equation of an einsum call, split: `'bhqd,bhkd->bhqk'` → ['bhqd', 'bhkd', 'bhqk']. */
function einsumEquation(n: Node): [string, string, string] | null {
  if (n.type !== 'call' || !/einsum$/.test(n.childForFieldName('function')?.text ?? '')) return null;
  const eq = n.childForFieldName('arguments')?.namedChild(0);
  if (eq?.type !== 'string') return null;
  const m = /^\s*([\w]+)\s*,\s*([\w]+)\s*->\s*([\w]+)\s*$/.exec(eq.text.replace(/^[rbuf]*(['"])/i, '').replace(/['"]$/, ''));
  return m ? [m[1], m[2], m[3]] : null;
}

/** `<P>qd,<P>kd-><P>qk`: the scores of (..., L, d) operands, as SDPA takes them. */
function standardScores([x, y, z]: [string, string, string]): boolean {
  const p = x.slice(0, -2);
  return x.length >= 2 && y.length === x.length && z.length === x.length && y.startsWith(p) && z.startsWith(p) && x[x.length - 1] === y[y.length - 1] && z === p + x[x.length - 2] + y[y.length - 2] && x[x.length - 2] !== y[y.length - 2];
}

/** `<P>qk,<P>kd-><P>qd`: probabilities applied to (..., L, d) values. */
function standardOutput([x, y, z]: [string, string, string]): boolean {
  const p = x.slice(0, -2);
  return x.length >= 2 && y.length === x.length && z.length === x.length && y.startsWith(p) && z.startsWith(p) && x[x.length - 1] === y[y.length - 2] && z === p + x[x.length - 2] + y[y.length - 1];
}

/** A call as written, on one line, without its library prefix: `einsum('bhqd,bhkd->bhqk', q, k)`. */
function callText(n: Node): string {
  const fn = n.childForFieldName('function')?.text.split('.').pop() ?? '';
  return `${fn}${(n.childForFieldName('arguments')?.text ?? '()').replace(/\s+/g, ' ').replace(/\(\s+/, '(').replace(/,?\s*\)$/, ')')}`;
}

function softmaxInput(sm: Node): Node | null {
  const fn = sm.childForFieldName('function');
  const args = (sm.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'comment');
  const first = args.find((a) => a.type !== 'keyword_argument') ?? args.find((a) => a.childForFieldName('name')?.text === 'input')?.childForFieldName('value') ?? null;
  const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
  // `self.softmax(att)`: a module or a method of the class, applied to its argument.
  if (obj && /^(self|cls)$/.test(obj.text)) return first;
  if (obj && !/^(torch|F|nn|np|numpy|jnp|jax|scipy|special|tf)(\.|$)/.test(obj.text) && !/\.(functional|nn|special)$/.test(obj.text)) return obj;
  return first;
}

function traceScores(n: Node, scope: ScopeFacts, beforeRow: number, hops: number, t: Omit<Trace, 'scores'>): Trace | null {
  if (hops > MAX_HOPS) return null;
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  const site = matmulSite(e);
  if (site && isScoresMatmul(e, site.operandNodes, scope)) return { ...t, scores: e };
  if (e.type === 'binary_operator') {
    const op = e.childForFieldName('operator')?.text ?? '';
    const l = e.childForFieldName('left')!;
    const r = e.childForFieldName('right')!;
    if (op === '/' || op === '*') {
      const found = traceScores(l, scope, beforeRow, hops + 1, { ...t, scale: t.scale ?? { op, text: r.text } });
      if (found || op === '/') return found;
      return traceScores(r, scope, beforeRow, hops + 1, { ...t, scale: t.scale ?? { op, text: l.text } });
    }
    // `s - s.max(-1, keepdim=True)` (or `torch.max(s, -1, keepdim=True)[0]`) steadies a softmax
    // written by hand: a pass over the scores, not a mask.
    if (op === '-' && withoutMax(e) !== e) return traceScores(l, scope, beforeRow, hops + 1, { ...t, maxSubtracted: true });
    if (op === '+' || op === '-') {
      const found = traceScores(l, scope, beforeRow, hops + 1, { ...t, additiveMask: t.additiveMask ?? r.text });
      return found ?? traceScores(r, scope, beforeRow, hops + 1, { ...t, additiveMask: t.additiveMask ?? l.text });
    }
    return null;
  }
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    const name = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : fn?.text;
    if ((name === 'masked_fill' || name === 'masked_fill_') && fn?.type === 'attribute') {
      const cond = e.childForFieldName('arguments')?.namedChild(0)?.text;
      return traceScores(fn.childForFieldName('object')!, scope, beforeRow, hops + 1, { ...t, maskCond: t.maskCond ?? cond });
    }
    if (name === 'where' && fn) {
      // torch.where(mask, scores, -inf): the scores are the second argument.
      const args = e.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c) ?? [];
      if (args.length >= 2) return traceScores(args[1], scope, beforeRow, hops + 1, { ...t, maskCond: t.maskCond ?? `~(${args[0].text})` });
    }
    if (name !== undefined && CASTS.has(name)) {
      const obj = fn?.type === 'attribute' ? fn.childForFieldName('object') : null;
      return obj ? traceScores(obj, scope, beforeRow, hops + 1, t) : null;
    }
    return null;
  }
  if (e.type === 'identifier') {
    const a = lastAssignment(scope, e.text, beforeRow);
    if (!a) return null;
    return traceScores(a.value, scope, a.statement.startPosition.row, hops + 1, { ...t, statements: [...t.statements, a.statement] });
  }
  return null;
}

/** A matmul whose second operand is transposed (or an einsum contracting the last dims of both). */
function isScoresMatmul(n: Node, operands: Node[], scope: ScopeFacts): boolean {
  const b = operands[1];
  if (!b) return false;
  if (isTransposeExpr(b) || resolveTransposed(b, scope)) return true;
  if (n.type === 'call' && /einsum$/.test(n.childForFieldName('function')?.text ?? '')) {
    const eq = n.childForFieldName('arguments')?.namedChild(0);
    const m = /^['"]?\s*([\w.]+)\s*,\s*([\w.]+)\s*->\s*([\w.]+)/.exec(eq?.text.replace(/^[rbuf]*['"]/, '') ?? '');
    if (m) {
      const [, x, y, z] = m;
      // q · k over the head dim, whatever the layout ('bhqd,bhkd->bhqk', 'bqhd,bkhd->bhqk'): one
      // letter is contracted (in both operands, not the result) and each operand keeps a sequence
      // letter of its own, both in the result, the key's last (the axis the softmax normalises).
      const contracted = [...x].filter((c) => y.includes(c) && !z.includes(c));
      const qOnly = [...x].filter((c) => !y.includes(c));
      const kOnly = [...y].filter((c) => !x.includes(c));
      return contracted.length === 1 && qOnly.length === 1 && kOnly.length === 1 && z.includes(qOnly[0]) && z[z.length - 1] === kOnly[0];
    }
  }
  return false;
}

/** `kT` when it was assigned `k.transpose(-2, -1)`: the transposed base, else null. */
function resolveTransposed(n: Node | undefined, scope: ScopeFacts): Node | null {
  if (n?.type !== 'identifier') return null;
  const a = lastAssignment(scope, n.text, n.startPosition.row);
  return a && isTransposeExpr(a.value) ? transposedBase(a.value) : null;
}

function lastAssignment(scope: ScopeFacts, name: string, beforeRow: number): Assigned | undefined {
  const list = scope.assignments.get(name) ?? [];
  let best: Assigned | undefined;
  for (const a of list) if (a.statement.startPosition.row < beforeRow && (!best || a.statement.startPosition.row > best.statement.startPosition.row)) best = a;
  return best;
}

/** Where the probabilities go: straight into a matmul, or via a name (and dropout) into one. */
function softmaxUse(softmax: Node, scope: ScopeFacts): { output: Node; statements: Node[]; dropout?: string } | null {
  const sm = castsAround(softmax);
  const p = sm.parent;
  if (p && matmulSite(p)?.operandNodes[0]?.id === sm.id) return { output: p, statements: [] };
  const st = statementOf(sm);
  const assign = st.type === 'expression_statement' ? st.namedChild(0) : null;
  // `w /= w.sum(...)`: the softmax is the statement itself, and `w` holds the probabilities.
  const inPlace = assign?.type === 'augmented_assignment' && assign.id === sm.id;
  if (!inPlace && (assign?.type !== 'assignment' || assign.childForFieldName('right')?.id !== sm.id)) return null;
  const name = assign!.childForFieldName('left')?.text;
  if (!name || !/^\w+$/.test(name)) return null;
  const row = st.startPosition.row;
  const later = [...scope.matmuls].filter((m) => m.startPosition.row > row).sort((a, b) => a.startPosition.row - b.startPosition.row);
  for (const m of later) {
    const first = matmulSite(m)?.operandNodes[0];
    if (!first) continue;
    const direct = first.text === name;
    const dropped = first.type === 'call' && /dropout/i.test(first.childForFieldName('function')?.text ?? '') && first.childForFieldName('arguments')?.namedChild(0)?.text === name;
    if (!direct && !dropped) continue;
    // Every reassignment of the name in between must be a dropout of itself.
    const between = (scope.assignments.get(name) ?? []).filter((a) => a.statement.startPosition.row > row && a.statement.startPosition.row <= m.startPosition.row);
    if (between.some((a) => !isDropoutOf(a.value, name))) return null;
    const drop = dropped ? first : between[0]?.value;
    return { output: m, statements: between.map((a) => a.statement), dropout: drop ? dropoutP(drop) : undefined };
  }
  return null;
}

/** Methods that only change a tensor's dtype: `softmax(...).type_as(xq)` is still the probabilities. */
const CASTS = new Set(['float', 'half', 'bfloat16', 'double', 'to', 'type', 'type_as']);

/** The outermost call of a chain of casts applied to `n` (`F.softmax(s.float()).type_as(xq)`). */
function castsAround(n: Node): Node {
  let cur = n;
  for (let hops = 0; hops < MAX_HOPS; hops++) {
    const attr = cur.parent;
    const call = attr?.parent;
    if (attr?.type !== 'attribute' || attr.childForFieldName('object')?.id !== cur.id || !CASTS.has(attr.childForFieldName('attribute')?.text ?? '')) break;
    if (call?.type !== 'call' || call.childForFieldName('function')?.id !== attr.id) break;
    cur = call;
  }
  return cur;
}

function isDropoutOf(n: Node, name: string): boolean {
  return n.type === 'call' && /dropout/i.test(n.childForFieldName('function')?.text ?? '') && n.childForFieldName('arguments')?.namedChild(0)?.text === name;
}

function dropoutP(call: Node): string {
  const fn = call.childForFieldName('function')?.text ?? '';
  const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is Node => !!c) ?? [];
  const p = args.find((a) => a.type === 'keyword_argument' && a.childForFieldName('name')?.text === 'p')?.childForFieldName('value')?.text ?? (/(^|\.)(functional\.)?dropout$/.test(fn) && !/^self\./.test(fn) ? args[1]?.text : undefined);
  if (p) return `${p} if self.training else 0.0`;
  return `${fn}.p if self.training else 0.0`;
}

/** The nearest node, `n` included, whose parent is a block or the module. */
export function statementOf(n: Node): Node {
  let s: Node = n;
  while (s.parent && s.parent.type !== 'block' && s.parent.type !== 'module') s = s.parent;
  return s;
}

function assignmentTarget(n: Node): string | undefined {
  const st = statementOf(n);
  const a = st.type === 'expression_statement' ? st.namedChild(0) : null;
  if (a?.type === 'assignment' && a.childForFieldName('right')?.id === n.id) return a.childForFieldName('left')?.text;
  return undefined;
}

/**
 * The span from the first to the last statement, when the statements are all the block holds
 * there and the intermediate names are not read after it: only then can one call replace them.
 */
function consecutive(stmts: Node[], lines: readonly string[], target: string | undefined): Range | undefined {
  if (!target) return undefined;
  const uniq = [...new Map(stmts.map((s) => [s.id, s])).values()].sort((a, b) => a.startIndex - b.startIndex);
  const block = uniq[0].parent;
  if (!block || uniq.some((s) => s.parent?.id !== block.id)) return undefined;
  const siblings = block.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const i0 = siblings.findIndex((s) => s.id === uniq[0].id);
  const i1 = siblings.findIndex((s) => s.id === uniq[uniq.length - 1].id);
  if (i0 < 0 || i1 - i0 + 1 !== uniq.length) return undefined;
  const intermediates = new Set<string>();
  for (const s of uniq) {
    const a = s.namedChild(0);
    const left = a?.type === 'assignment' ? a.childForFieldName('left')?.text : undefined;
    if (left && left !== target) intermediates.add(left);
  }
  for (const later of siblings.slice(i1 + 1)) for (const name of intermediates) if (new RegExp(`\\b${name}\\b`).test(later.text)) return undefined;
  const end = rangeOf(uniq[uniq.length - 1]).end;
  // A trailing comment on the last line describes the code being replaced (often its shapes).
  const rest = lines[end.line]?.slice(end.character) ?? '';
  if (/^\s*#/.test(rest)) end.character += rest.length;
  return { start: rangeOf(uniq[0]).start, end };
}

function maskFromTril(cond: string, scope: ScopeFacts): boolean {
  const name = /^\(?\s*~?\s*([\w.]+)/.exec(cond)?.[1];
  if (!name) return false;
  return (scope.assignments.get(name) ?? []).some((a) => /tril|triu/.test(a.value.text));
}

/** masked_fill fills where the condition holds; SDPA's boolean mask says where to attend. */
function invertMask(cond: string): string {
  const eq0 = /^(.*?)\s*==\s*0$/.exec(cond);
  if (eq0) return `${eq0[1]} != 0`;
  const not = /^~\s*(.*)$/.exec(cond);
  if (not) return not[1];
  return `~(${cond})`;
}

function frameworkOf(sm: Node, imports: ImportSignal[]): ManualAttentionSignal['framework'] {
  const fn = sm.childForFieldName('function')?.text ?? '';
  if (/^(F|torch|nn)\./.test(fn)) return 'torch';
  if (/^(jax|jnp)\./.test(fn)) return 'jax';
  if (/^(np|numpy|scipy|special)\./.test(fn)) return 'numpy';
  if (imports.some((i) => i.module === 'torch' || i.module.startsWith('torch.'))) return 'torch';
  if (imports.some((i) => i.module === 'jax' || i.module.startsWith('jax.'))) return 'jax';
  return 'numpy';
}

function sdpaName(imports: ImportSignal[]): string {
  const f = imports.find((i) => i.module === 'torch.nn.functional');
  if (f) return `${f.alias}.scaled_dot_product_attention`;
  return 'torch.nn.functional.scaled_dot_product_attention';
}
