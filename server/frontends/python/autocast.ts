/**
 * The one decision of what an autocast context computes in (issue 15). The interpreter (on the
 * values it evaluated), the signal collector and the distributed pass (on the text they see) all
 * ask `decideAutocast`, so `torch.autocast("cuda")` is fp16 everywhere, as in PyTorch; where the
 * interpreter decided, its answer replaces the syntactic one (signalsPrecision.ts).
 *
 * PyTorch's semantics: `torch.autocast(device_type, dtype=None, enabled=True)` and
 * `torch.amp.autocast(...)` compute in `dtype` when given, else in the device's default
 * (`torch.get_autocast_dtype`): float16 on "cuda" (and "mps"), bfloat16 on "cpu", "xpu", "hpu".
 * `torch.cuda.amp.autocast(enabled=True, dtype=torch.float16)` is CUDA's, `torch.cpu.amp.autocast`
 * CPU's (bfloat16). `enabled=False` turns autocast off: the region runs in the operands' dtypes.
 */
import type { DType } from '../../core/dtypes';

export type AutocastApi = 'cuda.amp' | 'amp';

/**
 * What a call's arguments say, each as: undefined when not given, null when given but not known
 * (a variable whose value the caller could not decide), else the value.
 */
export interface AutocastArgs {
  device?: string | null;
  dtype?: DType | null;
  enabled?: boolean | null;
}

export type AutocastDecision =
  | { on: false; api: AutocastApi }
  | {
      on: true;
      api: AutocastApi;
      /** The dtype PyTorch would use, when the arguments decide it; null when they do not. */
      dtype: DType | null;
      /** What figures compute in when `dtype` is null: CUDA's default, the usual target. */
      likely: DType;
      /** `enabled=` was given but not decided: autocast may be off. */
      maybeOff: boolean;
    };

const AUTOCAST_CALLEE = /(^|\.)autocast$/;

/** Whether a callee path or text names an autocast context (`torch.autocast`, `amp.autocast`, `autocast`). */
export function isAutocastCallee(callee: string): boolean {
  return AUTOCAST_CALLEE.test(callee);
}

/** The older CUDA-only API (its GradScaler is spelt `torch.cuda.amp.GradScaler`). */
export function autocastApi(callee: string): AutocastApi {
  return /cuda\.amp|^amp\.autocast/.test(callee) && !/^torch\.amp/.test(callee) ? 'cuda.amp' : 'amp';
}

/** The device an API fixes: `torch.cuda.amp.autocast` is CUDA's, `torch.cpu.amp.autocast` CPU's. */
function fixedDevice(callee: string): string | undefined {
  if (/(^|\.)cuda\.amp\.autocast$/.test(callee)) return 'cuda';
  if (/(^|\.)cpu\.amp\.autocast$/.test(callee)) return 'cpu';
  return undefined;
}

/** `torch.get_autocast_dtype(device)`'s default for a device type. */
export function defaultAutocastDtype(device: string): DType | null {
  const d = device.split(':')[0].trim().toLowerCase();
  if (d === 'cuda' || d === 'mps') return 'fp16';
  if (d === 'cpu' || d === 'xpu' || d === 'hpu') return 'bf16';
  return null;
}

/**
 * Which positional argument is which: `torch.autocast(device_type, dtype, enabled)`;
 * `torch.cuda.amp.autocast(enabled, dtype)`.
 */
export function autocastPositions(callee: string): { device?: number; dtype: number; enabled: number } {
  return fixedDevice(callee) ? { dtype: 1, enabled: 0 } : { device: 0, dtype: 1, enabled: 2 };
}

/** What an autocast call turns on; undefined when the callee is no autocast. */
export function decideAutocast(callee: string, args: AutocastArgs): AutocastDecision | undefined {
  if (!isAutocastCallee(callee)) return undefined;
  const api = autocastApi(callee);
  if (args.enabled === false) return { on: false, api };
  const device = fixedDevice(callee) ?? args.device;
  const byDevice = typeof device === 'string' ? defaultAutocastDtype(device) : null;
  // A bare `autocast` (imported from a module the text does not show) decides nothing by itself.
  const dtype = args.dtype !== undefined ? args.dtype : byDevice;
  return { on: true, api, dtype, likely: dtype ?? 'fp16', maybeOff: args.enabled === null };
}

/**
 * The decision for an autocast call read from its text alone (the signal collector, the
 * distributed pass): literals are known, anything else is given-but-unknown. `keywords` are the
 * call's keyword arguments as text, `positionals` its positional ones.
 */
export function decideAutocastText(callee: string, keywords: ReadonlyMap<string, string>, positionals: readonly string[]): AutocastDecision | undefined {
  if (!isAutocastCallee(callee)) return undefined;
  const at = autocastPositions(callee);
  const arg = (key: string, index: number | undefined) => keywords.get(key) ?? (index !== undefined ? positionals[index] : undefined);
  const device = arg('device_type', at.device);
  const dtype = arg('dtype', at.dtype);
  const enabled = arg('enabled', at.enabled);
  const literal = device === undefined ? undefined : /^(['"])([\w:]+)\1$/.exec(device.trim())?.[2] ?? null;
  return decideAutocast(callee, {
    device: literal,
    dtype: dtype === undefined || dtype.trim() === 'None' ? undefined : dtypeOfText(dtype),
    enabled: enabled === undefined ? undefined : enabled.trim() === 'False' ? false : enabled.trim() === 'True' ? true : null,
  });
}

/** `torch.float16`, `torch.bfloat16`, `torch.half`: a dtype written out; anything else is unknown. */
function dtypeOfText(text: string): DType | null {
  const t = text.replace(/\s+/g, '');
  if (/^(torch\.)?(bfloat16)$/.test(t)) return 'bf16';
  if (/^(torch\.)?(float16|half)$/.test(t)) return 'fp16';
  if (/^(torch\.)?(float32|float)$/.test(t)) return 'fp32';
  return null;
}
