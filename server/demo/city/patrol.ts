import type { GroundBlock } from '../ground.js';
import { type Fabric, roundPoint } from './fabric.js';
import type { DemoBeat, DemoPatrolPoint, DemoPatrolSignIn } from './model.js';
import { addressIn, BANKS, DAY_MS, HOUR_MS, personName, taipeiTimestamp } from './people.js';
import type { Random } from './random.js';

// Patrol sign-in points (巡簽點), three on the streets of each beat

const STORES = ['統一超商', '全家便利商店', '萊爾富', 'OK超商'];
const TOWERS = ['國華', '長安', '中正', '青埔', '成功', '民族', '中興', '大同', '復興'];

/** Each beat's points: its 巡邏箱, then the 村里長 office or a store, then an ATM or a building's 簽章表. */
const KINDS: readonly (readonly (readonly [string, number])[])[] = [
  [['patrol_box', 1]],
  [['village_office', 0.5], ['convenience_store', 0.5]],
  [['atm', 0.5], ['building_sheet', 0.4], ['other', 0.1]],
];

export function generatePatrolPoints(rng: Random, fabric: Fabric, blocks: readonly GroundBlock[], beats: readonly DemoBeat[]): DemoPatrolPoint[] {
  const byBeat = new Map<string, GroundBlock[]>();
  for (const b of blocks) byBeat.set(b.beatCode, [...(byBeat.get(b.beatCode) ?? []), b]);
  return beats.flatMap((beat) => {
    const own = byBeat.get(beat.code);
    if (!own?.length) return [];
    return KINDS.map((choices): DemoPatrolPoint => {
      const kind = rng.weighted(choices);
      const { at, block } = fabric.streetSpot(rng, own);
      const address = addressIn(rng, fabric, block);
      const [name, keeper] = {
        patrol_box: [`${address.village}${address.neighbourhood}巡邏箱`, null],
        village_office: [`${address.village}辦公處`, `${address.village}長 ${personName(rng)}`],
        convenience_store: [`${rng.pick(STORES)}${address.village}門市`, `店長 ${personName(rng)}`],
        atm: [`${rng.pick(BANKS)}${address.village}ATM`, null],
        building_sheet: [`${rng.pick(TOWERS)}大樓簽章表`, `管委會 ${personName(rng)}`],
        other: [`${address.village}${address.neighbourhood}簽到點`, null],
      }[kind]! as [string, string | null];
      return { name, kind, keeper, point: roundPoint(at), beat_code: block.beatCode };
    });
  });
}

/**
 * A month of sign-ins: each beat's officer signs at most of its points a few times a week, at any
 * hour of the three shifts, by position (within 40 m) or by QR code; about one point in ten is
 * left unvisited, as a roll-up should show. None in the last hour (an officer testing the demo
 * signs in anew).
 */
export function generatePatrolSignIns(rng: Random, points: readonly DemoPatrolPoint[], beats: readonly DemoBeat[], now: number): DemoPatrolSignIn[] {
  const officerOf = new Map(beats.map((b) => [b.code, b.officer_name]));
  const out: DemoPatrolSignIn[] = [];
  points.forEach((p, point_index) => {
    if (rng.chance(0.1)) return;
    for (let k = rng.int(2, 14); k > 0; k--) {
      const qr = rng.chance(0.3);
      out.push({
        point_index, officer: officerOf.get(p.beat_code) ?? '值班員警',
        signed_at: taipeiTimestamp(now - HOUR_MS - rng.uniform(0, 30 * DAY_MS - HOUR_MS)),
        method: qr ? 'qr' : 'position', distance_m: Math.round(rng.uniform(2, qr ? 120 : 45) * 10) / 10, accuracy_m: Math.round(rng.uniform(4, 30)),
      });
    }
  });
  return out;
}
