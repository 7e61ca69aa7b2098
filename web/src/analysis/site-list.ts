import type * as maplibregl from 'maplibre-gl';
import { bbox, featureCollection } from '@turf/turf';
import { h } from '../lib/dom.js';
import { locate } from '../map/locate-popup.js';
import type { NewSites } from './analysis-api.js';

type Site = NewSites['features'][number];

const COMPASS = ['北', '東北', '東', '東南', '南', '西南', '西', '西北'];

/** An azimuth as people say it: 「朝東北（45°）」. */
export const facing = (azimuth: number) => `朝${COMPASS[Math.round((((azimuth % 360) + 360) % 360) / 45) % 8]}（${Math.round(azimuth)}°）`;

/** Where a point is, in the words people use: 「桃園區大豐里・大樹派出所第1警勤區」. */
async function placeWords(lon: number, lat: number): Promise<string> {
  try {
    const at = await locate(lon, lat);
    const village = at.village ? `${at.village.town ?? ''}${at.village.name}` : '';
    const beat = at.beat && at.station ? `${at.station.name}${at.beat.name}` : '';
    return [village, beat].filter(Boolean).join('・') || '（位置不明）';
  } catch {
    return '（位置不明）';
  }
}

/**
 * Suggested new camera sites as a list one can use on the map: each with where it is (村里 and
 * beat), which way it should face and what it would add, as a button that flies the map there;
 * the map is first fitted to all of them, above whatever covers its foot.
 */
export async function siteList(map: maplibregl.Map, sites: readonly Site[], gainText: (s: Site) => string,
  coveredBelow: () => number = () => 0): Promise<HTMLElement> {
  const padding = () => ({ top: 70, left: 30, right: 70, bottom: coveredBelow() + 30 });
  if (sites.length) {
    const [w, s, e, n] = bbox(featureCollection([...sites] as GeoJSON.Feature[]));
    map.fitBounds([[w, s], [e, n]], { padding: padding(), maxZoom: 17, duration: 600 });
  }
  const words = await Promise.all(sites.map((f) => placeWords(...(f.geometry as GeoJSON.Point).coordinates as [number, number])));
  return h('ol', { class: 'site-list' }, sites.map((f, i) => h('li', {},
    h('button', {
      type: 'button', class: 'site-entry', dataset: { rank: String(f.properties.rank) },
      onclick: () => map.flyTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom: 18, padding: padding() }),
    },
    h('span', { class: 'site-place' }, `第 ${f.properties.rank} 處：${words[i]}`),
    h('span', { class: 'site-detail' }, `鏡頭${facing(f.properties.azimuth)}，${gainText(f)}`)))));
}
