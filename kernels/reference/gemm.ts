/**
 * CPU reference of (batched) GEMM in f64: C[b] = alpha · A[b] · op(B[b]) for chosen rows, with
 * the per-element error scale Σ|a·b|. Rows are numbered b·M + i across the batch.
 */
export interface GemmShape {
  m: number;
  k: number;
  n: number;
  /** Elements between consecutive batches of each operand; 0 broadcasts the operand. */
  strideA: number;
  strideB: number;
  /** B stored as [n][k] (so the product uses Bᵀ). */
  transB?: boolean;
  alpha?: number;
}

export function gemmReference(a: Float32Array, b: Float32Array, s: GemmShape, rows: number[]): { ref: Float64Array; scale: Float64Array } {
  const { m, k, n } = s;
  const alpha = s.alpha ?? 1;
  const ref = new Float64Array(rows.length * n);
  const scale = new Float64Array(rows.length * n);
  const acc = new Float64Array(n);
  const sc = new Float64Array(n);
  rows.forEach((row, r) => {
    const batch = Math.floor(row / m);
    const i = row % m;
    const aOff = batch * s.strideA + i * k;
    const bOff = batch * s.strideB;
    acc.fill(0);
    sc.fill(0);
    if (s.transB) {
      for (let j = 0; j < n; j++) {
        let t = 0;
        let u = 0;
        const bj = bOff + j * k;
        for (let kk = 0; kk < k; kk++) {
          const p = a[aOff + kk] * b[bj + kk];
          t += p;
          u += Math.abs(p);
        }
        acc[j] = t;
        sc[j] = u;
      }
    } else {
      for (let kk = 0; kk < k; kk++) {
        const av = a[aOff + kk];
        const aa = Math.abs(av);
        const bk = bOff + kk * n;
        for (let j = 0; j < n; j++) {
          const bv = b[bk + j];
          acc[j] += av * bv;
          sc[j] += aa * Math.abs(bv);
        }
      }
    }
    for (let j = 0; j < n; j++) {
      ref[r * n + j] = alpha * acc[j];
      scale[r * n + j] = Math.abs(alpha) * sc[j];
    }
  });
  return { ref, scale };
}
