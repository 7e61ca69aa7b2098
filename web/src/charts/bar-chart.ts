import { svg } from '../lib/dom.js';

export interface Bar {
  label: string;
  value: number;
  /** The same figure for the period before, drawn as a thin bar under this one. */
  previous?: number;
  colour?: string;
}

export interface BarChartOptions {
  title: string;
  /** How a value is written at the end of its bar, e.g. as a percentage. */
  format?: (n: number) => string;
  /** The value a full-width bar stands for (1 for shares); default the largest value. */
  max?: number;
}

const ROW = 16;
const WIDTH = 340;
const VALUE_W = 46;
/** Label text is 9.5 px: a CJK character is about that wide, Latin digits about half. */
const labelWidth = (labels: string[]) =>
  Math.min(150, 8 + Math.max(0, ...labels.map((l) => [...l].reduce((w, c) => w + (c.charCodeAt(0) > 0x2e7f ? 9.5 : 5.5), 0))));

/**
 * Horizontal bars, one row per label, for roll-up figures by category or by unit. SVG, so
 * it prints sharp and scales with the sheet; each bar carries its figure as text, which is
 * what a printed report is read by.
 */
export function barChart(bars: Bar[], options: BarChartOptions): SVGSVGElement {
  const format = options.format ?? ((n: number) => n.toLocaleString('zh-TW'));
  const compare = bars.some((b) => b.previous !== undefined);
  const max = options.max ?? Math.max(1, ...bars.flatMap((b) => [b.value, b.previous ?? 0]));
  const labelW = labelWidth(bars.map((b) => b.label));
  const span = WIDTH - labelW - VALUE_W;
  const x = (n: number) => (Math.max(0, n) / max) * span;
  const height = bars.length * ROW + 4;
  const chart = svg('svg', { viewBox: `0 0 ${WIDTH} ${height}`, role: 'img', 'aria-label': options.title, class: 'bar-chart' },
    svg('title', {}, options.title));
  bars.forEach((b, i) => {
    const top = i * ROW + 2;
    const tip = `${b.label}：${format(b.value)}${b.previous !== undefined ? `（前期 ${format(b.previous)}）` : ''}`;
    const row = svg('g', { class: 'bar-row' }, svg('title', {}, tip));
    row.append(svg('text', { x: labelW - 4, y: top + 11, 'text-anchor': 'end', class: 'bar-label' }, b.label));
    row.append(svg('rect', { x: labelW, y: top + 1, width: x(b.value), height: compare ? 8 : 12, rx: 1.5, class: 'bar', ...(b.colour ? { style: `fill: ${b.colour}` } : {}) }));
    if (b.previous !== undefined) row.append(svg('rect', { x: labelW, y: top + 10, width: x(b.previous), height: 3, class: 'bar previous' }));
    row.append(svg('text', { x: labelW + x(Math.max(b.value, b.previous ?? 0)) + 3, y: top + 11, class: 'bar-value' }, format(b.value)));
    chart.append(row);
  });
  return chart;
}
