/**
 * Every rule, by code. Adding a rule means adding its file and one line here; a test checks that
 * this list, the README's rule table and the settings schema in package.json agree.
 */
import { rule as TC000 } from './tc000-file-not-analysed';
import { rule as TC001 } from './tc001-invalid-shape-annotation';
import { rule as TC002 } from './tc002-shape-mismatch';
import { rule as TC101 } from './tc101-low-intensity-gemm';
import { rule as TC102 } from './tc102-small-batch-gemm';
import { rule as TC103 } from './tc103-unbatched-loop-matmul';
import { rule as TC201 } from './tc201-quadratic-attention-memory';
import { rule as TC202 } from './tc202-manual-attention';
import { rule as TC301 } from './tc301-fp16-without-loss-scaling';
import { rule as TC302 } from './tc302-fp16-overflow-risk';
import { rule as TC303 } from './tc303-fp32-where-tensor-cores-idle';
import { rule as TC401 } from './tc401-naive-convolution-loops';
import { rule as TC402 } from './tc402-im2col-memory';
import { rule as TC501 } from './tc501-non-contiguous-operand';
import { rule as TC502 } from './tc502-strided-traversal';
import { rule as TC601 } from './tc601-allreduce-dominates';
import { rule as TC602 } from './tc602-linear-scaling-assumption';
import { rule as TC603 } from './tc603-uncompressed-gradient-sync';
import { Rule } from './types';

export const RULES: readonly Rule[] = [
  TC000,
  TC001,
  TC002,
  TC101,
  TC102,
  TC103,
  TC201,
  TC202,
  TC301,
  TC302,
  TC303,
  TC401,
  TC402,
  TC501,
  TC502,
  TC601,
  TC602,
  TC603,
];

export function findRule(code: string): Rule | undefined {
  return RULES.find((r) => r.code === code.toUpperCase());
}

/** Where each rule's documentation lives (codeDescription.href, SARIF helpUri). */
export const DOCS_BASE = 'https://github.com/tensorcost/tensor-cost/blob/main/docs/rules/';

export function ruleHref(code: string): string {
  const r = findRule(code);
  return `${DOCS_BASE}${code}${r ? '-' + r.name : ''}.md`;
}
