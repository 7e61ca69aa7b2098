import { svg } from '../lib/dom.js';

/**
 * A small line chart of a share (0–1) against a count, e.g. the share of demand covered as new
 * cameras are added one by one: the curve flattens where another camera adds little.
 */
export function curveChart(points: { x: number; y: number }[], title: string, xLabel: string): SVGSVGElement {
  const [w, hgt, left, bottom] = [300, 140, 34, 22];
  const maxX = Math.max(1, ...points.map((p) => p.x));
  const maxY = Math.max(0.01, ...points.map((p) => p.y));
  const px = (x: number) => left + (x / maxX) * (w - left - 8);
  const py = (y: number) => hgt - bottom - (y / maxY) * (hgt - bottom - 10);
  const chart = svg('svg', { viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': title, class: 'curve-chart' }, svg('title', {}, title));
  chart.append(svg('line', { x1: left, y1: hgt - bottom, x2: w - 8, y2: hgt - bottom, class: 'axis-line' }));
  chart.append(svg('line', { x1: left, y1: 10, x2: left, y2: hgt - bottom, class: 'axis-line' }));
  for (const y of [0, maxY / 2, maxY]) {
    chart.append(svg('text', { x: left - 4, y: py(y) + 3, 'text-anchor': 'end', class: 'axis' }, `${Math.round(y * 100)}%`));
  }
  for (const p of points) chart.append(svg('text', { x: px(p.x), y: hgt - bottom + 12, 'text-anchor': 'middle', class: 'axis' }, String(p.x)));
  chart.append(svg('text', { x: w - 8, y: hgt - 2, 'text-anchor': 'end', class: 'axis' }, xLabel));
  chart.append(svg('polyline', { points: points.map((p) => `${px(p.x)},${py(p.y)}`).join(' '), class: 'curve' }));
  for (const p of points) chart.append(svg('circle', { cx: px(p.x), cy: py(p.y), r: 3, class: 'curve-dot' }, svg('title', {}, `${p.x}：${Math.round(p.y * 1000) / 10}%`)));
  return chart;
}
