/**
 * A property computed when it is first read, then an ordinary property (writable, enumerable):
 * assigning it before that replaces it without computing. It stays enumerable, so a copy made by
 * spreading the object reads it, and so computes it; a copy that must not leaves the key out.
 * The server uses it for work a hover after a keystroke does not need (the findings, the list of
 * every context op an analysis recorded).
 */
export function lazyProperty<T extends object, K extends keyof T>(obj: T, key: K, compute: () => T[K]): T {
  const settle = (value: T[K]) => Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  Object.defineProperty(obj, key, {
    enumerable: true,
    configurable: true,
    get: () => {
      const value = compute();
      settle(value);
      return value;
    },
    set: settle,
  });
  return obj;
}
