/**
 * SARIF 2.1.0 as GitHub code scanning reads it: the required properties of the log, run, tool,
 * rules and results (SARIF 2.1.0 §3.13–§3.27 and GitHub's documented subset), 1-based regions,
 * related locations, help URIs and fingerprints.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(REPO, 'out', 'server', 'cli', 'main.js');

function sarif(args: string[]) {
  const r = spawnSync(process.execPath, [CLI, 'check', '--format', 'sarif', ...args], { cwd: REPO, encoding: 'utf8' });
  return JSON.parse(r.stdout);
}

describe('SARIF output', () => {
  const log = sarif(['test/fixtures/rules/tc202_manual_attention.py', 'test/fixtures/rules/tc301_fp16_training.py', 'test/fixtures/rules/tc101_low_intensity.py']);

  it('has the log, run and tool properties SARIF 2.1.0 requires', () => {
    assert.equal(log.version, '2.1.0');
    assert.match(log.$schema, /sarif-2\.1\.0/);
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(typeof driver.name, 'string');
    assert.match(driver.version, /^\d+\.\d+\.\d+/);
    const ids = driver.rules.map((r: any) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    for (const r of driver.rules) {
      assert.match(r.id, /^TC\d{3}$/);
      assert.equal(typeof r.shortDescription.text, 'string');
      assert.equal(typeof r.fullDescription.text, 'string');
      assert.match(r.helpUri, new RegExp(`docs/rules/${r.id}-${r.name}\\.md$`));
      assert.ok(r.help.text.length > 0 && r.help.markdown.includes('**Why is this bad?**'));
      assert.ok(['none', 'note', 'warning', 'error'].includes(r.defaultConfiguration.level));
    }
  });

  it('results point at rules, files and 1-based regions, with related locations and fingerprints', () => {
    const results = log.runs[0].results;
    const driver = log.runs[0].tool.driver;
    const ids = new Set(results.map((r: any) => r.ruleId));
    for (const c of ['TC101', 'TC201', 'TC202', 'TC301']) assert.ok(ids.has(c), c);
    for (const r of results) {
      assert.equal(driver.rules[r.ruleIndex].id, r.ruleId);
      assert.ok(['none', 'note', 'warning', 'error'].includes(r.level));
      assert.ok(r.message.text.length > 0);
      const loc = r.locations[0].physicalLocation;
      assert.match(loc.artifactLocation.uri, /^test\/fixtures\/rules\/[\w.]+\.py$/);
      assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
      assert.ok(loc.region.endLine >= loc.region.startLine);
      assert.equal(typeof r.partialFingerprints['tensorcostFinding/v1'], 'string');
      for (const rel of r.relatedLocations ?? []) {
        assert.ok(Number.isInteger(rel.id));
        assert.ok(rel.physicalLocation.region.startLine >= 1);
        assert.equal(rel.physicalLocation.artifactLocation.uri, loc.artifactLocation.uri);
      }
    }
    const tc202 = results.find((r: any) => r.ruleId === 'TC202');
    // The softmax on line 28 (1-based), column 15; scores and output matmul as related locations.
    assert.deepEqual([tc202.locations[0].physicalLocation.region.startLine, tc202.locations[0].physicalLocation.region.startColumn], [28, 15]);
    assert.deepEqual(tc202.relatedLocations.map((r: any) => r.physicalLocation.region.startLine), [26, 30]);
    const fps = results.map((r: any) => r.partialFingerprints['tensorcostFinding/v1']);
    assert.equal(new Set(fps).size, fps.length);
  });
});
