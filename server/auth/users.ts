import type { Queryable } from '../db/db.js';
import type { Role } from '../layers/types.js';
import { hashPassword } from './passwords.js';

export type NewUser = UserFields & ({ password: string } | {
  /** hashPassword's result, when the caller hashed ahead (the demo accounts, while the database is created). */
  passwordHash: string;
});

export interface UserFields {
  username: string;
  role: Exclude<Role, 'public'>;
  displayName?: string;
  precinctCode?: string;
  stationCode?: string;
  beatCode?: string;
  /** A community account's 村里 (codes of the villages layer): its area is their union. */
  villageCodes?: readonly string[];
  /** GeoJSON (Multi)Polygon of a community account's area, when it is drawn rather than its 村里. */
  area?: object;
}

/**
 * A community account's area from its 村里 ($n: text[] of village codes), taken when the account
 * is written: a later redrawing of a 里 does not move an account's area without an administrator.
 */
export const villagesArea = (param: string) =>
  `(SELECT ST_Multi(ST_Union(v.geom)) FROM villages v WHERE v.code = ANY (${param}::text[]) AND v.deleted_at IS NULL)`;

/** Village codes among `codes` that name no (undeleted) 村里. */
export async function unknownVillages(db: Queryable, codes: readonly string[]): Promise<string[]> {
  const { rows } = await db.query<{ missing: string[] }>(
    `SELECT array(SELECT c FROM unnest($1::text[]) c
                   WHERE NOT EXISTS (SELECT 1 FROM villages v WHERE v.code = c AND v.deleted_at IS NULL)) AS missing`, [[...codes]]);
  return rows[0]!.missing;
}

/**
 * Writes an account. `replace`: the same username gets the new password and scope (the demo's
 * accounts on every start), unless an administrator has changed it since (then administration
 * wins); otherwise an existing username is left alone and false returned. A
 * community account scoped to 村里 gets their union as its area; codes that name no village are
 * an error.
 */
export async function writeUser(db: Queryable, u: NewUser, opts: { replace: boolean; actor?: string }): Promise<boolean> {
  const villages = u.villageCodes?.length ? [...u.villageCodes] : null;
  if (villages) {
    const missing = await unknownVillages(db, villages);
    if (missing.length) throw new Error(`no 村里 with code ${missing.join(', ')}`);
  }
  const { rows } = await db.query(
    `INSERT INTO users (username, password_hash, role, display_name, precinct_code, station_code, beat_code, village_codes, area, changed_at, changed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[],
             coalesce(${villagesArea('$8')}, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($9::text), 4326))),
             CASE WHEN $10::text IS NULL THEN NULL ELSE now() END, $10)
     ON CONFLICT (username) DO ${opts.replace ? `UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
       display_name = EXCLUDED.display_name, precinct_code = EXCLUDED.precinct_code,
       station_code = EXCLUDED.station_code, beat_code = EXCLUDED.beat_code,
       village_codes = EXCLUDED.village_codes, area = EXCLUDED.area
       WHERE users.changed_by IS NULL` : 'NOTHING'}
     RETURNING id`,
    [u.username, 'passwordHash' in u ? u.passwordHash : await hashPassword(u.password), u.role, u.displayName ?? null, u.precinctCode ?? null,
      u.stationCode ?? null, u.beatCode ?? null, villages, u.area ? JSON.stringify(u.area) : null, opts.actor ?? null]);
  return rows.length > 0;
}

/** Creates or replaces an account (same username, never changed by administration: new password and scope): the demo's and tests' accounts. */
export async function upsertUser(db: Queryable, u: NewUser): Promise<void> {
  await writeUser(db, u, { replace: true });
}
