import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { canRead, isInternal, readableProperties, readableRows } from '../layers/access.js';
import type { LayerDef } from '../layers/types.js';
import { encodeCursor, listConditions, type ListQuery } from './list-query.js';
import { featureJson } from './sql.js';

export interface Feature {
  type: 'Feature';
  id: number;
  geometry: object | null;
  properties: Record<string, unknown> & { version: number };
}

export interface FeaturePage {
  features: Feature[];
  numberMatched: number;
  numberReturned: number;
  nextCursor?: string;
}

/** A layer the principal may not read looks exactly like one that does not exist. */
export function assertReadable(layer: LayerDef | undefined, p: Principal, id: string): asserts layer is LayerDef {
  if (!layer || !canRead(layer, p)) throw refusal(404, 'layer_unknown', { layer: id, list: '/api/layers' });
}

export async function listFeatures(db: Queryable, layer: LayerDef, p: Principal, q: ListQuery): Promise<FeaturePage> {
  const params: unknown[] = [];
  const where = ['t.deleted_at IS NULL', readableRows(layer, p, params)];
  listConditions(layer, q, params, where);
  const matchedParams = [...params];
  const page = [...where];
  if (q.after !== undefined) {
    params.push(q.after);
    page.push(`t.id > $${params.length}`);
  }
  params.push(q.limit + 1);
  const [rows, count] = await Promise.all([
    db.query<{ feature: Feature }>(
      `SELECT ${featureJson(layer, p)} AS feature FROM ${layer.table} t
        WHERE ${page.join(' AND ')} ORDER BY t.id LIMIT $${params.length}`, params),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${layer.table} t WHERE ${where.join(' AND ')}`, matchedParams),
  ]);
  const features = rows.rows.slice(0, q.limit).map((r) => r.feature);
  const more = rows.rows.length > q.limit;
  return {
    features,
    numberMatched: count.rows[0]!.n,
    numberReturned: features.length,
    ...(more ? { nextCursor: encodeCursor(features[features.length - 1]!.id) } : {}),
  };
}

export interface StoredFeature {
  feature: Feature;
  version: number;
  deletedAt: string | null;
}

/** One feature the principal may read, deleted or not; null when there is none. */
export async function findFeature(db: Queryable, layer: LayerDef, p: Principal, id: number, lock = false): Promise<StoredFeature | null> {
  const params: unknown[] = [id];
  const visible = readableRows(layer, p, params);
  const { rows } = await db.query<{ feature: Feature; version: number; deleted_at: string | null }>(
    `SELECT ${featureJson(layer, p)} AS feature, t.version, t.deleted_at::text AS deleted_at
       FROM ${layer.table} t WHERE t.id = $1 AND ${visible}${lock ? ' FOR UPDATE' : ''}`, params);
  const r = rows[0];
  return r ? { feature: r.feature, version: r.version, deletedAt: r.deleted_at } : null;
}

export async function getFeature(db: Queryable, layer: LayerDef, p: Principal, id: number): Promise<StoredFeature> {
  const found = await findFeature(db, layer, p, id);
  if (!found) throw refusal(404, 'feature_unknown', { layer: layer.title, id });
  return found;
}

export interface HistoryEntry {
  version: number;
  action: string;
  actor: string;
  at: string;
  before: { geometry: object | null; properties: Record<string, unknown> } | null;
  after: { geometry: object | null; properties: Record<string, unknown> } | null;
  /** The states not shown because the feature then lay where the reader may not read (another precinct). */
  withheld?: ('before' | 'after')[];
}

/**
 * Every recorded change of one feature, oldest first. Only police accounts see who changed what.
 * A state of the feature is shown only where the reader could have read the feature then: a
 * feature moved into a planner's precinct does not show where it lay, or what it held, while it
 * was another precinct's. Each state is judged by the same read rule as live rows, applied to
 * the row as the history kept it.
 */
export async function featureHistory(db: Queryable, layer: LayerDef, p: Principal, id: number): Promise<HistoryEntry[]> {
  if (!isInternal(p)) throw refusal(403, 'history_police_only', undefined);
  if (!(await findFeature(db, layer, p, id))) throw refusal(404, 'feature_unknown', { layer: layer.title, id });
  const names = readableProperties(layer, p).map((x) => x.name);
  const shape = (row: Record<string, unknown> | null) => row && {
    geometry: row.geom ? stripCrs(row.geom as Record<string, unknown>) : null,
    properties: Object.fromEntries(names.map((n) => [n, row[n] ?? null])),
  };
  const params: unknown[] = [layer.table, id];
  const visible = (alias: string) => `coalesce(${readableRows(layer, p, params, alias)}, false)`;
  const { rows } = await db.query<{ version: number; action: string; actor: string; at: string; before: Record<string, unknown> | null;
    after: Record<string, unknown>; before_shown: boolean; after_shown: boolean }>(
    `SELECT h.version, h.action, h.actor, to_json(h.at) #>> '{}' AS at, h.before, h.after,
            ${visible('b')} AS before_shown, ${visible('a')} AS after_shown
       FROM feature_history h
       CROSS JOIN LATERAL jsonb_populate_record(NULL::${layer.table}, h.before) b
       CROSS JOIN LATERAL jsonb_populate_record(NULL::${layer.table}, h.after) a
      WHERE h.layer_table = $1 AND h.feature_id = $2 ORDER BY h.id`, params);
  return rows.map((r) => {
    const withheld = [...(r.before && !r.before_shown ? ['before' as const] : []), ...(!r.after_shown ? ['after' as const] : [])];
    return {
      version: r.version, action: r.action, actor: r.actor, at: r.at,
      before: r.before_shown ? shape(r.before) : null,
      after: r.after_shown ? shape(r.after) : null,
      ...(withheld.length ? { withheld } : {}),
    };
  });
}

/** PostGIS adds a `crs` member when it casts geometry to JSON; RFC 7946 output has none. */
function stripCrs(g: Record<string, unknown>): object {
  const { crs: _crs, ...rest } = g;
  return rest;
}
