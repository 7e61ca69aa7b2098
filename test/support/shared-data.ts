import { existsSync, readFileSync } from 'node:fs';
import { feature } from 'topojson-client';
import type { Topology } from 'topojson-specification';
import { fileURLToPath } from 'node:url';

/** Real Taiwanese data kept beside the repository (../shared/data); never copied into it. */
export const SHARED_DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
export const hasSharedData = existsSync(SHARED_DATA);

interface AreaFeature {
  type: 'Feature';
  properties: { CODEBASE: string; CODE1: string; CODE2: string; TOWN_ID: string };
  geometry: { type: 'Polygon'; coordinates: number[][][] };
}

/** 臺南 basic statistical areas of one district (full resolution, [lon, lat, 0] positions). */
export function tainanBasicAreas(townId: string): AreaFeature[] {
  const path = `${SHARED_DATA}tainan-statistical-areas/basic_areas_by_town/${townId}.json`;
  return (JSON.parse(readFileSync(path, 'utf8')) as { features: AreaFeature[] }).features;
}

interface Level1Feature {
  type: 'Feature';
  properties: { CODE1: string; CODE2: string; TOWN_ID: string; COUNTY_ID: string };
  geometry: { type: 'Polygon'; coordinates: number[][][] };
}

/** 臺南 一級發布區 of one district, as GeoJSON from the county's TopoJSON (mapshaper's shared arcs: neighbours fit exactly). */
export function tainanLevel1Areas(townId: string): Level1Feature[] {
  const topo = JSON.parse(readFileSync(`${SHARED_DATA}tainan-statistical-areas/level1_areas_67000.topo.json`, 'utf8')) as Topology;
  const all = feature(topo, topo.objects['67000']!) as unknown as { features: Level1Feature[] };
  return all.features.filter((f) => f.properties.TOWN_ID === townId);
}
