/**
 * NumPy's random Generator (`rng = np.random.default_rng(0)`), the way NumPy's own documentation
 * now tells people to draw random arrays: `rng.standard_normal((n, 512))`, `rng.integers(0, 10,
 * size=n)`. The generator is a reference whose methods resolve to the handlers below, so the
 * arrays a script draws keep their shapes and every op downstream has sizes. Drawing costs no
 * modelled FLOPs, as for `np.random.randn`.
 */
import { DType } from '../../../core/dtypes';
import { Poly } from '../../../core/symbolic';
import { UNKNOWN, Value, tensor } from '../values';
import { dimsFrom, dtypeOf } from './args';
import { defineFunction } from './registry';

const GENERATOR = 'numpy.random.Generator';

// `np.random.default_rng(seed)` and `np.random.Generator(np.random.PCG64(seed))`.
defineFunction(['numpy.random.default_rng', GENERATOR], () => ({ kind: 'ref', path: GENERATOR }));

/**
 * An array of `size` (an int or a shape tuple), or a Python scalar when `size` is absent or None
 * (NumPy returns a float or an int then, not an array).
 */
function draw(size: Value | undefined, dtype: DType): Value {
  if (!size || size.kind === 'none') return dtype === 'int64' ? UNKNOWN : { kind: 'float', value: null };
  return tensor({ shape: dimsFrom([size]), dtype });
}

// standard_normal(size=None, dtype=np.float64) and random(size=None, dtype=np.float64): float32
// or float64 only.
for (const m of ['standard_normal', 'random']) {
  defineFunction([`${GENERATOR}.${m}`], (args, kw) => draw(kw.get('size') ?? args[0], dtypeOf(kw.get('dtype') ?? args[1]) ?? 'fp64'));
}
// normal(loc=0.0, scale=1.0, size=None), uniform(low=0.0, high=1.0, size=None): float64.
for (const m of ['normal', 'uniform']) {
  defineFunction([`${GENERATOR}.${m}`], (args, kw) => draw(kw.get('size') ?? args[2], 'fp64'));
}
// integers(low, high=None, size=None, dtype=np.int64, endpoint=False).
defineFunction([`${GENERATOR}.integers`], (args, kw) => draw(kw.get('size') ?? args[2], dtypeOf(kw.get('dtype') ?? args[3]) ?? 'int64'));
// permutation(n): a shuffled arange(n), int64 (an array argument keeps its own shape and dtype).
defineFunction([`${GENERATOR}.permutation`], (args) => {
  const x = args[0];
  if (x?.kind === 'tensor') return tensor(x.type);
  return x?.kind === 'int' ? tensor({ shape: [x.value as Poly], dtype: 'int64' }) : tensor({ shape: null, dtype: 'int64' });
});
