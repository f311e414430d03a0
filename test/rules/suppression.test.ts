/** Suppression and configuration: noqa, tensorcost ignore comments, select/ignore, severities. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { readPyproject } from '../../server/node/config';
import { analyseText, codes } from './helpers';

const GEMV = (comment = '') => `from jaxtyping import Float16
from torch import Tensor


def decode(x: Float16[Tensor, "8 8192"], w: Float16[Tensor, "8192 8192"]):
    return x @ w${comment}
`;

describe('suppression', () => {
  it('fires without suppression (the control)', async () => {
    assert.deepEqual(codes(await analyseText(GEMV())), ['TC101']);
  });

  for (const [label, comment] of [
    ['# noqa: TC101', '  # noqa: TC101'],
    ['# noqa:TC101 (no space)', '  # noqa:TC101'],
    ['# noqa: E501, TC101 (merged list)', '  # noqa: E501, TC101'],
    ['bare # noqa', '  # noqa'],
    ['# tensorcost: ignore[TC101]', '  # tensorcost: ignore[TC101]'],
    ['bare # tensorcost: ignore', '  # tensorcost: ignore'],
  ]) {
    it(`${label} silences the line`, async () => {
      assert.deepEqual(codes(await analyseText(GEMV(comment))), []);
    });
  }

  it('a noqa for another code does not', async () => {
    assert.deepEqual(codes(await analyseText(GEMV('  # noqa: TC202'))), ['TC101']);
    assert.deepEqual(codes(await analyseText(GEMV('  # noqa: E501'))), ['TC101']);
  });

  it('file-level ignore-file[TC101] and ignore-file', async () => {
    assert.deepEqual(codes(await analyseText('# tensorcost: ignore-file[TC101]\n' + GEMV())), []);
    assert.deepEqual(codes(await analyseText('# tensorcost: ignore-file[TC202]\n' + GEMV())), ['TC101']);
    assert.deepEqual(codes(await analyseText('# tensorcost: ignore-file\n' + GEMV())), []);
  });

  it('select and ignore take codes and prefixes; severity per code, and off', async () => {
    assert.deepEqual(codes(await analyseText(GEMV(), { select: ['TC2'] })), []);
    assert.deepEqual(codes(await analyseText(GEMV(), { select: ['TC1'] })), ['TC101']);
    assert.deepEqual(codes(await analyseText(GEMV(), { select: ['ALL'], ignore: ['TC101'] })), []);
    assert.deepEqual(codes(await analyseText(GEMV(), { ignore: ['TC1'] })), []);
    assert.equal((await analyseText(GEMV(), { rules: { TC101: 'error' } })).findings[0].severity, 'error');
    assert.deepEqual(codes(await analyseText(GEMV(), { rules: { TC101: 'off' } })), []);
  });

  it('[tool.tensorcost] in pyproject.toml: select, ignore, severity, thresholds', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-rules-'));
    const file = path.join(dir, 'pyproject.toml');
    fs.writeFileSync(file, '[tool.tensorcost]\nignore = ["TC3"]\n[tool.tensorcost.severity]\nTC101 = "error"\n[tool.tensorcost.thresholds]\nlowIntensityFactor = 64\n');
    const cfg = readPyproject(file)!;
    assert.deepEqual(cfg.errors, []);
    assert.deepEqual(cfg.settings.ignore, ['TC3']);
    assert.equal(cfg.settings.rules!.TC101, 'error');
    // A factor of 64 puts the line at 295/64 = 4.6 FLOP/B: the 8 FLOP/B GEMV no longer fires.
    assert.deepEqual(codes(await analyseText(GEMV(), cfg.settings)), []);
  });
});
