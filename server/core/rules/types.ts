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
   * The findings of a per-op `check` over every op of the file, in op order. `check` must
   * depend only on the op, its figures and what `key` says (the rule's thresholds and the
   * file-level facts it used, the same for every op of a file), and must put its finding at
   * `op.range`. Re-analysis reuses the segments of ops of unchanged code (`FileIR.segments`)
   * and their figures, so what was concluded for them is reused per segment, and for an op
   * only moved by lines inserted above it, moved along: a rule that formats a message for each
   * of thousands of ops does it only for the ops that changed.
   */
  opFindings(code: string, key: string, check: (op: TensorOp, figures: CostFigures) => Finding | null): Finding[];
}

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
