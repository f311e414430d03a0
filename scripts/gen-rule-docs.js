#!/usr/bin/env node
/**
 * Regenerates the rule documentation from the registry (build first: `npx tsc -p .`):
 * docs/rules/CODE-name.md, the README's rule table between its markers, and the `tensorcost.rules`,
 * `tensorcost.select`, `tensorcost.ignore` and `tensorcost.thresholds` settings in package.json.
 * package.json is re-read right before writing and edited as JSON, so other entries stay as they are.
 */
const fs = require('node:fs');
const path = require('node:path');

const repo = path.resolve(__dirname, '..');
const { RULES } = require(path.join(repo, 'out/server/core/rules/registry.js'));
const docs = require(path.join(repo, 'out/server/core/rules/docs.js'));

const dir = path.join(repo, 'docs', 'rules');
fs.mkdirSync(dir, { recursive: true });
const wanted = new Set();
for (const r of RULES) {
  const file = docs.docFileName(r);
  wanted.add(file);
  fs.writeFileSync(path.join(dir, file), docs.ruleMarkdown(r));
}
for (const f of fs.readdirSync(dir)) if (/^TC\d+-.*\.md$/.test(f) && !wanted.has(f)) fs.unlinkSync(path.join(dir, f));

const readmePath = path.join(repo, 'README.md');
const readme = fs.existsSync(readmePath) ? fs.readFileSync(readmePath, 'utf8') : '# Tensor Cost\n';
fs.writeFileSync(readmePath, docs.withReadmeTable(readme));

const pkgPath = path.join(repo, 'package.json');
const pkg = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
const props = pkg.contributes.configuration.properties;
Object.assign(props, docs.settingsSchema());
fs.writeFileSync(pkgPath, JSON.stringify(pkg, null, 2) + '\n');
process.stdout.write(`wrote ${RULES.length} rule pages, the README table and the settings schema\n`);
