/**
 * Small syntactic helpers for the signal collector: which calls are matmuls and what their
 * operands are, which names an expression reads or a target writes, what a transpose looks like.
 */
import type { MatmulSite, OperandInfo } from '../../core/rules/signals';
import type { Node } from './parser';

/** Receivers that are libraries, not tensors: `torch.mm(a, b)` is a function, `a.mm(b)` a method. */
const LIBRARY = /^(torch|np|numpy|jnp|jax\.numpy|jax|F|nn\.functional|torch\.nn\.functional|tf|tensorflow|einops|math|scipy)$/;

const MATMUL_CALLS: Record<string, string> = {
  matmul: 'matmul', mm: 'matmul', bmm: 'bmm', dot: 'matmul', einsum: 'einsum', linear: 'linear',
  baddbmm: 'bmm', addmm: 'matmul', tensordot: 'matmul',
};

export interface SiteWithNodes extends MatmulSite {
  operandNodes: Node[];
}

export function rangeOf(n: Node) {
  return { start: { line: n.startPosition.row, character: n.startPosition.column }, end: { line: n.endPosition.row, character: n.endPosition.column } };
}

/** `found`: what `matmulOperands(n)` gave, when the caller asked already. */
export function matmulSite(n: Node, found = matmulOperands(n)): SiteWithNodes | null {
  if (!found) return null;
  return {
    range: rangeOf(n),
    callee: found.callee,
    kind: found.kind,
    operands: found.operands.map(operandInfo),
    operandNodes: found.operands,
    loopCarried: false,
  };
}

/**
 * The callee, kind and operand nodes of a matmul, or null when `n` is not one: what
 * `matmulSite` needs before it reads the operands, which most callers never ask for.
 */
export function matmulOperands(n: Node): { callee: string; kind: string; operands: Node[] } | null {
  let operands: Node[] = [];
  let callee = '@';
  let kind = 'matmul';
  if (n.type === 'binary_operator') {
    const l = n.childForFieldName('left');
    const r = n.childForFieldName('right');
    if (!l || !r) return null;
    operands = [l, r];
  } else if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    if (!fn) return null;
    callee = fn.text.replace(/\s+/g, '');
    const last = callee.split('.').pop() ?? '';
    if (!MATMUL_CALLS[last]) return null;
    kind = MATMUL_CALLS[last];
    const args = (n.childForFieldName('arguments')?.namedChildren ?? []).filter((c): c is Node => !!c && c.type !== 'keyword_argument' && c.type !== 'comment');
    const receiver = fn.type === 'attribute' ? fn.childForFieldName('object') : null;
    if (receiver && !LIBRARY.test(receiver.text.replace(/\s+/g, ''))) operands = [receiver, ...args.slice(0, 1)];
    else if (kind === 'einsum') operands = args.filter((a) => a.type !== 'string');
    else if (last === 'baddbmm' || last === 'addmm') operands = args.slice(1, 3);
    else operands = args.slice(0, 2);
    if (operands.length < 2) return null;
  } else return null;
  return { callee, kind, operands };
}

function operandInfo(o: Node): OperandInfo {
  const subscriptNames: string[] = [];
  const text = o.text;
  // Most operands are plain names: no bracket in the text, no subscript to look for.
  if (text.includes('[')) for (const s of o.type === 'subscript' ? [o, ...o.descendantsOfType('subscript')] : o.descendantsOfType('subscript')) {
    for (const idx of s?.childrenForFieldName('subscript') ?? []) if (idx) subscriptNames.push(...namesIn(idx));
  }
  let inner: Node = o;
  while (inner.type === 'parenthesized_expression' && inner.namedChild(0)) inner = inner.namedChild(0)!;
  return {
    text,
    names: namesIn(o),
    subscriptNames,
    indexedBy: [],
    isLoopVar: false,
    base: inner.type === 'subscript' ? inner.childForFieldName('value')?.text : undefined,
    transposed: isTransposeExpr(o),
  };
}

/**
 * Names an expression reads: identifiers, and attribute chains as one dotted name
 * (`self.W`). With `targets`, only what an assignment target writes (`out` of `out[i]`).
 */
export function namesIn(n: Node, targets = false): string[] {
  switch (n.type) {
    case 'identifier':
      return [n.text];
    case 'attribute': {
      if (isNameChain(n)) return [n.text.replace(/\s+/g, '')];
      return namesIn(n.childForFieldName('object')!, targets);
    }
    case 'subscript': {
      const base = namesIn(n.childForFieldName('value')!, targets);
      if (targets) return base;
      return [...base, ...n.childrenForFieldName('subscript').flatMap((s) => (s ? namesIn(s) : []))];
    }
    case 'call': {
      const fn = n.childForFieldName('function');
      const fromFn = fn?.type === 'attribute' ? namesIn(fn.childForFieldName('object')!) : [];
      const args = n.childForFieldName('arguments');
      return [...fromFn, ...(args ? namesIn(args) : [])];
    }
    case 'keyword_argument': {
      const v = n.childForFieldName('value');
      return v ? namesIn(v, targets) : [];
    }
    default:
      return n.namedChildren.flatMap((c) => (c ? namesIn(c, targets) : []));
  }
}

function isNameChain(n: Node): boolean {
  if (n.type === 'identifier') return true;
  if (n.type === 'attribute') return isNameChain(n.childForFieldName('object')!);
  return false;
}

export function loopVarsOf(left: Node): string[] {
  if (left.type === 'identifier') return [left.text];
  return left.namedChildren.flatMap((c) => (c ? loopVarsOf(c) : []));
}

/** `x.T`, `x.mT`, `x.t()`, `x.transpose(..)`, `x.permute(..)`, `x.swapaxes(..)`, `np.transpose(x)`. */
export function isTransposeExpr(n: Node): boolean {
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  if (e.type === 'attribute') return ['T', 'mT', 'mH', 'H'].includes(e.childForFieldName('attribute')?.text ?? '');
  if (e.type === 'call') {
    const fn = e.childForFieldName('function');
    if (fn?.type !== 'attribute') return false;
    const name = fn.childForFieldName('attribute')?.text ?? '';
    if (!['transpose', 'permute', 'swapaxes', 'swapdims', 't', 'moveaxis', 'movedim'].includes(name)) return false;
    const obj = fn.childForFieldName('object')?.text ?? '';
    // `np.transpose(x)` needs an argument; `x.transpose(1, 2)` has a tensor receiver.
    return !LIBRARY.test(obj) || (e.childForFieldName('arguments')?.namedChildCount ?? 0) > 0;
  }
  return false;
}

/** The tensor a transpose expression transposes (`k` of `k.transpose(-2, -1)`). */
export function transposedBase(n: Node): Node | null {
  let e = n;
  while (e.type === 'parenthesized_expression' && e.namedChild(0)) e = e.namedChild(0)!;
  if (e.type === 'attribute') return e.childForFieldName('object');
  if (e.type === 'call') {
    const fn = e.childForFieldName('function')!;
    const obj = fn.childForFieldName('object');
    if (obj && LIBRARY.test(obj.text)) return e.childForFieldName('arguments')?.namedChild(0) ?? null;
    return obj;
  }
  return null;
}
