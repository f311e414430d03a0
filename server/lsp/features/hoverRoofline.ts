/**
 * A roofline chart as SVG text: log-log axes (arithmetic intensity in FLOP/byte against attainable
 * FLOP/s), one ceiling per math path (fp32 SIMT, fp16/bf16 tensor), the memory slope, the ridge
 * point, predicted ops as dots and measured points as diamonds. Pure string building, so the
 * hover (as a small data: URI image) and the roofline webview (inline, interactive) draw the same
 * picture. No fonts, scripts or remote resources: hovers and webviews sanitise those away.
 */

export interface RooflineCeiling {
  label: string;
  /** FLOP/s. */
  peak: number;
}

export interface RooflinePoint {
  /** FLOP/B. */
  intensity: number;
  /** FLOP/s: the attainable rate for predictions, the achieved rate for measurements. */
  rate: number;
  kind: 'predicted' | 'measured';
  /** CSS colour; defaults by kind. */
  color?: string;
  /** Text of the SVG <title> (a tooltip in the webview). */
  title?: string;
  /** Set on the element as data-index, for click handling in the webview. */
  index?: number;
  /** Drawn larger and outlined: the op the hover is about. */
  highlight?: boolean;
}

export interface RooflineChart {
  /** byte/s. */
  bandwidth: number;
  ceilings: RooflineCeiling[];
  /** The ceiling whose ridge point is marked (the ops' dtype). */
  ridgePeak: number;
  points: RooflinePoint[];
  width: number;
  height: number;
  /** Axis labels and tick numbers; off for the tiny hover picture. */
  labels?: boolean;
  /** Colours that suit the editor theme; the hover cannot know the theme, so it uses neutral ones. */
  fg?: string;
  grid?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const decade = (x: number) => Math.floor(Math.log10(x));
const fmt = (x: number) => Number(x.toPrecision(3)).toString();

/** `66.9 TFLOP/s`: a number with its SI prefix and unit, for labels. */
function siUnit(v: number, unit: string): string {
  const t = siTick(v);
  const prefix = /[kMGTP]$/.test(t) ? t.slice(-1) : '';
  return `${prefix ? t.slice(0, -1) : t} ${prefix}${unit}`;
}

function siTick(v: number): string {
  const units: [number, string][] = [
    [1e15, 'P'],
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  for (const [u, s] of units) if (v >= u) return `${fmt(v / u)}${s}`;
  return fmt(v);
}

const positive = (x: number) => Number.isFinite(x) && x > 0;

/**
 * The most decades an axis spans. Validated devices keep the roof within about fifteen; this
 * bounds the drawing whatever the data (a point at 1e-300 FLOP/B, a device from an old client),
 * since the number of grid lines, and so the work and the size of the SVG, follows from it.
 */
export const MAX_DECADES = 24;

function extent(values: number[]): { lo: number; hi: number } | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  // A loop, not Math.min(...values): spreading a very long list overflows the stack.
  for (const v of values) {
    if (!positive(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? { lo, hi } : undefined;
}

/** Whole decades [e0, e1] that hold `all`, or only `core` when `all` spans too many. */
function decades(all: number[], core: number[], fallback: [number, number]): [number, number] {
  const span = (r: { lo: number; hi: number } | undefined): [number, number] | undefined => {
    if (!r) return undefined;
    const e0 = Math.max(-300, Math.min(300, decade(r.lo)));
    const e1 = Math.max(e0 + 1, Math.min(301, decade(r.hi) + 1));
    return [e0, e1];
  };
  const wide = span(extent(all));
  if (wide && wide[1] - wide[0] <= MAX_DECADES) return wide;
  const narrow = span(extent(core)) ?? wide ?? fallback;
  return [narrow[0], Math.min(narrow[1], narrow[0] + MAX_DECADES)];
}

/**
 * The axis ranges: whole decades that hold the ridge, the ceilings and every point. Non-finite or
 * non-positive figures are left out (a roof needs a positive bandwidth and peak; a point, a
 * positive intensity and rate), and the ranges never span more than MAX_DECADES.
 */
export function rooflineDomain(c: Pick<RooflineChart, 'bandwidth' | 'ceilings' | 'ridgePeak' | 'points'>) {
  const finite = c.points.filter((p) => positive(p.intensity) && positive(p.rate));
  const bandwidth = positive(c.bandwidth) ? c.bandwidth : undefined;
  const ceilings = bandwidth ? c.ceilings.filter((x) => positive(x.peak) && positive(x.peak / bandwidth)) : [];
  const ridgeRaw = bandwidth && positive(c.ridgePeak) ? c.ridgePeak / bandwidth : undefined;
  const ridge = ridgeRaw !== undefined && positive(ridgeRaw) ? ridgeRaw : undefined;
  const roofX = ridge ? [ridge / 100, ridge * 10] : [];
  let maxPeak = ridge ? c.ridgePeak : 0;
  for (const x of ceilings) maxPeak = Math.max(maxPeak, x.peak);
  const roofY = maxPeak > 0 ? [maxPeak * 2, ...(ridge && bandwidth ? [bandwidth * (ridge / 100)] : [])] : [];
  const [ex0, ex1] = decades([...roofX, ...finite.map((p) => p.intensity)], roofX, [0, 3]);
  const [ey0, ey1] = decades([...roofY, ...finite.map((p) => p.rate)], roofY, [9, 15]);
  return { x0: 10 ** ex0, x1: 10 ** ex1, y0: 10 ** ey0, y1: 10 ** ey1, ex0, ex1, ey0, ey1, ridge, bandwidth, ceilings, finite };
}

export function rooflineSvg(c: RooflineChart): string {
  const { x0, x1, y0, y1, ex0, ex1, ey0, ey1, ridge, bandwidth, ceilings, finite } = rooflineDomain(c);
  const fg = c.fg ?? '#888';
  const grid = c.grid ?? 'rgba(128,128,128,0.25)';
  const padL = c.labels ? 52 : 4;
  const padB = c.labels ? 34 : 4;
  const padT = c.labels ? 10 : 4;
  const padR = c.labels ? 14 : 4;
  const w = c.width - padL - padR;
  const h = c.height - padT - padB;
  const X = (v: number) => padL + ((Math.log10(v) - ex0) / (ex1 - ex0)) * w;
  const Y = (v: number) => padT + h - ((Math.log10(v) - ey0) / (ey1 - ey0)) * h;
  const clampX = (v: number) => Math.min(Math.max(v, x0), x1);
  const clampY = (v: number) => Math.min(Math.max(v, y0), y1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${c.width}" height="${c.height}" viewBox="0 0 ${c.width} ${c.height}" font-family="sans-serif" font-size="10">`);
  // Decade grid, with tick labels when there is room for them.
  // Integer decades between bounds that rooflineDomain keeps finite and close: always ends.
  for (let e = ex0; e <= ex1; e++) {
    const x = X(10 ** e);
    out.push(`<line x1="${x.toFixed(1)}" y1="${padT}" x2="${x.toFixed(1)}" y2="${padT + h}" stroke="${grid}"/>`);
    if (c.labels) out.push(`<text x="${x.toFixed(1)}" y="${padT + h + 12}" fill="${fg}" text-anchor="middle">${siTick(10 ** e)}</text>`);
  }
  for (let e = ey0; e <= ey1; e++) {
    const y = Y(10 ** e);
    out.push(`<line x1="${padL}" y1="${y.toFixed(1)}" x2="${padL + w}" y2="${y.toFixed(1)}" stroke="${grid}"/>`);
    if (c.labels) out.push(`<text x="${padL - 4}" y="${(y + 3).toFixed(1)}" fill="${fg}" text-anchor="end">${siTick(10 ** e)}</text>`);
  }
  out.push(`<rect x="${padL}" y="${padT}" width="${w}" height="${h}" fill="none" stroke="${fg}"/>`);
  if (c.labels) {
    out.push(`<text x="${padL + w / 2}" y="${c.height - 4}" fill="${fg}" text-anchor="middle">arithmetic intensity (FLOP/byte)</text>`);
    out.push(`<text x="12" y="${padT + h / 2}" fill="${fg}" text-anchor="middle" transform="rotate(-90 12 ${padT + h / 2})">attainable FLOP/s</text>`);
  }
  // One roof per math path: the memory slope BW·I up to the ceiling, then flat.
  const colors = ['#4e9a06', '#3465a4', '#75507b', '#c4a000'];
  [...ceilings]
    .sort((a, b) => a.peak - b.peak)
    .forEach((ceil, i) => {
      const bw = bandwidth!;
      const knee = ceil.peak / bw;
      const xa = clampX(Math.max(x0, y0 / bw));
      const pts = [
        [X(xa), Y(clampY(bw * xa))],
        [X(clampX(knee)), Y(clampY(ceil.peak))],
        [X(x1), Y(clampY(ceil.peak))],
      ];
      const color = colors[i % colors.length];
      out.push(`<polyline points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${c.labels ? 2 : 1.5}"><title>${esc(`${ceil.label}: ${siUnit(ceil.peak, 'FLOP/s')}, ridge ${fmt(knee)} FLOP/byte`)}</title></polyline>`);
      if (c.labels) out.push(`<text x="${padL + w - 4}" y="${(Y(clampY(ceil.peak)) - 4).toFixed(1)}" fill="${color}" text-anchor="end">${esc(ceil.label)} ${siUnit(ceil.peak, 'FLOP/s')}</text>`);
    });
  // The ridge point of the dtype the ops run in: left of it an op is memory-bound.
  if (ridge !== undefined) {
    const rx = X(clampX(ridge));
    out.push(`<line x1="${rx.toFixed(1)}" y1="${padT}" x2="${rx.toFixed(1)}" y2="${padT + h}" stroke="${fg}" stroke-dasharray="3,3"><title>ridge point ${fmt(ridge)} FLOP/byte</title></line>`);
    if (c.labels) out.push(`<text x="${(rx + 3).toFixed(1)}" y="${padT + h - 4}" fill="${fg}">ridge ${fmt(ridge)} FLOP/byte</text>`);
  }
  // Highlighted point last, so it is on top.
  const ordered = [...finite].sort((a, b) => Number(!!a.highlight) - Number(!!b.highlight));
  for (const p of ordered) {
    const x = X(clampX(p.intensity));
    const y = Y(clampY(p.rate));
    const r = p.highlight ? 5 : c.labels ? 4.5 : 3;
    const attrs = `${p.index !== undefined ? ` data-index="${p.index}" class="pt"` : ''} stroke="${p.highlight ? '#000' : 'rgba(0,0,0,0.5)'}" stroke-width="${p.highlight ? 1.5 : 0.75}"`;
    const title = p.title ? `<title>${esc(p.title)}</title>` : '';
    if (p.kind === 'measured') {
      const d = r + 1.5;
      out.push(`<path d="M${x.toFixed(1)},${(y - d).toFixed(1)} L${(x + d).toFixed(1)},${y.toFixed(1)} L${x.toFixed(1)},${(y + d).toFixed(1)} L${(x - d).toFixed(1)},${y.toFixed(1)} Z" fill="${p.color ?? '#ff8c00'}"${attrs}>${title}</path>`);
    } else {
      out.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r}" fill="${p.color ?? '#3465a4'}"${attrs}>${title}</circle>`);
    }
  }
  out.push('</svg>');
  return out.join('');
}

/** The chart as a Markdown image: a base64 data: URI, so no character of the SVG can end the link. */
export function rooflineImage(c: RooflineChart, alt: string): string {
  return `![${alt.replace(/[[\]]/g, '')}](data:image/svg+xml;base64,${Buffer.from(rooflineSvg(c), 'utf8').toString('base64')})`;
}

/** Colour of a point by the worst finding on its op (the roofline view's legend uses the same). */
export const SEVERITY_COLORS = {
  error: '#e51400',
  warning: '#bf8803',
  information: '#1a85ff',
  hint: '#888888',
  none: '#4e9a06',
} as const;
