/**
 * The rule catalogue agrees everywhere it is written: the registry, docs/rules/*.md, the README's
 * table, the settings schema in package.json, `tensorcost explain`, and the codes of docs/rules/.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { explainText } from '../../server/cli/explain';
import { docFileName, README_END, README_START, readmeTable, ruleMarkdown, settingsSchema } from '../../server/core/rules/docs';
import { RULES } from '../../server/core/rules/registry';

const REPO = path.resolve(__dirname, '..', '..', '..');
const REGENERATE = 'run `npx tsc -p . && node scripts/gen-rule-docs.js`';

describe('rule catalogue', () => {
  it('has every code of docs/rules/ this part owns, each once, with full docs', () => {
    const codes = RULES.map((r) => r.code);
    for (const c of ['TC001', 'TC002', 'TC101', 'TC102', 'TC103', 'TC201', 'TC202', 'TC301', 'TC302', 'TC303', 'TC401', 'TC402', 'TC501']) assert.ok(codes.includes(c), c);
    assert.equal(new Set(codes).size, codes.length);
    for (const r of RULES) {
      assert.match(r.code, /^TC\d{3}$/);
      assert.match(r.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      for (const k of ['what', 'why', 'example', 'useInstead'] as const) assert.ok(r.docs[k].length > 20, `${r.code} docs.${k}`);
      assert.ok(fs.existsSync(path.join(REPO, 'server', 'core', 'rules', `${r.code.toLowerCase()}-${r.name}.ts`)), `${r.code}: one file per rule`);
    }
    const keys = RULES.flatMap((r) => (r.thresholds ?? []).map((t) => t.key));
    assert.equal(new Set(keys).size, keys.length, 'threshold keys are unique across rules');
  });

  it('docs/rules/*.md are generated from the registry', () => {
    for (const r of RULES) {
      const file = path.join(REPO, 'docs', 'rules', docFileName(r));
      assert.ok(fs.existsSync(file), `${file} missing: ${REGENERATE}`);
      assert.equal(fs.readFileSync(file, 'utf8'), ruleMarkdown(r), `${file} is stale: ${REGENERATE}`);
    }
  });

  it("the README's rule table matches the registry", () => {
    const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
    const a = readme.indexOf(README_START);
    const b = readme.indexOf(README_END);
    assert.ok(a >= 0 && b > a, 'README.md has the rules markers');
    assert.equal(readme.slice(a, b + README_END.length), readmeTable(), `README table is stale: ${REGENERATE}`);
    for (const r of RULES) assert.ok(readme.includes(`| [${r.code}](docs/rules/${docFileName(r)}) | ${r.name} |`));
  });

  it('package.json declares one severity setting per code and one threshold setting per key', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const props = pkg.contributes.configuration.properties;
    const want = settingsSchema() as Record<string, any>;
    for (const key of ['tensorcost.rules', 'tensorcost.select', 'tensorcost.ignore', 'tensorcost.thresholds']) assert.deepEqual(props[key], want[key], `${key} is stale: ${REGENERATE}`);
    assert.deepEqual(Object.keys(props['tensorcost.rules'].properties).sort(), RULES.map((r) => r.code).sort());
    for (const r of RULES) {
      assert.equal(props['tensorcost.rules'].properties[r.code].default, r.defaultSeverity);
      for (const t of r.thresholds ?? []) assert.equal(props['tensorcost.thresholds'].properties[t.key].default, t.default);
    }
  });

  it('tensorcost explain prints What / Why / Example / Use instead and the thresholds', () => {
    const t = explainText('tc101')!;
    for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', 'lowIntensityFactor (default 4)']) assert.ok(t.includes(h), h);
    assert.match(t, /ridge point of 295 FLOP\/B/);
  });

  it('docs speak about attention memory as docs/cost-model.md does', () => {
    const all = RULES.map((r) => r.docs.why).join('\n');
    assert.doesNotMatch(all, /15 GB/);
    assert.match(RULES.find((r) => r.code === 'TC201')!.docs.why, /4096² × 4 B = 64 MiB/);
  });
});
