import { svg } from '../lib/dom.js';
import { WEEKDAYS } from '../lib/format.js';

/** Counts by ISO weekday (1 Monday … 7 Sunday) × hour of day (0–23), as a 7 × 24 matrix. */
export type HourWeek = number[][];

export function emptyHourWeek(): HourWeek {
  return Array.from({ length: 7 }, () => Array<number>(24).fill(0));
}

/** The busiest cells, most first: "週五 21 時 (4)". */
export function hotHours(m: HourWeek, n = 3): { weekday: number; hour: number; count: number }[] {
  return m.flatMap((row, d) => row.map((count, hour) => ({ weekday: d + 1, hour, count })))
    .filter((c) => c.count > 0).sort((a, b) => b.count - a.count || a.weekday - b.weekday || a.hour - b.hour).slice(0, n);
}

const COLOURS = ['#fff5eb', '#fdd0a2', '#fdae6b', '#fd8d3c', '#e6550d', '#a63603'];

/**
 * The 熱時 chart: one row per weekday, one column per hour, darker where more incidents fell.
 * Drawn as SVG so it prints sharp and scales to any width.
 */
export function hourWeekChart(m: HourWeek, title: string): SVGSVGElement {
  const cell = 14;
  const left = 22;
  const top = 14;
  const max = Math.max(1, ...m.flat());
  const level = (n: number) => (n === 0 ? 0 : 1 + Math.min(COLOURS.length - 2, Math.floor(((n - 1) / max) * (COLOURS.length - 1))));
  const chart = svg('svg', { viewBox: `0 0 ${left + 24 * cell + 2} ${top + 7 * cell + 2}`, role: 'img', 'aria-label': title, class: 'hour-week' },
    svg('title', {}, title));
  for (let hour = 0; hour < 24; hour += 3) {
    chart.append(svg('text', { x: left + hour * cell + cell / 2, y: top - 4, 'text-anchor': 'middle', class: 'axis' }, String(hour)));
  }
  m.forEach((row, d) => {
    chart.append(svg('text', { x: left - 5, y: top + d * cell + cell * 0.72, 'text-anchor': 'end', class: 'axis' }, WEEKDAYS[d]!));
    row.forEach((count, hour) => {
      chart.append(svg('rect', {
        x: left + hour * cell, y: top + d * cell, width: cell - 1, height: cell - 1, rx: 2,
        fill: COLOURS[level(count)]!, 'data-weekday': d + 1, 'data-hour': hour, 'data-count': count,
      }, svg('title', {}, `星期${WEEKDAYS[d]} ${hour} 時：${count} 件`)));
    });
  });
  return chart;
}
