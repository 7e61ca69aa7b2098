import { Router, type Request, type Response } from 'express';
import type { Db } from '../db/db.js';
import { noSuchEndpoint } from '../http/endpoints.js';
import { isInternal } from '../layers/access.js';
import type { Slots } from '../limits/slots.js';
import type { OutsiderAnswers } from './answers.js';
import { describeDisclosure, disclosureFor } from './disclosure.js';
import { ANALYSES } from './endpoints.js';
import { AnalysisThreads } from './threads.js';

/**
 * Spatial analysis under /api/analysis. Each endpoint answers GET with a query string and POST
 * with a JSON body of the same parameters (POST for long polygons and supplied points). An
 * endpoint a role may not use answers as one that does not exist. Analyses are computed in
 * threads of their own (threads.ts), at most as many at once as there are heavy-job slots.
 */
const input = (req: Request): unknown => (req.method === 'POST' ? req.body : req.query);

export interface AnalysisLimits {
  /** The heavy-job slots every analysis computes in. */
  jobs: Slots;
  /** Outsiders' answers, kept until the data changes. */
  answers: OutsiderAnswers;
}

export function analysisRoutes(db: Db, { jobs, answers }: AnalysisLimits): Router {
  const r = Router();
  const threads = new AnalysisThreads(db, jobs.concurrency);
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
      const p = req.principal;
      if (a.for && !a.for(p)) throw noSuchEndpoint(req);
      // The slot is held until the computation ends, even if the client leaves before.
      const compute = async () => {
        const free = await jobs.acquire();
        try {
          return await threads.run(name, p, input(req));
        } finally {
          free();
        }
      };
      res.type('json').send(isInternal(p) ? await compute() : await answers.answer(name, p, input(req), compute));
    };
    r.route(`/api/analysis/${name}`).get(answer).post(answer);
  }
  return r;
}
