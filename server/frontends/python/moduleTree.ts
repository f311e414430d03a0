/**
 * A model as a tree of modules, as `nn.Module.named_children()` walks it: DINOv2's
 * `named_apply(init_weights_vit_timm, self)` recurses over it to initialise weights. Without the
 * tree the recursion met an unknown child and the model's figures said they were incomplete
 * ("recursive call of `named_apply` not followed") for code that computes nothing.
 */
import type { Interpreter } from './interpreter';
import { findMethod } from './interpreter';
import { LIBRARY_LAYER, containerMembers } from './librarySubclass';
import { Poly } from '../../core/symbolic';
import { Value, itemCounts } from './values';

/** Whether a value is a module: a library layer, a module list, or an object of a module class. */
export function isModuleLike(v: Value, it: Interpreter, depth = 0): boolean {
  if (v.kind === 'module') return true;
  if (v.kind === 'instance') return v.fields.has(LIBRARY_LAYER) || !!findMethod(v.cls, 'forward', it.classes, it);
  // `nn.ModuleList([...])`, `nn.Sequential(...)`: a list whose items are modules.
  if (v.kind === 'tuple') return depth < 2 && !v.unknownTrips && v.items.length > 0 && (v.list || v.sequential === true) && v.items.every((x) => isModuleLike(x, it, depth + 1));
  return false;
}

/**
 * `module.named_children()`: (name, child) pairs, each item as often as it occurs (a block list
 * built by a comprehension is one block repeated); undefined where the children are not known.
 */
export function namedChildren(of: Value, it: Interpreter): { items: Value[]; counts: Poly[] } | undefined {
  const pair = (name: string, v: Value): Value => ({ kind: 'tuple', items: [{ kind: 'str', value: name }, v] });
  const members: Extract<Value, { kind: 'tuple' }> | undefined = of.kind === 'instance' ? containerMembers(of) as Extract<Value, { kind: 'tuple' }> | undefined : of.kind === 'tuple' ? of : undefined;
  if (members) {
    if (members.unknownTrips) return undefined;
    return { items: members.items.map((x, i) => pair(String(i), x)), counts: itemCounts(members) };
  }
  if (of.kind === 'module') return { items: (of.children ?? []).map((x, i) => pair(String(i), x)), counts: (of.children ?? []).map(() => Poly.ONE) };
  if (of.kind !== 'instance') return undefined;
  const items: Value[] = [];
  for (const [k, v] of of.fields) if (!k.startsWith('<') && isModuleLike(v, it)) items.push(pair(k, v));
  return { items, counts: items.map(() => Poly.ONE) };
}
