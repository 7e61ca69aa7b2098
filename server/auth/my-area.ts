import { Router } from 'express';
import type { Db } from '../db/db.js';

/** A community account's area as its map draws it: its 村里, the outline and the box to open on. */
export interface MyArea {
  villages: { code: string; name: string; town: string | null; county: string | null }[];
  /** [west, south, east, north] in degrees. */
  bbox: [number, number, number, number];
  /** The outline, simplified to about a metre (GeoJSON MultiPolygon). */
  geometry: object;
}

/** GET /api/me/area: the signed-in community account's area; `{ area: null }` for everyone else. */
export function myAreaRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/me/area', async (req, res) => {
    const p = req.principal;
    if (p.role !== 'community' || p.userId === null) {
      res.json({ area: null });
      return;
    }
    const { rows } = await db.query<MyArea & { w: number; s: number; e: number; n: number }>(
      `SELECT ST_AsGeoJSON(ST_SimplifyPreserveTopology(u.area, 0.00001), 6)::json AS geometry,
              ST_XMin(u.area) AS w, ST_YMin(u.area) AS s, ST_XMax(u.area) AS e, ST_YMax(u.area) AS n,
              coalesce((SELECT json_agg(json_build_object('code', v.code, 'name', v.name, 'town', v.town_name, 'county', v.county_name) ORDER BY v.code)
                          FROM villages v WHERE v.code = ANY (u.village_codes) AND v.deleted_at IS NULL), '[]'::json) AS villages
         FROM users u WHERE u.id = $1`, [p.userId]);
    const a = rows[0];
    res.json({ area: a ? { villages: a.villages, bbox: [a.w, a.s, a.e, a.n], geometry: a.geometry } : null });
  });
  return r;
}
