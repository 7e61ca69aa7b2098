import { randomBytes } from 'node:crypto';
import { generateDemoCity } from '../../scripts/demo-city/generate.js';
import { loadDemoCity } from '../../scripts/demo-city/load.js';
import { upsertUser } from '../auth/users.js';
import type { Db } from '../db/db.js';

/** The demo city is the same on every machine: generated from this seed. */
export const DEMO_SEED = 20_260_101;
export const DEMO_USERNAMES = ['admin', 'planner', 'officer', 'community'] as const;

/** True when no police units exist yet: a new database. */
export async function isEmpty(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM bureaus)::int + (SELECT count(*) FROM beats)::int AS n');
  return rows[0]!.n === 0;
}

export const randomPassword = () => randomBytes(12).toString('base64url');

/**
 * Loads the demo city and creates one account per role: planner of the first precinct, officer
 * of its first station and beat, community for a 里-sized area in that station.
 */
export async function seedDemo(db: Db, opts: { password: string; scale?: number }): Promise<Record<string, number>> {
  const city = generateDemoCity({ seed: DEMO_SEED, scale: opts.scale ?? 1 });
  const { counts } = await loadDemoCity(db, city);
  await setDemoAccounts(db, opts.password, city.communityArea.geometry);
  return counts;
}

export async function setDemoAccounts(db: Db, password: string, communityArea?: object): Promise<void> {
  const area = communityArea ?? (await db.query<{ area: object }>(
    `SELECT ST_AsGeoJSON(area)::json AS area FROM users WHERE username = 'community'`)).rows[0]?.area;
  await upsertUser(db, { username: 'admin', password, role: 'admin', displayName: '警察局管理者' });
  await upsertUser(db, { username: 'planner', password, role: 'planner', displayName: '第一分局承辦人', precinctCode: 'P01' });
  await upsertUser(db, {
    username: 'officer', password, role: 'officer', displayName: '警勤區員警',
    precinctCode: 'P01', stationCode: 'P01S01', beatCode: 'P01S01B01',
  });
  if (area) await upsertUser(db, { username: 'community', password, role: 'community', displayName: '里長', area });
}

export async function hasDemoAccounts(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username = ANY($1)`, [DEMO_USERNAMES]);
  return rows[0]!.n > 0;
}
