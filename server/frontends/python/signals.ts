/**
 * Syntactic facts the rules need beyond ops and shapes (autocast regions, backward calls, loss
 * scalers, loops around matmuls...), collected in one pass over the tree. Keys are documented
 * where they are produced; each rule reads the keys it needs from `FileIR.signals`.
 */
import type { Node } from './parser';

export function collectSignals(_root: Node, _text: string): Record<string, unknown[]> {
  return {};
}
