/**
 * The dims as the editor shows them: one name per class of equal dims (core/dimAliases.ts), the
 * values those classes imply, and the figures of the ops they change. The hover, the file's
 * "waiting for dims" information item and the status bar's unbound list read this one view, so
 * they never disagree about which dims are bound. Built once per analysis.
 */
import { CostFigures, evaluateCost } from '../../core/cost/evaluate';
import { DimAliases, dimAliases, NO_ALIASES } from '../../core/dimAliases';
import { TensorOp, TensorType } from '../../core/ir';
import { Bindings, isMadeUpDim, Poly } from '../../core/symbolic';
import { Analysis } from '../../engine/analyze';
import { waitingOps } from '../../engine/contexts';

export interface DimView {
  aliases: DimAliases;
  /** The analysis's bindings plus the values classes of equal dims imply. */
  bindings: Bindings;
  /** Changes whenever the renaming or the implied values do (for caches of formatted text). */
  key: string;
  /** A formula or dim with every name replaced by the one its class is shown under. */
  poly(p: Poly): Poly;
  shape(t: TensorType): Poly[] | null;
  /** Op `i`'s figures under the view's names and bindings (the analysis's own where nothing changes). */
  figures(i: number): CostFigures;
  /** Op `i` with its shapes and costs under the view's names (the op itself when nothing changes). */
  op(i: number): TensorOp;
  /** Op `i`'s figures with some dims given for this request only (the benchmark asks for them). */
  figuresWith(i: number, dims: Readonly<Record<string, number>>): CostFigures;
  /** The renamings that touch op `i`: [name in the code, name shown]. */
  renamedIn(i: number): [string, string][];
  /** The values classes imply for dims of op `i` that nothing binds: [name, value]. */
  impliedIn(i: number): [string, number][];
  /**
   * The dims, as shown, that some op of the file still needs bound; sorted. Not the dims the
   * engine made up for sizes only the run knows: nobody can bind those by name.
   */
  unbound(): string[];
  /** How many ops wait for a dim, and how many have operands of unknown shape. */
  waiting(): { unbound: number; unknownShapes: number };
}

const VIEWS = new WeakMap<Analysis, DimView>();

/** Named dims of an op's shapes and costs, read once per op (ops are reused between analyses). */
const OP_NAMES = new WeakMap<TensorOp, ReadonlySet<string>>();

function opNames(op: TensorOp): ReadonlySet<string> {
  let names = OP_NAMES.get(op);
  if (!names) {
    const s = new Set<string>();
    const add = (p: Poly | undefined) => p && p.freeSymbols().forEach((n) => s.add(n));
    for (const t of [...op.inputs, op.output]) (t.shape ?? []).forEach(add);
    add(op.cost.flops);
    add(op.cost.otherFlops);
    add(op.cost.bytes);
    add(op.repeat);
    OP_NAMES.set(op, (names = s));
  }
  return names;
}

/** An op attribute (GEMM m/k/n, attention lengths...) under the view's names. */
function renameAttr(x: unknown, poly: (p: Poly) => Poly): unknown {
  if (x instanceof Poly) return poly(x);
  if (Array.isArray(x)) return x.map((y) => renameAttr(y, poly));
  return x;
}

export function dimView(a: Analysis): DimView {
  let v = VIEWS.get(a);
  if (!v) VIEWS.set(a, (v = buildView(a)));
  return v;
}

function buildView(a: Analysis): DimView {
  const ops = a.ir.ops;
  // Only ops that wait for a dim can change: the others are bound under any name. A completed
  // analysis knows how many there are (`waitingOps`) without reading every op's figures.
  const waiting = waitingOps(a) ?? a.figures.filter((f) => f.unbound.length > 0).length;
  const aliases = waiting ? dimAliases(ops, a.bindings) : NO_ALIASES;
  const { rename, implied } = aliases;
  const bindings = implied.size ? new Map([...a.bindings, ...implied]) : a.bindings;
  const poly = (p: Poly) => p.rename(rename);
  const touched = (i: number) => a.figures[i].unbound.some((n) => rename.has(n) || implied.has(n));
  const figures = new Map<number, CostFigures>();
  const renamedOps = new Map<number, TensorOp>();
  const evaluate = (op: TensorOp, b: Bindings) => evaluateCost(op.cost, op.dtype, a.device, b, op.repeat);
  const view: DimView = {
    aliases,
    bindings,
    key: JSON.stringify([[...rename], [...implied]]),
    poly,
    shape: (t) => (t.shape ? t.shape.map(poly) : null),
    figures(i) {
      if (!touched(i)) return a.figures[i];
      let f = figures.get(i);
      if (!f) figures.set(i, (f = evaluate(view.op(i), bindings)));
      return f;
    },
    op(i) {
      if (rename.size === 0) return ops[i];
      let op = renamedOps.get(i);
      if (!op) {
        const o = ops[i];
        const type = (t: TensorType): TensorType => ({ ...t, shape: view.shape(t) });
        const cost = { ...o.cost, flops: poly(o.cost.flops), otherFlops: poly(o.cost.otherFlops), bytes: poly(o.cost.bytes), variants: o.cost.variants?.map((x) => ({ ...x, bytes: poly(x.bytes), flops: x.flops && poly(x.flops) })) };
        const attrs = Object.fromEntries(Object.entries(o.attrs).map(([k, x]) => [k, renameAttr(x, poly)]));
        renamedOps.set(i, (op = { ...o, inputs: o.inputs.map(type), output: type(o.output), cost, attrs, repeat: o.repeat && poly(o.repeat) }));
      }
      return op;
    },
    figuresWith(i, dims) {
      const names = Object.keys(dims);
      if (names.length === 0) return view.figures(i);
      return evaluate(view.op(i), new Map([...bindings, ...Object.entries(dims)]));
    },
    renamedIn(i) {
      const names = opNames(ops[i]);
      return [...rename].filter(([from]) => names.has(from));
    },
    impliedIn(i) {
      const names = opNames(ops[i]);
      return [...implied].filter(([name]) => names.has(name) && !rename.has(name));
    },
    unbound() {
      const out = new Set<string>();
      for (let i = 0; i < ops.length; i++) if (a.figures[i].unbound.length) view.figures(i).unbound.forEach((n) => isMadeUpDim(n) || out.add(n));
      return [...out].sort();
    },
    waiting() {
      let unbound = 0;
      let unknownShapes = 0;
      for (let i = 0; i < ops.length; i++) {
        if (ops[i].cost.unknown) unknownShapes++;
        else if (a.figures[i].unbound.length && view.figures(i).unbound.length) unbound++;
      }
      return { unbound, unknownShapes };
    },
  };
  return view;
}
