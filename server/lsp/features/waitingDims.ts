/**
 * The one Problems entry that says a file's costs wait for dims. Rules that need numbers (TC101,
 * TC102, TC201, TC303...) stay silent on an op until its dims are bound, so a file with unbound
 * dims shows few or no findings and nothing said why; this information item names the dims and
 * the ways to bind them, once per file, on the first op that waits. It has no rule code: there is
 * nothing to suppress or configure, only dims to bind.
 */
import { Diagnostic, DiagnosticSeverity } from 'vscode-languageserver';
import { Analysis } from '../../engine/analyze';
import { dimView } from './hoverDims';

/** `# tensorcost: dims B=… T=…` in Python, `// tensorcost: dims …` in TypeScript and JavaScript. */
export function dimsDirective(a: Analysis, dims: readonly string[]): string {
  return `${a.ir.language === 'python' ? '#' : '//'} tensorcost: dims ${dims.map((d) => `${d}=…`).join(' ')}`;
}

export function waitingDimsDiagnostic(a: Analysis): Diagnostic | undefined {
  const view = dimView(a);
  const dims = view.unbound();
  if (dims.length === 0) return undefined;
  const first = a.ir.ops.findIndex((op, i) => !op.cost.unknown && view.figures(i).unbound.length > 0);
  if (first < 0) return undefined;
  const { unbound } = view.waiting();
  const names = dims.map((d) => `${d}`).join(', ');
  return {
    range: a.ir.ops[first].range,
    severity: DiagnosticSeverity.Information,
    source: 'tensorcost',
    message: `The costs of ${unbound} op${unbound === 1 ? '' : 's'} wait for dims ${names}, and rules that need numbers skip them: bind ${dims.length === 1 ? 'it' : 'them'} with a \`${dimsDirective(a, dims)}\` comment, the tensorcost.dims setting or [tool.tensorcost.dims] in pyproject.toml.`,
    data: { unboundDims: dims },
  };
}
