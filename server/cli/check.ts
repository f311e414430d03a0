/**
 * `tensorcost check [PATH...]`: analyses files and folders and prints findings and a summary
 * (the cost tables with --table). Flags come from the settings schema (core/settings.ts).
 * Exit 1 when an error-severity finding exists, 2 on bad usage, else 0 (SPEC §14).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_SETTINGS, resolveSettings, Settings, SETTINGS_SCHEMA } from '../core/settings';
import { Analysis, analyzeSource, initEngine } from '../engine/analyze';
import { reportJson } from '../engine/report';
import { findProjectConfig } from '../node/config';
import { collectFiles, SOURCE_EXTENSIONS } from '../node/files';
import { parse, UsageError } from './args';
import { detectTerminal } from './format/terminal';
import { formatText } from './format/text';

const FLAGS = SETTINGS_SCHEMA.filter((s) => s.flag);

const OPTIONS: [string, string][] = [
  ['--format text|table|json|sarif', 'Output format (default text; table is text with --table)'],
  ['--table', 'Also print the cost of every op and function'],
  ['--statistics', 'Print counts per rule code instead of the findings'],
  ...FLAGS.map((s): [string, string] => [`--${s.flag!.name} ${s.flag!.value}`, s.description]),
  ['--no-config', 'Ignore [tool.tensorcost] in pyproject.toml'],
  ['-h, --help', 'Show this help'],
];
const PAD = Math.max(...OPTIONS.map(([o]) => o.length)) + 2;

const HELP = `Usage: tensorcost check [PATH...] [options]

Analyses Python and TF.js files (folders are walked, honouring .gitignore) and prints each
finding as path:line:col: CODE message, then a summary. 'tensorcost explain CODE' says more
about a finding.

Options:
${OPTIONS.map(([o, d]) => `  ${o.padEnd(PAD)}${d}`).join('\n')}

A flag wins over pyproject.toml, which wins over the defaults. Colour is used only when the
output is a terminal and NO_COLOR is unset.`;

export async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string; default?: string }> = {
      format: { type: 'string', default: 'text' },
      table: { type: 'boolean' },
      statistics: { type: 'boolean' },
      'no-config': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    };
    for (const s of FLAGS) options[s.flag!.name] = { type: 'string', multiple: true };
    opts = parse(argv, options);
  } catch (e) {
    return usage(e);
  }
  const v = opts.values;
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  try {
    const format = v.format as string;
    if (!['text', 'table', 'json', 'sarif'].includes(format)) throw new UsageError(`--format must be text, table, json or sarif, got '${format}'`);
    const cli = flagSettings(v as Record<string, unknown>);
    const inputs = opts.positionals.length ? opts.positionals : ['.'];
    const { files, missing } = collectFiles(inputs);
    if (missing.length) throw new UsageError(`no such file or folder: ${missing.join(', ')}`);
    const local = loadLocal();
    await initEngine();
    const analyses: Analysis[] = [];
    const reported = new Set<string>();
    let deviceId = cli.device ?? DEFAULT_SETTINGS.device;
    for (const file of files) {
      let pyproject: Partial<Settings> | undefined;
      if (!v['no-config']) {
        const cfg = findProjectConfig(path.dirname(file));
        if (cfg) {
          if (!reported.has(cfg.path)) for (const err of cfg.errors) process.stderr.write(`tensorcost: ${err}\n`);
          reported.add(cfg.path);
          pyproject = cfg.settings;
        }
      }
      const settings = resolveSettings({ ...DEFAULT_SETTINGS, customDevices: local ? [local] : [] }, { pyproject, cli });
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(`tensorcost: cannot read ${file}: ${(e as Error).message}\n`);
        continue;
      }
      const a = analyzeSource({ path: file, text, languageId: SOURCE_EXTENSIONS[path.extname(file)] ?? 'python' }, settings);
      if (a.deviceWarning) throw new UsageError(a.deviceWarning);
      deviceId = a.device.id;
      analyses.push(a);
    }
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    if (format === 'json') process.stdout.write(JSON.stringify(reportJson(analyses, deviceId), null, 2) + '\n');
    else if (format === 'sarif') {
      const { toSarif } = require('./format/sarif') as typeof import('./format/sarif');
      process.stdout.write(JSON.stringify(toSarif(analyses, rel), null, 2) + '\n');
    } else {
      const terminal = detectTerminal(process.stdout, process.env);
      process.stdout.write(formatText(analyses, rel, { ...terminal, table: format === 'table' || !!v.table, statistics: !!v.statistics }));
    }
    return analyses.some((a) => a.findings.some((f) => f.severity === 'error')) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
}

/** The settings given as flags, each read and validated by its schema entry. */
function flagSettings(values: Record<string, unknown>): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const s of FLAGS) {
    const texts = values[s.flag!.name] as string[] | undefined;
    if (!texts?.length) continue;
    let raw: unknown;
    try {
      raw = s.flag!.fromText(texts);
    } catch (e) {
      throw new UsageError(`--${s.flag!.name} ${(e as Error).message}`);
    }
    const p = s.parse(raw);
    if (p.errors.length || p.value === undefined) throw new UsageError(`--${s.flag!.name} ${p.errors[0] ?? 'is invalid'}`);
    out[s.key] = p.value;
  }
  return out as Partial<Settings>;
}

function usage(e: unknown): number {
  process.stderr.write(`tensorcost check: ${(e as Error).message}\nRun 'tensorcost check --help' for usage.\n`);
  return 2;
}

function loadLocal() {
  try {
    return (require('../node/localDevice') as typeof import('../node/localDevice')).loadLocalDevice();
  } catch {
    return undefined;
  }
}
