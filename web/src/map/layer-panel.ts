import type * as maplibregl from 'maplibre-gl';
import type { LayerInfo, LegendEntries, Registry } from '../app/registry.js';
import { h } from '../lib/dom.js';
import { iconDataUrl } from './icons.js';
import { setVisible, styleLayersOf } from './map.js';

/** An extra entry of the layer list for layers the app adds itself (analysis results, coverage). */
export interface Overlay {
  id: string;
  title: string;
  layerIds: string[];
  visible: boolean;
  legend?: HTMLElement;
}

/** A legend entry's swatch; a value told by shape too (a camera 離線 hollow, 故障 crossed) shows that shape. */
export function swatchOf(e: LegendEntries['entries'][number], kind: 'fill' | 'ring' | 'line'): HTMLElement {
  if (e.mark === 'hollow') return h('span', { class: `swatch ${kind} hollow`, style: { borderColor: e.colour } });
  return h('span', { class: `swatch ${kind}${e.mark === 'cross' ? ' cross' : ''}`, style: kind === 'ring' ? { borderColor: e.colour } : { background: e.colour } },
    e.mark === 'cross' ? '✕' : null);
}

function swatches(registry: Registry, layer: LayerInfo, entries: LegendEntries, kind: 'fill' | 'ring' | 'line' | 'icon'): HTMLElement {
  return h('ul', { class: 'legend' }, entries.entries.map((e) => {
    const icon = kind === 'icon' ? iconDataUrl(registry, layer.id, e.value) : undefined;
    const mark = icon ? h('img', { class: 'swatch icon', src: icon, alt: '' }) : swatchOf(e, kind === 'icon' ? 'fill' : kind);
    return h('li', { dataset: { value: e.value } }, mark, e.label);
  }));
}

/** The legend of one registry layer: the same colours the style uses (both come from the registry). */
function legendOf(registry: Registry, layer: LayerInfo): HTMLElement | null {
  const legend = layer.legend;
  if (!legend) return null;
  const isPoint = layer.geometry === 'Point';
  const parts: HTMLElement[] = [];
  if (legend.fill) {
    const fillLabel = layer.properties.find((p) => p.name === legend.fill!.property)?.label;
    parts.push(h('p', { class: 'legend-caption' }, fillLabel ?? ''), swatches(registry, layer, legend.fill, layer.id === 'key-places' ? 'icon' : 'fill'));
  } else {
    parts.push(h('ul', { class: 'legend' }, h('li', {}, legend.ring
      ? h('span', { class: 'swatch fill hollow', style: { borderColor: legend.colour } })
      : h('span', { class: `swatch ${isPoint ? 'fill' : 'line'}`, style: { background: legend.colour } }), layer.title)));
  }
  if (legend.outline) {
    const label = layer.properties.find((p) => p.name === legend.outline!.property)?.label;
    parts.push(h('p', { class: 'legend-caption' }, `外框：${label ?? ''}`), swatches(registry, layer, legend.outline, 'ring'));
  }
  // The red ring the map draws round a place past its visit date (map/overdue.ts).
  if (layer.id === 'key-places' && layer.properties.some((p) => p.name === 'next_visit_due')) {
    parts.push(h('ul', { class: 'legend single' }, h('li', {}, h('span', { class: 'swatch ring overdue' }), '紅圈：已逾下次查訪期限')));
  }
  if (layer.cluster) parts.push(h('p', { class: 'legend-note' }, `縮放 ${layer.cluster.belowZoom} 級以下以群集圓顯示件數`));
  return h('div', { class: 'legend-block' }, parts);
}

/**
 * The layer list with its legend, generated from the registry and the style's metadata: one
 * switch per registry layer (all its style layers at once), the incidents' heat map on its own
 * switch, and overlays the app adds (the basemap has its own switcher on the map).
 */
export class LayerPanel {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;

  constructor(private readonly map: maplibregl.Map, private readonly registry: Registry) {
    this.list = h('div', { class: 'layer-list' });
    const ground = h('div', { class: 'layer-list ground-list' });
    const groundLayers = registry.layers.filter((l) => l.tiles && l.ground);
    this.element = h('section', { class: 'panel-section layers', 'aria-label': '圖層' }, h('h2', {}, '圖層與圖例'), this.list,
      groundLayers.length ? h('details', { class: 'ground-layers' }, h('summary', {}, '地理底圖（縣市、鄉鎮市區、村里、最小統計區）'), ground) : null);
    for (const layer of groundLayers) {
      const ids = styleLayersOf(map, layer.id);
      if (ids.length) this.addRow(layer.id, layer.title, ids, true, null, false, ground);
    }
    for (const layer of registry.layers.filter((l) => l.tiles && !l.ground)) {
      const ids = styleLayersOf(map, layer.id).filter((id) => !styleLayersOf(map, layer.id, 'heat').includes(id));
      if (ids.length === 0) continue;
      this.addRow(layer.id, layer.title, ids, true, legendOf(registry, layer));
      const heat = styleLayersOf(map, layer.id, 'heat');
      if (heat.length) {
        this.addRow(`${layer.id}-heat`, `${layer.title}熱區圖`, heat, false,
          h('div', { class: 'legend-block' }, h('div', { class: 'heat-ramp' }), h('p', { class: 'legend-note' }, '顏色越深，案件越集中')));
      }
    }
  }

  /** Adds an overlay's row at the top of the list, or replaces its row when it is there already. */
  setOverlay(o: Overlay): void {
    this.list.querySelector(`.layer-row[data-layer="${o.id}"]`)?.remove();
    this.addRow(o.id, o.title, o.layerIds, o.visible, o.legend ?? null, true);
  }

  removeOverlay(id: string): void {
    this.list.querySelector(`.layer-row[data-layer="${id}"]`)?.remove();
  }

  /** The rows switched on (registry layers, heat maps, overlays), for a share link. */
  shown(): string[] {
    return [...this.element.querySelectorAll<HTMLInputElement>('.layer-row input[type=checkbox]')].filter((i) => i.checked).map((i) => i.dataset.layer!);
  }

  /** Switches on exactly these rows (as a share link asks); rows it does not name are switched off. */
  showOnly(ids: ReadonlySet<string>): void {
    for (const input of this.element.querySelectorAll<HTMLInputElement>('.layer-row input[type=checkbox]')) {
      if (input.checked !== ids.has(input.dataset.layer!)) {
        input.checked = ids.has(input.dataset.layer!);
        input.dispatchEvent(new Event('change'));
      }
    }
  }

  /**
   * The legends of what the map shows now, copied for a printed map: the layers switched on (not
   * the ground's) that have something in view, each with the entries of the values drawn.
   */
  legendsShown(): HTMLElement[] {
    const out: HTMLElement[] = [];
    for (const row of this.list.querySelectorAll<HTMLElement>(':scope > .layer-row')) {
      if (!row.querySelector<HTMLInputElement>('input[type=checkbox]')?.checked) continue;
      const drawn = this.valuesDrawn(row.dataset.layer!);
      if (drawn?.size === 0) continue;
      const block = row.querySelector('.legend-block')?.cloneNode(true) as HTMLElement | undefined;
      block?.querySelectorAll<HTMLElement>('li[data-value]').forEach((li) => { if (drawn && !drawn.has(li.dataset.value!)) li.remove(); });
      block?.querySelectorAll('.legend-note').forEach((note) => note.remove());
      out.push(h('div', { class: 'legend-entry' }, h('h3', {}, row.querySelector('.layer-toggle span')?.textContent ?? ''), block ?? null));
    }
    return out;
  }

  /** Every property value of a registry layer's features drawn in view; undefined for the app's own overlays. */
  private valuesDrawn(layerId: string): Set<string> | undefined {
    const ids = styleLayersOf(this.map, layerId);
    if (ids.length === 0) return undefined;
    const values = new Set<string>();
    for (const f of this.map.queryRenderedFeatures({ layers: ids })) for (const v of Object.values(f.properties)) values.add(String(v));
    return values;
  }

  /** Called after a row is switched (a share link follows the map). */
  onChange: () => void = () => {};

  private addRow(id: string, title: string, layerIds: string[], visible: boolean, legend: HTMLElement | null = null, first = false,
    list = this.list): void {
    setVisible(this.map, layerIds, visible);
    const toggle = h('input', {
      type: 'checkbox', checked: visible, dataset: { layer: id },
      onchange: () => { setVisible(this.map, layerIds, toggle.checked); this.onChange(); },
    });
    const row = h('div', { class: 'layer-row', dataset: { layer: id } },
      h('label', { class: 'layer-toggle' }, toggle, h('span', {}, title)), legend);
    if (first) list.prepend(row);
    else list.append(row);
  }
}
