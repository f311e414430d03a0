/**
 * textDocument/inlayHint: the inferred shape after the target of an assignment whose right side is
 * a tensor op (`y = x @ w` shows `y: (m, n)`). The setting `tensorcost.inlayHints.enabled` is read
 * per resource on every request, so turning it off needs no reload (the server asks the client to
 * refresh hints when settings change).
 */
import { mdCode } from '../../core/escape';
import { InlayHint, InlayHintKind, MarkupKind } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { TensorType } from '../../core/ir';
import { Bindings } from '../../core/symbolic';
import { Analysis } from '../../engine/analyze';
import { Feature } from '../context';
import { contains } from './hover';

/** `name =` or `self.name =` alone before the op: a plain assignment with no annotation. */
const TARGET = /^(\s*)([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*=\s*$/;
/** After the op only whitespace, a comment or a line continuation may follow. */
const REST = /^\s*(#.*)?\\?\s*$/;

function shapeText(t: TensorType, b?: Bindings): string | null {
  if (!t.shape) return null;
  return `(${t.shape.map((d) => (b ? d.substitute(b).toString() : d.toString())).join(', ')})`;
}

export function inlayHints(a: Analysis, doc: TextDocument, range?: { start: { line: number; character: number }; end: { line: number; character: number } }): InlayHint[] {
  const hints: InlayHint[] = [];
  const seen = new Set<string>();
  const lines = new Map<number, string>();
  const lineText = (l: number) => {
    let t = lines.get(l);
    if (t === undefined) {
      t = doc.getText({ start: { line: l, character: 0 }, end: { line: l + 1, character: 0 } }).replace(/\r?\n$/, '');
      lines.set(l, t);
    }
    return t;
  };
  for (const op of a.ir.ops) {
    if (range && !contains(range, op.range.start)) continue;
    const label = shapeText(op.output);
    if (!label) continue;
    const m = TARGET.exec(lineText(op.range.start.line).slice(0, op.range.start.character));
    if (!m) continue;
    if (!REST.test(lineText(op.range.end.line).slice(op.range.end.character))) continue;
    const at = { line: op.range.start.line, character: m[1].length + m[2].length };
    const key = `${at.line}:${at.character}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const resolved = shapeText(op.output, a.bindings);
    hints.push({
      position: at,
      label: `: ${label}`,
      kind: InlayHintKind.Type,
      paddingLeft: false,
      tooltip: {
        kind: MarkupKind.Markdown,
        value: `Inferred by Tensor Cost: ${mdCode(m[2])} has shape ${mdCode(label)}${resolved && resolved !== label ? ` = ${mdCode(resolved)}` : ''}, dtype ${op.output.dtype ?? op.dtype} (result of ${mdCode(op.name)}).`,
      },
    });
  }
  return hints;
}

export const inlayHintsFeature: Feature = {
  capabilities: (client) => (client.textDocument?.inlayHint ? { inlayHintProvider: { resolveProvider: false } } : {}),
  register(ctx) {
    ctx.connection.languages.inlayHint.on(async (params, token) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      if (!doc) return [];
      const settings = await ctx.settings.get(doc.uri);
      if (!settings.inlayHints || token.isCancellationRequested) return [];
      const a = await ctx.store.get(doc);
      if (token.isCancellationRequested) return [];
      return inlayHints(a, doc, params.range);
    });
  },
};
