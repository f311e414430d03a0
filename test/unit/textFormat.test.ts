/** The text output's decisions about its terminal: width, colour, and a table that fits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitTable, Row } from '../../server/cli/format/fitTable';
import { detectTerminal, PIPE_WIDTH, styles } from '../../server/cli/format/terminal';

describe('detectTerminal', () => {
  it('never colours a pipe, and uses COLUMNS or a fixed width there', () => {
    assert.deepEqual(detectTerminal({ isTTY: false }, {}), { width: PIPE_WIDTH, color: false });
    assert.deepEqual(detectTerminal({}, { COLUMNS: '72' }), { width: 72, color: false });
  });

  it('colours a terminal unless NO_COLOR is set to something, and takes its width', () => {
    assert.deepEqual(detectTerminal({ isTTY: true, columns: 132 }, {}), { width: 132, color: true });
    assert.equal(detectTerminal({ isTTY: true, columns: 132 }, { NO_COLOR: '1' }).color, false);
    // no-color.org: an empty NO_COLOR does not disable colour.
    assert.equal(detectTerminal({ isTTY: true, columns: 132 }, { NO_COLOR: '' }).color, true);
  });

  it('styles are the identity without colour', () => {
    assert.equal(styles(false).red('TC002'), 'TC002');
    assert.equal(styles(true).red('TC002'), '\x1b[31mTC002\x1b[39m');
  });
});

describe('fitTable', () => {
  const columns = [
    { header: 'line' },
    { header: 'function', shrink: { min: 8 } },
    { header: 'kind', drop: 2 },
    { header: 'FLOPs', align: 'right' as const },
    { header: 'note', drop: 1 },
  ];
  const rows: Row[] = [
    { heading: 'examples/models/a-rather-long-file-name.py' },
    { cells: ['12', 'SelfAttention.forward', 'linear', '6.44 GFLOP', 'fp32 on SIMT units'] },
    { cells: ['130', 'f', 'elementwise', '—', ''] },
  ];

  it('keeps every column at its natural width when there is room', () => {
    const lines = fitTable(columns, rows, 200);
    assert.equal(lines[0], 'line  function               kind              FLOPs  note');
    assert.equal(lines[3], '12    SelfAttention.forward  linear       6.44 GFLOP  fp32 on SIMT units');
  });

  it('cuts free text to its minimum, then leaves out columns by rank, and never exceeds the width', () => {
    for (let width = 30; width <= 80; width++) {
      const lines = fitTable(columns, rows, width);
      for (const l of lines) assert.ok([...l].length <= width, `${width}: ${l}`);
    }
    const narrow = fitTable(columns, rows, 40);
    assert.equal(narrow[0], 'line  function                    FLOPs');
    const narrower = fitTable(columns, rows, 30);
    assert.equal(narrower[3], '12    SelfAttenti…  6.44 GFLOP');
  });
});
