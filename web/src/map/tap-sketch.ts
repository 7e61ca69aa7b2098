import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { lineString, polygon } from '@turf/turf';
import { UndoHistory } from '../lib/undo-history.js';

export type LngLat = [number, number];
export type SketchKind = 'line' | 'area';

/** How far (px) from the first corner a tap still closes the area: a fingertip's width. */
const CLOSING_PX = 22;

/**
 * A line or an area tapped on the map corner by corner, drawn as it grows, with 刪除上一點
 * (undo) and 重做 (redo). The measure tool and the drawing of new blocks and survey areas both use
 * it, so a planner's taps behave the same in each. Taps are taken only while `collecting`.
 */
export class TapSketch {
  private history = new UndoHistory<readonly LngLat[]>([]);
  private kind: SketchKind = 'line';
  collecting = false;

  /**
   * `onChange` runs after every change, so the caller can update its figures and buttons;
   * `onClose` when a tap closes an area on its first corner.
   */
  constructor(private readonly map: maplibregl.Map, private readonly id: string, colours: { line: string; fill: string },
    private readonly onChange: () => void, onClose: () => void = () => {}) {
    map.addSource(id, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: `${id}-fill`, type: 'fill', source: id, filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': colours.fill, 'fill-opacity': 0.25 } });
    map.addLayer({ id: `${id}-line`, type: 'line', source: id, filter: ['!=', ['geometry-type'], 'Point'],
      paint: { 'line-color': colours.line, 'line-width': 3, 'line-dasharray': [2, 1] } });
    map.addLayer({ id: `${id}-points`, type: 'circle', source: id, filter: ['==', ['geometry-type'], 'Point'],
      paint: { 'circle-radius': 5, 'circle-color': '#ffffff', 'circle-stroke-color': colours.line, 'circle-stroke-width': 2.5 } });
    map.on('click', (e) => {
      if (!this.collecting) return;
      if (this.closes(e.point)) onClose();
      else this.add([e.lngLat.lng, e.lngLat.lat]);
    });
  }

  get points(): readonly LngLat[] { return this.history.current; }
  get canUndo(): boolean { return this.history.canUndo; }
  get canRedo(): boolean { return this.history.canRedo; }

  /** Starts afresh with no corners. */
  start(kind: SketchKind): void {
    this.kind = kind;
    this.history = new UndoHistory<readonly LngLat[]>([]);
    this.collecting = true;
    this.render();
  }

  add(point: LngLat): void {
    this.history.push([...this.points, point]);
    this.render();
  }

  /** True when a tap at this screen point closes the area: near its first corner, with three or more. */
  private closes(at: maplibregl.Point): boolean {
    if (this.kind !== 'area' || this.points.length < 3) return false;
    const first = this.map.project(this.points[0]!);
    return Math.hypot(first.x - at.x, first.y - at.y) <= CLOSING_PX;
  }

  // Steps change the sketch only while it takes taps: a button pressed after 完成 (or after it
  // was handed on) must not draw it again.
  undo(): void {
    if (!this.collecting) return;
    this.history.undo();
    this.render();
  }

  redo(): void {
    if (!this.collecting) return;
    this.history.redo();
    this.render();
  }

  /** Removes every corner, as a step that 刪除上一點 can take back. */
  clear(): void {
    if (!this.collecting) return;
    if (this.points.length) this.history.push([]);
    this.render();
  }

  /** The closed ring of the area tapped so far (three corners or more). */
  ring(): LngLat[] | undefined {
    return this.points.length >= 3 ? [...this.points, this.points[0]!] : undefined;
  }

  /** Stops taking taps; what was drawn stays on the map. */
  stop(): void {
    this.collecting = false;
  }

  /** Takes the sketch off the map and stops taking taps. */
  hide(): void {
    this.collecting = false;
    (this.map.getSource(this.id) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [] });
  }

  private render(): void {
    const ring = this.kind === 'area' ? this.ring() : undefined;
    const shape: GeoJSON.Feature[] = ring ? [polygon([ring])] : this.points.length >= 2 ? [lineString([...this.points])] : [];
    const corners: GeoJSON.Feature[] = this.points.map((p) => ({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: p } }));
    (this.map.getSource(this.id) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [...shape, ...corners] });
    this.onChange();
  }
}
