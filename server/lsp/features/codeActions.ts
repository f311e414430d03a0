/**
 * Quick fixes for findings, from the data the rules attach to them: the SDPA rewrite (TC202), a
 * GradScaler around backward and step (TC301), the loop replaced by one batched matmul (TC103),
 * and for every finding a `# noqa: CODE` appended to its line (merged with a noqa already there).
 */
import { CodeAction, CodeActionKind, Diagnostic, TextEdit } from 'vscode-languageserver';
import { Feature } from '../context';

interface FixData {
  title: string;
  edits: TextEdit[];
}

function fixOf(d: Diagnostic): FixData | undefined {
  const data = d.data as Partial<FixData> | undefined;
  if (!data || typeof data.title !== 'string' || !Array.isArray(data.edits)) return undefined;
  return { title: data.title, edits: data.edits };
}

/**
 * The edit that suppresses `code` on a line: appends `  # noqa: CODE`, adds the code to an
 * existing `# noqa: A, B`, and does nothing when a bare `# noqa` already silences everything.
 */
export function noqaEdit(lineText: string, line: number, code: string): TextEdit | null {
  const text = lineText.replace(/\r?\n$/, '');
  const m = /#\s*noqa(?::\s*([A-Z]+\d+(?:[\s,]+[A-Z]+\d+)*))?/.exec(text);
  if (m) {
    if (!m[1]) return null;
    const codes = m[1].split(/[\s,]+/).filter(Boolean);
    if (codes.includes(code)) return null;
    const merged = `# noqa: ${[...codes, code].join(', ')}`;
    return { range: { start: { line, character: m.index }, end: { line, character: m.index + m[0].length } }, newText: merged };
  }
  const end = text.length;
  const trimmed = text.replace(/\s+$/, '');
  return { range: { start: { line, character: trimmed.length }, end: { line, character: end } }, newText: `  # noqa: ${code}` };
}

export function codeActionsFor(uri: string, diagnostics: Diagnostic[], lineText: (line: number) => string): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const d of diagnostics) {
    if (d.source !== 'tensorcost' || typeof d.code !== 'string') continue;
    const fix = fixOf(d);
    if (fix) {
      actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: { changes: { [uri]: fix.edits } } });
    }
    const line = d.range.start.line;
    const edit = noqaEdit(lineText(line), line, d.code);
    if (edit) actions.push({ title: `Suppress ${d.code} on this line (# noqa: ${d.code})`, kind: CodeActionKind.QuickFix, diagnostics: [d], edit: { changes: { [uri]: [edit] } } });
  }
  return actions;
}

export const codeActionsFeature: Feature = {
  capabilities: () => ({ codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] } }),
  register(ctx) {
    ctx.connection.onCodeAction((params) => {
      const doc = ctx.documents.get(params.textDocument.uri);
      if (!doc) return [];
      const lineText = (line: number) => doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
      return codeActionsFor(doc.uri, params.context.diagnostics, lineText);
    });
  },
};
