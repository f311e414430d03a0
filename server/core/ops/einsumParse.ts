/**
 * Parses einsum equations in both spellings: NumPy/torch (`bhqd,bhkd->bhqk`, one letter per
 * index, `...` for broadcast dims, output optional) and einops (`b h q d, b h k d -> b h q k`,
 * whitespace-separated names). The ellipsis is the token `...`.
 */

export const ELLIPSIS = '...';

export interface EinsumEquation {
  inputs: string[][];
  /** Explicit output, or the implicit one (indices used once, sorted; ellipsis first). */
  output: string[];
  explicit: boolean;
}

export function parseEinsum(equation: string, style: 'letters' | 'names' = 'letters'): EinsumEquation | { error: string } {
  const [lhs, rhs, ...rest] = equation.split('->');
  if (rest.length > 0) return { error: `einsum equation '${equation}' has more than one '->'` };
  const tokenise = style === 'letters' ? letters : names;
  const inputs: string[][] = [];
  for (const term of lhs.split(',')) {
    const t = tokenise(term);
    if ('error' in t) return { error: `einsum equation '${equation}': ${t.error}` };
    inputs.push(t.tokens);
  }
  for (const t of inputs) if (t.filter((x) => x === ELLIPSIS).length > 1) return { error: `einsum equation '${equation}': more than one '...' in a term` };
  if (rhs !== undefined) {
    const o = tokenise(rhs);
    if ('error' in o) return { error: `einsum equation '${equation}': ${o.error}` };
    const seen = new Set(inputs.flat());
    const missing = o.tokens.find((x) => x !== ELLIPSIS && !seen.has(x));
    if (missing) return { error: `einsum equation '${equation}': output index '${missing}' is not in any input` };
    return { inputs, output: o.tokens, explicit: true };
  }
  const counts = new Map<string, number>();
  for (const x of inputs.flat()) counts.set(x, (counts.get(x) ?? 0) + 1);
  const once = [...counts.entries()].filter(([x, c]) => c === 1 && x !== ELLIPSIS).map(([x]) => x).sort();
  const output = inputs.some((t) => t.includes(ELLIPSIS)) ? [ELLIPSIS, ...once] : once;
  return { inputs, output, explicit: false };
}

function letters(term: string): { tokens: string[] } | { error: string } {
  const s = term.replace(/\s+/g, '');
  const tokens: string[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s.startsWith(ELLIPSIS, i)) {
      tokens.push(ELLIPSIS);
      i += 2;
    } else if (/[A-Za-z]/.test(s[i])) tokens.push(s[i]);
    else return { error: `unexpected character '${s[i]}'` };
  }
  return { tokens };
}

function names(term: string): { tokens: string[] } | { error: string } {
  const tokens = term.trim().split(/\s+/).filter((x) => x.length > 0);
  for (const t of tokens) if (t !== ELLIPSIS && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(t)) return { error: `unexpected axis name '${t}'` };
  return { tokens };
}
