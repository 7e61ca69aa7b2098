import * as turf from '@turf/turf';
import type { MultiPolygon, Polygon, Position } from 'geojson';
import type { Random } from './random.js';
import type { Area, LonLat } from './model.js';

// Fixed geography: hand-drawn from the map of central 臺南市

/** City limits, counter-clockwise: the 安平 / 安南 coast in the west, 永康 in the north-east. */
export const CITY_OUTLINE: readonly LonLat[] = [
  [120.165, 22.945], [120.2, 22.94], [120.235, 22.948], [120.262, 22.943], [120.29, 22.955],
  [120.3, 22.975], [120.293, 22.995], [120.3, 23.015], [120.288, 23.035], [120.292, 23.052],
  [120.268, 23.06], [120.24, 23.054], [120.215, 23.06], [120.19, 23.052], [120.17, 23.045],
  [120.158, 23.028], [120.165, 23.01], [120.152, 22.995], [120.157, 22.975], [120.15, 22.96],
  [120.165, 22.945],
];

/** 府前路 by the old city centre; the 府前派出所 and the community area lie around it. */
export const CITY_CENTRE: LonLat = [120.2035, 22.9905];

/** Main roads (approximate): cameras, key places and part of the incidents line up along them. */
const ROADS: readonly { name: string; line: readonly LonLat[] }[] = [
  { name: '民族路二段', line: [[120.165, 22.996], [120.195, 22.9955], [120.215, 22.996]] },
  { name: '東門路二段', line: [[120.205, 22.987], [120.225, 22.986], [120.245, 22.985], [120.27, 22.984]] },
  { name: '中華東路二段', line: [[120.238, 22.955], [120.242, 22.975], [120.24, 22.995], [120.236, 23.015]] },
  { name: '中華西路二段', line: [[120.185, 22.96], [120.182, 22.985], [120.186, 23.005], [120.19, 23.025]] },
  { name: '北門路二段', line: [[120.212, 22.99], [120.214, 23.01], [120.216, 23.035]] },
  { name: '健康路二段', line: [[120.162, 22.978], [120.19, 22.979], [120.215, 22.978], [120.235, 22.975]] },
  { name: '永華路二段', line: [[120.162, 22.99], [120.185, 22.99], [120.2, 22.991]] },
  { name: '海佃路一段', line: [[120.19, 23.005], [120.188, 23.03], [120.185, 23.05]] },
  { name: '中正南路', line: [[120.245, 23.01], [120.262, 23.025], [120.28, 23.04]] },
  { name: '大同路二段', line: [[120.21, 22.985], [120.211, 22.965], [120.213, 22.945]] },
  { name: '小東路', line: [[120.215, 23.0], [120.24, 23.0], [120.265, 23.005], [120.29, 23.006]] },
];

/** Neighbourhoods that give stations their names; each station takes the nearest free one. */
export const STATION_ANCHORS: readonly { name: string; at: LonLat }[] = [
  { name: '府前派出所', at: CITY_CENTRE },
  { name: '海安派出所', at: [120.199, 22.996] },
  { name: '東門派出所', at: [120.217, 22.986] },
  { name: '長榮派出所', at: [120.22, 22.995] },
  { name: '開山派出所', at: [120.206, 22.983] },
  { name: '大林派出所', at: [120.205, 22.965] },
  { name: '金華派出所', at: [120.196, 22.978] },
  { name: '安平派出所', at: [120.165, 22.997] },
  { name: '和平派出所', at: [120.185, 23.007] },
  { name: '公園派出所', at: [120.208, 23.005] },
  { name: '成功派出所', at: [120.205, 23.02] },
  { name: '文化派出所', at: [120.23, 23.01] },
  { name: '後甲派出所', at: [120.235, 22.988] },
  { name: '崇德派出所', at: [120.228, 22.97] },
  { name: '永康派出所', at: [120.265, 23.03] },
  { name: '安順派出所', at: [120.17, 23.035] },
  { name: '大灣派出所', at: [120.28, 22.99] },
  { name: '鹽行派出所', at: [120.25, 23.05] },
  { name: '德高派出所', at: [120.22, 22.955] },
  { name: '虎尾寮派出所', at: [120.255, 22.955] },
];

export const BUREAU_CODE = 'TNPD';
export const PRECINCT_NAMES = ['第一分局', '第二分局', '第三分局', '第四分局'];
export const STATIONS_PER_CITY = 16;
/** Beat seed spacing: about 190 beats of about 0.9 km² over the 169 km² outline. */
export const BEAT_SPACING_M = 950;
export const MIN_BEATS = 160;

// ---------------------------------------------------------------------------------------------
// Geometry helpers. Distances use a local equirectangular frame in metres, accurate to well under
// 1% across a city this size; polygon operations use turf on lon/lat.

export type XY = [x: number, y: number];

const M_PER_DEG_LAT = 110_574;
const M_PER_DEG_LON = 111_320 * Math.cos((23 * Math.PI) / 180);

export const toXY = ([lon, lat]: LonLat): XY => [(lon - 120.2) * M_PER_DEG_LON, (lat - 23) * M_PER_DEG_LAT];
export const toLonLat = ([x, y]: XY): LonLat => [120.2 + x / M_PER_DEG_LON, 23 + y / M_PER_DEG_LAT];
export const offsetM = (p: LonLat, dx: number, dy: number): LonLat => toLonLat([toXY(p)[0] + dx, toXY(p)[1] + dy]);
export const distanceM = (a: LonLat, b: LonLat): number => Math.hypot(...subtract(toXY(a), toXY(b)));
export const subtract = (a: XY, b: XY): XY => [a[0] - b[0], a[1] - b[1]];

const round7 = (v: number): number => Math.round(v * 1e7) / 1e7;
export const roundPoint = ([lon, lat]: LonLat): LonLat => [round7(lon), round7(lat)];

/** Twice the signed area of a ring; positive when counter-clockwise. */
function signedArea(ring: readonly Position[]): number {
  let s = 0;
  for (let i = 0; i + 1 < ring.length; i++) s += ring[i]![0]! * ring[i + 1]![1]! - ring[i + 1]![0]! * ring[i]![1]!;
  return s;
}

/** Rounds to 7 decimals, drops repeated positions and orients rings as RFC 7946 asks. */
function tidyRings(rings: readonly Position[][]): Position[][] {
  return rings
    .map((ring, i) => {
      const out: Position[] = [];
      for (const p of ring) {
        const q = [round7(p[0]!), round7(p[1]!)];
        const last = out[out.length - 1];
        if (!last || last[0] !== q[0] || last[1] !== q[1]) out.push(q);
      }
      const outer = i === 0;
      if (signedArea(out) > 0 !== outer) out.reverse();
      return out;
    })
    .filter((ring) => ring.length >= 4);
}

export function polygonsOf(area: Area): Position[][][] {
  return area.type === 'Polygon' ? [area.coordinates] : area.coordinates;
}

export const tidyPolygon = (rings: readonly Position[][]): Polygon => ({ type: 'Polygon', coordinates: tidyRings(rings) });
export const asMultiPolygon = (area: Area): MultiPolygon => ({
  type: 'MultiPolygon',
  coordinates: polygonsOf(area).map(tidyRings),
});

export function intersectAreas(a: Area, b: Area): Area | null {
  return turf.intersect(turf.featureCollection([turf.feature(a), turf.feature(b)]))?.geometry ?? null;
}

export function unionAreas(areas: readonly Area[]): Area | null {
  if (areas.length === 1) return areas[0]!;
  return turf.union(turf.featureCollection(areas.map((a) => turf.feature(a))))?.geometry ?? null;
}

export const inside = (area: Area, p: LonLat): boolean => turf.booleanPointInPolygon(p, area);

export function randomPointIn(rng: Random, area: Area): LonLat {
  const [w, s, e, n] = turf.bbox(area);
  for (;;) {
    const p: LonLat = [rng.uniform(w, e), rng.uniform(s, n)];
    if (inside(area, p)) return p;
  }
}

/** A point drawn from a 2-D Gaussian around a centre, kept inside the area. */
export function gaussianPointIn(rng: Random, area: Area, centre: LonLat, sigmaM: number): LonLat {
  for (;;) {
    const p = offsetM(centre, rng.normal(0, sigmaM), rng.normal(0, sigmaM));
    if (inside(area, p)) return p;
  }
}

/** A polygon with `corners` vertices around a centre, radius jittered so it looks hand-drawn. */
export function irregularPolygon(rng: Random, centre: LonLat, radiusM: number, corners: number): Polygon {
  const turn = rng.uniform(0, 2 * Math.PI);
  const ring: Position[] = [];
  for (let i = 0; i < corners; i++) {
    const angle = turn + (2 * Math.PI * i) / corners;
    const r = radiusM * rng.uniform(0.85, 1.15);
    ring.push(offsetM(centre, r * Math.cos(angle), r * Math.sin(angle)));
  }
  ring.push(ring[0]!);
  return tidyPolygon([ring]);
}

/** Points along the roads: where on the road, and the compass bearing of the road there. */
interface RoadSpot {
  road: string;
  at: LonLat;
  bearing: number;
}

/** Roads are drawn in proportion to their length. */
const ROAD_CHOICES = ROADS.map((r, i) => [i, r.line.slice(1).reduce((s, p, k) => s + distanceM(r.line[k]!, p), 0)] as const);

function pointOnRoad(rng: Random): RoadSpot {
  const road = ROADS[rng.weighted(ROAD_CHOICES)]!;
  const segment = rng.int(0, road.line.length - 2);
  const a = toXY(road.line[segment]!);
  const b = toXY(road.line[segment + 1]!);
  const t = rng.next();
  const [dx, dy] = subtract(b, a);
  return {
    road: road.name,
    at: toLonLat([a[0] + t * dx, a[1] + t * dy]),
    bearing: ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360,
  };
}

/** A road spot inside the city, pushed off the centre line by a Gaussian sideways offset. */
export function nearRoad(rng: Random, outline: Area, spreadM: number): RoadSpot {
  for (;;) {
    const spot = pointOnRoad(rng);
    const at = offsetM(spot.at, rng.normal(0, spreadM), rng.normal(0, spreadM));
    if (inside(outline, at)) return { ...spot, at };
  }
}
