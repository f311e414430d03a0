/**
 * Imports of other files of the program (docs/whole-program.md): `from model import GPT` binds
 * `GPT` to the class that `model.py` defines, `import pkg.layers as L` binds `L` to that module.
 * Names of modules outside the program (torch, numpy...) stay references, which the op tables
 * resolve when they are called.
 */
import type { Interpreter } from './interpreter';
import type { Node } from './parser';
import type { ProgramSession } from './session';
import { UNKNOWN, Value } from './values';

/** A module of the program, its file read only when one of its names is. */
function moduleValue(session: ProgramSession, dotted: string, level: number, from: string): Value {
  return {
    kind: 'pymodule',
    name: dotted,
    attribute: (name) => {
      const file = session.resolve(dotted, level, from);
      const own = file ? session.unit(file)?.globals.get(name) : undefined;
      if (own) return own;
      const sub = dotted === '' ? name : `${dotted}.${name}`;
      return session.resolve(sub, level, from) ? moduleValue(session, sub, level, from) : undefined;
    },
  };
}

/**
 * The dotted modules of the program each file imports whole (`import models.convnext`, which binds
 * only `models`): where timm's `create_model('convnext_tiny')` looks for the registered builder.
 */
const IMPORTED = new WeakMap<Interpreter, Set<string>>();

export function importedModules(it: Interpreter): ReadonlySet<string> {
  return IMPORTED.get(it) ?? new Set();
}

/** `..pkg.mod` → level 2, `pkg.mod`. */
function splitRelative(text: string): { level: number; name: string } {
  const m = /^(\.*)(.*)$/.exec(text.replace(/\s+/g, ''))!;
  return { level: m[1].length, name: m[2] };
}

/**
 * Binds the names an import statement of `it`'s file defines, where they come from files of the
 * program. Returns false when the statement imports nothing of the program, for the caller to
 * bind library references as usual.
 */
export function bindImport(it: Interpreter, n: Node, session: ProgramSession, path: string, into: Map<string, Value> = it.globals): boolean {
  if (n.type === 'import_statement') {
    const found: [string, Value][] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'dotted_name') {
        const root = c.text.split('.')[0];
        if (session.resolve(c.text, 0, path) || session.resolve(root, 0, path)) found.push([root, moduleValue(session, root, 0, path)]);
        if (c.text.includes('.') && session.resolve(c.text, 0, path)) {
          if (!IMPORTED.has(it)) IMPORTED.set(it, new Set());
          IMPORTED.get(it)!.add(c.text);
        }
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name')?.text;
        const alias = c.childForFieldName('alias')?.text;
        if (name && alias && session.resolve(name, 0, path)) found.push([alias, moduleValue(session, name, 0, path)]);
      }
    }
    // A statement mixing library and program modules (`import torch, model`) binds both.
    if (found.length === 0) return false;
    for (const [k, v] of found) into.set(k, v);
    const rest = n.namedChildren.filter((c) => c && !found.some(([k]) => k === (c.type === 'aliased_import' ? c.childForFieldName('alias')?.text : c.text.split('.')[0])));
    for (const c of rest) {
      if (c?.type === 'dotted_name') into.set(c.text.split('.')[0], { kind: 'ref', path: c.text.split('.')[0] });
      else if (c?.type === 'aliased_import') {
        const name = c.childForFieldName('name')?.text;
        const alias = c.childForFieldName('alias')?.text;
        if (name && alias) into.set(alias, { kind: 'ref', path: name });
      }
    }
    return true;
  }
  const modNode = n.childForFieldName('module_name');
  if (!modNode) return false;
  const { level, name: mod } = splitRelative(modNode.text);
  const file = session.resolve(mod, level, path);
  const names: [string, string][] = [];
  let wildcard = false;
  for (const c of n.namedChildren) {
    if (!c || c === modNode || c.startIndex === modNode.startIndex) continue;
    if (c.type === 'wildcard_import') wildcard = true;
    else if (c.type === 'dotted_name') names.push([c.text, c.text]);
    else if (c.type === 'aliased_import') {
      const name = c.childForFieldName('name')?.text;
      const alias = c.childForFieldName('alias')?.text;
      if (name && alias) names.push([name, alias]);
    }
  }
  const sub = (name: string) => session.resolve(mod === '' ? name : `${mod}.${name}`, level, path);
  // Neither the module nor any imported name is a file of the program: a library.
  if (!file && level === 0 && !names.some(([name]) => sub(name))) return false;
  const unit = file ? session.unit(file) : undefined;
  if (wildcard && unit) {
    for (const [k, v] of unit.globals) if (!k.startsWith('_')) into.set(k, v);
  }
  for (const [name, alias] of names) {
    const own = unit?.globals.get(name);
    if (own) into.set(alias, own);
    else if (sub(name)) into.set(alias, moduleValue(session, mod === '' ? name : `${mod}.${name}`, level, path));
    // A name the file does not define at top level (made by code the engine cannot follow), or
    // a relative import of a file that is not there: unknown, and calls through it say so.
    else into.set(alias, UNKNOWN);
  }
  return true;
}
