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

/** The axis ranges: whole decades that hold the ridge, the ceilings and every point. */
export function rooflineDomain(c: Pick<RooflineChart, 'bandwidth' | 'ceilings' | 'ridgePeak' | 'points'>) {
  const finite = c.points.filter((p) => Number.isFinite(p.intensity) && p.intensity > 0 && Number.isFinite(p.rate) && p.rate > 0);
  const ridge = c.ridgePeak / c.bandwidth;
  const xs = [ridge / 100, ridge * 10, ...finite.map((p) => p.intensity)];
  const maxPeak = Math.max(...c.ceilings.map((x) => x.peak), c.ridgePeak);
  const ys = [maxPeak * 2, ...finite.map((p) => p.rate), c.bandwidth * (ridge / 100)];
  const x0 = 10 ** decade(Math.min(...xs));
  const x1 = 10 ** (decade(Math.max(...xs)) + 1);
  const y0 = 10 ** decade(Math.min(...ys));
  const y1 = 10 ** (decade(Math.max(...ys)) + 1);
  return { x0, x1, y0, y1, ridge, finite };
}

export function rooflineSvg(c: RooflineChart): string {
  const { x0, x1, y0, y1, ridge, finite } = rooflineDomain(c);
  const fg = c.fg ?? '#888';
  const grid = c.grid ?? 'rgba(128,128,128,0.25)';
  const padL = c.labels ? 52 : 4;
  const padB = c.labels ? 34 : 4;
  const padT = c.labels ? 10 : 4;
  const padR = c.labels ? 14 : 4;
  const w = c.width - padL - padR;
  const h = c.height - padT - padB;
  const X = (v: number) => padL + ((Math.log10(v) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * w;
  const Y = (v: number) => padT + h - ((Math.log10(v) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * h;
  const clampX = (v: number) => Math.min(Math.max(v, x0), x1);
  const clampY = (v: number) => Math.min(Math.max(v, y0), y1);
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${c.width}" height="${c.height}" viewBox="0 0 ${c.width} ${c.height}" font-family="sans-serif" font-size="10">`);
  // Decade grid, with tick labels when there is room for them.
  for (let e = Math.log10(x0); e <= Math.log10(x1) + 1e-9; e++) {
    const x = X(10 ** e);
    out.push(`<line x1="${x.toFixed(1)}" y1="${padT}" x2="${x.toFixed(1)}" y2="${padT + h}" stroke="${grid}"/>`);
    if (c.labels) out.push(`<text x="${x.toFixed(1)}" y="${padT + h + 12}" fill="${fg}" text-anchor="middle">${siTick(10 ** e)}</text>`);
  }
  for (let e = Math.log10(y0); e <= Math.log10(y1) + 1e-9; e++) {
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
  [...c.ceilings]
    .sort((a, b) => a.peak - b.peak)
    .forEach((ceil, i) => {
      const knee = ceil.peak / c.bandwidth;
      const xa = clampX(Math.max(x0, y0 / c.bandwidth));
      const pts = [
        [X(xa), Y(clampY(c.bandwidth * xa))],
        [X(clampX(knee)), Y(clampY(ceil.peak))],
        [X(x1), Y(clampY(ceil.peak))],
      ];
      const color = colors[i % colors.length];
      out.push(`<polyline points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}" fill="none" stroke="${color}" stroke-width="${c.labels ? 2 : 1.5}"><title>${esc(`${ceil.label}: ${siUnit(ceil.peak, 'FLOP/s')}, ridge ${fmt(knee)} FLOP/byte`)}</title></polyline>`);
      if (c.labels) out.push(`<text x="${padL + w - 4}" y="${(Y(clampY(ceil.peak)) - 4).toFixed(1)}" fill="${color}" text-anchor="end">${esc(ceil.label)} ${siUnit(ceil.peak, 'FLOP/s')}</text>`);
    });
  // The ridge point of the dtype the ops run in: left of it an op is memory-bound.
  const rx = X(clampX(ridge));
  out.push(`<line x1="${rx.toFixed(1)}" y1="${padT}" x2="${rx.toFixed(1)}" y2="${padT + h}" stroke="${fg}" stroke-dasharray="3,3"><title>ridge point ${fmt(ridge)} FLOP/byte</title></line>`);
  if (c.labels) out.push(`<text x="${(rx + 3).toFixed(1)}" y="${padT + h - 4}" fill="${fg}">ridge ${fmt(ridge)} FLOP/byte</text>`);
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
