/**
 * A model configured by name from a table, the name read from the checkpoint's path (gpt-fast's
 * `Transformer.from_name(checkpoint_path.parent.name)` with argparse's `default=Path(...)`): the
 * table's names are matched against the path's folder with a filtered comprehension over the
 * dict, and the longest match wins through `found.sort(key=len, reverse=True)`. On unmodified
 * gpt-fast the run waited for every size of the config (`dim`, `n_elem`...).
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { Analysis } from '../../server/engine/analyze';
import { analyseFolder, ready$, scriptFlops } from './helpers';

const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'config-by-path');

/** One forward of batch 8: `layers` linears dim→hidden, then hidden→dim. */
const forward = (layers: number, dim: number, hidden: number) => layers * 2 * 8 * dim * hidden + 2 * 8 * hidden * dim;

describe('a config named by the checkpoint path', () => {
  let out: Map<string, Analysis>;
  before(async () => {
    await ready$();
    out = analyseFolder(DIR);
  });

  const total = (file: string) => scriptFlops(out, file);

  it('takes the longest table name found in the folder name (Big-7b over 7b)', () => {
    assert.equal(total('generate.py'), forward(2, 256, 512));
  });

  it('follows `/` and `.name` of a path to the one name found', () => {
    assert.equal(total('small.py'), forward(4, 128, 512));
  });
});
