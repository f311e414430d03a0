/**
 * The calibrated "local" device (docs/devices.md): written by `tensorcost calibrate`, read by the CLI
 * and the language server. Stored as JSON in $XDG_CONFIG_HOME/tensorcost/local-device.json
 * (~/.config/tensorcost/ when XDG_CONFIG_HOME is unset).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Device } from '../core/devices';

/** What calibration measured, kept next to the device for `tensorcost calibrate` and bug reports. */
export interface Calibration {
  adapter?: { vendor: string; architecture: string; description: string };
  calibratedAt?: string;
  measurements?: Record<string, number | string | null>;
}

interface FileV1 extends Calibration {
  version: 1;
  device: Device;
}

export function localDevicePath(): string {
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'tensorcost', 'local-device.json');
}

function isPositive(x: unknown): x is number {
  return typeof x === 'number' && Number.isFinite(x) && x > 0;
}

/** The saved device, or undefined when there is none or the file is unreadable or malformed. */
export function loadLocalDevice(): Device | undefined {
  return loadCalibration()?.device;
}

export function loadCalibration(): FileV1 | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(localDevicePath(), 'utf8'));
  } catch {
    return undefined;
  }
  const f = parsed as Partial<FileV1>;
  const d = f?.device;
  if (f?.version !== 1 || !d || typeof d.id !== 'string' || !d.peak || !isPositive(d.peak.fp32) || !isPositive(d.peak.fp16) || !isPositive(d.bandwidth)) {
    return undefined;
  }
  return f as FileV1;
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
