import * as turf from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import { INCIDENT_TYPES, KEY_PLACE_CATEGORIES } from '../../server/layers/vocabularies.js';
import { Random } from './random.js';
import { CAMERAS_AT_SCALE_1, generateCameras } from './cameras.js';
import { BUREAU_CODE, CITY_CENTRE, CITY_OUTLINE, asMultiPolygon, inside, intersectAreas, irregularPolygon, tidyPolygon, unionAreas } from './geography.js';
import { INCIDENTS_AT_SCALE_1, generateIncidents, plantHotSpots } from './incidents.js';
import type { DemoCity, DemoCityOptions, LonLat } from './model.js';
import { COMMUNITY_AREA_NAME, addressAt, landline, startOfTaipeiDay, taipeiTimestamp } from './people.js';
import { KEY_PLACES_AT_SCALE_1, generateDroneSurveys, generateKeyPlaces, generateVisits } from './places.js';
import { type UnitPlan, planUnits } from './units.js';
import { generateWatchBlocks, generateWatchTeams } from './watch.js';

/**
 * The demo city: a made-up police bureau laid over the real coordinates of central 臺南市, so a
 * real basemap lines up under it. Pure and deterministic: the same (seed, scale, now) always gives
 * the same city. Each part draws from its own random stream (Random.stream), so changing the
 * number of cameras does not move the beats or the incidents.
 *
 * Row fields carry the layer property names of server/layers/registry.ts, so the loader and the
 * API speak the same names. Rows refer to each other by array index; the loader turns indices
 * into database ids. The parts live in their own modules: geography (outline, roads, geometry
 * helpers), people (time, names, addresses), units, places (key places, visits, drone surveys),
 * cameras, watch (teams and blocks) and incidents (with planted hot spots and hot hours).
 */

// The community account's area

const COMMUNITY_AREA_M2 = 1_000_000;

/** About 1 km² around the beat at 府前路, cut to the beats of station P01S01. */
function communityArea(rng: Random, units: UnitPlan): { name: string; geometry: MultiPolygon } {
  const station = units.stations[0]!;
  const stationBeats = units.beats.filter((b) => b.station_code === station.code).map((b) => b.geometry);
  const stationArea = unionAreas(stationBeats);
  if (!stationArea) throw new Error(`station ${station.code} has no area`);
  const centreBeat = stationBeats.find((b) => inside(b, CITY_CENTRE)) ?? stationBeats[0]!;
  const centre = turf.centroid(centreBeat).geometry.coordinates as LonLat;
  // A regular octagon of circumradius r covers 2√2·r²; jittered corners make it look like a 里.
  const octagon = irregularPolygon(rng, centre, Math.sqrt(COMMUNITY_AREA_M2 / (2 * Math.SQRT2)), 8);
  const geometry = intersectAreas(octagon, stationArea);
  if (!geometry) throw new Error('the community area misses its station');
  return { name: COMMUNITY_AREA_NAME, geometry: asMultiPolygon(geometry) };
}

// ---------------------------------------------------------------------------------------------

export function generateDemoCity(opts: DemoCityOptions = {}): DemoCity {
  const seed = opts.seed ?? 20240501;
  const scale = opts.scale ?? 1;
  const now = (opts.now ?? new Date(startOfTaipeiDay(Date.now()))).getTime();
  const scaled = (n: number): number => Math.max(1, Math.round(n * scale));
  const stream = (label: string): Random => Random.stream(seed, label);

  const outline = tidyPolygon([CITY_OUTLINE.map((p) => [...p])]);
  const units = planUnits(stream('units'), outline);
  const keyPlaces = generateKeyPlaces(stream('key-places'), outline,
    Math.max(KEY_PLACE_CATEGORIES.length, scaled(KEY_PLACES_AT_SCALE_1)), now);
  const incidentCount = Math.max(INCIDENT_TYPES.length, scaled(INCIDENTS_AT_SCALE_1));
  const hotSpots = plantHotSpots(stream('hot-spots'), outline, incidentCount);
  const watchTeams = generateWatchTeams(stream('watch-teams'), units.precincts);
  const contacts = stream('bureau');

  return {
    seed,
    scale,
    now: taipeiTimestamp(now),
    outline,
    bureau: { code: BUREAU_CODE, name: '臺南市政府警察局', phone: landline(contacts), address: addressAt(contacts, CITY_CENTRE).full },
    ...units,
    keyPlaces,
    visits: generateVisits(stream('visits'), keyPlaces, units.beats, now),
    cameras: generateCameras(stream('cameras'), outline, hotSpots, scaled(CAMERAS_AT_SCALE_1), now),
    watchTeams,
    watchBlocks: generateWatchBlocks(stream('watch-blocks'), watchTeams, units.beats, units.stations),
    droneSurveys: generateDroneSurveys(stream('drone-surveys'), keyPlaces, now),
    incidents: generateIncidents(stream('incidents'), outline, hotSpots, incidentCount, now),
    hotSpots,
    communityArea: communityArea(stream('community-area'), units),
  };
}
