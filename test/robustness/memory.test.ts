/**
 * Memory per source byte on large files. An analysis keeps its results for the next analysis of
 * the same document (core/splice.ts reuses them by position), but once another document has been
 * analysed, a large file's results must be gone: the splicers used to keep the products they
 * replaced until their next call, the whole of the large file's after a switch of document
 * (about 20 bytes per source byte, a third of what an analysis keeps).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generatePython, generatePythonOfSize } from '../../bench/generate';
import { settledMemory } from '../helpers/settledMemory';

/** Heap in use after full collections (`settledMemory`: three with timer turns between, then one). */
async function settledHeap(): Promise<number> {
  return (await settledMemory(3)).heapUsed;
}

describe('memory per source byte', () => {
  before(initEngine);

  it("keeps no large file's results once another document was analysed", { timeout: 240_000 }, async () => {
    const settings = { ...DEFAULT_SETTINGS, maxFileSizeKB: 1 << 20 };
    const small = generatePython(300);
    analyzeSource({ path: 'small.py', text: small, languageId: 'python' }, settings);
    const base = await settledHeap();
    const text = generatePythonOfSize(600_000);
    analyzeSource({ path: 'large.py', text, languageId: 'python' }, settings);
    analyzeSource({ path: 'small.py', text: small, languageId: 'python' }, settings);
    const perByte = ((await settledHeap()) - base) / text.length;
    // What stays are the caches by statement text (bounded by their number of entries), about
    // 10 bytes per source byte; the large file's ops and figures were another 20.
    assert.ok(perByte < 16, `${perByte.toFixed(1)} bytes of heap per source byte kept after another document was analysed`);
  });
});
