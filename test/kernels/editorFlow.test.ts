/**
 * The editor's "Benchmark this matmul" flow without VS Code: the server names the op under the
 * cursor (asking for an unbound dim), the plan maps it to kernels, the runner measures it on the
 * WebGPU adapter, and the measured point comes back in the server's hover.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { planBenchmark } from '../../client/benchmarkRequest';
import { runBenchmark } from '../../kernels/harness/runner';
import { MeasuredPoint, OpPoint } from '../../server/protocol';
import { startServer, TestServer } from '../helpers/lspClient';

const uri = 'file:///tmp/bench-flow.py';
const text = [
  'import torch',
  'import torch.nn.functional as F',
  '# tensorcost: dims m=48 k=40',
  'def gemm(a: Float[Tensor, "m k"], b: Float[Tensor, "k n"]):',
  '    return a @ b',
  'def attn(q: Float[Tensor, "1 2 37 16"], k: Float[Tensor, "1 2 29 16"], v: Float[Tensor, "1 2 29 16"]):',
  '    return F.scaled_dot_product_attention(q, k, v)',
  '',
].join('\n');

let skip: string | false = false;

describe('Benchmark this matmul, end to end without the editor', () => {
  let s: TestServer;
  before(async () => {
    try {
      await runBenchmark({ op: 'copy', m: 100, repeats: 1 }, { timeoutMs: 60_000 });
    } catch (e) {
      if (process.env.REQUIRE_WEBGPU === '1') throw new Error(`REQUIRE_WEBGPU=1 but no usable WebGPU adapter: ${(e as Error).message}`);
      skip = `no usable WebGPU adapter: ${(e as Error).message}`;
    }
    s = await startServer({ textDocument: { hover: { contentFormat: ['markdown'] } } });
    await s.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  });
  after(() => s.stop());

  it('asks for the unbound dim, runs the GEMM, and shows the measured point in the hover', async (t) => {
    if (skip) return t.skip(skip);
    const pos = { line: 4, character: 13 };
    const unbound = (await s.conn.sendRequest('tensorcost/opAt', { uri, position: pos })) as OpPoint;
    assert.deepEqual(unbound.unbound, ['n']);
    assert.ok('error' in planBenchmark(unbound), 'an unbound dim cannot be benchmarked');
    const op = (await s.conn.sendRequest('tensorcost/opAt', { uri, position: pos, dims: { n: 24 } })) as OpPoint;
    const plan = planBenchmark(op);
    assert.ok(!('error' in plan));
    assert.deepEqual(plan.runs[0].request, { op: 'gemm', dtype: 'f32', m: 48, k: 40, n: 24 });
    const r = await runBenchmark({ ...plan.runs[0].request, repeats: 2, warmup: 0 }, { timeoutMs: 90_000 });
    assert.equal(r.verified, true);
    const point: MeasuredPoint = { uri, range: op.range, op: 'gemm/tiled', medianMs: r.medianMs, gflops: r.gflops, gbps: r.gbps, adapter: r.adapter.description || r.adapter.vendor, dtype: r.dtype, verified: r.verified, shape: { m: r.m, k: r.k, n: r.n, batch: r.batch } };
    await s.conn.sendNotification('tensorcost/measured', point);
    const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: pos });
    assert.match(h.contents.value, /\| measured \| .* median on /);
    assert.match(h.contents.value, /verified against a CPU reference/);
    assert.match(h.contents.value, new RegExp(`${r.gflops.toFixed(2)} GFLOP/s`));
  });

  it('runs an attention op both materialised and fused', async (t) => {
    if (skip) return t.skip(skip);
    const op = (await s.conn.sendRequest('tensorcost/opAt', { uri, position: { line: 6, character: 12 } })) as OpPoint;
    assert.equal(op.kind, 'sdpa');
    const plan = planBenchmark(op);
    assert.ok(!('error' in plan), 'error' in plan ? plan.error : '');
    assert.deepEqual(plan.runs.map((r) => r.request.variant), ['materialized', 'flash']);
    assert.deepEqual({ ...plan.runs[0].request, variant: undefined }, { op: 'attention', dtype: 'f32', m: 37, n: 29, k: 16, batch: 2, variant: undefined });
    for (const run of plan.runs) {
      const r = await runBenchmark({ ...run.request, repeats: 1, warmup: 0 }, { timeoutMs: 90_000 });
      assert.equal(r.verified, true, run.label);
    }
  });
});
