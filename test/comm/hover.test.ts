import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { withDefaults } from '../../server/core/settings';
import { analyzeSource, initEngine } from '../../server/engine/analyze';
import { commHoverSection } from '../../server/lsp/features/commHover';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'distributed');
const text = readFileSync(join(FIXTURES, 'gpt2_model.py'), 'utf8') + '\n\n' + readFileSync(join(FIXTURES, 'train_ddp.py'), 'utf8');

describe('scaling table in the hover', () => {
  before(initEngine);

  it('shows D = 1..1024 with comm/compute and efficiency, and an SVG plot', () => {
    const settings = withDefaults({ worldSize: 8, interconnect: 'nvlink' });
    const a = analyzeSource({ path: 'train.py', text, languageId: 'python' }, settings);
    const md = commHoverSection(a, settings, 'GPT.forward');
    const rows = md.split('\n').filter((l) => /^\| (\*\*)?\d+/.test(l));
    assert.deepEqual(rows.map((l) => Number(l.match(/^\| (?:\*\*)?(\d+)/)![1])), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    assert.match(md, /124,439,808 parameters, 475 MiB of fp32 gradients/);
    // The configured D is bold; past 8 GPUs the ring runs over InfiniBand.
    assert.match(rows[3], /^\| \*\*8\*\* \| NVLink 4 \(H100\) \|/);
    assert.match(rows[4], /InfiniBand NDR/);
    const uri = md.match(/\(data:image\/svg\+xml;base64,([^)]+)\)/)![1];
    const svg = Buffer.from(uri, 'base64').toString('utf8');
    assert.equal((svg.match(/<path /g) ?? []).length, 2);
    assert.match(svg, /^<svg /);
    // The main function wraps the model, so its hover carries the table too; unrelated names do not.
    assert.notEqual(commHoverSection(a, settings, 'main'), '');
    assert.equal(commHoverSection(a, settings, 'MLP.forward'), '');
  });

  it('states the pipeline bubble (p−1)/(m+p−1) on the function that builds the schedule', () => {
    const src = 'def build(stage):\n    return ScheduleGPipe(stage, n_microbatches=12, num_stages=4)\n';
    const settings = withDefaults({});
    const a = analyzeSource({ path: 'pp.py', text: src, languageId: 'python' }, settings);
    assert.match(commHoverSection(a, settings, 'build'), /4 stages, 12 micro-batches: bubble \(p−1\)\/\(m\+p−1\) = 20% of the step idle/);
    assert.equal(commHoverSection(a, settings, 'other'), '');
  });
});
