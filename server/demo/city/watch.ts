import { ADOPTER_KINDS } from '../../layers/vocabularies.js';
import type { GroundBlock } from '../ground.js';
import type { Random } from './random.js';
import type { Fabric } from './fabric.js';
import type { DemoPrecinct, DemoWatchBlock, DemoWatchTeam } from './model.js';
import { type Address, TRADE_WORDS, addressIn, mobile, personName } from './people.js';

// Watch teams (守望相助隊) of real 村里, and the blocks (治安區塊) they patrol, drawn along streets

const TEAMS_PER_PRECINCT = 6;
const WATCH_BLOCKS = 120;
const PATROL_HOURS = ['19:00-22:00', '20:00-23:00', '21:00-24:00', '06:00-08:00', '18:30-21:30'];
const SCHOOL_NAMES = ['國小', '國中'];

/** Built-up blocks a team's 村里 has at least: room for its blocks without sharing. */
const MIN_TEAM_BLOCKS = 8;

/** Each team is its 村里's: built-up villages of the precinct, drawn without repeats. */
export function generateWatchTeams(rng: Random, fabric: Fabric, precincts: readonly DemoPrecinct[]): (DemoWatchTeam & { villageCode: string })[] {
  return precincts.flatMap((precinct) => {
    const count = new Map<string, number>();
    for (const b of fabric.urban) if (b.beatCode.startsWith(precinct.code)) count.set(b.villageCode, (count.get(b.villageCode) ?? 0) + 1);
    const villages = [...count].filter(([, n]) => n >= MIN_TEAM_BLOCKS).map(([code]) => code).sort();
    return rng.shuffled(villages).slice(0, TEAMS_PER_PRECINCT).map((villageCode) => ({
      name: `${fabric.ground.villages.find((v) => v.code === villageCode)!.name}守望相助隊`,
      precinct_code: precinct.code,
      leader: personName(rng),
      phone: mobile(rng),
      members: rng.int(8, 60),
      notes: rng.chance(0.3) ? rng.pick(['每週三晚間集合勤前教育', '配有巡守機車2輛', '與派出所聯合巡邏']) : null,
      villageCode,
    }));
  });
}

function adopterName(rng: Random, kind: string, address: Address): string {
  switch (kind) {
    case 'agency': return rng.chance(0.5) ? `桃園市${address.town}公所` : `桃園市政府${rng.pick(['工務局', '民政局', '交通局', '環境保護局'])}`;
    case 'school': return `桃園市${address.town}${address.village.replace(/[里村]$/, '')}${rng.pick(SCHOOL_NAMES)}`;
    case 'company': return `${rng.pick(TRADE_WORDS)}${rng.pick(['實業', '建設', '科技', '企業'])}股份有限公司`;
    case 'shop': return `${rng.pick(['全家便利商店', '統一超商', '全聯福利中心'])}${address.village.replace(/[里村]$/, '')}門市`;
    case 'community': return `${address.village.replace(/[里村]$/, '')}${rng.pick(['社區管理委員會', '社區發展協會'])}`;
    default: throw new Error(`no adopter pattern for ${kind}`);
  }
}

/** 1–5 neighbouring basic areas of one beat, grown from a start: a block bounded by streets. */
function blocksAlongStreets(rng: Random, fabric: Fabric, start: GroundBlock): number[] {
  const chosen = [start.index];
  const want = rng.int(1, 5);
  while (chosen.length < want) {
    const next = chosen.flatMap((i) => fabric.ground.neighbours[i]!)
      .filter((j) => !chosen.includes(j) && fabric.ground.blocks[j]!.beatCode === start.beatCode);
    if (next.length === 0) break;
    chosen.push(rng.pick(next));
  }
  return chosen;
}

export function generateWatchBlocks(rng: Random, fabric: Fabric, teams: readonly (DemoWatchTeam & { villageCode: string })[]): DemoWatchBlock[] {
  const blocksOfTeam = teams.map(() => 0);
  const adopterKinds = ADOPTER_KINDS.map((k) => k.value);
  const taken = new Set<number>();
  return Array.from({ length: WATCH_BLOCKS }, (_, i): DemoWatchBlock => {
    const teamIndex = i % teams.length;
    const team = teams[teamIndex]!;
    const start = rng.pick(fabric.urban.filter((b) => b.villageCode === team.villageCode && !taken.has(b.index)));
    const indexes = blocksAlongStreets(rng, fabric, start).filter((j) => !taken.has(j));
    indexes.forEach((j) => taken.add(j));
    // Cycle through the kinds first so every kind of adopter appears.
    const kind = i < adopterKinds.length ? adopterKinds[i]! : rng.pick(adopterKinds);
    const address = addressIn(rng, fabric, start);
    blocksOfTeam[teamIndex]! += 1;
    return {
      name: `${address.village}第${blocksOfTeam[teamIndex]}治安區塊`,
      adopter: adopterName(rng, kind, address),
      adopter_kind: kind,
      team_index: teamIndex,
      contact: `${personName(rng)} ${mobile(rng)}`,
      patrol_hours: rng.pick(PATROL_HOURS),
      geometry: fabric.ground.union(indexes),
    };
  });
}
