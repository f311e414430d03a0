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

/** The size of a GEMM side, head dim or image side after scaling: a multiple of 8 (vec4 loads stay aligned), never 0. */
function side(x: number, f: number): number {
  if (f >= 1 || x <= 8) return x;
  return Math.max(8, Math.round((x * f) / 8) * 8);
}

/** Work of one run, counted as the plan counts it (2 per multiply-accumulate). */
export function requestFlops(r: BenchRequest): number {
  if (r.conv) {
    const { cin, h, w, cout, kh, kw } = r.conv;
    const stride = r.conv.stride ?? 1;
    const pad = r.conv.pad ?? 0;
    const hOut = Math.floor((h + 2 * pad - kh) / stride) + 1;
    const wOut = Math.floor((w + 2 * pad - kw) / stride) + 1;
    return 2 * cout * cin * kh * kw * hOut * wOut;
  }
  const work = (r.batch ?? 1) * (r.m ?? 0) * (r.k ?? 0) * (r.n ?? r.m ?? 0);
  return (r.op === 'attention' ? 4 : 2) * work;
}

/**
 * A run scaled to about `targetFlops`, every side by the same factor so the shape keeps its
 * proportions: m, k and n of a GEMM (the work goes with their product, so the factor is the cube
 * root of the ratio), Lq, Lk and d of attention, the image's height and width of a convolution
 * (square root; its channels define the layer and are kept). Batch counts are kept: they are
 * independent products, and the kernels' behaviour per product is what the run measures.
 */
export function scaleRun(r: BenchRequest, targetFlops: number): { request: BenchRequest; factor: number } {
  const flops = requestFlops(r);
  if (!(flops > targetFlops)) return { request: r, factor: 1 };
  if (r.conv) {
    const f = Math.sqrt(targetFlops / flops);
    return { request: { ...r, conv: { ...r.conv, h: Math.max(r.conv.kh, side(r.conv.h, f)), w: Math.max(r.conv.kw, side(r.conv.w, f)) } }, factor: f };
  }
  const f = Math.cbrt(targetFlops / flops);
  return { request: { ...r, m: side(r.m ?? 1, f), k: side(r.k ?? 1, f), n: r.n === undefined ? undefined : side(r.n, f) }, factor: f };
}

/** A run's sizes as numbers, for the measured point's record of the op's own size. */
export function shapeOf(r: BenchRequest): Record<string, number> {
  if (r.conv) return { cin: r.conv.cin, h: r.conv.h, w: r.conv.w, cout: r.conv.cout };
  return { m: r.m ?? 0, k: r.k ?? 0, n: r.n ?? r.m ?? 0, batch: r.batch ?? 1 };
}

/** The sizes a run has, as the op names them: `m=1024 k=1024 n=1024`, `Lq=… Lk=… d=…`, `C_in=… H=… W=…`. */
export function runSize(r: BenchRequest): string {
  if (r.conv) return `C_in=${r.conv.cin} H=${r.conv.h} W=${r.conv.w} C_out=${r.conv.cout} kernel=${r.conv.kh}×${r.conv.kw}`;
  const batch = r.batch && r.batch > 1 ? ` batch=${r.batch}` : '';
  if (r.op === 'attention') return `Lq=${r.m} Lk=${r.n ?? r.m} d=${r.k}${batch}`;
  return `m=${r.m} k=${r.k} n=${r.n}${batch}`;
}
