/**
 * Validation of device data that comes from outside the catalogue: the `tensorcost.customDevices`
 * setting (which a repository's `.vscode/settings.json` can set), the calibration file, and
 * anything else that hands the engine a `Device`. Every figure the cost model and the roofline
 * picture compute divides by or takes the logarithm of these numbers, so a zero, a negative, a
 * NaN or a value forty orders of magnitude off would give Infinity or NaN downstream (and once
 * made the roofline drawing loop forever). A device is taken only when every number is finite,
 * positive and within ranges no real device leaves; otherwise it is refused with a message that
 * says which field is wrong.
 */
import { Device } from './devices';

/** Inclusive bounds. Wide enough for a microcontroller and for a rack-scale accelerator. */
export const DEVICE_LIMITS = {
  /** FLOP/s: 1 MFLOP/s to 1 ZFLOP/s. */
  peak: { min: 1e6, max: 1e21 },
  /** byte/s: 1 MB/s to 1 PB/s. */
  bandwidth: { min: 1e6, max: 1e15 },
  /** bytes: 1 MB to 1 PB. */
  memoryBytes: { min: 1e6, max: 1e15 },
  sms: { min: 1, max: 1e6 },
  idLength: 64,
  nameLength: 200,
} as const;

export interface DeviceCheck {
  device?: Device;
  errors: string[];
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function inRange(x: unknown, r: { min: number; max: number }): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x >= r.min && x <= r.max;
}

function rangeText(r: { min: number; max: number }): string {
  return `a finite number from ${r.min.toExponential(0)} to ${r.max.toExponential(0)}`;
}

/**
 * Checks one device description. `where` names its origin for the messages ("settings
 * tensorcost.customDevices[2]"). Optional fields get the defaults the settings schema documents:
 * `name` = id, `sms` = 1, `memoryBytes` = null, `tf32` = null, `bf16` = fp16.
 */
export function checkDevice(raw: unknown, where: string): DeviceCheck {
  const errors: string[] = [];
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { errors: [`${where}: a device must be an object with id, peak and bandwidth`] };
  const r = raw as Record<string, unknown>;
  const bad = (field: string, want: string, got: unknown) => errors.push(`${where}: ${field} must be ${want}, got ${shown(got)}`);
  const id = r.id;
  if (typeof id !== 'string' || !id.trim() || id.length > DEVICE_LIMITS.idLength || CONTROL.test(id)) bad('id', `a non-empty string of at most ${DEVICE_LIMITS.idLength} printable characters`, id);
  const name = r.name ?? id;
  if (typeof name !== 'string' || name.length > DEVICE_LIMITS.nameLength || CONTROL.test(name)) bad('name', `a string of at most ${DEVICE_LIMITS.nameLength} printable characters`, name);
  const peak = r.peak as Record<string, unknown> | undefined;
  const peaks: Record<string, number | null> = {};
  if (!peak || typeof peak !== 'object' || Array.isArray(peak)) bad('peak', 'an object with fp32 and fp16 in FLOP/s', peak);
  else {
    for (const key of ['fp32', 'fp16', 'tf32', 'bf16', 'fp64'] as const) {
      const v = peak[key];
      const required = key === 'fp32' || key === 'fp16';
      if (v === undefined || v === null) {
        if (required) bad(`peak.${key}`, `${rangeText(DEVICE_LIMITS.peak)} (FLOP/s)`, v);
        continue;
      }
      if (inRange(v, DEVICE_LIMITS.peak)) peaks[key] = v;
      else bad(`peak.${key}`, `null or ${rangeText(DEVICE_LIMITS.peak)} (FLOP/s)`, v);
    }
  }
  if (!inRange(r.bandwidth, DEVICE_LIMITS.bandwidth)) bad('bandwidth', `${rangeText(DEVICE_LIMITS.bandwidth)} (byte/s)`, r.bandwidth);
  const mem = r.memoryBytes ?? null;
  if (mem !== null && !inRange(mem, DEVICE_LIMITS.memoryBytes)) bad('memoryBytes', `null or ${rangeText(DEVICE_LIMITS.memoryBytes)} (bytes)`, mem);
  const sms = r.sms ?? 1;
  if (!inRange(sms, DEVICE_LIMITS.sms) || !Number.isInteger(sms)) bad('sms', `an integer from 1 to ${DEVICE_LIMITS.sms.max}`, sms);
  if (r.notes !== undefined && typeof r.notes !== 'string') bad('notes', 'a string', r.notes);
  // What calibration learnt of the local adapter (kernels/harness/predict.ts): a launch overhead,
  // and per GEMM class a fraction of peak and a streaming bandwidth. Each must be sane too.
  const overhead = r.launchOverheadS;
  if (overhead !== undefined && !(typeof overhead === 'number' && Number.isFinite(overhead) && overhead >= 0 && overhead <= 1)) bad('launchOverheadS', 'a number of seconds from 0 to 1', overhead);
  const perClass = (key: 'gemmEfficiency' | 'gemmBandwidth', ok: (v: number) => boolean, what: string): Record<string, number> | undefined => {
    const v = r[key];
    if (v === undefined) return undefined;
    if (!v || typeof v !== 'object' || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'number' && ok(x))) {
      bad(key, what, v);
      return undefined;
    }
    return v as Record<string, number>;
  };
  const efficiency = perClass('gemmEfficiency', (x) => Number.isFinite(x) && x > 0 && x <= 10, 'an object of numbers from 0 to 10 by GEMM class');
  const classBandwidth = perClass('gemmBandwidth', (x) => inRange(x, DEVICE_LIMITS.bandwidth), `an object of byte/s figures ${rangeText(DEVICE_LIMITS.bandwidth)} by GEMM class`);
  if (errors.length) return { errors };
  const device: Device = {
    id: id as string,
    name: name as string,
    // An absent bf16 is the fp16 figure (the settings schema says so); an explicit null means
    // the unit does not exist, and peakFor then falls back to fp32.
    peak: { fp32: peaks.fp32!, tf32: peaks.tf32 ?? null, fp16: peaks.fp16!, bf16: peak!.bf16 === null ? null : peaks.bf16 ?? peaks.fp16!, ...(peaks.fp64 !== undefined ? { fp64: peaks.fp64 } : {}) },
    bandwidth: r.bandwidth as number,
    memoryBytes: mem as number | null,
    sms: sms as number,
    ...(typeof r.notes === 'string' ? { notes: r.notes } : {}),
    ...(r.measured === true ? { measured: true } : {}),
    ...(overhead !== undefined ? { launchOverheadS: overhead as number } : {}),
    ...(efficiency ? { gemmEfficiency: efficiency } : {}),
    ...(classBandwidth ? { gemmBandwidth: classBandwidth } : {}),
  };
  return { device, errors };
}

/** Checks a list of devices; the valid ones are kept, each invalid one costs only itself. */
export function checkDevices(raw: unknown, where: string): { devices: Device[]; errors: string[] } {
  if (raw === undefined || raw === null) return { devices: [], errors: [] };
  if (!Array.isArray(raw)) return { devices: [], errors: [`${where} must be a list of devices, got ${shown(raw)}`] };
  const devices: Device[] = [];
  const errors: string[] = [];
  raw.forEach((d, i) => {
    const c = checkDevice(d, `${where}[${i}]`);
    if (c.device) devices.push(c.device);
    errors.push(...c.errors);
  });
  return { devices, errors };
}

/** A short, single-line rendering of an offending value for a message (never the whole value). */
function shown(v: unknown): string {
  let s: string;
  if (typeof v === 'string') s = JSON.stringify(v);
  else if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined || typeof v === 'bigint') s = String(v);
  else s = Array.isArray(v) ? 'a list' : `a ${typeof v}`;
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
