/**
 * `isinstance` on abstract values. Layer specs mix kinds (MobileNet's `cfg = [64, (128, 2), ...]`
 * read with `x if isinstance(x, int) else x[0]`), so the check must be decided where the value's
 * kind is known, and left undecided (null) where it is only guessed: a symbolic int is a size we
 * assumed, an open config object may be a dict subclass or not.
 */
import type { ClassInfo, Value } from './values';

/** Python's own types by the name `DEFAULT_ALIASES` gives them. */
const PY_TYPES = new Set(['int', 'float', 'str', 'bool', 'tuple', 'list', 'dict']);

export function isInstance(obj: Value | undefined, cls: Value | undefined, classes: Map<string, ClassInfo>): boolean | null {
  if (!obj || !cls) return null;
  if (cls.kind === 'tuple') {
    let unsure = false;
    for (const c of cls.items) {
      const r = isInstance(obj, c, classes);
      if (r === true) return true;
      if (r === null) unsure = true;
    }
    return unsure ? null : false;
  }
  if (cls.kind === 'class') return instanceOfClass(obj, cls.cls, classes);
  if (cls.kind !== 'ref') return null;
  if (PY_TYPES.has(cls.path)) return ofPythonType(obj, cls.path);
  const last = cls.path.split('.').pop()!;
  if (/^torch\.(Tensor|FloatTensor|LongTensor)$/.test(cls.path)) return obj.kind === 'tensor' ? true : knownKind(obj) ? false : null;
  if (cls.path.startsWith('torch.nn.')) {
    if (obj.kind === 'module') return last === 'Module' || obj.cls === last;
    if (obj.kind === 'instance') return libraryBaseMatch(obj.cls, last, classes);
    return knownKind(obj) && obj.kind !== 'tuple' ? false : null;
  }
  return null;
}

function ofPythonType(v: Value, type: string): boolean | null {
  switch (v.kind) {
    case 'int':
      // A constant is an int; a symbolic one is a size we assumed, and may be anything.
      if (!v.value.isConst()) return null;
      return type === 'int';
    case 'bool':
      return v.value === null ? null : type === 'bool' || type === 'int';
    case 'float':
      return type === 'float';
    case 'str':
      return type === 'str';
    case 'tuple':
      return type === (v.list ? 'list' : 'tuple');
    case 'dict':
      // An open config object (CfgNode, Namespace) may or may not subclass dict.
      return type === 'dict' ? null : false;
    case 'none':
    case 'tensor':
    case 'module':
    case 'instance':
    case 'function':
    case 'dtype':
    case 'class':
      return false;
    default:
      return null;
  }
}

/** Kinds whose Python type is known well enough to say "not that class". */
function knownKind(v: Value): boolean {
  return v.kind !== 'unknown' && v.kind !== 'dict' && v.kind !== 'ref' && v.kind !== 'method' && !(v.kind === 'int' && !v.value.isConst());
}

function instanceOfClass(obj: Value, target: ClassInfo, classes: Map<string, ClassInfo>): boolean | null {
  if (obj.kind !== 'instance') return knownKind(obj) ? false : null;
  const seen = new Set<ClassInfo>();
  let open = false;
  const visit = (c: ClassInfo): boolean => {
    if (c === target) return true;
    if (seen.has(c)) return false;
    seen.add(c);
    for (const b of c.bases) {
      const base = classes.get(b);
      if (base) {
        if (visit(base)) return true;
      } else if (!/^(object|(torch\.)?(nn\.)?Module|ABC)$/.test(b)) open = true;
    }
    return false;
  };
  if (visit(obj.cls)) return true;
  // A base from a library may be the target's subclass only if the target is not of this file.
  return open && !classes.has(target.name) ? null : false;
}

/** Whether a class of this file derives from the library module `name` (`nn.Linear`). */
function libraryBaseMatch(cls: ClassInfo, name: string, classes: Map<string, ClassInfo>): boolean | null {
  if (name === 'Module') return true;
  const seen = new Set<ClassInfo>();
  let open = false;
  const visit = (c: ClassInfo): boolean => {
    if (seen.has(c)) return false;
    seen.add(c);
    for (const b of c.bases) {
      const base = classes.get(b);
      if (base) {
        if (visit(base)) return true;
      } else if (b.split('.').pop() === name) return true;
      else if (!/^(object|(torch\.)?(nn\.)?Module)$/.test(b)) open = true;
    }
    return false;
  };
  if (visit(cls)) return true;
  return open ? null : false;
}
