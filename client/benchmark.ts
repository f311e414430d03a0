/**
 * "Benchmark this matmul": asks the server for the op under the cursor, asks for any unbound dims,
 * runs the kernels in a child process (never in the extension host) with progress and
 * cancellation, and reports the measured point next to the prediction: in a notification, in the
 * hover (through the server) and on the roofline view.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient } from 'vscode-languageclient/node';
import type { BenchResult } from '../kernels/harness/types';
import { bytesText, timeText } from '../server/core/format';
import { MeasuredNotification, MeasuredPoint, OpAtRequest, OpPoint } from '../server/protocol';
import { planBenchmark, PlannedRun, scaleDown } from './benchmarkRequest';
import { addMeasuredPoint } from './roofline';

export const BENCHMARK_COMMAND = 'tensorcost.benchmarkOp';
export const CALIBRATE_COMMAND = 'tensorcost.calibrate';

/** Above this much work a software adapter takes minutes: offer a scaled-down run. */
const LARGE_FLOPS = 2e10;

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

async function askUnbound(op: OpPoint): Promise<Record<string, number> | undefined> {
  const dims: Record<string, number> = {};
  for (const name of op.unbound) {
    const v = await vscode.window.showInputBox({
      title: `Benchmark ${op.name}: size of dim '${name}'`,
      prompt: `'${name}' is not bound. Enter its size for this run (bind it for good with the tensorcost.dims setting).`,
      validateInput: (s) => (/^\d+$/.test(s.trim()) && Number(s) > 0 ? undefined : 'a positive integer'),
    });
    if (v === undefined) return undefined;
    dims[name] = Number(v.trim());
  }
  return dims;
}

export function registerBenchmark(context: vscode.ExtensionContext, client: LanguageClient): void {
  const runner = () => require(context.asAbsolutePath(path.join('out', 'kernels', 'harness', 'runner.js'))) as typeof import('../kernels/harness/runner');

  context.subscriptions.push(
    vscode.commands.registerCommand(BENCHMARK_COMMAND, async (uriArg?: string, position?: { line: number; character: number }) => {
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
      if (op.unbound.length > 0) {
        const dims = await askUnbound(op);
        if (!dims) return;
        op = await client.sendRequest<OpPoint | null>(OpAtRequest, { uri, position: pos, dims });
        if (!op) return;
      }
      const plan = planBenchmark(op);
      if ('error' in plan) {
        void vscode.window.showWarningMessage(`Tensor Cost: ${plan.error}.`);
        return;
      }
      let runs: PlannedRun[] = plan.runs;
      let scaledNote = '';
      if (plan.flops > LARGE_FLOPS) {
        const pick = await vscode.window.showWarningMessage(
          `This op does ${(plan.flops / 1e9).toFixed(1)} GFLOP per run; on a software or small GPU that can take minutes.`,
          { modal: true },
          'Run at full size',
          'Run scaled down',
        );
        if (!pick) return;
        if (pick === 'Run scaled down') {
          // Work scales with the cube of a GEMM's side: shrink sides so one run is ~1 GFLOP.
          const f = Math.cbrt(1e9 / plan.flops);
          runs = runs.map((r) => ({ ...r, request: scaleDown(r.request, f) }));
          scaledNote = ` (scaled ×${f.toFixed(3)} per side)`;
        }
      }
      const execPath = nodeExecutable();
      if (!execPath) {
        void vscode.window.showErrorMessage('Tensor Cost: benchmarks need Node.js on PATH (or the tensorcost.benchmark.nodePath setting).');
        return;
      }
      const timeoutMs = vscode.workspace.getConfiguration('tensorcost').get<number>('benchmark.timeoutSeconds', 120) * 1000;
      const { runBenchmark, BenchError } = runner();
      const { loadLocalDevice, loadTunedKernels } = require(context.asAbsolutePath(path.join('out', 'server', 'node', 'localDevice.js'))) as typeof import('../server/node/localDevice');
      const local = loadLocalDevice();
      const tuned = loadTunedKernels();
      const results: { run: PlannedRun; result: BenchResult }[] = [];
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Benchmarking ${op.name}${scaledNote}`, cancellable: true },
          async (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            for (const [i, run] of runs.entries()) {
              const result = await runBenchmark(run.request, {
                timeoutMs,
                signal: abort.signal,
                execPath,
                predictWith: local,
                tuned,
                onProgress: (p) => progress.report({ message: `${run.label} (${i + 1}/${runs.length}): ${p.message}` }),
              });
              results.push({ run, result });
            }
          },
        );
      } catch (e) {
        const msg = e instanceof BenchError ? e.message : (e as Error).message;
        if (e instanceof BenchError && e.kind === 'aborted') return;
        void vscode.window.showErrorMessage(`Tensor Cost: benchmark failed: ${msg}`);
        return;
      }
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
        };
        void client.sendNotification(MeasuredNotification, point);
        addMeasuredPoint(point);
      }
      const lines = results.map(({ run, result: r }) => {
        const pred = r.predicted ? `, ${((r.predicted.ms / r.medianMs) * 100).toFixed(0)}% of the calibrated prediction (${timeText(r.predicted.ms / 1e3)})` : '';
        return `${run.label}: ${timeText(r.medianMs / 1e3)} median, ${r.gflops.toFixed(2)} GFLOP/s, ${r.gbps.toFixed(2)} GB/s${r.verified ? ', verified' : ', not fully verified'}${pred}`;
      });
      if (results.length === 2 && (op.kind === 'sdpa' || op.kind === 'conv')) {
        const [a, b] = results.map((x) => x.result);
        lines.push(`${results[1].run.label} vs ${results[0].run.label}: ${(a.medianMs / b.medianMs).toFixed(2)}× the speed, ideal bytes ${bytesText(a.bytes)} vs ${bytesText(b.bytes)}`);
      }
      const actions = local ? ['Show Roofline'] : ['Show Roofline', 'Calibrate'];
      const pick = await vscode.window.showInformationMessage(`Tensor Cost: ${op.name} on ${results[0].result.adapter.description || 'the local GPU'} — ${lines.join(' · ')}`, ...actions);
      if (pick === 'Show Roofline') void vscode.commands.executeCommand('tensorcost.showRoofline');
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
