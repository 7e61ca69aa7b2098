import * as turf from '@turf/turf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../server/db/db.js';
import { DEMO_OFFICER_BEAT, generateDemoCity } from '../server/demo/city/generate.js';
import { loadDemoCity } from '../server/demo/city/load.js';
import type { DemoCity } from '../server/demo/city/model.js';
import { readGround } from '../server/demo/ground.js';
import { CAMERA_OWNER_KINDS, CAMERA_STATUSES, INCIDENT_TYPES, KEY_PLACE_CATEGORIES } from '../server/layers/vocabularies.js';
import { freshDb } from './support/db.js';

/**
 * The demo city: deterministic, big enough to exercise every layer, with hot spots and hot
 * hours strong enough for the analysis to find, and loaded so that the database's own rules
 * hold (beats tile the city, every point has its beat, the triggers the load sets aside are
 * back on afterwards). The database checks run on one load of a fiftieth-scale city (the ground
 * is the same at every scale).
 */
const NOW = new Date('2026-11-01T00:00:00+08:00');
const DAY = 86_400_000;
const values = (choices: readonly { value: string }[]) => new Set(choices.map((c) => c.value));
let city: DemoCity;

beforeAll(() => {
  city = generateDemoCity({ seed: 20_260_101, scale: 1, now: NOW });
});

describe('generated city', () => {
  it('is the same for the same seed and different for another', () => {
    expect(JSON.stringify(generateDemoCity({ seed: 20_260_101, scale: 1, now: NOW }))).toBe(JSON.stringify(city));
    const other = generateDemoCity({ seed: 7, scale: 1, now: NOW });
    expect(other.incidents[0]!.point).not.toEqual(city.incidents[0]!.point);
    expect(other.cameras[0]!.point).not.toEqual(city.cameras[0]!.point);
    // The ground is real, so it does not depend on the seed.
    expect(other.beats.map((b) => b.geometry)).toEqual(city.beats.map((b) => b.geometry));
  });

  it('is 桃園市 with its real 分局 and 派出所, their addresses and phones', () => {
    expect(city.precincts.map((p) => p.name)).toEqual(['桃園分局', '大園分局', '蘆竹分局', '大溪分局', '中壢分局', '楊梅分局', '平鎮分局', '龜山分局', '八德分局', '龍潭分局']);
    expect(city.stations).toHaveLength(83);
    expect(city.stations[0]).toMatchObject({ code: 'P01S01', name: '大樹派出所', address: '桃園市桃園區樹仁二街41號', phone: '03-3622987' });
    expect(city.bureau).toMatchObject({ name: '桃園市政府警察局', phone: '03-3334400' });
    expect(city.beats.find((b) => b.code === DEMO_OFFICER_BEAT)).toMatchObject({ name: '第1警勤區', station_code: 'P01S01' });
  });

  it('places records on the real fabric: each point inside the block whose beat it carries', () => {
    const ground = readGround();
    const beatOf = new Map(ground.beats.map((b) => [b.code, b.geometry]));
    for (const rows of [city.keyPlaces.slice(0, 200), city.cameras.slice(0, 200), city.incidents.slice(0, 400)]) {
      for (const r of rows) expect(turf.booleanPointInPolygon(r.point, beatOf.get(r.beat_code)!), `${r.beat_code} ${r.point}`).toBe(true);
    }
    // The demo officer's beat has work in it: key places and a planted hot spot.
    expect(city.keyPlaces.filter((p) => p.beat_code === DEMO_OFFICER_BEAT).length).toBeGreaterThanOrEqual(5);
    expect(turf.booleanPointInPolygon(city.hotSpots[0]!.centre, beatOf.get(DEMO_OFFICER_BEAT)!)).toBe(true);
    // The community account is a real 村里 of that beat.
    expect(ground.villages.find((v) => v.code === city.community.villageCode)?.name).toBe(city.community.name);
  });

  it('has every layer in a precinct-sized amount, with every category, kind, status and type', () => {
    expect(city.precincts.length).toBe(10);
    expect(city.stations.length).toBe(83);
    expect(city.beats.length).toBeGreaterThanOrEqual(1000);
    expect(city.keyPlaces.length).toBeGreaterThanOrEqual(1200);
    expect(new Set(city.keyPlaces.map((p) => p.category))).toEqual(values(KEY_PLACE_CATEGORIES));
    expect(city.keyPlaces.filter((p) => Object.keys(p.indicators).length > 0).length).toBeGreaterThan(0);
    expect(city.visits.length).toBeGreaterThan(city.keyPlaces.length);
    expect(city.cameras.length).toBeGreaterThanOrEqual(2400);
    expect(new Set(city.cameras.map((c) => c.owner_kind))).toEqual(values(CAMERA_OWNER_KINDS));
    expect(new Set(city.cameras.map((c) => c.status))).toEqual(values(CAMERA_STATUSES));
    expect(city.incidents.length).toBeGreaterThanOrEqual(50_000);
    expect(new Set(city.incidents.map((i) => i.type))).toEqual(values(INCIDENT_TYPES));
    expect(city.watchTeams.length).toBeGreaterThan(0);
    expect(city.watchBlocks.length).toBeGreaterThanOrEqual(100);
    expect(new Set(city.watchBlocks.map((b) => b.adopter_kind)).size).toBeGreaterThanOrEqual(4);
    expect(city.droneSurveys.length).toBeGreaterThanOrEqual(10);
  });

  it('dates incidents within the 12 months before now, spread over the year', () => {
    const times = city.incidents.map((i) => Date.parse(i.occurred_at));
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThan(NOW.getTime() - 366 * DAY);
    // Not bunched: every full month has at least 4% of them.
    const months = new Map<string, number>();
    for (const i of city.incidents) months.set(i.occurred_at.slice(0, 7), (months.get(i.occurred_at.slice(0, 7)) ?? 0) + 1);
    const full = [...months.keys()].sort().slice(1); // the first month of the window is partial
    expect(full.length).toBeGreaterThanOrEqual(11);
    for (const m of full) expect(months.get(m)! / city.incidents.length, m).toBeGreaterThan(0.04);
  });
});

describe('loaded city', () => {
  let db: Db;
  let small: DemoCity;
  let counts: Record<string, number>;
  let early: number;
  let indexesBefore: string[];
  const one = async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows[0]!;

  /** A point inside the demo officer's beat. */
  const inOfficerBeat = () => turf.pointOnFeature(readGround().beats.find((b) => b.code === DEMO_OFFICER_BEAT)!.geometry).geometry.coordinates;

  const indexDefinitions = async () => (await db.query<{ def: string }>(
    `SELECT indexdef AS def FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexdef`)).rows.map((r) => r.def);

  beforeAll(async () => {
    db = await freshDb();
    // A report filed before any beat existed: the load must give it the beat it lies in.
    const [lon, lat] = inOfficerBeat();
    early = (await one<{ id: number }>(`INSERT INTO incidents (type, occurred_at, source, geom)
      VALUES ('citizen_report', '2026-10-01T12:00:00+08:00', 'patrol', ST_SetSRID(ST_MakePoint($1, $2), 4326))
      RETURNING id::float8 AS id`, [lon, lat])).id;
    small = generateDemoCity({ seed: 20_260_101, scale: 0.02, now: NOW });
    indexesBefore = await indexDefinitions();
    ({ counts } = await loadDemoCity(db, small, readGround()));
  });
  afterAll(async () => { await db?.close(); });

  it('loads every row', () => {
    expect(counts).toMatchObject({
      beats: small.beats.length, stations: small.stations.length, precincts: small.precincts.length,
      key_places: small.keyPlaces.length, visits: small.visits.length, cameras: small.cameras.length,
      watch_blocks: small.watchBlocks.length, drone_surveys: small.droneSurveys.length, incidents: small.incidents.length,
    });
  });

  it('tiles the city with beats: no overlaps, no gaps, stations and precincts made of them, all of the block fabric', async () => {
    const r = await one<Record<'beats' | 'blocks' | 'stations' | 'precincts' | 'union' | 'parts' | 'rings' | 'county' | 'overlapping' | 'outside', number>>(`
      SELECT (SELECT sum(ST_Area(geom::geography)) FROM beats) AS beats,
             (SELECT sum(ST_Area(geom::geography)) FROM blocks) AS blocks,
             (SELECT sum(ST_Area(geom::geography)) FROM stations) AS stations,
             (SELECT sum(ST_Area(geom::geography)) FROM precincts) AS precincts,
             ST_Area(u::geography) AS union, ST_NumGeometries(u) AS parts, ST_NRings(u) AS rings,
             (SELECT ST_Area(geom::geography) FROM counties WHERE name = '桃園市') AS county,
             (SELECT count(*)::int FROM beats x JOIN beats y ON x.code < y.code AND x.geom && y.geom
               AND ST_Relate(x.geom, y.geom, '2********')) AS overlapping,
             (SELECT count(*)::int FROM beats b JOIN stations s ON s.code = b.station_code WHERE NOT ST_CoveredBy(b.geom, s.geom)) AS outside
        FROM (SELECT ST_Union(geom) AS u FROM beats) q`);
    expect(r.overlapping).toBe(0); // no two beats share any interior
    expect(r.outside).toBe(0); // each beat inside its station
    // One piece without holes, the area of the basic statistical areas, its stations' and its precincts'.
    expect({ parts: r.parts, rings: r.rings }).toEqual({ parts: 1, rings: 1 });
    for (const sum of [r.beats, r.blocks, r.stations, r.precincts]) expect(Math.abs(sum / r.union - 1)).toBeLessThan(1e-6);
    // 桃園市 is 1,221 km²; the statistical areas leave out a little of the MOI county's coast.
    expect(r.union / 1e6).toBeGreaterThan(1200);
    expect(Math.abs(r.union / r.county - 1)).toBeLessThan(0.01);
  });

  it('gives every feature the beat locate_beat gives it, including one that was there before the beats, and each sign-in its point\'s', async () => {
    for (const table of ['key_places', 'cameras', 'incidents', 'watch_blocks', 'drone_surveys']) {
      const r = await one<{ total: number; unassigned: number; wrong: number }>(`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE t.beat_code IS NULL)::int AS unassigned,
               count(*) FILTER (WHERE (t.beat_code, t.station_code, t.precinct_code)
                                IS DISTINCT FROM (l.beat_code, l.station_code, l.precinct_code))::int AS wrong
          FROM ${table} t LEFT JOIN LATERAL locate_beat(ST_PointOnSurface(t.geom)) l ON true`);
      expect(r.total, table).toBeGreaterThan(0);
      expect(r, table).toMatchObject({ unassigned: 0, wrong: 0 });
    }
    const before = await one<{ beat_code: string | null }>(`SELECT beat_code FROM incidents WHERE id = $1`, [early]);
    expect(before.beat_code).toBe(DEMO_OFFICER_BEAT);
    const visits = await one<{ n: number }>(`SELECT count(*)::int AS n FROM visits v JOIN key_places p ON p.id = v.place_id
      WHERE v.beat_code IS DISTINCT FROM p.beat_code`);
    expect(visits.n).toBe(0);
    const signIns = await one<{ n: number; wrong: number }>(`SELECT count(*)::int AS n,
        count(*) FILTER (WHERE (s.beat_code, s.station_code, s.precinct_code) IS DISTINCT FROM (p.beat_code, p.station_code, p.precinct_code))::int AS wrong
      FROM patrol_signins s JOIN patrol_points p ON p.id = s.point_id`);
    expect(signIns).toEqual({ n: small.patrolSignIns.length, wrong: 0 });
  });

  it('rebuilds every index it set aside for the load', async () => {
    expect(indexesBefore.length).toBeGreaterThan(30);
    expect(await indexDefinitions()).toEqual(indexesBefore);
  });

  it('remembers each place\'s latest visit', async () => {
    const r = await one<{ visited: number; wrong: number }>(`
      SELECT count(*) FILTER (WHERE p.last_visited_at IS NOT NULL)::int AS visited,
             count(*) FILTER (WHERE p.last_visited_at IS DISTINCT FROM
                              (SELECT max(v.visited_at) FROM visits v WHERE v.place_id = p.id))::int AS wrong
        FROM key_places p`);
    expect(r.visited).toBe(new Set(small.visits.map((v) => v.place_index)).size);
    expect(r.wrong).toBe(0);
  });

  it('dates the loaded incidents within the 12 months before now, none in the future', async () => {
    const r = await one<{ future: number; old: number }>(`
      SELECT count(*) FILTER (WHERE occurred_at > $1::timestamptz)::int AS future,
             count(*) FILTER (WHERE occurred_at <= $1::timestamptz - interval '365 days')::int AS old
        FROM incidents`, [NOW.toISOString()]);
    expect(r).toEqual({ future: 0, old: 0 });
  });

  it('plants hot spots at least 10 times as dense as the city on average', async () => {
    expect(small.hotSpots.length).toBeGreaterThanOrEqual(4);
    const { rows } = await db.query<{ spot: number; ratio: number }>(`
      WITH i AS MATERIALIZED (SELECT ST_Transform(geom, 3826) AS g FROM incidents),
           average AS (SELECT (SELECT count(*) FROM i) / ST_Area(ST_Union(ST_Transform(geom, 3826))) AS per_m2 FROM beats),
           spot AS (SELECT s.spot, s.sigma, ST_Transform(ST_SetSRID(ST_MakePoint(s.lon, s.lat), 4326), 3826) AS g
                      FROM jsonb_to_recordset($1::jsonb) AS s(spot int, lon float8, lat float8, sigma float8))
      SELECT spot.spot, count(i.g) / (pi() * spot.sigma ^ 2) / average.per_m2 AS ratio
        FROM spot CROSS JOIN average LEFT JOIN i ON ST_DWithin(i.g, spot.g, spot.sigma)
       GROUP BY spot.spot, spot.sigma, average.per_m2 ORDER BY spot.spot`,
    [JSON.stringify(small.hotSpots.map((h, i) => ({ spot: i + 1, lon: h.centre[0], lat: h.centre[1], sigma: h.sigmaM })))]);
    expect(rows).toHaveLength(small.hotSpots.length);
    for (const r of rows) expect(r.ratio, small.hotSpots[r.spot - 1]!.name).toBeGreaterThan(10);
  });

  it('has hot hours: ATM withdrawals by money mules in bank hours, scooter thefts at night', async () => {
    const share = async (type: string, hours: readonly number[]) => (await one<{ share: number }>(`
      SELECT avg((extract(hour FROM occurred_at AT TIME ZONE 'Asia/Taipei')::int = ANY($2::int[]))::int)::float8 AS share
        FROM incidents WHERE type = $1`, [type, hours])).share;
    // 10:00–14:59 is 5 of 24 hours: spread evenly, 21% of withdrawals would fall there.
    expect(await share('fraud_withdrawal', [10, 11, 12, 13, 14])).toBeGreaterThan(3 * (5 / 24));
    expect(await share('scooter_theft', [22, 23, 0, 1, 2, 3])).toBeGreaterThan(2 * (6 / 24));
  });

  it('writes no history row per feature but the cameras\' status changes, one audit row, and leaves every trigger on for the next writes', async () => {
    const seeded = await one<{ n: number; cameras: number; last_is_present: number; versions_match: number }>(`
      SELECT count(*)::int AS n, count(*) FILTER (WHERE h.layer_table = 'cameras' AND h.action = 'update')::int AS cameras,
             count(*) FILTER (WHERE h.id = (SELECT max(x.id) FROM feature_history x WHERE x.layer_table = 'cameras' AND x.feature_id = h.feature_id)
                                AND h.after->>'status' = c.status)::int AS last_is_present,
             count(*) FILTER (WHERE h.id = (SELECT max(x.id) FROM feature_history x WHERE x.layer_table = 'cameras' AND x.feature_id = h.feature_id)
                                AND h.version = c.version)::int AS versions_match
        FROM feature_history h LEFT JOIN cameras c ON c.id = h.feature_id AND h.layer_table = 'cameras' WHERE h.actor = 'demo-seed'`);
    // A year of 妥善率 to report on: every broken or offline camera's last change made it so.
    const changed = new Set(small.cameraChanges.map((ch) => ch.camera_index)).size;
    expect(small.cameraChanges.length).toBeGreaterThan(0);
    expect(seeded).toEqual({ n: small.cameraChanges.length, cameras: small.cameraChanges.length, last_is_present: changed, versions_match: changed });
    expect(changed).toBeGreaterThanOrEqual(small.cameras.filter((c) => c.status !== 'working').length);
    const audit = await one<{ n: number; incidents: number }>(`SELECT count(*)::int AS n, max((detail->>'incidents')::int) AS incidents
      FROM audit_log WHERE action = 'seed-demo-city'`);
    expect(audit).toEqual({ n: 1, incidents: small.incidents.length });
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'`)).n).toBe(0);
    // An ordinary write after the load is assigned its beat and leaves history, as before it.
    const written = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('app.actor', 'officer', true)`);
      return (await tx.query<{ id: number; beat_code: string | null }>(`INSERT INTO incidents (type, occurred_at, geom)
        VALUES ('scooter_theft', '2026-10-02T23:00:00+08:00', ST_SetSRID(ST_MakePoint($1, $2), 4326))
        RETURNING id::float8 AS id, beat_code`, inOfficerBeat())).rows[0]!;
    });
    expect(written.beat_code).toBe(DEMO_OFFICER_BEAT);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE layer_table = 'incidents' AND feature_id = $1`,
      [written.id])).n).toBe(1);
    // So is a visit: the place's last visit follows it.
    const place = await one<{ id: number }>(`SELECT id::float8 AS id FROM key_places ORDER BY id LIMIT 1`);
    await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('app.actor', 'officer', true)`);
      await tx.query(`INSERT INTO visits (place_id, officer, visited_at) VALUES ($1, 'officer', '2026-11-02T09:00:00+08:00')`, [place.id]);
    });
    const visited = await one<{ at: Date }>(`SELECT last_visited_at AS at FROM key_places WHERE id = $1`, [place.id]);
    expect(new Date(visited.at).toISOString()).toBe('2026-11-02T01:00:00.000Z');
  });
});
