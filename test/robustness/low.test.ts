/** Small hardening items: bench timeouts, SARIF URIs, CR-only line endings. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { parseBenchArgs } from '../../server/cli/bench';
import { artifactUri } from '../../server/cli/format/sarif';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readPyproject } from '../../server/node/config';
import { formatText } from '../../server/cli/format/text';
import { analyse, ready$ } from '../engine/helpers';

describe('low-severity hardening', () => {
  before(ready$);

  it('bench --timeout is from 1 s to a day', () => {
    assert.equal(parseBenchArgs(['gemm', '--timeout', '60']).timeoutMs, 60_000);
    assert.equal(parseBenchArgs(['gemm']).timeoutMs, 300_000);
    assert.throws(() => parseBenchArgs(['gemm', '--timeout', '0']), /--timeout must be from 1 to 86400 seconds, got '0'/);
    assert.throws(() => parseBenchArgs(['gemm', '--timeout', String(2 ** 31)]), /--timeout must be from 1 to 86400/);
  });

  it('SARIF artifact URIs are percent-encoded URI references', () => {
    assert.equal(artifactUri('src/model.py'), 'src/model.py');
    assert.equal(artifactUri('my dir/a#b%c.py'), 'my%20dir/a%23b%25c.py');
    assert.equal(artifactUri('c:odd.py'), 'c%3Aodd.py', 'not read as a scheme');
    assert.equal(artifactUri('win\\path\\x.py'), 'win/path/x.py');
    assert.equal(artifactUri('/abs/with space.py'), 'file:///abs/with%20space.py');
  });

  it('a file with CR-only line endings puts ops on their LSP lines', () => {
    const text = ['import torch', 'from jaxtyping import Float', 'from torch import Tensor', '', 'def f(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):', '    return a @ b', ''].join('\r');
    const a = analyse(text);
    assert.equal(a.ir.ops.length, 1);
    assert.deepEqual(a.ir.ops[0].range.start, { line: 5, character: 11 });
    assert.equal(a.functions[0].summary.range.start.line, 4);
  });

  it('the invalid-TOML warning quotes at most 200 characters of the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-toml-'));
    try {
      const file = path.join(dir, 'pyproject.toml');
      fs.writeFileSync(file, `[tool.tensorcost]\ndims = { B = ${'9'.repeat(200_000)}x }\n`);
      const cfg = readPyproject(file)!;
      assert.equal(cfg.errors.length, 1);
      assert.match(cfg.errors[0], /invalid TOML/);
      assert.ok(cfg.errors[0].length < file.length + 260, `${cfg.errors[0].length} characters`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the text output never shows an empty "bind" hint', () => {
    const a = analyse('from jaxtyping import Float\nfrom torch import Tensor\ndef f(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):\n    return a @ b\n');
    // Figures with every dim bound and still no time, as a division by a zero dim gives.
    a.functions[0] = { ...a.functions[0], figures: { ...a.functions[0].figures, flops: null, bytes: null, timeSeconds: null, unbound: [] } };
    const text = formatText([a], (p) => p, { width: 200, color: false, table: true });
    assert.doesNotMatch(text, /bind\s*$/m);
    assert.match(text, /^3 +f .* \?$/m);
  });
});
