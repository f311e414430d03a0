/**
 * Checking a kernel's output against the CPU reference. The error of each element is
 * |got − ref| / scale, where scale is the sum of the absolute products that formed it (Σ|a·b|
 * for a dot product): that is the quantity rounding errors are proportional to, and unlike
 * |ref| it does not explode where positive and negative terms cancel to nearly zero.
 */

export interface CheckResult {
  ok: boolean;
  maxRelError: number;
  checked: number;
  /** First failing element (index into the checked set) and its values, for messages. */
  firstFailure?: { index: number; got: number; want: number; relError: number };
}

/**
 * `got[i]` is compared with `ref[i]` for every i. A NaN or infinity in the output always fails.
 */
export function checkOutput(got: ArrayLike<number>, ref: ArrayLike<number>, scale: ArrayLike<number>, tolerance: number): CheckResult {
  let maxRel = 0;
  let firstFailure: CheckResult['firstFailure'];
  for (let i = 0; i < ref.length; i++) {
    const g = got[i];
    const rel = Number.isFinite(g) ? Math.abs(g - ref[i]) / Math.max(scale[i], 1e-30) : Infinity;
    if (rel > maxRel || Number.isNaN(rel)) maxRel = Number.isNaN(rel) ? Infinity : rel;
    if (!(rel <= tolerance) && !firstFailure) firstFailure = { index: i, got: g, want: ref[i], relError: rel };
  }
  return { ok: !firstFailure, maxRelError: maxRel, checked: ref.length, firstFailure };
}

/**
 * The tolerance per dtype and kernel. f32 accumulations stay orders of magnitude below 1e-4 in
 * this metric; f16 outputs are rounded to 11 significant bits (≤ 4.9e-4); the materialised
 * attention also stores its scores and probabilities in f16. A wrong index or a missed tile
 * gives errors of order 1, far above all of these.
 */
export function toleranceFor(dtype: 'f32' | 'f16', op: string, variant: string): number {
  if (op === 'copy') return 0;
  if (dtype === 'f32') return 1e-4;
  if (op === 'attention' && variant === 'materialized') return 2e-2;
  return 2e-3;
}

/**
 * Which output rows to check: all of them when the reference costs at most `budget`
 * multiply-accumulates (or when `full`), else a sample that always includes the first and last
 * rows (tile edges are where indexing bugs live) and spreads the rest evenly.
 */
export function rowsToCheck(rows: number, macsPerRow: number, budget: number, full: boolean): { rows: number[]; complete: boolean } {
  const affordable = Math.max(2, Math.floor(budget / Math.max(macsPerRow, 1)));
  if (full || affordable >= rows) return { rows: Array.from({ length: rows }, (_, i) => i), complete: true };
  const picked = new Set<number>([0, rows - 1]);
  const step = rows / (affordable - 2 + 1);
  for (let i = 1; picked.size < affordable && i <= affordable; i++) picked.add(Math.min(rows - 1, Math.floor(i * step)));
  return { rows: [...picked].sort((a, b) => a - b), complete: false };
}
