/**
 * Tensor types the interpreter guessed rather than derived: `tok_emb + pos_emb` with `tok_emb` of
 * unknown shape takes `pos_emb`'s shape so later ops stay costed, but the real result may be
 * bigger (a batch dim the guess lacks). A shape error found on a guessed operand is no proof of a
 * bug, so it is not reported (TC002 only where both sides are known); shapes derived from a
 * guessed one are guesses too. Types are compared by identity, never by content.
 */
import type { TensorType } from '../../core/ir';
import { touched } from './values';

const GUESSED = new WeakSet<TensorType>();

export function markGuessed(t: TensorType): TensorType {
  GUESSED.add(t);
  return t;
}

export function isGuessed(t: TensorType | undefined): boolean {
  return !!t && GUESSED.has(t);
}

/** Marks `out` guessed when one of the types it was derived from was. */
export function deriveGuess(from: readonly (TensorType | undefined)[], out: TensorType): TensorType {
  if (!GUESSED.has(out) && from.some(isGuessed)) {
    // `out` may be a type that existed before (an operand's): a change in place (callMemo.ts).
    touched();
    GUESSED.add(out);
  }
  return out;
}
