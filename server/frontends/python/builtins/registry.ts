/**
 * The table from library names to shape-and-cost handlers. Handlers are registered under
 * canonical dotted names (`torch.matmul`, `torch.nn.functional.linear`, `numpy.matmul`); aliases
 * the code imported (`F`, `np`, `jnp`) are resolved to those names before lookup.
 */
import { DType } from '../../../core/dtypes';
import { TensorType } from '../../../core/ir';
import { OpContext, OpResult } from '../../../core/ops/types';
import { CallSite, Value } from '../values';

export interface BuiltinCtx {
  /** Records an op at the call site (cost, report entry, TC002) and returns its result tensor. */
  record(result: OpResult, site: CallSite, inputs: TensorType[]): Value;
  /** Context for the core op rules: known dims and the compute dtype in force here. */
  opContext(operandDtype?: DType | null): OpContext;
  /** A fresh anonymous dim name (never equal to another). */
  fresh(): string;
  /** Lists a call the engine has no rule for; its result becomes unknown. */
  unmodelled(site: CallSite): Value;
  /**
   * Marks the caller's figures an upper bound: the op depends on a switch the engine cannot
   * decide (`is_causal=self.causal`) and its costlier side was counted.
   */
  upperBound?(): void;
  /**
   * Code that raises in Python or PyTorch where the engine still counts what was meant (a float
   * channel count): a reason on the figures, and a TC002 where the call is reported.
   */
  raises?(site: CallSite, message: string): void;
  /**
   * `torch.set_default_dtype(torch.bfloat16)`: the dtype tensors made without one have, for the
   * rest of this run (undefined: back to the configured default).
   */
  setDefaultDtype?(dtype: DType | undefined): void;
  /** A library call that runs the backward pass (`fabric.backward(loss)`): the step trains. */
  trains?(): void;
}

export type FunctionHandler = (args: Value[], kwargs: Map<string, Value>, site: CallSite, ctx: BuiltinCtx) => Value;
export type MethodHandler = (self: TensorType, args: Value[], kwargs: Map<string, Value>, site: CallSite, ctx: BuiltinCtx) => Value;

export const FUNCTIONS = new Map<string, FunctionHandler>();
export const TENSOR_METHODS = new Map<string, MethodHandler>();

export function defineFunction(names: string[], handler: FunctionHandler): void {
  for (const n of names) FUNCTIONS.set(n, handler);
}

export function defineMethod(names: string[], handler: MethodHandler): void {
  for (const n of names) TENSOR_METHODS.set(n, handler);
}

/** Library roots whose calls we expect to model; unknown calls under them are "unmodelled". */
export const LIBRARY_ROOTS = new Set(['torch', 'numpy', 'jax', 'einops', 'tensorflow', 'flax', 'scipy']);

const PREFIXES: [string, string][] = [
  ['np.', 'numpy.'],
  ['jnp.', 'jax.numpy.'],
  ['jax.nn.functional.', 'jax.nn.'],
  ['tf.', 'tensorflow.'],
  // torch.functional re-exports einsum, split, ... under torch.
  ['torch.functional.', 'torch.'],
];

/** Canonical dotted name for lookups: aliases expanded, `torch.functional.` folded. */
export function canonical(path: string): string {
  let p = path;
  for (const [a, b] of PREFIXES) if (p.startsWith(a)) p = b + p.slice(a.length);
  return p;
}

/** The keyword argument, else the positional one. */
export function arg(args: Value[], kwargs: Map<string, Value>, index: number, name: string): Value | undefined {
  return kwargs.get(name) ?? args[index];
}
