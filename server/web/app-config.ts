import { Router } from 'express';
import type { Db } from '../db/db.js';

/** A raster basemap the web app may draw under the layers (configured, never by default). */
export interface Basemap {
  url: string;
  attribution: string;
}

/** [west, south, east, north] of all police units: where the map opens. Unit boundaries are public. */
async function unitExtent(db: Db): Promise<[number, number, number, number] | null> {
  const { rows } = await db.query<{ w: number | null; s: number; e: number; n: number }>(
    `SELECT ST_XMin(x) AS w, ST_YMin(x) AS s, ST_XMax(x) AS e, ST_YMax(x) AS n
       FROM (SELECT ST_Extent(geom)::geometry AS x FROM precincts WHERE deleted_at IS NULL) q`);
  const r = rows[0];
  return r && r.w !== null ? [r.w, r.s, r.e, r.n] : null;
}

/** GET /api/app-config: what the web app needs to know of this deployment. */
export function appConfigRoutes(db: Db, basemap?: Basemap): Router {
  const r = Router();
  r.get('/api/app-config', async (_req, res) => {
    res.json({
      basemap: basemap ? { tiles: [basemap.url], attribution: basemap.attribution, tileSize: 256 } : null,
      extent: await unitExtent(db),
    });
  });
  return r;
}
