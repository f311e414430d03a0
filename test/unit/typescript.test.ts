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

  it('costs tf.conv2d (NHWC, TF "same" with stride 2) and tf.einsum through the core rules', () => {
    const a = analyzeSource({ path: 'c.ts', languageId: 'typescript', text: src('function net() {\n  const x = tf.zeros([1, 224, 224, 3]);\n  const k = tf.randomNormal([7, 7, 3, 64]);\n  const y = tf.conv2d(x, k, 2, "same");\n  return tf.einsum("bij,bjk->bik", tf.ones([8, 16, 32]), tf.ones([8, 32, 4]));\n}') }, DEFAULT_SETTINGS);
    const [conv, ein] = a.ir.ops;
    assert.deepEqual(conv.output.shape!.map((d) => d.constValue()), [1, 112, 112, 64]);
    // ResNet's stem: 2·64·3·7·7·112·112.
    assert.equal(a.figures[0].flops, 236_027_904);
    assert.equal(ein.kind, 'einsum');
    assert.equal(a.figures[1].flops, 2 * 8 * 16 * 32 * 4);
  });

  it('reports malformed directives as TC001 and never throws on odd input', () => {
    const a = analyzeSource({ path: 'm.js', languageId: 'javascript', text: '// tensorcost: shape x=(B, T+)\nconst y = tf.matMul(x, ;;; {' }, DEFAULT_SETTINGS);
    assert.deepEqual(a.findings.map((f) => f.code), ['TC001']);
  });
});
