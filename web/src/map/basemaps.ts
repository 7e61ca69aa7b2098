import * as maplibregl from 'maplibre-gl';
import type { LayerSpecification, SourceSpecification } from 'maplibre-gl';
import type { AppConfig, BasemapInfo } from '../app/config.js';
import { h } from '../lib/dom.js';

/**
 * The basemap beneath the service's layers, and the control that switches it: the presets and
 * local archives the deployment offers, and 「僅本系統圖層」, the service's own layers alone
 * (nothing requested off the machine). The choice is kept in this browser and can be given in
 * the page's address (?basemap=ID).
 */
export const OFFLINE = 'offline';
const STORAGE_KEY = 'emap:basemap';
/** Style layers and sources of the basemap carry this prefix, to be found and removed as one. */
const PREFIX = 'basemap:';

const offered = (config: AppConfig, id: string | null | undefined): id is string =>
  id === OFFLINE || config.basemaps.some((b) => b.id === id);

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Where the page starts: the address's ?basemap=, else this browser's last choice, else the deployment's default. */
export function initialBasemap(config: AppConfig): string {
  const asked = new URLSearchParams(location.search).get('basemap');
  for (const id of [asked, stored(), config.defaultBasemap]) if (offered(config, id)) return id;
  return OFFLINE;
}

/** The basemap drawn now (its id, or OFFLINE). */
export function currentBasemap(map: maplibregl.Map): string {
  const source = Object.keys(map.getStyle().sources).find((s) => s.startsWith(PREFIX));
  return source ? source.slice(PREFIX.length) : OFFLINE;
}

/** The first of the service's own layers above its background: basemap layers go beneath it. */
function firstServiceLayer(map: maplibregl.Map): string | undefined {
  return map.getLayersOrder().find((id) => !id.startsWith(PREFIX) && map.getLayer(id)?.type !== 'background');
}

function removeBasemap(map: maplibregl.Map): void {
  for (const id of map.getLayersOrder().filter((l) => l.startsWith(PREFIX))) map.removeLayer(id);
  for (const id of Object.keys(map.getStyle().sources).filter((s) => s.startsWith(PREFIX))) map.removeSource(id);
}

async function layersOf(b: BasemapInfo, source: string): Promise<LayerSpecification[]> {
  if (b.kind === 'raster') return [{ id: source, type: 'raster', source }];
  const res = await fetch(b.style!, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`basemap style ${b.style}: ${res.status}`);
  const style = (await res.json()) as { layers: LayerSpecification[] };
  return style.layers.map((l) => ({ ...l, id: `${PREFIX}${l.id}`, ...(l.type === 'background' ? {} : { source }) }) as LayerSpecification);
}

const attributions = new WeakMap<maplibregl.Map, maplibregl.AttributionControl>();

/** The map's attribution (compact), which setBasemap renews. */
export function addAttribution(map: maplibregl.Map): void {
  const control = new maplibregl.AttributionControl({ compact: true });
  map.addControl(control);
  attributions.set(map, control);
  // On a small map (a phone, the briefing's map on a phone) the open credits would cover a third
  // of it: they are folded behind their ⓘ button, which opens them. MapLibre opens them once it
  // has credits to show (at a resize), so they are folded then, as a drag of the map would.
  const fold = () => {
    if (map.getContainer().clientWidth < SMALL_MAP_PX) map.getContainer().querySelector('.maplibregl-ctrl-attrib')?.classList.remove('maplibregl-compact-show');
  };
  if (folding.has(map)) return;
  folding.add(map);
  map.once('idle', fold);
  map.on('resize', fold);
}

/** Maps whose credits are folded on small screens (the control is made anew at each basemap switch). */
const folding = new WeakSet<maplibregl.Map>();

const SMALL_MAP_PX = 480;

/** MapLibre's attribution does not notice a removed source (its event has no dataType): build it anew. */
function renewAttribution(map: maplibregl.Map): void {
  const control = attributions.get(map);
  if (!control) return;
  map.removeControl(control);
  addAttribution(map);
}

let switching = 0;

/** Draws basemap `id` beneath the layers (OFFLINE: none); a choice the user made is remembered in this browser. */
export async function setBasemap(map: maplibregl.Map, config: AppConfig, id: string, remember = false): Promise<void> {
  const ticket = ++switching;
  const b = config.basemaps.find((x) => x.id === id);
  const source = `${PREFIX}${id}`;
  const layers = b ? await layersOf(b, source) : [];
  if (ticket !== switching) return; // a later choice won while the style loaded
  removeBasemap(map);
  if (b) {
    const spec: SourceSpecification = {
      type: b.kind, tiles: b.tiles, minzoom: b.minzoom, maxzoom: b.maxzoom, attribution: b.attribution,
      ...(b.kind === 'raster' ? { tileSize: b.tileSize } : {}), ...(b.bounds ? { bounds: b.bounds } : {}),
    } as SourceSpecification;
    map.addSource(source, spec);
    const before = firstServiceLayer(map);
    for (const l of layers) map.addLayer(l, before);
  }
  renewAttribution(map);
  if (remember) {
    try {
      localStorage.setItem(STORAGE_KEY, b ? id : OFFLINE);
    } catch {
      // Private browsing may refuse storage; the choice then lasts for this page only.
    }
  }
  map.getContainer().dataset.basemap = b ? id : OFFLINE;
}

/**
 * A tile a basemap does not have (outside a local archive's coverage, or a preset's server
 * refusing one) is not worth an error in the console; everything else still is, as MapLibre
 * would have logged it with no listener.
 */
export function quietMissingBasemapTiles(map: maplibregl.Map): void {
  map.on('error', (e: maplibregl.ErrorEvent & { sourceId?: string }) => {
    if (e.sourceId?.startsWith(PREFIX)) return;
    console.error(e.error);
  });
}

/** The map control that lists the basemaps as radio buttons; on a phone it opens as a list over the map. */
export class BasemapSwitcher implements maplibregl.IControl {
  private container?: HTMLElement;

  constructor(private readonly config: AppConfig) {}

  onAdd(map: maplibregl.Map): HTMLElement {
    const list = h('div', { class: 'basemap-list', role: 'radiogroup', 'aria-label': '底圖', hidden: true });
    const toggle = h('button', {
      type: 'button', class: 'basemap-toggle', 'aria-expanded': 'false', title: '切換底圖',
      onclick: () => {
        list.hidden = !list.hidden;
        toggle.setAttribute('aria-expanded', String(!list.hidden));
      },
    }, '底圖');
    const choices: [string, string, string][] = [
      [OFFLINE, '僅本系統圖層', '離線，不連外'],
      ...this.config.basemaps.map((b): [string, string, string] => [b.id, b.title, b.origin === 'file' ? '本機檔案' : '線上圖資']),
    ];
    const now = currentBasemap(map);
    for (const [id, title, note] of choices) {
      const input = h('input', {
        type: 'radio', name: 'basemap', value: id, checked: id === now,
        onchange: () => { if (input.checked) void setBasemap(map, this.config, id, true); },
      });
      list.append(h('label', { class: 'basemap-choice', dataset: { basemap: id } }, input, h('span', {}, title), h('small', {}, note)));
    }
    this.container = h('div', { class: 'maplibregl-ctrl maplibregl-ctrl-group basemap-switcher' }, toggle, list);
    return this.container;
  }

  onRemove(): void {
    this.container?.remove();
  }
}
