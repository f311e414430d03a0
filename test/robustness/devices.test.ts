/**
 * Device data from outside the catalogue (settings, pyproject.toml, the calibration file) is
 * validated, and the roofline picture terminates whatever figures it is given. A custom device
 * with `bandwidth: 0` once made the drawing loop run forever: any hover pinned a core and the
 * server stopped answering, even `shutdown`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { checkDevice, checkDevices } from '../../server/core/deviceCheck';
import { DEVICES } from '../../server/core/devices';
import { settingsFromTable } from '../../server/node/config';
import { loadCalibration } from '../../server/node/localDevice';
import { fromClient, settingsProblems } from '../../server/lsp/settings';
import { startServer } from '../helpers/lspClient';
import { at, MODEL, MODEL_URI } from '../lsp/fixture';

const ROOFLINE = path.resolve(__dirname, '..', '..', 'server', 'lsp', 'features', 'hoverRoofline.js');

/**
 * Draws a chart in a child process with a time limit: an endless synchronous loop cannot be
 * interrupted in this process, so the test would hang instead of failing.
 */
function drawBounded(chart: object): { svg?: string; timedOut: boolean } {
  const script = `const { rooflineSvg } = require(${JSON.stringify(ROOFLINE)});
    process.stdout.write(rooflineSvg(JSON.parse(process.argv[1], (k, v) => (v === 'NaN' ? NaN : v === 'Inf' ? Infinity : v === '-Inf' ? -Infinity : v))));`;
  const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(chart)], { timeout: 5000, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error || r.signal) return { timedOut: true };
  assert.equal(r.status, 0, r.stderr);
  return { svg: r.stdout, timedOut: false };
}

const ceilings = (peak: number | string) => [{ label: 'fp32', peak }, { label: 'fp16', peak: 1e15 }];

describe('the roofline drawing is bounded', () => {
  const cases: [string, number | string, number | string, object[]][] = [
    ['zero bandwidth', 0, 1e14, []],
    ['tiny bandwidth', 1e-300, 1e14, []],
    ['huge bandwidth', 1e300, 1e14, []],
    ['NaN bandwidth', 'NaN', 1e14, []],
    ['infinite bandwidth', 'Inf', 1e14, []],
    ['negative bandwidth', -5, 1e14, []],
    ['zero peak', 3e12, 0, []],
    ['huge peak', 3e12, 1e308, []],
    ['points far apart', 3e12, 1e14, [{ intensity: 1e-300, rate: 1e-300, kind: 'predicted' }, { intensity: 1e300, rate: 1e300, kind: 'measured' }]],
    ['non-finite points', 3e12, 1e14, [{ intensity: 'NaN', rate: 'Inf', kind: 'predicted' }, { intensity: 0, rate: -1, kind: 'predicted' }]],
  ];
  for (const [name, bandwidth, peak, points] of cases) {
    it(`draws with ${name}`, { timeout: 20_000 }, () => {
      const r = drawBounded({ bandwidth, ceilings: ceilings(peak), ridgePeak: peak, points, width: 760, height: 440, labels: true });
      assert.equal(r.timedOut, false, 'the drawing did not finish in 5 s');
      assert.match(r.svg!, /^<svg [\s\S]*<\/svg>$/);
      assert.doesNotMatch(r.svg!, /NaN|Infinity/, 'no NaN or Infinity coordinates');
      // One grid line per decade on each axis, at most MAX_DECADES + 1 each.
      assert.ok((r.svg!.match(/<line /g) ?? []).length <= 2 * 25 + 1, 'bounded number of grid lines');
    });
  }
});

describe("the roofline view's chart is bounded", () => {
  it('draws a report whose device has a zero bandwidth and whose ops have absurd figures', { timeout: 20_000 }, () => {
    const html = path.resolve(__dirname, '..', '..', 'client', 'rooflineHtml.js');
    const op = (intensity: number, flops: number, timeSeconds: number) => ({ index: 0, kind: 'matmul', name: '@', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, function: null, flops, otherFlops: 0, bytes: 1, intensity, bound: 'compute', timeSeconds, codes: [], unbound: [], severity: null });
    const report = { uri: 'file:///x.py', version: 1, device: { id: 'x', name: 'x', peak: 1e14, bandwidth: 0, ridge: Infinity, dtype: 'fp32' }, ops: [op(1e300, 1e300, 1e-300), op(1e-300, 1, 1e300)], totals: { flops: null, otherFlops: null, bytes: null, timeSeconds: null } };
    const script = `const { chartSvg } = require(${JSON.stringify(html)}); process.stdout.write(chartSvg(JSON.parse(process.argv[1]), []).svg);`;
    const r = spawnSync(process.execPath, ['-e', script, JSON.stringify(report)], { timeout: 5000, encoding: 'utf8' });
    assert.equal(r.signal, null, 'the chart did not finish in 5 s');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^<svg [\s\S]*<\/svg>$/);
    assert.doesNotMatch(r.stdout, /NaN|Infinity/);
  });
});

describe('device validation', () => {
  it('accepts every catalogue device', () => {
    for (const d of DEVICES) assert.deepEqual(checkDevice(d, d.id).errors, [], d.id);
  });

  it('refuses zero, negative, non-finite and absurd figures with a message naming the field', () => {
    const good = { id: 'mine', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 1e12 };
    const cases: [object, RegExp][] = [
      [{ ...good, bandwidth: 0 }, /bandwidth must be .* got 0/],
      [{ ...good, bandwidth: -1e12 }, /bandwidth/],
      [{ ...good, bandwidth: NaN }, /bandwidth .* got NaN/],
      [{ ...good, bandwidth: 1e300 }, /bandwidth/],
      [{ ...good, bandwidth: '1e12' }, /bandwidth .* got "1e12"/],
      [{ ...good, peak: { fp32: 1e13, fp16: Infinity } }, /peak\.fp16/],
      [{ ...good, peak: { fp32: 1e-300, fp16: 1e14 } }, /peak\.fp32/],
      [{ ...good, peak: { fp32: 1e13 } }, /peak\.fp16/],
      [{ ...good, peak: undefined }, /peak must be/],
      [{ ...good, sms: 0 }, /sms/],
      [{ ...good, sms: 1.5 }, /sms/],
      [{ ...good, memoryBytes: -1 }, /memoryBytes/],
      [{ ...good, id: '' }, /id must be/],
      [{ ...good, id: 'a\u001b[2Jb' }, /id must be/],
      [{ ...good, name: 'x'.repeat(500) }, /name must be/],
    ];
    for (const [raw, message] of cases) {
      const c = checkDevice(raw, 'here');
      assert.equal(c.device, undefined, JSON.stringify(raw));
      assert.match(c.errors.join('\n'), message);
      assert.match(c.errors[0], /^here: /);
    }
    const ok = checkDevice(good, 'here');
    assert.deepEqual(ok.errors, []);
    assert.deepEqual(ok.device, { id: 'mine', name: 'mine', peak: { fp32: 1e13, tf32: null, fp16: 1e14, bf16: 1e14 }, bandwidth: 1e12, memoryBytes: null, sms: 1 });
    assert.deepEqual(checkDevices('nope', 'list').errors, ['list must be a list of devices, got "nope"']);
  });

  it('settings from the client keep the valid devices and report the others', () => {
    const s = fromClient({ customDevices: [{ id: 'ok', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 1e12 }, { id: 'bad', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 0 }] });
    assert.deepEqual(s.customDevices!.map((d) => d.id), ['ok']);
    assert.match(settingsProblems(s).join('\n'), /customDevices\[1\]: bandwidth must be/);
  });

  it('pyproject.toml custom-devices are validated too', () => {
    const r = settingsFromTable({ 'custom-devices': [{ id: 'ok', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 1000000000000n }, { id: 'bad', peak: { fp32: 1e13, fp16: 0 }, bandwidth: 1e12 }] }, 'pyproject.toml');
    assert.deepEqual(r.settings.customDevices!.map((d) => [d.id, d.bandwidth]), [['ok', 1e12]]);
    assert.match(r.errors.join('\n'), /custom-devices\[1\]: peak\.fp16/);
  });

  it('a calibration file with a zero bandwidth is refused with the reason', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-cal-'));
    const old = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = dir;
    try {
      fs.mkdirSync(path.join(dir, 'tensorcost'));
      fs.writeFileSync(path.join(dir, 'tensorcost', 'local-device.json'), JSON.stringify({ version: 1, device: { id: 'local', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 0 } }));
      const problems: string[] = [];
      assert.equal(loadCalibration(problems), undefined);
      assert.match(problems.join('\n'), /bandwidth must be/);
    } finally {
      if (old === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = old;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the server answers a hover and shutdown with a zero-bandwidth custom device in the settings', { timeout: 30_000 }, async () => {
    const bad = { id: 'broken', name: 'Broken', peak: { fp32: 1e13, fp16: 1e14 }, bandwidth: 0 };
    const s = await startServer({ textDocument: { hover: { contentFormat: ['markdown'] } } }, { device: 'broken', customDevices: [bad] });
    try {
      await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
      const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: MODEL_URI }, position: at('a @ w', 2) });
      assert.ok(h?.contents?.value, 'a hover came back');
      const warned = await s.waitFor('window/showMessage', (p) => /customDevices\[0\]: bandwidth must be/.test(p.message), 5000);
      assert.ok(warned);
      assert.ok(await s.waitFor('window/showMessage', (p) => /unknown device 'broken'; using h100/.test(p.message), 5000));
    } finally {
      await s.stop();
    }
  });
});
