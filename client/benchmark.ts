/**
 * "Benchmark this matmul": asks the server for the op under the cursor, asks for any unbound dims
 * (offering the last answer), sizes the run to fit the adapter (benchmarkFit.ts), runs the
 * kernels in a child process (never in the extension host) with progress and cancellation, and
 * reports the measured point next to the prediction: in a notification that says what ran and
 * what was verified, in the hover (through the server) and on the roofline view.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import type { BenchResult } from '../kernels/harness/types';
import { bytesText, timeText } from '../server/core/format';
import { MeasuredNotification, MeasuredPoint, OpAtRequest, OpPoint } from '../server/protocol';
import { AdapterKnowledge, fitToAdapter, knowledgeOf, SizedRuns, whatRan } from './benchmarkFit';
import { planBenchmark, PlannedRun, runSize, shapeOf } from './benchmarkRequest';
import { dimDefault, opLabel, verificationText } from './benchmarkText';
import { addMeasuredPoint } from './roofline';

export const BENCHMARK_COMMAND = 'tensorcost.benchmarkOp';
export const CALIBRATE_COMMAND = 'tensorcost.calibrate';

/** workspaceState key: the last size given for each unbound dim, offered again next time. */
const DIMS_KEY = 'tensorcost.benchmark.dims';
/** globalState key: the adapter the last run found, and the GEMM rate it reached there. */
const ADAPTER_KEY = 'tensorcost.benchmark.adapter';
/** A GEMM rate is remembered only from runs this large: small ones measure launch overhead. */
const RATE_MIN_FLOPS = 1e8;

function nodeExecutable(): string | undefined {
  const configured = vscode.workspace.getConfiguration('tensorcost').get<string>('benchmark.nodePath', '');
  if (configured) return configured;
  // Inside Electron (desktop VS Code) the prebuilt Dawn addon needs a real Node: find one on PATH.
  if (!process.versions.electron) return process.execPath;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, process.platform === 'win32' ? 'node.exe' : 'node');
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/** Sizes for the op's unbound dims, each prompt filled with the last answer or a default. */
async function askUnbound(context: vscode.ExtensionContext, op: OpPoint, label: string): Promise<Record<string, number> | undefined> {
  const remembered = context.workspaceState.get<Record<string, number>>(DIMS_KEY, {});
  const dims: Record<string, number> = {};
  for (const name of op.unbound) {
    const offer = dimDefault(name, remembered);
    const v = await vscode.window.showInputBox({
      title: `Benchmark ${label}: size of dim '${name}'`,
      value: String(offer.value),
      prompt: `'${name}' is not bound; ${offer.source === 'last answer' ? 'your last answer' : 'a default'} is filled in. The size is for this run only: bind it for good with a \`# tensorcost: dims ${name}=…\` comment or the tensorcost.dims setting.`,
      validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? undefined : 'a positive integer'),
    });
    if (v === undefined) return undefined;
    dims[name] = Number(v.trim());
  }
  await context.workspaceState.update(DIMS_KEY, { ...remembered, ...dims });
  return dims;
}

/** What is known of the adapter: the last run's, else calibration's; undefined before either. */
function knownAdapter(context: vscode.ExtensionContext, calibration: ReturnType<typeof import('../server/node/localDevice').loadCalibration>): AdapterKnowledge | undefined {
  const last = context.globalState.get<AdapterKnowledge>(ADAPTER_KEY);
  if (last) return last;
  if (calibration?.adapter) return knowledgeOf(calibration.adapter, calibration.device.peak.fp32 / 1e9);
  return undefined;
}

/** Three significant digits without exponents: 0.00462 GB/s on lavapipe, 48213 GFLOP/s on a GPU. */
const rate = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));

export function registerBenchmark(context: vscode.ExtensionContext, client: LanguageClient): void {
  const runner = () => require(context.asAbsolutePath(path.join('out', 'kernels', 'harness', 'runner.js'))) as typeof import('../kernels/harness/runner');

  context.subscriptions.push(
    vscode.commands.registerCommand(BENCHMARK_COMMAND, async (uriArg?: string, position?: { line: number; character: number }, options?: { full?: boolean }) => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('Tensor Cost: benchmarks run GPU kernels and are disabled in untrusted workspaces.');
        return;
      }
      const editor = vscode.window.activeTextEditor;
      const uri = uriArg ?? editor?.document.uri.toString();
      const pos = position ?? (editor ? { line: editor.selection.active.line, character: editor.selection.active.character } : undefined);
      if (!uri || !pos) {
        void vscode.window.showInformationMessage('Tensor Cost: put the cursor on a matmul, attention or convolution to benchmark it.');
        return;
      }
      let op = await client.sendRequest<OpPoint | null>(OpAtRequest, { uri, position: pos });
      if (!op) {
        void vscode.window.showInformationMessage('Tensor Cost: no tensor operation under the cursor.');
        return;
      }
      // The op as written (`q @ k.transpose(-2, -1)`), not its operator alone.
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri)).then(
        (d) => d,
        () => undefined,
      );
      const label = opLabel(op.name, doc?.getText(new vscode.Range(op.range.start.line, op.range.start.character, op.range.end.line, op.range.end.character)));
      if (op.unbound.length > 0) {
        const dims = await askUnbound(context, op, label);
        if (!dims) return;
        op = await client.sendRequest<OpPoint | null>(OpAtRequest, { uri, position: pos, dims });
        if (!op) return;
      }
      const plan = planBenchmark(op);
      if ('error' in plan) {
        void vscode.window.showWarningMessage(`Tensor Cost: ${plan.error}.`);
        return;
      }
      const execPath = nodeExecutable();
      if (!execPath) {
        void vscode.window.showErrorMessage('Tensor Cost: benchmarks need Node.js on PATH (or the tensorcost.benchmark.nodePath setting).');
        return;
      }
      // The schema says 5 s at least; a hand-edited 0, NaN or 1e12 would kill every run at once
      // (Node's timers fire at once past 2^31 ms): clamped to 5 s .. 1 day.
      const seconds = vscode.workspace.getConfiguration('tensorcost').get<number>('benchmark.timeoutSeconds', 120);
      const timeoutMs = (Number.isFinite(seconds) ? Math.min(Math.max(seconds, 5), 86_400) : 120) * 1000;
      const { runBenchmark, BenchError } = runner();
      const { loadCalibration, loadTunedKernels } = require(context.asAbsolutePath(path.join('out', 'server', 'node', 'localDevice.js'))) as typeof import('../server/node/localDevice');
      const calibration = loadCalibration();
      const local = calibration?.device;
      const tuned = loadTunedKernels();
      const results: { run: PlannedRun; result: BenchResult }[] = [];
      let sized: SizedRuns | undefined;
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Benchmarking ${label}`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            let adapter = knownAdapter(context, calibration);
            if (!adapter && !options?.full) {
              // One tiny run names the adapter, so the first real run already has the size that fits it.
              progress.report({ message: 'finding the WebGPU adapter' });
              const probe = await runBenchmark({ op: 'gemm', dtype: 'f32', m: 64, k: 64, n: 64, repeats: 2, warmup: 1 }, { timeoutMs, signal: abort.signal, execPath });
              adapter = knowledgeOf(probe.adapter);
              await context.globalState.update(ADAPTER_KEY, adapter);
            }
            sized = fitToAdapter(plan.runs, adapter, options?.full);
            for (const [i, run] of sized.runs.entries()) {
              const result = await runBenchmark(run.request, {
                timeoutMs,
                signal: abort.signal,
                execPath,
                predictWith: local,
                tuned,
                onProgress: (p) => progress.report({ message: `${run.label} (${i + 1}/${sized!.runs.length}), ${runSize(run.request)}: ${p.message}` }),
              });
              results.push({ run, result });
            }
          },
        );
      } catch (e) {
        const msg = e instanceof BenchError ? e.message : (e as Error).message;
        if (e instanceof BenchError && e.kind === 'aborted') return;
        void vscode.window.showErrorMessage(`Tensor Cost: benchmark of ${label} failed: ${msg}`);
        return;
      }
      const first = results[0].result;
      if ((first.op === 'gemm' || first.op === 'bmm') && first.flops >= RATE_MIN_FLOPS) {
        await context.globalState.update(ADAPTER_KEY, knowledgeOf(first.adapter, first.gflops));
      }
      const fullShape = sized!.scaled ? shapeOf(plan.runs[0].request) : undefined;
      for (const { result } of results) {
        const point: MeasuredPoint = {
          uri,
          range: op.range,
          op: `${result.op}/${result.variant}`,
          medianMs: result.medianMs,
          gflops: result.gflops,
          gbps: result.gbps,
          adapter: result.adapter.description || `${result.adapter.vendor} ${result.adapter.architecture}`,
          dtype: result.dtype,
          verified: result.verified,
          shape: result.conv ? { cin: result.conv.cin, h: result.conv.h, w: result.conv.w, cout: result.conv.cout } : { m: result.m, k: result.k, n: result.n, batch: result.batch },
          checked: { elements: result.checkedElements, total: result.totalElements, passed: result.maxRelError <= result.tolerance },
          fullShape,
        };
        void client.sendNotification(MeasuredNotification, point);
        addMeasuredPoint(point);
      }
      const lines = results.map(({ run, result: r }) => {
        const pred = r.predicted ? `, ${((r.predicted.ms / r.medianMs) * 100).toFixed(0)}% of the calibrated prediction (${timeText(r.predicted.ms / 1e3)})` : '';
        return `${run.label}: ${timeText(r.medianMs / 1e3)} median, ${rate(r.gflops)} GFLOP/s, ${rate(r.gbps)} GB/s${pred}; ${verificationText(r)}`;
      });
      if (results.length === 2 && (op.kind === 'sdpa' || op.kind === 'conv')) {
        const [a, b] = results.map((x) => x.result);
        lines.push(`${results[1].run.label} vs ${results[0].run.label}: ${(a.medianMs / b.medianMs).toFixed(2)}× the speed, ideal bytes ${bytesText(a.bytes)} vs ${bytesText(b.bytes)}`);
      }
      const actions = ['Show Roofline', ...(sized!.scaled ? ['Run at Full Size'] : []), ...(local ? [] : ['Calibrate'])];
      const adapterName = first.adapter.description || 'the local GPU';
      const pick = await vscode.window.showInformationMessage(`Tensor Cost: ${label} on ${adapterName}, ran ${whatRan(sized!, plan.runs)} — ${lines.join(' · ')}`, ...actions);
      if (pick === 'Show Roofline') void vscode.commands.executeCommand('tensorcost.showRoofline');
      if (pick === 'Run at Full Size') void vscode.commands.executeCommand(BENCHMARK_COMMAND, uri, pos, { full: true });
      if (pick === 'Calibrate') void vscode.commands.executeCommand(CALIBRATE_COMMAND);
    }),

    vscode.commands.registerCommand(CALIBRATE_COMMAND, async () => {
      if (!vscode.workspace.isTrusted) {
        void vscode.window.showWarningMessage('Tensor Cost: calibration runs GPU kernels and is disabled in untrusted workspaces.');
        return;
      }
      const execPath = nodeExecutable();
      if (!execPath) return void vscode.window.showErrorMessage('Tensor Cost: calibration needs Node.js on PATH (or tensorcost.benchmark.nodePath).');
      const cli = context.asAbsolutePath(path.join('out', 'server', 'cli', 'main.js'));
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Calibrating the local GPU (bandwidth, peak per dtype)…', cancellable: true }, (_p, token) =>
        new Promise<void>((resolve) => {
          const child = execFile(execPath, [cli, 'calibrate', '--format', 'json'], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, timeout: 10 * 60_000 }, (err, stdout, stderr) => {
            if (token.isCancellationRequested) return resolve();
            if (err) void vscode.window.showErrorMessage(`Tensor Cost: calibration failed: ${(stderr || err.message).trim().split('\n').pop()}`);
            else {
              try {
                const d = JSON.parse(stdout);
                const dev = d.device ?? d;
                void vscode.window.showInformationMessage(`Tensor Cost: calibrated "local": fp32 ${(dev.peak.fp32 / 1e9).toFixed(1)} GFLOP/s, fp16 ${(dev.peak.fp16 / 1e9).toFixed(1)} GFLOP/s, ${(dev.bandwidth / 1e9).toFixed(1)} GB/s. Pick "local" as the device to use it.`);
              } catch {
                void vscode.window.showInformationMessage('Tensor Cost: calibration finished.');
              }
            }
            resolve();
          });
          token.onCancellationRequested(() => child.kill('SIGKILL'));
        }),
      );
    }),
  );
}
