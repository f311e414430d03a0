/**
 * A module as its top-level statements. The frontend works on a statement list rather than one
 * root node, because a document re-parsed piecewise (document.ts) has its statements in several
 * trees; a whole-file tree's root is accepted too, for callers that parse the file in one go.
 */
import type { Node } from './parser';

export function topLevel(module: Node | readonly Node[]): readonly Node[] {
  if (Array.isArray(module)) return module;
  return (module as Node).namedChildren.filter((n): n is Node => !!n);
}

/** The smallest node at `index`, found in the statement that spans it (binary search). */
export function descendantAt(statements: readonly Node[], index: number): Node | null {
  let lo = 0;
  let hi = statements.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = statements[mid];
    if (index < s.startIndex) hi = mid - 1;
    else if (index >= s.endIndex) lo = mid + 1;
    else return s.descendantForIndex(index);
  }
  return null;
}
