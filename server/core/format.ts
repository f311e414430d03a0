/** Number formatting with units, shared by the hover, the CLI and diagnostics messages. */

const SI = [
  { v: 1e18, s: 'E' },
  { v: 1e15, s: 'P' },
  { v: 1e12, s: 'T' },
  { v: 1e9, s: 'G' },
  { v: 1e6, s: 'M' },
  { v: 1e3, s: 'k' },
];

function sig(n: number, digits = 3): string {
  if (n === 0) return '0';
  const r = Number(n.toPrecision(digits));
  return Math.abs(r) >= 1e21 ? r.toExponential(2) : String(r);
}

/** `1.23 GFLOP`; `unit` is appended after the SI prefix. */
export function si(n: number, unit: string, digits = 3): string {
  if (!Number.isFinite(n)) return `${n} ${unit}`;
  const a = Math.abs(n);
  if (a >= 1e21) return `${n.toExponential(2)} ${unit}`;
  for (const { v, s } of SI) if (a >= v) return `${sig(n / v, digits)} ${s}${unit}`;
  return `${sig(n, digits)} ${unit}`;
}

export const flopsText = (n: number) => si(n, 'FLOP');
export const macsText = (n: number) => si(n, 'MAC');

/** Binary units for memory, as tools people use for memory do (GiB, MiB). */
export function bytesText(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  if (Math.abs(v) >= 1024) return `${n.toExponential(2)} B`;
  return `${sig(v)} ${units[i]}`;
}

export function timeText(seconds: number): string {
  if (!Number.isFinite(seconds)) return `${seconds} s`;
  if (seconds >= 1) return `${sig(seconds)} s`;
  if (seconds >= 1e-3) return `${sig(seconds * 1e3)} ms`;
  if (seconds >= 1e-6) return `${sig(seconds * 1e6)} µs`;
  return `${sig(seconds * 1e9)} ns`;
}

export const intensityText = (x: number) => `${sig(x)} FLOP/B`;
export const rateText = (flopsPerSecond: number) => si(flopsPerSecond, 'FLOP/s');
export const bandwidthText = (bytesPerSecond: number) => si(bytesPerSecond, 'B/s');
export const percentText = (fraction: number) => `${sig(fraction * 100, 3)}%`;

/**
 * Exact integer with thousands separators, for FLOP counts people compare with other tools.
 * Past 2^53 a double no longer holds every integer, so the figure is shown as what it is, an
 * approximation (`≈1.23457e+20`), never as digits that look exact.
 */
export function exact(n: number): string {
  if (!Number.isSafeInteger(n)) return Number.isFinite(n) ? `≈${n.toExponential(5)}` : String(n);
  return n.toLocaleString('en-US');
}

/**
 * The fields a parameter count could not size (`backbone`, `mlp.c_fc1`), the first four, each as
 * `show` writes it: the hovers and TC603's message name them alike.
 */
export function uncountedNames(fields: readonly string[], show: (field: string) => string = (f) => f): string {
  return `${fields.slice(0, 4).map(show).join(', ')}${fields.length > 4 ? ', …' : ''}`;
}
