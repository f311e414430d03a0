/**
 * Every rule, by code. Adding a rule means adding its file and one line here; a test checks that
 * this list, the README's rule table and the settings schema in package.json agree.
 */
import { rule as TC001 } from './tc001-invalid-shape-annotation';
import { rule as TC002 } from './tc002-shape-mismatch';
import { Rule } from './types';

export const RULES: readonly Rule[] = [TC001, TC002];

export function findRule(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code.toUpperCase());
}

/** Where each rule's documentation lives (codeDescription.href, SARIF helpUri). */
export const DOCS_BASE = 'https://github.com/tensorcost/tensor-cost/blob/main/docs/rules/';

export function ruleHref(code: string): string {
  const r = findRule(code);
  return `${DOCS_BASE}${code}${r ? '-' + r.name : ''}.md`;
}
