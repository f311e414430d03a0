/**
 * The words of "Benchmark this matmul": the op named by its source text, what the check against
 * the CPU reference covered, and the sizes offered for unbound dims. No VS Code API here.
 */
import type { BenchResult } from '../kernels/harness/types';

/** The verification budget the harness uses when a request sets none (kernels/harness/request.ts). */
export const DEFAULT_VERIFY_BUDGET = 2 ** 31;

/**
 * The op as the user wrote it (`q @ k.transpose(-2, -1)`), on one line and at most `max`
 * characters; the op's own name (`@`, `torch.matmul`) when there is no text.
 */
export function opLabel(name: string, sourceText: string | undefined, max = 48): string {
  const text = (sourceText ?? '').replace(/\s+/g, ' ').trim();
  if (!text) return name;
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * What the check against the CPU reference covered, and why it covered no more: every output
 * element when the reference fits the budget of multiply-accumulates, else a sample of rows (the
 * first and last always among them, as tile edges are where index bugs live).
 */
export function verificationText(r: Pick<BenchResult, 'verified' | 'checkedElements' | 'totalElements' | 'maxRelError' | 'tolerance' | 'flops'>, budget = DEFAULT_VERIFY_BUDGET): string {
  const err = `max relative error ${r.maxRelError.toExponential(1)}, tolerance ${r.tolerance.toExponential(0)}`;
  if (r.maxRelError > r.tolerance) return `FAILED the check against the CPU reference: ${err} over ${count(r.checkedElements)} checked output elements`;
  if (r.verified) return `verified: all ${count(r.totalElements)} output elements match the CPU reference (${err})`;
  const macs = r.flops / 2;
  return (
    `not fully verified: ${count(r.checkedElements)} of ${count(r.totalElements)} output elements checked (whole rows sampled, first and last included), all within tolerance (${err}); ` +
    `checking all would take the CPU ${macs.toExponential(1)} multiply-accumulates, over its budget of ${budget.toExponential(1)}`
  );
}

const BATCH = /^(b|bs|n|batch|batch_size|bsz|num_batches)$/i;

/**
 * The size offered for an unbound dim: the last answer given for that name in this workspace,
 * else a guess from its name: 8 for a batch dim, 1024 for any other (sequence lengths and widths
 * of that order are common). A scaled run shrinks it anyway on a slow adapter.
 */
export function dimDefault(name: string, remembered: Readonly<Record<string, number>>): { value: number; source: 'last answer' | 'default' } {
  const last = remembered[name];
  if (Number.isInteger(last) && last > 0) return { value: last, source: 'last answer' };
  if (BATCH.test(name)) return { value: 8, source: 'default' };
  return { value: 1024, source: 'default' };
}
