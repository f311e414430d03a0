/**
 * Type annotations that carry shapes: jaxtyping (`Float[Tensor, "b t c"]`), torchtyping
 * (`TensorType["b", "t", torch.float16]`) and plain `Tensor` (shape unknown). A malformed one is
 * a TC001 finding at the annotation, and the parameter is then treated as of unknown shape.
 */
import { TensorType } from '../../../core/ir';
import { detach } from '../../../core/intern';
import type { Frame, Interpreter } from '../interpreter';
import { rangeOf, stringValue } from '../interpreter';
import type { Node } from '../parser';
import { Value, tensor } from '../values';
import { AnnotationError, JAXTYPING_CLASSES, jaxtypingDType, parseDimsString } from './jaxtyping';
import { TORCHTYPING_CLASSES, parseTorchTyping } from './torchtyping';

export interface AnnotationResult {
  value?: Value;
}

const ARRAY_TYPES = /^(torch\.)?(Float|Long|Int|Half|BFloat16|Bool|Double|Byte)?Tensor$|^TensorType$|^(jax\.)?Array$|^(np|numpy)\.ndarray$|^jnp\.ndarray$|^(jax\.numpy)\.ndarray$|^ArrayLike$|^(tf\.)?Tensor$/;

/**
 * Annotations by their text, for those whose meaning is the text alone: no anonymous dim (each
 * use of `"_ d"` must get a new symbol) and nothing reported. A file repeats its annotations,
 * and parsing one walks several nodes through web-tree-sitter. Values are never changed in place.
 */
const PARSED = new Map<string, AnnotationResult>();
/**
 * Malformed annotations met so far, reported or not. A frame that does not report (a function
 * run for a caller) finds the same error without a finding; caching that result as clean would
 * drop the TC001 when the function's own analysis meets the text again, in this file or the next.
 */
let malformedSeen = 0;

export function parseAnnotation(typeNode: Node, it: Interpreter, frame: Frame): AnnotationResult {
  const key = typeNode.text;
  const hit = PARSED.get(key);
  if (hit) return hit;
  const fresh = it.freshCount;
  const findings = it.findings.length;
  const malformed = malformedSeen;
  const result = parseUncached(typeNode, it, frame);
  if (it.freshCount === fresh && it.findings.length === findings && malformedSeen === malformed) {
    if (PARSED.size > 10_000) PARSED.clear();
    // Kept across analyses: detached from the document (core/intern.ts), like the dim names.
    PARSED.set(detach(key), result);
  }
  return result;
}

function parseUncached(typeNode: Node, it: Interpreter, frame: Frame): AnnotationResult {
  const n = typeNode.type === 'type' ? typeNode.namedChild(0) : typeNode;
  if (!n) return {};
  if (n.type === 'subscript' || n.type === 'generic_type') {
    const head = n.type === 'subscript' ? n.childForFieldName('value') : n.namedChild(0);
    const cls = head?.text.split('.').pop() ?? '';
    if (JAXTYPING_CLASSES.has(cls)) return jaxtyping(n, cls, it, frame);
    if (TORCHTYPING_CLASSES.has(cls)) return torchtyping(n, it, frame);
  }
  if (ARRAY_TYPES.test(n.text)) return { value: tensor({ shape: null, dtype: null }) };
  // Optional[Float[...]] and `Float[...] | None` carry the inner type.
  if (n.type === 'binary_operator') {
    for (const side of [n.childForFieldName('left'), n.childForFieldName('right')]) {
      if (side && side.type !== 'none') {
        const r = parseUncached(side, it, frame);
        if (r.value) return r;
      }
    }
  }
  return {};
}

function subscriptArgs(n: Node): Node[] {
  if (n.type === 'subscript') return n.childrenForFieldName('subscript').filter((x): x is Node => !!x);
  // tree-sitter parses `Float[Tensor, "..."]` in annotations as generic_type > type_parameter.
  const params = n.namedChildren.find((c) => c?.type === 'type_parameter');
  return (params?.namedChildren ?? []).filter((x): x is Node => !!x).map((x) => (x.type === 'type' && x.namedChild(0) ? x.namedChild(0)! : x));
}

/** TC001 at the annotation, once per place, from the frame that reports. */
function reportTC001(message: string, at: Node, it: Interpreter, frame: Frame): void {
  malformedSeen++;
  if (frame.report || frame.fn === null) {
    const range = rangeOf(at);
    const dup = it.findings.some((f) => f.code === 'TC001' && f.range.start.line === range.start.line && f.range.start.character === range.start.character);
    if (!dup) it.findings.push({ code: 'TC001', severity: 'error', message, range });
  }
}

function torchtyping(n: Node, it: Interpreter, frame: Frame): AnnotationResult {
  try {
    return { value: tensor(parseTorchTyping(subscriptArgs(n), () => it.fresh())) };
  } catch (e) {
    if (!(e instanceof AnnotationError)) throw e;
    reportTC001(`invalid torchtyping annotation: ${e.message}`, n, it, frame);
    return { value: tensor({ shape: null, dtype: null }) };
  }
}

function jaxtyping(n: Node, cls: string, it: Interpreter, frame: Frame): AnnotationResult {
  const args = subscriptArgs(n);
  const report = (message: string, at: Node): AnnotationResult => {
    reportTC001(message, at, it, frame);
    return { value: tensor({ shape: null, dtype: jaxtypingDType(cls) }) };
  };
  if (args.length !== 2) return report(`jaxtyping annotation ${cls}[...] needs an array type and a dims string, got ${args.length} argument(s)`, n);
  const dimsNode = args[1];
  if (dimsNode.type !== 'string') return report(`the dims of ${cls}[...] must be a string like "batch seq d_model"`, dimsNode);
  try {
    const parsed = parseDimsString(stringValue(dimsNode), () => it.fresh());
    const type: TensorType = { shape: parsed.variadic ? null : parsed.dims, dtype: jaxtypingDType(cls) };
    return { value: tensor(type) };
  } catch (e) {
    if (e instanceof AnnotationError) return report(`invalid shape annotation: ${e.message}`, dimsNode);
    throw e;
  }
}
