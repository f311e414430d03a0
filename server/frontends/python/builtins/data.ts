/**
 * How batches reach a model in real training scripts (nanoGPT's `get_batch`): a token file mapped
 * with `np.memmap`, windows sliced from it, converted with `torch.from_numpy` and stacked. Each
 * keeps the shape it was given, so the batch a script builds reaches the model with its sizes.
 */
import { Poly } from '../../../core/symbolic';
import { UNKNOWN, tensor } from '../values';
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
defineMethod(['item'], () => ({ kind: 'float', value: null }));
defineMethod(['tolist'], () => UNKNOWN);

// `torch.randperm(n)`: a permutation of n indices (shuffling a data set).
defineFunction(['torch.randperm', 'numpy.random.permutation'], (args) => {
  const n = args[0]?.kind === 'int' ? args[0].value : undefined;
  return n ? tensor({ shape: [n], dtype: 'int64' }) : tensor({ shape: null, dtype: 'int64' });
});
