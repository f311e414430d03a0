/**
 * The idle collection (server/node/collectWhenIdle.ts): a language server that has analysed much
 * and then waits keeps the analyses' garbage resident until it allocates again, so it collects
 * once it has been idle after growing its heap, and never while work goes on.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as v8 from 'node:v8';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { DEFAULT_SETTINGS } from '../../server/core/settings';
import { collectWhenIdle } from '../../server/node/collectWhenIdle';
import { generatePython } from '../../bench/generate';

const MB = 2 ** 20;
const used = () => v8.getHeapStatistics().used_heap_size;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const text = generatePython(400);

/** `count` analyses whose results are kept (each about half a megabyte of heap); returns them. */
function analyses(count: number): unknown[] {
  const kept: unknown[] = [];
  for (let i = 0; i < count; i++) kept.push(analyzeSource({ path: `/tmp/idle${i}.py`, text, languageId: 'python' }, DEFAULT_SETTINGS));
  return kept;
}

describe('collection when idle', () => {
  before(initEngine);

  // The heap's growth is kept alive here: garbage alone is often found by V8 itself in a process
  // this small, before the server would count as idle (the language server's case, where it was
  // not, is measured by `npm run bench`'s memory row).
  it('collects once the heap grew and stayed put, then waits for the next parse', async () => {
    const collector = collectWhenIdle({ tickMs: 20, idleMs: 100, growthBytes: 12 * MB });
    try {
      const kept = analyses(60);
      await sleep(500);
      assert.equal(collector.collections, 1);
      await sleep(300);
      assert.equal(collector.collections, 1, 'collected again without any work in between');
      analyzeSource({ path: '/tmp/idle-small.py', text: 'x = 1\n', languageId: 'python' }, DEFAULT_SETTINGS);
      await sleep(400);
      assert.equal(collector.collections, 1, 'collected again although the heap has not grown since');
      assert.ok(kept.length > 0);
    } finally {
      collector.stop();
    }
  });

  it('does not collect while analyses go on, and does once they stop', async () => {
    const collector = collectWhenIdle({ tickMs: 20, idleMs: 150, growthBytes: 4 * MB });
    try {
      // Work that keeps the heap growing for four times the idle time, with short gaps.
      const kept: unknown[] = [];
      const until = Date.now() + 600;
      while (Date.now() < until) {
        kept.push(analyses(2));
        await sleep(5);
      }
      assert.equal(collector.collections, 0, 'collected while work went on');
      await sleep(500);
      assert.equal(collector.collections, 1, 'did not collect once the work stopped');
    } finally {
      collector.stop();
    }
  });
});
