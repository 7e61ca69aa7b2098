import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { feature, merge, neighbors } from 'topojson-client';
import type { GeometryCollection, GeometryObject, Topology } from 'topojson-specification';

/**
 * The real ground of the demo: 桃園市 as the extract in sql/seed holds it (built from open
 * government data by scripts/ground/build.ts; sources in the README). Areas are decoded from
 * its topology; beats, stations and precincts are unions of basic statistical areas taken from
 * the same topology, so they nest exactly and share their borders with the block fabric.
 */

export const GROUND_EXTRACT = fileURLToPath(new URL('../../sql/seed/taoyuan-ground.json.gz', import.meta.url));

export type LonLat = [lon: number, lat: number];
export type Area = Polygon | MultiPolygon;

export interface GroundCounty { code: string; name: string; geometry: Area }
export interface GroundTown { code: string; name: string; countyCode: string; countyName: string; geometry: Area }
export interface GroundVillage { code: string; name: string; townCode: string; townName: string; countyName: string; geometry: Area }
export interface GroundBlock {
  /** Index in `Ground.blocks`, and in the topology's `blocks` object. */
  index: number;
  code: string;
  code1: string;
  code2: string;
  townCode: string;
  villageCode: string;
  beatCode: string;
  geometry: Area;
}
export interface GroundUnit { code: string; name: string; address: string; phone: string; point: LonLat }
export interface GroundPrecinct extends GroundUnit { towns: string[]; geometry: MultiPolygon }
export interface GroundStation extends GroundUnit { precinctCode: string; kind: 'station' | 'substation'; geometry: MultiPolygon }
export interface GroundBeat { code: string; stationCode: string; geometry: MultiPolygon }
export interface GroundPoliceUnit { name: string; kind: 'bureau' | 'precinct' | 'station' | 'substation' | 'traffic' | 'other'; unitCode: string | null; address: string; phone: string; point: LonLat }

export interface Ground {
  counties: GroundCounty[];
  towns: GroundTown[];
  villages: GroundVillage[];
  blocks: GroundBlock[];
  bureau: GroundUnit;
  precincts: GroundPrecinct[];
  stations: GroundStation[];
  beats: GroundBeat[];
  policeUnits: GroundPoliceUnit[];
  /** For each block (by index), the blocks it shares a border with. */
  neighbours: number[][];
  /** Unions of blocks by index, exact along shared borders (for areas drawn along the fabric). */
  union(blockIndexes: readonly number[]): MultiPolygon;
}

interface Extract {
  units: {
    bureau: GroundUnit;
    precincts: (GroundUnit & { towns: string[] })[];
    stations: (GroundUnit & { precinct: string; kind: 'station' | 'substation' })[];
    others: { name: string; kind: 'traffic' | 'other'; address: string; phone: string; point: LonLat }[];
  };
  ground: Topology;
  /** Areas ST_MakeValid repaired: blocks and 村里 by index, unit areas (beats …) by code. */
  repairs: Record<string, Record<string, Area>>;
  counties: GroundCounty[];
}

const round7 = (v: number) => Math.round(v * 1e7) / 1e7;
const roundRings = (rings: Position[][]) => rings.map((r) => r.map((p) => [round7(p[0]!), round7(p[1]!)]));
/** Positions at 7 decimals (1 cm): the topology's grid, without its floating-point noise. */
function tidy<G extends Area>(g: G): G {
  return (g.type === 'Polygon'
    ? { type: 'Polygon', coordinates: roundRings(g.coordinates) }
    : { type: 'MultiPolygon', coordinates: g.coordinates.map(roundRings) }) as G;
}

type Props = Record<string, string>;
function decode(x: Extract, name: string): { properties: Props; geometry: Area }[] {
  const fc = feature(x.ground, x.ground.objects[name]!) as FeatureCollection<Area, Props>;
  const repairs = x.repairs[name] ?? {};
  return fc.features.map((f, i) => ({ properties: f.properties, geometry: repairs[i] ?? tidy(f.geometry) }));
}

let cached: Ground | undefined;

/** The ground, read once per process (about a second). */
export function readGround(path = GROUND_EXTRACT): Ground {
  if (cached && path === GROUND_EXTRACT) return cached;
  const x = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as Extract;
  const topo = x.ground;
  const blockObjects = (topo.objects.blocks as GeometryCollection<Props>).geometries;
  const union = (indexes: readonly number[]): MultiPolygon =>
    tidy(merge(topo, indexes.map((i) => blockObjects[i]!) as Parameters<typeof merge>[1]));
  /** A unit's area: the union of its blocks, or its repair where the union touches itself. */
  const unitArea = (level: 'beats' | 'stations' | 'precincts', code: string, indexes: readonly number[]): MultiPolygon =>
    (x.repairs[level]?.[code] as MultiPolygon | undefined) ?? union(indexes);
  const indexesBy = (key: (p: Props) => string) => {
    const m = new Map<string, number[]>();
    blockObjects.forEach((g: GeometryObject<Props>, i) => {
      const k = key(g.properties!);
      (m.get(k) ?? m.set(k, []).get(k)!).push(i);
    });
    return m;
  };
  const byBeat = indexesBy((p) => p.beat!);
  const byStation = indexesBy((p) => p.beat!.slice(0, 6));
  const byPrecinct = indexesBy((p) => p.beat!.slice(0, 3));

  const towns = decode(x, 'towns');
  const townName = new Map(towns.map((t) => [t.properties.code!, t.properties.name!]));
  const countyName = new Map(x.counties.map((c) => [c.code, c.name]));
  const ground: Ground = {
    counties: x.counties,
    towns: towns.map((t) => ({
      code: t.properties.code!, name: t.properties.name!, countyCode: t.properties.county!,
      countyName: countyName.get(t.properties.county!)!, geometry: t.geometry,
    })),
    villages: decode(x, 'villages').map((v) => ({
      code: v.properties.code!, name: v.properties.name!, townCode: v.properties.town!, townName: townName.get(v.properties.town!)!,
      countyName: countyName.get(v.properties.town!.slice(0, 5))!, geometry: v.geometry,
    })),
    blocks: decode(x, 'blocks').map((b, index) => ({
      index, code: b.properties.code!, code1: b.properties.code1!, code2: b.properties.code2!, townCode: b.properties.town!,
      villageCode: b.properties.village!, beatCode: b.properties.beat!, geometry: b.geometry,
    })),
    bureau: x.units.bureau,
    precincts: x.units.precincts.map((p) => ({ ...p, geometry: unitArea('precincts', p.code, byPrecinct.get(p.code) ?? []) })),
    stations: x.units.stations.map(({ precinct, ...s }) => ({ ...s, precinctCode: precinct, geometry: unitArea('stations', s.code, byStation.get(s.code) ?? []) })),
    beats: [...byBeat].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([code, indexes]) => ({ code, stationCode: code.slice(0, 6), geometry: unitArea('beats', code, indexes) })),
    policeUnits: ([
      { ...x.units.bureau, kind: 'bureau' as const, unitCode: x.units.bureau.code },
      ...x.units.precincts.map((p) => ({ name: p.name, kind: 'precinct' as const, unitCode: p.code, address: p.address, phone: p.phone, point: p.point })),
      ...x.units.stations.map((s) => ({ name: s.name, kind: s.kind, unitCode: s.code, address: s.address, phone: s.phone, point: s.point })),
      ...x.units.others.map((o) => ({ ...o, unitCode: null })),
    ] as GroundPoliceUnit[]).map(({ name, kind, unitCode, address, phone, point }) => ({ name, kind, unitCode, address, phone, point })),
    neighbours: neighbors(blockObjects as Parameters<typeof neighbors>[0]),
    union,
  };
  if (path === GROUND_EXTRACT) cached = ground;
  return ground;
}
