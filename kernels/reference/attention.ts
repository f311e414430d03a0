/**
 * CPU reference of non-causal scaled dot-product attention, O = softmax(Q·Kᵀ/√d)·V, in f64 for
 * chosen query rows (numbered bh·Lq + i). The error scale of O[i][c] is Σ_j p_j·|V[j][c]|, the
 * magnitude of the terms that form it.
 */
export interface AttentionShape {
  bh: number;
  lq: number;
  lk: number;
  d: number;
}

export function attentionReference(q: Float32Array, k: Float32Array, v: Float32Array, s: AttentionShape, rows: number[]): { ref: Float64Array; scale: Float64Array } {
  const { lq, lk, d } = s;
  const inv = 1 / Math.sqrt(d);
  const ref = new Float64Array(rows.length * d);
  const scale = new Float64Array(rows.length * d);
  const p = new Float64Array(lk);
  rows.forEach((row, r) => {
    const bh = Math.floor(row / lq);
    const qOff = row * d;
    const kvOff = bh * lk * d;
    let mx = -Infinity;
    for (let j = 0; j < lk; j++) {
      let t = 0;
      const kj = kvOff + j * d;
      for (let c = 0; c < d; c++) t += q[qOff + c] * k[kj + c];
      p[j] = t * inv;
      if (p[j] > mx) mx = p[j];
    }
    let sum = 0;
    for (let j = 0; j < lk; j++) {
      p[j] = Math.exp(p[j] - mx);
      sum += p[j];
    }
    const o = r * d;
    for (let j = 0; j < lk; j++) {
      const pj = p[j] / sum;
      const vj = kvOff + j * d;
      for (let c = 0; c < d; c++) {
        ref[o + c] += pj * v[vj + c];
        scale[o + c] += pj * Math.abs(v[vj + c]);
      }
    }
  });
  return { ref, scale };
}
