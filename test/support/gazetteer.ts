import * as turf from '@turf/turf';
import iconv from 'iconv-lite';
import { readGround, type Area, type LonLat } from '../../server/demo/ground.js';
import { tm2 } from './tm2.js';

/**
 * A 門牌 gazetteer of 桃園市 in the format of the cities' open data (戶政 門牌坐標: 村里, 鄰,
 * 街_路段, 地區, 巷, 弄, 號 and TWD97 橫坐標/縱坐標), made for the tests since the real file
 * cannot be downloaded here. The streets are real: those of the 桃園 police units' addresses
 * (sql/seed, from taoyuan-police-units), each with its unit's own 門牌 at the unit's point and
 * neighbouring numbers of the same side a few metres along, all inside the 村里 the unit stands
 * in. Deterministic.
 */

export interface GazetteerRow {
  town: string;
  townCode: string;
  village: string;
  /** 鄰, as the 戶政 data writes it (three digits); empty when unknown. */
  lin: string;
  /** 街_路段, as the police list writes it (二段 or 2段). */
  street: string;
  /** 地區: a named place standing for a street in the hills. */
  area: string;
  lane: string;
  alley: string;
  /** 號, with its 之 and floor when it has them: 「77號」, 「51之2號」, 「254號3樓」. */
  number: string;
  /** The whole address as people write it: 桃園市 + district + street … 號. */
  address: string;
  lonLat: LonLat;
  /** TWD97 / TM2 121 metres. */
  x: number;
  y: number;
}

/** 桃園市(town)(village)?(N鄰)?(street or place, 2段 and all)(N鄰)?(N巷)?(N弄)?(number)號 */
const ADDRESS = /^桃園市(..區)([^\d]{1,3}[村里])?(?:(\d+)鄰)?((?:[^\d]|\d+段)*?)(?:(\d+)鄰)?(?:(\d+)巷)?(?:(\d+)弄)?(\d+(?:之\d+)?)號/;
/** Metres between neighbouring numbers of one side. */
const STEP_M = 9;

const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

function villageAt(p: LonLat): { name: string; town: string; townCode: string; geometry: Area } | undefined {
  const v = readGround().villages.find((x) => turf.booleanPointInPolygon(p, x.geometry));
  return v && { name: v.name, town: v.townName, townCode: v.townCode, geometry: v.geometry };
}

/** A point `metres` from p along `bearing` (degrees from north), pulled back towards p until inside `area`. */
function along(p: LonLat, bearing: number, metres: number, area: Area): LonLat {
  for (let m = metres; ; m /= 2) {
    const q = turf.destination(p, m / 1000, bearing).geometry.coordinates as LonLat;
    if (Math.abs(m) < 0.5 || turf.booleanPointInPolygon(q, area)) return [round(q[0], 7), round(q[1], 7)];
  }
}

let cached: GazetteerRow[] | undefined;

export function taoyuanGazetteer(): GazetteerRow[] {
  if (cached) return cached;
  const rows: GazetteerRow[] = [];
  const seen = new Set<string>();
  const add = (r: Omit<GazetteerRow, 'x' | 'y'>) => {
    // One 門牌 once, however the units' list writes it (中山里大昌路1段 and 大昌路一段 are one road).
    const same = [r.town, r.street || r.area ? '' : `${r.village}${r.lin}`, r.street, r.area, r.lane, r.alley, r.number].join('|')
      .replace(/([一二三四五六七八九])段/g, (_, n: string) => `${'一二三四五六七八九'.indexOf(n) + 1}段`);
    if (seen.has(same)) return;
    seen.add(same);
    const [x, y] = tm2(r.lonLat[0], r.lonLat[1]);
    rows.push({ ...r, x: round(x, 3), y: round(y, 3) });
  };
  readGround().policeUnits.forEach((unit, k) => {
    const m = ADDRESS.exec(unit.address.replace(/\s/g, ''));
    const village = villageAt(unit.point);
    if (!m || !village || m[1] !== village.town) return;
    const [, town, villageWritten, linBefore, place, linAfter, lane, alley, number] = m;
    const lin = linBefore ?? linAfter;
    const isRoad = /(路|街|大道|巷|段)$/.test(place!);
    const base = { town: town!, townCode: village.townCode, village: villageWritten ?? village.name, lin: lin ? lin.padStart(3, '0') : '',
      street: isRoad ? place! : '', area: isRoad ? '' : place!, lane: lane ? `${lane}巷` : '', alley: alley ? `${alley}弄` : '' };
    const whole = (n: string) => unit.address.replace(/\s/g, '').replace(/\d+(?:之\d+)?號.*$/, n);
    const own = Number(number!.split('之')[0]);
    const bearing = (k * 137.5) % 360;
    // The unit's own 門牌, and on a road its side's neighbours (and one 之 number, one upper floor).
    const numbers = isRoad ? [-4, -2, 0, 2, 4].map((d) => own + d).filter((n) => n > 0) : [own];
    for (const n of numbers) {
      const written = n === own ? number! : String(n);
      const at = n === own ? unit.point : along(unit.point, bearing, ((n - own) / 2) * STEP_M, village.geometry);
      add({ ...base, number: `${written}號`, address: whole(`${written}號`), lonLat: at });
    }
    if (isRoad) {
      const sub = along(unit.point, bearing, STEP_M / 2, village.geometry);
      add({ ...base, number: `${own}之1號`, address: whole(`${own}之1號`), lonLat: sub });
      add({ ...base, number: `${own}號3樓`, address: whole(`${own}號3樓`), lonLat: unit.point });
    }
  });
  cached = rows;
  return rows;
}

/** CSV cell: quoted when it holds a comma or a quote. */
const cell = (v: string | number) => (/[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v));
const csv = (header: string[], rows: (string | number)[][]) => [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';

/** The 戶政 門牌坐標 layout: parts in columns, TWD97 metres, Big5 as the cities' files are. */
export function houseHoldCsv(rows: readonly GazetteerRow[], coordinates: (r: GazetteerRow) => [number, number] = (r) => [r.x, r.y]): string {
  return csv(['省市縣市代碼', '鄉鎮市區代碼', '村里', '鄰', '街_路段', '地區', '巷', '弄', '號', '橫坐標', '縱坐標'],
    rows.map((r) => ['68', r.townCode, r.village, r.lin, r.street, r.area, r.lane, r.alley, r.number, ...coordinates(r)]));
}

export const big5 = (text: string) => iconv.encode(text, 'cp950');

/** One address column and TWD97 X/Y, UTF-8 with a byte-order mark as Excel saves it. */
export function addressColumnCsv(rows: readonly GazetteerRow[], coordinates: (r: GazetteerRow) => [number, number] = (r) => [r.x, r.y]): string {
  return `\ufeff${csv(['門牌', 'TWD97_X', 'TWD97_Y'], rows.map((r) => [r.address, ...coordinates(r)]))}`;
}

/**
 * TWD67 / TM2 121 metres of a row, as the service converts them (TWD97 less the translation
 * in sql/migrations/017_to_wgs84_inlined.sql): what an old register holds for the same place.
 */
export const twd67 = (r: GazetteerRow): [number, number] => [round(r.x - 828.589, 3), round(r.y + 206.915, 3)];
