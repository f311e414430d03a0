/** Shared option parsing for the subcommands: bad usage is exit code 2 with a clear message. */
import { parseArgs, ParseArgsConfig } from 'node:util';
import { parseDimText } from '../core/dimCheck';

export class UsageError extends Error {}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function codeList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((s) => s.trim().toUpperCase()).filter(Boolean);
}

/**
 * `codeList` for `--select`/`--ignore`, where each entry must be a rule code or a prefix of one
 * (or ALL): a typo (`TC02`, `TC1O1`) would otherwise select nothing and turn every rule off.
 */
export function ruleCodeList(flag: string, values: string[] | undefined, known: readonly string[]): string[] {
  const codes = codeList(values);
  for (const c of codes) {
    if (c !== 'ALL' && !known.some((k) => k.startsWith(c))) throw new UsageError(`${flag}: no rule code is or starts with '${c}' ('tensorcost explain' lists them)`);
  }
  return codes;
}
