/**
 * Custom messages between the extension and the language server, typed once here and imported by
 * both sides (as vscode-eslint does). Plain data only: no imports from either side.
 */

export interface RangeData {
  start: { line: number; character: number };
  end: { line: number; character: number };
}

/** One op as the roofline view and the benchmark command see it. */
export interface OpPoint {
  index: number;
  kind: string;
  name: string;
  function: string | null;
  range: RangeData;
  dtype: string;
  inputs: ((string | number)[] | null)[];
  output: (string | number)[] | null;
  flops: number | null;
  otherFlops: number | null;
  bytes: number | null;
  intensity: number | null;
  bound: 'memory' | 'compute' | null;
  timeSeconds: number | null;
  unbound: string[];
  /** GEMM geometry when the op is GEMM-like (m, k, n, batch as numbers or formulas). */
  gemm?: { m: number | string; k: number | string; n: number | string; batch: number | string };
  /** Op attributes with dims bound: numbers where known, formulas where not (conv geometry, attention lengths...). */
  attrs: Record<string, AttrValue>;
  /** True when the op's operands have unknown shapes: no figures, and no dims would give any. */
  unknownShapes?: boolean;
  /** Worst finding on the op, for colouring. */
  severity: 'error' | 'warning' | 'information' | 'hint' | null;
  codes: string[];
}

export type AttrValue = number | string | boolean | null | AttrValue[];

export interface FileReportParams {
  uri: string;
}

export interface FileReport {
  uri: string;
  version: number | null;
  device: {
    id: string;
    name: string;
    peak: number;
    bandwidth: number;
    ridge: number;
    dtype: string;
    /** Roofs to draw (FLOP/s): fp32 SIMT, fp16/bf16 tensor, and the ops' own dtype when it differs. */
    ceilings?: { label: string; peak: number }[];
  };
  ops: OpPoint[];
  /** `flopsAtLeast`: FLOPs null only for sizes the analysis could not read, the FLOPs it could. */
  totals: { flops: number | null; otherFlops: number | null; bytes: number | null; timeSeconds: number | null; flopsAtLeast?: number };
}

/** `tensorcost/fileReport`: every op of a file with figures (roofline view, status bar). */
export const FileReportRequest = 'tensorcost/fileReport';

export interface OpAtParams {
  uri: string;
  position: { line: number; character: number };
  /** Extra dim sizes for this request only (the benchmark asks for unbound dims). */
  dims?: Record<string, number>;
}

/** `tensorcost/opAt`: the op under the cursor, for "Benchmark this matmul". */
export const OpAtRequest = 'tensorcost/opAt';

/** A measured point reported by the benchmark runner, shown in hovers and on the roofline. */
export interface MeasuredPoint {
  uri: string;
  range: RangeData;
  op: string;
  medianMs: number;
  gflops: number;
  gbps: number;
  adapter: string;
  dtype: string;
  verified: boolean;
  /** Size actually run (the benchmark may run a scaled-down size on a slow adapter). */
  shape: Record<string, number>;
  /** Output elements the check against the CPU reference covered, of all (a sample when not verified). */
  checked?: { elements: number; total: number; passed: boolean };
  /** The op's own size, when the run was scaled down to fit the adapter. */
  fullShape?: Record<string, number>;
}

/** `tensorcost/measured` (client → server notification). */
export const MeasuredNotification = 'tensorcost/measured';

/** `tensorcost/analysed` (server → client notification): a file's totals for the status bar. */
export interface AnalysedParams {
  uri: string;
  device: string;
  flops: number | null;
  /** FLOPs null only for sizes the analysis could not read: the FLOPs it could (`totalAtLeast`). */
  flopsAtLeast?: number;
  timeSeconds: number | null;
  unbound: string[];
  errors: number;
  warnings: number;
}
export const AnalysedNotification = 'tensorcost/analysed';
