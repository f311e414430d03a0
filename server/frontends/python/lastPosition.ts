/**
 * Whether a GEMM's activation operand is cut to the last position of the sequence before the
 * call: `self.lm_head(x[:, [-1], :])`, `x[:, -1] @ w`. Code that does so at inference time does it
 * on purpose (nanoGPT's generate asks only for the next token's logits), and TC101's advice to
 * feed more rows per call would undo the saving: the rule stays silent on such ops (its docs say
 * so). A fact of the operand's syntax, read once where the op is recorded.
 */
import type { Node } from './parser';

/** The node is a call or `@` whose first (activation) operand indexes position -1 on an axis other than the last. */
export function takesLastPosition(site: Node): boolean {
  let operand: Node | null = null;
  if (site.type === 'call') {
    const args = site.childForFieldName('arguments');
    operand = args?.namedChildren.find((c) => !!c && c.type !== 'comment' && c.type !== 'keyword_argument') ?? null;
  } else if (site.type === 'binary_operator') operand = site.childForFieldName('left');
  while (operand?.type === 'parenthesized_expression') operand = operand.namedChildren[0] ?? null;
  if (operand?.type !== 'subscript') return false;
  const indices = operand.childrenForFieldName('subscript').filter((x): x is Node => !!x);
  // `x[:, -1]` on a (B, T, D) tensor and `x[:, [-1], :]`: -1 is not the last index written, or it
  // is the last of fewer indices than dims (the feature axis stays whole).
  return indices.some((ix, i) => isMinusOne(ix) && (i < indices.length - 1 || indices.length >= 2));
}

function isMinusOne(n: Node): boolean {
  if (n.type === 'list' && n.namedChildren.length === 1 && n.namedChildren[0]) return isMinusOne(n.namedChildren[0]);
  return n.type === 'unary_operator' && n.text.replace(/\s+/g, '') === '-1';
}
