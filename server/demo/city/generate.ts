import { INCIDENT_TYPES, KEY_PLACE_CATEGORIES } from '../../layers/vocabularies.js';
import { type Ground, readGround } from '../ground.js';
import { CAMERAS_AT_SCALE_1, generateCameraHistory, generateCameras } from './cameras.js';
import { generatePatrolPoints, generatePatrolSignIns } from './patrol.js';
import { Fabric } from './fabric.js';
import { INCIDENTS_AT_SCALE_1, generateIncidents, plantHotSpots } from './incidents.js';
import type { DemoBeat, DemoCity, DemoCityOptions } from './model.js';
import { personName, startOfTaipeiDay, taipeiTimestamp } from './people.js';
import { KEY_PLACES_AT_SCALE_1, generateDroneSurveys, generateKeyPlaces, generateVisits } from './places.js';
import { Random } from './random.js';
import { generateWatchBlocks, generateWatchTeams } from './watch.js';

/**
 * The demo city: 桃園市 as it is (its 分局 and 派出所 with their real addresses and phones, its
 * 村里 and basic statistical areas; unit areas derived, see ../ground.ts), with synthetic key
 * places, cameras, watch blocks, drone surveys and incidents placed on its real block fabric.
 * Pure and deterministic: the same (seed, scale, now) always gives the same city. Each part
 * draws from its own random stream (Random.stream), so changing the number of cameras does not
 * move the incidents.
 *
 * Row fields carry the layer property names of server/layers/registry.ts, so the loader and the
 * API speak the same names. Rows refer to each other by array index; the loader turns indices
 * into database ids.
 */

/** The demo accounts' ground: the officer's beat, and the community account's 村里 in it. */
export const DEMO_OFFICER_BEAT = 'P01S01B01';

/** Beats of the ground with a made-up officer each; names as stations number them. */
function demoBeats(rng: Random, ground: Ground): DemoBeat[] {
  return ground.beats.map((b) => ({
    code: b.code,
    name: `第${Number(b.code.slice(-2))}警勤區`,
    station_code: b.stationCode,
    officer_name: personName(rng),
    geometry: b.geometry,
  }));
}

export function generateDemoCity(opts: DemoCityOptions = {}): DemoCity {
  const seed = opts.seed ?? 20240501;
  const scale = opts.scale ?? 1;
  const now = (opts.now ?? new Date(startOfTaipeiDay(Date.now()))).getTime();
  const scaled = (n: number): number => Math.max(1, Math.round(n * scale));
  const stream = (label: string): Random => Random.stream(seed, label);

  const ground = readGround();
  const fabric = new Fabric(ground);
  const beats = demoBeats(stream('units'), ground);
  const precincts = ground.precincts.map((p) => ({ code: p.code, name: p.name, bureau_code: ground.bureau.code, phone: p.phone, address: p.address, geometry: p.geometry }));
  const stations = ground.stations.map((s) => ({ code: s.code, name: s.name, precinct_code: s.precinctCode, phone: s.phone, address: s.address, geometry: s.geometry }));
  // The officer's beat holds some key places and the first hot spot; the community account is
  // the 村里 with most of the beat's blocks.
  const officerBlocks = ground.blocks.filter((b) => b.beatCode === DEMO_OFFICER_BEAT);
  const villageCounts = new Map<string, number>();
  for (const b of officerBlocks) villageCounts.set(b.villageCode, (villageCounts.get(b.villageCode) ?? 0) + 1);
  const communityVillage = [...villageCounts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];

  const keyPlaces = generateKeyPlaces(stream('key-places'), fabric, officerBlocks, Math.max(KEY_PLACE_CATEGORIES.length, scaled(KEY_PLACES_AT_SCALE_1)), now);
  const incidentCount = Math.max(INCIDENT_TYPES.length, scaled(INCIDENTS_AT_SCALE_1));
  const hotSpots = plantHotSpots(stream('hot-spots'), fabric, officerBlocks, incidentCount);
  const watchTeams = generateWatchTeams(stream('watch-teams'), fabric, precincts);
  const cameras = generateCameras(stream('cameras'), fabric, hotSpots, scaled(CAMERAS_AT_SCALE_1), now);
  const patrolPoints = generatePatrolPoints(stream('patrol-points'), fabric, ground.blocks, beats);

  return {
    seed,
    scale,
    now: taipeiTimestamp(now),
    bureau: { code: ground.bureau.code, name: ground.bureau.name, phone: ground.bureau.phone, address: ground.bureau.address },
    precincts,
    stations,
    beats,
    keyPlaces,
    visits: generateVisits(stream('visits'), keyPlaces, beats, now),
    cameras,
    cameraChanges: generateCameraHistory(stream('camera-history'), cameras, now),
    watchTeams: watchTeams.map(({ villageCode: _, ...team }) => team),
    watchBlocks: generateWatchBlocks(stream('watch-blocks'), fabric, watchTeams),
    patrolPoints,
    patrolSignIns: generatePatrolSignIns(stream('patrol-sign-ins'), patrolPoints, beats, now),
    droneSurveys: generateDroneSurveys(stream('drone-surveys'), fabric, keyPlaces, now),
    incidents: generateIncidents(stream('incidents'), fabric, hotSpots, incidentCount, now),
    hotSpots,
    community: { villageCode: communityVillage, name: ground.villages.find((v) => v.code === communityVillage)!.name },
  };
}
