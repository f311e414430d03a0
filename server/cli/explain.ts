/** `tensorcost explain CODE`: a rule's documentation, ruff-style. */
import { RULES, findRule, ruleHref } from '../core/rules/registry';

export function explainText(code: string): string | undefined {
  const r = findRule(code);
  if (!r) return undefined;
  const thresholds = (r.thresholds ?? []).map((t) => `  ${t.key} (default ${t.default}): ${t.description}`).join('\n');
  return [
    `${r.code} ${r.name} (default severity: ${r.defaultSeverity})`,
    '',
    '## What it does',
    r.docs.what,
    '',
    '## Why is this bad?',
    r.docs.why,
    '',
    '## Example',
    r.docs.example,
    '',
    '## Use instead',
    r.docs.useInstead,
    ...(thresholds ? ['', '## Settings', thresholds] : []),
    '',
    `Documentation: ${ruleHref(r.code)}`,
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const code = argv[0];
  if (!code || code === '--help' || code === '-h') {
    process.stdout.write(`Usage: tensorcost explain CODE\n\nCodes: ${RULES.map((r) => r.code).join(', ')}\n`);
    return code ? 0 : 2;
  }
  const text = explainText(code);
  if (!text) {
    process.stderr.write(`tensorcost explain: unknown rule '${code}'. Known: ${RULES.map((r) => r.code).join(', ')}\n`);
    return 2;
  }
  process.stdout.write(text + '\n');
  return 0;
}
