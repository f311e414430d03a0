/**
 * The scans of a document's whole text that every analysis makes — its imports
 * (`scanImports`), whether it reads a world size at run time (`readsWorldSize`), whether it names
 * a TF32 switch (`mentionsTf32`) — made again after a keystroke from the lines the edit touched
 * only. Each is a search through a 300 kB text, a fifth of a millisecond apiece on every keystroke.
 *
 * All read the text line by line: an import is a line that starts with `from` or `import` and
 * holds the word `import`; a world-size read and a TF32 switch's name are words of one line.
 * Lines outside the edit's lines are the same, in the same order, before and after it, so:
 * - when neither the old nor the new text of the edited lines holds `import`, the imports are
 *   the last text's;
 * - when the old edited lines held no world-size read (TF32 switch name), the new text holds
 *   one exactly when the old text did or its edited lines do.
 * Anything else (and texts with line breaks other than `\n`, which the regexes' `^` also reads)
 * is scanned whole.
 */
import { diffSpan } from './document';
import { readsWorldSize } from './distributedFacts';
import { ImportSyntax, scanImports } from './program';
import { mentionsTf32 } from './session';

export interface TextScans {
  text: string;
  /** Whether the text breaks lines with `\n` only (see above). */
  plain: boolean;
  imports: ImportSyntax[];
  world: boolean;
  tf32: boolean;
}

/** The scans of `text`, from those of the last text of the same document where the edit allows. */
export function scanText(text: string, last: TextScans | undefined): TextScans {
  // Line breaks other than `\n`, after which a multiline regex's `^` matches too: searched for
  // one character at a time (a regex class over the text cost as much as the scans it saves).
  const plain = !text.includes('\r') && !text.includes('\u2028') && !text.includes('\u2029');
  const span = last?.plain && plain ? diffSpan(last.text, text) : undefined;
  if (!last || span === undefined) return { text, plain, imports: scanImports(text), world: readsWorldSize(text), tf32: mentionsTf32(text) };
  if (span === null) return { ...last, text };
  const before = linesAround(last.text, span.start, span.oldEnd);
  const after = linesAround(text, span.start, span.newEnd);
  const imports = before.includes('import') || after.includes('import') ? scanImports(text) : last.imports;
  const world = readsWorldSize(before) ? readsWorldSize(text) : last.world || readsWorldSize(after);
  const tf32 = mentionsTf32(before) ? mentionsTf32(text) : last.tf32 || mentionsTf32(after);
  return { text, plain, imports, world, tf32 };
}

/** The whole lines of `text` that hold `[from, to)`. */
function linesAround(text: string, from: number, to: number): string {
  const start = text.lastIndexOf('\n', from - 1) + 1;
  const end = text.indexOf('\n', to);
  return text.slice(start, end < 0 ? text.length : end);
}
