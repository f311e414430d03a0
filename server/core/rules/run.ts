/**
 * Runs the rules over one file's IR and applies what the user configured: `select`/`ignore`
 * (ruff-style prefixes), per-code severity or 'off', file-level ignores and `noqa` lines.
 */
import { CostFigures } from '../cost/evaluate';
import { Device } from '../devices';
import { FileIR, Finding, TensorOp } from '../ir';
import { Settings } from '../settings';
import { Bindings } from '../symbolic';
import { RULES } from './registry';
import { RuleContext } from './types';
import { figuresContext, intern } from '../intern';
import { Splicer, concatAll } from '../splice';

interface OpMemo {
  context: string;
  key: string;
  figures: CostFigures;
  value: Finding | null;
}

interface SegmentMemo {
  context: string;
  key: string;
  figures: CostFigures[];
  value: Finding[];
}

/** Per rule code: what `opFindings` concluded per segment of ops, and per op (by its cost). */
const PER_SEGMENT = new Map<string, WeakMap<readonly TensorOp[], SegmentMemo>>();
const PER_OP = new Map<string, WeakMap<object, OpMemo>>();
/** Per rule code: the findings per segment of the last analysis, for the next keystroke. */
const SPLICERS = new Map<string, Splicer<readonly TensorOp[], Finding[]>>();

function memoFor<K extends object, V>(m: Map<string, WeakMap<K, V>>, code: string): WeakMap<K, V> {
  let w = m.get(code);
  if (!w) m.set(code, (w = new WeakMap()));
  return w;
}

/**
 * `segmentFigures[s]` are the figures of `(ir.segments ?? [ir.ops])[s]`; without them, they are
 * cut from `figures`.
 */
export function runRules(ir: FileIR, figures: CostFigures[], device: Device, settings: Settings, bindings: Bindings, segmentFigures?: CostFigures[][]): Finding[] {
  const context = figuresContext(device, bindings);
  const segments = ir.segments ?? [ir.ops];
  const segFigures = segmentFigures ?? cut(figures, segments);
  const ctx: RuleContext = {
    opFindings: (code, rawKey, check) => {
      const key = intern(rawKey);
      const bySegment = memoFor(PER_SEGMENT, code);
      const byOp = memoFor(PER_OP, code);
      let splicer = SPLICERS.get(code);
      if (!splicer) SPLICERS.set(code, (splicer = new Splicer()));
      // The same device, bindings and key: the same segments have the same figures.
      const perSegment = splicer.map(intern(`${context}\0${key}`), segments, (ops, s) => {
        const figs = segFigures[s];
        const hit = bySegment.get(ops);
        if (hit && hit.context === context && hit.key === key && hit.figures === figs) return hit.value;
        const value: Finding[] = [];
        ops.forEach((op, i) => {
          // Keyed by the op's cost, which an op moved by lines inserted above it keeps: the
          // finding then only needs the op's new range.
          const f = figs[i];
          const h = byOp.get(op.cost);
          let found: Finding | null;
          if (h && h.context === context && h.key === key && h.figures === f) found = h.value && h.value.range !== op.range ? { ...h.value, range: op.range } : h.value;
          else byOp.set(op.cost, { context, key, figures: f, value: (found = check(op, f)) });
          if (found) value.push(found);
        });
        bySegment.set(ops, { context, key, figures: figs, value });
        return value;
      });
      return concatAll(perSegment);
    },
    ir,
    device,
    settings,
    bindings,
    figures,
    threshold: (key) => thresholdOf(settings, key),
  };
  const found: Finding[] = [...ir.findings];
  for (const rule of RULES) {
    if (!rule.check || !enabled(rule.code, settings)) continue;
    try {
      found.push(...rule.check(ctx));
    } catch (e) {
      // A rule that fails must not take the others (or the server) down with it.
      found.push({ code: rule.code, severity: 'hint', message: `internal error in rule ${rule.code}: ${(e as Error).message}`, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
    }
  }
  return configured(found, ir, settings);
}

/**
 * The findings the user's configuration keeps (select/ignore, 'off', file ignores, `noqa`), with
 * the severities it sets: for the rules' own pass and for the pass over calling contexts.
 */
export function configured(found: readonly Finding[], ir: FileIR, settings: Settings): Finding[] {
  // Thousands of findings share a handful of codes: decide each code once (enabled, and the
  // severity configured for it), and look at noqa lines only when the file has some.
  const perCode = new Map<string, { on: boolean; severity?: Finding['severity'] | 'off' }>();
  const noSuppression = ir.facts.fileIgnores.size === 0 && ir.facts.noqa.size === 0;
  const out: Finding[] = [];
  for (const f of found) {
    let c = perCode.get(f.code);
    if (!c) perCode.set(f.code, (c = { on: enabled(f.code, settings), severity: settings.rules[f.code] }));
    if (!c.on || c.severity === 'off' || (!noSuppression && suppressed(f, ir))) continue;
    out.push(c.severity ? { ...f, severity: c.severity } : f);
  }
  return out;
}

/** A rule threshold: the setting, else the rule's default. */
export function thresholdOf(settings: Settings, key: string): number {
  const v = settings.thresholds[key];
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  for (const r of RULES) for (const t of r.thresholds ?? []) if (t.key === key) return t.default;
  throw new Error(`unknown threshold '${key}'`);
}

export function enabled(code: string, settings: Settings): boolean {
  const matches = (list: string[]) => list.some((p) => p === 'ALL' || code.startsWith(p.toUpperCase()));
  if (settings.select.length > 0 && !matches(settings.select)) return false;
  if (matches(settings.ignore)) return false;
  return settings.rules[code] !== 'off';
}

function suppressed(f: Finding, ir: FileIR): boolean {
  if (ir.facts.fileIgnores.has('*') || ir.facts.fileIgnores.has(f.code)) return true;
  for (let line = f.range.start.line; line <= f.range.end.line; line++) {
    const codes = ir.facts.noqa.get(line);
    if (codes && (codes.size === 0 || codes.has(f.code))) return true;
  }
  return false;
}

function cut(figures: CostFigures[], segments: readonly (readonly TensorOp[])[]): CostFigures[][] {
  let at = 0;
  return segments.map((ops) => figures.slice(at, (at += ops.length)));
}
