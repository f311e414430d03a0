/**
 * Classes of the user's file that derive from a `torch.nn` layer (`class Linear(nn.Linear)` in
 * Whisper, casting its weight to the input's dtype before `F.linear`). Constructing one builds the
 * library layer from the constructor's arguments and gives the object the attributes PyTorch's
 * constructor gives it (`self.weight`, `self.bias`, `self.in_features`...), so an overriding
 * `forward` written against them is costed; `super().forward(x)` and `super()._conv_forward(x,
 * w, b)` run the library's own computation, and a class that overrides neither runs the layer.
 */
import { Poly } from '../../core/symbolic';
import { FUNCTIONS } from './builtins/registry';
import { tensorArg } from './builtins/args';
import { CONV_GEOMETRY } from './builtins/layerAttributes';
import { convValue } from './builtins/nnFunctional';
import type { Frame, Interpreter } from './interpreter';
import { findMethod } from './interpreter';
import { CallSite, ClassInfo, ModuleCall, NONE, UNKNOWN, Value, touched } from './values';

/** The field holding the library layer an object's class derives from (never a Python name). */
export const LIBRARY_LAYER = '<library layer>';

/** Module containers a class may derive from: its objects hold their members as a list. */
const CONTAINERS = new Set(['torch.nn.Sequential', 'torch.nn.ModuleList']);

/** The members of an object whose class derives from `nn.Sequential` or `nn.ModuleList`, else undefined. */
export function containerMembers(v: Value): Value | undefined {
  const list = v.kind === 'instance' ? v.fields.get(LIBRARY_LAYER) : undefined;
  return list?.kind === 'tuple' ? list : undefined;
}

/** The canonical name of the first `torch.nn` base of a class, through the file's own bases. */
export function libraryBase(cls: ClassInfo, it: Interpreter, frame: Frame, seen?: Set<ClassInfo>): string | undefined {
  if (seen) {
    if (seen.has(cls)) return undefined;
    seen.add(cls);
  }
  for (const b of cls.bases) {
    const own = it.classOf(b);
    if (own) {
      // The set of classes met is made only for a class of the file's own bases (most have none).
      const found = libraryBase(own, it, frame, (seen ??= new Set([cls])));
      if (found) return found;
      continue;
    }
    // `nn.Module`, `torch.nn.Module`: a dotted name ending in `.Module` gives a path ending in
    // `.Module`, which is no layer, whatever its head names (every model class of a file, on every
    // `super().__init__()`).
    if (b.endsWith('.Module')) continue;
    const [head, ...rest] = b.split('.');
    const root = it.lookup(head, frame);
    if (root.kind !== 'ref') continue;
    const path = [root.path, ...rest].join('.');
    if (path.startsWith('torch.nn.') && !/\.Module$/.test(path) && (FUNCTIONS.has(path) || CONTAINERS.has(path))) return path;
  }
  return undefined;
}

/**
 * Builds the library layer `path` with the constructor's arguments on `inst`. Returns false
 * when the layer is not one the engine has a model of.
 */
export function initLibraryLayer(inst: Value, path: string, args: Value[], kwargs: Map<string, Value>, it: Interpreter, frame: Frame, node: CallSite['node']): boolean {
  if (inst.kind !== 'instance') return false;
  if (CONTAINERS.has(path)) {
    // `class TimestepEmbedSequential(nn.Sequential)` built as `TimestepEmbedSequential(*layers)`:
    // the object holds the list the container would, which `for layer in self` walks.
    const list = it.call({ kind: 'ref', path }, args, kwargs, { node, name: path }, frame);
    if (list.kind !== 'tuple') return false;
    touched();
    inst.fields.set(LIBRARY_LAYER, list);
    return true;
  }
  const handler = FUNCTIONS.get(path);
  if (!handler) return false;
  const layer = handler(args, kwargs, { node, name: path }, it.ctx(frame));
  if (layer.kind !== 'module') return false;
  touched();
  inst.fields.set(LIBRARY_LAYER, layer);
  for (const [k, v] of layer.attrs ?? []) inst.fields.set(k, v);
  return true;
}

/**
 * Calling an object of such a class that defines no `forward`: the library layer runs, through
 * the class's own `_conv_forward` when it overrides that hook (as Whisper's `Conv1d` does).
 */
export function callLibraryLayer(inst: Value, args: Value[], kwargs: Map<string, Value>, site: CallSite, it: Interpreter, frame: Frame): Value {
  if (inst.kind !== 'instance') return UNKNOWN;
  const layer = inst.fields.get(LIBRARY_LAYER);
  // A subclass of `nn.Sequential` without a `forward` of its own runs its members in order.
  if (layer?.kind === 'tuple') return it.call(layer, args, kwargs, site, frame);
  if (layer?.kind !== 'module') return UNKNOWN;
  const hook = findMethod(inst.cls, '_conv_forward', it.classes, it);
  if (hook && CONV_GEOMETRY.has(layer)) return it.callFunction(hook, [args[0] ?? UNKNOWN, inst.fields.get('weight') ?? UNKNOWN, inst.fields.get('bias') ?? NONE], new Map(), frame, inst);
  return layer.call(args, kwargs, site, it.ctx(frame));
}

/**
 * `super()` inside a class deriving from a library layer: `__init__` builds the layer on the
 * object, `forward` runs it, `_conv_forward(x, weight, bias)` convolves with the given weight.
 */
export function librarySuper(self: Value, path: string, it: Interpreter, frame: Frame): Value {
  const entries = new Map<string, Value>();
  const fn = (call: ModuleCall): Value => ({ kind: 'module', cls: 'super', params: Poly.ZERO, call });
  entries.set('__init__', fn((args, kwargs, site) => {
    initLibraryLayer(self, path, args, kwargs, it, frame, site.node);
    return NONE;
  }));
  const fields = self.kind === 'instance' ? self.fields : new Map<string, Value>();
  entries.set('forward', fn((args, kwargs, site, ctx) => {
    const layer = fields.get(LIBRARY_LAYER);
    return layer?.kind === 'module' ? layer.call(args, kwargs, site, ctx ?? it.ctx(frame)) : UNKNOWN;
  }));
  entries.set('_conv_forward', fn((args, kwargs, site, ctx) => {
    const layer = fields.get(LIBRARY_LAYER);
    const g = layer && CONV_GEOMETRY.get(layer);
    const w = tensorArg(args, kwargs, 1, 'weight');
    const x = tensorArg(args, kwargs, 0, 'input');
    if (!g || !w?.shape || !x) return UNKNOWN;
    const bias = args[2] ?? kwargs.get('bias');
    return convValue(x, w.shape, { ...g, bias: !!bias && bias.kind !== 'none' }, false, site, ctx ?? it.ctx(frame), [w]);
  }));
  return { kind: 'dict', entries };
}
