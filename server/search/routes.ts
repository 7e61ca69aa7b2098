import { Router } from 'express';
import type { Principal } from '../auth/principal.js';
import type { Db } from '../db/db.js';
import { badRequest } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { parseInteger } from '../http/numbers.js';
import { onlyParameters, single } from '../http/parameters.js';
import { canRead, readableProperties, readableRows } from '../layers/access.js';
import { LAYERS } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';

export interface SearchHit {
  layer: string;
  id: number;
  label: string;
  /** The property that matched and its value, e.g. an address. */
  matched: { property: string; value: string };
  /** [west, south, east, north] in degrees, to fit the map to. */
  bbox: [number, number, number, number];
}

const PARAMETERS = ['q', 'limit'];
const MAX_RESULTS = 50;
const DEFAULT_RESULTS = 20;

function searchQuery(query: Record<string, unknown>): { q: string; limit: number } {
  onlyParameters(query, PARAMETERS);
  const q = single(query.q ?? '', 'q').trim();
  if (q === '') throw badRequest('q: q must not be empty', 'q');
  if ([...q].length > 100) throw refusal(400, 'text_too_long', { field: 'q', max: 100 }, { field: 'q' });
  const limit = query.limit === undefined ? DEFAULT_RESULTS : parseInteger(single(query.limit, 'limit'), 'limit', 1, MAX_RESULTS);
  return { q, limit };
}

/** The properties of a layer the principal may search: declared searchable and readable. */
const searchable = (layer: LayerDef, p: Principal) =>
  (layer.search ?? []).filter((name) => readableProperties(layer, p).some((prop) => prop.name === name));

/** `%` and `_` typed into the box are letters, not wildcards. */
const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Features whose searchable properties contain the text, across every layer the principal may
 * read: exact matches first (a beat code typed in full), then prefix matches, then the rest.
 */
export async function search(db: Db, p: Principal, q: string, limit: number): Promise<SearchHit[]> {
  const layers = LAYERS.filter((l) => l.geometry && canRead(l, p) && searchable(l, p).length > 0);
  const parts: string[] = [];
  const params: unknown[] = [q, likePattern(q), likePattern(q).slice(1)];
  for (const layer of layers) {
    for (const name of searchable(layer, p)) {
      const visible = readableRows(layer, p, params);
      parts.push(`SELECT '${layer.id}' AS layer, t.id::int AS id, t.${layer.label}::text AS label, '${name}' AS property,
                         t.${name}::text AS value, ST_XMin(t.geom) AS w, ST_YMin(t.geom) AS s, ST_XMax(t.geom) AS e, ST_YMax(t.geom) AS n,
                         CASE WHEN lower(t.${name}) = lower($1) THEN 0 WHEN t.${name} ILIKE $3 THEN 1 ELSE 2 END AS rank
                    FROM ${layer.table} t
                   WHERE t.deleted_at IS NULL AND t.${name} ILIKE $2 AND ${visible}`);
    }
  }
  if (parts.length === 0) return [];
  params.push(limit);
  const { rows } = await db.query<{ layer: string; id: number; label: string; property: string; value: string; w: number; s: number; e: number; n: number }>(
    `SELECT * FROM (SELECT DISTINCT ON (layer, id) * FROM (${parts.join(' UNION ALL ')}) hits ORDER BY layer, id, rank) best
      ORDER BY rank, label, layer, id LIMIT $${params.length}`, params);
  return rows.map((r) => ({
    layer: r.layer, id: r.id, label: r.label, matched: { property: r.property, value: r.value }, bbox: [r.w, r.s, r.e, r.n],
  }));
}

/** GET /api/search?q=…&limit=…: the search box of the map. */
export function searchRoutes(db: Db): Router {
  const r = Router();
  r.get('/api/search', async (req, res) => {
    const { q, limit } = searchQuery(req.query as Record<string, unknown>);
    res.json({ q, results: await search(db, req.principal, q, limit) });
  });
  return r;
}
