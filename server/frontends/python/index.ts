/**
 * The Python frontend: tree-sitter tree → IR (ops with symbolic costs, function totals,
 * shape findings). Phases, in order: directives and imports, module-level facts, then every
 * function and method analysed on its own with calls followed.
 */
import { FileIR } from '../../core/ir';
import { Settings } from '../../core/settings';
import { Interpreter } from './interpreter';
import { Tree, parsePython } from './parser';
import { readDirectives } from './directives';
import { collectSignals } from './signals';
import { collectDistributedSignals } from './distributed';
import { countClassParams } from './distributedParams';
import { ClassParams } from '../../core/comm/signals';
import './builtins';

/** Classes whose integer defaults are dims users mean (`GPTConfig.n_embd = 768`). */
const CONFIG_CLASS = /config|args|hparams|params|settings|cfg/i;

export interface PythonAnalysis {
  ir: FileIR;
  tree: Tree;
}

export function analysePython(path: string, text: string, settings: Settings, oldTree?: Tree): PythonAnalysis {
  const tree = parsePython(text, oldTree);
  const facts = readDirectives(text);
  const bindings = new Map<string, number>(Object.entries(settings.dims));
  const defaultDtype = facts.defaultDtype ?? settings.defaultDtype;
  const it = new Interpreter(tree.rootNode, { bindings, defaultDtype, text });
  it.declare();
  it.checkComments();
  for (const cls of it.classes.values()) {
    if (!CONFIG_CLASS.test(cls.name)) continue;
    for (const [k, v] of cls.defaults) {
      const n = v.kind === 'int' ? v.value.constValue() : undefined;
      // `vocab_size: int = -1  # defined later by tokenizer` (LLaMA's ModelArgs) is a placeholder,
      // not a size: it must not shadow the value the user binds.
      if (n !== undefined && n > 0) facts.dims.set(k, n);
    }
  }
  for (const [k, v] of facts.dims) bindings.set(k, v);
  it.analyseModule();
  for (const [k, v] of it.globals) {
    const n = v.kind === 'int' ? v.value.constValue() : undefined;
    if (n !== undefined && Number.isFinite(n)) {
      facts.dims.set(k, n);
      bindings.set(k, n);
    }
  }
  for (const [k, v] of facts.directiveDims) bindings.set(k, v);
  it.discoverInstances();
  const functions = it.functions.flatMap((f) => {
    try {
      return [it.analyseFunction(f)];
    } catch {
      // One function the interpreter cannot follow must not cost the file its other results.
      return [];
    }
  });
  const ir: FileIR = {
    path,
    language: 'python',
    ops: it.ops,
    functions,
    findings: it.findings,
    unmodelled: it.unmodelledCalls,
    facts,
    signals: collectSignals(tree.rootNode, text),
  };
  Object.assign(ir.signals, collectDistributedSignals(tree.rootNode, text));
  attachParams(ir, tree, it.classes.size > 0);
  return { ir, tree };
}

/**
 * Trainable parameters per class (issue 7), shown on the hover of the class's methods: the
 * distributed pass already counted them when the file trains in parallel; otherwise count now.
 */
function attachParams(ir: FileIR, tree: Tree, hasClasses: boolean): void {
  if (!hasClasses) return;
  const counted = (ir.signals['dist.params'] as ClassParams[] | undefined) ?? countClassParams(tree.rootNode);
  const byClass = new Map(counted.map((c) => [c.cls, c.params]));
  for (const f of ir.functions) {
    const cls = f.name.includes('.') ? f.name.split('.')[0] : undefined;
    const p = cls ? byClass.get(cls) : undefined;
    if (p && !p.isZero()) f.params ??= p;
  }
}
