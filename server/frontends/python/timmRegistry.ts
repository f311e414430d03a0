/**
 * timm's model registry as ConvNeXt's, DeiT's and many ImageNet training scripts use it: builders
 * decorated with `@register_model` in the program's own files, and `create_model(args.model,
 * num_classes=..., drop_path_rate=...)` in `main.py` calling the one of that name. Nothing was
 * built before: the model was an unknown callee, the training loop's total missed it.
 *
 * The builder is looked up by its name among the modules the calling file imports (`import
 * models.convnext`, `from models import convnext`, `import models.convnext as cnx`) and called
 * with the keywords `create_model` was given, as timm does. A name no imported module registers
 * (a model of timm's own zoo) stays an unmodelled call, said so.
 */
import { type Frame, type Interpreter, decoratorsOf } from './interpreter';
import { importedModules } from './imports';
import { CallSite, UNKNOWN, Value } from './values';

/** Whether a function value is a def decorated with timm's `register_model`. */
function registered(v: Value | undefined): boolean {
  return v?.kind === 'function' && decoratorsOf(v.def).some((d) => /\bregister_model\b/.test(d.text));
}

/** The builder named `name` that one of the calling file's program modules registers. */
function findBuilder(name: string, it: Interpreter): Value | undefined {
  const modules: Value[] = [];
  for (const v of it.globals.values()) if (v.kind === 'pymodule') modules.push(v);
  for (const dotted of importedModules(it)) {
    const [root, ...rest] = dotted.split('.');
    let m: Value | undefined = it.globals.get(root);
    for (const part of rest) m = m?.kind === 'pymodule' ? m.attribute(part) : undefined;
    if (m?.kind === 'pymodule') modules.push(m);
  }
  for (const m of modules) {
    const f = m.kind === 'pymodule' ? m.attribute(name) : undefined;
    if (registered(f)) return f;
  }
  return undefined;
}

export function createModel(args: Value[], kwargs: Map<string, Value>, it: Interpreter, frame: Frame, site?: CallSite): Value {
  const name = args[0] ?? kwargs.get('model_name');
  const builder = name?.kind === 'str' ? findBuilder(name.value, it) : undefined;
  if (!site) return UNKNOWN;
  if (!builder) {
    const what = name?.kind === 'str' ? `\`${name.value}\` is registered by no module this file imports` : 'the model name is not known';
    it.ctx(frame).unmodelled({ ...site, name: `timm.create_model (${what})` });
    return UNKNOWN;
  }
  const rest = new Map(kwargs);
  rest.delete('model_name');
  return it.call(builder, args.slice(1), rest, site, frame);
}
