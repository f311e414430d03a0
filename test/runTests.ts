/**
 * `npm test`: runs every compiled test file, `out/test/**\/*.test.js`, under node's test runner,
 * one file at a time. Handing node the whole `out/test/` folder made it load the helper modules
 * there too (codeServer.js, lspClient.js, ...), each counted as a passing test. Only files whose
 * TypeScript source still exists run, so a test deleted from `test/` does not keep running from
 * a stale `out/`.
 *
 * Arguments starting with `--` go to node (`--test-reporter=spec`); any other argument keeps only
 * the files whose path contains it (`npm test -- engine/`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const OUT_TEST = __dirname;
const SOURCE_TEST = path.resolve(OUT_TEST, '..', '..', 'test');

function testFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) found.push(full);
  }
  return found.sort();
}

// Run as a test file itself (someone ran `node --test out/test/`), it must not start the whole
// suite again inside that run.
if (process.env.NODE_TEST_CONTEXT) process.exit(0);

const nodeArgs = process.argv.slice(2).filter((a) => a.startsWith('--'));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = testFiles(OUT_TEST).filter((f) => {
  const rel = path.relative(OUT_TEST, f);
  if (!fs.existsSync(path.join(SOURCE_TEST, rel.replace(/\.js$/, '.ts')))) return false;
  return filters.length === 0 || filters.some((x) => rel.includes(x));
});
if (files.length === 0) {
  console.error(`no test files under ${OUT_TEST}${filters.length ? ` matching ${filters.join(', ')}` : ''}`);
  process.exit(1);
}
const run = spawnSync(process.execPath, ['--test', '--test-concurrency=1', ...nodeArgs, ...files], { stdio: 'inherit' });
if (run.error) throw run.error;
process.exit(run.status ?? 1);
