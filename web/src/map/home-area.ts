import * as maplibregl from 'maplibre-gl';
import { bbox } from '@turf/turf';
import type { Me } from '../app/session.js';
import { unitName } from './display-names.js';
import { listFeatures } from './features.js';
import { areaName, myArea, type MyArea } from './my-area.js';

/**
 * Where an account works, which its map opens on, outlined: an officer's beat, a planner's
 * precinct, a community account's 村里. The public and the bureau have none.
 */
export interface HomeArea {
  /** The button that brings the map back to it: 我的警勤區, 我的分局, 我的社區. */
  title: string;
  name: string;
  geometry: GeoJSON.Geometry;
  bbox: [number, number, number, number];
}

/** A community account's area (its 村里) as its home. */
export const communityHome = (area: MyArea): HomeArea => ({ title: '我的社區', name: areaName(area), geometry: area.geometry, bbox: area.bbox });

export async function homeArea(me: Me): Promise<HomeArea | null> {
  if (me.role === 'community') {
    const area = await myArea();
    return area ? communityHome(area) : null;
  }
  const unit = me.beatCode ? { layer: 'beats', code: me.beatCode, title: '我的警勤區' }
    : me.precinctCode ? { layer: 'precincts', code: me.precinctCode, title: '我的分局' } : null;
  if (!unit) return null;
  const [f] = await listFeatures(unit.layer, { code: unit.code }, 1);
  if (!f?.geometry) return null;
  // A beat by its station's name too: 「第1警勤區」 repeats in every station.
  return { title: unit.title, name: await unitName(unit.code), geometry: f.geometry, bbox: bbox(f.geometry) as HomeArea['bbox'] };
}

export const HOME_OUTLINE = 'my-area-outline';

/** Outlines the area over the map's areas, beneath the labels, in a red no layer uses. */
export function outlineHomeArea(map: maplibregl.Map, area: HomeArea): void {
  map.addSource(HOME_OUTLINE, { type: 'geojson', data: { type: 'Feature', properties: {}, geometry: area.geometry } });
  const beforeLabels = map.getLayersOrder().find((id) => map.getLayer(id)?.type === 'symbol');
  map.addLayer({ id: `${HOME_OUTLINE}-halo`, type: 'line', source: HOME_OUTLINE, paint: { 'line-color': '#ffffff', 'line-width': 7, 'line-opacity': 0.9 } }, beforeLabels);
  map.addLayer({ id: HOME_OUTLINE, type: 'line', source: HOME_OUTLINE, paint: { 'line-color': '#d62828', 'line-width': 3.5 } }, beforeLabels);
}

export function fitToHomeArea(map: maplibregl.Map, area: HomeArea): void {
  const [w, s, e, n] = area.bbox;
  map.fitBounds([[w, s], [e, n]], { padding: 40, duration: 800 });
}

/** 我的位置: the device's position with its accuracy circle, followed while it moves. */
export const myLocationControl = () => new maplibregl.GeolocateControl({
  positionOptions: { enableHighAccuracy: true }, trackUserLocation: true, showAccuracyCircle: true, fitBoundsOptions: { maxZoom: 17 },
});

/** A button floating on the map that brings it back to the caller's own area. */
export class HomeControl implements maplibregl.IControl {
  private container: HTMLElement | undefined;

  constructor(private readonly area: HomeArea) {}

  onAdd(map: maplibregl.Map): HTMLElement {
    const area = this.area;
    this.container = document.createElement('div');
    this.container.className = 'maplibregl-ctrl home-control';
    const home = document.createElement('button');
    home.type = 'button';
    home.className = 'primary my-unit';
    home.textContent = area.title;
    home.title = `回到${area.name}`;
    home.addEventListener('click', () => fitToHomeArea(map, area));
    this.container.append(home);
    return this.container;
  }

  onRemove(): void {
    this.container?.remove();
  }
}
