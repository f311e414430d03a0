/**
 * The TypeScript / JavaScript frontend for TF.js (and ONNX Runtime Web shapes given by
 * directives), through the TypeScript compiler API. It reads `tf.matMul`, `tf.einsum`,
 * `tf.conv2d`, elementwise ops and layers, with shapes from constructors (`tf.randomNormal([m, k])`,
 * `tf.zeros`, `tf.tensor2d(data, [m, k])`, `tf.input({shape})`) and from
 * `// tensorcost: shape a=(m, k) dtype=fp16` comments. Calls are not followed across functions:
 * each function's total is the sum of its own ops.
 */
import ts from 'typescript';
import { checkDim } from '../../core/dimCheck';
import { DType, parseDType } from '../../core/dtypes';
import { Dim, FileIR, Finding, FunctionSummary, Range, TensorOp, TensorType, Unmodelled } from '../../core/ir';
import { OpResult } from '../../core/ops/types';
import { Settings } from '../../core/settings';
import { Poly } from '../../core/symbolic';
import { readDirectives } from '../python/directives';
import { AnnotationError, parseDimExpr } from '../python/annotations/jaxtyping';
import { TF_OPS, TfValue } from './tfOps';
import { notAnalysedIR } from '../../core/notAnalysed';

const SHAPE_DIRECTIVE = /\/\/\s*tensorcost:\s*shape\s+(.*)$/;

/**
 * Analyses one TS/JS file. The compiler API recurses over the tree, so a file nested deeply
 * enough (a thousand levels of brackets) overflows the stack; that file then gets one error
 * finding saying it could not be analysed, and the caller's other files are unaffected.
 */
export function analyseTypeScript(path: string, text: string, settings: Settings, language: 'typescript' | 'javascript'): FileIR {
  try {
    return analyseUnguarded(path, text, settings, language);
  } catch (e) {
    const reason = e instanceof RangeError ? 'the code is nested too deeply' : `internal error: ${(e as Error)?.message ?? String(e)}`;
    return notAnalysedIR(path, language, `could not analyse this file (${reason}); none of its ops are counted`, 'error');
  }
}

function analyseUnguarded(path: string, text: string, settings: Settings, language: 'typescript' | 'javascript'): FileIR {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const facts = readDirectives(text, '//');
  const bindings = new Map<string, number>(Object.entries(settings.dims));
  for (const [k, v] of facts.directiveDims) bindings.set(k, v);
  const dtype: DType = facts.defaultDtype ?? settings.defaultDtype;
  const ops: TensorOp[] = [];
  const findings: Finding[] = [...facts.problems];
  const unmodelled: Unmodelled[] = [];
  const functions: FunctionSummary[] = [];
  const declared = readShapeDirectives(text, findings);

  const rangeOf = (n: ts.Node): Range => {
    const s = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    const e = sf.getLineAndCharacterOfPosition(n.getEnd());
    return { start: { line: s.line, character: s.character }, end: { line: e.line, character: e.character } };
  };

  // Module-level integer constants are dims (`const M = 512`).
  const globals = new Map<string, TfValue>();
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer && ts.isNumericLiteral(d.initializer)) {
        const v = Number(d.initializer.text);
        // `const M = 1e400` or `0.5` is no dim: it stays unbound rather than give Infinity or a fraction.
        if (checkDim(v)) continue;
        globals.set(d.name.text, { kind: 'int', value: Poly.const(v) });
        if (!facts.directiveDims.has(d.name.text)) bindings.set(d.name.text, v);
        facts.dims.set(d.name.text, v);
      }
    }
  }

  interface Scope {
    env: Map<string, TfValue>;
    fn: string | null;
    flops: Poly;
    other: Poly;
    bytes: Poly;
  }

  const record = (r: OpResult, node: ts.Node, name: string, inputs: TensorType[], scope: Scope): TfValue => {
    const range = rangeOf(node);
    ops.push({ kind: r.kind, name, range, function: scope.fn, inputs, output: r.output, dtype: r.output.dtype ?? dtype, cost: r.cost, attrs: r.attrs });
    if (!r.cost.unknown) {
      scope.flops = scope.flops.add(r.cost.flops);
      scope.other = scope.other.add(r.cost.otherFlops);
      scope.bytes = scope.bytes.add(r.cost.bytes);
    }
    if (r.error) findings.push({ code: 'TC002', severity: 'error', message: r.error, range });
    return { kind: 'tensor', type: r.output };
  };

  const evalExpr = (e: ts.Expression, scope: Scope): TfValue => {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isAwaitExpression(e)) return evalExpr(e.expression, scope);
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword) return { kind: 'bool', value: e.kind === ts.SyntaxKind.TrueKeyword };
    if (ts.isNumericLiteral(e)) return { kind: 'int', value: Poly.const(Number(e.text)) };
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { kind: 'str', value: e.text };
    if (ts.isIdentifier(e)) return scope.env.get(e.text) ?? globals.get(e.text) ?? { kind: 'unknown' };
    if (ts.isArrayLiteralExpression(e)) return { kind: 'list', items: e.elements.map((x) => evalExpr(x as ts.Expression, scope)) };
    if (ts.isObjectLiteralExpression(e)) {
      const fields = new Map<string, TfValue>();
      for (const p of e.properties) if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) fields.set(p.name.text, evalExpr(p.initializer, scope));
      return { kind: 'object', fields };
    }
    if (ts.isBinaryExpression(e)) {
      const a = evalExpr(e.left, scope);
      const b = evalExpr(e.right, scope);
      if (a.kind === 'int' && b.kind === 'int') {
        switch (e.operatorToken.kind) {
          case ts.SyntaxKind.PlusToken: return { kind: 'int', value: a.value.add(b.value) };
          case ts.SyntaxKind.MinusToken: return { kind: 'int', value: a.value.sub(b.value) };
          case ts.SyntaxKind.AsteriskToken: return { kind: 'int', value: a.value.mul(b.value) };
          case ts.SyntaxKind.SlashToken: return { kind: 'int', value: a.value.div(b.value) };
        }
      }
      return { kind: 'unknown' };
    }
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) {
      // tf.tidy(() => ...) and friends: the body runs in the same scope for costing.
      return { kind: 'fn', run: () => runBody(e.body, scope) };
    }
    if (ts.isCallExpression(e)) {
      const callee = e.expression;
      const args = e.arguments.map((a) => evalExpr(a, scope));
      const name = callee.getText(sf).replace(/\s+/g, '');
      let op: string | undefined;
      let self: TfValue | undefined;
      if (ts.isPropertyAccessExpression(callee)) {
        const obj = callee.expression;
        const member = callee.name.text;
        if (ts.isIdentifier(obj) && (obj.text === 'tf' || obj.text === 'tfjs')) op = member;
        else if (ts.isPropertyAccessExpression(obj) && ts.isIdentifier(obj.expression) && obj.expression.text === 'tf') op = `${obj.name.text}.${member}`;
        else {
          self = evalExpr(obj, scope);
          if (self.kind === 'tensor' || self.kind === 'layer') op = `.${member}`;
        }
      }
      if (op === 'tidy') {
        const f = args.find((a) => a.kind === 'fn');
        return f && f.kind === 'fn' ? f.run() : { kind: 'unknown' };
      }
      if (op !== undefined) {
        const handler = TF_OPS[op];
        if (handler) {
          return handler({ args, self, dtype, bindings, fresh: () => `_${ops.length}_${Math.random().toString(36).slice(2, 6)}`, record: (r, inputs) => record(r, e, name, inputs, scope) });
        }
        if (!op.startsWith('.') || self?.kind === 'tensor') unmodelled.push({ name: op.startsWith('.') ? `Tensor${op}` : `tf.${op}`, range: rangeOf(e) });
      }
      return { kind: 'unknown' };
    }
    return { kind: 'unknown' };
  };

  const declare = (name: string, v: TfValue, scope: Scope) => {
    const d = declared.get(name);
    scope.env.set(name, d ? { kind: 'tensor', type: { shape: d.shape, dtype: d.dtype ?? (v.kind === 'tensor' ? v.type.dtype : null) } } : v);
  };

  function runBody(body: ts.Node, scope: Scope): TfValue {
    if (!ts.isBlock(body)) return evalExpr(body as ts.Expression, scope);
    let ret: TfValue = { kind: 'unknown' };
    const visit = (n: ts.Node): void => {
      if (ts.isFunctionLike(n)) return analyseFunction(n);
      if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name)) {
        declare(n.name.text, n.initializer ? evalExpr(n.initializer, scope) : { kind: 'unknown' }, scope);
        return;
      }
      if (ts.isExpressionStatement(n)) {
        const x = n.expression;
        if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(x.left)) declare(x.left.text, evalExpr(x.right, scope), scope);
        else evalExpr(x, scope);
        return;
      }
      if (ts.isReturnStatement(n)) {
        if (n.expression) ret = evalExpr(n.expression, scope);
        return;
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(body, visit);
    return ret;
  }

  function analyseFunction(fn: ts.SignatureDeclaration): void {
    const body = (fn as ts.FunctionLikeDeclaration).body;
    if (!body) return;
    const nameNode = fn.name ?? (ts.isVariableDeclaration(fn.parent) ? fn.parent.name : undefined);
    const name = nameNode ? nameNode.getText(sf) : null;
    const scope: Scope = { env: new Map(), fn: name, flops: Poly.ZERO, other: Poly.ZERO, bytes: Poly.ZERO };
    for (const p of fn.parameters) if (ts.isIdentifier(p.name)) declare(p.name.text, { kind: 'unknown' }, scope);
    runBody(body, scope);
    if (name && nameNode) functions.push({ name, range: rangeOf(fn), nameRange: rangeOf(nameNode), flops: scope.flops, otherFlops: scope.other, bytes: scope.bytes, upperBound: false });
  }

  const top: Scope = { env: new Map(), fn: null, flops: Poly.ZERO, other: Poly.ZERO, bytes: Poly.ZERO };
  // A synthetic block over the real statements: positions come from the statements themselves.
  runBody(ts.factory.createBlock([...sf.statements]), top);
  return { path, language, ops, functions, findings, unmodelled, facts, signals: {} };

  function readShapeDirectives(src: string, out: Finding[]): Map<string, TensorType> {
    const map = new Map<string, TensorType>();
    src.split(/\r?\n/).forEach((line, i) => {
      const m = SHAPE_DIRECTIVE.exec(line);
      if (!m) return;
      const body = m[1];
      const dt = /dtype\s*=\s*([\w.]+)/.exec(body);
      const dtypeOf = dt ? parseDType(dt[1]) ?? null : null;
      for (const s of body.matchAll(/([A-Za-z_$][\w$]*)\s*=\s*[([]([^)\]]*)[)\]]/g)) {
        try {
          const dims: Dim[] = s[2].split(',').map((x) => x.trim()).filter(Boolean).map((x) => parseDimExpr(x.replace(/\s+/g, '')));
          map.set(s[1], { shape: dims, dtype: dtypeOf });
        } catch (err) {
          if (!(err instanceof AnnotationError)) throw err;
          const c = line.indexOf(s[0]);
          out.push({ code: 'TC001', severity: 'error', message: `invalid shape annotation: ${err.message}`, range: { start: { line: i, character: c }, end: { line: i, character: c + s[0].length } } });
        }
      }
    });
    return map;
  }
}
