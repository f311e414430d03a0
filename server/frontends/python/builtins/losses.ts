/**
 * Elementwise losses (`nn.MSELoss()`, `F.binary_cross_entropy`, ...): a few arithmetic operations
 * per element of the prediction, both operands read once, a scalar (or the elementwise loss with
 * `reduction='none'`) written. Counted as other FLOPs, as every non-GEMM op is.
 */
import { TensorType } from '../../../core/ir';
import { tensorBytes } from '../../../core/ops/types';
import { Poly, product } from '../../../core/symbolic';
import { CallSite, UNKNOWN, Value } from '../values';
import { moduleValue } from './modules';
import { BuiltinCtx, defineFunction } from './registry';

/** Arithmetic per element, roughly: a difference and a square, a log or two and products. */
const PER_ELEMENT: Record<string, number> = { mse: 3, l1: 3, smooth_l1: 5, huber: 5, bce: 6, bce_logits: 8, kl_div: 4 };

function loss(name: string, x: TensorType, t: TensorType | undefined, reduction: string | undefined, site: CallSite, ctx: BuiltinCtx): Value {
  if (!x.shape) return ctx.record({ kind: 'elementwise', output: { shape: null, dtype: x.dtype }, cost: { flops: Poly.ZERO, otherFlops: Poly.ZERO, bytes: Poly.ZERO, unknown: true }, attrs: {} }, site, [x]);
  const dtype = x.dtype ?? ctx.opContext().dtype;
  const n = product(x.shape);
  const none = reduction === 'none';
  const bytes = tensorBytes(x.shape, dtype).scale(none ? 3 : 2);
  return ctx.record(
    { kind: 'elementwise', output: { shape: none ? x.shape : [], dtype: x.dtype }, cost: { flops: Poly.ZERO, otherFlops: n.scale(PER_ELEMENT[name]), bytes }, attrs: {} },
    site,
    t ? [x, t] : [x],
  );
}

const str = (v: Value | undefined) => (v?.kind === 'str' ? v.value : undefined);
const MODULES: [string, string][] = [['MSELoss', 'mse'], ['L1Loss', 'l1'], ['SmoothL1Loss', 'smooth_l1'], ['HuberLoss', 'huber'], ['BCELoss', 'bce'], ['BCEWithLogitsLoss', 'bce_logits'], ['KLDivLoss', 'kl_div']];
const FUNCTIONS: [string, string][] = [['mse_loss', 'mse'], ['l1_loss', 'l1'], ['smooth_l1_loss', 'smooth_l1'], ['huber_loss', 'huber'], ['binary_cross_entropy', 'bce'], ['binary_cross_entropy_with_logits', 'bce_logits'], ['kl_div', 'kl_div']];

for (const [cls, name] of MODULES) {
  defineFunction([`torch.nn.${cls}`], (_args, kw, _site, ctx) => {
    const reduction = str(kw.get('reduction'));
    return moduleValue(cls, Poly.ZERO, ctx, (x, args, k, site, c) => {
      const t = args[0] ?? k.get('target');
      return loss(name, x, t?.kind === 'tensor' ? t.type : undefined, reduction, site, c);
    });
  });
}
for (const [fn, name] of FUNCTIONS) {
  defineFunction([`torch.nn.functional.${fn}`], (args, kw, site, ctx) => {
    const x = args[0] ?? kw.get('input');
    const t = args[1] ?? kw.get('target');
    return x?.kind === 'tensor' ? loss(name, x.type, t?.kind === 'tensor' ? t.type : undefined, str(kw.get('reduction')), site, ctx) : UNKNOWN;
  });
}
