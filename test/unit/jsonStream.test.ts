/**
 * The CLI's JSON is written in chunks (cli/format/jsonStream.ts): the text must be exactly what
 * `JSON.stringify(value, null, 2)` gives, whatever the value holds at the levels it walks itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { streamJson } from '../../server/cli/format/jsonStream';

function streamed(value: unknown): { text: string; chunks: number } {
  const chunks: string[] = [];
  streamJson(value, (c) => chunks.push(c));
  return { text: chunks.join(''), chunks: chunks.length };
}

describe('streamJson', () => {
  it('writes what JSON.stringify(value, null, 2) writes', () => {
    const values: unknown[] = [
      1,
      'a\n"b"',
      null,
      true,
      [],
      {},
      [[], {}, [[]], { a: [] }],
      { a: undefined, b: () => 1, c: Symbol('s'), d: 1 },
      { a: undefined },
      [undefined, () => 1, Symbol('s'), NaN, Infinity, -0],
      { when: new Date(0), n: new Number(3), s: new String('x'), m: new Map([[1, 2]]) },
      { nested: { deeper: { deepest: { leaf: [1, { x: 'y\n z' }, [2, [3]]] } } } },
      { toJSON: () => ({ replaced: [1, 2] }) },
      { a: { toJSON: (k: string) => `key ${k}` }, list: [{ toJSON: (k: string) => [k] }] },
      { a: { toJSON: () => undefined }, b: [{ toJSON: () => undefined }] },
      { 'quoted "key"\n': 1, é: 'ü', '\u2028': '\ud800' },
      Object.assign(Object.create(null), { bare: [1] }),
      { files: [{ path: 'a.py', ops: Array.from({ length: 50 }, (_, i) => ({ i, figures: { flops: i * 2, text: `op ${i}` } })), findings: [] }] },
    ];
    for (const v of values) assert.equal(streamed(v).text, JSON.stringify(v, null, 2), JSON.stringify(v));
    assert.equal(streamed(undefined).text, '');
  });

  it('hands a large report over in chunks, not as one string', () => {
    const report = { files: [{ ops: Array.from({ length: 20_000 }, (_, i) => ({ i, name: `op${i}`, figures: { flops: i } })) }] };
    const { text, chunks } = streamed(report);
    assert.equal(text, JSON.stringify(report, null, 2));
    assert.ok(chunks > 10, `${chunks} chunks for ${text.length} characters`);
  });
});
