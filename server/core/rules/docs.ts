/**
 * Renders the rule catalogue into the places users read it: one markdown page per rule
 * (docs/rules/CODE-name.md), the README's rule table and the settings schema of package.json.
 * scripts/gen-rule-docs.js writes them; a test renders them again and checks the files agree.
 */
import { RULES } from './registry';
import { Rule } from './types';

export const README_START = '<!-- rules:start -->';
export const README_END = '<!-- rules:end -->';
const SEVERITIES = ['error', 'warning', 'information', 'hint', 'off'];

export function docFileName(r: Rule): string {
  return `${r.code}-${r.name}.md`;
}

export function ruleMarkdown(r: Rule): string {
  const lines = [
    `# ${r.code} ${r.name}`,
    '',
    `Default severity: **${r.defaultSeverity}**. ${r.summary}`,
    '',
    '## What it does',
    '',
    r.docs.what,
    '',
    '## Why is this bad?',
    '',
    r.docs.why,
    '',
    '## Example',
    '',
    '```python',
    r.docs.example,
    '```',
    '',
    '## Use instead',
    '',
    '```python',
    r.docs.useInstead,
    '```',
  ];
  if (r.thresholds?.length) {
    lines.push('', '## Settings', '', '| threshold | default | meaning |', '|---|---|---|');
    for (const t of r.thresholds) lines.push(`| \`${t.key}\` | ${t.default} | ${t.description} |`);
    lines.push('', 'Set them in `tensorcost.thresholds` (VS Code) or `[tool.tensorcost.thresholds]` (pyproject.toml).');
  }
  lines.push(
    '',
    '## Suppressing',
    '',
    `\`# noqa: ${r.code}\` or \`# tensorcost: ignore[${r.code}]\` on the line, \`# tensorcost: ignore-file[${r.code}]\` for the file, or \`ignore = ["${r.code}"]\` / a severity of \`"off"\` in settings.`,
  );
  return lines.join('\n') + '\n';
}

export function readmeTable(rules: readonly Rule[] = RULES): string {
  const rows = rules.map((r) => `| [${r.code}](docs/rules/${docFileName(r)}) | ${r.name} | ${r.defaultSeverity} | ${r.summary.replace(/\|/g, '\\|')} |`);
  return [README_START, '| code | name | default severity | what it flags |', '|---|---|---|---|', ...rows, README_END].join('\n');
}

/** Replaces the marked section of a README (appends one when the markers are missing). */
export function withReadmeTable(readme: string, rules: readonly Rule[] = RULES): string {
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return `${readme.replace(/\n*$/, '\n\n')}## Rules\n\n${readmeTable(rules)}\n`;
  return readme.slice(0, a) + readmeTable(rules) + readme.slice(b + README_END.length);
}

/** The `contributes.configuration.properties` entries the rules own. */
export function settingsSchema(rules: readonly Rule[] = RULES): Record<string, unknown> {
  const ruleProps: Record<string, unknown> = {};
  const thresholdProps: Record<string, unknown> = {};
  for (const r of rules) {
    ruleProps[r.code] = { type: 'string', enum: SEVERITIES, default: r.defaultSeverity, markdownDescription: `**${r.code} ${r.name}**: ${r.summary} Default \`${r.defaultSeverity}\`; \`off\` disables it.` };
    for (const t of r.thresholds ?? []) thresholdProps[t.key] = { type: 'number', default: t.default, markdownDescription: `${t.description} (${r.code} ${r.name})` };
  }
  return {
    'tensorcost.rules': {
      type: 'object',
      default: {},
      scope: 'resource',
      additionalProperties: false,
      properties: ruleProps,
      markdownDescription: 'Severity per rule code (`error`, `warning`, `information`, `hint`) or `off`, e.g. `{"TC101": "warning", "TC303": "off"}`. `tensorcost explain CODE` prints a rule\'s documentation.',
    },
    'tensorcost.select': {
      type: 'array',
      default: [],
      scope: 'resource',
      items: { type: 'string', pattern: '^(ALL|[A-Za-z]+\\d*)$' },
      markdownDescription: 'Only report these rule codes or prefixes (ruff-style), e.g. `["TC1", "TC202"]`. Empty means all.',
    },
    'tensorcost.ignore': {
      type: 'array',
      default: [],
      scope: 'resource',
      items: { type: 'string', pattern: '^(ALL|[A-Za-z]+\\d*)$' },
      markdownDescription: 'Never report these rule codes or prefixes, e.g. `["TC303"]`. Per line: `# noqa: TC101`; per file: `# tensorcost: ignore-file[TC101]`.',
    },
    'tensorcost.thresholds': {
      type: 'object',
      default: {},
      scope: 'resource',
      additionalProperties: false,
      properties: thresholdProps,
      markdownDescription: 'Rule thresholds; each rule\'s documentation says what its keys mean. Also `[tool.tensorcost.thresholds]` in pyproject.toml.',
    },
  };
}
