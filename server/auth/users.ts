import type { Queryable } from '../db/db.js';
import type { Role } from '../layers/types.js';
import { hashPassword } from './passwords.js';

export type NewUser = UserFields & ({ password: string } | {
  /** hashPassword's result, when the caller hashed ahead (the demo accounts, while the database is created). */
  passwordHash: string;
});

interface UserFields {
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
 * Creates or replaces an account (same username: new password and scope). A community account
 * scoped to 村里 gets their union as its area, taken now; codes that name no village are an error.
 */
export async function upsertUser(db: Queryable, u: NewUser): Promise<void> {
  const villages = u.villageCodes?.length ? [...u.villageCodes] : null;
  if (villages) {
    const { rows } = await db.query<{ missing: string[] }>(
      `SELECT array(SELECT c FROM unnest($1::text[]) c
                     WHERE NOT EXISTS (SELECT 1 FROM villages v WHERE v.code = c AND v.deleted_at IS NULL)) AS missing`, [villages]);
    if (rows[0]!.missing.length) throw new Error(`no 村里 with code ${rows[0]!.missing.join(', ')}`);
  }
  await db.query(
    `INSERT INTO users (username, password_hash, role, display_name, precinct_code, station_code, beat_code, village_codes, area)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::text[],
             coalesce((SELECT ST_Multi(ST_Union(v.geom)) FROM villages v WHERE v.code = ANY ($8::text[]) AND v.deleted_at IS NULL),
                      ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($9::text), 4326))))
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
       display_name = EXCLUDED.display_name, precinct_code = EXCLUDED.precinct_code,
       station_code = EXCLUDED.station_code, beat_code = EXCLUDED.beat_code,
       village_codes = EXCLUDED.village_codes, area = EXCLUDED.area`,
    [u.username, 'passwordHash' in u ? u.passwordHash : await hashPassword(u.password), u.role, u.displayName ?? null, u.precinctCode ?? null,
      u.stationCode ?? null, u.beatCode ?? null, villages, u.area ? JSON.stringify(u.area) : null]);
}
