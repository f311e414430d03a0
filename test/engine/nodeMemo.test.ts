/**
 * The memo of tree-sitter node reads (server/frontends/python/nodeMemo.ts): a field child is the
 * same object each time, and nothing remembered survives a document update that moves or edits
 * kept nodes.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { initEngine } from '../../server/engine/analyze';
import { PythonDocument } from '../../server/frontends/python/document';
import { rememberStructure } from '../../server/frontends/python/nodeMemo';

describe('node memo', () => {
  before(async () => {
    await initEngine();
  });

  it('gives the same field child object on every read', () => {
    rememberStructure(true);
    const doc = new PythonDocument('y = x @ w\n');
    const assign = doc.statements[0]!.namedChildren[0]!;
    const right = assign.childForFieldName('right');
    assert.ok(right);
    assert.equal(assign.childForFieldName('right'), right);
    assert.equal(right.type, 'binary_operator');
    assert.equal(assign.childForFieldName('nonexistent'), null);
    assert.equal(right.namedChild(0)?.text, 'x');
    assert.equal(right.namedChild(5), null);
    doc.delete();
  });

  it('reads kept nodes afresh after an edit moves them', () => {
    const doc = new PythonDocument('a = 1\nz = 0\nw = 0\nb = foo(2)\n');
    const kept = doc.statements[3]!;
    // Read (and so remember) the kept statement's end and a field child below it.
    assert.equal(kept.endIndex, 28);
    const call = kept.namedChildren[0]!.childForFieldName('right')!;
    assert.equal(call.text, 'foo(2)');
    doc.update('a = 100\nz = 0\nw = 0\nb = foo(2)\n');
    // Only the edited statement was parsed again; the kept one is the same object, moved by 2.
    assert.equal(doc.lastUpdate, 'chunks');
    assert.equal(doc.statements[3], kept);
    assert.equal(kept.endIndex, 30);
    const moved = kept.namedChildren[0]!.childForFieldName('right')!;
    assert.equal(moved.startIndex, 24);
    assert.equal(moved.text, 'foo(2)');
    doc.delete();
  });

  it('remembers short texts and end points within an epoch and reads them afresh after an update', () => {
    const doc = new PythonDocument('a = 1\nz = 0\nw = 0\nbb = foo(2)\n');
    const kept = doc.statements[3]!;
    const left = kept.namedChildren[0]!.childForFieldName('left')!;
    assert.equal(left.text, 'bb');
    assert.equal(left.text, 'bb');
    assert.deepEqual(kept.endPosition, { row: 3, column: 11 });
    // The statement above grows by a line: the kept statement moves down, its end with it, and
    // its texts are cut from the new source.
    doc.update('a = (1,\n     2)\nz = 0\nw = 0\nbb = foo(2)\n');
    assert.equal(doc.lastUpdate, 'chunks');
    assert.equal(doc.statements[3], kept);
    assert.deepEqual(kept.endPosition, { row: 4, column: 11 });
    assert.equal(kept.namedChildren[0]!.childForFieldName('left')!.text, 'bb');
    assert.equal(kept.namedChildren[0]!.childForFieldName('right')!.text, 'foo(2)');
    assert.equal(doc.statements[0]!.text, 'a = (1,\n     2)');
    doc.delete();
  });

  it('leaves field children unremembered while code that runs once is read, and says what it was', () => {
    const doc = new PythonDocument('y = x @ w\n');
    const assign = doc.statements[0]!.namedChildren[0]!;
    assert.equal(rememberStructure(false), true);
    const right = assign.childForFieldName('right')!;
    // A new node object per read, as web-tree-sitter gives: nothing below it is kept alive.
    assert.notEqual(assign.childForFieldName('right'), right);
    assert.equal(right.type, 'binary_operator');
    assert.equal(right.childForFieldName('left')?.text, 'x');
    assert.equal(rememberStructure(true), false);
    const again = assign.childForFieldName('right')!;
    assert.equal(assign.childForFieldName('right'), again);
    doc.delete();
  });
});
