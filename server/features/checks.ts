import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { assertWgs84Crs, parseGeometry, type Geometry } from '../geo/geojson.js';
import { badRequest, forbidden, HttpError, notFound } from '../http/errors.js';
import { refusal } from '../http/messages.js';
import { canRead, readableRows, rowsWhere, writeAccess } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { parseProperties, type PropertyValues } from '../layers/schema.js';
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

/** The principal's write rule for `op` on the layer, or the 404/401/403 that says why there is none. */
export function requireWrite(layer: LayerDef, p: Principal, op: WriteOp): WriteRule {
  const w = writeAccess(layer, p, op);
  if (w) return w;
  if (!canRead(layer, p)) throw notFound(`unknown layer "${layer.id}"`);
  if (p.role === 'public') throw new HttpError(401, 'sign_in_required', `sign in (POST /api/login) to ${op} features of ${layer.id}`);
  throw forbidden(`your role (${p.role}) may not ${op} features of ${layer.id}`);
}

export interface FeatureInput {
  values: PropertyValues;
  geometry?: Geometry;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a GeoJSON Feature object');
  }
  const b = body as Record<string, unknown>;
  if (b.type !== undefined && b.type !== 'Feature') throw badRequest('body type must be "Feature"', 'type');
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
    if (given) throw badRequest(`layer ${layer.id} has no geometry; send "geometry": null`, 'geometry');
    return { values };
  }
  if (!given) {
    if (mode === 'create') throw badRequest(`a ${layer.geometry} geometry is required`, 'geometry');
    return { values };
  }
  if (fields) throw forbidden(`your role may change only ${fields.join(', ')} on ${layer.id}, not its geometry`, 'geometry');
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
        problems[i] = badRequest(`property "${prop.name}" refers to ${target.id} ${bad.join(', ')}, which do not exist or are not yours`, `properties.${prop.name}`);
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
    outside = `(SELECT ST_Area(ST_Transform(ST_Difference(t.geom, pr.geom), 3826)) FROM precincts pr
                 WHERE pr.code = $${params.length} AND pr.deleted_at IS NULL)`;
  }
  const { rows } = await tx.query<{ id: string | number; outside: number | null; ok: boolean; created_by: string }>(
    `SELECT t.id, ${outside} AS outside, ${rowsWhere(layer, conditions, p, params)} AS ok, t.created_by
       FROM unnest($1::bigint[]) AS k(id) JOIN ${layer.table} t ON t.id = k.id`, params);
  for (const r of rows) {
    const id = Number(r.id);
    const area = measured ? r.outside ?? Infinity : 0;
    if (!r.ok && conditions.includes('own') && r.created_by !== p.username) {
      out.set(id, refusal(403, 'not_own_record', { layer: layer.title }));
    } else if (area > OUTSIDE_PRECINCT_TOLERANCE_M2) {
      const amount = Number.isFinite(area) ? `${Math.round(area)} m² of the shape lies` : 'the shape lies';
      out.set(id, forbidden(`${amount} outside your precinct ${p.precinctCode}; keep it inside`, 'geometry'));
    } else if (!r.ok) {
      const where = conditions.includes('precinct') ? `inside your precinct ${p.precinctCode}` : 'within your area';
      out.set(id, forbidden(`the feature would not lie ${where}; you may only write features ${where}`, layer.geometry ? 'geometry' : undefined));
    }
  }
  return out;
}

/** SET clause that makes an UPDATE a new version by the acting user. */
export const NEW_VERSION = `version = t.version + 1, updated_at = now(), updated_by = current_setting('app.actor', true)`;
