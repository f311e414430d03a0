/**
 * Which size "Benchmark this matmul" runs by default: the one that fits the adapter. A software
 * adapter (Mesa's lavapipe/llvmpipe, SwiftShader, WARP) reaches about 1 GFLOP/s on a GEMM, so a
 * full-size 137 GFLOP op would take minutes there: it runs a scaled copy of about 1 GFLOP. A GPU
 * runs the op at full size unless its known rate says one run would take more than a couple of
 * seconds. No VS Code API here, so the choice is unit-tested directly.
 */
import type { AdapterSummary } from '../kernels/harness/types';
import { flopsText } from '../server/core/format';
import { PlannedRun, requestFlops, runSize, scaleRun } from './benchmarkRequest';

/** What the extension knows about the adapter before a run: from calibration or the last run. */
export interface AdapterKnowledge {
  description: string;
  software: boolean;
  /** GFLOP/s a GEMM reached on it, when one was measured. */
  gflops?: number;
}

/** About a second's work on a software adapter (~1 GFLOP/s on two cores, /work/shared/E2E.md). */
export const SOFTWARE_TARGET_FLOPS = 1e9;
/** A hardware adapter with a known rate gets at most this long per run of the op. */
export const HARDWARE_SECONDS_PER_RUN = 2;

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|software|\bwarp\b|basic render/i;

export function isSoftwareAdapter(a: AdapterSummary): boolean {
  return SOFTWARE.test(`${a.description} ${a.architecture} ${a.vendor}`);
}

/** The adapter's name without its driver details: `llvmpipe` of `llvmpipe (LLVM 19.1.7, 256 bits)`. */
export function adapterName(description: string): string {
  return description.split(/[:(]/)[0].trim() || description;
}

export function knowledgeOf(a: AdapterSummary, gflops?: number): AdapterKnowledge {
  return { description: a.description || `${a.vendor} ${a.architecture}`.trim() || 'the WebGPU adapter', software: isSoftwareAdapter(a), gflops };
}

export interface SizedRuns {
  runs: PlannedRun[];
  /** True when the runs are smaller than the op. */
  scaled: boolean;
  /** Per-side factor of the first run (1 when not scaled). */
  factor: number;
  /** Work of the op at full size and of the first run as it will run. */
  fullFlops: number;
  runFlops: number;
  /** Why this size, in a sentence fragment: "llvmpipe is a software adapter". */
  reason: string;
}


/** The size that fits the adapter; `full` forces the op's own size (the user asked for it). */
export function fitToAdapter(runs: readonly PlannedRun[], adapter: AdapterKnowledge | undefined, full = false): SizedRuns {
  const fullFlops = requestFlops(runs[0].request);
  let target: number | undefined;
  let reason: string;
  if (full) reason = 'full size, as asked';
  else if (!adapter) {
    target = SOFTWARE_TARGET_FLOPS;
    reason = 'the adapter is not known yet, so the run is kept small';
  } else if (adapter.software) {
    target = SOFTWARE_TARGET_FLOPS;
    reason = `${adapterName(adapter.description)} is a software adapter (it runs on the CPU)`;
  } else if (adapter.gflops && fullFlops / (adapter.gflops * 1e9) > HARDWARE_SECONDS_PER_RUN) {
    target = adapter.gflops * 1e9 * HARDWARE_SECONDS_PER_RUN;
    reason = `at the ${adapter.gflops.toFixed(0)} GFLOP/s a GEMM reached on ${adapterName(adapter.description)}, the full size would take ${(fullFlops / (adapter.gflops * 1e9)).toFixed(0)} s per run`;
  } else reason = `${adapterName(adapter.description)} is a GPU`;
  if (target === undefined || fullFlops <= target * 1.5) {
    return { runs: [...runs], scaled: false, factor: 1, fullFlops, runFlops: fullFlops, reason: target === undefined ? reason : `${flopsText(fullFlops)} is small enough for ${adapter ? adapterName(adapter.description) : 'any adapter'}` };
  }
  let factor = 1;
  const scaledRuns = runs.map((r, i) => {
    const s = scaleRun(r.request, target!);
    if (i === 0) factor = s.factor;
    return { ...r, request: s.request };
  });
  const runFlops = requestFlops(scaledRuns[0].request);
  return { runs: scaledRuns, scaled: runFlops < fullFlops, factor, fullFlops, runFlops, reason };
}

/** What ran, said once in the result: the size, and when scaled, from what and why. */
export function whatRan(s: SizedRuns, fullRuns: readonly PlannedRun[]): string {
  const size = runSize(s.runs[0].request);
  if (!s.scaled) return `${size} (${flopsText(s.runFlops)}, full size)`;
  return `${size}: scaled ×${s.factor.toFixed(3)} per side from ${runSize(fullRuns[0].request)} (${flopsText(s.runFlops)} of the op's ${flopsText(s.fullFlops)}) because ${s.reason}`;
}
