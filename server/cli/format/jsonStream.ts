/**
 * JSON written in pieces: the same text as `JSON.stringify(value, null, 2)`, but handed to
 * `write` in chunks of about 64 KB, so that a report is never one string. On a file of megabytes
 * the JSON report is about 15 times the source (every op with its figures); as one string it
 * took, with the copy `process.stdout.write` makes of it, about 60 bytes of memory per source
 * byte on top of the analysis, the largest part of the CLI's peak.
 *
 * The top levels (the report, its list of files, each file, its lists of ops and findings) are
 * walked here; each value below `DEPTH` is stringified whole, which keeps the calls few.
 */

/** Levels walked here; deeper values (an op, a finding, a SARIF result) are stringified whole. */
const DEPTH = 4;
const CHUNK = 1 << 16;

/** Writes `value` as `JSON.stringify(value, null, 2)` would, in chunks. Nothing is written for a value JSON leaves out (undefined). */
export function streamJson(value: unknown, write: (chunk: string) => void): void {
  const parts: string[] = [];
  let size = 0;
  const put = (s: string) => {
    parts.push(s);
    size += s.length;
    if (size >= CHUNK) {
      write(parts.join(''));
      parts.length = 0;
      size = 0;
    }
  };
  const top = prepared(value, '');
  if (DEPTH > 0 && walkable(top)) emit(top, '', 0, put);
  else {
    const text = leaf(top, '');
    if (text !== undefined) put(text);
  }
  if (parts.length) write(parts.join(''));
}

/** A plain object or array, which this walks itself; anything else goes to `JSON.stringify`. */
function walkable(v: unknown): v is Record<string, unknown> | unknown[] {
  if (Array.isArray(v)) return true;
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** What JSON.stringify makes of a member before writing it: `toJSON` applied. */
function prepared(v: unknown, key: string): unknown {
  if (v !== null && (typeof v === 'object' || typeof v === 'bigint') && typeof (v as { toJSON?: unknown }).toJSON === 'function') return (v as { toJSON(k: string): unknown }).toJSON(key);
  return v;
}

/** JSON leaves out object members that are undefined, functions or symbols (and writes null for them in arrays). */
function omitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

/** A value not walked here, as JSON.stringify writes it at `indent`; undefined when JSON leaves it out. */
function leaf(v: unknown, indent: string): string | undefined {
  const text = JSON.stringify(v, null, 2) as string | undefined;
  return text !== undefined && indent && text.includes('\n') ? text.replace(/\n/g, '\n' + indent) : text;
}

/** Writes an already prepared value, not left out by JSON, at `indent`. */
function emit(v: unknown, indent: string, depth: number, put: (s: string) => void): void {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return put('[]');
    put('[\n');
    for (let i = 0; i < v.length; i++) {
      put(i === 0 ? inner : ',\n' + inner);
      const item = prepared(v[i], String(i));
      if (omitted(item)) put('null');
      else if (depth + 1 < DEPTH && walkable(item)) emit(item, inner, depth + 1, put);
      else put(leaf(item, inner) ?? 'null');
    }
    return put('\n' + indent + ']');
  }
  let first = true;
  for (const k of Object.keys(v as object)) {
    const item = prepared((v as Record<string, unknown>)[k], k);
    if (omitted(item)) continue;
    const walk = depth + 1 < DEPTH && walkable(item);
    const text = walk ? undefined : leaf(item, inner);
    if (!walk && text === undefined) continue;
    put((first ? '{\n' : ',\n') + inner + JSON.stringify(k) + ': ');
    first = false;
    if (walk) emit(item, inner, depth + 1, put);
    else put(text!);
  }
  put(first ? '{}' : '\n' + indent + '}');
}
