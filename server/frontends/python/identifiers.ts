/**
 * Python's ASCII identifier characters by character code, for scans of source text that look
 * at one character at a time instead of matching a regex (which makes a string and an array per
 * match): `[A-Za-z_]` starts an identifier, `[A-Za-z0-9_]` continues one.
 */
export function identStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

export function identPart(c: number): boolean {
  return identStart(c) || (c >= 48 && c <= 57);
}
