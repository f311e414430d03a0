/** Custom requests: the file's ops with figures (roofline view), the op at a position (benchmark). */
import { peakFor } from '../../core/devices';
import { DType } from '../../core/dtypes';
import { Finding, GEMM_KINDS, Range } from '../../core/ir';
import { Bindings, Poly } from '../../core/symbolic';
import { Analysis } from '../../engine/analyze';
import { opJson } from '../../engine/report';
import { AttrValue, FileReport, FileReportParams, FileReportRequest, MeasuredNotification, MeasuredPoint, OpAtParams, OpAtRequest, OpPoint } from '../../protocol';
import { Feature } from '../context';
import { contains, opAt } from './hover';
import { dimView } from './hoverDims';
import { ceilingsFor } from './hoverMarkdown';
import { atLeastOf } from '../../engine/report';

const RANK = { error: 4, warning: 3, information: 2, hint: 1 } as const;

const sameRange = (x: Range, y: Range) =>
  x.start.line === y.start.line && x.start.character === y.start.character && x.end.line === y.end.line && x.end.character === y.end.character;
const holds = (outer: Range, inner: Range) => contains(outer, inner.start) && contains(outer, inner.end);
const span = (r: Range) => (r.end.line - r.start.line) * 1e6 + (r.end.character - r.start.character);

const BY_OP = new WeakMap<Analysis, Finding[][]>();

/**
 * The findings of each op. A finding belongs to the op whose range it has (the per-op rules
 * report on the op's own range), else to the innermost op that holds it (a finding on part of a
 * call), else to the ops it holds (a finding on a whole loop). Lines are not enough: in
 * `x = self.proj(F.gelu(self.fc(x)))` a TC303 on one Linear is not the GELU's, nor the other's.
 */
export function findingsByOp(a: Analysis): Finding[][] {
  let out = BY_OP.get(a);
  if (out) return out;
  out = a.ir.ops.map(() => []);
  const ops = a.ir.ops;
  for (const f of a.findings) {
    let hit = ops.flatMap((op, i) => (sameRange(op.range, f.range) ? [i] : []));
    if (hit.length === 0) {
      let best = -1;
      ops.forEach((op, i) => {
        if (holds(op.range, f.range) && (best < 0 || span(op.range) < span(ops[best].range))) best = i;
      });
      hit = best >= 0 ? [best] : ops.flatMap((op, i) => (holds(f.range, op.range) ? [i] : []));
    }
    for (const i of hit) out[i].push(f);
  }
  BY_OP.set(a, out);
  return out;
}

export function opPoint(a: Analysis, i: number, extraDims?: Record<string, number>): OpPoint {
  const v = dimView(a);
  const op = v.op(i);
  const extra = extraDims && Object.keys(extraDims).length ? extraDims : undefined;
  const bindings = extra ? new Map([...v.bindings, ...Object.entries(extra)]) : v.bindings;
  const f = extra ? v.figuresWith(i, extra) : v.figures(i);
  const hits = findingsByOp(a)[i];
  const worst = hits.reduce<OpPoint['severity']>((w, d) => (!w || RANK[d.severity] > RANK[w] ? d.severity : w), null);
  const dim = (x: unknown) => {
    const p = x as Poly | undefined;
    if (!p || typeof p.evaluate !== 'function') return '?';
    return p.evaluate(bindings) ?? p.toString();
  };
  return {
    index: i,
    ...opJson(op, f),
    gemm: GEMM_KINDS.has(op.kind) && op.attrs.m ? { m: dim(op.attrs.m), k: dim(op.attrs.k), n: dim(op.attrs.n), batch: dim(op.attrs.batch) } : undefined,
    attrs: Object.fromEntries(Object.entries(op.attrs).map(([k, x]) => [k, attrValue(x, bindings)])),
    severity: worst,
    codes: [...new Set(hits.map((h) => h.code))],
    unknownShapes: op.cost.unknown ? true : undefined,
  };
}

/** Attributes as plain data: dims bound to numbers where possible, formulas otherwise. */
function attrValue(v: unknown, b: Bindings): AttrValue {
  if (v instanceof Poly) return v.evaluate(b) ?? v.toString();
  if (Array.isArray(v)) return v.map((x) => attrValue(x, b));
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

/** The roofline view's data: every op of the file with its figures, findings and the device's roofs. */
export function fileReport(a: Analysis, uri: string, version: number | null): FileReport {
  const dtype = a.ir.ops.find((o) => GEMM_KINDS.has(o.kind))?.dtype ?? a.ir.facts.defaultDtype ?? 'fp32';
  // The peak and ridge of the dtype the GEMMs run in, which is the one the view labels.
  const peak = peakFor(a.device, dtype as DType);
  return {
    uri,
    version,
    device: { id: a.device.id, name: a.device.name, peak, bandwidth: a.device.bandwidth, ridge: peak / a.device.bandwidth, dtype, ceilings: ceilingsFor(a.device, dtype as DType) },
    ops: a.ir.ops.map((_, i) => opPoint(a, i)),
    totals: { flops: a.total.flops, otherFlops: a.total.otherFlops, bytes: a.total.bytes, timeSeconds: a.total.timeSeconds, ...atLeastOf(a) },
  };
}

export const reportFeature: Feature = {
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(FileReportRequest, async (params: FileReportParams, token): Promise<FileReport | null> => {
      const doc = ctx.documents.get(params.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return null;
      return fileReport(a, doc.uri, doc.version);
    });
    ctx.connection.onRequest(OpAtRequest, async (params: OpAtParams): Promise<OpPoint | null> => {
      const doc = ctx.documents.get(params.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      const i = opAt(a, params.position);
      return i < 0 ? null : opPoint(a, i, params.dims);
    });
    ctx.connection.onNotification(MeasuredNotification, (m: MeasuredPoint) => {
      const list = (ctx.measured.get(m.uri) ?? []).filter((x) => !(x.range.start.line === m.range.start.line && x.range.start.character === m.range.start.character));
      list.push(m);
      ctx.measured.set(m.uri, list);
    });
  },
};
