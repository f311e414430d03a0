/**
 * What a bound dim may be: a whole number from 0 that a double holds exactly (below 2^53).
 * Every entry that binds dims (settings, pyproject.toml, `--dims`, `# tensorcost: dims`) goes
 * through here, so that a negative, a fraction, an Infinity or a number past 2^53 is refused
 * with a message instead of turning into negative, NaN or falsely exact figures. Zero is a
 * size: an empty batch, or a KV-cache offset (`start_pos=0` for the prompt pass); where it
 * divides, the figure that would be infinite is no figure (cost/evaluate.ts).
 */

/** Above this a double no longer holds every integer, so a product could not be trusted. */
export const MAX_DIM = Number.MAX_SAFE_INTEGER;

/** Why `v` cannot be a dim's value, or undefined when it can. */
export function checkDim(v: unknown): string | undefined {
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(MAX_DIM) ? undefined : `must be a whole number from 0 to 2^53-1, got ${v}`;
  if (typeof v !== 'number') return `must be a whole number, got ${v === null ? 'null' : typeof v}`;
  if (!Number.isFinite(v)) return `must be a finite whole number, got ${v}`;
  if (!Number.isInteger(v)) return `must be a whole number, got ${v}`;
  if (v < 0) return `must not be negative, got ${v}`;
  if (v > MAX_DIM) return `must be at most 2^53-1 (9007199254740991), got ${v}`;
  return undefined;
}

/**
 * A dim's value as written in a directive or on the command line: Python integer syntax
 * (`2048`, `2_048`) or an exponent that denotes a whole number (`1e3`). Anything else, including
 * `4096.5`, `-7` and `1e400`, is an error with a message.
 */
export function parseDimText(text: string): { value: number } | { error: string } {
  const t = text.trim();
  if (!/^[+-]?(?:\d(?:_?\d)*)(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d+)?$/.test(t)) return { error: `'${t}' is not a number` };
  const v = Number(t.replace(/_/g, ''));
  const err = checkDim(v);
  if (err) return { error: `'${t}' ${err.replace(/, got .*$/, '')}` };
  // A literal longer than a double's precision (`9007199254740993`) reads as a nearby integer.
  if (/^\+?\d+$/.test(t.replace(/_/g, '')) && BigInt(t.replace(/[_+]/g, '')) !== BigInt(v)) return { error: `'${t}' must be at most 2^53-1 (9007199254740991)` };
  return { value: v };
}
