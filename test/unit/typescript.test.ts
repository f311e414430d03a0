import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';

const src = (body: string) => `import * as tf from '@tensorflow/tfjs';\n${body}\n`;

describe('TypeScript / TF.js frontend', () => {
  before(() => initEngine());

  it('costs tf.matMul with shapes from constructors and constants', () => {
    const a = analyzeSource({ path: 'm.ts', languageId: 'typescript', text: src('const M = 512;\nfunction f() {\n  const a = tf.randomNormal([M, 256]);\n  const b = tf.zeros([256, 128], "float32");\n  return tf.matMul(a, b);\n}') }, DEFAULT_SETTINGS);
    assert.equal(a.ir.ops.length, 1);
    assert.equal(a.figures[0].flops, 2 * 512 * 256 * 128);
    assert.equal(a.functions[0].summary.name, 'f');
  });

  it('honours transpose flags and shape directives, and flags mismatches', () => {
    const a = analyzeSource({ path: 'm.ts', languageId: 'typescript', text: src('// tensorcost: shape q=(L, 64) k=(L, 64)\n// tensorcost: dims L=2048\nfunction att(q: tf.Tensor, k: tf.Tensor) {\n  return tf.matMul(q, k, false, true);\n}\nfunction bad() {\n  const x = tf.ones([8, 3]);\n  return x.matMul(tf.ones([4, 8]));\n}') }, DEFAULT_SETTINGS);
    assert.equal(a.figures[0].flops, 2 * 2048 * 64 * 2048);
    assert.deepEqual(a.findings.map((f) => f.code), ['TC002']);
    assert.equal(a.findings[0].range.start.line, 8);
  });

  it('reports malformed directives as TC001 and never throws on odd input', () => {
    const a = analyzeSource({ path: 'm.js', languageId: 'javascript', text: '// tensorcost: shape x=(B, T+)\nconst y = tf.matMul(x, ;;; {' }, DEFAULT_SETTINGS);
    assert.deepEqual(a.findings.map((f) => f.code), ['TC001']);
  });
});
