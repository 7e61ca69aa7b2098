import { existsSync, readFileSync } from 'node:fs';
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
