/**
 * yacs's `CfgNode` (Swin Transformer's and Detectron-style `config.py`): a tree of defaults that
 * `get_config(args)` clones and then merges a YAML file into (`config.merge_from_file(args.cfg)`,
 * the file named on the command line). Cloning gives the tree again, so the defaults reach the
 * model builders where nothing is merged. A merge from a file (or from the command line's
 * `opts`) may change any value at run time, which the analysis cannot read: from then on the
 * tree is read at run time (`readAtRun`), each size a dim named after its key (`EMBED_DIM`) for
 * the user to bind and anything else unknown, and the figures say why. Never the defaults as if
 * they were what runs: a figure another file takes from such a run would not say it assumed
 * them. A merge of another config tree the code built is applied.
 */
import { addReason, type Frame, type Interpreter } from './interpreter';
import { CallSite, NONE, UNKNOWN, Value, touched } from './values';
import { readAtRunEntry } from './pybuiltins';

const basename = (p: string) => p.split(/[\\/]/).pop() ?? p;

type DictValue = Extract<Value, { kind: 'dict' }>;

/** A config tree copied: nested trees copied too, as `CfgNode.clone()` deep-copies. */
function cloned(d: DictValue): DictValue {
  const entries = new Map<string, Value>();
  for (const [k, v] of d.entries) entries.set(k, v.kind === 'dict' ? cloned(v) : v);
  return { ...d, entries };
}

/** `other`'s entries merged into `into`, nested trees key by key (`merge_from_other_cfg`). */
function merged(into: DictValue, other: DictValue): void {
  touched();
  for (const [k, v] of other.entries) {
    const mine = into.entries.get(k);
    if (mine?.kind === 'dict' && v.kind === 'dict') merged(mine, v);
    else into.entries.set(k, v.kind === 'dict' ? cloned(v) : v);
  }
}

/**
 * The tree as a merge at run time leaves it: every size a dim named after its key, every other
 * value unknown, keys nobody set read as the run gives them (`readAtRun`).
 */
function readAtRun(d: DictValue, where: string): void {
  touched();
  d.readAtRun = `the config after ${where}`;
  for (const [k, v] of d.entries) {
    if (v.kind === 'dict') readAtRun(v, where);
    else d.entries.set(k, v.kind === 'int' ? readAtRunEntry(k) : UNKNOWN);
  }
}

/** The methods of a CfgNode yacs defines; undefined for any other method of a dict. */
export function cfgNodeMethod(of: DictValue, name: string, args: Value[], site: CallSite, it: Interpreter, frame: Frame): Value | undefined {
  switch (name) {
    case 'clone':
      return cloned(of);
    case 'defrost':
    case 'freeze':
      return NONE;
    case 'merge_from_other_cfg':
      if (args[0]?.kind === 'dict' && !args[0].readAtRun) {
        merged(of, args[0]);
        return NONE;
      }
      break;
    case 'merge_from_file':
    case 'merge_from_list':
      break;
    default:
      return undefined;
  }
  const what = name === 'merge_from_list' ? 'a list of overrides (the command line’s, most often)' : 'a file';
  const where = `\`${site.name}(...)\` at ${it.path ? `${basename(it.path)}:` : 'line '}${site.node.startPosition.row + 1}`;
  readAtRun(of, where);
  addReason(frame.acc, it.reasonAt(site.node, `${where.replace(/ at .*$/, '')} merges ${what} into the config, not known before run time: its sizes are dims named after their keys, to bind`));
  return NONE;
}
