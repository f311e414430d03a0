import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DDP_BUCKET_BYTES, algBandwidth, allGather, bucketCount, busBandwidth, reduceScatter, ringAllReduce } from '../../server/core/comm/collectives';
import { linkPlan } from '../../server/core/comm/links';
import { megatronLayerComm, pipelineBubble } from '../../server/core/comm/parallel';
import { scalingTable } from '../../server/core/comm/scaling';

const NVLINK = { bandwidth: 450e9, latencySeconds: 2e-6 };
const NO_LATENCY = { bandwidth: 450e9, latencySeconds: 0 };
const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} ≉ ${b}`);

/** GPT-2 124M: 124,439,808 fp32 gradients (see params.test.ts for the count). */
const GPT2_GRAD_BYTES = 124_439_808 * 4;

describe('ring collectives (NCCL model)', () => {
  it("NCCL's busbw convention: busbw = algbw · 2(D−1)/D recovers the link bandwidth at every D", () => {
    for (const d of [2, 8, 64, 1024]) {
      const t = ringAllReduce(1e9, d, NO_LATENCY).seconds;
      close(busBandwidth('all_reduce', 1e9, t, d), 450e9);
      close(busBandwidth('reduce_scatter', 1e9, reduceScatter(1e9, d, NO_LATENCY).seconds, d), 450e9);
    }
    // nccl-tests arithmetic: 1 GB all-reduced in 10 ms on 8 ranks is algbw 100 GB/s, busbw 175 GB/s.
    close(algBandwidth(1e9, 0.01), 100e9);
    close(busBandwidth('all_reduce', 1e9, 0.01, 8), 175e9);
  });

  it('GPT-2 124M fp32 gradients (497,759,232 B) on 8×H100 NVLink 450 GB/s: 2·7/8·S/BW = 1.9357 ms', () => {
    assert.equal(GPT2_GRAD_BYTES, 497_759_232);
    const one = ringAllReduce(GPT2_GRAD_BYTES, 8, NVLINK);
    close(one.bytesPerRank, 871_078_656);
    close(one.bandwidthSeconds, 871_078_656 / 450e9);
    assert.ok(Math.abs(one.bandwidthSeconds - 1.93573e-3) < 1e-8);
    close(one.latencySeconds, 14 * 2e-6);
    // DDP's 25 MiB buckets: 19 all-reduces, each paying 2(D−1)·α = 28 µs.
    assert.equal(bucketCount(GPT2_GRAD_BYTES, DDP_BUCKET_BYTES), 19);
    const bucketed = ringAllReduce(GPT2_GRAD_BYTES, 8, NVLINK, 19);
    close(bucketed.latencySeconds, 19 * 28e-6);
    close(bucketed.bandwidthSeconds, one.bandwidthSeconds);
  });

  it('the bandwidth term grows towards 2·S/BW with D; it is not O(log D) rounds (docs/cost-model.md)', () => {
    const limit = (2 * GPT2_GRAD_BYTES) / 450e9;
    let prev = 0;
    for (const d of [2, 4, 8, 16, 128, 1024]) {
      const t = ringAllReduce(GPT2_GRAD_BYTES, d, NVLINK);
      assert.ok(t.bandwidthSeconds > prev && t.bandwidthSeconds < limit);
      prev = t.bandwidthSeconds;
      // For gradient-sized messages the latency term is the small part up to hundreds of ranks;
      // a flat ring's latency grows linearly (2(D−1)·α), which is why NCCL uses trees at scale:
      // only that latency term is O(log D), never the bandwidth term.
      if (d <= 256) assert.ok(t.latencySeconds < t.bandwidthSeconds, `D=${d}`);
      else close(t.latencySeconds, 2 * (d - 1) * 2e-6);
    }
    assert.ok(prev > 0.99 * limit);
    // A log₂D-round model would call D=1024 five times D=2; the bandwidth term is only ≈2×.
    close(ringAllReduce(GPT2_GRAD_BYTES, 1024, NO_LATENCY).seconds / ringAllReduce(GPT2_GRAD_BYTES, 2, NO_LATENCY).seconds, 2 * (1023 / 1024));
  });

  it('reduce-scatter + all-gather = all-reduce; each is (D−1)/D · S/BW', () => {
    const rs = reduceScatter(1e9, 8, NVLINK);
    const ag = allGather(1e9, 8, NVLINK);
    close(rs.bandwidthSeconds, ((7 / 8) * 1e9) / 450e9);
    close(rs.seconds + ag.seconds, ringAllReduce(1e9, 8, NVLINK).seconds);
    assert.equal(ringAllReduce(1e9, 1, NVLINK).seconds, 0);
  });
});

describe('model parallelism', () => {
  it('Megatron-LM: 2 all-reduces of b·s·h forward and 2 backward per layer (GPT-3 175B: h=12288, s=2048)', () => {
    const c = megatronLayerComm({ batch: 1, seq: 2048, hidden: 12288, bytesPerElement: 2, ranks: 8 }, NO_LATENCY);
    assert.equal(c.elementsPerAllReduce, 25_165_824);
    assert.equal(c.forwardAllReduces, 2);
    assert.equal(c.backwardAllReduces, 2);
    assert.equal(c.bytesPerLayer, 4 * 50_331_648);
    close(c.secondsPerLayer, (4 * (2 * 7) / 8 * 50_331_648) / 450e9);
  });

  it('pipeline bubble (p−1)/(m+p−1)', () => {
    close(pipelineBubble(4, 8), 3 / 11);
    close(pipelineBubble(4, 16), 3 / 19);
    assert.equal(pipelineBubble(1, 1), 0);
    assert.equal(pipelineBubble(8, 1), 7 / 8);
  });
});

describe('data-parallel scaling', () => {
  const config = (interconnect: string, computeSeconds: number) => ({
    gradBytes: GPT2_GRAD_BYTES,
    computeSeconds,
    strategy: 'all_reduce' as const,
    bucketBytes: DDP_BUCKET_BYTES,
    compression: 1,
    linkFor: linkPlan(interconnect),
  });

  it('D = 1..1024: no comm at D=1, efficiency falls with D, and the ring leaves NVLink past 8 GPUs', () => {
    const rows = scalingTable(config('nvlink', 0.0186));
    assert.deepEqual(rows.map((r) => r.ranks), [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]);
    assert.equal(rows[0].commSeconds, 0);
    assert.equal(rows[0].efficiency, 1);
    for (let i = 1; i < rows.length; i++) assert.ok(rows[i].efficiency < rows[i - 1].efficiency);
    assert.equal(rows[3].link.bandwidth, 450e9);
    assert.equal(rows[4].link.bandwidth, 50e9);
    // 16 GPUs across two nodes: 2·15/16·S/50 GB/s = 18.7 ms, ten times the 8-GPU NVLink ring.
    close(rows[4].bandwidthSeconds, (2 * 15 / 16 * GPT2_GRAD_BYTES) / 50e9);
    // Overlap with backward can only help.
    for (const r of rows) assert.ok(r.efficiencyOverlapped >= r.efficiency);
  });

  it('PCIe makes the same sync 18× slower than NVLink', () => {
    const [, , , pcie] = scalingTable(config('pcie', 0.0186));
    const [, , , nv] = scalingTable(config('nvlink', 0.0186));
    close(pcie.bandwidthSeconds / nv.bandwidthSeconds, 450 / 25);
    assert.ok(pcie.ratio > 1 && nv.ratio < 0.2);
  });
});
