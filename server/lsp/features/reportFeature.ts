/** Custom requests: the file's ops with figures (roofline view), the op at a position (benchmark). */
import { peakFor } from '../../core/devices';
import { DType } from '../../core/dtypes';
import { evaluateOp } from '../../core/cost/evaluate';
import { GEMM_KINDS } from '../../core/ir';
import { Poly } from '../../core/symbolic';
import { Analysis } from '../../engine/analyze';
import { opJson } from '../../engine/report';
import { AttrValue, FileReport, FileReportParams, FileReportRequest, MeasuredNotification, MeasuredPoint, OpAtParams, OpAtRequest, OpPoint } from '../../protocol';
import { Feature } from '../context';
import { opAt } from './hover';
import { ceilingsFor } from './hoverMarkdown';

const RANK = { error: 4, warning: 3, information: 2, hint: 1 } as const;

export function opPoint(a: Analysis, i: number, extraDims?: Record<string, number>): OpPoint {
  const op = a.ir.ops[i];
  const bindings = extraDims ? new Map([...a.bindings, ...Object.entries(extraDims)]) : a.bindings;
  const f = extraDims ? evaluateOp(op, a.device, bindings) : a.figures[i];
  const hits = a.findings.filter((d) => d.range.start.line >= op.range.start.line && d.range.end.line <= op.range.end.line);
  const worst = hits.reduce<OpPoint['severity']>((w, d) => (!w || RANK[d.severity] > RANK[w] ? d.severity : w), null);
  const dim = (x: unknown) => {
    const p = x as import('../../core/symbolic').Poly | undefined;
    if (!p || typeof p.evaluate !== 'function') return '?';
    return p.evaluate(bindings) ?? p.toString();
  };
  return {
    index: i,
    ...opJson(op, f),
    gemm: GEMM_KINDS.has(op.kind) && op.attrs.m ? { m: dim(op.attrs.m), k: dim(op.attrs.k), n: dim(op.attrs.n), batch: dim(op.attrs.batch) } : undefined,
    attrs: Object.fromEntries(Object.entries(op.attrs).map(([k, v]) => [k, attrValue(v, bindings)])),
    severity: worst,
    codes: [...new Set(hits.map((h) => h.code))],
  };
}

/** Attributes as plain data: dims bound to numbers where possible, formulas otherwise. */
function attrValue(v: unknown, b: Map<string, number>): AttrValue {
  if (v instanceof Poly) return v.evaluate(b) ?? v.toString();
  if (Array.isArray(v)) return v.map((x) => attrValue(x, b));
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  return null;
}

export const reportFeature: Feature = {
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(FileReportRequest, async (params: FileReportParams, token): Promise<FileReport | null> => {
      const doc = ctx.documents.get(params.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return null;
      const dtype = a.ir.ops.find((o) => GEMM_KINDS.has(o.kind))?.dtype ?? a.ir.facts.defaultDtype ?? 'fp32';
      // The peak and ridge of the dtype the GEMMs run in, which is the one the view labels.
      const peak = peakFor(a.device, dtype as DType);
      return {
        uri: doc.uri,
        version: doc.version,
        device: { id: a.device.id, name: a.device.name, peak, bandwidth: a.device.bandwidth, ridge: peak / a.device.bandwidth, dtype, ceilings: ceilingsFor(a.device, dtype as DType) },
        ops: a.ir.ops.map((_, i) => opPoint(a, i)),
        totals: { flops: a.total.flops, otherFlops: a.total.otherFlops, bytes: a.total.bytes, timeSeconds: a.total.timeSeconds },
      };
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
