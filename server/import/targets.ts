import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { INSTANCE_ID } from '../db/instance.js';
import { message } from '../http/messages.js';
import { readableRows } from '../layers/access.js';
import { property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { rowIssue } from './issues.js';
import type { MatchMode } from './options.js';
import type { Candidate } from './rows.js';

/**
 * Which existing feature each row is. A row updates a feature only by a key the import was
 * given for it, never by a number that merely looks like an id:
 *
 * - this service's id (column `id`), when the file says it was exported by this instance
 *   (column `instance`, which exports write beside each id), or when the caller says so (match=id);
 * - the register's own id (`external_id`, 編號) within the `source` named, as the import of that
 *   source recorded it (feature_sources);
 * - for a file exported by another instance, its id within that instance, as an earlier import
 *   of the same file recorded it: the first import adds those rows, a second updates them;
 * - a unit's code (bureaus, precincts, stations and beats are known by their codes).
 *
 * Any other row creates a feature. Two rows that are the same feature are refused after the first.
 */

export interface Matched {
  /** The feature a row updates. */
  target?: number;
  action: 'create' | 'update';
}

/** How a row is looked up: by this service's id, by a key recorded for a source, or by its unit code. */
export type RowKey = { kind: 'id'; id: number } | { kind: 'link'; source: string; key: string } | { kind: 'code'; code: string };

/** Unit layers: their code is the key people and other layers know them by. */
export const isUnitLayer = (layer: LayerDef) => ['bureaus', 'precincts', 'stations', 'beats'].includes(layer.id);

/** The source under which rows exported by another instance are recorded. */
export const instanceSource = (instance: string) => `instance:${instance}`;

/** A feature id as this service writes it, or undefined. */
function featureId(cell: string): number | undefined {
  const n = Number(cell);
  return /^\d+$/.test(cell) && n > 0 && Number.isSafeInteger(n) ? n : undefined;
}

export interface RowKeys {
  keys: (RowKey | undefined)[];
  /** About the file as a whole: ids that were not used, and why. */
  warnings: string[];
}

/** The key each row is found by (problems go onto the rows), under the import's `match`. */
export function rowKeys(layer: LayerDef, candidates: readonly Candidate[], match: MatchMode, source: string | undefined, instance: string): RowKeys {
  let foreign = 0;
  let unmarked = 0;
  const others = new Set<string>();
  const idKey = (c: Candidate): RowKey | undefined => {
    const id = featureId(c.idCell!);
    if (id !== undefined) return { kind: 'id', id };
    c.errors.push(rowIssue('id_cell_invalid', { value: c.idCell! }, { field: 'id' }));
    return undefined;
  };
  const keys = candidates.map((c): RowKey | undefined => {
    if (isUnitLayer(layer)) return typeof c.properties.code === 'string' ? { kind: 'code', code: c.properties.code } : undefined;
    if (c.instance !== undefined && !INSTANCE_ID.test(c.instance)) {
      c.errors.push(rowIssue('instance_cell_invalid', { value: c.instance }, { field: 'instance' }));
      return undefined;
    }
    const mine = c.instance === instance;
    const external: RowKey | undefined = c.externalId !== undefined && source ? { kind: 'link', source, key: c.externalId } : undefined;
    switch (match) {
      case 'none':
        return undefined;
      case 'external_id':
        return external;
      case 'id':
        if (c.idCell === undefined) return undefined;
        if (c.instance !== undefined && !mine) {
          c.errors.push(rowIssue('other_instance', { instance: c.instance, id: c.idCell }, { field: 'id' }));
          return undefined;
        }
        return idKey(c);
      case 'auto':
        if (c.idCell !== undefined && mine) return idKey(c);
        if (external) return external;
        if (c.idCell !== undefined && c.instance !== undefined) {
          foreign++;
          others.add(c.instance);
          return { kind: 'link', source: instanceSource(c.instance), key: c.idCell };
        }
        if (c.idCell !== undefined) unmarked++;
        return undefined;
    }
  });
  const warnings: string[] = [];
  if (foreign) warnings.push(message('ids_other_instance', { count: foreign, instances: [...others] }));
  if (unmarked) warnings.push(message('ids_unmarked', { count: unmarked }));
  return { keys, warnings };
}

const keyText = (k: RowKey) => (k.kind === 'id' ? `id:${k.id}` : k.kind === 'code' ? `code:${k.code}` : `link:${k.source}\u001f${k.key}`);

export async function matchTargets(tx: Queryable, layer: LayerDef, p: Principal, candidates: readonly Candidate[], keys: readonly (RowKey | undefined)[]): Promise<Matched[]> {
  const matched: Matched[] = candidates.map(() => ({ action: 'create' }));
  type Found = { key: string; id: string | number; deleted: boolean; readable: boolean };
  /** Rows found for the key arrays (the first parameters, then `extra`) and what the principal may read. */
  const lookup = async (arrays: unknown[][], extra: unknown[], sql: (readable: string) => string): Promise<Map<string, Found>> => {
    if (arrays[0]!.length === 0) return new Map();
    const params: unknown[] = [...arrays, ...extra];
    const readable = readableRows(layer, p, params);
    return new Map((await tx.query<Found>(sql(readable), params)).rows.map((r) => [r.key, r]));
  };
  const of = <K extends RowKey['kind']>(kind: K) => keys.filter((k): k is Extract<RowKey, { kind: K }> => k?.kind === kind);

  // Keys are joined from unnest(…), not matched with = ANY(…): with 100,000 keys a filter would
  // compare every row with every key.
  const byId = await lookup([of('id').map((k) => k.id)], [], (readable) => `
    SELECT 'id:' || t.id AS key, t.id, t.deleted_at IS NOT NULL AS deleted, ${readable} AS readable
      FROM unnest($1::bigint[]) AS k(id) JOIN ${layer.table} t ON t.id = k.id`);

  const byCode = property(layer, 'code') ? await lookup([of('code').map((k) => k.code)], [], (readable) => `
    SELECT 'code:' || t.code AS key, t.id, false AS deleted, ${readable} AS readable
      FROM unnest($1::text[]) AS k(code) JOIN ${layer.table} t ON t.code = k.code AND t.deleted_at IS NULL`) : new Map<string, Found>();

  const links = of('link');
  const byLink = await lookup([links.map((k) => k.source), links.map((k) => k.key)], [layer.table], (readable) => `
    SELECT 'link:' || s.source || chr(31) || s.external_id AS key, s.feature_id AS id, t.deleted_at IS NOT NULL AS deleted, coalesce(${readable}, false) AS readable
      FROM unnest($1::text[], $2::text[]) AS k(source, external_id)
      -- One probe of the whole primary key per key (OFFSET 0 keeps it so): statistics taken
      -- before this source's rows arrived would otherwise have the planner scan them all.
      CROSS JOIN LATERAL (SELECT s.source, s.external_id, s.feature_id FROM feature_sources s
                           WHERE s.layer_table = $3 AND s.source = k.source AND s.external_id = k.external_id OFFSET 0) s
      LEFT JOIN ${layer.table} t ON t.id = s.feature_id`);

  const firstRow = new Map<string, number>();
  candidates.forEach((c, i) => {
    const k = keys[i];
    if (!k) return;
    const m = matched[i]!;
    const text = keyText(k);
    const found = (k.kind === 'id' ? byId : k.kind === 'code' ? byCode : byLink).get(text);
    if (k.kind === 'id' && (!found || !found.readable)) {
      c.errors.push(rowIssue('row_not_found', { layer: layer.title, id: k.id }, { field: 'id' }));
    } else if (found && !found.readable) {
      c.errors.push(rowIssue('row_forbidden', { key: k }, { field: 'id' }));
    } else if (found?.deleted) {
      c.errors.push(rowIssue('row_deleted', { key: k, layer: layer.title, path: layer.id, id: Number(found.id) }, { field: 'id' }));
    } else if (found) {
      m.target = Number(found.id);
      m.action = 'update';
    }
    const same = m.target !== undefined ? `id:${m.target}` : text;
    const earlier = firstRow.get(same);
    if (earlier !== undefined) c.errors.push(rowIssue('row_duplicate', { row: earlier, key: k }, { field: 'id' }));
    else firstRow.set(same, c.row);
  });
  return matched;
}
