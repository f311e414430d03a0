/**
 * `tensorcost check [PATH...]`: analyses files and folders and prints findings and totals.
 * Exit 1 when an error-severity finding exists, 2 on bad usage, else 0 (SPEC §14).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDType } from '../core/dtypes';
import { findDevice } from '../core/devices';
import { escapeControl } from '../core/escape';
import { FILE_NOT_ANALYSED } from '../core/notAnalysed';
import { RULES } from '../core/rules/registry';
import { DEFAULT_SETTINGS, MAX_WORLD_SIZE, Settings } from '../core/settings';
import { Analysis, analyzeSource, initEngine, LanguageId } from '../engine/analyze';
import { reportJson } from '../engine/report';
import { buildContextIndex, withContexts } from '../engine/contexts';
import { DocumentCache } from '../frontends/python/session';
import { DiskProgram, cliRoots, programPath } from '../node/program';
import { findProjectConfig, mergeSettings } from '../node/config';
import { collectFiles, SOURCE_EXTENSIONS } from '../node/files';
import { readSiblingModule } from '../node/modules';
import { parse, parseDims, ruleCodeList, UsageError } from './args';
import { formatText } from './format/text';
import { NotebookInput, notebookJson, readNotebook } from './notebook';

const HELP = `Usage: tensorcost check [PATH...] [options]

Analyses Python files and Jupyter notebooks (folders are walked, honouring .gitignore) and
prints each finding as path:line:col: CODE message (path:cell N:line:col in a notebook), then
per-op and per-function cost tables.

Options:
  --format text|json|sarif     Output format (default text)
  --device ID                  Target device (default h100; 'tensorcost devices' lists them)
  --dtype fp32|tf32|fp16|bf16  Default dtype where the code does not say (default fp32)
  --dims NAME=VALUE[,...]      Bind dims, e.g. --dims B=8,T=1024
  --select CODES               Only these rule codes or prefixes (comma-separated)
  --ignore CODES               Skip these rule codes or prefixes
  --world-size N               GPUs for distributed analysis (default 1)
  --interconnect nvlink|pcie|infiniband
  --max-file-size-kb N         Skip files larger than N KB, with a warning (default 2048; 0: no limit)
  --no-config                  Ignore [tool.tensorcost] in pyproject.toml
  -h, --help                   Show this help`;

export async function main(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parse(argv, {
      format: { type: 'string', default: 'text' },
      device: { type: 'string' },
      dtype: { type: 'string' },
      dims: { type: 'string', multiple: true },
      select: { type: 'string', multiple: true },
      ignore: { type: 'string', multiple: true },
      'world-size': { type: 'string' },
      interconnect: { type: 'string' },
      'max-file-size-kb': { type: 'string' },
      'no-config': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    });
  } catch (e) {
    return usage(e);
  }
  const v = opts.values;
  if (v.help) {
    process.stdout.write(HELP + '\n');
    return 0;
  }
  try {
    if (!['text', 'json', 'sarif'].includes(v.format!)) throw new UsageError(`--format must be text, json or sarif, got '${v.format}'`);
    const cli: Partial<Settings> = {};
    if (v.device) cli.device = v.device;
    if (v.dtype) {
      const d = parseDType(v.dtype);
      if (!d || !['fp32', 'tf32', 'fp16', 'bf16'].includes(d)) throw new UsageError(`--dtype must be fp32, tf32, fp16 or bf16, got '${v.dtype}'`);
      cli.defaultDtype = d;
    }
    if (v.dims) cli.dims = parseDims(v.dims);
    const codes = RULES.map((r) => r.code);
    if (v.select) cli.select = ruleCodeList('--select', v.select, codes);
    if (v.ignore) cli.ignore = ruleCodeList('--ignore', v.ignore, codes);
    if (v['world-size'] !== undefined) {
      const n = Number(v['world-size']);
      if (!/^\d+$/.test(v['world-size'].trim()) || !Number.isSafeInteger(n) || n < 1 || n > MAX_WORLD_SIZE) throw new UsageError(`--world-size must be an integer from 1 to ${MAX_WORLD_SIZE}, got '${v['world-size']}'`);
      cli.worldSize = n;
    }
    if (v.interconnect !== undefined) {
      if (!['nvlink', 'pcie', 'infiniband'].includes(v.interconnect)) throw new UsageError(`--interconnect must be nvlink, pcie or infiniband, got '${v.interconnect}'`);
      cli.interconnect = v.interconnect;
    }
    if (v['max-file-size-kb'] !== undefined) {
      const n = Number(v['max-file-size-kb']);
      if (!v['max-file-size-kb'].trim() || !Number.isFinite(n) || n < 0) throw new UsageError(`--max-file-size-kb must be a number of KB, 0 or more, got '${v['max-file-size-kb']}'`);
      cli.maxFileSizeKB = n;
    }
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
    let deviceId = cli.device ?? DEFAULT_SETTINGS.device;
    // The files given, with their folders and project roots, are one program: imports between
    // them resolve, and each file's figures come with the contexts its callers give it.
    const docs = new DocumentCache();
    const program = { files: new DiskProgram(cliRoots(inputs)), docs, key: programPath };
    for (const file of files) {
      const layers: Partial<Settings>[] = [];
      if (!v['no-config']) {
        const cfg = findProjectConfig(path.dirname(file));
        if (cfg) {
          for (const err of cfg.errors) process.stderr.write(escapeControl(`tensorcost: ${err}`) + '\n');
          layers.push(cfg.settings);
        }
      }
      layers.push(cli);
      const settings = mergeSettings({ ...DEFAULT_SETTINGS, customDevices: local ? [local] : [] }, ...layers);
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
        const a = analyzeSource({ path: file, text: nb?.text ?? text, languageId, readModule: readSiblingModule }, settings, { program });
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
    const index = buildContextIndex(analyses.map((a) => a.ir));
    const completed = analyses.map((a) => withContexts(a, index));
    // Notebooks are known by their analysis object: the completed one stands for it now.
    notebooks = new Map(completed.flatMap((c, i) => (notebooks.has(analyses[i]) ? [[c, notebooks.get(analyses[i])!] as [Analysis, NotebookInput]] : [])));
    analyses = completed;
    const rel = (p: string) => path.relative(process.cwd(), p) || p;
    if (v.format === 'json') {
      const report = reportJson(analyses, deviceId, rel);
      report.files = report.files.map((f, i) => (notebooks.has(analyses[i]) ? notebookJson(f, notebooks.get(analyses[i])!.map) : f));
      process.stdout.write(JSON.stringify(report, null, 2) + '\n');
    }
    else if (v.format === 'sarif') {
      const { toSarif } = require('./format/sarif') as typeof import('./format/sarif');
      process.stdout.write(JSON.stringify(toSarif(analyses, rel, (a) => notebooks.get(a)), null, 2) + '\n');
    } else process.stdout.write(formatText(analyses, rel, (a) => notebooks.get(a)?.map));
    return failed > 0 || analyses.some((a) => a.findings.some((f) => f.severity === 'error')) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
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
