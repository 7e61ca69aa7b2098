import type * as maplibregl from 'maplibre-gl';
import { bbox } from '@turf/turf';
import type { Me } from '../app/session.js';
import { h } from '../lib/dom.js';
import { listFeatures } from './features.js';

/** The unit a signed-in account works in: an officer's beat, a planner's precinct. */
export function myUnit(me: Me): { layer: 'beats' | 'precincts'; code: string; title: string } | null {
  if (me.beatCode) return { layer: 'beats', code: me.beatCode, title: '我的警勤區' };
  if (me.precinctCode) return { layer: 'precincts', code: me.precinctCode, title: '我的分局' };
  return null;
}

/** Fits the map to a unit by its code; false when there is no such unit. */
export async function fitToUnit(map: maplibregl.Map, layer: string, code: string, animate = true): Promise<boolean> {
  const [unit] = await listFeatures(layer, { code }, 1);
  if (!unit?.geometry) return false;
  const [w, s, e, n] = bbox(unit.geometry);
  map.fitBounds([[w, s], [e, n]], { padding: 40, duration: animate ? 800 : 0 });
  return true;
}

export function myUnitButton(map: maplibregl.Map, me: Me): HTMLElement | null {
  const unit = myUnit(me);
  if (!unit) return null;
  return h('button', { type: 'button', class: 'primary my-unit', onclick: () => void fitToUnit(map, unit.layer, unit.code) }, unit.title);
}
