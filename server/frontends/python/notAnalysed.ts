/**
 * Code the Python frontend could not analyse, said where it is (SPEC §2b: never a silently
 * truncated figure): a statement or a function the interpreter ran out of stack on, and blocks
 * nested more deeply than tree-sitter's Python scanner follows.
 */

/**
 * Why a statement or a function was not analysed. The interpreter follows expressions by
 * recursion, so code nested some thousands of levels deep (far past what Python itself compiles)
 * runs out of stack; that is said as such, anything else as an internal error.
 */
export function notAnalysedWhy(e: unknown): string {
  return e instanceof RangeError && /call stack/i.test(e.message) ? 'not analysed: nested too deeply for the analysis' : `not analysed: internal error (${String((e as Error)?.message ?? e).slice(0, 120)})`;
}

/**
 * Levels of indentation tree-sitter's Python scanner follows: it keeps its stack of indents in a
 * 1,024-byte state, two bytes a level, and at 512 levels (measured) the block becomes a syntax
 * error and its code vanishes from the tree. CPython refuses 100 levels.
 */
export const PARSER_MAX_INDENT_LEVELS = 511;

/**
 * The first line nested deeper than the parser follows (0-based), with its depth in levels of
 * indentation, or undefined. Only worth asking when the parse has a syntax error. Lines inside
 * brackets or strings count as if they opened blocks: a false alarm needs more than 511 of them,
 * each indented further than the one before.
 */
export function tooDeeplyIndented(text: string): { line: number; depth: number } | undefined {
  // 500 levels take at least 500 columns: most texts are done with one native scan.
  if (!/[ \t]{500}/.test(text)) return undefined;
  const stack = [0];
  let line = 0;
  for (let at = 0; at < text.length; line++) {
    let end = text.indexOf('\n', at);
    if (end < 0) end = text.length;
    let col = at;
    while (col < end && (text[col] === ' ' || text[col] === '\t')) col++;
    // Blank lines and comments do not open or close blocks.
    if (col < end && text[col] !== '#' && text[col] !== '\r') {
      const indent = col - at;
      while (stack.length > 1 && indent < stack[stack.length - 1]) stack.pop();
      if (indent > stack[stack.length - 1]) stack.push(indent);
      if (stack.length - 1 > PARSER_MAX_INDENT_LEVELS) return { line, depth: stack.length - 1 };
    }
    at = end + 1;
  }
  return undefined;
}
