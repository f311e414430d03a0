/**
 * WGSL for conv2d on NCHW tensors with [cout][cin][kh][kw] weights (no bias, groups = 1).
 *
 * `im2colWgsl` writes the transposed patch matrix colT[n][ci·kh·kw][oh·wOut + ow] (zeros where
 * the patch overlaps the padding), so that out[n] = W · colT[n] is a batched GEMM whose result is
 * already NCHW. `directConvWgsl` computes each output from the input and weights in place.
 * Both take a 1-D index folded over two dispatch dimensions, so any size fits the grid limits.
 */

const PARAMS = `
struct Params { N: u32, C: u32, H: u32, W: u32, CO: u32, KH: u32, KW: u32, S: u32, PAD: u32, HO: u32, WO: u32, total: u32 }`;

function header(dtype: 'f32' | 'f16'): string {
  return dtype === 'f16' ? 'enable f16;\n' : '';
}

export function im2colWgsl(dtype: 'f32' | 'f16'): string {
  const T = dtype;
  return `${header(T)}
@group(0) @binding(0) var<storage, read> X: array<${T}>;
@group(0) @binding(1) var<storage, read_write> colT: array<${T}>;
${PARAMS}
@group(0) @binding(2) var<uniform> P: Params;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 256u + li;
  if (i >= P.total) { return; }
  // i = ((n·K) + kidx)·HW + p, with kidx = (ci·KH + dy)·KW + dx and p = oh·WO + ow.
  let hw = P.HO * P.WO;
  let p = i % hw;
  let rest = i / hw;
  let K = P.C * P.KH * P.KW;
  let kidx = rest % K;
  let n = rest / K;
  let dx = kidx % P.KW;
  let dy = (kidx / P.KW) % P.KH;
  let ci = kidx / (P.KW * P.KH);
  let iy = i32((p / P.WO) * P.S + dy) - i32(P.PAD);
  let ix = i32((p % P.WO) * P.S + dx) - i32(P.PAD);
  var v = ${T}(0.0);
  if (iy >= 0 && iy < i32(P.H) && ix >= 0 && ix < i32(P.W)) {
    v = X[((n * P.C + ci) * P.H + u32(iy)) * P.W + u32(ix)];
  }
  colT[i] = v;
}`;
}

export function directConvWgsl(dtype: 'f32' | 'f16'): string {
  const T = dtype;
  return `${header(T)}
@group(0) @binding(0) var<storage, read> X: array<${T}>;
@group(0) @binding(1) var<storage, read> Wt: array<${T}>;
@group(0) @binding(2) var<storage, read_write> Y: array<${T}>;
${PARAMS}
@group(0) @binding(3) var<uniform> P: Params;
@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) li: u32) {
  let i = (wg.y * nwg.x + wg.x) * 64u + li;
  if (i >= P.total) { return; }
  // i = ((n·CO + co)·HO + oh)·WO + ow: neighbouring threads share weights and nearby inputs.
  let ow = i % P.WO;
  let oh = (i / P.WO) % P.HO;
  let co = (i / (P.WO * P.HO)) % P.CO;
  let n = i / (P.WO * P.HO * P.CO);
  let y0 = i32(oh * P.S) - i32(P.PAD);
  let x0 = i32(ow * P.S) - i32(P.PAD);
  var acc = 0.0;
  for (var ci = 0u; ci < P.C; ci++) {
    let xBase = (n * P.C + ci) * P.H;
    let wBase = (co * P.C + ci) * P.KH;
    for (var dy = 0u; dy < P.KH; dy++) {
      let iy = y0 + i32(dy);
      if (iy < 0 || iy >= i32(P.H)) { continue; }
      let xRow = (xBase + u32(iy)) * P.W;
      let wRow = (wBase + dy) * P.KW;
      for (var dx = 0u; dx < P.KW; dx++) {
        let ix = x0 + i32(dx);
        if (ix < 0 || ix >= i32(P.W)) { continue; }
        acc += f32(X[xRow + u32(ix)]) * f32(Wt[wRow + dx]);
      }
    }
  }
  Y[i] = ${T}(acc);
}`;
}
