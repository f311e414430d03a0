/**
 * `npm run bench:kernels`: every kernel at sizes chosen for the adapter, with GFLOP/s, GB/s and
 * the share of the probes' peaks, plus the same GEMMs through TF.js's WebGPU backend on the same
 * adapter. Runs each benchmark in its own child process (the harness's runner), so the run
 * survives a driver crash. Options: --quick (smaller sizes), --lp-threads N (LP_NUM_THREADS for
 * lavapipe), --json FILE (all results).
 */
import * as fs from 'node:fs';
import { runBenchmark } from '../kernels/harness/runner';
import { BenchRequest, BenchResult } from '../kernels/harness/types';
import { loadLocalDevice } from '../server/node/localDevice';

interface Row { label: string; req: BenchRequest }

function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

/** lavapipe is a CPU: sizes that take seconds there take microseconds on a GPU. */
function sizesFor(software: boolean, quick: boolean): { gemm: number[]; attnL: number; copy: number } {
  if (software) return quick ? { gemm: [256], attnL: 256, copy: 4 * 2 ** 20 } : { gemm: [256, 512, 1024], attnL: 512, copy: 16 * 2 ** 20 };
  return { gemm: [1024, 2048, 4096], attnL: 2048, copy: 32 * 2 ** 20 };
}

function plan(software: boolean, quick: boolean, hasF16: boolean): Row[] {
  const s = sizesFor(software, quick);
  const rows: Row[] = [];
  for (const n of s.gemm) {
    rows.push({ label: `gemm ${n}³ f32 tiled`, req: { op: 'gemm', m: n, k: n, n } });
    rows.push({ label: `gemm ${n}³ f32 TF.js`, req: { op: 'gemm', m: n, k: n, n, variant: 'tfjs' } });
    if (hasF16) rows.push({ label: `gemm ${n}³ f16 tiled`, req: { op: 'gemm', m: n, k: n, n, dtype: 'f16' } });
  }
  const g = s.gemm[0];
  rows.push({ label: `gemm ${g}³ f32 naive`, req: { op: 'gemm', m: g, k: g, n: g, variant: 'naive' } });
  rows.push({ label: `gemm ${g + 1}×${g - 3}×${g + 5} f32 tiled (ragged)`, req: { op: 'gemm', m: g + 1, k: g - 3, n: g + 5 } });
  rows.push({ label: `bmm 8×${g / 2}³ f32 tiled`, req: { op: 'bmm', batch: 8, m: g / 2, k: g / 2, n: g / 2 } });
  rows.push({ label: `bmm 8×${g / 2}³ f32 TF.js`, req: { op: 'bmm', batch: 8, m: g / 2, k: g / 2, n: g / 2, variant: 'tfjs' } });
  const conv = { cin: 64, h: 28, w: 28, cout: 64, kh: 3, kw: 3, pad: 1 };
  rows.push({ label: 'conv2d 1×64×28×28 3×3 im2col', req: { op: 'conv2d', batch: 1, conv } });
  rows.push({ label: 'conv2d 1×64×28×28 3×3 direct', req: { op: 'conv2d', variant: 'direct', batch: 1, conv } });
  const L = s.attnL;
  rows.push({ label: `attention 4×${L}×${L} d64 flash`, req: { op: 'attention', batch: 4, m: L, n: L, k: 64 } });
  rows.push({ label: `attention 4×${L}×${L} d64 materialized`, req: { op: 'attention', variant: 'materialized', batch: 4, m: L, n: L, k: 64 } });
  rows.push({ label: `copy ${s.copy * 4 / 2 ** 20} MiB shader`, req: { op: 'copy', m: s.copy } });
  rows.push({ label: `copy ${s.copy * 4 / 2 ** 20} MiB copyBufferToBuffer`, req: { op: 'copy', variant: 'copyBufferToBuffer', m: s.copy } });
  rows.push({ label: 'fma probe f32', req: { op: 'fma' } });
  if (hasF16) rows.push({ label: 'fma probe f16', req: { op: 'fma', dtype: 'f16' } });
  return rows;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const lp = argValue('--lp-threads');
  const env = lp ? { LP_NUM_THREADS: lp } : undefined;
  const started = Date.now();
  // Probes first: their figures are this run's ceilings for the "% of peak" columns.
  const probe = await runBenchmark({ op: 'fma', repeats: 5 }, { env, timeoutMs: 120_000 });
  const software = /llvmpipe|lavapipe|swiftshader|software/i.test(`${probe.adapter.architecture} ${probe.adapter.description}`);
  let hasF16 = true;
  try {
    await runBenchmark({ op: 'fma', dtype: 'f16', m: 64, k: 1, repeats: 1 }, { env, timeoutMs: 60_000 });
  } catch {
    hasF16 = false;
  }
  const copyProbe = await runBenchmark({ op: 'copy', m: sizesFor(software, quick).copy, repeats: 5 }, { env, timeoutMs: 120_000 });
  const local = loadLocalDevice();
  process.stdout.write(`adapter: ${probe.adapter.vendor} / ${probe.adapter.architecture} / ${probe.adapter.description}` +
    `${lp ? `, LP_NUM_THREADS=${lp}` : ''}\n`);
  process.stdout.write(`probes this run: FMA ${probe.gflops.toFixed(2)} GFLOP/s, copy kernel ${copyProbe.gbps.toFixed(2)} GB/s` +
    (local ? `; calibrated local: ${(local.peak.fp32 / 1e9).toFixed(2)} GFLOP/s fp32, ${(local.bandwidth / 1e9).toFixed(2)} GB/s` : '; not calibrated') + '\n\n');

  const head = ['kernel', 'ms', 'GFLOP/s', 'GB/s', '%FMA', '%copy', '%local', 'verified', 'timing'];
  const widths = [44, 9, 8, 7, 6, 6, 7, 8, 15];
  process.stdout.write(head.map((h, i) => pad(h, widths[i], i > 0)).join(' ') + '\n');
  const results: (BenchResult & { label: string })[] = [];
  for (const row of plan(software, quick, hasF16)) {
    let cells: string[];
    try {
      const r = await runBenchmark({ ...row.req, timeBudgetMs: 2500 }, { env, timeoutMs: 180_000, predictWith: local });
      results.push({ ...r, label: row.label });
      const localPeak = local ? (r.dtype === 'f16' ? local.peak.fp16 : local.peak.fp32) / 1e9 : 0;
      cells = [row.label, r.medianMs.toFixed(2), r.gflops.toFixed(2), r.gbps.toFixed(2),
        r.flops ? ((100 * r.gflops) / probe.gflops).toFixed(0) : '-', ((100 * r.gbps) / copyProbe.gbps).toFixed(0),
        local && r.flops ? ((100 * r.gflops) / localPeak).toFixed(0) : '-', r.verified ? 'yes' : 'NO', r.timing];
    } catch (e) {
      cells = [row.label, `failed: ${(e as Error).message.split('\n')[0]}`];
    }
    process.stdout.write(cells.map((c, i) => pad(c, widths[i] ?? 0, i > 0 && cells.length > 2)).join(' ') + '\n');
  }
  const ours = results.filter((r) => r.op === 'gemm' && r.variant === 'tiled' && r.dtype === 'f32' && r.m === r.k);
  process.stdout.write('\nGEMM f32, tiled vs TF.js WebGPU backend (same adapter, inputs, timing method):\n');
  for (const o of ours) {
    const t = results.find((r) => r.variant === 'tfjs' && r.op === 'gemm' && r.m === o.m);
    if (t) process.stdout.write(`  ${o.m}³: ${o.gflops.toFixed(2)} vs ${t.gflops.toFixed(2)} GFLOP/s (${(o.gflops / t.gflops).toFixed(2)}×)\n`);
  }
  process.stdout.write(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  const json = argValue('--json');
  if (json) fs.writeFileSync(json, JSON.stringify(results, null, 2));
  return 0;
}

main().then((c) => (process.exitCode = c), (e) => {
  process.stderr.write(`bench:kernels: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
