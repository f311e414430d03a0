/** Tensor element types and their sizes. fp32 is the default unless settings say otherwise. */

export type DType = 'fp64' | 'fp32' | 'tf32' | 'fp16' | 'bf16' | 'fp8' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Record<DType, number> = {
  fp64: 8,
  fp32: 4,
  // TF32 is a tensor-core math mode: operands are stored as fp32 in memory.
  tf32: 4,
  fp16: 2,
  bf16: 2,
  fp8: 1,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function isDType(s: string): s is DType {
  return Object.prototype.hasOwnProperty.call(DTYPE_BYTES, s);
}

export function isFloat(d: DType): boolean {
  return d === 'fp64' || d === 'fp32' || d === 'tf32' || d === 'fp16' || d === 'bf16' || d === 'fp8';
}

/** Names users write (`torch.float16`, `np.float32`, `half`, `bf16`...) mapped to our dtypes. */
const ALIASES: Record<string, DType> = {
  float64: 'fp64', double: 'fp64', fp64: 'fp64', f64: 'fp64',
  float32: 'fp32', float: 'fp32', fp32: 'fp32', f32: 'fp32',
  tf32: 'tf32',
  float16: 'fp16', half: 'fp16', fp16: 'fp16', f16: 'fp16',
  bfloat16: 'bf16', bf16: 'bf16',
  float8_e4m3fn: 'fp8', float8_e5m2: 'fp8', fp8: 'fp8',
  int64: 'int64', long: 'int64', int32: 'int32', int: 'int32', int16: 'int16', short: 'int16',
  int8: 'int8', uint8: 'uint8', bool: 'bool', bool_: 'bool',
};

/** Parses `torch.float16`, `jnp.bfloat16`, `'float32'`, `bf16`; undefined when unknown. */
export function parseDType(text: string): DType | undefined {
  const last = text.trim().replace(/^['"]|['"]$/g, '').split('.').pop()!.toLowerCase();
  return ALIASES[last];
}
