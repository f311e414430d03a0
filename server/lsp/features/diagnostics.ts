/** Findings as LSP diagnostics, with the rule's documentation link and related locations. */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { Finding } from '../../core/ir';
import { ruleHref } from '../../core/rules/registry';

const SEVERITY = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

export function toDiagnostic(f: Finding, uri: string): Diagnostic {
  return {
    range: f.range,
    severity: SEVERITY[f.severity],
    code: f.code,
    codeDescription: { href: ruleHref(f.code) },
    source: 'tensorcost',
    message: f.message,
    relatedInformation: f.related?.map((r) => ({ location: { uri, range: r.range }, message: r.message })),
    data: f.data,
  };
}
