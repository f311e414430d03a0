/**
 * The interpreter's mixed-precision facts (precision.ts) laid over the syntactic signals, so that
 * every rule that reads `autocast`, `gradScaler` or `halfModel` (TC301, TC302, TC303) and the
 * distributed estimate read one decision (issue 15):
 *
 * - an autocast region takes the dtype the interpreter decided on the values (`dtype=ptdtype`,
 *   `{'float16': torch.float16}[dtype]`), and whether a training step is reached where it runs;
 *   contexts entered through a variable or a field (`with ctx:`, `with self.ctx:`) and
 *   `@torch.autocast(...)` decorators, which the syntax cannot see, are added; a context the
 *   interpreter found disabled (`enabled=use_amp` with `use_amp = False`) is dropped;
 * - a GradScaler the interpreter found disabled (`GradScaler(enabled=(dtype == 'float16'))` with
 *   `dtype = 'bfloat16'`) scales nothing and is dropped;
 * - a `.half()` on a tensor (an input batch) is no fp16 model and is dropped; a model cast to a
 *   dtype held in a variable (`model.to(ptdtype)`) is added;
 * - `dist.autocast` takes the interpreter's dtype.
 *
 * Where the interpreter did not run a piece of code, its syntactic signal stays as it was.
 */
import type { FileIR, FunctionSummary, PrecisionFact, Range } from '../../core/ir';
import type { AutocastSignal, CallSignal, HalfCastSignal } from '../../core/rules/signals';
import type { DistDtype } from '../../core/comm/signals';

function key(r: Range): string {
  return `${r.start.line}:${r.start.character}`;
}

function contains(outer: Range, inner: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

function halfOrBf(d: PrecisionFact['dtype']): 'fp16' | 'bf16' | null {
  return d === 'fp16' || d === 'bf16' ? d : null;
}

/** Which of two decisions of one context wins: a decided dtype over none, fp16 (the risk) over bf16. */
function rank(d: PrecisionFact['dtype']): number {
  return d === 'fp16' ? 3 : d ? 2 : 1;
}

interface Scope {
  range?: Range;
  facts: PrecisionFact[];
  trains: boolean;
}

/**
 * Lays the facts of the file's functions (`ir.functions[].precision`) and of its top-level code
 * (`moduleFacts`) over `ir.signals`, in place. Arrays are replaced, never changed: the syntactic
 * ones may be shared with the signal cache.
 */
export function applyPrecisionFacts(ir: FileIR, moduleFacts: readonly PrecisionFact[] | undefined): void {
  const scopes: Scope[] = [];
  const add = (facts: readonly PrecisionFact[] | undefined, range?: Range) => {
    if (facts?.length) scopes.push({ range, facts: [...facts], trains: facts.some((f) => f.kind === 'train') });
  };
  add(moduleFacts);
  for (const f of ir.functions as FunctionSummary[]) add(f.precision, f.range);
  if (scopes.length === 0) return;

  const enters = new Map<string, PrecisionFact & { trained: boolean }>();
  const made = new Map<string, PrecisionFact>();
  const scalers = new Map<string, PrecisionFact>();
  const casts = new Map<string, PrecisionFact>();
  for (const s of scopes) {
    for (const f of s.facts) {
      const k = key(f.range);
      if (f.kind === 'enter') {
        const e = enters.get(k);
        // Under no_grad (an evaluation pass) a region never trains, whatever its caller does.
        const trains = s.trains && !f.noGrad;
        if (!e) enters.set(k, { ...f, trained: trains });
        else {
          // A function run on its own does not know the dtype its caller passes
          // (`train_one_epoch(..., amp_dtype)`); the caller's run does. fp16 is the risk: it wins.
          e.trained ||= trains;
          if (rank(f.dtype) > rank(e.dtype)) e.dtype = f.dtype;
        }
      } else if (f.kind === 'autocast') {
        const m = made.get(k);
        if (!m || rank(f.dtype) > rank(m.dtype)) made.set(k, f);
      }
      else if (f.kind === 'scaler') scalers.set(k, f);
      else if (f.kind === 'cast') casts.set(k, f);
    }
  }
  // The innermost function (or the top-level code) holding a range trains itself: a region of
  // the training step rather than of an evaluation helper the training loop also calls.
  const direct = (r: Range): boolean => {
    let best: Scope | undefined;
    for (const s of scopes) if (s.range && contains(s.range, r) && (!best || contains(best.range!, s.range))) best = s;
    return (best ?? scopes.find((s) => !s.range))?.trains ?? false;
  };

  const signals = ir.signals as Record<string, unknown[]>;
  const autocast: AutocastSignal[] = [];
  const seen = new Set<string>();
  for (const a of (signals.autocast ?? []) as AutocastSignal[]) {
    const k = key(a.range);
    const m = made.get(k);
    if (m?.enabled === false) continue;
    const e = enters.get(k);
    seen.add(k);
    if (e) autocast.push({ ...a, dtype: halfOrBf(e.dtype), api: e.api ?? a.api, trained: e.trained, direct: direct(e.range) });
    else if (m) autocast.push({ ...a, dtype: halfOrBf(m.dtype), api: m.api ?? a.api });
    else autocast.push(a);
  }
  for (const [k, e] of enters) {
    if (seen.has(k) || !e.region) continue;
    autocast.push({ range: e.range, region: e.region, dtype: halfOrBf(e.dtype), api: e.api ?? 'amp', trained: e.trained, direct: direct(e.range), ...(e.text ? { held: e.text } : {}) });
  }
  autocast.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  signals.autocast = autocast;

  const scalerSignals = (signals.gradScaler ?? []) as CallSignal[];
  signals.gradScaler = scalerSignals.filter((g) => scalers.get(key(g.range))?.enabled !== false);
  if (signals.gradScaler.length < scalerSignals.length) signals.gradScalerOff = scalerSignals.filter((g) => scalers.get(key(g.range))?.enabled === false);

  const half: HalfCastSignal[] = [];
  const castSeen = new Set<string>();
  for (const h of (signals.halfModel ?? []) as HalfCastSignal[]) {
    const k = key(h.range);
    castSeen.add(k);
    const target = casts.get(k)?.target;
    if (target === 'tensor') continue;
    half.push(target ? { ...h, target } : h);
  }
  for (const [k, c] of casts) {
    if (castSeen.has(k) || c.target !== 'module') continue;
    half.push({ range: c.range, text: c.text ?? '', statement: c.range, indent: '', target: 'module' });
  }
  half.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  signals.halfModel = half;

  const dist = signals['dist.autocast'] as DistDtype[] | undefined;
  if (dist?.length) {
    signals['dist.autocast'] = dist.flatMap((d) => {
      const m = made.get(key(d.range));
      if (m?.enabled === false) return [];
      return m?.dtype ? [{ ...d, dtype: m.dtype }] : [d];
    });
  }
}
