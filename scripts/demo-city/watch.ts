import * as turf from '@turf/turf';
import type { Polygon } from 'geojson';
import { ADOPTER_KINDS } from '../../server/layers/vocabularies.js';
import type { Random } from './random.js';
import { irregularPolygon, randomPointIn } from './geography.js';
import type { DemoBeat, DemoPrecinct, DemoStation, DemoWatchBlock, DemoWatchTeam, LonLat } from './model.js';
import { type Address, TRADE_WORDS, VILLAGES, addressAt, mobile, personName } from './people.js';

// Watch teams (守望相助隊) and watch blocks (治安區塊)

const TEAMS_PER_PRECINCT = 6;
const WATCH_BLOCKS = 48;
const PATROL_HOURS = ['19:00-22:00', '20:00-23:00', '21:00-24:00', '06:00-08:00', '18:30-21:30'];
const SCHOOL_NAMES = ['勝利國小', '成功國小', '永福國小', '公園國小', '大同國小', '崇明國中', '建興國中', '忠孝國中'];

export function generateWatchTeams(rng: Random, precincts: readonly DemoPrecinct[]): DemoWatchTeam[] {
  const villages = rng.shuffled(VILLAGES);
  return precincts.flatMap((precinct, p) => Array.from({ length: TEAMS_PER_PRECINCT }, (_, t): DemoWatchTeam => ({
    name: `${villages[p * TEAMS_PER_PRECINCT + t]}守望相助隊`,
    precinct_code: precinct.code,
    leader: personName(rng),
    phone: mobile(rng),
    members: rng.int(8, 60),
    notes: rng.chance(0.3) ? rng.pick(['每週三晚間集合勤前教育', '配有巡守機車2輛', '與派出所聯合巡邏']) : null,
  })));
}

function adopterName(rng: Random, kind: string, address: Address, village: string): string {
  switch (kind) {
    case 'agency': return rng.chance(0.5) ? `臺南市${address.district}公所` : `臺南市政府${rng.pick(['工務局', '民政局', '交通局', '環境保護局'])}`;
    case 'school': return `臺南市${address.district}${rng.pick(SCHOOL_NAMES)}`;
    case 'company': return `${rng.pick(TRADE_WORDS)}${rng.pick(['實業', '建設', '科技', '企業'])}股份有限公司`;
    case 'shop': return `${rng.pick(['全家便利商店', '統一超商', '全聯福利中心'])}${address.street.replace(/[一二三四]段$/, '')}門市`;
    case 'community': return `${village.replace('里', '')}${rng.pick(['社區管理委員會', '社區發展協會'])}`;
    default: throw new Error(`no adopter pattern for ${kind}`);
  }
}

/** A quadrilateral 150–400 m across lying wholly inside the beat (shrunk until it fits). */
function blockInside(rng: Random, beat: Polygon): Polygon {
  for (let size = rng.uniform(150, 400); ; size *= 0.9) {
    const block = irregularPolygon(rng, randomPointIn(rng, beat), size / 2, 4);
    if (turf.booleanWithin(block, beat)) return block;
  }
}

export function generateWatchBlocks(rng: Random, teams: readonly DemoWatchTeam[], beats: readonly DemoBeat[], stations: readonly DemoStation[]): DemoWatchBlock[] {
  const precinctOfStation = new Map(stations.map((s) => [s.code, s.precinct_code]));
  const blocksOfTeam = teams.map(() => 0);
  const adopterKinds = ADOPTER_KINDS.map((k) => k.value);
  return Array.from({ length: WATCH_BLOCKS }, (_, i): DemoWatchBlock => {
    const teamIndex = i % teams.length;
    const team = teams[teamIndex]!;
    const beat = rng.pick(beats.filter((b) => precinctOfStation.get(b.station_code) === team.precinct_code));
    const geometry = blockInside(rng, beat.geometry);
    const village = team.name.replace('守望相助隊', '');
    // Cycle through the kinds first so every kind of adopter appears.
    const kind = i < adopterKinds.length ? adopterKinds[i]! : rng.pick(adopterKinds);
    const address = addressAt(rng, turf.centroid(geometry).geometry.coordinates as LonLat);
    blocksOfTeam[teamIndex]! += 1;
    return {
      name: `${village}第${blocksOfTeam[teamIndex]}治安區塊`,
      adopter: adopterName(rng, kind, address, village),
      adopter_kind: kind,
      team_index: teamIndex,
      contact: `${personName(rng)} ${mobile(rng)}`,
      patrol_hours: rng.pick(PATROL_HOURS),
      geometry,
    };
  });
}
