/** Notebooks as Python: reading .ipynb, blanking IPython syntax, the module and its cell map, positions in the file. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { cellView } from '../../server/engine/notebookCell';
import { NotebookFormatError, RawNotebookPositions, notebookFromJson, notebookModule, parseNotebook, pythonCells } from '../../server/frontends/notebook';
import { blankIPython } from '../../server/frontends/notebook/magics';

const code = (source: string | string[], metadata: object = {}) => ({ cell_type: 'code', execution_count: null, metadata, outputs: [], source });
const md = (source: string) => ({ cell_type: 'markdown', metadata: {}, source });
const nbJson = (cells: object[], metadata: object = { language_info: { name: 'python' } }) => JSON.stringify({ cells, metadata, nbformat: 4, nbformat_minor: 5 }, null, 1);

before(() => initEngine());

describe('reading .ipynb', () => {
  it('takes code cells in order, sources as strings or lists of lines, with their index among all cells', () => {
    const nb = parseNotebook(nbJson([md('# title'), code(['a = 1\n', 'b = 2']), { cell_type: 'raw', metadata: {}, source: 'raw' }, code('c = 3\n')]));
    assert.deepEqual(
      pythonCells(nb).map((c) => [c.index, c.text]),
      [
        [1, 'a = 1\nb = 2'],
        [3, 'c = 3\n'],
      ],
    );
  });

  it('skips the code cells of a notebook in another language, and cells marked as another language', () => {
    assert.deepEqual(pythonCells(parseNotebook(nbJson([code('x <- 1')], { kernelspec: { language: 'R' } }))), []);
    const mixed = parseNotebook(nbJson([code('SELECT 1', { vscode: { languageId: 'sql' } }), code('y = 2')]));
    assert.deepEqual(pythonCells(mixed).map((c) => c.index), [1]);
  });

  it('rejects what is not an nbformat 4 notebook', () => {
    assert.throws(() => parseNotebook('{"cells": '), NotebookFormatError);
    assert.throws(() => parseNotebook('{"worksheets": []}'), NotebookFormatError);
    assert.throws(() => parseNotebook('{"nbformat": 3, "cells": []}'), /nbformat 3/);
  });
});

describe('IPython syntax', () => {
  const blank = (text: string) => blankIPython(text).lines;

  it('blanks line magics, shell lines, their assignments and help, keeping every line', () => {
    assert.deepEqual(blank('%timeit f(x)\n!pip install torch\nfiles = !ls\nt = %timeit -o f()\ntorch.matmul?\n??x\ny = x @ w'), ['', '', '', '', '', '', 'y = x @ w']);
  });

  it('keeps Python that merely looks like it: comparisons, strings, comments, bracket continuations', () => {
    const text = 'ok = a != b\ns = """\n!not a shell line\n%not a magic\n"""\n# what?\nz = f(a,\n      b)';
    assert.deepEqual(blank(text), text.split('\n'));
  });

  it('blanks a magic continued with backslashes, and keeps an indented block valid', () => {
    assert.deepEqual(blank('!pip install \\\n    torch\nfor i in range(3):\n    %time g(i)\nh = 1'), ['', '', 'for i in range(3):', '    pass', 'h = 1']);
  });

  it('keeps the body of %%time but not of %%bash', () => {
    assert.deepEqual(blank('%%time\ny = x @ w'), ['', 'y = x @ w']);
    assert.deepEqual(blank('%%bash\nls -la\necho hi'), ['', '', '']);
    assert.deepEqual(blankIPython('%%time\ny = x @ w').blanked, [0]);
  });
});

describe('the module and its cell map', () => {
  const cells = [
    { index: 1, text: 'import torch\nx = torch.randn(4096, 4096)\nw = torch.randn(4096, 4096)\n', id: 'a' },
    { index: 2, text: '%%time\ny = x @ w', id: 'b' },
    { index: 4, text: 'z = w @ x', id: 'c' },
  ];

  it('lays cells end to end and maps positions both ways', () => {
    const m = notebookModule(cells);
    // The first cell ends with a newline: its last line is empty and counted, as the editor shows it.
    assert.deepEqual(
      m.map.cells.map((c) => [c.index, c.id, c.startLine, c.lineCount]),
      [
        [1, 'a', 0, 4],
        [2, 'b', 4, 2],
        [4, 'c', 6, 1],
      ],
    );
    assert.equal(m.text.split('\n')[5], 'y = x @ w');
    assert.deepEqual(m.map.toCell({ line: 5, character: 4 }), { cell: 2, line: 1, character: 4 });
    assert.deepEqual(m.map.toText(2, { line: 1, character: 4 }), { line: 5, character: 4 });
    assert.deepEqual(m.map.toCell({ line: 6, character: 0 }), { cell: 4, line: 0, character: 0 });
    assert.equal(m.map.toCell({ line: 7, character: 0 }), undefined);
    assert.equal(m.map.toText(2, { line: 2, character: 0 }), undefined);
    assert.equal(m.map.toText(3, { line: 0, character: 0 }), undefined);
  });

  it('analyses the cells as one module: shapes from one cell known in the next, ops at cell positions', () => {
    const m = notebookModule(cells);
    const a = analyzeSource({ path: 'nb.ipynb', text: m.text, languageId: 'python' }, DEFAULT_SETTINGS);
    const at = a.ir.ops.map((op, i) => [m.map.toCell(op.range.start), a.figures[i].flops]);
    assert.deepEqual(at, [
      [{ cell: 2, line: 1, character: 4 }, 2 * 4096 ** 3],
      [{ cell: 4, line: 0, character: 4 }, 2 * 4096 ** 3],
    ]);
    const view = cellView(a, m.map, m.map.byIndex(4)!);
    assert.deepEqual(view.ir.ops.map((o) => o.range), [{ start: { line: 0, character: 4 }, end: { line: 0, character: 9 } }]);
    assert.equal(view.total.flops, 4 * 4096 ** 3, 'a cell shows the notebook total');
  });

  it('blanks the statement that does not parse and keeps the rest of the cell', () => {
    const m = notebookModule([{ index: 0, text: 'import torch\nx = torch.randn(64, 64)\ny1 = x @ x\ny2 = x @ @ x\ny3 = x @ x' }]);
    assert.deepEqual(m.text.split('\n'), ['import torch', 'x = torch.randn(64, 64)', 'y1 = x @ x', '', 'y3 = x @ x']);
  });

  // Measured: laid end to end as they are, each of these broken cells but the first takes the
  // next cell's ops with it (tree-sitter reads them as the rest of the broken statement).
  for (const bad of ['y = (x @ x', 'y = f(x,\n  x', 'def g(a:\n', 'for i in range(3)\n    q = x @ x', 'y = x @', 'z = [x @ x for']) {
    it(`keeps a broken cell (${JSON.stringify(bad)}) from swallowing the cells after it`, () => {
      const broken = [
        { index: 0, text: 'import torch\nx = torch.randn(4096, 4096)' },
        { index: 1, text: bad },
        { index: 2, text: 'z = x @ x\nu = x @ x' },
      ];
      const m = notebookModule(broken);
      const a = analyzeSource({ path: 'nb.ipynb', text: m.text, languageId: 'python' }, DEFAULT_SETTINGS);
      assert.deepEqual(
        a.ir.ops.map((op, i) => [m.map.toCell(op.range.start), a.figures[i].flops]),
        [
          [{ cell: 2, line: 0, character: 4 }, 2 * 4096 ** 3],
          [{ cell: 2, line: 1, character: 4 }, 2 * 4096 ** 3],
        ],
      );
    });
  }

  it('is needed: without blanking, an open call in one cell hides the next cell', () => {
    const text = 'import torch\nx = torch.randn(4096, 4096)\ny = f(x,\n  x\nz = x @ x\nu = x @ x';
    assert.deepEqual(analyzeSource({ path: 'naive.py', text, languageId: 'python' }, DEFAULT_SETTINGS).ir.ops, []);
  });
});

describe('positions in the .ipynb file', () => {
  it('finds a cell position in the JSON string that holds its line, escapes counted', () => {
    const json = nbJson([md('# t'), code(['x = "a\\tb"\n', 'y = é @ w']), code('first\nsecond "q" here')]);
    const lines = json.split('\n');
    const raw = new RawNotebookPositions(json);
    const p = raw.toFile(1, { line: 1, character: 6 })!;
    assert.equal(lines[p.line].slice(p.character, p.character + 3), '@ w');
    const q = raw.toFile(1, { line: 0, character: 9 })!;
    // `"a\tb"` is 6 characters in the cell and 7 in the file (the tab is `\t`).
    assert.equal(lines[q.line].slice(q.character - 1, q.character + 1), 'b\\');
    const r = raw.toFile(2, { line: 1, character: 7 })!;
    assert.equal(lines[r.line].slice(r.character, r.character + 4), '\\"q\\');
    assert.equal(raw.toFile(0, { line: 0, character: 0 })?.line, lines.findIndex((l) => l.includes('# t')));
  });

  it('reads a whole notebook file into its module', () => {
    const m = notebookFromJson(nbJson([md('m'), code('%matplotlib inline\na = 1')]));
    assert.equal(m.text, '\na = 1');
    assert.deepEqual(m.map.cells.map((c) => c.index), [1]);
  });
});
