import { randomBytes } from 'node:crypto';
import { upsertUser } from '../auth/users.js';
import type { Db } from '../db/db.js';
import { DEMO_OFFICER_BEAT, generateDemoCity } from './city/generate.js';
import { loadDemoCity } from './city/load.js';
import { readGround } from './ground.js';

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
 * Loads the ground and the demo city and creates one account per role: planner of the first
 * precinct (桃園分局), officer of its first station and beat, community for the 村里 of that beat.
 */
export async function seedDemo(db: Db, opts: { password: string; scale?: number; now?: Date }): Promise<Record<string, number>> {
  const city = generateDemoCity({ seed: DEMO_SEED, scale: opts.scale ?? 1, now: opts.now });
  const { counts } = await loadDemoCity(db, city, readGround());
  // Statistics for the planner on the tables the search box reads: PGlite has no autovacuum to
  // take them, and without them it reads whole partial indexes of tables of a few hundred rows
  // instead of the tables. Only these: the whole database would add seconds to the first start.
  await db.exec('ANALYZE villages, towns, police_units, beats, stations');
  await setDemoAccounts(db, opts.password, [city.community.villageCode]);
  return counts;
}

export async function setDemoAccounts(db: Db, password: string, communityVillages?: readonly string[]): Promise<void> {
  const villages = communityVillages ?? (await db.query<{ codes: string[] | null }>(
    `SELECT village_codes AS codes FROM users WHERE username = 'community'`)).rows[0]?.codes ?? undefined;
  const precinct = DEMO_OFFICER_BEAT.slice(0, 3);
  const { rows } = await db.query<{ precinct: string; station: string }>(
    `SELECT p.name AS precinct, s.name AS station FROM stations s JOIN precincts p ON p.code = s.precinct_code WHERE s.code = $1`,
    [DEMO_OFFICER_BEAT.slice(0, 6)]);
  const names = rows[0] ?? { precinct: '分局', station: '派出所' };
  await upsertUser(db, { username: 'admin', password, role: 'admin', displayName: '警察局管理者' });
  await upsertUser(db, { username: 'planner', password, role: 'planner', displayName: `${names.precinct}承辦人`, precinctCode: precinct });
  await upsertUser(db, {
    username: 'officer', password, role: 'officer', displayName: `${names.station}警勤區員警`,
    precinctCode: precinct, stationCode: DEMO_OFFICER_BEAT.slice(0, 6), beatCode: DEMO_OFFICER_BEAT,
  });
  if (villages?.length) await upsertUser(db, { username: 'community', password, role: 'community', displayName: '里長', villageCodes: villages });
}

export async function hasDemoAccounts(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username = ANY($1)`, [DEMO_USERNAMES]);
  return rows[0]!.n > 0;
}
