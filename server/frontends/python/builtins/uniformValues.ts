/**
 * Arrays every element of which the code fixes to one number: `np.linspace(0, drop_path_rate,
 * depth)` with a rate of 0 (DINOv2's and many ViTs' stochastic-depth schedules). Read back as
 * Python numbers (`.tolist()`, `.item()`) they decide branches such as
 * `if self.training and self.sample_drop_ratio > 0.1`, which otherwise kept the costlier side:
 * a drop-path residual on a batch subset whose size nobody can bind. Types are compared by
 * identity, as guessed.ts does; anything derived from the array forgets the value.
 */
import type { TensorType } from '../../../core/ir';

const UNIFORM = new WeakMap<TensorType, number>();

/** Marks `t` as holding `value` in every element. */
export function markUniform(t: TensorType, value: number): TensorType {
  UNIFORM.set(t, value);
  return t;
}

/** The number every element of `t` holds, when the code fixed one. */
export function uniformValue(t: TensorType): number | undefined {
  return UNIFORM.get(t);
}
