import { Router, type Request, type Response } from 'express';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { noSuchEndpoint } from '../http/endpoints.js';
import { isInternal } from '../layers/access.js';
import { backtest, BACKTEST_PARAMS } from './backtest.js';
import { BEAT_RANKING_PARAMS, beatRanking } from './beat-ranking.js';
import { COVERAGE_PARAMS, coverageStats, coverageUnion } from './coverage.js';
import { DENSITY_PARAMS, densitySurface } from './density.js';
import { describeDisclosure, disclosureFor } from './disclosure.js';
import { HOT_HOURS_PARAMS, hotHours } from './hot-hours.js';
import { HOTSPOT_PARAMS, hotSpots } from './hotspots.js';
import { NEW_SITE_PARAMS, newSites } from './new-sites.js';
import { REAIM_PARAMS, reaim } from './reaim.js';
import { SCOPE_PARAMS } from './scope.js';

/**
 * Spatial analysis under /api/analysis. Each endpoint answers GET with a query string and POST
 * with a JSON body of the same parameters (POST for long polygons and supplied points). An
 * endpoint a role may not use answers as one that does not exist.
 */
type Analysis = (db: Db, p: Principal, input: unknown) => Promise<unknown>;

/** Each endpoint with the parameters it takes (names are what tests and clients can rely on). */
export const ANALYSES: Record<string, { run: Analysis; params: Readonly<Record<string, unknown>>; for?: (p: Principal) => boolean }> = {
  hotspots: { run: hotSpots, params: HOTSPOT_PARAMS },
  density: { run: densitySurface, params: DENSITY_PARAMS },
  'hot-hours': { run: hotHours, params: HOT_HOURS_PARAMS },
  beats: { run: beatRanking, params: BEAT_RANKING_PARAMS },
  backtest: { run: backtest, params: BACKTEST_PARAMS, for: isInternal },
  coverage: { run: coverageStats, params: COVERAGE_PARAMS },
  'coverage/union': { run: coverageUnion, params: SCOPE_PARAMS },
  reaim: { run: reaim, params: REAIM_PARAMS },
  'new-sites': { run: newSites, params: NEW_SITE_PARAMS },
};

const input = (req: Request): unknown => (req.method === 'POST' ? req.body : req.query);

export function analysisRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/analysis', (req, res) => {
    const p = req.principal;
    const { aggregated } = disclosureFor(p);
    res.json({
      endpoints: Object.entries(ANALYSES).filter(([, a]) => !a.for || a.for(p)).map(([name]) => `/api/analysis/${name}`),
      aggregated,
      ...(aggregated ? { disclosure: describeDisclosure() } : {}),
    });
  });
  for (const [name, a] of Object.entries(ANALYSES)) {
    const answer = async (req: Request, res: Response) => {
      if (a.for && !a.for(req.principal)) throw noSuchEndpoint(req);
      res.json(await a.run(db, req.principal, input(req)));
    };
    r.route(`/api/analysis/${name}`).get(answer).post(answer);
  }
  return r;
}
