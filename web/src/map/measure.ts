import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { area, length, lineString, polygon } from '@turf/turf';
import { h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';

const SOURCE = 'measure';
type Mode = 'distance' | 'area';

/** A distance as people say it: metres up to a kilometre, then kilometres. */
export const formatDistance = (m: number) => (m < 1000 ? `${formatNumber(m)} 公尺` : `${formatNumber(m / 1000, 2)} 公里`);

/** An area in 公頃 (and 平方公尺 where that reads better). */
export const formatArea = (m2: number) =>
  (m2 < 10_000 ? `${formatNumber(m2)} 平方公尺` : `${formatNumber(m2 / 10_000, 2)} 公頃（${formatNumber(m2)} 平方公尺）`);

/**
 * Measuring on the map: 量距離 (a line of taps, its length along the ground) and 量面積 (a
 * polygon of taps, its area and perimeter). Each tap adds a point; 刪除上一點 takes the last
 * back, 完成 ends. While it runs, a tap on the map belongs to it, not to the popups.
 */
export class MeasureTool {
  private points: [number, number][] = [];
  /** What is being measured while measuring; undefined once 完成. */
  private mode: Mode | undefined;
  /** What the shown figures are of (kept after 完成). */
  private kind: Mode = 'distance';
  private readonly result = h('p', { class: 'measure-result', 'aria-live': 'polite' });
  private readonly controls = h('div', { class: 'actions start measure-controls', hidden: true },
    h('button', { type: 'button', class: 'secondary', dataset: { measure: 'undo' }, onclick: () => this.undo() }, '刪除上一點'),
    h('button', { type: 'button', class: 'secondary', dataset: { measure: 'clear' }, onclick: () => this.clear() }, '清除'),
    h('button', { type: 'button', class: 'primary', dataset: { measure: 'done' }, onclick: () => this.finish() }, '完成'));
  readonly buttons = [
    h('button', { type: 'button', class: 'secondary', dataset: { measure: 'distance' }, onclick: () => this.start('distance') }, '量距離'),
    h('button', { type: 'button', class: 'secondary', dataset: { measure: 'area' }, onclick: () => this.start('area') }, '量面積'),
  ];
  readonly element = h('div', { class: 'measure' }, this.result, this.controls);

  /**
   * `onStart` runs when measuring starts (the view closes its popup, shows the panel); `busy`
   * says the map's taps belong to something else (an edit session), when measuring does not start.
   */
  constructor(private readonly map: maplibregl.Map, private readonly onStart: () => void = () => {},
    private readonly busy: () => boolean = () => false) {
    map.addSource(SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: `${SOURCE}-fill`, type: 'fill', source: SOURCE, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#ff9f1c', 'fill-opacity': 0.2 } });
    map.addLayer({ id: `${SOURCE}-line`, type: 'line', source: SOURCE, filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': '#e36414', 'line-width': 3, 'line-dasharray': [2, 1] } });
    map.addLayer({ id: `${SOURCE}-points`, type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 5, 'circle-color': '#ffffff', 'circle-stroke-color': '#e36414', 'circle-stroke-width': 2.5 } });
    map.on('click', (e) => {
      if (!this.mode) return;
      this.points.push([e.lngLat.lng, e.lngLat.lat]);
      this.draw();
    });
  }

  get active(): boolean { return this.mode !== undefined; }

  start(mode: Mode): void {
    if (this.busy()) {
      replace(this.result, '請先完成或取消目前的編輯，再開始量測。');
      return;
    }
    this.mode = mode;
    this.kind = mode;
    this.points = [];
    this.controls.hidden = false;
    this.map.getCanvas().style.cursor = 'crosshair';
    this.onStart();
    this.draw();
  }

  undo(): void {
    this.points.pop();
    this.draw();
  }

  clear(): void {
    this.points = [];
    this.draw();
  }

  /** Ends measuring; the last result stays on the map and in the panel until the next. */
  finish(): void {
    this.mode = undefined;
    this.controls.hidden = true;
    this.map.getCanvas().style.cursor = '';
  }

  /** The figures of what has been tapped so far, as shown. */
  private figures(): string {
    const n = this.points.length;
    if (this.kind === 'area') {
      if (n < 3) return `點選地圖上的範圍頂點（已點 ${n} 點，至少 3 點）`;
      const ring = [...this.points, this.points[0]!];
      return `面積 ${formatArea(area(polygon([ring])))}，周長 ${formatDistance(length(lineString(ring)) * 1000)}`;
    }
    if (n < 2) return `點選地圖上的起點與各轉折點（已點 ${n} 點）`;
    return `距離 ${formatDistance(length(lineString(this.points)) * 1000)}（${n} 點）`;
  }

  private draw(): void {
    const n = this.points.length;
    const shape: GeoJSON.Feature[] = this.kind === 'area' && n >= 3
      ? [polygon([[...this.points, this.points[0]!]])]
      : n >= 2 ? [lineString(this.points)] : [];
    const points: GeoJSON.Feature[] = this.points.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
    (this.map.getSource(SOURCE) as GeoJSONSource).setData({ type: 'FeatureCollection', features: [...shape, ...points] });
    replace(this.result, this.mode || n ? this.figures() : '');
  }
}
