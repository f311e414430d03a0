/**
 * Settings per resource are shared between documents that resolve to the same values
 * (server/lsp/settings.ts), and never between documents whose sources differ: a folder with its
 * own pyproject.toml keeps its own device.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import type { Connection } from 'vscode-languageserver';
import { SettingsStore } from '../../server/lsp/settings';

describe('SettingsStore', () => {
  it('gives documents with the same settings one object, and each distinct settings its own', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorcost-settings-'));
    try {
      fs.mkdirSync(path.join(dir, 'a'));
      fs.mkdirSync(path.join(dir, 'b'));
      fs.writeFileSync(path.join(dir, 'b', 'pyproject.toml'), '[tool.tensorcost]\ndevice = "a100"\n');
      const uri = (p: string) => pathToFileURL(path.join(dir, p)).toString();
      const store = new SettingsStore({} as Connection);
      const [a1, a2, b1] = await Promise.all([store.get(uri('a/one.py')), store.get(uri('a/two.py')), store.get(uri('b/one.py'))]);
      assert.equal(a1, a2);
      assert.notEqual(a1, b1);
      assert.equal(b1.device, 'a100');
      assert.notEqual(a1.device, 'a100');
      // After a settings change everything is resolved again: a new pyproject.toml is read.
      fs.writeFileSync(path.join(dir, 'a', 'pyproject.toml'), '[tool.tensorcost]\ndevice = "a100"\n');
      store.clear();
      const again = await store.get(uri('a/one.py'));
      assert.equal(again.device, 'a100');
      assert.notEqual(again, a1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
