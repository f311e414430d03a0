/** The shape every rule file follows (one rule per file, stable code, ruff-style documentation). */
import { CostFigures } from '../cost/evaluate';
import { Device } from '../devices';
import { FileIR, Finding, Severity, TensorOp } from '../ir';
import { Settings } from '../settings';
import { Bindings } from '../symbolic';

export interface RuleDocs {
  /** What it does. */
  what: string;
  /** Why is this bad? With the cost model's numbers. */
  why: string;
  /** Example (code that fires). */
  example: string;
  /** Use instead (the fix). */
  useInstead: string;
}

export interface RuleThreshold {
  key: string;
  default: number;
  description: string;
}

export interface RuleContext {
  ir: FileIR;
  device: Device;
  settings: Settings;
  bindings: Bindings;
  /** Figures of `ir.ops[i]` at index i. */
  figures: CostFigures[];
  threshold(key: string): number;
  /**
   * What a per-op rule concluded about `op` the last time, when its figures are the same (the
   * engine reuses figures objects), `key` (the rule's thresholds and the file-level facts it
   * used, the same for every op of a file) is the same, and so are the device and bindings; else
   * `compute()`. Re-analysis reuses op objects of unchanged code, so a rule that formats a
   * message for each of thousands of ops does it only for the ops that changed. The finding
   * must be at `op.range` (an op moved by an edit above it gets its finding moved along).
   */
  perOp(code: string, key: string): PerOpMemo;
}

/** See `RuleContext.perOp`: `compute()` for an op, or what it gave the last time. */
export type PerOpMemo = (op: TensorOp, figures: CostFigures, compute: () => Finding | null) => Finding | null;

export interface Rule {
  code: string;
  name: string;
  defaultSeverity: Severity;
  summary: string;
  docs: RuleDocs;
  thresholds?: RuleThreshold[];
  /** Frontend rules (TC001, TC002) have no check: the frontend emits their findings. */
  check?(ctx: RuleContext): Finding[];
}

export type { CostFigures, TensorOp };
