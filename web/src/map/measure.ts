import type * as maplibregl from 'maplibre-gl';
import { area, length, lineString, polygon } from '@turf/turf';
import { h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { TapSketch } from './tap-sketch.js';

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
 * back, 重做 puts it again, 完成 (or a tap on the first corner of an area) ends. While it runs, a
 * tap on the map belongs to it, not to the popups.
 */
export class MeasureTool {
  private readonly sketch: TapSketch;
  /** What the shown figures are of (kept after 完成). */
  private kind: Mode = 'distance';
  private readonly result = h('p', { class: 'measure-result', 'aria-live': 'polite' });
  private readonly undoButton = h('button', { type: 'button', class: 'secondary', dataset: { measure: 'undo' }, onclick: () => this.sketch.undo() }, '刪除上一點');
  private readonly redoButton = h('button', { type: 'button', class: 'secondary', dataset: { measure: 'redo' }, onclick: () => this.sketch.redo() }, '重做');
  private readonly controls = h('div', { class: 'actions start measure-controls', hidden: true },
    this.undoButton, this.redoButton,
    h('button', { type: 'button', class: 'secondary', dataset: { measure: 'clear' }, onclick: () => this.sketch.clear() }, '清除'),
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
    this.sketch = new TapSketch(map, SOURCE, { line: '#e36414', fill: '#ff9f1c' }, () => this.show(), () => this.finish());
  }

  get active(): boolean { return this.sketch.collecting; }

  start(mode: Mode): void {
    if (this.busy()) {
      replace(this.result, '請先完成或取消目前的編輯，再開始量測。');
      return;
    }
    this.kind = mode;
    this.controls.hidden = false;
    this.map.getCanvas().style.cursor = 'crosshair';
    this.onStart();
    this.sketch.start(mode === 'area' ? 'area' : 'line');
  }

  /** Ends measuring; the last result stays on the map and in the panel until the next. */
  finish(): void {
    this.sketch.stop();
    this.controls.hidden = true;
    this.map.getCanvas().style.cursor = '';
  }

  /** The figures of what has been tapped so far, as shown. */
  private figures(): string {
    const points = this.sketch.points;
    const n = points.length;
    if (this.kind === 'area') {
      const ring = this.sketch.ring();
      if (!ring) return `點選地圖上的範圍頂點（已點 ${n} 點，至少 3 點）`;
      return `面積 ${formatArea(area(polygon([ring])))}，周長 ${formatDistance(length(lineString(ring)) * 1000)}`;
    }
    if (n < 2) return `點選地圖上的起點與各轉折點（已點 ${n} 點）`;
    return `距離 ${formatDistance(length(lineString([...points])) * 1000)}（${n} 點）`;
  }

  private show(): void {
    this.undoButton.disabled = !this.sketch.canUndo;
    this.redoButton.disabled = !this.sketch.canRedo;
    replace(this.result, this.active || this.sketch.points.length ? this.figures() : '');
  }
}
