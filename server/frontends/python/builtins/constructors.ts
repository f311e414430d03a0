/**
 * Tensor constructors (torch.randn/zeros/ones/empty/rand/full/arange/randint/eye, `*_like`,
 * NumPy and jax.numpy equivalents, jax.random) and dtype conversions (`.half()`, `.bfloat16()`,
 * `.float()`, `.to(...)`, `.type(...)`, `.astype(...)`). Constructors give shapes and dtypes
 * without cost; a conversion that changes the dtype is a copy with its bytes.
 */
import { DTYPE_BYTES, DType } from '../../../core/dtypes';
import { TensorType } from '../../../core/ir';
import { cast } from '../../../core/ops/copy';
import { Poly } from '../../../core/symbolic';
import { markGuessed } from '../guessed';
import { CallSite, NONE, UNKNOWN, Value, asDim, int, itemCounts, tensor } from '../values';
import { dimsFrom, dtypeOf, pick } from './args';
import { BuiltinCtx, defineFunction, defineMethod } from './registry';
import { markUniform } from './uniformValues';

/** A Python number given as an argument (`0`, `0.1`), else undefined. */
function numberOf(v: Value | undefined): number | undefined {
  if (v?.kind === 'float') return v.value ?? undefined;
  return v?.kind === 'int' ? v.value.constValue() : undefined;
}

/** NumPy creates float64 by default; JAX (x64 off) float32; torch the configured default. */
const DEFAULT_DTYPE: Record<string, DType | null> = { torch: null, numpy: 'fp64', jax: 'fp32' };
const libOf = (prefix: string) => prefix.split('.')[0];

function make(shape: Poly[] | null, dtype: DType | null | undefined): Value {
  return tensor({ shape, dtype: dtype ?? null });
}

// torch.zeros(*size, dtype=) or torch.zeros((m, k)); NumPy/JAX take one shape argument.
for (const n of ['randn', 'rand', 'zeros', 'ones', 'empty']) {
  defineFunction([`torch.${n}`], (args, kw) => make(dimsFrom(args.length ? args : [kw.get('size') ?? UNKNOWN]), dtypeOf(kw.get('dtype'))));
}
for (const prefix of ['numpy.', 'jax.numpy.']) {
  for (const n of ['zeros', 'ones', 'empty']) {
    defineFunction([prefix + n], (args, kw) => make(dimsFrom([args[0] ?? kw.get('shape') ?? UNKNOWN]), dtypeOf(args[1] ?? kw.get('dtype')) ?? DEFAULT_DTYPE[libOf(prefix)]));
  }
  defineFunction([prefix + 'full'], (args, kw) => make(dimsFrom([args[0] ?? kw.get('shape') ?? UNKNOWN]), dtypeOf(args[2] ?? kw.get('dtype')) ?? DEFAULT_DTYPE[libOf(prefix)]));
  defineFunction([prefix + 'eye', prefix + 'identity'], (args, kw) => {
    const n = asDim(args[0]);
    return n ? make([n, asDim(args[1] ?? kw.get('M')) ?? n], dtypeOf(kw.get('dtype')) ?? DEFAULT_DTYPE[libOf(prefix)]) : UNKNOWN;
  });
}
defineFunction(['torch.full'], (args, kw) => make(dimsFrom([args[0] ?? kw.get('size') ?? UNKNOWN]), dtypeOf(kw.get('dtype'))));
defineFunction(['torch.eye'], (args, kw) => {
  const n = asDim(args[0]);
  return n ? make([n, asDim(args[1] ?? kw.get('m')) ?? n], dtypeOf(kw.get('dtype'))) : UNKNOWN;
});
defineFunction(['torch.randint'], (args, kw) => {
  // randint(high, size) or randint(low, high, size)
  const size = args.find((a) => a.kind === 'tuple') ?? kw.get('size');
  return make(size ? dimsFrom([size]) : null, dtypeOf(kw.get('dtype')) ?? 'int64');
});
defineFunction(['numpy.random.randn', 'numpy.random.rand'], (args) => make(dimsFrom(args), 'fp64'));
defineFunction(['numpy.random.normal', 'numpy.random.uniform', 'numpy.random.random', 'numpy.random.standard_normal'], (args, kw) => {
  const size = kw.get('size') ?? (args.length === 1 ? args[0] : args[2]);
  return make(size ? dimsFrom([size]) : [], 'fp64');
});
defineFunction(['numpy.random.randint'], (args, kw) => make(dimsFrom([kw.get('size') ?? args[2] ?? UNKNOWN]), 'int64'));
// jax.random.normal(key, shape, dtype) and friends.
defineFunction(['jax.random.normal', 'jax.random.uniform', 'jax.random.truncated_normal'], (args, kw) =>
  make(dimsFrom([args[1] ?? kw.get('shape') ?? UNKNOWN]), dtypeOf(args[2] ?? kw.get('dtype')) ?? 'fp32'),
);

/** `arange(stop)`, `arange(start, stop[, step])`: ceil((stop − start)/step) elements. */
for (const prefix of ['torch.', 'numpy.', 'jax.numpy.']) {
  defineFunction([prefix + 'arange'], (given, kw) => {
    // `torch.arange(start=0, end=half)` (DiT's timestep embedding): keywords as positions.
    const end = kw.get('end') ?? kw.get('stop');
    const args = end ? [given[0] ?? kw.get('start') ?? int(0), end, ...(kw.get('step') ? [kw.get('step')!] : [])] : given;
    const d = args.map(asDim);
    const floats = args.some((a) => a.kind === 'float');
    const dtype = dtypeOf(kw.get('dtype')) ?? (floats ? DEFAULT_DTYPE[libOf(prefix)] ?? null : 'int64');
    // `np.arange(-5, 5, 0.25)` (micrograd's lecture): numbers, some not whole, give a count.
    const nums = args.map((a) => (a.kind === 'float' ? a.value : asDim(a)?.constValue()));
    if (floats && nums.length >= 1 && nums.length <= 3 && nums.every((n) => n !== undefined && Number.isFinite(n))) {
      const [start, stop, step] = nums.length === 1 ? [0, nums[0]!, 1] : [nums[0]!, nums[1]!, nums[2] ?? 1];
      if (step !== 0) return make([Poly.const(Math.max(0, Math.ceil((stop - start) / step)))], dtype);
    }
    if (d.length === 0 || d.some((x) => !x)) return make(null, dtype);
    const [start, stop, step] = d.length === 1 ? [Poly.ZERO, d[0]!, Poly.ONE] : [d[0]!, d[1]!, d[2] ?? Poly.ONE];
    const s = step.constValue();
    return make([s === 1 ? stop.sub(start) : stop.sub(start).ceildiv(step)], dtype);
  });
}

/** `linspace(start, stop, num)` / `logspace`: `num` elements (NumPy's default 50; torch's `steps`). */
for (const prefix of ['torch.', 'numpy.', 'jax.numpy.']) {
  for (const n of ['linspace', 'logspace']) {
    defineFunction([prefix + n], (args, kw) => {
      const given = args[2] ?? kw.get(prefix === 'torch.' ? 'steps' : 'num');
      const num = given ? asDim(given) : prefix === 'torch.' ? undefined : Poly.const(50);
      const dtype = dtypeOf(kw.get('dtype')) ?? (prefix === 'torch.' ? null : DEFAULT_DTYPE[libOf(prefix)]);
      const out = make(num ? [num] : null, dtype);
      // `linspace(0, 0, depth)`: every element is the one end (logspace: base ** it).
      const [a, b] = [args[0] ?? kw.get('start'), args[1] ?? kw.get('end') ?? kw.get('stop')].map(numberOf);
      const base = numberOf(kw.get('base')) ?? 10;
      if (out.kind === 'tensor' && a !== undefined && a === b) markUniform(out.type, n === 'linspace' ? a : base ** a);
      return out;
    });
  }
}

/**
 * `meshgrid(a, b, ...)` (or one list of them): one tensor per input, each of shape
 * (len(a), len(b), ...) with `indexing='ij'`, the first two swapped with `'xy'`. torch defaults
 * to 'ij' and NumPy/JAX to 'xy'. A view in torch; NumPy copies unless `sparse`/`copy=False`, but
 * grids are index tables built once, so no cost is recorded either way.
 */
for (const prefix of ['torch.', 'numpy.', 'jax.numpy.']) {
  defineFunction([prefix + 'meshgrid'], (args, kw) => {
    const inputs = args.length === 1 && args[0]!.kind === 'tuple' ? args[0]!.items : args;
    if (inputs.length === 0 || (args.length === 1 && args[0]!.kind === 'tuple' && args[0]!.repeat)) return UNKNOWN;
    const sizes: Poly[] = [];
    for (const v of inputs) {
      const shape = v.kind === 'tensor' ? v.type.shape : null;
      // Inputs are 1-D (torch also takes 0-D, as one element); anything else is not modelled.
      if (!shape || shape.length > 1) return UNKNOWN;
      sizes.push(shape[0] ?? Poly.ONE);
    }
    const indexing = kw.get('indexing');
    const xy = indexing?.kind === 'str' ? indexing.value === 'xy' : prefix !== 'torch.';
    const sparse = kw.get('sparse');
    if (sparse && !(sparse.kind === 'bool' && sparse.value === false)) return UNKNOWN;
    const shape = xy && sizes.length >= 2 ? [sizes[1]!, sizes[0]!, ...sizes.slice(2)] : sizes;
    return { kind: 'tuple', items: inputs.map((v) => make(shape, v.kind === 'tensor' ? v.type.dtype : null)) };
  });
}

/** `*_like(x, dtype=)` keep x's shape. */
for (const n of ['zeros_like', 'ones_like', 'empty_like', 'randn_like', 'rand_like', 'full_like']) {
  defineFunction([`torch.${n}`, `numpy.${n}`, `jax.numpy.${n}`], (args, kw) => {
    const x = args[0];
    if (x?.kind !== 'tensor') return UNKNOWN;
    return make(x.type.shape, dtypeOf(kw.get('dtype')) ?? x.type.dtype);
  });
}

/** `torch.tensor([..])` / `np.array([..])`: the nesting of literal lists gives the shape. */
defineFunction(['torch.tensor', 'torch.as_tensor', 'numpy.array', 'numpy.asarray', 'jax.numpy.array', 'jax.numpy.asarray'], (args, kw, _site, ctx) => fromData(args[0], dtypeOf(kw.get('dtype')), ctx));

/**
 * `torch.set_default_dtype(torch.bfloat16)` (DeepSeek-V3's `generate.py`) and
 * `torch.set_default_tensor_type(torch.cuda.HalfTensor)` (LLaMA's `Llama.build`): what follows in
 * the run makes its floating tensors, parameters included, in that dtype. A type the analysis
 * cannot read (`original_default_type` restored) gives back the configured default.
 */
defineFunction(['torch.set_default_dtype'], (args, kw, _site, ctx) => {
  const d = dtypeOf(args[0] ?? kw.get('d'));
  ctx.setDefaultDtype?.(d && isFloat(d) ? d : undefined);
  return NONE;
});
defineFunction(['torch.set_default_tensor_type'], (args, kw, _site, ctx) => {
  const t = args[0] ?? kw.get('t');
  const name = t?.kind === 'ref' ? t.path : t?.kind === 'str' ? t.value : '';
  const d = LEGACY[name.replace(/^torch\.(cuda\.)?/, '')];
  ctx.setDefaultDtype?.(d && isFloat(d) ? d : undefined);
  return NONE;
});
const isFloat = (d: DType) => d === 'fp16' || d === 'bf16' || d === 'fp32' || d === 'fp64';

/** `w.element_size()`: bytes per element of its dtype (DeepSeek-V3's `if weight.element_size() > 1`). */
defineMethod(['element_size'], (x, _a, _k, _site, ctx) => int(DTYPE_BYTES[x.dtype ?? ctx.opContext().dtype]));

/**
 * The legacy typed constructors (`torch.FloatTensor(data)`, `torch.LongTensor(2, 3)`, `torch.Tensor`):
 * a list gives the data, as `torch.tensor` of that dtype; sizes give an uninitialised tensor.
 */
const LEGACY: Record<string, DType | null> = { Tensor: null, FloatTensor: 'fp32', DoubleTensor: 'fp64', HalfTensor: 'fp16', BFloat16Tensor: 'bf16', LongTensor: 'int64', IntTensor: 'int32', ShortTensor: 'int16', ByteTensor: 'uint8', CharTensor: 'int8', BoolTensor: 'bool' };
for (const [n, dtype] of Object.entries(LEGACY)) {
  defineFunction([`torch.${n}`, `torch.cuda.${n}`], (args, _kw, _site, ctx) => {
    if (args.length === 1 && (args[0].kind === 'tuple' || args[0].kind === 'tensor')) return fromData(args[0], dtype, ctx);
    return make(args.length ? dimsFrom(args) : [Poly.ZERO], dtype);
  });
}

// `Variable(x, requires_grad=False)`: the pre-0.4 wrapper is the tensor itself (PyTorch-GAN).
defineFunction(['torch.autograd.Variable', 'torch.autograd.variable.Variable'], (args) => (args[0]?.kind === 'tensor' ? args[0] : UNKNOWN));

function fromData(v: Value | undefined, dtype: DType | null | undefined, ctx: BuiltinCtx): Value {
  if (v?.kind === 'tensor') return make(v.type.shape, dtype ?? v.type.dtype);
  const shape: Poly[] = [];
  let cur: Value | undefined = v;
  while (cur?.kind === 'tuple') {
    // A list built in a loop holds each item as often as `repeat` and `counts` say (values.ts);
    // with a trip count nobody knows, so is the list's length: a dim of its own, unknown (shown
    // as `?`), the rank still known (DiT's `timestep_map` indexed by the timesteps).
    shape.push(cur.unknownTrips ? Poly.sym(ctx.fresh()) : itemCounts(cur).reduce((a, b) => a.add(b), Poly.ZERO));
    cur = cur.items[0];
  }
  // A number is a 0-d array; an int that is only a symbol (a constructor's parameter, read as a
  // size until something says otherwise) may as well be a list: its shape is not known.
  const scalar = v?.kind === 'float' || v?.kind === 'bool' || (v?.kind === 'int' && asDim(v)?.constValue() !== undefined);
  // Where the innermost item is not known to be a number, the list may be deeper than it looks:
  // `[tokens]` with `tokens` a list nobody knows (nanochat's `generate`) is (1, n), not (1,). The
  // shape is kept as a guess (guessed.ts), on which no shape error is reported.
  // A list of arrays (`[np.asarray(row) for row in rows]`, nlp-tutorial's batches) stacks them:
  // the arrays' dims follow the list's.
  const inner = cur?.kind === 'tensor' ? cur.type.shape : undefined;
  if (inner) shape.push(...inner);
  const leaf = !cur || cur.kind === 'int' || cur.kind === 'float' || cur.kind === 'bool' || !!inner;
  const out = make(v?.kind === 'tuple' ? shape : scalar ? [] : null, dtype);
  if (v?.kind === 'tuple' && !leaf && out.kind === 'tensor') markGuessed(out.type);
  return out;
}

// ------------------------------------------------------------------ dtype conversions

export function castValue(x: TensorType, to: DType | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!to) return tensor(x);
  const from = x.dtype ?? ctx.opContext().dtype;
  if (from === to || !x.shape) return tensor({ ...x, dtype: to });
  return ctx.record(cast(x, to, ctx.opContext(x.dtype)), site, [x]);
}

const METHOD_DTYPES: Record<string, DType> = { half: 'fp16', bfloat16: 'bf16', float: 'fp32', double: 'fp64', long: 'int64', int: 'int32', short: 'int16', bool: 'bool', byte: 'uint8', char: 'int8' };
for (const [m, d] of Object.entries(METHOD_DTYPES)) defineMethod([m], (x, _a, _k, site, ctx) => castValue(x, d, site, ctx));

/** `.to(dtype)`, `.to(device)`, `.to(device, dtype)`, `.to(dtype=...)`, `.to(other_tensor)`. */
defineMethod(['to'], (x, args, kw, site, ctx) => {
  let to = dtypeOf(kw.get('dtype'));
  for (const a of args) {
    if (to) break;
    if (a.kind === 'tensor') to = a.type.dtype ?? undefined;
    else to = dtypeOf(a);
  }
  return castValue(x, to, site, ctx);
});
defineMethod(['type', 'astype', 'type_as'], (x, args, kw, site, ctx) => {
  const a = pick(args, kw, 0, 'dtype');
  if (!a) return tensor(x);
  return castValue(x, a.kind === 'tensor' ? a.type.dtype ?? undefined : dtypeOf(a), site, ctx);
});

/**
 * `np.frombuffer(f.read(), dtype=np.int32)`, `np.fromfile(path, dtype=...)`: a 1-D array whose
 * length the file decides (a dim of its own, unknown: `?`). llm.c's data loader slices it into
 * `B·T + 1` tokens and views them as (B, T); of unknown rank, every op after it was unknown.
 */
defineFunction(['numpy.frombuffer', 'numpy.fromfile'], (args, kw, _site, ctx) => {
  const count = asDim(kw.get('count') ?? args[2]);
  const n = count && count.constValue() !== -1 ? count : Poly.sym(ctx.fresh());
  return make([n], dtypeOf(kw.get('dtype') ?? args[1]) ?? 'fp64');
});
