import * as turf from '@turf/turf';
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
 * hold (beats tile the city, every point has its beat).
 */
const NOW = new Date('2026-11-01T00:00:00+08:00');
const DAY = 86_400_000;
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
    expect(new Set(city.keyPlaces.map((p) => p.category))).toEqual(new Set(KEY_PLACE_CATEGORIES.map((c) => c.value)));
    expect(city.visits.length).toBeGreaterThan(city.keyPlaces.length);
    expect(city.cameras.length).toBeGreaterThanOrEqual(1500);
    expect(new Set(city.cameras.map((c) => c.owner_kind))).toEqual(new Set(CAMERA_OWNER_KINDS.map((c) => c.value)));
    expect(new Set(city.cameras.map((c) => c.status))).toEqual(new Set(CAMERA_STATUSES.map((c) => c.value)));
    expect(city.incidents.length).toBeGreaterThanOrEqual(50_000);
    expect(city.cameras.filter((c) => c.status === 'broken').length).toBeGreaterThan(0);
    expect(city.keyPlaces.filter((p) => Object.keys(p.indicators).length > 0).length).toBeGreaterThan(0);
    expect(new Set(city.incidents.map((i) => i.type))).toEqual(new Set(INCIDENT_TYPES.map((c) => c.value)));
    expect(city.watchTeams.length).toBeGreaterThan(0);
    expect(city.watchBlocks.length).toBeGreaterThanOrEqual(40);
    expect(new Set(city.watchBlocks.map((b) => b.adopter_kind)).size).toBeGreaterThanOrEqual(4);
    expect(city.droneSurveys.length).toBeGreaterThanOrEqual(10);
  });

  it('dates incidents within the 12 months before now, none in the future', () => {
    const times = city.incidents.map((i) => Date.parse(i.occurred_at));
    expect(Math.max(...times)).toBeLessThanOrEqual(NOW.getTime());
    expect(Math.min(...times)).toBeGreaterThan(NOW.getTime() - 366 * DAY);
    // Spread over the year, not bunched: every month has at least 4% of them.
    const months = new Map<string, number>();
    for (const i of city.incidents) months.set(i.occurred_at.slice(0, 7), (months.get(i.occurred_at.slice(0, 7)) ?? 0) + 1);
    const full = [...months.keys()].sort().slice(1); // the first month of the window is partial
    expect(full.length).toBeGreaterThanOrEqual(11);
    for (const m of full) expect(months.get(m)! / city.incidents.length, m).toBeGreaterThan(0.04);
  });

  it('plants hot spots at least 10 times as dense as the city on average', () => {
    const cityKm2 = turf.area(city.outline) / 1e6;
    const average = city.incidents.length / cityKm2;
    expect(city.hotSpots.length).toBeGreaterThanOrEqual(4);
    for (const spot of city.hotSpots) {
      const radiusKm = spot.sigmaM / 1000;
      const near = city.incidents.filter((i) => turf.distance(spot.centre, i.point, { units: 'kilometers' }) <= radiusKm).length;
      expect(near / (Math.PI * radiusKm ** 2), spot.name).toBeGreaterThan(10 * average);
    }
  });

  it('has hot hours: ATM withdrawals by money mules in bank hours, scooter thefts at night', () => {
    const hour = (t: string) => Number(t.slice(11, 13)); // local time: timestamps carry +08:00
    const share = (type: string, hours: (h: number) => boolean) => {
      const of = city.incidents.filter((i) => i.type === type);
      return of.filter((i) => hours(hour(i.occurred_at))).length / of.length;
    };
    expect(city.incidents[0]!.occurred_at).toMatch(/\+08:00$/);
    // 10:00–14:59 is 5 of 24 hours; uniform would put 21% of withdrawals there.
    expect(share('fraud_withdrawal', (h) => h >= 10 && h < 15)).toBeGreaterThan(3 * (5 / 24));
    expect(share('scooter_theft', (h) => h >= 22 || h < 4)).toBeGreaterThan(2 * (6 / 24));
  });
});

describe('loaded city', () => {
  let db: Db;
  let small: DemoCity;
  let counts: Record<string, number>;

  beforeAll(async () => {
    db = await freshDb();
    small = generateDemoCity({ seed: 20_260_101, scale: 0.1, now: NOW });
    ({ counts } = await loadDemoCity(db, small));
  });
  afterAll(async () => { await db?.close(); });

  const one = async <T>(sql: string) => (await db.query<T>(sql)).rows[0]!;

  it('loads every row', () => {
    expect(counts).toMatchObject({
      beats: small.beats.length, stations: small.stations.length, precincts: small.precincts.length,
      key_places: small.keyPlaces.length, visits: small.visits.length, cameras: small.cameras.length,
      watch_blocks: small.watchBlocks.length, drone_surveys: small.droneSurveys.length, incidents: small.incidents.length,
    });
  });

  it('tiles the city with beats: no overlaps, no gaps, stations and precincts made of their beats', async () => {
    const r = await one<{ sum: number; union: number; outline: number; stations: number; precincts: number }>(`
      SELECT (SELECT sum(ST_Area(geom::geography)) FROM beats) AS sum,
             (SELECT ST_Area(ST_Union(geom)::geography) FROM beats) AS union,
             ST_Area(ST_GeomFromGeoJSON('${JSON.stringify(small.outline)}')::geography) AS outline,
             (SELECT sum(ST_Area(geom::geography)) FROM stations) AS stations,
             (SELECT sum(ST_Area(geom::geography)) FROM precincts) AS precincts`);
    // Overlaps would make the sum exceed the union; gaps make the union smaller than the city.
    expect(r.sum / r.union).toBeCloseTo(1, 4);
    expect(r.union / r.outline).toBeCloseTo(1, 3);
    expect(r.stations / r.union).toBeCloseTo(1, 4);
    expect(r.precincts / r.union).toBeCloseTo(1, 4);
    expect(r.union / 1e6).toBeGreaterThan(20); // km²: a city, not a block
  });

  it('gives every point the beat locate_beat gives it', async () => {
    for (const table of ['key_places', 'cameras', 'incidents', 'watch_blocks', 'drone_surveys']) {
      const r = await one<{ total: number; unassigned: number; wrong: number }>(`
        SELECT count(*)::int AS total, count(*) FILTER (WHERE t.beat_code IS NULL)::int AS unassigned,
               count(*) FILTER (WHERE (t.beat_code, t.station_code, t.precinct_code)
                                IS DISTINCT FROM (l.beat_code, l.station_code, l.precinct_code))::int AS wrong
          FROM ${table} t LEFT JOIN LATERAL locate_beat(ST_PointOnSurface(t.geom)) l ON true`);
      expect(r.total, table).toBeGreaterThan(0);
      expect(r, table).toMatchObject({ unassigned: 0, wrong: 0 });
    }
    const visits = await one<{ n: number }>(`SELECT count(*)::int AS n FROM visits v JOIN key_places p ON p.id = v.place_id
      WHERE v.beat_code IS DISTINCT FROM p.beat_code`);
    expect(visits.n).toBe(0);
  });

  it('writes no history row per feature, and one audit row for the load', async () => {
    expect((await one<{ n: number }>('SELECT count(*)::int AS n FROM feature_history')).n).toBe(0);
    const audit = await one<{ n: number; incidents: number }>(`SELECT count(*)::int AS n, max((detail->>'incidents')::int) AS incidents
      FROM audit_log WHERE action = 'seed-demo-city'`);
    expect(audit).toEqual({ n: 1, incidents: small.incidents.length });
  });
});
