/**
 * Mixed-precision facts the interpreter records while it runs the code (issue 15): autocast
 * contexts made and entered, GradScalers with whether they are enabled, half-precision casts of
 * modules and tensors, training steps reached. They live on the accumulator of the frame that met
 * them (`Acc.precision`), travel to callers like costs do, and end on the function's summary
 * (`FunctionSummary.precision`) or the module's; signalsPrecision.ts turns them into the signals
 * the rules read. Only the file being analysed records them: ranges are always this file's.
 */
import type { DType } from '../../core/dtypes';
import type { PrecisionFact } from '../../core/ir';
import { detach } from '../../core/intern';
import { AutocastArgs, AutocastDecision, autocastPositions, decideAutocast } from './autocast';
import type { Value } from './values';

/** Facts kept per accumulator: a training script meets a handful; never a list that grows with the code. */
const MAX_FACTS = 64;

export interface PrecisionAcc {
  precision?: PrecisionFact[];
}

function sameFact(a: PrecisionFact, b: PrecisionFact): boolean {
  return a.kind === b.kind && a.range.start.line === b.range.start.line && a.range.start.character === b.range.start.character && a.dtype === b.dtype && a.enabled === b.enabled && a.target === b.target;
}

export function addFact(acc: PrecisionAcc, f: PrecisionFact): void {
  const list = (acc.precision ??= []);
  if (list.length >= MAX_FACTS || list.some((x) => sameFact(x, f))) return;
  list.push(f);
}

/** What a callee or a branch met is met by its caller too. */
export function addFacts(to: PrecisionAcc, from: PrecisionAcc): void {
  if (from.precision) for (const f of from.precision) addFact(to, f);
}

/** A value as a string argument: undefined when absent, null when not a known string. */
function str(v: Value | undefined): string | null | undefined {
  if (v === undefined || v.kind === 'none') return undefined;
  return v.kind === 'str' ? v.value : null;
}

/** A value as a dtype argument (`dtype=None` is PyTorch's default, as if absent). */
function dtypeArg(v: Value | undefined): DType | null | undefined {
  if (v === undefined || v.kind === 'none') return undefined;
  return v.kind === 'dtype' ? v.dtype : null;
}

/** A value as a bool argument. */
export function boolArg(v: Value | undefined): boolean | null | undefined {
  if (v === undefined) return undefined;
  if (v.kind === 'bool') return v.value;
  // `enabled=use_amp` with `use_amp = 1`: Python's truthiness.
  if (v.kind === 'int') {
    const n = v.value.constValue();
    return n === undefined ? null : n !== 0;
  }
  // `use_amp: bool = None` in a config is a placeholder the run fills in, not a decision.
  return null;
}

/** The decision for an autocast call on the values the interpreter evaluated (autocast.ts). */
export function autocastOfValues(path: string, args: Value[], kwargs: Map<string, Value>): AutocastDecision | undefined {
  const at = autocastPositions(path);
  const a: AutocastArgs = {
    device: str(kwargs.get('device_type') ?? (at.device !== undefined ? args[at.device] : undefined)),
    dtype: dtypeArg(kwargs.get('dtype') ?? args[at.dtype]),
    enabled: boolArg(kwargs.get('enabled') ?? args[at.enabled]),
  };
  return decideAutocast(path, a);
}

/** What `.half()` / `.to(...)` is called on: a model (its weights become fp16), a tensor, or unknown. */
export function castTarget(callee: Value): PrecisionFact['target'] {
  if (callee.kind !== 'method') return 'unknown';
  const of = callee.of;
  if (of.kind === 'tensor') return 'tensor';
  if (of.kind === 'instance' || of.kind === 'module') return 'module';
  return 'unknown';
}

/** Whether a `.to(...)` call's arguments cast to float16 (`.to(torch.float16)`, `.to(device, dtype=ptdtype)`). */
export function castsToHalf(args: Value[], kwargs: Map<string, Value>): boolean {
  const d = kwargs.get('dtype') ?? args.find((a) => a.kind === 'dtype');
  return d?.kind === 'dtype' && d.dtype === 'fp16';
}

/** A short detached text for a fact kept in caches across analyses (core/intern.ts). */
export function factText(text: string): string {
  return detach(text.length > 80 ? `${text.slice(0, 77)}...` : text);
}

/** Method calls that train: `loss.backward()`, `torch.autograd.backward(...)`, an optimizer's or scaler's `step`. */
export function isTrainingCall(name: string, callee: Value): boolean {
  // Every call of the file comes through here: the plain suffix test first.
  if (!name.endsWith('backward') && !name.endsWith('.step')) return false;
  if (/(^|\.)backward$/.test(name)) return true;
  if (callee.kind === 'ref' && /^(torch\.optim\.\w+|torch\.amp\.GradScaler)\(\)\.step$/.test(callee.path)) return true;
  return /(^|[._])(opt|optim|optimizer|optimiser)\w*\.step$/i.test(name);
}
