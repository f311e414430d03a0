/**
 * Findings made when first read (`deferRules`, `lazyFindings`): the language server answers a
 * hover after a keystroke before the rules run, and the findings read later are those an eager
 * analysis gives, in the file's own pass and completed with the program's contexts.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { withContexts } from '../../server/engine/contexts';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { WorkspaceProgram } from '../../server/lsp/program';
import { generateModelHeavy } from '../../bench/generate';
import { programPath } from '../../server/node/program';

const json = (x: unknown) => JSON.stringify(x);

describe('findings made when first read', () => {
  before(initEngine);

  it('equal the eager findings, own and completed with contexts, and are made once', () => {
    const text = generateModelHeavy(300);
    const file = '/tmp/tensorcost-lazy/models.py';
    const program = () => {
      const p = new WorkspaceProgram([], { get: () => undefined, all: () => [] } as unknown as TextDocuments<TextDocument>, async () => DEFAULT_SETTINGS, () => undefined);
      p.opened(`file://${file}`);
      return p;
    };
    const pe = program();
    const eager = analyzeSource({ path: file, text, languageId: 'python' }, DEFAULT_SETTINGS, { program: pe.program });
    pe.record(file, eager.ir);
    const pl = program();
    const lazy = analyzeSource({ path: file, text, languageId: 'python' }, DEFAULT_SETTINGS, { program: pl.program, deferRules: true });
    pl.record(file, lazy.ir);
    assert.ok(Object.getOwnPropertyDescriptor(lazy, 'findings')?.get, 'not made yet');
    const completed = withContexts(lazy, pl.contexts());
    assert.ok(Object.getOwnPropertyDescriptor(lazy, 'findings')?.get, 'completing the figures does not make them');
    assert.ok(eager.findings.length > 0);
    assert.equal(json(completed.findings), json(withContexts(eager, pe.contexts()).findings));
    assert.equal(json(lazy.findings), json(eager.findings));
    // Made once: the same array on every read, and a copy made by spreading has them.
    assert.equal(completed.findings, completed.findings);
    assert.equal(lazy.findings, lazy.findings);
    assert.equal({ ...lazy }.findings, lazy.findings);
    // Assigned, they are replaced.
    lazy.findings = [];
    assert.deepEqual(lazy.findings, []);
  });

  it('equal the eager findings where only the calling context makes one (TC101 in encoder.py)', () => {
    const dir = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'program', 'rules', 'embed');
    const run = (deferRules: boolean) => {
      const p = new WorkspaceProgram([dir], { get: () => undefined, all: () => [] } as unknown as TextDocuments<TextDocument>, async () => DEFAULT_SETTINGS, () => undefined);
      for (const name of ['embed.py', 'encoder.py']) {
        const f = programPath(path.join(dir, name));
        p.record(f, analyzeSource({ path: f, text: fs.readFileSync(f, 'utf8'), languageId: 'python' }, DEFAULT_SETTINGS, { program: p.program }).ir);
      }
      const f = programPath(path.join(dir, 'encoder.py'));
      const a = analyzeSource({ path: f, text: fs.readFileSync(f, 'utf8'), languageId: 'python' }, DEFAULT_SETTINGS, { program: p.program, deferRules });
      return withContexts(a, p.contexts());
    };
    const lazy = run(true);
    const eager = run(false);
    assert.ok(eager.findings.some((f) => f.code === 'TC101' && f.message.includes('embed.py')), 'the context makes a TC101');
    assert.equal(json(lazy.findings), json(eager.findings));
  });
});
