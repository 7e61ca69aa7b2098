import { INCIDENT_TYPES } from '../../layers/vocabularies.js';
import type { GroundBlock, LonLat } from '../ground.js';
import type { Random } from './random.js';
import { type Fabric, distanceM, offsetM, roundPoint } from './fabric.js';
import type { DemoIncident, PlantedHotSpot } from './model.js';
import { DAY_MS, HOUR_MS, YEAR_DAYS, startOfTaipeiDay, taipeiTimestamp, taipeiWeekday } from './people.js';

// Incidents (案件) with planted hot spots (熱點) and hot hours (熱時)

export const INCIDENTS_AT_SCALE_1 = 52_000;
const HOT_SPOT_SHARE = 0.55;

/** Weights for the 24 local hours: `peak` during the given hours, 1 otherwise. */
function hourWeights(peakHours: readonly number[], peak: number, quietHours: readonly number[] = []): number[] {
  return Array.from({ length: 24 }, (_, h) => (peakHours.includes(h) ? peak : quietHours.includes(h) ? 0.3 : 1));
}
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const WEEKDAYS_ONLY = [0.25, 1, 1, 1, 1, 1, 0.25]; // Sunday … Saturday
const EVERY_DAY = [1, 1, 1, 1, 1, 1, 1];
const WEEKEND_NIGHTS = [1.2, 0.8, 0.8, 0.8, 0.9, 1.3, 1.5];

/** When each type happens: hour-of-day and day-of-week weights, in local time. */
const TIME_PROFILES: Record<string, { hours: number[]; weekdays: number[] }> = {
  // ATM withdrawals by money mules follow bank hours.
  fraud_withdrawal: { hours: hourWeights(range(10, 15), 12, [...range(0, 7), 23]), weekdays: WEEKDAYS_ONLY },
  scooter_theft: { hours: hourWeights([22, 23, 0, 1, 2, 3], 6), weekdays: EVERY_DAY },
  // Burglars come while the residents are at work.
  residential_burglary: { hours: hourWeights(range(9, 17), 5), weekdays: WEEKDAYS_ONLY },
  car_theft: { hours: hourWeights(range(0, 5), 5), weekdays: EVERY_DAY },
  bicycle_theft: { hours: hourWeights([7, 8, 17, 18, 19], 4), weekdays: EVERY_DAY },
  drugs: { hours: hourWeights([20, 21, 22, 23, 0, 1, 2], 4), weekdays: WEEKEND_NIGHTS },
  violence: { hours: hourWeights([22, 23, 0, 1, 2], 5), weekdays: WEEKEND_NIGHTS },
  traffic_accident: { hours: hourWeights([7, 8, 17, 18], 4, range(1, 6)), weekdays: EVERY_DAY },
  citizen_report: { hours: hourWeights(range(8, 23), 2), weekdays: EVERY_DAY },
};

/** The mix of types away from the hot spots. */
const BACKGROUND_TYPES: readonly (readonly [string, number])[] = [
  ['scooter_theft', 20], ['traffic_accident', 20], ['citizen_report', 15], ['residential_burglary', 10],
  ['bicycle_theft', 10], ['car_theft', 6], ['violence', 8], ['drugs', 6], ['fraud_withdrawal', 5],
];

/** Kinds of hot spot; the first is the ATM corner, planted twice. */
const HOT_SPOT_KINDS: readonly { name: string; types: readonly (readonly [string, number])[] }[] = [
  { name: '提款機車手熱點', types: [['fraud_withdrawal', 1]] },
  { name: '夜市機車竊盜熱點', types: [['scooter_theft', 5], ['bicycle_theft', 2], ['violence', 3]] },
  { name: '住宅竊盜熱點', types: [['residential_burglary', 1]] },
  { name: '毒品熱點', types: [['drugs', 7], ['violence', 3]] },
  { name: '路口事故熱點', types: [['traffic_accident', 1]] },
  { name: '停車場竊盜熱點', types: [['car_theft', 6], ['scooter_theft', 4]] },
  { name: '車站自行車竊盜熱點', types: [['bicycle_theft', 6], ['scooter_theft', 4]] },
  { name: '夜店暴力熱點', types: [['violence', 6], ['drugs', 2], ['citizen_report', 2]] },
  { name: '住宅區竊盜熱點', types: [['residential_burglary', 7], ['car_theft', 3]] },
  { name: '市場通報熱點', types: [['citizen_report', 5], ['scooter_theft', 5]] },
];
/** Share of a hot spot's incidents that are of its dominant types; the rest are any type. */
const HOT_SPOT_DOMINANCE = 0.85;

const INCIDENT_SOURCES_BY_TYPE: Record<string, readonly (readonly [string, number])[]> = {
  citizen_report: [['citizen_app', 7], ['patrol', 3]],
  drugs: [['patrol', 6], ['report', 2], ['cctv', 2]],
  traffic_accident: [['report', 7], ['patrol', 3]],
};
const DEFAULT_SOURCES: readonly (readonly [string, number])[] = [['report', 70], ['cctv', 15], ['citizen_app', 10], ['patrol', 5]];

const INCIDENT_DESCRIPTIONS: Record<string, readonly string[]> = {
  residential_burglary: ['住戶返家發現門鎖遭破壞，財物失竊', '白天住宅遭侵入竊取現金及首飾'],
  car_theft: ['停放路邊之自小客車遭竊', '車主發現停放車輛遭竊'],
  scooter_theft: ['停放騎樓之機車遭竊', '機車停放路旁遭竊'],
  bicycle_theft: ['停放車架之自行車遭竊', '自行車遭剪斷車鎖竊走'],
  fraud_withdrawal: ['車手持人頭帳戶提款卡提領詐騙款項', '銀行行員通報可疑提款'],
  drugs: ['巡邏盤查查獲持有毒品', '民眾檢舉疑似毒品交易'],
  violence: ['酒後口角引發鬥毆', '路上行搶案件'],
  traffic_accident: ['汽機車擦撞，1人輕傷', '路口車禍，無人受傷'],
  citizen_report: ['民眾通報可疑人士徘徊', '民眾反映深夜噪音擾鄰'],
};

/** At least this far from the city's edge, so a hot spot's cloud is not cut off. */
const HOT_SPOT_MARGIN_M = 700;
const HOT_SPOT_SEPARATION_M = 1500;

const farInside = (fabric: Fabric, p: LonLat, marginM: number): boolean =>
  [0, 1, 2, 3, 4, 5, 6, 7].every((k) => fabric.blockAt(offsetM(p, marginM * Math.cos((k * Math.PI) / 4), marginM * Math.sin((k * Math.PI) / 4))));

/**
 * Hot spots in built-up blocks; the first (an ATM corner, planted twice) in `home`, the blocks
 * of the demo officer's beat, so the demo accounts meet one on their own ground.
 */
export function plantHotSpots(rng: Random, fabric: Fabric, home: readonly GroundBlock[], incidentCount: number): PlantedHotSpot[] {
  const count = rng.int(6, 10);
  const kinds = [HOT_SPOT_KINDS[0]!, HOT_SPOT_KINDS[0]!, ...rng.shuffled(HOT_SPOT_KINDS.slice(1))].slice(0, count);
  const weights = kinds.map(() => rng.uniform(0.85, 1.15));
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const centres: LonLat[] = [];
  return kinds.map((kind, k): PlantedHotSpot => {
    let centre: LonLat;
    do {
      // ATM corners are on streets; the other kinds anywhere people live.
      centre = kind === HOT_SPOT_KINDS[0] ? fabric.streetSpot(rng, k === 0 ? home : fabric.urban).at : fabric.populatedPoint(rng, fabric.urban).at;
    } while (!farInside(fabric, centre, HOT_SPOT_MARGIN_M) || centres.some((c) => distanceM(c, centre) < HOT_SPOT_SEPARATION_M));
    centres.push(centre);
    return {
      name: kind.name,
      centre: roundPoint(centre),
      sigmaM: Math.round(rng.uniform(100, 300)),
      types: kind.types.map(([type]) => type),
      incidentCount: Math.round((incidentCount * HOT_SPOT_SHARE * weights[k]!) / totalWeight),
    };
  });
}

/** The profiles ready to draw from: hours as weighted choices, each weekday's odds of being kept. */
const TIME_DRAWS = new Map(Object.entries(TIME_PROFILES).map(([type, { hours, weekdays }]) => {
  const busiestDay = Math.max(...weekdays);
  return [type, { hours: hours.map((w, h) => [h, w] as const), weekdayOdds: weekdays.map((w) => w / busiestDay) }];
}));

function incidentTime(rng: Random, type: string, now: number): number {
  const { hours, weekdayOdds } = TIME_DRAWS.get(type)!;
  const today = startOfTaipeiDay(now);
  for (;;) {
    const day = today - rng.int(0, YEAR_DAYS) * DAY_MS;
    if (!rng.chance(weekdayOdds[taipeiWeekday(day)]!)) continue;
    const t = day + rng.weighted(hours) * HOUR_MS + rng.int(0, 3599) * 1000;
    if (t < now && t >= now - YEAR_DAYS * DAY_MS) return t;
  }
}

function incident(rng: Random, type: string, { at: point, block }: { at: LonLat; block: GroundBlock }, now: number): DemoIncident {
  return {
    type,
    occurred_at: taipeiTimestamp(incidentTime(rng, type, now)),
    source: rng.weighted(INCIDENT_SOURCES_BY_TYPE[type] ?? DEFAULT_SOURCES),
    description: rng.pick(INCIDENT_DESCRIPTIONS[type]!),
    point: roundPoint(point),
    beat_code: block.beatCode,
  };
}

export function generateIncidents(rng: Random, fabric: Fabric, hotSpots: readonly PlantedHotSpot[], count: number, now: number): DemoIncident[] {
  const allTypes = INCIDENT_TYPES.map((t) => t.value);
  const incidents: DemoIncident[] = [];
  for (const hot of hotSpots) {
    const kind = HOT_SPOT_KINDS.find((h) => h.name === hot.name)!;
    for (let i = 0; i < hot.incidentCount; i++) {
      const type = rng.chance(HOT_SPOT_DOMINANCE) ? rng.weighted(kind.types) : rng.pick(allTypes);
      incidents.push(incident(rng, type, fabric.gaussianPoint(rng, hot.centre, hot.sigmaM), now));
    }
  }
  // Every type appears away from the hot spots too (the first few pass through all types).
  for (let i = 0; incidents.length < count; i++) {
    const type = i < allTypes.length ? allTypes[i]! : rng.weighted(BACKGROUND_TYPES);
    incidents.push(incident(rng, type, rng.chance(0.35) ? fabric.streetSpot(rng) : fabric.populatedPoint(rng), now));
  }
  return incidents;
}
