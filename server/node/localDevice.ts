/**
 * The calibrated "local" device (docs/devices.md): written by `tensorcost calibrate`, read by the CLI
 * and the language server. Stored as JSON in $XDG_CONFIG_HOME/tensorcost/local-device.json
 * (~/.config/tensorcost/ when XDG_CONFIG_HOME is unset).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkDevice } from '../core/deviceCheck';
import type { Device } from '../core/devices';
import { parseTuned, TunedKernels } from '../../kernels/harness/tuned';

/** What calibration measured, kept next to the device for `tensorcost calibrate` and bug reports. */
export interface Calibration {
  adapter?: { vendor: string; architecture: string; description: string };
  calibratedAt?: string;
  measurements?: Record<string, number | string | null>;
  /** The GEMM kernels tuned on this adapter, per dtype and shape class. */
  gemmKernels?: TunedKernels;
}

interface FileV1 extends Calibration {
  version: 1;
  device: Device;
}

export function localDevicePath(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'tensorcost', 'local-device.json');
}

/** The saved device, or undefined when there is none or the file is unreadable or malformed. */
export function loadLocalDevice(): Device | undefined {
  return loadCalibration()?.device;
}

/** The tuned GEMM kernels stored with the local device, or undefined when none are. */
export function loadTunedKernels(): TunedKernels | undefined {
  return parseTuned(loadCalibration()?.gemmKernels);
}

/**
 * The calibration file, when it holds a device whose figures are all finite, positive and in
 * range (`checkDevice`): the file is the user's to edit, and a bandwidth of 0 in it would make
 * every figure infinite. `problems` receives why a file that exists was refused.
 */
export function loadCalibration(problems: string[] = []): FileV1 | undefined {
  const file = localDevicePath();
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') problems.push(`${file}: ${(e as Error).message.split('\n')[0].slice(0, 200)}`);
    return undefined;
  }
  const f = parsed as Partial<FileV1>;
  if (f?.version !== 1) {
    problems.push(`${file}: not a version 1 calibration file`);
    return undefined;
  }
  const c = checkDevice(f.device, file);
  if (!c.device) {
    problems.push(...c.errors);
    return undefined;
  }
  return { ...(f as FileV1), device: c.device };
}

/** Writes the device atomically (temp file, then rename), creating the folder if needed. */
export function saveLocalDevice(device: Device, calibration: Calibration = {}): string {
  const file = localDevicePath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const body: FileV1 = { version: 1, device, ...calibration };
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(body, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}
