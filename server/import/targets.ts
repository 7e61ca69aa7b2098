import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { readableRows } from '../layers/access.js';
import { property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import type { Candidate } from './rows.js';

/**
 * Which existing feature each row is: by this service's id (a column `id`, as exports write
 * it), by a unit's code (bureaus, precincts, stations and beats are known by their codes), or
 * by the row's external id within its source (feature_sources). A row that is none of these
 * creates a feature. Two rows that are the same feature are refused after the first.
 */

export interface Matched {
  /** The feature a row updates. */
  target?: number;
  action: 'create' | 'update';
}

/** Unit layers: their code is the key people and other layers know them by. */
export const isUnitLayer = (layer: LayerDef) => ['bureaus', 'precincts', 'stations', 'beats'].includes(layer.id);

export async function matchTargets(tx: Queryable, layer: LayerDef, p: Principal, candidates: readonly Candidate[], source: string | undefined): Promise<Matched[]> {
  const matched: Matched[] = candidates.map(() => ({ action: 'create' }));
  type Found = { key: string; id: string | number; deleted: boolean; readable: boolean };
  /** Rows found for keys ($1), `extra` parameters ($2, $3) and what the principal may read. */
  const lookup = async (keys: unknown[], extra: unknown[], sql: (readable: string) => string): Promise<Map<string, Found>> => {
    if (keys.length === 0) return new Map();
    const params: unknown[] = [keys, ...extra];
    const readable = readableRows(layer, p, params);
    return new Map((await tx.query<Found>(sql(readable), params)).rows.map((r) => [r.key, r]));
  };

  // Keys are joined from unnest(…), not matched with = ANY(…): with 100,000 keys a filter would
  // compare every row with every key.
  const byId = await lookup(candidates.filter((c) => c.id !== undefined).map((c) => c.id), [], (readable) => `
    SELECT t.id::text AS key, t.id, t.deleted_at IS NOT NULL AS deleted, ${readable} AS readable
      FROM unnest($1::bigint[]) AS k(id) JOIN ${layer.table} t ON t.id = k.id`);

  const code = isUnitLayer(layer) ? property(layer, 'code') : undefined;
  const codes = code ? candidates.filter((c) => c.id === undefined && typeof c.properties.code === 'string').map((c) => c.properties.code) : [];
  const byCode = await lookup(codes, [], (readable) => `
    SELECT t.code AS key, t.id, false AS deleted, ${readable} AS readable
      FROM unnest($1::text[]) AS k(code) JOIN ${layer.table} t ON t.code = k.code AND t.deleted_at IS NULL`);

  const externals = source && !code ? candidates.filter((c) => c.id === undefined && c.externalId !== undefined).map((c) => c.externalId) : [];
  const byExternal = await lookup(externals, [layer.table, source], (readable) => `
    SELECT s.external_id AS key, s.feature_id AS id, t.deleted_at IS NOT NULL AS deleted, coalesce(${readable}, false) AS readable
      FROM unnest($1::text[]) AS k(external_id)
      -- One probe of the whole primary key per external id (OFFSET 0 keeps it so): statistics
      -- taken before this source's rows arrived would otherwise have the planner scan them all.
      CROSS JOIN LATERAL (SELECT s.external_id, s.feature_id FROM feature_sources s
                           WHERE s.layer_table = $2 AND s.source = $3 AND s.external_id = k.external_id OFFSET 0) s
      LEFT JOIN ${layer.table} t ON t.id = s.feature_id`);

  const firstRow = new Map<string, number>();
  candidates.forEach((c, i) => {
    const m = matched[i]!;
    const found = c.id !== undefined ? byId.get(String(c.id))
      : code && typeof c.properties.code === 'string' ? byCode.get(c.properties.code)
        : c.externalId !== undefined ? byExternal.get(c.externalId) : undefined;
    const what = c.id !== undefined ? `feature ${c.id}` : c.externalId !== undefined && !code ? `external id ${c.externalId} of source ${source}` : `code ${String(c.properties.code)}`;
    if (c.id !== undefined && (!found || !found.readable)) {
      c.errors.push({ code: 'not_found', message: `there is no feature ${c.id} in ${layer.id} that you may see; to add the row as a new feature, leave its id empty`, field: 'id' });
    } else if (found && !found.readable) {
      c.errors.push({ code: 'forbidden', message: `${what} belongs to a feature you may not change`, field: 'id' });
    } else if (found?.deleted) {
      c.errors.push({ code: 'deleted', message: `${what} is feature ${found.id}, which was deleted; restore it (POST /api/layers/${layer.id}/features/${found.id}/restore) to import into it`, field: 'id' });
    } else if (found) {
      m.target = Number(found.id);
      m.action = 'update';
    }
    const key = m.target !== undefined ? `id:${m.target}` : c.externalId !== undefined && source && !code ? `ext:${c.externalId}`
      : code && typeof c.properties.code === 'string' ? `code:${c.properties.code}` : undefined;
    if (key === undefined) return;
    const earlier = firstRow.get(key);
    if (earlier !== undefined) c.errors.push({ code: 'duplicate', message: `duplicate of row ${earlier}: both are ${what}`, field: 'id' });
    else firstRow.set(key, c.row);
  });
  return matched;
}
