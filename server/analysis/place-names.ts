import type { Queryable } from '../db/db.js';

/**
 * The 村里 (with its 區) each point lies in, as people name a place — 「桃園區大豐里」 — or null
 * outside every 村里. Points are TWD97 metres (EPSG:3826), as analyses hold them.
 */
export async function villageNames(db: Queryable, xs: readonly number[], ys: readonly number[]): Promise<(string | null)[]> {
  if (xs.length === 0) return [];
  const { rows } = await db.query<{ place: string | null }>(
    `SELECT (SELECT coalesce(v.town_name, '') || v.name FROM villages v
              WHERE v.deleted_at IS NULL AND ST_Intersects(v.geom, ST_Transform(ST_SetSRID(ST_MakePoint(u.x, u.y), 3826), 4326)) LIMIT 1) AS place
       FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS u(x, y, n) ORDER BY u.n`, [xs, ys]);
  return rows.map((r) => r.place);
}
