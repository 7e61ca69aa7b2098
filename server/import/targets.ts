import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { INSTANCE_ID } from '../db/instance.js';
import { readableRows } from '../layers/access.js';
import { property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
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
    c.errors.push({ code: 'invalid_value', field: 'id',
      message: `「${c.idCell}」 in column id is not a feature id of this service; if the column is the register's own number, map it with mapping={"<column>": "external_id"}` });
    return undefined;
  };
  const keys = candidates.map((c): RowKey | undefined => {
    if (isUnitLayer(layer)) return typeof c.properties.code === 'string' ? { kind: 'code', code: c.properties.code } : undefined;
    if (c.instance !== undefined && !INSTANCE_ID.test(c.instance)) {
      c.errors.push({ code: 'invalid_value', field: 'instance',
        message: `「${c.instance}」 in column instance is not an instance id (exports write a UUID there); leave it empty, or skip the column with mapping={"instance": null}` });
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
          c.errors.push({ code: 'other_instance', field: 'id',
            message: `the row was exported by another instance (${c.instance}), so its id ${c.idCell} is not a feature of this service; import it without match=id to add it` });
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
  if (foreign) {
    warnings.push(`${foreign.toLocaleString('en-US')} rows were exported by another instance of this service (${[...others].join(', ')}): they do not update features here by their ids; they are added as new features, and importing the same file again updates those`);
  }
  if (unmarked) {
    warnings.push(`the id column does not say which instance its ids belong to (this service's exports say so in a column instance), so ${unmarked.toLocaleString('en-US')} rows were not matched by id and are added as new features; if the ids are this service's, import with match=id`);
  }
  return { keys, warnings };
}

const keyText = (k: RowKey) => (k.kind === 'id' ? `id:${k.id}` : k.kind === 'code' ? `code:${k.code}` : `link:${k.source}\u001f${k.key}`);

const describe = (k: RowKey) => (k.kind === 'id' ? `feature ${k.id}` : k.kind === 'code' ? `code ${k.code}`
  : k.source.startsWith('instance:') ? `feature ${k.key} of instance ${k.source.slice('instance:'.length)}` : `external id ${k.key} of source ${k.source}`);

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
      c.errors.push({ code: 'not_found', message: `there is no feature ${k.id} in ${layer.id} that you may see; to add the row as a new feature, leave its id empty`, field: 'id' });
    } else if (found && !found.readable) {
      c.errors.push({ code: 'forbidden', message: `${describe(k)} belongs to a feature you may not change`, field: 'id' });
    } else if (found?.deleted) {
      c.errors.push({ code: 'deleted', message: `${describe(k)} is feature ${found.id}, which was deleted; restore it (POST /api/layers/${layer.id}/features/${found.id}/restore) to import into it`, field: 'id' });
    } else if (found) {
      m.target = Number(found.id);
      m.action = 'update';
    }
    const same = m.target !== undefined ? `id:${m.target}` : text;
    const earlier = firstRow.get(same);
    if (earlier !== undefined) c.errors.push({ code: 'duplicate', message: `duplicate of row ${earlier}: both are ${describe(k)}`, field: 'id' });
    else firstRow.set(same, c.row);
  });
  return matched;
}
