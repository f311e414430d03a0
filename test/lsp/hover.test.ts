/** Hover cards through the real server over stdio: ops, functions, classes, the picture, measured points, device switch. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startServer, TestServer } from '../helpers/lspClient';
import { at, MODEL, MODEL_URI } from './fixture';

const CAPS = { textDocument: { hover: { contentFormat: ['markdown'] }, diagnostic: {} }, workspace: { configuration: true, didChangeConfiguration: {} } };

function svgOf(md: string): string {
  const m = /!\[[^\]]*\]\(data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)\)/.exec(md);
  assert.ok(m, `no roofline image in hover: ${md}`);
  return Buffer.from(m[1], 'base64').toString('utf8');
}

describe('hover', () => {
  let s: TestServer;
  let device = 'h100';
  before(async () => {
    s = await startServer(CAPS, {}, (items) => items.map(() => ({ device, dims: {} })));
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: MODEL_URI, languageId: 'python', version: 1, text: MODEL } });
  });
  after(() => s.stop());

  const hoverAt = async (p: { line: number; character: number }) => {
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri: MODEL_URI }, position: p });
    return h ? (h.contents.value as string) : null;
  };

  it('shows an op card with resolved shapes, FLOPs with formula and MACs, bytes, intensity, bound, time and a roofline picture', async () => {
    const md = (await hoverAt(at('a @ w', 2)))!;
    // 2·B·T·C² with B=8, T=1024, C=768.
    const flops = 2 * 8 * 1024 * 768 * 768;
    assert.match(md, /\(B, T, C\) × \(C, C\) → \(B, T, C\)/);
    assert.match(md, /\(8, 1024, 768\)/);
    assert.match(md, /2·B·C²·T|2\*B\*C\^2\*T/);
    assert.ok(md.includes(flops.toLocaleString('en-US')), md);
    assert.match(md, /4\.83 GMAC/);
    // fp32 bytes: 4·(B·T·C + C² + B·T·C) = 52,690,944 B = 50.25 MiB, shown as 50.3 MiB.
    assert.match(md, /50\.3 MiB/);
    assert.match(md, /183 FLOP\/byte/);
    assert.match(md, /compute\*\*-bound/);
    assert.match(md, /of peak/);
    assert.match(md, /µs on NVIDIA H100/);
    const svg = svgOf(md);
    assert.match(svg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2, 'fp32 and fp16/bf16 roofs');
    assert.equal((svg.match(/<circle/g) ?? []).length, 1, 'one point: this op');
  });

  it('marks a thin GEMM memory-bound', async () => {
    const md = (await hoverAt(at('v @ w', 2)))!;
    assert.match(md, /memory\*\*-bound/);
  });

  it('shows inclusive totals and the heaviest ops on a function name', async () => {
    const md = (await hoverAt(at('def forward', 5)))!;
    // The name is escaped Markdown (a dot could make a link): it renders as MLP.forward.
    assert.match(md, /\*\*MLP\\\.forward\*\*/);
    assert.match(md, /FLOPs \(inclusive\)/);
    // Two GEMMs of 2·B·T·C² each.
    assert.ok(md.includes((2 * 2 * 8 * 1024 * 768 * 768).toLocaleString('en-US')), md);
    assert.match(md, /Heaviest ops:\n- `@`/);
    assert.match(md, /torch\.matmul/);
  });

  it("shows a class's forward totals on the class name", async () => {
    const md = (await hoverAt(at('class MLP', 7)))!;
    assert.match(md, /class MLP/);
    assert.match(md, /MLP\.forward/);
    assert.ok(md.includes((2 * 2 * 8 * 1024 * 768 * 768).toLocaleString('en-US')), md);
  });

  it('returns nothing away from ops and names', async () => {
    assert.equal(await hoverAt(at('import torch', 2)), null);
  });

  it('adds a measured point to the card and the picture once benchmarked', async () => {
    const p = at('a @ w');
    await s.conn.sendNotification('tensorcost/measured', {
      uri: MODEL_URI,
      range: { start: p, end: { line: p.line, character: p.character + 5 } },
      op: 'gemm',
      medianMs: 12.5,
      gflops: 7.5,
      gbps: 0.5,
      adapter: 'llvmpipe',
      dtype: 'f32',
      verified: true,
      shape: { m: 512, k: 512, n: 512 },
    });
    const md = (await hoverAt(at('a @ w', 2)))!;
    assert.match(md, /measured \| 12\.5 ms median on llvmpipe/);
    assert.match(md, /7\.50 GFLOP\/s/);
    assert.match(md, /verified against a CPU reference/);
    const svg = svgOf(md);
    assert.equal((svg.match(/<path d="M/g) ?? []).length, 1, 'a diamond for the measurement');
  });

  it('says what a scaled, sampled measurement checked, and compares no speed with the full-size prediction', async () => {
    const p = at('v @ w');
    await s.conn.sendNotification('tensorcost/measured', {
      uri: MODEL_URI,
      range: { start: p, end: { line: p.line, character: p.character + 5 } },
      op: 'gemm/tiled',
      medianMs: 900,
      gflops: 1.1,
      gbps: 0.4,
      adapter: 'llvmpipe',
      dtype: 'f32',
      verified: false,
      shape: { m: 200, k: 192, n: 192, batch: 1 },
      checked: { elements: 4096, total: 38_400, passed: true },
      fullShape: { m: 8, k: 768, n: 768, batch: 1 },
    });
    const md = (await hoverAt(at('v @ w', 2)))!;
    assert.match(md, /scaled down from m=8 k=768 n=768 batch=1/);
    assert.match(md, /not fully verified: 4,096 of 38,400 output elements checked against a CPU reference \(a sample/);
    assert.doesNotMatch(md.split('\n').find((l) => l.startsWith('| measured'))!, /of the speed predicted/);
  });

  it('changes the figures when the device setting changes, without reopening', async () => {
    const before = (await hoverAt(at('a @ w', 2)))!;
    assert.match(before, /H100/);
    device = 'a100';
    await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
    const after = (await hoverAt(at('a @ w', 2)))!;
    assert.match(after, /A100/);
    // 9.66 GFLOP at 19.5 TFLOP/s fp32 on the A100 = 496 µs (compute-bound).
    assert.match(after, /496 µs/);
    device = 'h100';
  });
});
