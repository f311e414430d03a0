/**
 * Caches that outlive an analysis must not keep old versions of the document alive. V8 makes a
 * slice of a string a view of the whole string, so a cache keyed by a statement's text (or
 * holding a node's text) cut from the document kept every edited version of the file: about the
 * file's size per keystroke. This edits every class of a generated file in turn, one
 * keystroke each, and measures what the heap keeps afterwards.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { disposePythonState } from '../../server/frontends/python';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generatePython } from '../../bench/generate';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('memory across edits', () => {
  before(initEngine);

  it('keeps no old version of the document alive after edits in many statements', () => {
    let text = generatePython(10_000);
    const size = text.length;
    let state = analyzeSource({ path: 'big.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { keep: true }).state!;
    const EDITS = 100;
    try {
      let from = 0;
      const editNext = (i: number) => {
        let at = text.indexOf('s = torch.matmul(h, w)', from);
        if (at < 0) at = text.indexOf('s = torch.matmul(h, w)');
        from = at + 30;
        text = text.slice(0, at) + `s = torch.matmul(h, w)  # v${i}` + text.slice(at + 22);
        state = analyzeSource({ path: 'big.py', text, languageId: 'python' }, DEFAULT_SETTINGS, { reuse: state }).state!;
      };
      gc();
      const base = process.memoryUsage().heapUsed;
      for (let i = 0; i < EDITS; i++) editNext(i);
      gc();
      const grown = process.memoryUsage().heapUsed - base;
      // Keeping every version would be EDITS × size (30 MB here). The caches legitimately grow by
      // a few kilobytes per edit (each edit makes a new statement text); a third is the bound.
      assert.ok(grown < (EDITS * size) / 3, `heap grew by ${(grown / 1e6).toFixed(1)} MB over ${EDITS} edits of a ${(size / 1e3).toFixed(0)} kB file`);
    } finally {
      disposePythonState(state);
    }
  });
});
