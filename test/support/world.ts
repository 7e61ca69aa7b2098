import request from 'supertest';
import { createApp, type App, type AppOptions } from '../../server/app.js';
import { upsertUser } from '../../server/auth/users.js';
import type { Db } from '../../server/db/db.js';
import type { Role } from '../../server/layers/types.js';
import { freshDb } from './db.js';

/**
 * A small police world of exact rectangles near 臺南 (0.01° ≈ 1.02 km east-west, 1.11 km
 * north-south here), so tests can reason about boundaries:
 *
 *   P1 / S1: beats B1 [120.20,120.21] and B2 [120.21,120.22]     (lat 22.99–23.00)
 *   P2 / S2: beat  B3 [120.22,120.23]
 *
 * The ground: 臺南市 > 東區 > 村里 V1 [120.20,120.215] and V2 [120.215,120.23] (same latitudes),
 * basic areas K1 (= V1) and K2 (= V2), and a police-unit point for each station.
 *
 * Accounts (password PASSWORD): admin; planner of P1; officer of P1/S1/B1; community with area
 * [120.200,120.205]×[22.990,22.995] inside B1.
 */
export const PASSWORD = 'correct horse battery';

export const box = (minLon: number, minLat: number, maxLon: number, maxLat: number) => ({
  type: 'Polygon' as const,
  coordinates: [[[minLon, minLat], [maxLon, minLat], [maxLon, maxLat], [minLon, maxLat], [minLon, minLat]]],
});

const env = (g: object) => `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON('${JSON.stringify(g)}'), 4326))`;

export async function buildWorld(db: Db): Promise<void> {
  await db.exec(`
    SELECT set_config('app.actor', 'fixture', false);
    INSERT INTO bureaus (code, name) VALUES ('TN', '臺南市政府警察局');
    INSERT INTO precincts (code, name, bureau_code, phone, geom) VALUES
      ('P1', '第一分局', 'TN', '06-2222222', ${env(box(120.2, 22.99, 120.22, 23.0))}),
      ('P2', '第二分局', 'TN', '06-3333333', ${env(box(120.22, 22.99, 120.23, 23.0))});
    INSERT INTO stations (code, name, precinct_code, phone, geom) VALUES
      ('S1', '東門派出所', 'P1', '06-2220001', ${env(box(120.2, 22.99, 120.22, 23.0))}),
      ('S2', '海安派出所', 'P2', '06-3330001', ${env(box(120.22, 22.99, 120.23, 23.0))});
    INSERT INTO beats (code, name, station_code, officer_name, geom) VALUES
      ('B1', '第1警勤區', 'S1', '王警員', ${env(box(120.2, 22.99, 120.21, 23.0))}),
      ('B2', '第2警勤區', 'S1', '李警員', ${env(box(120.21, 22.99, 120.22, 23.0))}),
      ('B3', '第3警勤區', 'S2', '陳警員', ${env(box(120.22, 22.99, 120.23, 23.0))});
    INSERT INTO counties (code, name, geom) VALUES ('67000', '臺南市', ${env(box(120.1, 22.9, 120.4, 23.1))});
    INSERT INTO towns (code, name, county_code, county_name, geom) VALUES
      ('67000320', '東區', '67000', '臺南市', ${env(box(120.2, 22.99, 120.23, 23.0))});
    INSERT INTO villages (code, name, town_code, town_name, county_name, geom) VALUES
      ('67000320001', '東門里', '67000320', '東區', '臺南市', ${env(box(120.2, 22.99, 120.215, 23.0))}),
      ('67000320002', '大學里', '67000320', '東區', '臺南市', ${env(box(120.215, 22.99, 120.23, 23.0))});
    INSERT INTO blocks (code, code1, code2, town_code, village_code, geom) VALUES
      ('A6732-0001-00', 'A6732-01-001', 'A6732-01', '67000320', '67000320001', ${env(box(120.2, 22.99, 120.215, 23.0))}),
      ('A6732-0002-00', 'A6732-01-002', 'A6732-01', '67000320', '67000320002', ${env(box(120.215, 22.99, 120.23, 23.0))});
    INSERT INTO police_units (name, kind, unit_code, address, phone, geom) VALUES
      ('東門派出所', 'station', 'S1', '臺南市東區東門路一段1號', '06-2220001', ST_SetSRID(ST_MakePoint(120.205, 22.995), 4326)),
      ('海安派出所', 'station', 'S2', '臺南市東區海安路1號', '06-3330001', ST_SetSRID(ST_MakePoint(120.225, 22.995), 4326));
    SELECT set_config('app.actor', '', false);
  `);
  await upsertUser(db, { username: 'admin', password: PASSWORD, role: 'admin' });
  await upsertUser(db, { username: 'planner', password: PASSWORD, role: 'planner', precinctCode: 'P1' });
  await upsertUser(db, { username: 'officer', password: PASSWORD, role: 'officer', precinctCode: 'P1', stationCode: 'S1', beatCode: 'B1' });
  await upsertUser(db, { username: 'community', password: PASSWORD, role: 'community', area: box(120.2, 22.99, 120.205, 22.995) });
}

export interface World {
  db: Db;
  app: App;
  /** Bearer tokens by role; `public` has none. */
  tokens: Record<Exclude<Role, 'public'>, string>;
  /** A supertest agent call with the role's Authorization header set. */
  as(role: Role): {
    get(url: string): request.Test;
    post(url: string): request.Test;
    patch(url: string): request.Test;
    delete(url: string): request.Test;
    head(url: string): request.Test;
  };
  /** Another app instance on the same database (sessions are shared), e.g. with its own cache. */
  instance(options: Omit<AppOptions, 'db'>): { app: App; as: Agents };
  close(): Promise<void>;
}

type Agents = World['as'];

export function agents(app: App, tokens: World['tokens']): Agents {
  const auth = (role: Role, t: request.Test) => (role === 'public' ? t : t.set('Authorization', `Bearer ${tokens[role]}`));
  return (role) => ({
    get: (url) => auth(role, request(app).get(url)),
    post: (url) => auth(role, request(app).post(url)),
    patch: (url) => auth(role, request(app).patch(url)),
    delete: (url) => auth(role, request(app).delete(url)),
    head: (url) => auth(role, request(app).head(url)),
  });
}

/** The world on a fresh database, served by one app instance made with `options`. */
export async function openWorld(options: Omit<AppOptions, 'db'> = {}): Promise<World> {
  const db = await freshDb();
  await buildWorld(db);
  const app = createApp({ db, bodyLimit: '256kb', ...options });
  const tokens = {} as World['tokens'];
  for (const role of ['admin', 'planner', 'officer', 'community'] as const) {
    const res = await request(app).post('/api/login').send({ username: role, password: PASSWORD }).expect(200);
    tokens[role] = res.body.token;
  }
  return {
    db, app, tokens,
    as: agents(app, tokens),
    instance: (more) => {
      const other = createApp({ db, bodyLimit: '256kb', ...more });
      return { app: other, as: agents(other, tokens) };
    },
    close: () => db.close(),
  };
}

/** Row count of a table (all rows, deleted or not) and of its history: to prove nothing was written. */
export async function writeCounts(db: Db, table: string): Promise<{ rows: number; history: number }> {
  const { rows } = await db.query<{ rows: number; history: number }>(
    `SELECT (SELECT count(*)::int FROM ${table}) AS rows,
            (SELECT count(*)::int FROM feature_history WHERE layer_table = $1) AS history`, [table]);
  return rows[0]!;
}
