import { Router, type Request, type Response } from 'express';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { notFound } from '../http/errors.js';
import { isInternal } from '../layers/access.js';
import { backtest } from './backtest.js';
import { beatRanking } from './beat-ranking.js';
import { coverageStats, coverageUnion } from './coverage.js';
import { densitySurface } from './density.js';
import { describeDisclosure, disclosureFor } from './disclosure.js';
import { hotHours } from './hot-hours.js';
import { hotSpots } from './hotspots.js';
import { newSites } from './new-sites.js';
import { reaim } from './reaim.js';

/**
 * Spatial analysis under /api/analysis. Each endpoint answers GET with a query string and POST
 * with a JSON body of the same parameters (POST for long polygons and supplied points). An
 * endpoint a role may not use answers as one that does not exist.
 */
type Analysis = (db: Db, p: Principal, input: unknown) => Promise<unknown>;

const ANALYSES: Record<string, { run: Analysis; for?: (p: Principal) => boolean }> = {
  hotspots: { run: hotSpots },
  density: { run: densitySurface },
  'hot-hours': { run: hotHours },
  beats: { run: beatRanking },
  backtest: { run: backtest, for: isInternal },
  coverage: { run: coverageStats },
  'coverage/union': { run: coverageUnion },
  reaim: { run: reaim },
  'new-sites': { run: newSites },
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
      if (a.for && !a.for(req.principal)) throw notFound(`no such endpoint: ${req.method} ${req.originalUrl}`);
      res.json(await a.run(db, req.principal, input(req)));
    };
    r.route(`/api/analysis/${name}`).get(answer).post(answer);
  }
  return r;
}
