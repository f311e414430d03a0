/**
 * CPU reference of conv2d (NCHW input, [cout][cin][kh][kw] weights, no bias, no groups) for
 * chosen output planes, numbered n·cout + co, with the per-element error scale Σ|x·w|.
 */
export interface ConvShape {
  batch: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  kh: number;
  kw: number;
  stride: number;
  pad: number;
  hOut: number;
  wOut: number;
}

export function conv2dReference(x: Float32Array, wt: Float32Array, s: ConvShape, planes: number[]): { ref: Float64Array; scale: Float64Array } {
  const P = s.hOut * s.wOut;
  const ref = new Float64Array(planes.length * P);
  const scale = new Float64Array(planes.length * P);
  planes.forEach((plane, r) => {
    const nb = Math.floor(plane / s.cout);
    const co = plane % s.cout;
    const base = r * P;
    for (let ci = 0; ci < s.cin; ci++) {
      const xOff = (nb * s.cin + ci) * s.h * s.w;
      for (let dy = 0; dy < s.kh; dy++) {
        for (let dx = 0; dx < s.kw; dx++) {
          const wv = wt[((co * s.cin + ci) * s.kh + dy) * s.kw + dx];
          const wa = Math.abs(wv);
          for (let oh = 0; oh < s.hOut; oh++) {
            const iy = oh * s.stride - s.pad + dy;
            if (iy < 0 || iy >= s.h) continue;
            const row = xOff + iy * s.w;
            const o = base + oh * s.wOut;
            for (let ow = 0; ow < s.wOut; ow++) {
              const ix = ow * s.stride - s.pad + dx;
              if (ix < 0 || ix >= s.w) continue;
              const xv = x[row + ix];
              ref[o + ow] += wv * xv;
              scale[o + ow] += wa * Math.abs(xv);
            }
          }
        }
      }
    }
    // Outputs that only ever saw padding are exactly zero; give them a unit scale.
    for (let p = 0; p < P; p++) if (scale[base + p] === 0) scale[base + p] = 1;
  });
  return { ref, scale };
}
