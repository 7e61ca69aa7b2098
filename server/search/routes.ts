import { Router } from 'express';
import type { Db } from '../db/db.js';
import { parseSearchRequest } from './query.js';
import { search } from './search.js';

/** GET /api/search?q=…&limit=…: the search box of the map (README "Search"). */
export function searchRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/search', async (req, res) => {
    const { q, limit, searchable } = parseSearchRequest(req.query as Record<string, unknown>);
    res.json({ q, results: searchable ? await search(db, req.principal, q, limit) : [] });
  });
  return r;
}
