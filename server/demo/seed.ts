import { randomBytes } from 'node:crypto';
import { hashPassword } from '../auth/passwords.js';
import { upsertUser } from '../auth/users.js';
import type { Db } from '../db/db.js';
import { DEMO_OFFICER_BEAT, generateDemoCity } from './city/generate.js';
import { loadDemoCity } from './city/load.js';
import type { DemoCity } from './city/model.js';
import { readGround } from './ground.js';
import { seedDemoPlans } from './plans.js';

/** The demo city is the same on every machine: generated from this seed. */
export const DEMO_SEED = 20_260_101;
export const DEMO_USERNAMES = ['admin', 'planner', 'officer', 'community'] as const;

/** True when no police units exist yet: a new database. */
export async function isEmpty(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>('SELECT (SELECT count(*) FROM bureaus)::int + (SELECT count(*) FROM beats)::int AS n');
  return rows[0]!.n === 0;
}

export const randomPassword = () => randomBytes(12).toString('base64url');

export interface DemoOptions { password: string; scale?: number; now?: Date }

/** The demo accounts' password hashed for each account (salts differ). */
export type DemoPasswordHashes = Promise<Record<(typeof DEMO_USERNAMES)[number], string>>;

/** One after another: run while the database is created, they should take one core, not both. */
export async function hashDemoPasswords(password: string): DemoPasswordHashes {
  const hashes: Partial<Awaited<DemoPasswordHashes>> = {};
  for (const name of DEMO_USERNAMES) hashes[name] = await hashPassword(password);
  return hashes as Awaited<DemoPasswordHashes>;
}

/**
 * What seeding computes without the database: the generated city (about a second) and the
 * accounts' password hashes. main.ts prepares them while PGlite creates a new database in its
 * own thread, so that time is not added to the first start.
 */
export interface PreparedDemo { city: DemoCity; passwordHashes: DemoPasswordHashes }

export function prepareDemo(opts: DemoOptions): PreparedDemo {
  const city = generateDemoCity({ seed: DEMO_SEED, scale: opts.scale ?? 1, now: opts.now });
  // Hashing begins once the city is made, so that this work keeps to one core beside the database's.
  return { city, passwordHashes: hashDemoPasswords(opts.password) };
}

/**
 * Loads the ground and the demo city and creates one account per role: planner of the first
 * precinct (桃園分局), officer of its first station and beat, community for the 村里 of that beat.
 */
export async function seedDemo(db: Db, demo: DemoOptions | PreparedDemo): Promise<Record<string, number>> {
  const { city, passwordHashes } = 'city' in demo ? demo : prepareDemo(demo);
  const { counts } = await loadDemoCity(db, city, readGround());
  // Statistics for the planner on the tables the search box reads: PGlite has no autovacuum to
  // take them, and without them it reads whole partial indexes of tables of a few hundred rows
  // instead of the tables. Only these: the whole database would add seconds to the first start.
  await db.exec('ANALYZE villages, towns, police_units, beats, stations');
  await setDemoAccounts(db, passwordHashes, [city.community.villageCode]);
  counts.patrol_plans = await seedDemoPlans(db, DEMO_OFFICER_BEAT.slice(0, 6), Date.parse(city.now));
  return counts;
}

export async function setDemoAccounts(db: Db, password: string | DemoPasswordHashes, communityVillages?: readonly string[]): Promise<void> {
  const hashes = await (typeof password === 'string' ? hashDemoPasswords(password) : password);
  const villages = communityVillages ?? (await db.query<{ codes: string[] | null }>(
    `SELECT village_codes AS codes FROM users WHERE username = 'community'`)).rows[0]?.codes ?? undefined;
  const precinct = DEMO_OFFICER_BEAT.slice(0, 3);
  const { rows } = await db.query<{ precinct: string; station: string }>(
    `SELECT p.name AS precinct, s.name AS station FROM stations s JOIN precincts p ON p.code = s.precinct_code WHERE s.code = $1`,
    [DEMO_OFFICER_BEAT.slice(0, 6)]);
  const names = rows[0] ?? { precinct: '分局', station: '派出所' };
  await upsertUser(db, { username: 'admin', passwordHash: hashes.admin, role: 'admin', displayName: '警察局管理者' });
  await upsertUser(db, { username: 'planner', passwordHash: hashes.planner, role: 'planner', displayName: `${names.precinct}承辦人`, precinctCode: precinct });
  await upsertUser(db, {
    username: 'officer', passwordHash: hashes.officer, role: 'officer', displayName: `${names.station}警勤區員警`,
    precinctCode: precinct, stationCode: DEMO_OFFICER_BEAT.slice(0, 6), beatCode: DEMO_OFFICER_BEAT,
  });
  if (villages?.length) {
    await upsertUser(db, { username: 'community', passwordHash: hashes.community, role: 'community', displayName: '里長', villageCodes: villages });
  }
}

export async function hasDemoAccounts(db: Db): Promise<boolean> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE username = ANY($1)`, [DEMO_USERNAMES]);
  return rows[0]!.n > 0;
}
