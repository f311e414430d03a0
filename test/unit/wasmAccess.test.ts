import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fastTransferAccess } from '../../server/frontends/python/wasmAccess';
import { initPython, parsePython } from '../../server/frontends/python/parser';

describe('transfer buffer access', () => {
  it('reads and writes i32 through the current view, and leaves other types to the originals', () => {
    const calls: string[] = [];
    const mod = {
      HEAP32: new Int32Array(8),
      setValue: (ptr: number, value: number, type?: string) => void calls.push(`set ${ptr} ${value} ${type}`),
      getValue: (ptr: number, type?: string) => (calls.push(`get ${ptr} ${type}`), -1),
    };
    assert.equal(fastTransferAccess(mod), true);
    mod.setValue(8, 42, 'i32');
    assert.equal(mod.HEAP32[2], 42);
    assert.equal(mod.getValue(8, 'i32'), 42);
    // The memory grew: Emscripten made a new view, which the accessors must use.
    mod.HEAP32 = new Int32Array(16);
    mod.setValue(60, 7, 'i32');
    assert.equal(mod.HEAP32[15], 7);
    mod.setValue(3, 1, 'i8');
    assert.equal(mod.getValue(4, 'float'), -1);
    assert.deepEqual(calls, ['set 3 1 i8', 'get 4 float']);
  });

  it('is not installed on a module that lacks what it needs', () => {
    assert.equal(fastTransferAccess({ setValue: () => undefined }), false);
  });

  it('parses and reads nodes the same with it in place', async () => {
    await initPython();
    const tree = parsePython('def f(x: int, y=3):\n    return x @ y\n');
    const fn = tree.rootNode.namedChild(0)!;
    assert.equal(fn.childForFieldName('name')?.text, 'f');
    assert.deepEqual(fn.childForFieldName('parameters')?.namedChildren.map((p) => p?.type), ['typed_parameter', 'default_parameter']);
    assert.deepEqual(fn.childForFieldName('body')?.endPosition, { row: 1, column: 16 });
    tree.delete();
  });
});
