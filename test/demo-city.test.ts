import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDemoCity } from '../scripts/demo-city/generate.js';
import { loadDemoCity } from '../scripts/demo-city/load.js';
import type { DemoCity } from '../scripts/demo-city/model.js';
import type { Db } from '../server/db/db.js';
import { CAMERA_OWNER_KINDS, CAMERA_STATUSES, INCIDENT_TYPES, KEY_PLACE_CATEGORIES } from '../server/layers/vocabularies.js';
import { freshDb } from './support/db.js';

/**
 * The demo city: deterministic, big enough to exercise every layer, with hot spots and hot
 * hours strong enough for the analysis to find, and loaded so that the database's own rules
 * hold (beats tile the city, every point has its beat, the triggers the load sets aside are
 * back on afterwards). The database checks run on one load of a tenth-scale city.
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
    expect(other.beats.map((b) => b.geometry)).not.toEqual(city.beats.map((b) => b.geometry));
  });

  it('has every layer in a precinct-sized amount, with every category, kind, status and type', () => {
    expect(city.precincts.length).toBeGreaterThanOrEqual(4);
    expect(city.stations.length).toBeGreaterThanOrEqual(16);
    expect(city.beats.length).toBeGreaterThanOrEqual(150);
    expect(city.keyPlaces.length).toBeGreaterThanOrEqual(600);
    expect(new Set(city.keyPlaces.map((p) => p.category))).toEqual(values(KEY_PLACE_CATEGORIES));
    expect(city.keyPlaces.filter((p) => Object.keys(p.indicators).length > 0).length).toBeGreaterThan(0);
    expect(city.visits.length).toBeGreaterThan(city.keyPlaces.length);
    expect(city.cameras.length).toBeGreaterThanOrEqual(1500);
    expect(new Set(city.cameras.map((c) => c.owner_kind))).toEqual(values(CAMERA_OWNER_KINDS));
    expect(new Set(city.cameras.map((c) => c.status))).toEqual(values(CAMERA_STATUSES));
    expect(city.incidents.length).toBeGreaterThanOrEqual(50_000);
    expect(new Set(city.incidents.map((i) => i.type))).toEqual(values(INCIDENT_TYPES));
    expect(city.watchTeams.length).toBeGreaterThan(0);
    expect(city.watchBlocks.length).toBeGreaterThanOrEqual(40);
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
  const one = async <T>(sql: string, params?: unknown[]) => (await db.query<T>(sql, params)).rows[0]!;

  beforeAll(async () => {
    db = await freshDb();
    // A report filed before any beat existed: the load must give it the beat it lies in.
    early = (await one<{ id: number }>(`INSERT INTO incidents (type, occurred_at, source, geom)
      VALUES ('citizen_report', '2026-10-01T12:00:00+08:00', 'patrol', ST_SetSRID(ST_MakePoint(120.2035, 22.9905), 4326))
      RETURNING id::float8 AS id`)).id;
    small = generateDemoCity({ seed: 20_260_101, scale: 0.1, now: NOW });
    ({ counts } = await loadDemoCity(db, small));
  });
  afterAll(async () => { await db?.close(); });

  it('loads every row', () => {
    expect(counts).toMatchObject({
      beats: small.beats.length, stations: small.stations.length, precincts: small.precincts.length,
      key_places: small.keyPlaces.length, visits: small.visits.length, cameras: small.cameras.length,
      watch_blocks: small.watchBlocks.length, drone_surveys: small.droneSurveys.length, incidents: small.incidents.length,
    });
  });

  it('tiles the city with beats in TWD97: no overlaps, no gaps, stations and precincts made of their beats', async () => {
    const r = await one<Record<'sum' | 'union' | 'parts' | 'rings' | 'overlap' | 'overlapping' | 'outline' | 'stations' | 'precincts', number>>(`
      WITH b AS MATERIALIZED (SELECT code, ST_Transform(geom, 3826) AS g FROM beats WHERE deleted_at IS NULL),
           u AS MATERIALIZED (SELECT ST_Union(g) AS g FROM b)
      SELECT (SELECT sum(ST_Area(g)) FROM b) AS sum, ST_Area(u.g) AS union,
             ST_NumGeometries(u.g) AS parts, ST_NRings(u.g) AS rings,
             (SELECT coalesce(sum(ST_Area(ST_Intersection(x.g, y.g))), 0)
                FROM b x JOIN b y ON x.code < y.code AND ST_Intersects(x.g, y.g)) AS overlap,
             (SELECT count(*)::int FROM b x JOIN b y ON x.code < y.code AND ST_Relate(x.g, y.g, '2********')) AS overlapping,
             ST_Area(ST_Transform(ST_SetSRID(ST_GeomFromGeoJSON($1), 4326), 3826)) AS outline,
             (SELECT sum(ST_Area(ST_Transform(geom, 3826))) FROM stations) AS stations,
             (SELECT sum(ST_Area(ST_Transform(geom, 3826))) FROM precincts) AS precincts
        FROM u`, [JSON.stringify(small.outline)]);
    expect(r.overlapping).toBe(0); // no two beats share any interior
    expect(r.overlap).toBeLessThan(1); // m², over a city of more than 100 km²
    expect(Math.abs(r.sum / r.union - 1)).toBeLessThan(0.001);
    // One piece without holes, as large as the city outline: no gaps inside or at the edge.
    expect({ parts: r.parts, rings: r.rings }).toEqual({ parts: 1, rings: 1 });
    expect(Math.abs(r.union / r.outline - 1)).toBeLessThan(0.001);
    expect(Math.abs(r.stations / r.union - 1)).toBeLessThan(0.001);
    expect(Math.abs(r.precincts / r.union - 1)).toBeLessThan(0.001);
    expect(r.union / 1e6).toBeGreaterThan(100);
  });

  it('gives every feature the beat locate_beat gives it, including one that was there before the beats', async () => {
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
    expect(before.beat_code).toMatch(/^P01S01B\d\d$/); // 府前路 lies in the first station
    const visits = await one<{ n: number }>(`SELECT count(*)::int AS n FROM visits v JOIN key_places p ON p.id = v.place_id
      WHERE v.beat_code IS DISTINCT FROM p.beat_code`);
    expect(visits.n).toBe(0);
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

  it('writes no history row per feature, one audit row, and leaves every trigger on for the next write', async () => {
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE actor = 'demo-seed'`)).n).toBe(0);
    const audit = await one<{ n: number; incidents: number }>(`SELECT count(*)::int AS n, max((detail->>'incidents')::int) AS incidents
      FROM audit_log WHERE action = 'seed-demo-city'`);
    expect(audit).toEqual({ n: 1, incidents: small.incidents.length });
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'O'`)).n).toBe(0);
    // An ordinary write after the load is assigned its beat and leaves history, as before it.
    const written = await db.transaction(async (tx) => {
      await tx.query(`SELECT set_config('app.actor', 'officer', true)`);
      return (await tx.query<{ id: number; beat_code: string | null }>(`INSERT INTO incidents (type, occurred_at, geom)
        VALUES ('scooter_theft', '2026-10-02T23:00:00+08:00', ST_SetSRID(ST_MakePoint(120.2035, 22.9905), 4326))
        RETURNING id::float8 AS id, beat_code`)).rows[0]!;
    });
    expect(written.beat_code).toMatch(/^P01S01B\d\d$/);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM feature_history WHERE layer_table = 'incidents' AND feature_id = $1`,
      [written.id])).n).toBe(1);
  });
});
