/**
 * The whole-text scans made again from the lines an edit touched (frontends/python/textScans.ts):
 * after any edit, the imports, the world-size read and the TF32 switch names equal those of a scan
 * of the whole new text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { scanText } from '../../server/frontends/python/textScans';
import { scanImports } from '../../server/frontends/python/program';
import { readsWorldSize } from '../../server/frontends/python/distributedFacts';
import { mentionsTf32 } from '../../server/frontends/python/session';

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  'import torch\n', 'from . import util\n', 'from a.b import (c,\n    d)\n', 'import os, sys as s\n', '    import json\n',
  'x = 1\n', 'def f():\n    return dist.get_world_size()\n', 'n = hvd.size()\n', 'n = ahvd.size()\n', '# import nothing\n',
  'y = "WORLD_SIZE"\n', 'torch.backends.cuda.matmul.allow_tf32 = True\n', 'allow_', 'tf32', "torch.set_float32_matmul_precision('high')\n", 'class A:\n    pass\n', '\n', 'from', ' import ', 'import', 'hvd', '.size', 'get_world_', 'size', '\n', ';', ' ', 'x', '\r\n',
];

const whole = (text: string) => ({ imports: scanImports(text), world: readsWorldSize(text), tf32: mentionsTf32(text) });

describe('whole-text scans made again from the edited lines', () => {
  it('equal a scan of the whole text after random edits', () => {
    const rnd = random(17);
    const pick = () => PIECES[Math.floor(rnd() * PIECES.length)];
    let reused = 0;
    for (let doc = 0; doc < 60; doc++) {
      let text = '';
      for (let k = 0; k < 30; k++) text += pick();
      // Most documents have no carriage return: those are the ones the scans are made again for.
      if (doc % 3) text = text.replace(/\r/g, '');
      let scans = scanText(text, undefined);
      assert.deepEqual({ imports: scans.imports, world: scans.world, tf32: scans.tf32 }, whole(text));
      for (let e = 0; e < 40; e++) {
        const from = Math.floor(rnd() * (text.length + 1));
        const to = Math.min(text.length, from + Math.floor(rnd() * 12));
        let insert = rnd() < 0.3 ? '' : pick() + (rnd() < 0.5 ? pick() : '');
        if (doc % 3) insert = insert.replace(/\r/g, '');
        const next = text.slice(0, from) + insert + text.slice(to);
        const before = scans;
        scans = scanText(next, scans);
        if (scans.imports === before.imports) reused++;
        assert.deepEqual({ imports: scans.imports, world: scans.world, tf32: scans.tf32 }, whole(next), `document ${doc}, edit ${e}: ${JSON.stringify(text)} → ${JSON.stringify(next)}`);
        text = next;
      }
    }
    assert.ok(reused > 500, `the imports were taken from the last scan after ${reused} edits`);
  });
});
