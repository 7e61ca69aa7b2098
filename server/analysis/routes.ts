import { Router, type Request } from 'express';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { beatRanking } from './beat-ranking.js';
import { densitySurface } from './density.js';
import { hotHours } from './hot-hours.js';
import { hotSpots } from './hotspots.js';

/**
 * Spatial analysis under /api/analysis. Each endpoint answers GET with a query string and POST
 * with a JSON body of the same parameters (POST for long polygons and supplied points).
 */
type Analysis = (db: Db, p: Principal, input: unknown) => Promise<unknown>;

const ANALYSES: Record<string, Analysis> = {
  hotspots: hotSpots,
  density: densitySurface,
  'hot-hours': hotHours,
  beats: beatRanking,
};

const input = (req: Request): unknown => (req.method === 'POST' ? req.body : req.query);

export function analysisRoutes(db: Db): Router {
  const r = Router();
  for (const [name, run] of Object.entries(ANALYSES)) {
    r.route(`/api/analysis/${name}`)
      .get(async (req, res) => { res.json(await run(db, req.principal, input(req))); })
      .post(async (req, res) => { res.json(await run(db, req.principal, input(req))); });
  }
  return r;
}
