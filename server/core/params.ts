/**
 * Trainable-parameter counts of the standard `torch.nn` modules (and Megatron's parallel
 * linears, counted whole), as symbolic polynomials in their constructor arguments. Data parallel
 * training synchronises one gradient per parameter, so these counts size the all-reduce.
 *
 * Counts follow PyTorch's constructors: Linear has `in·out` weights plus `out` biases unless
 * `bias=False`; LayerNorm has a weight and (since 2.1, unless `bias=False`) a bias per element;
 * MultiheadAttention has the packed `in_proj` (3E×E, 3E) and `out_proj` (E×E, E).
 */
import { Poly, product } from './symbolic';

/** A constructor argument as the frontend could evaluate it. */
export type ParamArg = Poly | boolean | Poly[] | undefined;

export interface ModuleArgs {
  positional: ParamArg[];
  keywords: Map<string, ParamArg>;
}

export interface ModuleParams {
  params: Poly;
  /** Parameter tensors (weights and biases), for one-message-per-tensor synchronisation. */
  tensors: number;
  /** Size of the `weight` tensor, for weight tying (`lm_head.weight = wte.weight`). */
  weight?: Poly;
}

function get(a: ModuleArgs, index: number, name: string): ParamArg {
  return a.keywords.has(name) ? a.keywords.get(name) : a.positional[index];
}

function dim(v: ParamArg): Poly | undefined {
  if (v instanceof Poly) return v;
  if (Array.isArray(v)) return product(v);
  return undefined;
}

/** A boolean flag; anything not literally False counts as its default (true). */
function flag(v: ParamArg, dflt = true): boolean {
  return typeof v === 'boolean' ? v : dflt;
}

function kernel(v: ParamArg, spatialDims: number): Poly | undefined {
  if (v instanceof Poly) return v.pow(spatialDims);
  if (Array.isArray(v)) return product(v);
  return undefined;
}

function withBias(weight: Poly, bias: Poly | null): ModuleParams {
  return { params: bias ? weight.add(bias) : weight, tensors: bias ? 2 : 1, weight };
}

type Formula = (a: ModuleArgs) => ModuleParams | undefined;

const linear: Formula = (a) => {
  const i = dim(get(a, 0, 'in_features') ?? get(a, 0, 'input_size'));
  const o = dim(get(a, 1, 'out_features') ?? get(a, 1, 'output_size'));
  if (!i || !o) return undefined;
  return withBias(i.mul(o), flag(get(a, 2, 'bias')) ? o : null);
};

const conv = (spatial: number, transposed: boolean): Formula => (a) => {
  const cin = dim(get(a, 0, 'in_channels'));
  const cout = dim(get(a, 1, 'out_channels'));
  const k = kernel(get(a, 2, 'kernel_size'), spatial);
  if (!cin || !cout || !k) return undefined;
  const groups = dim(get(a, 6, 'groups')) ?? Poly.ONE;
  const weight = transposed ? cin.mul(cout.div(groups)).mul(k) : cout.mul(cin.div(groups)).mul(k);
  return withBias(weight, flag(get(a, 7, 'bias')) ? cout : null);
};

const norm = (hasBiasFlag: boolean): Formula => (a) => {
  const d = dim(get(a, 0, 'normalized_shape'));
  if (!d) return undefined;
  if (!flag(get(a, 2, 'elementwise_affine'))) return { params: Poly.ZERO, tensors: 0 };
  return withBias(d, hasBiasFlag && flag(a.keywords.get('bias')) ? d : null);
};

const affineChannels = (index: number, name: string, affineKey: string): Formula => (a) => {
  const c = dim(get(a, index, name));
  if (!c) return undefined;
  if (!flag(a.keywords.get(affineKey))) return { params: Poly.ZERO, tensors: 0 };
  return withBias(c, c);
};

/**
 * `nn.LSTM` / `nn.GRU` / `nn.RNN`: per layer and direction, `gates·H·(in + H)` weights and, with
 * bias, two bias vectors of `gates·H`; layers after the first read `D·H` features. The number of
 * layers must be known (it is a count of tensors too).
 */
const recurrent = (gates: number, biasIndex: number): Formula => (a) => {
  const i = dim(get(a, 0, 'input_size'));
  const h = dim(get(a, 1, 'hidden_size'));
  const layersArg = get(a, 2, 'num_layers');
  const layers = layersArg === undefined ? Poly.ONE : layersArg instanceof Poly ? layersArg : undefined;
  if (!i || !h || !layers) return undefined;
  const dirs = get(a, biasIndex + 3, 'bidirectional') === true ? 2 : 1;
  const bias = flag(get(a, biasIndex, 'bias'));
  const layer = (input: Poly) => {
    const weights = input.add(h).mul(h).scale(gates);
    return (bias ? weights.add(h.scale(2 * gates)) : weights).scale(dirs);
  };
  // The first layer reads the input; the other `layers − 1` read both directions' states.
  const params = layer(i).add(layers.sub(Poly.ONE).mul(layer(h.scale(dirs))));
  return { params, tensors: (layers.constValue() ?? 1) * dirs * (bias ? 4 : 2) };
};

const FORMULAS: Record<string, Formula> = {
  LSTM: recurrent(4, 3),
  GRU: recurrent(3, 3),
  // nn.RNN takes `nonlinearity` before `bias`.
  RNN: recurrent(1, 4),
  Linear: linear,
  LazyLinear: () => undefined,
  ColumnParallelLinear: linear,
  RowParallelLinear: linear,
  Bilinear: (a) => {
    const i1 = dim(get(a, 0, 'in1_features'));
    const i2 = dim(get(a, 1, 'in2_features'));
    const o = dim(get(a, 2, 'out_features'));
    if (!i1 || !i2 || !o) return undefined;
    return withBias(i1.mul(i2).mul(o), flag(get(a, 3, 'bias')) ? o : null);
  },
  Embedding: (a) => {
    const n = dim(get(a, 0, 'num_embeddings'));
    const d = dim(get(a, 1, 'embedding_dim'));
    return n && d ? { params: n.mul(d), tensors: 1, weight: n.mul(d) } : undefined;
  },
  VocabParallelEmbedding: (a) => FORMULAS.Embedding(a),
  Conv1d: conv(1, false),
  Conv2d: conv(2, false),
  Conv3d: conv(3, false),
  ConvTranspose1d: conv(1, true),
  ConvTranspose2d: conv(2, true),
  ConvTranspose3d: conv(3, true),
  LayerNorm: norm(true),
  RMSNorm: norm(false),
  BatchNorm1d: affineChannels(0, 'num_features', 'affine'),
  BatchNorm2d: affineChannels(0, 'num_features', 'affine'),
  BatchNorm3d: affineChannels(0, 'num_features', 'affine'),
  GroupNorm: affineChannels(1, 'num_channels', 'affine'),
  MultiheadAttention: (a) => {
    const e = dim(get(a, 0, 'embed_dim'));
    if (!e) return undefined;
    const w = e.mul(e).scale(4);
    return flag(a.keywords.get('bias')) ? { params: w.add(e.scale(4)), tensors: 4 } : { params: w, tensors: 2 };
  },
};

/**
 * Modules with no parameters: calling them costs FLOPs but synchronises nothing. Besides torch.nn's
 * own, einops' `Rearrange`/`Reduce` layers and timm's `DropPath`, which model code holds as fields
 * (a class whose count missed them said so, `uncounted` in distributedParams.ts).
 */
const PARAMETERLESS = /^(Dropout\d?d?|AlphaDropout|FeatureAlphaDropout|ReLU6?|GELU|SiLU|Tanh|Sigmoid|Softmax2?d?|LogSoftmax|Softmin|Identity|Flatten|Unflatten|MaxPool\dd|AvgPool\dd|AdaptiveAvgPool\dd|AdaptiveMaxPool\dd|LPPool\dd|MaxUnpool\dd|Upsample|UpsamplingNearest2d|UpsamplingBilinear2d|CrossEntropyLoss|MSELoss|NLLLoss|L1Loss|BCELoss|BCEWithLogitsLoss|Mish|LeakyReLU|ELU|SELU|CELU|GLU|Softplus|Softsign|Hardswish|Hardtanh|Hardsigmoid|Tanhshrink|Softshrink|Hardshrink|Threshold|(Reflection|Replication|Zero|Constant|Circular)Pad\dd|PixelShuffle|PixelUnshuffle|ChannelShuffle|Fold|Unfold|CosineSimilarity|PairwiseDistance|Rearrange|Reduce|DropPath)$/;

/** Parameters of `torch.nn.<cls>(...)` (the last component of the dotted name), if known. */
export function moduleParams(cls: string, args: ModuleArgs): ModuleParams | undefined {
  if (PARAMETERLESS.test(cls)) return { params: Poly.ZERO, tensors: 0 };
  const f = FORMULAS[cls];
  return f ? f(args) : undefined;
}

export function isKnownModule(cls: string): boolean {
  return PARAMETERLESS.test(cls) || cls in FORMULAS;
}
