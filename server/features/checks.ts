import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { assertWgs84Crs, parseGeometry, type Geometry } from '../geo/geojson.js';
import type { HttpError } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { canRead, readableRows, rowsWhere, writeAccess } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { namedProperty, parseProperties, type PropertyValues } from '../layers/schema.js';
import type { LayerDef, RoleAccess, RowCondition, WriteOp } from '../layers/types.js';

/**
 * The rules every write obeys, whether one feature comes through the feature API or thousands
 * through an import: who may write, what a valid feature is, what its references and its place
 * must be. Checks that need the database come in set form (many rows, one query); a single
 * write asks about one row and throws the first problem.
 */

/** Shapes may stick out of a planner's precinct by less than this (digitising slack), in m². */
export const OUTSIDE_PRECINCT_TOLERANCE_M2 = 1;

export type WriteRule = NonNullable<RoleAccess['write']>;

/** Each write as a refusal names it. */
export const WRITE_OPS: Record<WriteOp, string> = { create: '新增', update: '修改', delete: '刪除' };

/** The principal's write rule for `op` on the layer, or the 404/401/403 that says why there is none. */
export function requireWrite(layer: LayerDef, p: Principal, op: WriteOp): WriteRule {
  const w = writeAccess(layer, p, op);
  if (w) return w;
  if (!canRead(layer, p)) throw refusal(404, 'layer_unknown', { layer: layer.id, list: '/api/layers' });
  if (p.role === 'public') throw refusal(401, 'sign_in_required', { action: `${WRITE_OPS[op]}${layer.title}` });
  throw refusal(403, 'role_may_not_write', { layer: layer.title, action: WRITE_OPS[op] });
}

export interface FeatureInput {
  values: PropertyValues;
  geometry?: Geometry;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw refusal(400, 'feature_body_not_object', undefined);
  }
  const b = body as Record<string, unknown>;
  if (b.type !== undefined && b.type !== 'Feature') throw refusal(400, 'feature_body_type', undefined, { field: 'type' });
  assertWgs84Crs(b.crs, 'crs');
  return b;
}

/**
 * A GeoJSON Feature checked for a create (required properties and geometry present) or a patch
 * (any subset): properties by the registry, geometry by server/geo (structure, Taiwan, swapped
 * or projected coordinates). `fields` limits what may change (an officer: camera status only).
 * Throws the first problem as a 4xx naming its field.
 */
export function featureInput(layer: LayerDef, body: unknown, mode: 'create' | 'patch', fields?: readonly string[]): FeatureInput {
  const b = bodyObject(body);
  const values = parseProperties(layer, b.properties, mode, fields);
  const given = b.geometry !== undefined && b.geometry !== null;
  if (!layer.geometry) {
    if (given) throw refusal(400, 'geometry_not_taken', { layer: layer.title }, { field: 'geometry' });
    return { values };
  }
  if (!given) {
    if (mode === 'create') {
      throw refusal(400, 'geometry_required', { layer: layer.title, kind: layer.geometry === 'Point' ? '點（Point）' : '面（Polygon 或 MultiPolygon）' }, { field: 'geometry' });
    }
    return { values };
  }
  if (fields) throw refusal(403, 'geometry_not_writable', { layer: layer.title, writable: fields.map((f) => namedProperty(layer, f)).join('、') }, { field: 'geometry' });
  return { values, geometry: parseGeometry(b.geometry, layer.geometry) };
}

/**
 * For each row's values, the error for references (`reference`, `ids` properties) to features
 * that do not exist, are deleted or are not the principal's; null for a row whose references are
 * fine. One query per reference property, however many rows.
 */
export async function referenceProblems(tx: Queryable, layer: LayerDef, p: Principal, rows: readonly PropertyValues[]): Promise<(HttpError | null)[]> {
  const problems: (HttpError | null)[] = rows.map(() => null);
  for (const prop of layer.properties) {
    const t = prop.type;
    if (t.kind !== 'reference' && t.kind !== 'ids') continue;
    const idsOf = (v: PropertyValues): number[] => {
      const x = v[prop.name];
      if (x === undefined || x === null) return [];
      return t.kind === 'ids' ? (x as number[]) : [x as number];
    };
    const all = [...new Set(rows.flatMap(idsOf))];
    if (all.length === 0) continue;
    const target = findLayer(t.layer)!;
    const params: unknown[] = [all];
    const visible = canRead(target, p) ? readableRows(target, p, params) : 'false';
    const { rows: missing } = await tx.query<{ id: string | number }>(
      `SELECT x.id FROM unnest($1::bigint[]) AS x(id)
        WHERE NOT EXISTS (SELECT 1 FROM ${target.table} t WHERE t.id = x.id AND t.deleted_at IS NULL AND ${visible})`, params);
    if (missing.length === 0) continue;
    const gone = new Set(missing.map((r) => Number(r.id)));
    rows.forEach((v, i) => {
      const bad = idsOf(v).filter((id) => gone.has(id));
      if (bad.length > 0 && !problems[i]) {
        problems[i] = refusal(400, 'reference_unknown', { label: prop.label, name: prop.name, target: target.title, ids: bad.join('、') }, { field: `properties.${prop.name}` });
      }
    });
  }
  return problems;
}

/**
 * Stored rows (by id) that the principal could not have written under `conditions`, with the
 * 403 that explains why. A shape is measured first, so a planner hears how much lies outside
 * their precinct however much that is.
 */
export async function unwritableRows(tx: Queryable, layer: LayerDef, p: Principal, ids: readonly number[],
  conditions: readonly RowCondition[]): Promise<Map<number, HttpError>> {
  const out = new Map<number, HttpError>();
  const measured = conditions.includes('precinct') && layer.geometry === 'MultiPolygon';
  // A rule that allows every row needs no look at the rows.
  if (ids.length === 0 || (!measured && conditions.length > 0 && conditions.every((c) => c === 'all'))) return out;
  const params: unknown[] = [ids];
  let outside = 'NULL::float8';
  if (measured) {
    params.push(p.precinctCode);
    // Snap-rounded to ~0.1 mm, which GEOS computes robustly (a floating overlay can fail on nearly coincident edges).
    outside = `(SELECT ST_Area(ST_Transform(ST_Difference(t.geom, pr.geom, 1e-9), 3826)) FROM precincts pr
                 WHERE pr.code = $${params.length} AND pr.deleted_at IS NULL)`;
  }
  const { rows } = await tx.query<{ id: string | number; outside: number | null; ok: boolean; created_by: string }>(
    `SELECT t.id, ${outside} AS outside, ${rowsWhere(layer, conditions, p, params)} AS ok, t.created_by
       FROM unnest($1::bigint[]) AS k(id) JOIN ${layer.table} t ON t.id = k.id`, params);
  // Every id is a row just written: fewer rows means the statement failed where PGlite does not
  // say so (a GEOS error; see server/db/one-row.ts), and nothing may pass unchecked.
  if (rows.length !== new Set(ids).size) throw new Error(`write check: ${rows.length} of ${new Set(ids).size} rows measured (a geometry operation failed)`);
  for (const r of rows) {
    const id = Number(r.id);
    const area = measured ? r.outside ?? Infinity : 0;
    if (!r.ok && conditions.includes('own') && r.created_by !== p.username) {
      out.set(id, refusal(403, 'not_own_record', { layer: layer.title }));
    } else if (area > OUTSIDE_PRECINCT_TOLERANCE_M2) {
      const m2 = Number.isFinite(area) ? Math.round(area) : null;
      out.set(id, refusal(403, 'outside_precinct_by', { m2, precinct: p.precinctCode ?? '' }, { field: 'geometry', details: { outsideM2: m2 } }));
    } else if (!r.ok) {
      const field = { field: layer.geometry ? 'geometry' : undefined };
      out.set(id, conditions.includes('precinct')
        ? refusal(403, 'outside_precinct', { precinct: p.precinctCode ?? '' }, field)
        : refusal(403, 'outside_area', undefined, field));
    }
  }
  return out;
}

/** SET clause that makes an UPDATE a new version by the acting user. */
export const NEW_VERSION = `version = t.version + 1, updated_at = now(), updated_by = current_setting('app.actor', true)`;
