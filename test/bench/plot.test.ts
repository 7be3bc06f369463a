import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { niceTicks, renderLineChart, seriesStyle, type LineChart } from '../../bench/plot.js';

const chart: LineChart = {
  title: 'Channel load <per mode>',
  xLabel: 'ships',
  yLabel: 'load (%)',
  xScale: 'log',
  yRange: [0, 100],
  series: [
    { name: 'mode 1 (plain)', points: [[10, 1.5], [100, 15], [500, 74]] },
    { name: 'mode 2 & signed', points: [[10, 4], [100, 41], [500, 99]] },
    { name: 'mode 5', points: [[10, 3], [100, 30], [500, 97]] },
    { name: 'theory', points: [[10, 3], [500, 90]], dashed: true },
  ],
};

const coordinate = fc.double({ min: -1e6, max: 1e6, noNaN: true });

describe('renderLineChart', () => {
  it('draws one polyline and one legend entry per series, with escaped text', () => {
    const svg = renderLineChart(chart);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg.match(/<polyline class="series"/g)).toHaveLength(4);
    expect(svg.match(/<text class="legend"/g)).toHaveLength(4);
    expect(svg.match(/<polyline[^>]*stroke-dasharray/g)).toHaveLength(1);
    expect(svg).toContain('Channel load &lt;per mode&gt;');
    expect(svg).toContain('mode 2 &amp; signed');
    // Decade ticks on the log axis, 1-2-5 in between.
    for (const t of ['>10<', '>20<', '>50<', '>100<', '>200<', '>500<']) expect(svg).toContain(t);
  });

  it('keeps every point inside the plot area', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(coordinate, coordinate), { minLength: 1, maxLength: 20 }),
        (points) => {
          const svg = renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', points }], width: 600, height: 400 });
          for (const m of svg.matchAll(/<circle cx="([-\d.]+)" cy="([-\d.]+)"/g)) {
            expect(Number(m[1])).toBeGreaterThanOrEqual(64 - 0.05);
            expect(Number(m[1])).toBeLessThanOrEqual(600 - 16 - 150 + 0.05);
            expect(Number(m[2])).toBeGreaterThanOrEqual(36 - 0.05);
            expect(Number(m[2])).toBeLessThanOrEqual(400 - 48 + 0.05);
          }
        },
      ),
    );
  });

  it('rejects what it cannot draw', () => {
    expect(() => renderLineChart({ ...chart, series: [] })).toThrow(RangeError);
    expect(() => renderLineChart({ ...chart, series: [{ name: 'a', points: [[0, 1]] }] })).toThrow(RangeError);
    expect(() => renderLineChart({ ...chart, xScale: 'linear', series: [{ name: 'a', points: [[1, Number.NaN]] }] })).toThrow(RangeError);
  });
});

describe('niceTicks', () => {
  it('covers the range with steps of 1, 2 or 5 × 10^k', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), (lo, span) => {
        const ticks = niceTicks(lo, lo + span);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        expect(ticks.length).toBeLessThanOrEqual(13);
        const step = (ticks[1] as number) - (ticks[0] as number);
        const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
      }),
    );
  });
});

describe('renderLineChart styles', () => {
  it('a fixed style keeps colour, dash and marker per series, and a reference line is drawn with its label', () => {
    const styled: LineChart = {
      ...chart,
      yRange: undefined,
      series: [
        { name: 'mode 2', style: seriesStyle(1), points: [[10, 4], [500, 120]] },
        { name: 'mode 3', style: seriesStyle(2), points: [[10, 4], [500, 120]] },
      ],
      references: [{ y: 100, label: 'channel capacity (100 %)' }],
    };
    const svg = renderLineChart(styled);
    const lines = [...svg.matchAll(/<polyline class="series"[^>]*stroke="([^"]+)"[^>]*?(?:stroke-dasharray="([^"]+)")?\/>/g)];
    expect(lines.map((m) => m[1])).toEqual([seriesStyle(1).colour, seriesStyle(2).colour]);
    // Two coinciding series differ in dash and marker, so the lower one shows through.
    expect(lines[0]![2]).not.toEqual(lines[1]![2]);
    expect(seriesStyle(1).marker).not.toBe(seriesStyle(2).marker);
    expect(svg).toMatch(/<line class="reference"/);
    expect(svg).toContain('channel capacity (100 %)');
    // The same style index gives the same look in another chart, whatever the series' position there.
    const other = renderLineChart({ ...styled, series: [styled.series[1]!] });
    expect(other).toMatch(new RegExp(`<polyline class="series"[^>]*stroke="${seriesStyle(2).colour}"`));
  });
});
