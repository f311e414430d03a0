import { bytesText, percentText, timeText } from '../../core/format';
import { Feature } from '../context';
import { hover } from './hover';

export const hoverFeature: Feature = {
  capabilities: () => ({ hoverProvider: true }),
  register(ctx) {
    ctx.connection.onHover(async (params, token) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      if (!doc) return null;
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return null;
      const measured = ctx.measured.get(doc.uri) ?? [];
      return hover(a, params.position, (i) => {
        const op = a.ir.ops[i];
        const f = a.figures[i];
        return measured
          .filter((m) => m.range.start.line === op.range.start.line && m.range.start.character === op.range.start.character)
          .map((m) => {
            const pct = f.timeSeconds ? ` (${percentText((f.timeSeconds * 1e3) / m.medianMs)} of the predicted speed on ${a.device.id})` : '';
            return `\n**Measured** on ${m.adapter} (${m.dtype}, ${Object.entries(m.shape).map(([k, v]) => `${k}=${v}`).join(' ')}): ${timeText(m.medianMs / 1e3)} median, ${m.gflops.toFixed(2)} GFLOP/s, ${m.gbps.toFixed(2)} GB/s${m.verified ? ', verified against a CPU reference' : ', NOT verified'}${pct}. Device memory touched: ${bytesText(m.gbps * 1e9 * (m.medianMs / 1e3))}.`;
          });
      });
    });
  },
};
