/** Shared option parsing for the subcommands: bad usage is exit code 2 with a clear message. */
import { parseArgs, ParseArgsConfig } from 'node:util';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** `B=8,T=1024` (or repeated flags) into a dims record. */
export function parseDims(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) {
    for (const part of v.split(',')) {
      if (!part.trim()) continue;
      const m = /^\s*([A-Za-z_][\w.]*)\s*=\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*$/.exec(part);
      if (!m) throw new UsageError(`--dims expects NAME=VALUE[,NAME=VALUE...], got '${part}'`);
      out[m[1]] = Number(m[2]);
    }
  }
  return out;
}

export function codeList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim().toUpperCase()).filter(Boolean);
}
