/**
 * The TypeScript / JavaScript frontend for TF.js, through the TypeScript compiler API: shapes from
 * constructors (`tf.randomNormal([m, k])`, `tf.tensor2d(data, [m, k])`, `tf.input({shape})`), from
 * `inputShape` of the Layers API and from `// tensorcost: shape a=(m, k) dtype=fp16` comments;
 * costs from the same core op rules as Python. `interpreter.ts` follows values through the file
 * (module constants, class fields, closures, calls, loops); `tfOps.ts` and `layers.ts` hold the
 * operations; `// tensorcost: device <id>` picks the device for the file.
 */
import ts from 'typescript';
import { checkDim } from '../../core/dimCheck';
import { DType, parseDType } from '../../core/dtypes';
import { Dim, FileIR, Finding, TensorType } from '../../core/ir';
import { Settings } from '../../core/settings';
import { readDirectives } from '../python/directives';
import { AnnotationError, parseDimExpr } from '../python/annotations/jaxtyping';
import { Interpreter, ModuleReader } from './interpreter';
import { readDeviceDirective } from './directives';
import { naiveConvLoops } from './signals';
import { notAnalysedIR } from '../../core/notAnalysed';

const SHAPE_DIRECTIVE = /\/\/\s*tensorcost:\s*shape\s+(.*)$/;

export interface TypeScriptOptions {
  /** Reads a relative import of the file (the host has the file system; the core does not). */
  readModule?: ModuleReader;
}

export function scriptKindOf(path: string, language: 'typescript' | 'javascript'): ts.ScriptKind {
  if (/\.tsx$/i.test(path)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(path)) return ts.ScriptKind.JSX;
  return language === 'typescript' ? ts.ScriptKind.TS : ts.ScriptKind.JS;
}

/**
 * Analyses one TS/JS file. The compiler API recurses over the tree, so a file nested deeply
 * enough (a thousand levels of brackets) overflows the stack; that file then gets one error
 * finding saying it could not be analysed, and the caller's other files are unaffected.
 */
export function analyseTypeScript(path: string, text: string, settings: Settings, language: 'typescript' | 'javascript', options: TypeScriptOptions = {}): FileIR {
  try {
    return analyseUnguarded(path, text, settings, language, options);
  } catch (e) {
    const reason = e instanceof RangeError ? 'the code is nested too deeply' : `internal error: ${(e as Error)?.message ?? String(e)}`;
    return notAnalysedIR(path, language, `could not analyse this file (${reason}); none of its ops are counted`, 'error');
  }
}

function analyseUnguarded(path: string, text: string, settings: Settings, language: 'typescript' | 'javascript', options: TypeScriptOptions): FileIR {
  const sf = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, scriptKindOf(path, language));
  const facts = readDirectives(text, '//');
  const device = readDeviceDirective(text);
  if (device) facts.device = device;
  const bindings = new Map<string, number>(Object.entries(settings.dims));
  const findings: Finding[] = [...facts.problems];
  const declared = readShapeDirectives(text, findings);

  // Module-level integer constants are dims (`const M = 512`), as literal assignments are in Python.
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    for (const d of st.declarationList.declarations) {
      if (ts.isIdentifier(d.name) && d.initializer && ts.isNumericLiteral(d.initializer)) {
        const v = Number(d.initializer.text);
        // `const M = 1e400` or `0.5` is no dim: it stays unbound rather than give Infinity or a fraction.
        if (checkDim(v)) continue;
        facts.dims.set(d.name.text, v);
      }
    }
  }
  for (const [k, v] of facts.dims) bindings.set(k, v);
  for (const [k, v] of facts.directiveDims) bindings.set(k, v);
  const dtype: DType = facts.defaultDtype ?? settings.defaultDtype;

  const interp = new Interpreter(sf, { bindings, dtype, declared, readModule: options.readModule });
  interp.run();
  return {
    path,
    language,
    ops: interp.ops,
    functions: interp.functions,
    findings: [...findings, ...interp.findings],
    unmodelled: interp.unmodelled,
    facts,
    signals: { manualAttention: interp.attention, naiveConv: naiveConvLoops(sf, (n) => interp.rangeOf(n)) },
  };
}

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
