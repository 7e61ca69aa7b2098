import type * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { bbox, bearing, circle, destination, sector } from '@turf/turf';
import type { Feature as GeoFeature, Point } from 'geojson';
import type { LayerInfo } from '../app/registry.js';
import { api } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { featureUrl, type Feature } from '../map/features.js';
import { saveFeature } from './save-feature.js';

const AIM = 'camera-aim';
const HANDLE = `${AIM}-handle`;

interface Camera { lonLat: [number, number]; azimuth: number; fov: number; rangeM: number }

/** The ground a camera sees: a sector clockwise from true north (turf's bearings are true bearings). */
export function coverageSector(c: Camera): GeoFeature {
  const km = c.rangeM / 1000;
  return c.fov >= 360 ? circle(c.lonLat, km, { steps: 72 })
    : sector(c.lonLat, km, c.azimuth - c.fov / 2, c.azimuth + c.fov / 2, { steps: 48 });
}

const normalise = (deg: number) => Math.round((((deg % 360) + 360) % 360) * 10) / 10 % 360;

/**
 * Turning a camera: a handle at the end of its view line that a planner drags round; the
 * sector follows as it moves, the azimuth is shown and can be typed, and saving writes it with
 * the version that was read (a 412 is explained, with an offer to reload).
 */
export class CameraAim {
  private camera: Camera | undefined;
  private dragging = false;
  private readonly listeners: (() => void)[] = [];
  active = false;

  /**
   * `coveredBelow` says how many pixels at the bottom of the map the page covers while aiming
   * (a phone's sheet with the form), so the camera, its view and the handle are fitted above it.
   */
  constructor(private readonly map: maplibregl.Map, private readonly host: HTMLElement, private readonly onDone: (message?: string) => void,
    private readonly coveredBelow: () => number = () => 0) {
    map.addSource(AIM, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: `${AIM}-sector`, type: 'fill', source: AIM, filter: ['==', ['get', 'kind'], 'sector'],
      paint: { 'fill-color': '#2b9348', 'fill-opacity': 0.3 } });
    map.addLayer({ id: `${AIM}-line`, type: 'line', source: AIM, filter: ['in', ['get', 'kind'], ['literal', ['sector', 'ray']]],
      paint: { 'line-color': '#1b5e20', 'line-width': 2 } });
    map.addLayer({ id: HANDLE, type: 'circle', source: AIM, filter: ['==', ['get', 'kind'], 'handle'],
      paint: { 'circle-radius': 10, 'circle-color': '#ffffff', 'circle-stroke-color': '#1b5e20', 'circle-stroke-width': 3 } });
  }

  async start(layer: LayerInfo, id: number): Promise<void> {
    const { body: f, etag } = await api.getWithTag<Feature>(featureUrl(layer.id, id));
    this.stop();
    this.active = true;
    const p = f.properties;
    this.camera = { lonLat: (f.geometry as Point).coordinates as [number, number], azimuth: Number(p.azimuth), fov: Number(p.fov), rangeM: Number(p.range_m) };
    const original = this.camera.azimuth;
    const input = h('input', { type: 'number', name: 'azimuth', min: 0, max: 359.9, step: 0.1, value: String(original),
      oninput: () => { if (input.value !== '') this.setAzimuth(Number(input.value), input); } });
    const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'button', class: 'primary', onclick: async () => {
      save.disabled = true;
      const azimuth = this.camera!.azimuth;
      // Saving what was there is no change: no new version, and the planner is told so.
      if (azimuth === original) {
        this.stop();
        this.onDone(`「${String(p.name)}」的方位角沒有變更（仍為 ${original}°）`);
        return;
      }
      const refused = await saveFeature({
        layer, message, existing: { id, etag: etag!, name: String(p.name) },
        body: { properties: { azimuth } }, reload: () => void this.start(layer, id),
      });
      save.disabled = false;
      if (refused !== null) return;
      this.stop();
      this.onDone(`已將「${String(p.name)}」的方位角改為 ${azimuth}°`);
    } }, '儲存方向');
    replace(this.host,
      h('h2', {}, `調整監視器方向「${String(p.name)}」`),
      h('p', { class: 'hint' }, '拖曳地圖上的白色圓點旋轉鏡頭方向，綠色扇形為可視範圍；也可直接輸入方位角（正北為 0°，順時針）。'),
      h('label', { class: 'field' }, h('span', { class: 'field-label' }, '方位角（度）'), input),
      h('p', {}, `水平視角 ${this.camera.fov}°・有效距離 ${this.camera.rangeM} 公尺・原方位角 ${original}°`),
      message,
      h('div', { class: 'actions' }, h('button', { type: 'button', class: 'secondary', onclick: () => { this.stop(); this.onDone(); } }, '取消'), save));
    this.draw();
    this.bindDrag(input);
    // The whole circle the handle can be dragged round, above whatever covers the map's foot:
    // at z18 and beyond the handle of a 50 m camera would otherwise be off the screen.
    const [w, s, e, n] = bbox(circle(this.camera.lonLat, (this.camera.rangeM * 1.15) / 1000, { steps: 16 }));
    this.map.fitBounds([[w, s], [e, n]], { padding: { top: 70, left: 20, right: 60, bottom: this.coveredBelow() + 20 }, maxZoom: 19, duration: 500 });
  }

  stop(): void {
    this.active = false;
    this.dragging = false;
    for (const off of this.listeners.splice(0)) off();
    this.map.dragPan.enable();
    (this.map.getSource(AIM) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features: [] });
    this.camera = undefined;
  }

  private setAzimuth(deg: number, input?: HTMLInputElement): void {
    if (!this.camera) return;
    this.camera.azimuth = normalise(deg);
    if (input && document.activeElement !== input) input.value = String(this.camera.azimuth);
    this.draw();
  }

  private draw(): void {
    const c = this.camera!;
    const tip = destination(c.lonLat, c.rangeM / 1000, c.azimuth).geometry.coordinates;
    const features: GeoFeature[] = [
      { ...coverageSector(c), properties: { kind: 'sector' } },
      { type: 'Feature', geometry: { type: 'LineString', coordinates: [c.lonLat, tip] }, properties: { kind: 'ray' } },
      { type: 'Feature', geometry: { type: 'Point', coordinates: tip }, properties: { kind: 'handle' } },
    ];
    (this.map.getSource(AIM) as GeoJSONSource).setData({ type: 'FeatureCollection', features });
  }

  private bindDrag(input: HTMLInputElement): void {
    // Listeners are kept so that stop() removes exactly these.
    type Listener = (e: maplibregl.MapMouseEvent & maplibregl.MapTouchEvent) => void;
    const on = (type: string, fn: Listener, layer?: string) => {
      const m = this.map as unknown as { on: (...a: unknown[]) => void; off: (...a: unknown[]) => void };
      if (layer) m.on(type, layer, fn);
      else m.on(type, fn);
      this.listeners.push(() => (layer ? m.off(type, layer, fn) : m.off(type, fn)));
    };
    const grab = (e: maplibregl.MapMouseEvent | maplibregl.MapTouchEvent) => {
      e.preventDefault();
      this.dragging = true;
      this.map.dragPan.disable();
      this.map.getCanvas().style.cursor = 'grabbing';
    };
    const move = (e: maplibregl.MapMouseEvent | maplibregl.MapTouchEvent) => {
      if (!this.dragging || !this.camera) return;
      this.setAzimuth(bearing(this.camera.lonLat, [e.lngLat.lng, e.lngLat.lat]));
      input.value = String(this.camera.azimuth);
    };
    const release = () => {
      if (!this.dragging) return;
      this.dragging = false;
      this.map.dragPan.enable();
      this.map.getCanvas().style.cursor = '';
    };
    on('mousedown', grab, HANDLE);
    on('touchstart', grab, HANDLE);
    on('mousemove', move);
    on('touchmove', move);
    on('mouseup', release);
    on('touchend', release);
    on('mouseenter', () => { this.map.getCanvas().style.cursor = 'grab'; }, HANDLE);
  }
}
