import { Router } from 'express';
import type { Basemaps } from '../basemaps/catalogue.js';
import type { Db } from '../db/db.js';
import { baseUrl } from '../http/base-url.js';

/** [west, south, east, north] of all police units: where the map opens. Unit boundaries are public. */
async function unitExtent(db: Db): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n
       FROM (SELECT ST_Extent(geom)::geometry AS x FROM precincts WHERE deleted_at IS NULL) q`);
  const r = rows[0];
  return r && r.w !== null ? [r.w, r.s, r.e, r.n] : null;
}

/** GET /api/app-config: what the web app needs to know of this deployment. */
export function appConfigRoutes(db: Db, basemaps: Basemaps): Router {
  const r = Router();
  r.get('/api/app-config', async (req, res) => {
    res.json({
      // The switcher's choices besides the service's own layers, and the one the map starts on.
      basemaps: basemaps.list(baseUrl(req)),
      defaultBasemap: basemaps.defaultId,
      extent: await unitExtent(db),
    });
  });
  return r;
}
