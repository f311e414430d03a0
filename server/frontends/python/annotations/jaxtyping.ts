/**
 * jaxtyping annotations: `Float[Tensor, "batch seq d_model"]`. The dims string grammar is
 * jaxtyping's: names, integers, `*name` (variadic), `...`, `_` (anonymous), `#name`
 * (broadcastable), `name=4` (documentation only) and expressions without spaces (`dim-1`, `2*d`).
 */
import { DType } from '../../../core/dtypes';
import { Dim } from '../../../core/ir';
import { Poly } from '../../../core/symbolic';
import { detach } from '../../../core/intern';

/** jaxtyping dtype classes; `Float` and friends leave the dtype to other sources. */
const DTYPE_CLASSES: Record<string, DType | null> = {
  Float: null, Shaped: null, Num: null, Real: null, Inexact: null, Key: null,
  Float16: 'fp16', BFloat16: 'bf16', Float32: 'fp32', Float64: 'fp64', Float8e4m3fn: 'fp8', Float8e5m2: 'fp8',
  Int: 'int64', Int8: 'int8', Int16: 'int16', Int32: 'int32', Int64: 'int64', Integer: 'int64',
  UInt: 'uint8', UInt8: 'uint8', Bool: 'bool',
  Complex: null, Complex64: null, Complex128: null,
};

export const JAXTYPING_CLASSES = new Set(Object.keys(DTYPE_CLASSES));

export function jaxtypingDType(cls: string): DType | null {
  return DTYPE_CLASSES[cls] ?? null;
}

export interface ParsedDims {
  /** Dims in order; a variadic or `...` makes the shape's rank unknown. */
  dims: Dim[];
  variadic: boolean;
}

export class AnnotationError extends Error {}

/**
 * Parses a dims string. `fresh` names anonymous dims so that two `_` never compare equal.
 * Throws AnnotationError with a message fit for TC001.
 */
export function parseDimsString(source: string, fresh: () => string): ParsedDims {
  // Dim names are cut from the text and live on in cached results: from a detached copy.
  const text = detach(source);
  const dims: Dim[] = [];
  let variadic = false;
  const tokens = text.trim() === '' ? [] : text.trim().split(/\s+/);
  for (const raw of tokens) {
    let tok = raw;
    if (tok === '...' || tok.startsWith('*')) {
      if (variadic) throw new AnnotationError(`more than one variadic dim in "${text}"`);
      if (tok.startsWith('*') && !/^\*[A-Za-z_]\w*$/.test(tok)) throw new AnnotationError(`bad variadic dim '${tok}' in "${text}"`);
      variadic = true;
      continue;
    }
    if (tok.startsWith('#')) tok = tok.slice(1); // broadcastable: same dim, may also be 1
    const eq = tok.indexOf('=');
    if (eq >= 0) {
      // `name=4` documents a size; the name is what the shape carries, the number binds nothing.
      const name = tok.slice(0, eq);
      const val = tok.slice(eq + 1);
      if (!/^[A-Za-z_]\w*$/.test(name) || !/^\d+$/.test(val)) throw new AnnotationError(`bad dim '${raw}' in "${text}": expected name=INTEGER`);
      dims.push(Poly.const(Number(val)));
      continue;
    }
    if (tok === '_') {
      dims.push(Poly.sym(fresh()));
      continue;
    }
    dims.push(parseDimExpr(tok, raw, text));
  }
  return { dims, variadic };
}

/** A dim expression: integers, names, + - * / // ** and parentheses, no spaces. */
export function parseDimExpr(tok: string, raw = tok, whole = tok): Dim {
  let i = 0;
  const fail = (why: string): never => {
    throw new AnnotationError(`bad dim '${raw}' in "${whole}": ${why}`);
  };
  const peek = () => tok[i];
  const atom = (): Poly => {
    const c = peek();
    if (c === '(') {
      i++;
      const v = sum();
      if (peek() !== ')') fail('missing )');
      i++;
      return v;
    }
    if (c === '-') {
      i++;
      return atom().neg();
    }
    const num = /^\d+/.exec(tok.slice(i));
    if (num) {
      i += num[0].length;
      // Past 2^53 a double no longer holds the integer: every figure from it would look exact and not be.
      if (!Number.isSafeInteger(Number(num[0]))) fail(`${num[0]} is larger than 2^53-1`);
      return Poly.const(Number(num[0]));
    }
    const name = /^[A-Za-z_][\w.]*/.exec(tok.slice(i));
    if (name) {
      i += name[0].length;
      return Poly.sym(name[0]);
    }
    return fail(c === undefined ? 'unexpected end' : `unexpected '${c}'`);
  };
  // `grid ** 2`: a power with a small constant exponent.
  const power = (): Poly => {
    const base = atom();
    if (!tok.startsWith('**', i)) return base;
    i += 2;
    const e = /^\d+/.exec(tok.slice(i));
    if (!e || Number(e[0]) > 8) fail('expected a small integer exponent after **');
    i += e![0].length;
    return base.pow(Number(e![0]));
  };
  const prod = (): Poly => {
    let v = power();
    for (;;) {
      if (tok.startsWith('//', i)) {
        i += 2;
        v = v.floordiv(power());
      } else if (peek() === '*') {
        i++;
        v = v.mul(power());
      } else if (peek() === '/') {
        i++;
        v = v.div(power());
      } else return v;
    }
  };
  const sum = (): Poly => {
    let v = prod();
    for (;;) {
      if (peek() === '+') {
        i++;
        v = v.add(prod());
      } else if (peek() === '-') {
        i++;
        v = v.sub(prod());
      } else return v;
    }
  };
  const v = sum();
  if (i !== tok.length) fail(`unexpected '${tok[i]}'`);
  const c = v.constValue();
  if (c !== undefined && c < 0) fail('a size cannot be negative');
  return v;
}
