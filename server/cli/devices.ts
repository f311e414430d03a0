/** `tensorcost devices [--format json]`: the catalogue with ridge points per dtype. */
import { DEVICES, Device, ridgePoint } from '../core/devices';
import { bandwidthText, rateText } from '../core/format';
import { parse } from './args';

export async function main(argv: string[]): Promise<number> {
  let v;
  try {
    v = parse(argv, { format: { type: 'string', default: 'text' }, help: { type: 'boolean', short: 'h' } }, false).values;
    if (!['text', 'json'].includes(v.format!)) throw new Error(`--format must be text or json, got '${v.format}'`);
  } catch (e) {
    process.stderr.write(`tensorcost devices: ${(e as Error).message}\n`);
    return 2;
  }
  if (v.help) {
    process.stdout.write('Usage: tensorcost devices [--format text|json]\n');
    return 0;
  }
  const devices: Device[] = [...DEVICES];
  try {
    const local = (require('../node/localDevice') as typeof import('../node/localDevice')).loadLocalDevice();
    if (local) devices.push(local);
  } catch {
    // No calibration yet: the catalogue alone.
  }
  if (v.format === 'json') {
    const out = devices.map((d) => ({
      ...d,
      ridge: { fp32: ridgePoint(d, 'fp32'), tf32: d.peak.tf32 ? ridgePoint(d, 'tf32') : null, fp16: ridgePoint(d, 'fp16'), bf16: d.peak.bf16 ? ridgePoint(d, 'bf16') : null },
    }));
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return 0;
  }
  const rows = devices.map((d) => [
    d.id,
    d.name,
    rateText(d.peak.fp32),
    d.peak.tf32 ? rateText(d.peak.tf32) : '—',
    rateText(d.peak.fp16),
    bandwidthText(d.bandwidth),
    d.memoryBytes ? `${d.memoryBytes / 1e9} GB` : 'unified',
    `${ridgePoint(d, 'fp32').toFixed(1)} / ${ridgePoint(d, 'fp16').toFixed(1)} FLOP/B`,
  ]);
  const header = ['id', 'device', 'fp32', 'tf32', 'fp16/bf16', 'bandwidth', 'memory', 'ridge fp32 / fp16'];
  const w = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(w[i])).join('  ').trimEnd();
  process.stdout.write([line(header), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n') + '\n');
  return 0;
}
