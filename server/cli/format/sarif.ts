/**
 * SARIF 2.1.0 for GitHub code scanning: rule metadata (short and full descriptions, help text and
 * markdown, helpUri, default level), results with 1-based regions, related locations, and a
 * partial fingerprint that survives lines moving (code, file, function-free message).
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Range } from '../../core/ir';
import { RULES, ruleHref } from '../../core/rules/registry';
import { Analysis } from '../../engine/analyze';
import { NotebookInput, notebookSarifRegion } from '../notebook';

const LEVEL = { error: 'error', warning: 'warning', information: 'note', hint: 'note' } as const;

/** SARIF regions are 1-based; LSP ranges are 0-based with an exclusive end, as SARIF's endColumn. */
function region(r: Range) {
  return { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 };
}

function fingerprint(code: string, uri: string, message: string, seen: Map<string, number>): string {
  // Numbers change with settings (dims, device); the fingerprint keeps the words only.
  const key = `${code}\0${uri}\0${message.replace(/[\d.,]+/g, '#')}`;
  const n = (seen.get(key) ?? 0) + 1;
  seen.set(key, n);
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}:${n}`;
}

/**
 * A SARIF artifact URI: a relative path as a URI reference with each segment percent-encoded
 * (a space, `#`, `%` or `:` in a file name would otherwise make another URI or none), an
 * absolute one as a file: URI.
 */
export function artifactUri(p: string): string {
  if (path.isAbsolute(p)) return pathToFileURL(p).href;
  return p.split(/[\\/]/).map(encodeURIComponent).join('/');
}

/** `notebookOf` gives the notebook an analysis was made from: its regions are then in the .ipynb file's text. */
export function toSarif(analyses: Analysis[], rel: (p: string) => string, notebookOf: (a: Analysis) => NotebookInput | undefined = () => undefined) {
  const version = require('../../../../package.json').version as string;
  const seen = new Map<string, number>();
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
            semanticVersion: version,
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
              properties: { tags: ['performance', r.code.startsWith('TC0') ? 'correctness' : 'efficiency'], precision: 'medium' },
            })),
          },
        },
        results: analyses.flatMap((a) => {
          const uri = artifactUri(rel(a.ir.path));
          const nb = notebookOf(a);
          const place = (r: Range) => {
            if (!nb) return { physicalLocation: { artifactLocation: { uri }, region: region(r) } };
            const n = notebookSarifRegion(nb, r);
            return { physicalLocation: { artifactLocation: { uri }, ...(n.region ? { region: n.region } : {}) }, ...(n.properties ? { properties: n.properties } : {}) };
          };
          return a.findings.map((f) => {
            const index = RULES.findIndex((r) => r.code === f.code);
            return {
              ruleId: f.code,
              ...(index >= 0 ? { ruleIndex: index } : {}),
              level: LEVEL[f.severity],
              message: { text: f.message },
              locations: [place(f.range)],
              ...(f.related?.length
                ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, message: { text: r.message }, ...place(r.range) })) }
                : {}),
              partialFingerprints: { 'tensorcostFinding/v1': fingerprint(f.code, uri, f.message, seen) },
            };
          });
        }),
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
