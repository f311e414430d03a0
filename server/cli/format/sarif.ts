/** SARIF 2.1.0 for GitHub code scanning: rule metadata with help text, results with locations. */
import { RULES, ruleHref } from '../../core/rules/registry';
import { Analysis } from '../../engine/analyze';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

export function toSarif(analyses: Analysis[], rel: (p: string) => string) {
  const version = require('../../../../package.json').version as string;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'tensorcost',
            informationUri: 'https://github.com/tensorcost/tensor-cost',
            version,
            rules: RULES.map((r) => ({
              id: r.code,
              name: r.name,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.docs.what },
              helpUri: ruleHref(r.code),
              help: {
                text: `${r.docs.what}\n\nWhy is this bad?\n${r.docs.why}\n\nExample:\n${r.docs.example}\n\nUse instead:\n${r.docs.useInstead}`,
                markdown: `**What it does**\n\n${r.docs.what}\n\n**Why is this bad?**\n\n${r.docs.why}\n\n**Example**\n\n\`\`\`python\n${r.docs.example}\n\`\`\`\n\n**Use instead**\n\n\`\`\`python\n${r.docs.useInstead}\n\`\`\``,
              },
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
            })),
          },
        },
        results: analyses.flatMap((a) =>
          a.findings.map((f) => ({
            ruleId: f.code,
            ruleIndex: Math.max(0, RULES.findIndex((r) => r.code === f.code)),
            level: LEVEL[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: rel(a.ir.path).split('\\').join('/') },
                  // SARIF lines and columns are 1-based; LSP ranges are 0-based.
                  region: { startLine: f.range.start.line + 1, startColumn: f.range.start.character + 1, endLine: f.range.end.line + 1, endColumn: f.range.end.character + 1 },
                },
              },
            ],
            relatedLocations: (f.related ?? []).map((r, i) => ({
              id: i,
              message: { text: r.message },
              physicalLocation: { artifactLocation: { uri: rel(a.ir.path) }, region: { startLine: r.range.start.line + 1, startColumn: r.range.start.character + 1 } },
            })),
          })),
        ),
      },
    ],
  };
}
