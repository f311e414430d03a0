/**
 * `tensorcost check [PATH...]`: analyses files and folders and prints findings and totals.
 * Exit 1 when an error-severity finding exists, 2 on bad usage, else 0 (SPEC §14).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDType } from '../core/dtypes';
import { DEFAULT_SETTINGS, Settings } from '../core/settings';
import { Analysis, analyzeSource, initEngine } from '../engine/analyze';
import { reportJson } from '../engine/report';
import { buildContextIndex, withContexts } from '../engine/contexts';
import { DocumentCache } from '../frontends/python/session';
import { DiskProgram, cliRoots, programPath } from '../node/program';
import { findProjectConfig, mergeSettings } from '../node/config';
import { collectFiles, SOURCE_EXTENSIONS } from '../node/files';
import { readSiblingModule } from '../node/modules';
import { codeList, parse, parseDims, UsageError } from './args';
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
    if (v.select) cli.select = codeList(v.select);
    if (v.ignore) cli.ignore = codeList(v.ignore);
    if (v['world-size'] !== undefined) {
      const n = Number(v['world-size']);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--world-size must be a positive integer, got '${v['world-size']}'`);
      cli.worldSize = n;
    }
    if (v.interconnect !== undefined) {
      if (!['nvlink', 'pcie', 'infiniband'].includes(v.interconnect)) throw new UsageError(`--interconnect must be nvlink, pcie or infiniband, got '${v.interconnect}'`);
      cli.interconnect = v.interconnect;
    }
    const inputs = opts.positionals.length ? opts.positionals : ['.'];
    const { files, missing } = collectFiles(inputs);
    if (missing.length) throw new UsageError(`no such file or folder: ${missing.join(', ')}`);
    const local = loadLocal();
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
          for (const err of cfg.errors) process.stderr.write(`tensorcost: ${err}\n`);
          layers.push(cfg.settings);
        }
      }
      layers.push(cli);
      const settings = mergeSettings({ ...DEFAULT_SETTINGS, customDevices: local ? [local] : [] }, ...layers);
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (e) {
        process.stderr.write(`tensorcost: cannot read ${file}: ${(e as Error).message}\n`);
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
      const a = analyzeSource({ path: file, text: nb?.text ?? text, languageId: SOURCE_EXTENSIONS[path.extname(file)] ?? 'python', readModule: readSiblingModule }, settings, { program });
      if (a.deviceWarning) throw new UsageError(a.deviceWarning);
      deviceId = a.device.id;
      analyses.push(a);
      if (nb) notebooks.set(a, nb);
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
    return analyses.some((a) => a.findings.some((f) => f.severity === 'error')) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) return usage(e);
    throw e;
  }
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
