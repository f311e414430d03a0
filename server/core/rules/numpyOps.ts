/**
 * Whether an op runs in NumPy, on the CPU. The GPU rules (TC101, TC102) compare an op with the
 * target device's ridge point and SMs; a NumPy array never reaches that device, so for its ops
 * those figures describe nothing that will run.
 */
import { FileIR, TensorOp } from '../ir';
import { signalsOf } from './signals';

/** Libraries whose arrays live on an accelerator (or may): their ops keep the GPU rules. */
const ACCELERATED = /^(torch|jax|tensorflow|cupy)(\.|$)/;

/**
 * An op is NumPy's when the call names NumPy (`np.dot`, `numpy.matmul`), or when its file imports
 * NumPy and no accelerator library, so that `a @ b` and `x.dot(w)` can only be NumPy arrays there.
 * A helper file with no imports at all, called with NumPy arrays, is not told apart: its ops keep
 * the GPU rules.
 */
export function runsOnNumpy(op: TensorOp, ir: FileIR): boolean {
  const imports = signalsOf(ir).imports;
  const aliases = new Set(imports.filter((i) => i.module === 'numpy').map((i) => i.alias));
  const head = op.name.split('.')[0];
  if (op.name.includes('.') && aliases.has(head)) return true;
  return aliases.size > 0 && !imports.some((i) => ACCELERATED.test(i.module));
}
