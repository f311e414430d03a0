/**
 * Reading Python call arguments as the op rules need them: dims from `*sizes` or a tuple, axis
 * numbers, booleans, dtypes (`torch.float16`, `np.float16`, `'bf16'`, `x.dtype`), and recording
 * shape-only results (a view costs nothing and is not recorded unless its shape is wrong).
 */
import { DType, parseDType } from '../../../core/dtypes';
import { Dim, TensorType } from '../../../core/ir';
import { OpKind } from '../../../core/ir';
import { ReshapeDim, ShapeResult, ShapesResult } from '../../../core/ops/shape';
import { unknownResult } from '../../../core/ops/types';
import { Poly } from '../../../core/symbolic';
import { deriveGuess } from '../guessed';
import { CallSite, UNKNOWN, Value, asDim, tensor } from '../values';
import { BuiltinCtx } from './registry';

/** `f(2, 3)` or `f((2, 3))` or `f([2, 3])` or `f(x.shape)`: the dims, or null when one is unknown. */
export function dimsFrom(args: readonly Value[]): Dim[] | null {
  const items = args.length === 1 && args[0].kind === 'tuple' ? args[0].items : args;
  if (args.length === 1 && args[0].kind === 'tuple' && args[0].repeat && !args[0].repeat.equals(Poly.ONE)) return null;
  const out: Dim[] = [];
  for (const v of items) {
    const d = asDim(v);
    if (!d) return null;
    // `torch.randn(-8, 4)` raises in Python; a negative size would give negative FLOPs and bytes.
    const c = d.constValue();
    if (c !== undefined && !(Number.isSafeInteger(c) && c >= 0)) return null;
    out.push(d);
  }
  return out;
}

/** Like `dimsFrom` but -1 stays "infer"; an unknown entry becomes a fresh symbol. */
export function reshapeDimsFrom(args: readonly Value[], ctx: BuiltinCtx): ReshapeDim[] | null {
  const items = args.length === 1 && args[0].kind === 'tuple' ? args[0].items : args;
  if (items.length === 0) return null;
  return items.map((v) => {
    const d = asDim(v);
    if (!d) return Poly.sym(ctx.fresh());
    return d.constValue() === -1 ? -1 : d;
  });
}

/** A literal integer (axis, count), else undefined. */
export function intOf(v: Value | undefined): number | undefined {
  const c = asDim(v)?.constValue();
  return c !== undefined && Number.isInteger(c) ? c : undefined;
}

/** An int or a tuple of ints (axes); null for None or absent; undefined when not literal. */
export function axesOf(v: Value | undefined): number[] | null | undefined {
  if (!v || v.kind === 'none') return null;
  if (v.kind === 'tuple') {
    const xs = v.items.map(intOf);
    return xs.every((x): x is number => x !== undefined) ? xs : undefined;
  }
  const i = intOf(v);
  return i === undefined ? undefined : [i];
}

/** An int or a tuple of dims, as a list (kernel sizes, strides, paddings). */
export function dimTupleOf(v: Value | undefined): Dim[] | undefined {
  if (!v) return undefined;
  if (v.kind === 'tuple') return dimsFrom([v]) ?? undefined;
  const d = asDim(v);
  return d ? [d] : undefined;
}

export function boolOf(v: Value | undefined, dflt: boolean): boolean {
  if (!v) return dflt;
  if (v.kind === 'bool') return v.value ?? dflt;
  if (v.kind === 'none') return false;
  if (v.kind === 'int') {
    const c = v.value.constValue();
    return c === undefined ? dflt : c !== 0;
  }
  return dflt;
}

/**
 * Whether a switch's value is known: `is_causal=self.causal` with `causal` a constructor argument
 * nobody gives is not, and the cost then depends on a branch the engine cannot decide.
 */
export function decidedBool(v: Value | undefined): boolean {
  if (!v || v.kind === 'none') return true;
  if (v.kind === 'bool') return v.value !== null;
  if (v.kind === 'int') return v.value.constValue() !== undefined;
  return false;
}

export function strOf(v: Value | undefined): string | undefined {
  return v?.kind === 'str' ? v.value : undefined;
}

/** `torch.float16`, `np.float16`, `jnp.bfloat16`, `'float16'`, `x.dtype`, `torch.half`. */
export function dtypeOf(v: Value | undefined): DType | undefined {
  if (!v) return undefined;
  if (v.kind === 'dtype') return v.dtype;
  if (v.kind === 'ref' || v.kind === 'str') return parseDType(v.kind === 'ref' ? v.path : v.value);
  return undefined;
}

/** Positional argument i, else the keyword. */
export function pick(args: readonly Value[], kwargs: ReadonlyMap<string, Value>, i: number, name: string): Value | undefined {
  return args[i] ?? kwargs.get(name);
}

export function tensorArg(args: readonly Value[], kwargs: ReadonlyMap<string, Value>, i: number, name: string): TensorType | undefined {
  const v = pick(args, kwargs, i, name);
  return v?.kind === 'tensor' ? v.type : undefined;
}

/** A shape-only result: the new tensor, or a TC002 finding recorded at the call when it failed. */
export function shapeValue(r: ShapeResult, x: TensorType, kind: OpKind, site: CallSite, ctx: BuiltinCtx): Value {
  if ('error' in r) return ctx.record(unknownResult(kind, x.dtype, r.error), site, [x]);
  return tensor(deriveGuess([x], { shape: r.shape, dtype: x.dtype }));
}

/** Several pieces (split, chunk) as a tuple of tensors. */
export function shapesValue(r: ShapesResult, x: TensorType, site: CallSite, ctx: BuiltinCtx): Value {
  if ('error' in r) {
    ctx.record(unknownResult('copy', x.dtype, r.error), site, [x]);
    return UNKNOWN;
  }
  return { kind: 'tuple', items: r.shapes.map((s) => tensor(deriveGuess([x], { shape: s, dtype: x.dtype }))), ...(r.repeat ? { repeat: r.repeat } : {}) };
}

export const tupleOf = (items: Value[]): Value => ({ kind: 'tuple', items });
