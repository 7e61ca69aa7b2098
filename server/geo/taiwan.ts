import { readFileSync } from 'node:fs';
import type { MultiPolygon, Position } from 'geojson';
import type { HttpError } from '../http/errors.js';
import { message, refusal } from '../http/messages.js';

/**
 * Where a coordinate may lie: Taiwan and every island it governs (澎湖, 金門, 馬祖, 綠島, 蘭嶼,
 * 小琉球, 龜山島, 東沙, 太平島, 釣魚臺列嶼 …), as the 22 county and city boundaries of the
 * Ministry of the Interior (內政部國土測繪中心 直轄市、縣市界線 1090820) with 1.5 km around every
 * coast, so harbours, piers and GPS error stay valid while Xiamen's coast facing 金門 (4 km
 * away) does not. Built by scripts/ground/build.ts into territory.json (23 kB).
 */
const TERRITORY = JSON.parse(readFileSync(new URL('./territory.json', import.meta.url), 'utf8')) as MultiPolygon;

type Box = [west: number, south: number, east: number, north: number];
const boxOf = (ring: readonly Position[]): Box => ring.reduce<Box>(
  ([w, s, e, n], [x, y]) => [Math.min(w, x!), Math.min(s, y!), Math.max(e, x!), Math.max(n, y!)], [Infinity, Infinity, -Infinity, -Infinity]);
const POLYGONS = TERRITORY.coordinates.map((rings) => ({ rings, box: boxOf(rings[0]!) }));

const outward = (v: number, up: boolean) => (up ? Math.ceil(v * 100) : Math.floor(v * 100)) / 100;

/** [west, south, east, north] around all of it (to 0.01°, outward), for extents and TileJSON bounds. */
export const TAIWAN_BOUNDS = POLYGONS.reduce<Box>(([w, s, e, n], { box }) =>
  [Math.min(w, box[0]), Math.min(s, box[1]), Math.max(e, box[2]), Math.max(n, box[3])], [Infinity, Infinity, -Infinity, -Infinity])
  .map((v, i) => outward(v, i >= 2)) as Box;

/** Even-odd ray casting: inside the outer ring and outside its holes. */
function inRing(ring: readonly Position[], x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i]!;
    const [xj, yj] = ring[j]!;
    if (yi! > y !== yj! > y && x < ((xj! - xi!) * (y - yi!)) / (yj! - yi!) + xi!) inside = !inside;
  }
  return inside;
}

export const insideTaiwan = (lon: number, lat: number): boolean =>
  POLYGONS.some(({ rings, box }) => lon >= box[0] && lon <= box[2] && lat >= box[1] && lat <= box[3]
    && inRing(rings[0]!, lon, lat) && !rings.slice(1).some((hole) => inRing(hole, lon, lat)));

/** TWD97 TM2 (EPSG:3826/3825) eastings and northings in metres, as seen in Taiwanese registers. */
const looksLikeTwd97 = (x: number, y: number) => x > 100_000 && x < 400_000 && y > 2_300_000 && y < 2_950_000;

/** Why a position is refused: the catalogue's code. */
export type PositionProblem = 'position_projected' | 'position_swapped' | 'position_not_degrees' | 'position_outside_taiwan';

/** Why a (lon, lat) position is refused, or null when it is fine. */
export function positionProblemCode(lon: number, lat: number): PositionProblem | null {
  if (looksLikeTwd97(lon, lat) || looksLikeTwd97(lat, lon)) return 'position_projected';
  if (insideTaiwan(lon, lat)) return null;
  if (insideTaiwan(lat, lon)) return 'position_swapped';
  if (Math.abs(lon) > 180 || Math.abs(lat) > 90) return 'position_not_degrees';
  return 'position_outside_taiwan';
}

/** Why a (lon, lat) position is refused, in a sentence naming it (坐標 unless `what` says otherwise), or null when it is fine. */
export function positionProblem(lon: number, lat: number, what?: string): string | null {
  const code = positionProblemCode(lon, lat);
  return code && message(code, { lon, lat, ...(what === undefined ? {} : { what }) });
}

/** The 400 refusing a position, naming `field`; null when the position is fine. */
export function positionRefusal(lon: number, lat: number, field: string, what?: string): HttpError | null {
  const code = positionProblemCode(lon, lat);
  return code && refusal(400, code, { lon, lat, ...(what === undefined ? {} : { what }) }, { field });
}
