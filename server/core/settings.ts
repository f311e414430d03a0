/**
 * Analysis settings: what VS Code's `tensorcost.*` settings, `[tool.tensorcost]` in
 * pyproject.toml and CLI flags all become. The pure core only ever sees this object.
 */
import { DType } from './dtypes';
import { DEFAULT_DEVICE_ID, Device } from './devices';
import { Severity } from './ir';

export interface Settings {
  device: string;
  /** User-defined and calibrated devices, in addition to the catalogue. */
  customDevices: Device[];
  dims: Record<string, number>;
  defaultDtype: DType;
  /** Per-code severity overrides, or 'off'. */
  rules: Record<string, Severity | 'off'>;
  /** Only these codes (prefixes allowed, like ruff's `select`); empty means all. */
  select: string[];
  ignore: string[];
  /** Rule thresholds by name; each rule documents its own keys and defaults. */
  thresholds: Record<string, number>;
  /** Distributed training configuration (issue 7). */
  worldSize: number;
  interconnect: string;
  inlayHints: boolean;
  /** Files larger than this (KB of UTF-8) are not analysed; 0 or less turns the limit off. */
  maxFileSizeKB: number;
}

/** More GPUs than any training run has used; above it `worldSize` is a typo, not a plan. */
export const MAX_WORLD_SIZE = 10_000_000;

export const DEFAULT_SETTINGS: Settings = {
  device: DEFAULT_DEVICE_ID,
  customDevices: [],
  dims: {},
  defaultDtype: 'fp32',
  rules: {},
  select: [],
  ignore: [],
  thresholds: {},
  worldSize: 1,
  interconnect: 'nvlink',
  inlayHints: true,
  maxFileSizeKB: 2048,
};

export function withDefaults(partial: Partial<Settings> | undefined): Settings {
  return { ...DEFAULT_SETTINGS, ...(partial ?? {}) };
}
