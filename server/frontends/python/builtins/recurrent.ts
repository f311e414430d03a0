/**
 * `nn.LSTM`, `nn.GRU`, `nn.RNN`: each layer and direction is recorded as the ops cuDNN runs.
 * - The input projection of every step at once: a linear over the T·B rows, to gates·H features.
 * - The recurrent projection: T sequential GEMMs of (B × H) by (H × gates·H). It is recorded as a
 *   batched matmul over T, so that its bytes read the weight once per step, as the steps do.
 * - The gates' nonlinearities (sigmoid, tanh) over the gates, and the state update over H.
 * Input `(T, B, in)`, or `(B, T, in)` with `batch_first=True`; the output is `(…, D·H)` with D = 2
 * when bidirectional, and the final states `(L·D, B, H)`. FLOPs are the two GEMMs' 2·m·n·k, as
 * PyTorch's CPU kernels run them as matmuls; the gates and the state update are `otherFlops`.
 */
import { Dim, TensorType } from '../../../core/ir';
import { activation, elementwise, ACTIVATION_FLOPS } from '../../../core/ops/elementwise';
import { linear } from '../../../core/ops/linear';
import { matmul } from '../../../core/ops/matmul';
import { unknownResult } from '../../../core/ops/types';
import { Poly } from '../../../core/symbolic';
import { CallSite, Value, asDim, tensor } from '../values';
import { boolOf, pick, strOf } from './args';
import { moduleValue } from './modules';
import { BuiltinCtx, defineFunction } from './registry';

interface Cell {
  /** Gate blocks of H the projections produce (LSTM 4, GRU 3, RNN 1). */
  gates: number;
  /** The nonlinearity applied over the gates, and FLOPs per H element of the state update. */
  gateActivation: (kw: Map<string, Value>, args: Value[]) => string;
  update: number;
  /** Whether the module also returns a cell state (LSTM's `c_n`). */
  cellState: boolean;
}

const CELLS: Record<string, Cell> = {
  // c = f·c + i·g, h = o·tanh(c): 3 multiply-adds and a tanh per element.
  LSTM: { gates: 4, gateActivation: () => 'sigmoid', update: 3 + ACTIVATION_FLOPS.tanh, cellState: true },
  // h = (1 − z)·n + z·h, with n = tanh(...) over the third block: 3 per element.
  GRU: { gates: 3, gateActivation: () => 'sigmoid', update: 3 + ACTIVATION_FLOPS.tanh, cellState: false },
  // h = tanh(...) or relu(...): the gate is the state.
  RNN: { gates: 1, gateActivation: (kw, args) => strOf(pick(args, kw, 3, 'nonlinearity')) ?? 'tanh', update: 0, cellState: false },
};

for (const [cls, cell] of Object.entries(CELLS)) {
  defineFunction([`torch.nn.${cls}`], (args, kw, _site, ctx) => {
    const inSize = asDim(pick(args, kw, 0, 'input_size')) ?? Poly.sym(ctx.fresh());
    const hidden = asDim(pick(args, kw, 1, 'hidden_size')) ?? Poly.sym(ctx.fresh());
    // nn.RNN takes `nonlinearity` before `bias`: (input_size, hidden_size, num_layers, nonlinearity, bias, batch_first, ...).
    const off = cls === 'RNN' ? 1 : 0;
    const layers = asDim(pick(args, kw, 2, 'num_layers'))?.constValue() ?? 1;
    const bias = boolOf(pick(args, kw, 3 + off, 'bias'), true);
    const batchFirst = boolOf(pick(args, kw, 4 + off, 'batch_first'), false);
    const dirs = boolOf(pick(args, kw, 6 + off, 'bidirectional'), false) ? 2 : 1;
    const g = Poly.const(cell.gates);
    let params = Poly.ZERO;
    for (let l = 0; l < layers; l++) {
      const input = l === 0 ? inSize : hidden.scale(dirs);
      const one = g.mul(hidden).mul(input).add(g.mul(hidden).mul(hidden)).add(bias ? g.mul(hidden).scale(2) : Poly.ZERO);
      params = params.add(one.scale(dirs));
    }
    const activationName = cell.gateActivation(kw, args);
    return moduleValue(cls, params, ctx, (x, _a, _k, site, c) => run(x, { cls, cell, activationName, inSize, hidden, layers, bias, batchFirst, dirs }, site, c));
  });
}

interface Config {
  cls: string;
  cell: Cell;
  activationName: string;
  inSize: Dim;
  hidden: Dim;
  layers: number;
  bias: boolean;
  batchFirst: boolean;
  dirs: number;
}

function run(x: TensorType, m: Config, site: CallSite, c: BuiltinCtx): Value {
  const shape = x.shape;
  if (!shape || (shape.length !== 2 && shape.length !== 3)) {
    // An input of unknown shape (a forward analysed without its caller) or of a rank the module
    // rejects: the module's work is recorded as an op of unknown cost, so that the function says
    // it is incomplete rather than showing 0 FLOPs, and its outputs stay tensors of unknown shape.
    const error = shape ? `nn.${m.cls}: input of rank ${shape.length}; expected (T, in) or (T, B, in)` : undefined;
    const out = c.record(unknownResult('linear', x.dtype, error), site, [x]);
    const state = tensor({ shape: null, dtype: x.dtype });
    return { kind: 'tuple', items: [out, m.cell.cellState ? { kind: 'tuple', items: [state, state] } : state] };
  }
  // Unbatched input is (T, in); batched (T, B, in) or (B, T, in).
  const batched = shape.length === 3;
  const steps = batched && m.batchFirst ? shape[1] : shape[0];
  const batch = batched ? (m.batchFirst ? shape[0] : shape[1]) : Poly.ONE;
  const dtype = x.dtype;
  const ctxFor = () => c.opContext(dtype);
  const gatesH = m.hidden.scale(m.cell.gates);
  let input: TensorType = { shape: [steps, batch, shape[shape.length - 1]], dtype };
  for (let l = 0; l < m.layers; l++) {
    for (let d = 0; d < m.dirs; d++) {
      // Every step's input projection at once.
      c.record(linear(input, [gatesH, l === 0 ? m.inSize : m.hidden.scale(m.dirs)], m.bias, ctxFor()), site, [input]);
      // The recurrence: step t multiplies h(t−1), (B × H), by W_hh, (H × gates·H).
      const h: TensorType = { shape: [steps, batch, m.hidden], dtype };
      const w: TensorType = { shape: [steps, m.hidden, gatesH], dtype };
      c.record(matmul(h, w, ctxFor(), 'bmm'), site, [h]);
      const gates: TensorType = { shape: [steps, batch, gatesH], dtype };
      c.record(activation(gates, m.activationName, ctxFor()), site, [gates]);
      if (m.cell.update > 0) {
        const state: TensorType = { shape: [steps, batch, m.hidden], dtype };
        c.record(elementwise([state], ctxFor(), { flopsPerElement: m.cell.update, kind: 'elementwise', note: `${m.cls} state update: ${m.cell.update} FLOP/element` }), site, [state]);
      }
    }
    input = { shape: [steps, batch, m.hidden.scale(m.dirs)], dtype };
  }
  const out = batched ? (m.batchFirst ? [batch, steps, m.hidden.scale(m.dirs)] : [steps, batch, m.hidden.scale(m.dirs)]) : [steps, m.hidden.scale(m.dirs)];
  const final = batched ? [Poly.const(m.layers * m.dirs), batch, m.hidden] : [Poly.const(m.layers * m.dirs), m.hidden];
  const hN = tensor({ shape: final, dtype });
  return {
    kind: 'tuple',
    items: [tensor({ shape: out, dtype }), m.cell.cellState ? { kind: 'tuple', items: [hN, tensor({ shape: final, dtype })] } : hN],
  };
}
