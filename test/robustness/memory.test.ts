/**
 * Memory per source byte on large files. An analysis keeps its results for the next analysis of
 * the same document (core/splice.ts reuses them by position), but once another document has been
 * analysed, a large file's results must be gone: the splicers used to keep the products they
 * replaced until their next call, the whole of the large file's after a switch of document
 * (about 20 bytes per source byte, a third of what an analysis keeps).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { generatePython, generatePythonOfSize } from '../../bench/generate';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/**
 * Heap in use after full collections, with turns of the event loop between them for the
 * finalizers that free tree-sitter's trees. The turns are short timers, not `setImmediate`: with
 * immediates, about one run in ten read the large file's 30 MB as still in use (54.5 bytes per
 * source byte, on this session's base as well), and 20 ms later it was gone (4.6): what a
 * collection frees is not always counted as freed by the next immediate.
 */
async function settledHeap(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  gc();
  return process.memoryUsage().heapUsed;
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
