/**
 * The frontend's caches keyed by a statement's text, shared by the analyses of every document
 * (what a class declares, the names a statement calls, its comments...). Each is bounded by its
 * number of entries, not by size: after a document of megabytes they held a detached copy of
 * most of its statements and what was found in them, about 20 MB once a 2.4 MB document was
 * closed, for as long as the process lived. Letting go of such a document empties them all
 * (`forgetTextCaches`); the documents still open only find their statements again on their next
 * analysis.
 */
const CACHES: { clear(): void }[] = [];

/** A cache emptied with the others by `forgetTextCaches`. */
export function textCache<K, V>(): Map<K, V> {
  const m = new Map<K, V>();
  CACHES.push(m);
  return m;
}

export function forgetTextCaches(): void {
  for (const c of CACHES) c.clear();
}

/**
 * A document this long is large enough that letting it go empties the caches, and that its
 * analysis shares its polynomials by value (interpreter.ts): 512 KB, as nodeMemo's bound.
 */
export const LARGE_TEXT_CHARS = 512 * 1024;
