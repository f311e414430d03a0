/**
 * The roofline view's data and page without VS Code: findings attached to ops (not lines), what
 * is not plotted and why, plain Python arithmetic kept out of the op table, and a chart drawn at
 * the panel's width.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { chartSize, reportBody, whyNotPlotted } from '../../client/rooflineHtml';
import { fileReport, findingsByOp } from '../../server/lsp/features/reportFeature';
import { analyse, analyseFixture, analyseFolder, ready$ } from '../engine/helpers';
import { REPO } from '../helpers/lspClient';

const GPT = fs.readFileSync(path.join(REPO, 'examples', 'models', 'gpt.py'), 'utf8');

/** nanoGPT's estimate_mfu: integers and floats, nothing a GPU runs. */
const MFU = `import torch
import torch.nn as nn

class GPT(nn.Module):
    def estimate_mfu(self, fwdbwd_per_iter, dt):
        N = self.get_num_params()
        flops_per_token = 6*N
        flops_per_fwdbwd = flops_per_token * 1024
        flops_per_iter = flops_per_fwdbwd * fwdbwd_per_iter
        return flops_per_iter * (1.0/dt) / 312e12
`;

describe('roofline view', () => {
  before(ready$);

  it('attaches a finding to its op, not to every op of its line', () => {
    // TC102 is lowered to fire on 3% losses, for several codes on one line.
    const a = analyse(GPT, { thresholds: { smallGemmMinLoss: 0.02 } }, 'gpt.py');
    const line = GPT.split('\n').findIndex((l) => l.includes('self.proj(F.gelu(self.fc(x)))'));
    assert.ok(line > 0);
    const onLine = a.ir.ops.map((op, i) => ({ op, i })).filter(({ op }) => op.range.start.line === line);
    assert.deepEqual(onLine.map(({ op }) => op.name), ['self.fc', 'F.gelu', 'self.proj']);
    const byOp = findingsByOp(a);
    const codes = (name: string) => byOp[onLine.find(({ op }) => op.name === name)!.i].map((f) => f.code).sort();
    // Both Linears are fp32 GEMMs of MLP.forward: one TC303 at the first of the two (equal
    // FLOPs), the other related; the projection's 4096×512 output is 32×4 = 128 tiles for 132 SMs
    // (TC102), the 4096×2048 of fc 512 tiles in 4 waves of 132 (3% idle too); the GELU has neither.
    assert.deepEqual(codes('self.fc'), ['TC102', 'TC303']);
    assert.deepEqual(codes('self.proj'), ['TC102']);
    assert.deepEqual(codes('F.gelu'), []);
    // Every finding of the line went to exactly one op.
    const lineFindings = a.findings.filter((f) => f.range.start.line === line);
    assert.equal(onLine.reduce((n, { i }) => n + byOp[i].length, 0), lineFindings.length);
  });

  it('keeps plain Python arithmetic out of the op table, folded with how to mark numbers', () => {
    const a = analyse(MFU, {}, 'mfu.py');
    const report = fileReport(a, 'file:///mfu.py', 1);
    assert.ok(report.ops.length > 0 && report.ops.every((o) => o.unknownShapes), JSON.stringify(report.ops.map((o) => o.name)));
    const html = reportBody(report, [], 'mfu.py');
    const [main, folded] = html.split('<details class="unknown">');
    assert.doesNotMatch(main, /<tr data-index/, 'no op row outside the folded list');
    assert.match(folded, new RegExp(`${report.ops.length} ops with operands of unknown shape`));
    assert.match(folded, /annotate parameters that hold plain numbers as <code>int<\/code> or <code>float<\/code>/);
    assert.match(main, /0 ops · file total/);
  });

  it('gives the FLOPs a file total is at least when it waits only for sizes the run knows', () => {
    const a = analyseFolder(path.join(REPO, 'test', 'fixtures', 'program', 'at-least')).get('script.py')!;
    const report = fileReport(a, 'file:///script.py', 1);
    assert.equal(report.totals.flopsAtLeast, 2 * 8 * 64 * 64);
    assert.match(reportBody(report, [], 'script.py'), /file total ≥ 65\.5 kFLOP \(the rest depends on sizes only the run knows\)/);
  });

  it('says which dims unplotted ops wait for, and does not call data movement unbound', () => {
    const a = analyseFixture('gpt2_nanogpt_style.py');
    const report = fileReport(a, 'file:///gpt2.py', 1);
    // The token embedding (a gather) and GPT.forward's dropout move bytes and do no FLOPs.
    for (const name of ['self.transformer.wte', 'self.transformer.drop']) {
      const op = report.ops.find((o) => o.name === name)!;
      assert.equal(op.flops, 0, name);
      assert.equal(whyNotPlotted(op), 'no-flops', name);
    }
    const attn = report.ops.find((o) => o.name === 'self.c_attn' && o.function === 'CausalSelfAttention.forward')!;
    assert.equal(whyNotPlotted(attn), 'unbound');
    // C is n_embd there (bound by the config): only B and T are missing.
    assert.deepEqual(attn.unbound, ['B', 'T']);
    const html = reportBody(report, [], 'gpt2.py');
    assert.match(html, /Not plotted: \d+ ops wait for dims: bind <code>B<\/code>, <code>T<\/code> \(a <code># tensorcost: dims B=… T=…<\/code> comment/);
    assert.match(html, /\d+ ops? only move data \(no FLOPs/);
    assert.doesNotMatch(html, /<td>bind <\/td>/, 'a "bind" cell always names dims');
    // The softmax's FLOPs wait for B and T: its cell says so rather than "0 FLOP".
    const softmax = report.ops.find((o) => o.kind === 'softmax')!;
    assert.match(html, new RegExp(`<tr data-index="${softmax.index}">(<td>[^]*?</td>){3}<td>bind B, T</td>`));
  });

  it('draws the chart at the width of the panel, its text at a fixed size', () => {
    const a = analyse(GPT, {}, 'gpt.py');
    const report = fileReport(a, 'file:///gpt.py', 1);
    for (const width of [420, 1100]) {
      const html = reportBody(report, [], 'gpt.py', width);
      const { width: w, height: h } = chartSize(width);
      assert.equal(w, width);
      assert.match(html, new RegExp(`<svg [^>]*width="${w}" height="${h}" viewBox="0 0 ${w} ${h}"`));
    }
    assert.deepEqual(chartSize(100), { width: 320, height: 260 });
    assert.match(reportBody(report, [], 'gpt.py', 800), /fp32 66\.9 TFLOP\/s<\/text>/);
  });
});
