/** Option parsing shared by `tensorcost bench` and `tensorcost calibrate`: --name value pairs. */

export class UsageError extends Error {}

export function parseFlags(argv: string[], allowed: readonly string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    if (!allowed.includes(name)) throw new UsageError(`unknown option --${name}`);
    if (name === 'help') {
      flags.set(name, 'true');
      continue;
    }
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, value);
  }
  return { positional, flags };
}

export function intFlag(flags: Map<string, string>, name: string): number | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a non-negative integer, got '${v}'`);
  return Number(v);
}

export function choiceFlag<T extends string>(flags: Map<string, string>, name: string, choices: readonly T[]): T | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (!choices.includes(v as T)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${v}'`);
  return v as T;
}

/** One day: a benchmark that runs longer is hung, and the limit stays far below 2^31 ms. */
export const MAX_TIMEOUT_S = 86_400;

/**
 * `--timeout SECONDS` (default 300) in milliseconds. 0 would kill every run at once, and past
 * 2^31 ms Node's timers overflow and fire at once too: both are usage errors.
 */
export function timeoutMsFlag(flags: Map<string, string>): number {
  const s = intFlag(flags, 'timeout') ?? 300;
  if (s < 1 || s > MAX_TIMEOUT_S) throw new UsageError(`--timeout must be from 1 to ${MAX_TIMEOUT_S} seconds, got '${flags.get('timeout')}'`);
  return s * 1000;
}
