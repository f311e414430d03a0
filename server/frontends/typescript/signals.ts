/**
 * Syntactic facts of TS/JS files for the rules: convolutions written as nested loops (TC401).
 * Hand-written attention is found by the interpreter, which follows values (interpreter.ts).
 */
import ts from 'typescript';
import { Range } from '../../core/ir';
import { NaiveConvSignal } from '../../core/rules/signals';

const LOOP = (n: ts.Node): n is ts.ForStatement | ts.ForOfStatement => ts.isForStatement(n) || ts.isForOfStatement(n);

function unwrapParens(e: ts.Expression): ts.Expression {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e;
}

/**
 * A `for (let i = a; i < b; i++)` header as `range(a, b)` (Python's spelling, which the rules'
 * trip-count reader takes); a `for...of` as its iterable's text.
 */
function loopOf(n: ts.ForStatement | ts.ForOfStatement, sf: ts.SourceFile): { vars: string[]; iter: string } {
  if (ts.isForOfStatement(n)) {
    const init = n.initializer;
    const vars = ts.isVariableDeclarationList(init) ? init.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : [])) : [];
    return { vars, iter: n.expression.getText(sf) };
  }
  const init = n.initializer;
  const decl = init && ts.isVariableDeclarationList(init) ? init.declarations[0] : undefined;
  const v = decl && ts.isIdentifier(decl.name) ? decl.name.text : undefined;
  const cond = n.condition && unwrapParens(n.condition);
  if (v && decl?.initializer && cond && ts.isBinaryExpression(cond) && ts.isIdentifier(cond.left) && cond.left.text === v) {
    const stop = cond.right.getText(sf);
    const op = cond.operatorToken.kind;
    if (op === ts.SyntaxKind.LessThanToken) return { vars: [v], iter: `range(${decl.initializer.getText(sf)}, ${stop})` };
    if (op === ts.SyntaxKind.LessThanEqualsToken) return { vars: [v], iter: `range(${decl.initializer.getText(sf)}, ${stop} + 1)` };
  }
  return { vars: v ? [v] : [], iter: n.getText(sf).slice(0, n.statement.getStart(sf) - n.getStart(sf)).trim() };
}

/** `i + di` with both sides loop variables: the sliding window of a convolution. */
function windows(e: ts.Node, vars: Set<string>, sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isElementAccessExpression(n)) {
      const walk = (x: ts.Node): void => {
        if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) {
          const l = unwrapParens(x.left);
          const r = unwrapParens(x.right);
          if (ts.isIdentifier(l) && ts.isIdentifier(r) && vars.has(l.text) && vars.has(r.text) && l.text !== r.text) out.push(x.getText(sf));
        }
        ts.forEachChild(x, walk);
      };
      walk(n.argumentExpression);
    }
    ts.forEachChild(n, visit);
  };
  visit(e);
  return out;
}

function hasProductOfElements(e: ts.Node): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.AsteriskToken && [n.left, n.right].some((s) => ts.isElementAccessExpression(unwrapParens(s)))) found = true;
    else ts.forEachChild(n, visit);
  };
  visit(e);
  return found;
}

export function naiveConvLoops(sf: ts.SourceFile, rangeOf: (n: ts.Node) => Range): NaiveConvSignal[] {
  const out: NaiveConvSignal[] = [];
  const inner = new Set<ts.Node>();
  const visit = (n: ts.Node): void => {
    if (LOOP(n) && !inner.has(n)) {
      const nest: (ts.ForStatement | ts.ForOfStatement)[] = [];
      const bodies: ts.Statement[][] = [];
      let cur: ts.Node | undefined = n;
      while (cur && LOOP(cur)) {
        nest.push(cur);
        const body: ts.Statement = cur.statement;
        const stmts = ts.isBlock(body) ? [...body.statements] : [body];
        bodies.push(stmts);
        const loops = stmts.filter(LOOP);
        cur = loops.length === 1 ? loops[0] : undefined;
        if (cur) inner.add(cur);
      }
      if (nest.length >= 2) {
        const loops = nest.map((l) => loopOf(l, sf));
        const vars = new Set(loops.flatMap((l) => l.vars));
        outer: for (const stmts of [...bodies].reverse()) {
          for (const st of stmts) {
            if (!ts.isExpressionStatement(st)) continue;
            const e = unwrapParens(st.expression);
            if (!ts.isBinaryExpression(e)) continue;
            const plusEq = e.operatorToken.kind === ts.SyntaxKind.PlusEqualsToken;
            const selfAdd = e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isBinaryExpression(unwrapParens(e.right)) && (unwrapParens(e.right) as ts.BinaryExpression).left.getText(sf) === e.left.getText(sf);
            if (!plusEq && !selfAdd) continue;
            const w = windows(e.right, vars, sf);
            if (w.length > 0 && hasProductOfElements(e.right)) {
              const header = rangeOf(n);
              const end = sf.getLineAndCharacterOfPosition(n.statement.getStart(sf));
              out.push({ range: rangeOf(n), header: { start: header.start, end: { line: end.line, character: end.character } }, accumulate: rangeOf(e), vars: loops.flatMap((l) => l.vars), iters: loops.map((l) => l.iter), windows: w });
              break outer;
            }
          }
        }
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}
