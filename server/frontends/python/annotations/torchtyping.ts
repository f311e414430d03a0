/**
 * torchtyping annotations: `TensorType["batch", "seq", torch.float16]`,
 * `TensorType["batch": ..., "d": 768]`, `TensorType[..., "d", float]`. Each entry is a dim (a
 * name string, an integer, `"name": size`), `...` or `"name": ...` (any number of dims, so the
 * rank is unknown), or a dtype (`torch.float16`, `float`, `int`, `bool`).
 */
import { DType, parseDType } from '../../../core/dtypes';
import { Dim, TensorType } from '../../../core/ir';
import { Poly } from '../../../core/symbolic';
import { detach } from '../../../core/intern';
import type { Node } from '../parser';
import { AnnotationError, parseDimExpr } from './jaxtyping';

/** Names the class is imported as. */
export const TORCHTYPING_CLASSES = new Set(['TensorType', 'TT']);

/** Python builtin types torchtyping accepts as dtypes. */
const BUILTIN_DTYPES: Record<string, DType> = { float: 'fp32', int: 'int64', bool: 'bool' };

function unwrap(n: Node): Node {
  return n.type === 'type' && n.namedChild(0) ? n.namedChild(0)! : n;
}

function textOfString(n: Node): string {
  const parts = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => detach(c!.text));
  return parts.join('');
}

/**
 * The tensor type of the entries. Throws AnnotationError (TC001) on an entry that is neither a
 * dim, an ellipsis nor a dtype.
 */
export function parseTorchTyping(entries: Node[], fresh: () => string): TensorType {
  const dims: Dim[] = [];
  let variadic = false;
  let dtype: DType | null = null;
  for (const raw of entries) {
    const e = unwrap(raw);
    // `"name": size` is a constrained_type in annotations and a slice in expressions.
    const pair = e.type === 'constrained_type' || e.type === 'slice' ? e.namedChildren.filter((c): c is Node => !!c).map(unwrap) : null;
    if (pair) {
      const [name, size] = pair;
      if (!name || name.type !== 'string') throw new AnnotationError(`torchtyping entry '${e.text}' must be "name": size`);
      if (!size || size.type === 'ellipsis') {
        variadic = true;
        continue;
      }
      if (size.type === 'integer') {
        const v = Number(size.text);
        // `-1` and `None` mean "any size": the name then is the dim.
        dims.push(v >= 0 ? Poly.const(v) : Poly.sym(textOfString(name)));
        continue;
      }
      if (size.type === 'unary_operator' || size.type === 'none') {
        dims.push(Poly.sym(textOfString(name)));
        continue;
      }
      throw new AnnotationError(`torchtyping size '${size.text}' must be an integer or ...`);
    }
    switch (e.type) {
      case 'string': {
        const s = textOfString(e).trim();
        if (s === '' || s === '_') dims.push(Poly.sym(fresh()));
        else dims.push(parseDimExpr(s.replace(/\s+/g, ''), s, e.text));
        break;
      }
      case 'integer':
        dims.push(Poly.const(Number(e.text)));
        break;
      case 'ellipsis':
        variadic = true;
        break;
      case 'identifier':
      case 'attribute': {
        const d = BUILTIN_DTYPES[e.text] ?? (e.type === 'attribute' ? parseDType(e.text) : undefined);
        if (d) {
          dtype = d;
          break;
        }
        // A bare name is taken as a dim named like it (some code writes TensorType[batch, d]).
        if (e.type === 'identifier') {
          dims.push(Poly.sym(detach(e.text)));
          break;
        }
        throw new AnnotationError(`unknown torchtyping entry '${e.text}'`);
      }
      default:
        throw new AnnotationError(`unknown torchtyping entry '${e.text}'`);
    }
  }
  return { shape: variadic ? null : dims, dtype };
}
