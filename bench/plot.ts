/**
 * A small SVG line chart for the bench reports (channel load and verification rate against ship count, per mode):
 * axes with 1-2-5 ticks (or decades on a log axis), a legend, several series. Written by hand — a chart library
 * would bring a DOM or a canvas for what is a few hundred lines of text; renderLineChart is pure, writeLineChart
 * puts the text in a file.
 */
import { writeFileSync } from 'node:fs';

export interface Series {
  readonly name: string;
  /** [x, y] pairs; drawn in the given order. */
  readonly points: readonly (readonly [number, number])[];
  /** Dashed line, e.g. for a theoretical curve next to the measured one. */
  readonly dashed?: boolean;
  /**
   * A fixed look, so one quantity keeps its colour in every chart and coinciding lines stay apart by dash and
   * marker (see `seriesStyle`). Without it the series' position in the chart picks colour and dash.
   */
  readonly style?: SeriesStyle;
}

export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'cross';

export interface SeriesStyle {
  readonly colour: string;
  /** SVG stroke-dasharray; '' = solid. */
  readonly dash: string;
  readonly marker: Marker;
}

/** A horizontal reference line, e.g. the channel's capacity at 100 %. */
export interface ReferenceLine {
  readonly y: number;
  readonly label: string;
}

export interface LineChart {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly Series[];
  /** 'log' suits ship counts such as 10, 100, 500 (default 'linear'). */
  readonly xScale?: 'linear' | 'log';
  /** Force the y range (e.g. 0..100 for percentages); default from the data, including 0. */
  readonly yRange?: readonly [number, number];
  readonly references?: readonly ReferenceLine[];
  readonly width?: number;
  readonly height?: number;
}

/** Okabe–Ito palette: distinguishable with the common colour-vision deficiencies; dashes take over after eight. */
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];
const DASHES = ['', '6 3', '2 3', '8 3 2 3'];
const MARKERS: readonly Marker[] = ['circle', 'square', 'triangle', 'diamond', 'cross'];

/**
 * The k-th fixed style: its own colour, and dash and marker that differ from its neighbours', so two series that
 * lie on top of each other (same slots in two modes) both stay visible.
 */
export function seriesStyle(k: number): SeriesStyle {
  return {
    colour: COLOURS[k % COLOURS.length] as string,
    dash: DASHES[k % DASHES.length] as string,
    marker: MARKERS[k % MARKERS.length] as Marker,
  };
}

function marker(kind: Marker, x: number, y: number, colour: string, cls = 'marker'): string {
  const n = (v: number): string => v.toFixed(1);
  const r = 3.5;
  switch (kind) {
    case 'circle':
      return cls === 'marker' ? `<circle cx="${n(x)}" cy="${n(y)}" r="3" fill="${colour}"/>` : `<circle class="${cls}" cx="${n(x)}" cy="${n(y)}" r="3" fill="${colour}"/>`;
    case 'square':
      return `<rect class="${cls}" x="${n(x - r)}" y="${n(y - r)}" width="${n(2 * r)}" height="${n(2 * r)}" fill="none" stroke="${colour}" stroke-width="1.5"/>`;
    case 'triangle':
      return `<path class="${cls}" d="M${n(x)},${n(y - r - 1)} L${n(x + r + 0.5)},${n(y + r)} L${n(x - r - 0.5)},${n(y + r)} Z" fill="${colour}"/>`;
    case 'diamond':
      return `<path class="${cls}" d="M${n(x)},${n(y - r - 1)} L${n(x + r + 1)},${n(y)} L${n(x)},${n(y + r + 1)} L${n(x - r - 1)},${n(y)} Z" fill="none" stroke="${colour}" stroke-width="1.5"/>`;
    case 'cross':
      return `<path class="${cls}" d="M${n(x - r)},${n(y - r)} L${n(x + r)},${n(y + r)} M${n(x - r)},${n(y + r)} L${n(x + r)},${n(y - r)}" stroke="${colour}" stroke-width="2"/>`;
  }
}

const MARGIN = { left: 64, right: 16, top: 36, bottom: 48 };
const LEGEND_WIDTH = 175;

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** Round numbers to print: at most 4 significant digits, no float noise. */
function label(v: number): string {
  return String(Number(v.toPrecision(4)));
}

/** About `target` ticks at 1, 2 or 5 × 10^k covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, target = 6): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || hi < lo) throw new RangeError(`bad tick range [${lo}, ${hi}]`);
  if (hi === lo) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) as number) * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** 1, 2, 5 × 10^k within [lo, hi] (lo > 0). */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

export function renderLineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 420;
  const xScale = chart.xScale ?? 'linear';
  if (chart.series.length === 0) throw new RangeError('chart has no series');
  const points = chart.series.flatMap((s) => s.points);
  if (points.length === 0) throw new RangeError('chart has no points');
  for (const [x, y] of points) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`non-finite point (${x}, ${y})`);
    if (xScale === 'log' && x <= 0) throw new RangeError(`log x axis needs x > 0, got ${x}`);
  }
  let xLo = Math.min(...points.map((p) => p[0]));
  let xHi = Math.max(...points.map((p) => p[0]));
  if (xLo === xHi) {
    xLo = xScale === 'log' ? xLo / 2 : xLo - 1;
    xHi = xScale === 'log' ? xHi * 2 : xHi + 1;
  }
  const refYs = (chart.references ?? []).map((r) => r.y);
  let [yLo, yHi] = chart.yRange ?? [Math.min(0, ...points.map((p) => p[1]), ...refYs), Math.max(0, ...points.map((p) => p[1]), ...refYs)];
  if (yLo === yHi) yHi = yLo + 1;
  const yTicks = niceTicks(yLo, yHi);
  if (chart.yRange === undefined) {
    yLo = Math.min(yLo, yTicks[0] as number);
    yHi = Math.max(yHi, yTicks[yTicks.length - 1] as number);
  }
  const plotW = width - MARGIN.left - MARGIN.right - LEGEND_WIDTH;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const fx = (x: number): number => {
    const f = xScale === 'log' ? Math.log(x / xLo) / Math.log(xHi / xLo) : (x - xLo) / (xHi - xLo);
    return MARGIN.left + f * plotW;
  };
  const fy = (y: number): number => MARGIN.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH;
  const xTicks = xScale === 'log' ? logTicks(xLo, xHi) : niceTicks(xLo, xHi);
  const n = (v: number): string => v.toFixed(1);

  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"` +
      ' font-family="sans-serif" font-size="12">',
  );
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(
    `<text x="${n(MARGIN.left + plotW / 2)}" y="20" text-anchor="middle" font-size="14" font-weight="bold">` +
      `${escapeXml(chart.title)}</text>`,
  );
  // Grid and ticks.
  for (const t of yTicks) {
    if (t < yLo || t > yHi) continue;
    const y = n(fy(t));
    out.push(`<line x1="${MARGIN.left}" y1="${y}" x2="${n(MARGIN.left + plotW)}" y2="${y}" stroke="#dddddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label(t)}</text>`);
  }
  for (const t of xTicks) {
    const x = n(fx(t));
    out.push(`<line x1="${x}" y1="${MARGIN.top}" x2="${x}" y2="${n(MARGIN.top + plotH)}" stroke="#dddddd"/>`);
    out.push(`<text x="${x}" y="${n(MARGIN.top + plotH + 16)}" text-anchor="middle">${label(t)}</text>`);
  }
  // Axes and their labels.
  const axes = `M${MARGIN.left},${MARGIN.top} V${n(MARGIN.top + plotH)} H${n(MARGIN.left + plotW)}`;
  out.push(`<path d="${axes}" fill="none" stroke="#000000"/>`);
  out.push(`<text x="${n(MARGIN.left + plotW / 2)}" y="${height - 10}" text-anchor="middle">${escapeXml(chart.xLabel)}</text>`);
  const yLabelAt = `translate(16 ${n(MARGIN.top + plotH / 2)}) rotate(-90)`;
  out.push(`<text transform="${yLabelAt}" text-anchor="middle">${escapeXml(chart.yLabel)}</text>`);
  // Reference lines under the series.
  for (const ref of chart.references ?? []) {
    if (ref.y < yLo || ref.y > yHi) continue;
    const y = n(fy(ref.y));
    out.push(`<line class="reference" x1="${MARGIN.left}" y1="${y}" x2="${n(MARGIN.left + plotW)}" y2="${y}" stroke="#444444" stroke-width="1.5" stroke-dasharray="10 4"/>`);
    out.push(`<text x="${n(MARGIN.left + 6)}" y="${n(fy(ref.y) - 5)}" fill="#444444">${escapeXml(ref.label)}</text>`);
  }
  // Series and legend.
  chart.series.forEach((s, i) => {
    const colour = s.style?.colour ?? (COLOURS[i % COLOURS.length] as string);
    const dash = s.style?.dash ?? (s.dashed === true ? (DASHES[1] as string) : (DASHES[Math.floor(i / COLOURS.length) % DASHES.length] as string));
    const dashAttr = dash === '' ? '' : ` stroke-dasharray="${dash}"`;
    const pts = s.points.map(([x, y]) => `${n(fx(x))},${n(fy(y))}`).join(' ');
    out.push(`<polyline class="series" points="${pts}" fill="none" stroke="${colour}" stroke-width="2"${dashAttr}/>`);
    for (const [x, y] of s.points) out.push(marker(s.style?.marker ?? 'circle', fx(x), fy(y), colour));
    const ly = MARGIN.top + 8 + i * 18;
    const lx = width - MARGIN.right - LEGEND_WIDTH + 12;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${colour}" stroke-width="2"${dashAttr}/>`);
    out.push(marker(s.style?.marker ?? 'circle', lx + 12, ly, colour, 'legend-marker'));
    out.push(`<text class="legend" x="${lx + 30}" y="${ly}" dominant-baseline="middle">${escapeXml(s.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Renders the chart and writes it to `path`. */
export function writeLineChart(path: string, chart: LineChart): void {
  writeFileSync(path, renderLineChart(chart));
}
