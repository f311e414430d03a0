/**
 * einops beyond `rearrange` and `einsum` (einsum.ts): `repeat` (new axes sized by keyword
 * arguments; the result is materialised, so its bytes count), `reduce` (axes of the left side
 * missing on the right are reduced: FLOPs per input element as torch's reduction of that name),
 * and the layers `einops.layers.{torch,flax,keras}.Rearrange / Reduce`, which run the same rules
 * as modules. Shapes come from the same pattern reader as `rearrange` (core/ops/rearrange.ts).
 */
import { Dim, TensorType } from '../../../core/ir';
import { moved } from '../../../core/ops/copy';
import { rearrange } from '../../../core/ops/rearrange';
import { REDUCTION_FLOPS } from '../../../core/ops/reduction';
import { numel, tensorBytes, unknownResult } from '../../../core/ops/types';
import { Poly } from '../../../core/symbolic';
import { CallSite, UNKNOWN, Value, asDim, tensor } from '../values';
import { shapeValue, strOf } from './args';
import { moduleValue } from './modules';
import { BuiltinCtx, defineFunction } from './registry';

/**
 * Axis sizes given as keyword arguments (`h=8`, `p1=patch_height`); undefined when one of them is
 * not known (`b=img.shape[0]` on an image of unknown shape): the result's shape is then unknown,
 * never a shape error made up from a missing size.
 */
function axisSizes(kw: Map<string, Value>): Map<string, Dim> | undefined {
  const axes = new Map<string, Dim>();
  for (const [k, v] of kw) {
    const d = asDim(v);
    if (!d) return undefined;
    axes.set(k, d);
  }
  return axes;
}

const unknownOf = (x: TensorType): Value => tensor({ shape: null, dtype: x.dtype });

export function rearrangeValue(x: TensorType, pattern: string, axes: Map<string, Dim> | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x.shape || !axes) return unknownOf(x);
  return shapeValue(rearrange(x.shape, pattern, axes, ctx.opContext().bindings), x, 'copy', site, ctx);
}

export function repeatValue(x: TensorType, pattern: string, axes: Map<string, Dim> | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x.shape || !axes) return unknownOf(x);
  const r = rearrange(x.shape, pattern, axes, ctx.opContext().bindings);
  if ('error' in r) return ctx.record(unknownResult('copy', x.dtype, r.error.replace(/^rearrange/, 'repeat')), site, [x]);
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const bytes = tensorBytes(x.shape, dtype).add(tensorBytes(r.shape, dtype));
  return ctx.record(moved(r.shape, x.dtype, bytes, ['einops.repeat materialises the repeated tensor']), site, [x]);
}

export function reduceValue(x: TensorType, pattern: string, reduction: string, axes: Map<string, Dim> | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x.shape || !axes) return unknownOf(x);
  const r = rearrange(x.shape, pattern, axes, ctx.opContext().bindings);
  if ('error' in r) return ctx.record(unknownResult('reduction', x.dtype, r.error.replace(/^rearrange/, 'reduce')), site, [x]);
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const per = REDUCTION_FLOPS[reduction] ?? 1;
  return ctx.record(
    {
      kind: 'reduction',
      output: { shape: r.shape, dtype: x.dtype },
      cost: { flops: Poly.ZERO, otherFlops: numel(x.shape).scale(per), bytes: tensorBytes(x.shape, dtype).add(tensorBytes(r.shape, dtype)), notes: [`einops.reduce '${reduction}': ${per} FLOP per input element`] },
      attrs: {},
    },
    site,
    [x],
  );
}

const patternOf = (args: Value[], kw: Map<string, Value>, i: number): string | undefined => strOf(args[i] ?? kw.get('pattern'));
const withoutNames = (kw: Map<string, Value>, ...names: string[]) => new Map([...kw].filter(([k]) => !names.includes(k)));

defineFunction(['einops.rearrange'], (args, kw, site, ctx) => {
  const x = args[0];
  const pattern = patternOf(args, kw, 1);
  if (x?.kind !== 'tensor' || !pattern) return x?.kind === 'tensor' ? unknownOf(x.type) : UNKNOWN;
  return rearrangeValue(x.type, pattern, axisSizes(withoutNames(kw, 'pattern')), site, ctx);
});

defineFunction(['einops.repeat'], (args, kw, site, ctx) => {
  const x = args[0];
  const pattern = patternOf(args, kw, 1);
  if (x?.kind !== 'tensor' || !pattern) return x?.kind === 'tensor' ? unknownOf(x.type) : UNKNOWN;
  return repeatValue(x.type, pattern, axisSizes(withoutNames(kw, 'pattern')), site, ctx);
});

defineFunction(['einops.reduce'], (args, kw, site, ctx) => {
  const x = args[0];
  const pattern = patternOf(args, kw, 1);
  const reduction = strOf(args[2] ?? kw.get('reduction'));
  // A callable reduction is user code we do not see: unknown, not a guess.
  if (x?.kind !== 'tensor' || !pattern || !reduction) return x?.kind === 'tensor' ? unknownOf(x.type) : UNKNOWN;
  return reduceValue(x.type, pattern, reduction, axisSizes(withoutNames(kw, 'pattern', 'reduction')), site, ctx);
});

const LAYER_ROOTS = ['einops.layers.torch.', 'einops.layers.flax.', 'einops.layers.keras.', 'einops.layers.tensorflow.', 'einops.layers.oneflow.', 'einops.layers.paddle.'];

defineFunction(LAYER_ROOTS.map((r) => `${r}Rearrange`), (args, kw, _site, ctx) => {
  const pattern = patternOf(args, kw, 0);
  const axes = axisSizes(withoutNames(kw, 'pattern'));
  return moduleValue('Rearrange', Poly.ZERO, ctx, (x, _a, _k, site, c) => (pattern ? rearrangeValue(x, pattern, axes, site, c) : unknownOf(x)));
});

defineFunction(LAYER_ROOTS.map((r) => `${r}Reduce`), (args, kw, _site, ctx) => {
  const pattern = patternOf(args, kw, 0);
  const reduction = strOf(args[1] ?? kw.get('reduction'));
  const axes = axisSizes(withoutNames(kw, 'pattern', 'reduction'));
  return moduleValue('Reduce', Poly.ZERO, ctx, (x, _a, _k, site, c) => (pattern && reduction ? reduceValue(x, pattern, reduction, axes, site, c) : unknownOf(x)));
});
