/**
 * The attributes PyTorch's layer constructors set (`linear.weight`, `conv.out_channels`,
 * `embedding.weight`...), as far as shapes go: code reads them (`x @ self.token_embedding.weight.T`
 * in Whisper's decoder, `F.linear(x, self.weight.to(x.dtype))` in a subclass of `nn.Linear`).
 * Importing this module wraps the constructors of modules.ts so that the module values they make
 * carry these attributes; a conv layer also keeps its geometry, for `_conv_forward(x, w, b)`.
 */
import { Dim } from '../../../core/ir';
import { ConvGeometry } from '../../../core/ops/conv';
import { NONE, Value, asDim, int, tensor } from '../values';
import { boolOf, dimTupleOf, pick } from './args';
import { convGeometry } from './nnFunctional';
import { FUNCTIONS } from './registry';

/** The geometry of each conv layer value (stride, padding...), for hooks that convolve by hand. */
export const CONV_GEOMETRY = new WeakMap<object, ConvGeometry>();

function layerAttributes(cls: string, args: Value[], kw: Map<string, Value>, layer: object): Map<string, Value> {
  const out = new Map<string, Value>();
  const dim = (i: number, name: string): Dim | undefined => asDim(pick(args, kw, i, name));
  const dt = kw.get('dtype');
  const dtype = dt?.kind === 'dtype' ? dt.dtype : null;
  const weight = (shape: Dim[]) => tensor({ shape, dtype });
  if (cls === 'Linear') {
    const [i, o] = [dim(0, 'in_features'), dim(1, 'out_features')];
    if (!i || !o) return out;
    out.set('in_features', int(i)).set('out_features', int(o)).set('weight', weight([o, i]));
    out.set('bias', boolOf(pick(args, kw, 2, 'bias'), true) ? weight([o]) : NONE);
  } else if (/^Conv[123]d$/.test(cls)) {
    const nd = Number(cls[4]);
    const [i, o] = [dim(0, 'in_channels'), dim(1, 'out_channels')];
    const k = dimTupleOf(pick(args, kw, 2, 'kernel_size'));
    if (!i || !o || !k) return out;
    const kernel = Array.from({ length: nd }, (_, j) => k[k.length === 1 ? 0 : j] ?? k[0]);
    const g = convGeometry({ stride: pick(args, kw, 3, 'stride'), padding: pick(args, kw, 4, 'padding'), dilation: pick(args, kw, 5, 'dilation'), groups: pick(args, kw, 6, 'groups') }, boolOf(pick(args, kw, 7, 'bias'), true));
    out.set('in_channels', int(i)).set('out_channels', int(o)).set('weight', weight([o, i.floordiv(g.groups), ...kernel]));
    out.set('bias', g.bias ? weight([o]) : NONE);
    CONV_GEOMETRY.set(layer, g);
  } else if (cls === 'Embedding') {
    const [n, d] = [dim(0, 'num_embeddings'), dim(1, 'embedding_dim')];
    if (n && d) out.set('num_embeddings', int(n)).set('embedding_dim', int(d)).set('weight', weight([n, d]));
  } else if (cls === 'LayerNorm' || cls === 'RMSNorm') {
    const ns = dimTupleOf(pick(args, kw, 0, 'normalized_shape'));
    if (ns && boolOf(pick(args, kw, 2, 'elementwise_affine'), true)) {
      out.set('weight', weight(ns));
      out.set('bias', cls === 'LayerNorm' && boolOf(pick(args, kw, 3, 'bias'), true) ? weight(ns) : NONE);
    }
  }
  return out;
}

for (const cls of ['Linear', 'Conv1d', 'Conv2d', 'Conv3d', 'Embedding', 'LayerNorm', 'RMSNorm']) {
  const name = `torch.nn.${cls}`;
  const make = FUNCTIONS.get(name);
  if (!make) continue;
  FUNCTIONS.set(name, (args, kw, site, ctx) => {
    const layer = make(args, kw, site, ctx);
    if (layer.kind === 'module') layer.attrs = layerAttributes(cls, args, kw, layer);
    return layer;
  });
}
