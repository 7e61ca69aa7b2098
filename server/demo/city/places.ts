import { INDICATOR_SIGNS, INDICATOR_TYPES, KEY_PLACE_CATEGORIES } from '../../layers/vocabularies.js';
import type { GroundBlock } from '../ground.js';
import type { Random } from './random.js';
import { type Fabric, centreOf, distanceM, irregularPolygon, roundPoint, toLonLat, toXY } from './fabric.js';
import type { DemoBeat, DemoDroneSurvey, DemoKeyPlace, DemoVisit } from './model.js';
import { DAY_MS, YEAR_DAYS, addressIn, personName, placeName, startOfTaipeiDay, taipeiDate, taipeiTimestamp } from './people.js';

// Key places (治安重點處所) and visits (查訪)

export const KEY_PLACES_AT_SCALE_1 = 1200;

/** Share of each category; 八大行業 and houses sit on streets, factories and sheds in the countryside. */
const CATEGORY_WEIGHTS: Record<string, number> = {
  dance_hall: 3, dance_venue: 3, hostess_bar: 4, bar: 5, special_cafe: 4, ktv: 5, barber_massage: 5, sauna: 3,
  rental_building: 8, subdivided_house: 10, vacant_house: 9, work_shed: 6, abandoned_factory: 6,
  iron_sheet_house: 8, fencing_outlet: 6, cash_hub: 8, prior_violation: 6,
};
const OUT_OF_TOWN = new Set(['work_shed', 'abandoned_factory', 'iron_sheet_house']);
/** Categories where signs of crime are most often found. */
const SUSPECT_CATEGORIES = new Set(['work_shed', 'abandoned_factory', 'iron_sheet_house', 'subdivided_house', 'vacant_house', 'rental_building']);

/** The signs that typically go with each kind of criminal activity. */
const SIGNS_BY_INDICATOR: Record<string, readonly string[]> = {
  drug_lab: ['chemical_smell', 'covered_windows', 'powder_in_rubbish', 'power_surge', 'closed_trucks'],
  gun_workshop: ['machine_noise', 'metal_shavings', 'covered_windows', 'outward_cameras'],
  fraud_centre: ['shift_workers', 'bulk_food', 'outward_cameras', 'covered_windows', 'betel_meal_deliveries'],
  mule_detention: ['shouting', 'lookouts', 'bulk_food', 'covered_windows'],
  gambling_den: ['lookouts', 'chaotic_parking', 'betel_meal_deliveries', 'outward_cameras'],
  chop_shop: ['vehicles_in_not_out', 'machine_noise', 'metal_shavings', 'closed_trucks'],
};

const PLACE_NOTES = ['營業時間至凌晨，出入複雜', '鄰居反映夜間噪音', '負責人配合度佳', '已更換負責人',
  '門口停放車輛雜亂', '與轄區里長保持聯繫'];

const VISIT_FINDINGS: Record<string, readonly string[]> = {
  normal: ['現場正常，無異狀', '營業正常，負責人在場', '環境單純，持續列管', '出入人員單純'],
  anomaly: ['發現可疑人員進出，已通報分局', '現場有不明氣味，建議擴大查察', '門窗遮蔽，疑似有人居住', '發現車輛只進不出，持續觀察'],
  absent: ['無人在場，留下聯絡卡', '大門深鎖，擇日再訪'],
};

function indicatorsFor(rng: Random, category: string): Record<string, string[]> {
  if (!rng.chance(SUSPECT_CATEGORIES.has(category) ? 0.3 : 0.06)) return {};
  const types = rng.shuffled(INDICATOR_TYPES.map((t) => t.value)).slice(0, rng.chance(0.2) ? 2 : 1);
  return Object.fromEntries(types.map((type) => {
    const signs = rng.shuffled(SIGNS_BY_INDICATOR[type]!).slice(0, rng.int(1, 3));
    return [type, INDICATOR_SIGNS.map((s) => s.value).filter((s) => signs.includes(s))];
  }));
}

/** Places listed in the demo officer's own beat, so the officer's map and briefing have work on them. */
const HOME_PLACES = 8;

export function generateKeyPlaces(rng: Random, fabric: Fabric, home: readonly GroundBlock[], count: number, now: number): DemoKeyPlace[] {
  const categories = KEY_PLACE_CATEGORIES.map((c) => c.value);
  const weighted = categories.map((c) => [c, CATEGORY_WEIGHTS[c] ?? 1] as const);
  const today = startOfTaipeiDay(now);
  return Array.from({ length: count }, (_, i): DemoKeyPlace => {
    // The first places take one category each, so every category exists at any scale.
    const category = i < categories.length ? categories[i]! : rng.weighted(weighted);
    const athome = i >= categories.length && i < categories.length + HOME_PLACES && !OUT_OF_TOWN.has(category);
    const { at: point, block } = athome ? fabric.streetSpot(rng, home)
      : OUT_OF_TOWN.has(category) ? fabric.populatedPoint(rng, fabric.rural)
      : rng.chance(0.7) ? fabric.streetSpot(rng) : fabric.populatedPoint(rng, fabric.urban);
    const address = addressIn(rng, fabric, block);
    const listedOn = today - rng.int(30, 3000) * DAY_MS;
    const delisted = rng.chance(0.1);
    return {
      name: placeName(rng, category, address),
      address: address.full,
      category,
      listing_status: delisted ? 'delisted' : 'listed',
      listed_on: taipeiDate(listedOn),
      delisted_on: delisted ? taipeiDate(rng.uniform(listedOn + 20 * DAY_MS, today)) : null,
      indicators: indicatorsFor(rng, category),
      next_visit_due: delisted ? null : taipeiDate(today + rng.int(-30, 90) * DAY_MS),
      notes: rng.chance(0.3) ? rng.pick(PLACE_NOTES) : null,
      point: roundPoint(point),
      beat_code: block.beatCode,
    };
  });
}

export function generateVisits(rng: Random, places: readonly DemoKeyPlace[], beats: readonly DemoBeat[], now: number): DemoVisit[] {
  const officerOf = new Map(beats.map((b) => [b.code, b.officer_name]));
  const today = startOfTaipeiDay(now);
  const visits: DemoVisit[] = [];
  places.forEach((place, placeIndex) => {
    if (place.listing_status !== 'listed' || !rng.chance(0.7)) return;
    // The beat officer visits.
    const officer = officerOf.get(place.beat_code) ?? personName(rng);
    const suspect = Object.keys(place.indicators).length > 0;
    const count = rng.int(1, 4);
    for (let v = 0; v < count; v++) {
      const outcome = rng.weighted([['normal', suspect ? 0.45 : 0.8], ['anomaly', suspect ? 0.4 : 0.07], ['absent', 0.13]]);
      const at = today - rng.int(1, YEAR_DAYS - 1) * DAY_MS + rng.int(9 * 60, 21 * 60) * 60_000;
      visits.push({ place_index: placeIndex, officer, visited_at: taipeiTimestamp(at), outcome, findings: rng.pick(VISIT_FINDINGS[outcome]!) });
    }
  });
  return visits;
}


// ---------------------------------------------------------------------------------------------
// Drone surveys (空拍機蒐證區) over factories, iron-sheet houses and work sheds

const DRONE_SURVEYS = 12;
const DRONE_TARGET_CATEGORIES = ['abandoned_factory', 'iron_sheet_house', 'work_shed'];
const DRONE_FINDINGS = ['未發現異常', '發現廠區內有車輛進出，已通報偵查隊', '屋頂有新設排氣設備，持續追蹤', '周邊堆置大量廢棄物'];

export function generateDroneSurveys(rng: Random, fabric: Fabric, places: readonly DemoKeyPlace[], now: number): DemoDroneSurvey[] {
  const candidates = places.map((p, i) => ({ p, i })).filter(({ p }) => DRONE_TARGET_CATEGORIES.includes(p.category));
  const order = rng.shuffled(candidates);
  const today = startOfTaipeiDay(now);
  return Array.from({ length: DRONE_SURVEYS }, (_, s): DemoDroneSurvey => {
    const main = order[s % order.length]!;
    // Targets within 400 m of the main one are covered by the same flight.
    const targets = candidates.filter((c) => c.i === main.i || distanceM(c.p.point, main.p.point) < 400).slice(0, 3);
    const centre = toLonLat(centreOf(targets.map((t) => toXY(t.p.point))));
    const reach = Math.max(...targets.map((t) => distanceM(centre, t.p.point)));
    const plannedOn = today + rng.int(-150, 45) * DAY_MS;
    const past = plannedOn < today;
    const status = past ? rng.weighted([['done', 0.8], ['cancelled', 0.2]]) : rng.pick(['planned', 'approved']);
    const suspect = Object.keys(main.p.indicators).length > 0;
    const purpose = suspect ? 'evidence'
      : main.p.category === 'abandoned_factory' ? 'factory_check'
        : main.p.category === 'iron_sheet_house' ? 'iron_sheet_check' : 'search';
    const label = KEY_PLACE_CATEGORIES.find((c) => c.value === main.p.category)!.label;
    return {
      name: `${fabric.village(fabric.blockAt(main.p.point) as GroundBlock).name}${label}空拍蒐證（${s + 1}）`,
      purpose,
      target_place_indexes: targets.map((t) => t.i),
      planned_on: taipeiDate(plannedOn),
      altitude_m: 5 * rng.int(6, 24),
      status,
      findings: status === 'done' ? rng.pick(DRONE_FINDINGS) : null,
      // A jittered hexagon keeps at least 0.73 of its radius clear around the centre, so this
      // radius keeps every target inside with 100 m or more to spare.
      geometry: irregularPolygon(rng, centre, (reach + rng.uniform(100, 220)) / 0.73, 6),
    };
  });
}
