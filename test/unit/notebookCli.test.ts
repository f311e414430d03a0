/** `tensorcost check` on notebooks: text, JSON and SARIF positions in cells, folders with notebooks. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { CLI, REPO } from '../helpers/lspClient';

const EXAMPLE = 'examples/worked-examples.ipynb';

function run(args: string[], cwd = REPO) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('tensorcost check on a notebook', () => {
  it('prints path:cell N:line:col, cells numbered from 1 among all cells', () => {
    const r = run(['check', EXAMPLE, '--table']);
    assert.equal(r.code, 0, r.err);
    const findings = r.out.split('\n').filter((l) => / TC\d{3} /.test(l)).map((l) => l.split(' ').slice(0, 3).join(' '));
    assert.deepEqual(findings, [
      // `y = x @ w` under `%%time` in the fifth cell; x and w come from the fourth.
      `${EXAMPLE}:cell 5:2:5: TC303`,
      `${EXAMPLE}:cell 7:2:14: TC201`,
      // One TC303 for both fp32 GEMMs of the attention function (the other as a related location).
      `${EXAMPLE}:cell 7:2:14: TC303`,
      `${EXAMPLE}:cell 7:3:13: TC202`,
      `${EXAMPLE}:cell 9:7:5: TC401`,
    ]);
    // The --table rows follow the notebook's name and give cell positions.
    // In a pipe the table is fitted to 100 columns: the op kind column gives way first.
    assert.match(r.out, /^cell 5:2:5 +<module> +@ +137 GFLOP +— +192 MiB +683 +compute +2\.05 ms$/m);
    assert.match(r.out, /^cell 7:1 +attention +137,438,953,472/m);
  });

  it('adds "cell" to every JSON position, lines counted in the cell', () => {
    const j = JSON.parse(run(['check', EXAMPLE, '--format', 'json']).out);
    const f = j.files[0];
    assert.equal(f.notebook, true);
    assert.deepEqual(f.ops[0].range, { start: { cell: 5, line: 1, character: 4 }, end: { cell: 5, line: 1, character: 9 } });
    assert.equal(f.ops[0].flops, 2 * 4096 ** 3);
    const tc202 = f.diagnostics.find((d: any) => d.code === 'TC202');
    assert.deepEqual(tc202.range.start, { cell: 7, line: 2, character: 12 });
    assert.deepEqual(f.functions.find((x: any) => x.name === 'attention').range.start, { cell: 7, line: 0, character: 0 });
  });

  it('places SARIF results in the .ipynb text, with the cell in the location properties', () => {
    const sarif = JSON.parse(run(['check', EXAMPLE, '--format', 'sarif']).out);
    const lines = fs.readFileSync(path.join(REPO, EXAMPLE), 'utf8').split('\n');
    const result = sarif.runs[0].results.find((x: any) => x.ruleId === 'TC202');
    const loc = result.locations[0];
    assert.equal(loc.physicalLocation.artifactLocation.uri, EXAMPLE);
    const reg = loc.physicalLocation.region;
    // The region is the op's text inside the JSON string of its line.
    assert.equal(lines[reg.startLine - 1].slice(reg.startColumn - 1, reg.endColumn - 1), 'torch.softmax(scores, dim=-1)');
    assert.deepEqual(loc.properties, { notebookCell: 7, cellRegion: { startLine: 3, startColumn: 13, endLine: 3, endColumn: 42 }, regionIn: 'ipynb-json' });
  });

  it('walks folders for notebooks and skips files that are not notebooks, saying so', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-nb-'));
    fs.copyFileSync(path.join(REPO, EXAMPLE), path.join(dir, 'a.ipynb'));
    fs.writeFileSync(path.join(dir, 'b.ipynb'), '{"not": "a notebook"}');
    fs.writeFileSync(path.join(dir, 'c.py'), 'import torch\nz = torch.randn(8, 8) @ torch.randn(8, 8)\n');
    const r = run(['check', dir, '--format', 'json']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /skipping .*b\.ipynb: not a notebook/);
    const j = JSON.parse(r.out);
    assert.deepEqual(j.files.map((f: any) => path.basename(f.path)), ['a.ipynb', 'c.py']);
    assert.equal(j.files[1].notebook, undefined);
    assert.deepEqual(j.files[1].ops[0].range.start, { line: 1, character: 4 });
  });

  it('is part of `tensorcost check examples` (npm start)', () => {
    assert.match(run(['check', 'examples']).out, /worked-examples\.ipynb:cell 7:3:13: TC202/);
  });
});
