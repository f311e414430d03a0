/**
 * How batches reach a model in real training scripts (nanoGPT's `get_batch`): a token file mapped
 * with `np.memmap`, windows sliced from it, converted with `torch.from_numpy` and stacked. Each
 * keeps the shape it was given, so the batch a script builds reaches the model with its sizes.
 */
import { Poly } from '../../../core/symbolic';
import { UNKNOWN, Value, tensor } from '../values';
import { uniformValue } from './uniformValues';
import { dtypeOf } from './args';
import { defineFunction, defineMethod } from './registry';

// `np.memmap(path, dtype=np.uint16, mode='r')`: a 1-D array whose length only the file knows.
defineFunction(['numpy.memmap'], (args, kw, _site, ctx) => {
  const shape = kw.get('shape');
  if (shape?.kind === 'tuple') return tensor({ shape: shape.items.map((d) => (d.kind === 'int' ? d.value : Poly.sym(ctx.fresh()))), dtype: dtypeOf(kw.get('dtype') ?? args[1]) ?? 'uint8' });
  return tensor({ shape: [Poly.sym(ctx.fresh())], dtype: dtypeOf(kw.get('dtype') ?? args[1]) ?? 'uint8' });
});

// Views of an array as a tensor, and back: same shape, same dtype, no copy.
defineFunction(['torch.from_numpy', 'torch.utils.dlpack.from_dlpack', 'numpy.ascontiguousarray', 'numpy.asfortranarray'], (args) => (args[0]?.kind === 'tensor' ? tensor(args[0].type) : UNKNOWN));

// `loss.item()`, `x.tolist()`: Python numbers out of a tensor, no work on the device to model.
// An array whose every element the code fixed (uniformValues.ts) gives that number back: one
// value, or a list of it as long as the array.
defineMethod(['item'], (x) => ({ kind: 'float', value: uniformValue(x) ?? null }));
defineMethod(['tolist'], (x) => {
  const v = uniformValue(x);
  if (v === undefined || !x.shape || x.shape.length > 1) return UNKNOWN;
  const number: Value = { kind: 'float', value: v };
  return x.shape.length === 0 ? number : { kind: 'tuple', list: true, items: [number], repeat: x.shape[0] };
});

// `torch.randperm(n)`: a permutation of n indices (shuffling a data set).
defineFunction(['torch.randperm', 'numpy.random.permutation'], (args) => {
  const n = args[0]?.kind === 'int' ? args[0].value : undefined;
  return n ? tensor({ shape: [n], dtype: 'int64' }) : tensor({ shape: null, dtype: 'int64' });
});
