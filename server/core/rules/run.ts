/**
 * Runs the rules over one file's IR and applies what the user configured: `select`/`ignore`
 * (ruff-style prefixes), per-code severity or 'off', file-level ignores and `noqa` lines.
 */
import { CostFigures } from '../cost/evaluate';
import { Device } from '../devices';
import { FileIR, Finding } from '../ir';
import { Settings } from '../settings';
import { Bindings } from '../symbolic';
import { RULES } from './registry';
import { RuleContext } from './types';
import { figuresContext, intern } from '../intern';

const PER_OP = new Map<string, WeakMap<object, { context: string; key: string; figures: CostFigures; value: Finding | null }>>();

export function runRules(ir: FileIR, figures: CostFigures[], device: Device, settings: Settings, bindings: Bindings): Finding[] {
  const context = figuresContext(device, bindings);
  const ctx: RuleContext = {
    perOp: (code, key) => {
      let byOp = PER_OP.get(code);
      if (!byOp) PER_OP.set(code, (byOp = new WeakMap()));
      const memo = byOp;
      key = intern(key);
      return (op, figures, compute) => {
        // Keyed by the op's cost, which an op moved by lines inserted above it keeps: the
        // finding then only needs the op's new range.
        const hit = memo.get(op.cost);
        if (hit && hit.context === context && hit.key === key && hit.figures === figures) {
          const f = hit.value;
          return f && f.range !== op.range ? { ...f, range: op.range } : f;
        }
        const value = compute();
        memo.set(op.cost, { context, key, figures, value });
        return value;
      };
    },
    ir,
    device,
    settings,
    bindings,
    figures,
    threshold: (key) => {
      const v = settings.thresholds[key];
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      for (const r of RULES) for (const t of r.thresholds ?? []) if (t.key === key) return t.default;
      throw new Error(`unknown threshold '${key}'`);
    },
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
  // Thousands of findings share a handful of codes: decide each code once.
  const on = new Map<string, boolean>();
  const isOn = (code: string) => {
    let v = on.get(code);
    if (v === undefined) on.set(code, (v = enabled(code, settings)));
    return v;
  };
  const out: Finding[] = [];
  for (const f of found) {
    if (!isOn(f.code) || suppressed(f, ir)) continue;
    const g = applySeverity(f, settings);
    if (g) out.push(g);
  }
  return out;
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

function applySeverity(f: Finding, settings: Settings): Finding | null {
  const s = settings.rules[f.code];
  if (s === 'off') return null;
  return s ? { ...f, severity: s } : f;
}
