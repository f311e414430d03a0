/** The shape every rule file follows (one rule per file, stable code, ruff-style documentation). */
import { CostFigures } from '../cost/evaluate';
import { Device } from '../devices';
import { ContextRef, FileIR, Finding, Severity, TensorOp } from '../ir';
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
  /**
   * Only in the pass over ops completed by a calling context (engine/contextFindings.ts): the
   * context an op's shapes and figures come from. Absent in a file's own pass, where an op runs
   * once per call of its function (its loops in `repeat`).
   */
  context?(op: TensorOp): OpContextInfo | undefined;
}

/** What the calling context of an op says beyond its shapes. */
export interface OpContextInfo {
  ref: ContextRef;
  /** How many times the entry point ran the op with these figures (layers, evaluation splits). */
  calls: number;
  /** The entry point switched TF32 matmuls on before the call. */
  tf32: boolean;
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
