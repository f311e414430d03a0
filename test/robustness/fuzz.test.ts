/**
 * A seeded, bounded fuzz test (SPEC §11): mutated real-style model files (the fixtures under
 * test/fixtures/models, edited with hostile pieces: broken syntax, huge and unknown loops,
 * recursion, invalid dims, escape sequences, odd line endings) go through
 *  - the engine, in a worker thread with a time box per input: no throw, no hang, no negative or
 *    non-finite figure, and the analysis that reuses the previous state equals a fresh one;
 *  - the CLI (`tensorcost check --format json` on a folder of them, with mutants of the TF.js
 *    example as well): exit 0 or 1, a report for every file, no stack trace;
 *  - the language server: edits, hovers and diagnostics each answered within a time box, and
 *    the edited document's report equal to that of a fresh document with the same text.
 * The counts are printed as test diagnostics. The seed is fixed: a failure reproduces.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CLI, REPO, startServer } from '../helpers/lspClient';
import { mutate, rng } from './fuzzInputs';
import type { FuzzJob, FuzzMessage } from './fuzzWorker';

const SEED = 20261206;
const MODELS = path.join(REPO, 'test', 'fixtures', 'models');
const SEEDS = fs.readdirSync(MODELS).filter((f) => f.endsWith('.py')).sort().map((name) => ({ name, text: fs.readFileSync(path.join(MODELS, name), 'utf8') }));
/** No single input may take longer than this (a hang fails the test instead of stalling CI). */
const TIME_BOX_MS = 20_000;

function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

describe('fuzz', () => {
  it('the engine: no throw, no hang, valid figures, incremental equals fresh', { timeout: 300_000 }, async (t) => {
    const job: FuzzJob = { fuzz: true, seeds: SEEDS, chain: 100, seed: SEED };
    const worker = new Worker(path.join(__dirname, 'fuzzWorker.js'), { workerData: job });
    const inputs: Extract<FuzzMessage, { kind: 'input' }>[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        let timer: NodeJS.Timeout;
        const arm = () => {
          clearTimeout(timer);
          timer = setTimeout(() => reject(new Error(`an input ran past ${TIME_BOX_MS} ms after input ${inputs.length} (${inputs.at(-1)?.seed} #${inputs.at(-1)?.index})`)), TIME_BOX_MS);
        };
        arm();
        worker.on('message', (m: FuzzMessage) => {
          if (m.kind === 'done') {
            clearTimeout(timer);
            resolve();
          } else {
            inputs.push(m);
            arm();
          }
        });
        worker.on('error', (e) => (clearTimeout(timer), reject(e)));
        worker.on('exit', (code) => code !== 0 && (clearTimeout(timer), reject(new Error(`worker exited with ${code}`))));
      });
    } finally {
      await worker.terminate();
    }
    // Every problem fails the test, a difference between incremental and fresh analyses with
    // syntax broken before and after the edit included (`broken` says which those were).
    const problems = inputs.filter((m) => m.problem);
    const slowest = inputs.reduce((a, m) => (m.ms > a.ms ? m : a), inputs[0]);
    t.diagnostic(`engine: ${inputs.length} inputs (each analysed fresh and incrementally; ${inputs.filter((m) => m.broken).length} with syntax broken before and after their edit), ${problems.length} problem(s); slowest ${slowest.ms.toFixed(0)} ms (${slowest.seed} #${slowest.index}); ${inputs.reduce((n, m) => n + m.ops, 0)} ops in all`);
    assert.equal(inputs.length, SEEDS.length * job.chain);
    assert.deepEqual(problems.map((m) => `${m.seed} #${m.index}${m.broken ? ' (syntax broken before and after)' : ''}: ${m.problem}\n--- previous ---\n${m.previous?.slice(0, 2000)}\n--- input ---\n${m.text?.slice(0, 2000)}`), []);
  });

  it('with broken syntax before and after an edit, incremental equals fresh (found by this fuzz test)', async () => {
    // Reduced (line-wise delta debugging) from gpt2_nanogpt_style.py #47 of the engine fuzz
    // run: the incremental analysis recorded F.softmax, a fresh one nothing. The broken line
    // parses as an import inside `__init__`, which bound `F` for the whole module when that
    // function was analysed, and not when its cached result was reused. A function's imports
    // now bind in its own frame.
    const { analyzeSource, initEngine } = require('../../server/engine/analyze') as typeof import('../../server/engine/analyze');
    const { fileJson } = require('../../server/engine/report') as typeof import('../../server/engine/report');
    const { DEFAULT_SETTINGS } = require('../../server/core/settings') as typeof import('../../server/core/settings');
    await initEngine();
    const before = [
      '    def __init__(self, config):',
      '        super().__i torch.nn import functional as F',
      '    def forward(self, x):',
      '        # (B, nh, T, hs) x (B, nh, hs, T) -> (B, nh, T, T)',
      '        att = att.masked_fill(self.bias[:, :, :T, :T] == 0, float("-inf"))',
      '        att = F.softmax(att, dim=-1)',
      '        att = self.attn_dropout(att)',
    ].join('\n');
    const after = before.replace('self.attn_dropout(att)', 'sen_dropout(att)');
    const first = analyzeSource({ path: 'x.py', text: before, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true });
    const incremental = analyzeSource({ path: 'x.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS, { reuse: first.state });
    const fresh = analyzeSource({ path: 'x.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS);
    assert.equal(JSON.stringify(fileJson(incremental)), JSON.stringify(fileJson(fresh)));
  });

  it('a malformed annotation met first by a caller still gets its TC001 (found by this fuzz test)', async () => {
    // Reduced from gpt2_transformerlens_style.py #40 of the engine fuzz run (a mutation broke a
    // variable annotation inside `Attention.forward`): the incremental analysis reported a TC001
    // that a fresh one did not. Annotations are cached by their text across analyses, and one
    // that a caller's run met first (a frame that does not report) was cached as clean, so the
    // function's own analysis, in this file or any later one, found no error. Which run met it
    // first differed between the fresh and the incremental analysis.
    const { analyzeSource, initEngine } = require('../../server/engine/analyze') as typeof import('../../server/engine/analyze');
    const { fileJson } = require('../../server/engine/report') as typeof import('../../server/engine/report');
    const { DEFAULT_SETTINGS } = require('../../server/core/settings') as typeof import('../../server/core/settings');
    await initEngine();
    const callee = ['def f(x: Float[Tensor, "b c"]):', '    y: Float[Tensor, "b c", "d"] = x @ x.T', '    return y'];
    const caller = ['def g(x: Float[Tensor, "b c"]):', '    return f(x)'];
    const head = ['from jaxtyping import Float', 'from torch import Tensor', ''];
    const callerFirst = [...head, ...caller, '', ...callee].join('\n');
    const calleeFirst = [...head, ...callee, '', ...caller].join('\n');
    const tc001 = (text: string) => fileJson(analyzeSource({ path: 'x.py', text, languageId: 'python' }, DEFAULT_SETTINGS)).diagnostics.filter((f) => f.code === 'TC001').map((f) => f.range.start.line);
    // In this order and the other, and for the second file as for the first.
    assert.deepEqual(tc001(callerFirst), [7]);
    assert.deepEqual(tc001(calleeFirst), [4]);
    // Incremental equals fresh after an edit elsewhere, with syntax broken before and after.
    const before = `${callerFirst}\nz = (`;
    const after = `${callerFirst}\nz = ((`;
    const first = analyzeSource({ path: 'y.py', text: before, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true });
    const incremental = analyzeSource({ path: 'y.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS, { reuse: first.state });
    const fresh = analyzeSource({ path: 'y.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS);
    assert.equal(JSON.stringify(fileJson(incremental)), JSON.stringify(fileJson(fresh)));
  });

  it('an edit that joins lines makes a definition reach the indented statement after it: incremental equals fresh (found by this fuzz test)', async () => {
    // Reduced from gpt2_mingpt_style.py #55 of an engine fuzz run with seed 7: the edit joins a
    // broken line to the next, and the indented statement after them, a separate statement
    // before, is part of the `def` in a fresh parse. The document re-parsed only the statements
    // the edit touched, and kept that one apart: the function's range and ops differed.
    const { analyzeSource, initEngine } = require('../../server/engine/analyze') as typeof import('../../server/engine/analyze');
    const { fileJson } = require('../../server/engine/report') as typeof import('../../server/engine/report');
    const { DEFAULT_SETTINGS } = require('../../server/core/settings') as typeof import('../../server/core/settings');
    await initEngine();
    const tail = 's = torch.arange(0, t, dtype=torch.long, device=device).unsqueeze(0)  # shape (1, t)\n        pos_emb = self.transformer.wpe(pos)\n';
    const before = `    def forward(self, idx, targets=None):\n        po# noqa: TC101\n${tail}`;
    const after = `    def forward(self, idx, targets=None):\n        po${tail}`;
    const first = analyzeSource({ path: 'x.py', text: before, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true });
    const incremental = analyzeSource({ path: 'x.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS, { reuse: first.state });
    const fresh = analyzeSource({ path: 'x.py', text: after, languageId: 'python' }, DEFAULT_SETTINGS);
    assert.equal(fileJson(fresh).functions[0].range.end.line, 2);
    assert.equal(JSON.stringify(fileJson(incremental)), JSON.stringify(fileJson(fresh)));
  });

  it('the CLI: a report for every file, exit 0 or 1, no stack trace', { timeout: 120_000 }, (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-fuzz-cli-'));
    try {
      const r = rng(SEED + 1);
      let n = 0;
      for (const { name, text } of SEEDS) {
        for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, `${path.basename(name, '.py')}_${i}.py`), mutate(text, r, 1 + Math.floor(r() * 6))), n++;
      }
      // The TF.js frontend too, from the TypeScript example.
      const tfjs = fs.readFileSync(path.join(REPO, 'examples', 'tfjs-dense.ts'), 'utf8');
      for (let i = 0; i < 8; i++) fs.writeFileSync(path.join(dir, `tfjs_${i}.ts`), mutate(tfjs, r, 1 + Math.floor(r() * 6))), n++;
      const out = spawnSync(process.execPath, [CLI, 'check', dir, '--format', 'json', '--no-config'], { encoding: 'utf8', timeout: 100_000, maxBuffer: 256 << 20 });
      assert.equal(out.signal, null, 'the CLI did not finish in time');
      assert.doesNotMatch(out.stderr, /^\s+at .+:\d+:\d+\)?$/m, out.stderr);
      assert.ok(out.status === 0 || out.status === 1, `exit ${out.status}: ${out.stderr}`);
      const report = JSON.parse(out.stdout);
      assert.equal(report.files.length, n);
      t.diagnostic(`CLI: ${n} mutated files in one run, exit ${out.status}, ${report.files.reduce((k: number, f: { ops: unknown[] }) => k + f.ops.length, 0)} ops`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the language server: every request answered in time; an edited document reports as a fresh one', { timeout: 180_000 }, async (t) => {
    const caps = { textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: {}, inlayHint: {} } };
    const s = await startServer(caps, { dims: { B: 8, T: 1024 } });
    const r = rng(SEED + 2);
    let requests = 0;
    let edits = 0;
    try {
      for (const { name, text: seedText } of SEEDS) {
        const uri = pathToFileURL(path.join(os.tmpdir(), 'tc-fuzz', name)).toString();
        let doc = TextDocument.create(uri, 'python', 1, seedText);
        await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text: seedText } });
        for (let i = 0; i < 12; i++) {
          const next = mutate(doc.getText(), r, 1 + Math.floor(r() * 3));
          // One range edit: the span between the common prefix and the common suffix.
          const old = doc.getText();
          let a = 0;
          while (a < old.length && a < next.length && old[a] === next[a]) a++;
          let b = 0;
          while (b < old.length - a && b < next.length - a && old[old.length - 1 - b] === next[next.length - 1 - b]) b++;
          const change = { range: { start: doc.positionAt(a), end: doc.positionAt(old.length - b) }, text: next.slice(a, next.length - b) };
          doc = TextDocument.update(doc, [change], doc.version + 1);
          await s.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: doc.version }, contentChanges: [change] });
          edits++;
          const line = Math.floor(r() * doc.lineCount);
          await within(s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character: Math.floor(r() * 40) } }), TIME_BOX_MS, `hover after edit ${i} of ${name}`);
          await within(s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } }), TIME_BOX_MS, `diagnostics after edit ${i} of ${name}`);
          await within(s.conn.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: doc.lineCount, character: 0 } } }), TIME_BOX_MS, `inlay hints after edit ${i} of ${name}`);
          requests += 3;
        }
        // The same text opened fresh under another name: the same ops, figures and findings.
        const freshUri = uri.replace(/\.py$/, '_fresh.py');
        await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: freshUri, languageId: 'python', version: 1, text: doc.getText() } });
        const edited: any = await within(s.conn.sendRequest('tensorcost/fileReport', { uri }), TIME_BOX_MS, 'report of the edited document');
        const fresh: any = await within(s.conn.sendRequest('tensorcost/fileReport', { uri: freshUri }), TIME_BOX_MS, 'report of the fresh document');
        const ed: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
        const fd: any = await s.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: freshUri } });
        requests += 4;
        assert.deepEqual(edited.ops, fresh.ops, `${name}: ops of the edited document differ from a fresh one`);
        assert.deepEqual(edited.totals, fresh.totals);
        // Related locations name the document: the fresh one's own URI stands for the edited one's.
        assert.deepEqual(ed.items, JSON.parse(JSON.stringify(fd.items).split(freshUri).join(uri)), `${name}: diagnostics differ`);
      }
    } finally {
      await s.stop();
    }
    t.diagnostic(`server: ${edits} edits, ${requests} requests, all answered within ${TIME_BOX_MS} ms`);
  });
});
