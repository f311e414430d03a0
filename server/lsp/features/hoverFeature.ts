/** Registers textDocument/hover; the cards themselves are built in hover.ts and hoverMarkdown.ts. */
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
      const line = params.position.line;
      const lineText = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
      return hover(a, params.position, { lineText, measured: ctx.measured.get(doc.uri) ?? [] });
    });
  },
};
