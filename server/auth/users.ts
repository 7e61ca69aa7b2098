import type { Queryable } from '../db/db.js';
import type { Role } from '../layers/types.js';
import { hashPassword } from './passwords.js';

export interface NewUser {
  username: string;
  password: string;
  role: Exclude<Role, 'public'>;
  displayName?: string;
  precinctCode?: string;
  stationCode?: string;
  beatCode?: string;
  /** GeoJSON (Multi)Polygon of a community account's area. */
  area?: object;
}

/** Creates or replaces an account (same username: new password and scope). */
export async function upsertUser(db: Queryable, u: NewUser): Promise<void> {
  await db.query(
    `INSERT INTO users (username, password_hash, role, display_name, precinct_code, station_code, beat_code, area)
     VALUES ($1, $2, $3, $4, $5, $6, $7, ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($8::text), 4326)))
     ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, role = EXCLUDED.role,
       display_name = EXCLUDED.display_name, precinct_code = EXCLUDED.precinct_code,
       station_code = EXCLUDED.station_code, beat_code = EXCLUDED.beat_code, area = EXCLUDED.area`,
    [u.username, await hashPassword(u.password), u.role, u.displayName ?? null, u.precinctCode ?? null,
      u.stationCode ?? null, u.beatCode ?? null, u.area ? JSON.stringify(u.area) : null]);
}
