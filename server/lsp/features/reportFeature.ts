/** Custom requests: the file's ops with figures (roofline view), the op at a position (benchmark). */
import { GEMM_KINDS } from '../../core/ir';
import { Analysis } from '../../engine/analyze';
import { shapeJson } from '../../engine/report';
import { FileReport, FileReportParams, FileReportRequest, MeasuredNotification, MeasuredPoint, OpAtParams, OpAtRequest, OpPoint } from '../../protocol';
import { Feature } from '../context';
import { opAt } from './hover';

const RANK = { error: 4, warning: 3, information: 2, hint: 1 } as const;

export function opPoint(a: Analysis, i: number): OpPoint {
  const op = a.ir.ops[i];
  const f = a.figures[i];
  const hits = a.findings.filter((d) => d.range.start.line >= op.range.start.line && d.range.end.line <= op.range.end.line);
  const worst = hits.reduce<OpPoint['severity']>((w, d) => (!w || RANK[d.severity] > RANK[w] ? d.severity : w), null);
  const dim = (x: unknown) => {
    const p = x as import('../../core/symbolic').Poly | undefined;
    if (!p || typeof p.evaluate !== 'function') return '?';
    return p.evaluate(a.bindings) ?? p.toString();
  };
  return {
    index: i,
    kind: op.kind,
    name: op.name,
    function: op.function,
    range: op.range,
    dtype: op.dtype,
    inputs: op.inputs.map(shapeJson),
    output: shapeJson(op.output),
    flops: f.flops,
    otherFlops: f.otherFlops,
    bytes: f.bytes,
    intensity: f.intensity,
    bound: f.bound,
    timeSeconds: f.timeSeconds,
    unbound: f.unbound,
    gemm: GEMM_KINDS.has(op.kind) && op.attrs.m ? { m: dim(op.attrs.m), k: dim(op.attrs.k), n: dim(op.attrs.n), batch: dim(op.attrs.batch) } : undefined,
    severity: worst,
    codes: [...new Set(hits.map((h) => h.code))],
  };
}

export const reportFeature: Feature = {
  capabilities: () => ({}),
  register(ctx) {
    ctx.connection.onRequest(FileReportRequest, async (params: FileReportParams): Promise<FileReport | null> => {
      const doc = ctx.documents.get(params.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      const dtype = a.ir.ops.find((o) => GEMM_KINDS.has(o.kind))?.dtype ?? a.ir.facts.defaultDtype ?? 'fp32';
      const peak = a.total.peak;
      return {
        uri: doc.uri,
        version: doc.version,
        device: { id: a.device.id, name: a.device.name, peak, bandwidth: a.device.bandwidth, ridge: peak / a.device.bandwidth, dtype },
        ops: a.ir.ops.map((_, i) => opPoint(a, i)),
        totals: { flops: a.total.flops, otherFlops: a.total.otherFlops, bytes: a.total.bytes, timeSeconds: a.total.timeSeconds },
      };
    });
    ctx.connection.onRequest(OpAtRequest, async (params: OpAtParams): Promise<OpPoint | null> => {
      const doc = ctx.documents.get(params.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      const i = opAt(a, params.position);
      return i < 0 ? null : opPoint(a, i);
    });
    ctx.connection.onNotification(MeasuredNotification, (m: MeasuredPoint) => {
      const list = (ctx.measured.get(m.uri) ?? []).filter((x) => !(x.range.start.line === m.range.start.line && x.range.start.character === m.range.start.character));
      list.push(m);
      ctx.measured.set(m.uri, list);
    });
  },
};
