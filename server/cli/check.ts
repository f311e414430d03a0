/**
 * `tensorcost check [PATH...]`: analyses files and folders and prints findings and a summary
 * (the cost tables with --table). Flags come from the settings schema (core/settings.ts).
 * Exit 1 when an error-severity finding exists, 2 on bad usage, else 0 (SPEC §14).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findDevice } from '../core/devices';
import { escapeControl } from '../core/escape';
import { FILE_NOT_ANALYSED } from '../core/notAnalysed';
import { RULES } from '../core/rules/registry';
import { DEFAULT_SETTINGS, resolveSettings, Settings, SETTINGS_SCHEMA } from '../core/settings';
import { Analysis, analyzeSource, initEngine, LanguageId } from '../engine/analyze';
import { reportJson } from '../engine/report';
import { buildContextIndex, withContexts } from '../engine/contexts';
import { DocumentCache } from '../frontends/python/session';
import { DiskProgram, cliRoots, programPath } from '../node/program';
import { findProjectConfig } from '../node/config';
import { collectFiles, SOURCE_EXTENSIONS } from '../node/files';
import { readSiblingModule } from '../node/modules';
import { parse, ruleCodeList, UsageError } from './args';
import { detectTerminal } from './format/terminal';
import { formatText } from './format/text';
import { streamJson } from './format/jsonStream';
import { collectIfParserReleased, collectAfterLargeParse } from '../node/collectAfterRelease';
import { NotebookInput, notebookJson, readNotebook } from './notebook';

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

Analyses Python and TF.js files and Jupyter notebooks (folders are walked, honouring .gitignore) and prints each
finding as path:line:col: CODE message (path:cell N:line:col in a notebook), then a summary. 'tensorcost explain CODE' says more
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
    // A typo in a code (`TC02`) would select nothing and turn every rule off: refused instead.
    const known = RULES.map((r) => r.code);
    if (cli.select) cli.select = ruleCodeList('--select', cli.select, known);
    if (cli.ignore) cli.ignore = ruleCodeList('--ignore', cli.ignore, known);
    const inputs = opts.positionals.length ? opts.positionals : ['.'];
    const { files, missing, unreadable } = collectFiles(inputs);
    if (missing.length) throw new UsageError(`no such file or folder: ${missing.join(', ')}`);
    const local = loadLocal();
    if (cli.device && !findDevice(cli.device, local ? [local] : [])) throw new UsageError(unknownDevice(cli.device, '--device'));
    // A file or folder that cannot be read, or a file whose analysis fails, costs only itself:
    // it is reported on stderr and makes the exit code 1, and the others are analysed.
    let failed = 0;
    for (const u of unreadable) {
      process.stderr.write(escapeControl(`tensorcost: cannot read folder ${u}`) + '\n');
      failed++;
    }
    await initEngine();
    let analyses: Analysis[] = [];
    let notebooks = new Map<Analysis, NotebookInput>();
    const reported = new Set<string>();
    let deviceId = cli.device ?? DEFAULT_SETTINGS.device;
    // The files given, with their folders and project roots, are one program: imports between
    // them resolve, and each file's figures come with the contexts its callers give it.
    const docs = new DocumentCache();
    const program = { files: new DiskProgram(cliRoots(inputs)), docs, key: programPath };
    for (const file of files) {
      let pyproject: Partial<Settings> | undefined;
      if (!v['no-config']) {
        const cfg = findProjectConfig(path.dirname(file));
        if (cfg) {
          if (!reported.has(cfg.path)) for (const err of cfg.errors) process.stderr.write(escapeControl(`tensorcost: ${err}`) + '\n');
          reported.add(cfg.path);
          pyproject = cfg.settings;
        }
      }
      const settings = resolveSettings({ ...DEFAULT_SETTINGS, customDevices: local ? [local] : [] }, { pyproject, cli });
      if (!findDevice(settings.device, settings.customDevices)) throw new UsageError(unknownDevice(settings.device, `device in ${findProjectConfig(path.dirname(file))?.path ?? 'the settings'}`));
      const languageId = SOURCE_EXTENSIONS[path.extname(file)] ?? 'python';
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        failed++;
        await reportFailure(analyses, file, languageId, settings, `cannot read this file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        continue;
      }
      let nb: NotebookInput | undefined;
      if (path.extname(file) === '.ipynb') {
        try {
          nb = readNotebook(text);
        } catch (e) {
          process.stderr.write(`tensorcost: skipping ${file}: ${(e as Error).message}\n`);
          continue;
        }
      }
      try {
        // After a parser abort on an earlier file, this waits for the reloaded parser.
        await initEngine();
        const a = analyzeSource({ path: file, text: nb?.text ?? text, languageId, readModule: readSiblingModule }, settings, { program, afterParse: collectAfterLargeParse });
        deviceId = a.device.id;
        analyses.push(a);
        if (nb) notebooks.set(a, nb);
      } catch (e) {
        const reason = e instanceof RangeError ? 'the code is nested too deeply' : (e as Error)?.message?.split('\n')[0] ?? String(e);
        failed++;
        await reportFailure(analyses, file, languageId, settings, `analysis failed (${reason}); its ops are not counted`);
      }
    }
    docs.clear();
    // No tree is alive now: the parser hands back what a large file made its memory grow to
    // (frontends/python/parser.ts) before the report is built.
    await initEngine();
    await collectIfParserReleased();
    const index = buildContextIndex(analyses.map((a) => a.ir));
    const completed = analyses.map((a) => withContexts(a, index));
    // Notebooks are known by their analysis object: the completed one stands for it now.
    notebooks = new Map(completed.flatMap((c, i) => (notebooks.has(analyses[i]) ? [[c, notebooks.get(analyses[i])!] as [Analysis, NotebookInput]] : [])));
    analyses = completed;
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    if (format === 'json') {
      const report = reportJson(analyses, deviceId, rel);
      report.files = report.files.map((f, i) => (notebooks.has(analyses[i]) ? notebookJson(f, notebooks.get(analyses[i])!.map) : f));
      writeJson(report);
    } else if (format === 'sarif') {
      const { toSarif } = require('./format/sarif') as typeof import('./format/sarif');
      writeJson(toSarif(analyses, rel, (a) => notebooks.get(a)));
    } else {
      const terminal = detectTerminal(process.stdout, process.env);
      process.stdout.write(formatText(analyses, rel, { ...terminal, table: format === 'table' || !!v.table, statistics: !!v.statistics, notebookOf: (a) => notebooks.get(a)?.map }));
    }
    return failed > 0 || analyses.some((a) => a.findings.some((f) => f.severity === 'error')) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
}

/** A report as indented JSON on stdout, in chunks (format/jsonStream.ts): never one string of the whole. */
function writeJson(report: unknown): void {
  streamJson(report, (chunk) => {
    // After a closed pipe (main.ts ends quietly on it) the rest is not worth making.
    if (!process.stdout.destroyed) process.stdout.write(chunk);
  });
  process.stdout.write('\n');
}

/**
 * A file that could not be read or analysed is in the report all the same, as no ops and one
 * TC000 error at its top, so that JSON and SARIF consumers see it too; should even that fail
 * (the parser still down), the message goes to stderr.
 */
async function reportFailure(analyses: Analysis[], file: string, languageId: LanguageId, settings: Settings, message: string): Promise<void> {
  try {
    await initEngine();
    const a = analyzeSource({ path: file, text: '', languageId: 'python' }, settings);
    a.ir.language = languageId;
    a.findings.push({ code: FILE_NOT_ANALYSED, severity: 'error', message, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    analyses.push(a);
  } catch {
    process.stderr.write(escapeControl(`tensorcost: ${file}: ${message}`) + '\n');
  }
}

function unknownDevice(id: string, where: string): string {
  return `unknown device '${id}' (${where}). Run 'tensorcost devices' for the list${id === 'local' ? ", or 'tensorcost calibrate' to measure this machine" : ''}.`;
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
  process.stderr.write(`${escapeControl(`tensorcost check: ${(e as Error).message}`)}\nRun 'tensorcost check --help' for usage.\n`);
  return 2;
}

function loadLocal() {
  try {
    const problems: string[] = [];
    const device = (require('../node/localDevice') as typeof import('../node/localDevice')).loadCalibration(problems)?.device;
    for (const p of problems) process.stderr.write(`tensorcost: the calibrated device 'local' is ignored: ${p}\n`);
    return device;
  } catch {
    return undefined;
  }
}
