/**
 * From the op under the cursor (as the server describes it) to kernel requests: a GEMM-like op
 * runs the tiled GEMM (batched when it has a batch), attention runs both the materialised and the
 * fused kernel, a 2-D convolution both the direct and the im2col one. No VS Code API here, so
 * the mapping is unit-tested directly.
 */
import type { BenchRequest } from '../kernels/harness/types';
import type { AttrValue, OpPoint } from '../server/protocol';

export interface PlannedRun {
  label: string;
  request: BenchRequest;
}

export type Plan = { runs: PlannedRun[]; flops: number } | { error: string };

const num = (v: AttrValue | undefined): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const first = (v: AttrValue | undefined): number | undefined => (Array.isArray(v) ? num(v[0]) : num(v));

export function benchDtype(dtype: string): 'f32' | 'f16' {
  return dtype === 'fp16' || dtype === 'bf16' ? 'f16' : 'f32';
}

function positive(name: string, v: number | undefined): string | undefined {
  if (v === undefined) return `${name} is not a number`;
  if (!Number.isInteger(v) || v < 1) return `${name} = ${v} is not a positive integer`;
  return undefined;
}

export function planBenchmark(op: OpPoint): Plan {
  const dtype = benchDtype(op.dtype);
  const a = op.attrs ?? {};
  if (op.kind === 'sdpa') {
    const batch = num(a.batch);
    const lq = num(a.lq);
    const lk = num(a.lk);
    const d = num(a.d);
    const bad = positive('batch·heads', batch) ?? positive('Lq', lq) ?? positive('Lk', lk) ?? positive('d', d);
    if (bad) return { error: `cannot benchmark this attention: ${bad}` };
    const base = { op: 'attention' as const, dtype, m: lq, n: lk, k: d, batch };
    return {
      runs: [
        { label: 'materialised (scores, softmax, PV)', request: { ...base, variant: 'materialized' } },
        { label: 'fused (online softmax)', request: { ...base, variant: 'flash' } },
      ],
      flops: 4 * batch! * lq! * lk! * d!,
    };
  }
  if (op.kind === 'conv' && num(a.dims) === 2) {
    const input = op.inputs[0];
    const h = num(input?.[input.length - 2] as AttrValue);
    const w = num(input?.[input.length - 1] as AttrValue);
    const kernel = Array.isArray(a.kernel) ? a.kernel.map((x) => num(x)) : [];
    const [kh, kw] = kernel;
    const cin = num(a.cIn);
    const cout = num(a.cOut);
    const n = num(a.batchSize) ?? 1;
    const groups = num(a.groups) ?? 1;
    const bad = positive('C_in', cin) ?? positive('C_out', cout) ?? positive('H', h) ?? positive('W', w) ?? positive('kernel height', kh) ?? positive('kernel width', kw);
    if (bad) return { error: `cannot benchmark this convolution: ${bad}` };
    if (groups !== 1) return { error: 'the conv2d kernels run groups = 1 only; this convolution is grouped' };
    if (n !== 1) return { error: `the conv2d kernels run one image (batch 1); this convolution has batch ${n}. Bind the batch dim to 1 to benchmark it` };
    const stride = first(a.stride) ?? 1;
    const pad = a.padding === 'same' ? Math.floor((kh! - 1) / 2) : a.padding === 'valid' ? 0 : first(a.padding) ?? 0;
    const conv = { cin: cin!, h: h!, w: w!, cout: cout!, kh: kh!, kw: kw!, stride, pad };
    const hOut = Math.floor((h! + 2 * pad - kh!) / stride) + 1;
    const wOut = Math.floor((w! + 2 * pad - kw!) / stride) + 1;
    return {
      runs: [
        { label: 'direct', request: { op: 'conv2d', dtype, conv, variant: 'direct' } },
        { label: 'im2col + GEMM', request: { op: 'conv2d', dtype, conv, variant: 'im2col' } },
      ],
      flops: 2 * cout! * cin! * kh! * kw! * hOut * wOut,
    };
  }
  if (op.gemm) {
    const { m, k, n, batch } = op.gemm;
    const vals = { m: num(m), k: num(k), n: num(n), batch: num(batch) ?? 1 };
    const bad = positive('m', vals.m) ?? positive('k', vals.k) ?? positive('n', vals.n) ?? positive('batch', vals.batch);
    if (bad) return { error: `cannot benchmark this ${op.kind}: ${bad}` };
    const request: BenchRequest = vals.batch > 1 ? { op: 'bmm', dtype, m: vals.m, k: vals.k, n: vals.n, batch: vals.batch } : { op: 'gemm', dtype, m: vals.m, k: vals.k, n: vals.n };
    return { runs: [{ label: `${request.op} ${dtype}`, request }], flops: 2 * vals.batch * vals.m! * vals.k! * vals.n! };
  }
  return { error: `'${op.name}' (${op.kind}) has no kernel: Benchmark runs GEMM-like ops, attention and 2-D convolutions` };
}

/** Scales a run down so that it does about `targetFlops` of work, keeping its shape's proportions. */
export function scaleDown(r: BenchRequest, factor: number): BenchRequest {
  const s = (x: number | undefined) => (x === undefined ? undefined : Math.max(1, Math.round(x * factor)));
  if (r.conv) return { ...r, conv: { ...r.conv, h: s(r.conv.h)!, w: s(r.conv.w)! } };
  return { ...r, m: s(r.m), n: s(r.n), batch: r.batch && r.batch > 1 ? s(r.batch) : r.batch };
}
