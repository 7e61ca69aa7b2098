import * as maplibregl from 'maplibre-gl';
import type { GeoJSONSource } from 'maplibre-gl';
import { centroid } from '@turf/turf';
import type { MultiPolygon, Polygon } from 'geojson';
import { TerraDraw, TerraDrawPolygonMode, TerraDrawSelectMode } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { AppContext } from '../app/context.js';
import type { LayerInfo, PropertyInfo } from '../app/registry.js';
import { api, ApiError } from '../lib/api.js';
import { h, replace } from '../lib/dom.js';
import { formatNumber } from '../lib/format.js';
import { etagOf, featureUrl, getFeature, listFeatures, type Feature } from '../map/features.js';
import { styleLayersOf } from '../map/map.js';
import { showConflict } from './conflict-dialog.js';
import { featureForm, type FeatureForm } from './feature-form.js';
import { saveFeature } from './save-feature.js';
import { checkShape, type ShapeReport } from './shape-checks.js';
import { TapSketch } from '../map/tap-sketch.js';
import { UndoHistory } from '../lib/undo-history.js';

const CHECKS = 'edit-checks';
type Area = Polygon | MultiPolygon;

/** A place named in a server message (invalid_geometry), e.g. "邊線自相交（Self-intersection），位置約在 (120.2051, 22.9952)". */
function placeIn(message: string): [number, number] | undefined {
  const m = /位置約在 \((-?[\d.]+), (-?[\d.]+)\)/.exec(message);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * Drawing, reshaping and deleting the polygons of a layer (watch blocks, drone survey areas) with
 * terra-draw, with the attribute form, the checks a planner needs before saving (overlaps, the
 * part outside their precinct), the server's refusals shown next to the shape, and a 412
 * explained with an offer to reload.
 */
export class PolygonEditor {
  private draw: TerraDraw | undefined;
  private shapeId: string | undefined;
  private errorPopup: maplibregl.Popup | undefined;
  private hidden: { layerIds: string[] } | undefined;
  private precinct: Area | null | undefined;
  private checkTimer: number | undefined;
  /** The corners of a new shape while they are being tapped. */
  private readonly sketch: TapSketch;
  private onSketch: () => void = () => {};
  private onSketchClosed: () => void = () => {};
  private readonly sketchNote = h('p', { class: 'hint', 'aria-live': 'polite' });
  active = false;

  constructor(private readonly map: maplibregl.Map, private readonly ctx: AppContext, private readonly host: HTMLElement,
    private readonly onDone: (message?: string) => void) {
    map.addSource(CHECKS, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    map.addLayer({ id: `${CHECKS}-fill`, type: 'fill', source: CHECKS,
      paint: { 'fill-color': ['match', ['get', 'kind'], 'outside', '#7b2cbf', '#d00000'], 'fill-opacity': 0.45 } });
    map.addLayer({ id: `${CHECKS}-line`, type: 'line', source: CHECKS,
      paint: { 'line-color': ['match', ['get', 'kind'], 'outside', '#7b2cbf', '#d00000'], 'line-width': 2, 'line-dasharray': [2, 1] } });
    this.sketch = new TapSketch(map, 'edit-sketch', { line: '#b35c00', fill: '#f7b731' }, () => this.onSketch(), () => this.onSketchClosed());
  }

  /**
   * Starts drawing a new polygon of the layer: the planner taps its corners (刪除上一點 and 重做
   * step through them), then closes it on the first corner or with 完成; the closed shape is
   * handed to terra-draw for reshaping.
   */
  create(layer: LayerInfo): void {
    this.begin();
    const undo = h('button', { type: 'button', class: 'secondary', dataset: { draw: 'undo' }, onclick: () => this.sketch.undo() }, '刪除上一點');
    const redo = h('button', { type: 'button', class: 'secondary', dataset: { draw: 'redo' }, onclick: () => this.sketch.redo() }, '重做');
    const finish = h('button', { type: 'button', class: 'primary', dataset: { draw: 'finish' }, onclick: () => this.closeSketch(layer) }, '完成');
    const count = this.sketchNote;
    this.onSketch = () => {
      const n = this.sketch.points.length;
      undo.disabled = !this.sketch.canUndo;
      redo.disabled = !this.sketch.canRedo;
      finish.disabled = n < 3;
      replace(count, n < 3 ? `已點 ${n} 點，至少 3 點。` : `已點 ${n} 點，可按「完成」或點回第一點。`);
    };
    this.onSketchClosed = () => this.closeSketch(layer);
    replace(this.host, h('h2', {}, `新增${layer.title}`),
      h('p', { class: 'hint' }, '在地圖上逐點點選區塊的頂點，點回第一點或按「完成」結束。'), count,
      h('div', { class: 'actions start' }, undo, redo), h('div', { class: 'actions' }, this.cancelButton(), finish));
    this.sketch.start('area');
  }

  /** Hands the tapped corners, closed, to terra-draw for reshaping and opens the attribute form. */
  private closeSketch(layer: LayerInfo): void {
    const ring = this.sketch.ring();
    // Closed once: a second 完成 while the form loads must not add a second shape.
    if (!ring || !this.draw || this.shapeId) return;
    const id = crypto.randomUUID();
    // terra-draw keeps nine decimals (about a millimetre) and refuses a shape with more.
    const coordinates = [ring.map(([x, y]) => [Number(x.toFixed(9)), Number(y.toFixed(9))])];
    const [added] = this.draw.addFeatures([{ type: 'Feature', id, geometry: { type: 'Polygon', coordinates }, properties: { mode: 'polygon' } }]);
    if (!added?.valid) {
      replace(this.sketchNote, '這些頂點圍不成區塊，請按「刪除上一點」修正後再完成。');
      return;
    }
    this.sketch.hide();
    this.shapeId = id;
    this.draw.setMode('select');
    this.draw.selectFeature(this.shapeId);
    void this.showSession(layer, undefined, undefined);
  }

  /** Opens an existing feature for reshaping and editing its attributes. */
  async edit(layer: LayerInfo, id: number): Promise<void> {
    replace(this.host, h('p', { class: 'hint' }, '讀取中…'));
    const { body: feature, etag } = await api.getWithTag<Feature>(featureUrl(layer.id, id));
    const geometry = feature.geometry as Area;
    this.begin();
    // The stored shape is drawn by the tiles; hide it there while its copy is being edited.
    this.hidden = { layerIds: styleLayersOf(this.map, layer.id).filter((l) => !l.endsWith('-labels')) };
    for (const l of this.hidden.layerIds) this.map.setFilter(l, ['!=', ['id'], id]);
    const polygon: Polygon | null = geometry.type === 'Polygon' ? geometry : geometry.coordinates.length === 1
      ? { type: 'Polygon', coordinates: geometry.coordinates[0]! } : null;
    if (polygon) {
      this.shapeId = crypto.randomUUID();
      this.draw!.addFeatures([{ type: 'Feature', id: this.shapeId, geometry: polygon, properties: { mode: 'polygon' } }]);
      this.draw!.setMode('select');
      this.draw!.selectFeature(this.shapeId);
    }
    await this.showSession(layer, feature, etag ?? etagOf(feature), polygon ? undefined : geometry);
  }

  /** Deletes a feature (kept in its history; the admin can restore it) after asking. */
  async remove(layer: LayerInfo, id: number): Promise<void> {
    const f = await getFeature(layer.id, id);
    const name = String(f.properties[layer.label] ?? `#${id}`);
    if (!window.confirm(`確定要刪除${layer.title}「${name}」嗎？刪除後仍保留異動紀錄，可由管理者復原。`)) return;
    try {
      await api.delete(featureUrl(layer.id, id), etagOf(f));
      this.onDone(`已刪除「${name}」`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 412) showConflict(`${layer.title}「${name}」`, etagOf(f), err.etag, () => void this.remove(layer, id));
      else window.alert(err instanceof Error ? err.message : String(err));
    }
  }

  cancel(): void {
    this.end();
    this.onDone();
  }

  private begin(): void {
    this.end();
    this.active = true;
    this.draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map: this.map }),
      modes: [
        new TerraDrawPolygonMode({ styles: { fillColor: '#f7b731', fillOpacity: 0.3, outlineColor: '#b35c00', outlineWidth: 2, closingPointColor: '#b35c00' } }),
        new TerraDrawSelectMode({
          flags: { polygon: { feature: { draggable: true, coordinates: { midpoints: true, draggable: true, deletable: true } } } },
          styles: { selectedPolygonColor: '#f7b731', selectedPolygonFillOpacity: 0.3, selectedPolygonOutlineColor: '#b35c00', selectedPolygonOutlineWidth: 2 },
        }),
      ],
    });
    this.draw.start();
  }

  private end(): void {
    this.active = false;
    this.sketch.hide();
    this.errorPopup?.remove();
    this.setChecks(null);
    if (this.hidden) for (const l of this.hidden.layerIds) this.map.setFilter(l, null);
    this.hidden = undefined;
    if (this.draw) {
      this.draw.clear();
      this.draw.stop();
    }
    this.draw = undefined;
    this.shapeId = undefined;
  }

  private cancelButton(): HTMLButtonElement {
    return h('button', { type: 'button', class: 'secondary', dataset: { draw: 'cancel' }, onclick: () => this.cancel() }, '取消');
  }

  /** The shape as drawn now, or the stored one that is not redrawn (a multi-part shape). */
  private currentShape(fallback?: Area): Area | undefined {
    const f = this.shapeId ? this.draw?.getSnapshotFeature(this.shapeId) : undefined;
    return (f?.geometry as Polygon | undefined) ?? fallback;
  }

  private async myPrecinct(): Promise<Area | null> {
    if (this.precinct !== undefined) return this.precinct;
    const code = this.ctx.me.role === 'planner' ? this.ctx.me.precinctCode : null;
    const [p] = code ? await listFeatures('precincts', { code }, 1) : [];
    this.precinct = (p?.geometry as Area | undefined) ?? null;
    return this.precinct;
  }

  private setChecks(report: ShapeReport | null): void {
    const features = report ? [
      ...report.overlaps.map((o) => ({ type: 'Feature' as const, geometry: o.shape, properties: { kind: 'overlap' } })),
      ...(report.outside ? [{ type: 'Feature' as const, geometry: report.outside.shape, properties: { kind: 'outside' } }] : []),
    ] : [];
    (this.map.getSource(CHECKS) as GeoJSONSource | undefined)?.setData({ type: 'FeatureCollection', features });
  }

  /** Options for reference and id-list properties: teams of the precinct, key places in the shape's box. */
  private async options(prop: PropertyInfo, shape: Area | undefined): Promise<{ value: number; label: string }[]> {
    const target = prop.layer ? this.ctx.registry.get(prop.layer) : undefined;
    if (!target) return [];
    const params: Record<string, string> = {};
    if (target.geometry && shape) {
      const xs = shape.type === 'Polygon' ? shape.coordinates.flat() : shape.coordinates.flat(2);
      const lons = xs.map((p) => p[0]!);
      const lats = xs.map((p) => p[1]!);
      params.bbox = `${Math.min(...lons)},${Math.min(...lats)},${Math.max(...lons)},${Math.max(...lats)}`;
    }
    const features = await listFeatures(target.id, params, 500);
    return features.map((f) => ({ value: f.id, label: String(f.properties[target.label] ?? `#${f.id}`) }));
  }

  private async showSession(layer: LayerInfo, existing: Feature | undefined, etag: string | undefined, multipart?: Area): Promise<void> {
    const shape = this.currentShape(multipart);
    const optionProps = layer.properties.filter((p) => p.type === 'reference' || p.type === 'ids');
    const optionLists = new Map(await Promise.all(optionProps.map(async (p) => [p.name, await this.options(p, shape)] as const)));
    const form = featureForm(layer, existing?.properties ?? {}, (p) => optionLists.get(p.name) ?? []);
    const checks = h('div', { class: 'shape-checks', 'aria-live': 'polite' }, h('p', { class: 'hint' }, '檢查重疊與轄區範圍中…'));
    const message = h('p', { class: 'form-error', role: 'alert', hidden: true });
    const save = h('button', { type: 'button', class: 'primary', onclick: () => void this.save(layer, existing, etag, form, message, save, multipart) }, '儲存');
    const shapes = this.shapeId ? new UndoHistory(this.currentShape()!) : undefined;
    const undo = h('button', { type: 'button', class: 'secondary', dataset: { draw: 'undo' }, disabled: true, onclick: () => step(shapes!.undo()) }, '復原');
    const redo = h('button', { type: 'button', class: 'secondary', dataset: { draw: 'redo' }, disabled: true, onclick: () => step(shapes!.redo()) }, '重做');
    const showSteps = () => {
      undo.disabled = !shapes?.canUndo;
      redo.disabled = !shapes?.canRedo;
    };
    const step = (shape: Area) => {
      this.restoreShape(shape);
      showSteps();
      void runChecks();
    };
    replace(this.host,
      h('h2', {}, existing ? `編輯${layer.title}「${String(existing.properties[layer.label] ?? '')}」` : `新增${layer.title}`),
      multipart ? h('p', { class: 'hint' }, '這個區域由多塊組成，形狀請在桌面 GIS 編修；此處可修改屬性。')
        : h('p', { class: 'hint' }, '拖曳頂點或中點修改形狀；拖曳區塊可整塊移動。'),
      shapes ? h('div', { class: 'actions start' }, undo, redo) : null,
      checks, form.element, message,
      h('div', { class: 'actions' }, this.cancelButton(), save));
    let asked = 0;
    const runChecks = async () => {
      const now = this.currentShape(multipart);
      if (!now) return;
      // Each settled change of the shape is a step 復原 can take back (a restored step is not new).
      if (shapes && JSON.stringify(now) !== JSON.stringify(shapes.current)) shapes.push(now);
      showSteps();
      // Only the answer for the shape as it is now is shown: steps taken quickly on a slow link
      // must not leave the checks of an earlier shape on screen.
      const mine = ++asked;
      let report: ShapeReport;
      try {
        report = await checkShape(now, layer.id, layer.label, existing?.id, await this.myPrecinct());
      } catch (err) {
        if (mine === asked) replace(checks, h('p', { class: 'form-error' }, err instanceof Error ? err.message : String(err)));
        return;
      }
      if (mine !== asked || !this.active) return;
      this.setChecks(report);
      replace(checks,
        h('p', {}, `面積 ${formatNumber(report.squareMetres)} 平方公尺`),
        report.overlaps.length
          ? h('div', { class: 'warning' }, h('p', {}, `與 ${report.overlaps.length} 個${layer.title}重疊（地圖上紅色部分）：`),
            h('ul', {}, report.overlaps.map((o) => h('li', {}, `「${o.label}」${formatNumber(o.squareMetres)} 平方公尺`))))
          : h('p', { class: 'ok' }, `未與其他${layer.title}重疊`),
        report.outside
          ? h('p', { class: 'warning outside' }, `有 ${formatNumber(report.outside.squareMetres)} 平方公尺超出你的分局轄區（地圖上紫色部分），儲存時會被拒絕。`)
          : this.ctx.me.role === 'planner' ? h('p', { class: 'ok' }, '全部位於你的分局轄區內') : null);
    };
    await runChecks();
    this.draw?.on('change', (_ids, type) => {
      if (type !== 'update') return;
      window.clearTimeout(this.checkTimer);
      this.checkTimer = window.setTimeout(() => void runChecks(), 300);
    });
  }

  /** Puts a former shape back on the map (復原 / 重做); the checks then run on it. */
  private restoreShape(shape: Area): void {
    if (!this.draw || !this.shapeId) return;
    this.draw.deselectFeature(this.shapeId);
    this.draw.updateFeatureGeometry(this.shapeId, shape as Polygon);
    this.draw.selectFeature(this.shapeId);
  }

  private async save(layer: LayerInfo, existing: Feature | undefined, etag: string | undefined, form: FeatureForm,
    message: HTMLElement, button: HTMLButtonElement, multipart?: Area): Promise<void> {
    const shape = this.currentShape(multipart);
    this.errorPopup?.remove();
    button.disabled = true;
    const name = String(form.values()[layer.label] ?? existing?.properties[layer.label] ?? '');
    const geometryChanged = existing && !multipart && JSON.stringify(shape) !== JSON.stringify(existing.geometry);
    const refused = await saveFeature({
      layer, form, message,
      existing: existing ? { id: existing.id, etag: etag!, name: String(existing.properties[layer.label] ?? '') } : undefined,
      body: existing ? { ...(geometryChanged ? { geometry: shape } : {}), properties: form.changed() }
        : { type: 'Feature', geometry: shape, properties: form.values() },
      reload: () => {
        this.end();
        void this.edit(layer, existing!.id);
      },
    });
    button.disabled = false;
    if (refused === null) {
      this.end();
      this.onDone(`已儲存${layer.title}「${name}」`);
    } else if (shape && !message.hidden) {
      // A refusal of the shape is shown on the map too, where it happens when the server says so.
      const at = placeIn(refused) ?? (centroid(shape).geometry.coordinates as [number, number]);
      this.errorPopup = new maplibregl.Popup({ closeOnClick: false, className: 'shape-error' })
        .setLngLat(at).setDOMContent(h('p', { class: 'form-error' }, refused)).addTo(this.map);
    }
  }
}
