/**
 * `pathlib.Path` values (builtins/paths.ts) and `list.sort`'s order (sequences.ts `sortedOrder`),
 * against what CPython gives: the expected texts below are PurePosixPath's and `sorted`'s output
 * for the same inputs (Python 3.12).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Poly } from '../../server/core/symbolic';
import { joinPath, pathAttribute, pathValue } from '../../server/frontends/python/builtins/paths';
import { sortedOrder } from '../../server/frontends/python/sequences';
import type { Value } from '../../server/frontends/python/values';

const text = (v: Value | undefined): string => {
  assert.ok(v?.kind === 'str', `a string, got ${JSON.stringify(v)}`);
  return v.value;
};

describe('pathlib.Path', () => {
  // [input, str(p), p.name, str(p.parent), p.suffix, p.stem]
  const cases: [string, string, string, string, string, string][] = [
    ['checkpoints/meta/Llama-2-7b/model.pth', 'checkpoints/meta/Llama-2-7b/model.pth', 'model.pth', 'checkpoints/meta/Llama-2-7b', '.pth', 'model'],
    ['a//b/./c/', 'a/b/c', 'c', 'a/b', '', 'c'],
    ['/', '/', '', '/', '', ''],
    ['//x/y', '//x/y', 'y', '//x', '', 'y'],
    ['.', '.', '', '.', '', ''],
    ['', '.', '', '.', '', ''],
    ['model.', 'model.', 'model.', '.', '', 'model.'],
    ['.bashrc', '.bashrc', '.bashrc', '.', '', '.bashrc'],
    ['a/b.tar.gz', 'a/b.tar.gz', 'b.tar.gz', 'a', '.gz', 'b.tar'],
    ['/abs', '/abs', 'abs', '/', '', 'abs'],
  ];
  for (const [input, str, name, parent, suffix, stem] of cases) {
    it(`reads Path(${JSON.stringify(input)}) as Python does`, () => {
      const p = pathValue(input);
      assert.equal(text(p), str);
      assert.equal(p.kind === 'str' && p.path, true);
      assert.equal(text(pathAttribute(str, 'name')), name);
      assert.equal(text(pathAttribute(str, 'parent')), parent);
      assert.equal(text(pathAttribute(str, 'suffix')), suffix);
      assert.equal(text(pathAttribute(str, 'stem')), stem);
    });
  }

  it('joins with `/`, an absolute right side replacing the left', () => {
    assert.equal(text(joinPath('a/b', 'c')), 'a/b/c');
    assert.equal(text(joinPath('a/b', '/c')), '/c');
    assert.equal(text(joinPath('.', 'x')), 'x');
  });

  it('leaves other attributes to the methods', () => {
    assert.equal(pathAttribute('a/b', 'exists'), undefined);
  });
});

describe('list.sort', () => {
  const str = (value: string): Value => ({ kind: 'str', value });
  const num = (n: number): Value => ({ kind: 'int', value: Poly.const(n) });

  it('orders strings by code point and numbers by value, as sorted() does', () => {
    const words = ['b', 'B', 'a'];
    assert.deepEqual(sortedOrder(words.map(str), false)!.map((i) => words[i]), ['B', 'a', 'b']);
    const ns = [3, 1, 2];
    assert.deepEqual(sortedOrder(ns.map(num), false)!.map((i) => ns[i]), [1, 2, 3]);
  });

  it('keeps equal keys in their order when reversed (sorted(key=len, reverse=True))', () => {
    const names = ['7b', 'Big-7b', 'xy'];
    assert.deepEqual(sortedOrder(names.map((n) => num(n.length)), true)!.map((i) => names[i]), ['Big-7b', '7b', 'xy']);
  });

  it('cannot order keys that are not constants, or that mix numbers and strings', () => {
    assert.equal(sortedOrder([num(1), { kind: 'int', value: Poly.sym('n') }], false), undefined);
    assert.equal(sortedOrder([num(1), str('a')], false), undefined);
  });
});
