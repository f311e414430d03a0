/**
 * The program's record of each file's calling contexts (server/lsp/program.ts): the context index
 * is made again (its version moves on) exactly when what a new analysis recorded differs from the
 * last one. The comparison remembers each recorded function's figures as text; these tests make
 * sure an edit that changes a function's figures is never taken for the same contexts, and that
 * one that changes nothing keeps the index.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { WorkspaceProgram } from '../../server/lsp/program';
import { programPath } from '../../server/node/program';

const text = (n: number) => `import torch

def project(x, w):
    return x @ w

x = torch.randn(8, ${n})
w = torch.randn(${n}, 32)
y = project(x, w)
`;

describe('WorkspaceProgram.record', () => {
  before(initEngine);

  const dir = path.join(os.tmpdir(), 'tensorcost-record');
  const file = programPath(path.join(dir, 'script.py'));
  const make = () => new WorkspaceProgram([dir], { get: () => undefined } as unknown as TextDocuments<TextDocument>, async () => DEFAULT_SETTINGS, () => undefined);

  it('keeps the index version when the contexts are the same and moves it on when a figure changes', () => {
    const program = make();
    let a = analyzeSource({ path: file, text: text(64), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, keep: true });
    assert.ok((a.ir.captured?.functions.length ?? 0) > 0, 'the script records the context it calls project() in');
    program.record(file, a.ir);
    const first = program.version;
    const before = program.contexts();
    // A comment: the statements are reused, the contexts are the same objects.
    a = analyzeSource({ path: file, text: text(64) + '# note\n', languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, reuse: a.state });
    program.record(file, a.ir);
    assert.equal(program.version, first);
    assert.equal(program.contexts(), before);
    // The same text analysed afresh: other objects with the same figures are the same contexts.
    const fresh = analyzeSource({ path: file, text: text(64), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program });
    program.record(file, fresh.ir);
    assert.equal(program.version, first);
    // A width typed over: project()'s FLOPs in its context change, so the index must be made again.
    a = analyzeSource({ path: file, text: text(128), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, reuse: a.state });
    program.record(file, a.ir);
    assert.ok(program.version > first);
    const fn = [...program.contexts().functions.values()].flat().find((f) => f.name === 'project');
    assert.equal(fn?.flops.toString(), String(2 * 8 * 128 * 32));
    // And back: the figures of the first text again.
    a = analyzeSource({ path: file, text: text(64), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, reuse: a.state });
    const second = program.version;
    program.record(file, a.ir);
    assert.ok(program.version > second);
    assert.equal([...program.contexts().functions.values()].flat().find((f) => f.name === 'project')?.flops.toString(), String(2 * 8 * 64 * 32));
  });

  it('makes the index again when an edit within a line moves an op, even with the same figures', () => {
    const program = make();
    let a = analyzeSource({ path: file, text: text(64), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, keep: true });
    program.record(file, a.ir);
    const first = program.version;
    const at = (index: ReturnType<WorkspaceProgram['contexts']>) => [...index.ops.keys()].filter((k) => k.startsWith(`${file}\0`)).map((k) => k.slice(file.length + 1));
    assert.deepEqual(at(program.contexts()), ['3:11'], 'the context records `x @ w` in project()');
    // Two spaces: the matmul starts a column later, with the same figures in the same context.
    a = analyzeSource({ path: file, text: text(64).replace('return x @ w', 'return  x @ w'), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program, reuse: a.state });
    program.record(file, a.ir);
    assert.ok(program.version > first, 'the contexts moved');
    assert.deepEqual(at(program.contexts()), ['3:12']);
  });
});

describe('WorkspaceProgram.closed', () => {
  before(initEngine);

  it('drops the contexts of a closed document that is not on disk, and keeps those of one that is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tensorcost-closed-'));
    const saved = programPath(path.join(dir, 'saved.py'));
    const unsaved = programPath(path.join(dir, 'unsaved.py'));
    fs.writeFileSync(saved, text(64));
    const program = new WorkspaceProgram([dir], { get: () => undefined } as unknown as TextDocuments<TextDocument>, async () => DEFAULT_SETTINGS, () => undefined);
    for (const [file, n] of [[saved, 64], [unsaved, 96]] as const) {
      program.opened(pathToFileURL(file).toString());
      program.record(file, analyzeSource({ path: file, text: text(n), languageId: 'python' }, DEFAULT_SETTINGS, { program: program.program }).ir);
    }
    const flops = () => [...program.contexts().functions.values()].flat().filter((f) => f.name === 'project').map((f) => f.flops.toString()).sort();
    assert.deepEqual(flops(), [String(2 * 8 * 64 * 32), String(2 * 8 * 96 * 32)]);
    const version = program.version;
    program.closed(pathToFileURL(saved).toString());
    assert.equal(program.version, version, 'a file on disk stays part of the program');
    program.closed(pathToFileURL(unsaved).toString());
    assert.ok(program.version > version);
    assert.deepEqual(flops(), [String(2 * 8 * 64 * 32)], 'the unsaved document recorded nothing any more');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
