/**
 * `argparse` as training scripts use it: `parser.add_argument('--n_embd', type=int, default=768)`
 * then `args = parser.parse_args()` and `args.n_embd`. A parser is an open config object (a dict
 * value) holding each option's default under its destination; `parse_args()` gives a copy, since
 * nothing runs the command line. An option with no default reads as None (argparse's own
 * default), a required one as a dim named after it, for the user to bind.
 */
import { Value, int } from './values';

/** `--n-embd` → `n_embd`; a positional `batch_size` stays as it is. */
function destination(args: Value[], kwargs: Map<string, Value>): string | undefined {
  const dest = kwargs.get('dest');
  if (dest?.kind === 'str') return dest.value;
  const flags = args.filter((a): a is Extract<Value, { kind: 'str' }> => a.kind === 'str').map((a) => a.value);
  const long = flags.find((f) => f.startsWith('--')) ?? flags.find((f) => f.startsWith('-')) ?? flags[0];
  return long?.replace(/^-+/, '').replace(/-/g, '_');
}

/** A string default goes through `type=` as argparse does (`default='768', type=int`). */
function converted(v: Value, type: Value | undefined): Value {
  if (v.kind !== 'str' || type?.kind !== 'ref') return v;
  const n = Number(v.value);
  if (type.path === 'int' && Number.isInteger(n) && v.value.trim() !== '') return int(n);
  if (type.path === 'float' && Number.isFinite(n)) return { kind: 'float', value: n };
  return v;
}

/**
 * Groups made by `add_mutually_exclusive_group(required=True)`: the command line gives one of
 * their options, which one is not known (llama2c's export.py: `--checkpoint`, `--meta-llama` or
 * `--hf`), so none of them reads as its default None; each is required, as far as the run knows.
 */
const REQUIRED_GROUPS = new WeakSet<object>();

/** A group shares its parser's options; a required group is remembered as such. */
export function mutuallyExclusiveGroup(parser: Extract<Value, { kind: 'dict' }>, kwargs: Map<string, Value>): Value {
  const required = kwargs.get('required');
  if (!(required?.kind === 'bool' && required.value)) return parser;
  const group: Value = { kind: 'dict', entries: parser.entries };
  REQUIRED_GROUPS.add(group);
  return group;
}

export function addArgument(parser: Extract<Value, { kind: 'dict' }>, args: Value[], kwargs: Map<string, Value>): void {
  const name = destination(args, kwargs);
  if (!name) return;
  const action = kwargs.get('action');
  const dflt = kwargs.get('default');
  const required = kwargs.get('required');
  if (dflt) parser.entries.set(name, converted(dflt, kwargs.get('type')));
  // One option of a required group is given, a flag as well as a value: none reads as unset.
  else if (REQUIRED_GROUPS.has(parser)) parser.entries.delete(name);
  else if (action?.kind === 'str' && (action.value === 'store_true' || action.value === 'store_false')) parser.entries.set(name, { kind: 'bool', value: action.value === 'store_false' });
  // Required, or positional: the command line gives it; left out, it reads as a named dim.
  else if ((required?.kind === 'bool' && required.value) || !(args[0]?.kind === 'str' && args[0].value.startsWith('-'))) parser.entries.delete(name);
  else parser.entries.set(name, { kind: 'none' });
}

export function parseArgs(parser: Extract<Value, { kind: 'dict' }>): Value {
  return { kind: 'dict', entries: new Map(parser.entries) };
}
