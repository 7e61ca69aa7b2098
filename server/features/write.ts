import type { Principal } from '../auth/principal.js';
import { actAs, type Db, type Queryable } from '../db/db.js';
import { parseGeometry, type Geometry } from '../geo/geojson.js';
import { assertValidShape } from '../geo/validity.js';
import { badRequest, forbidden, HttpError, notFound } from '../http/errors.js';
import { canRead, roleAccess, rowsWhere, writeAccess } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { parseProperties, sqlType, toParam, type PropertyValues } from '../layers/schema.js';
import type { LayerDef, RowCondition, WriteOp } from '../layers/types.js';
import { findFeature, type Feature, type StoredFeature } from './read.js';
import { geometryParam } from './sql.js';

/**
 * Writes to a layer. Each runs in one transaction: version check, write, access check of the
 * result, and (through triggers) history rows and beat assignment; any failure writes nothing.
 */

/** Shapes may stick out of a planner's precinct by less than this (digitising slack), in m². */
const OUTSIDE_PRECINCT_TOLERANCE_M2 = 1;

function requireWrite(layer: LayerDef, p: Principal, op: WriteOp) {
  const w = writeAccess(layer, p, op);
  if (w) return w;
  if (!canRead(layer, p)) throw notFound(`unknown layer "${layer.id}"`);
  if (p.role === 'public') throw new HttpError(401, 'sign_in_required', `sign in (POST /api/login) to ${op} features of ${layer.id}`);
  throw forbidden(`your role (${p.role}) may not ${op} features of ${layer.id}`);
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('request body must be a GeoJSON Feature object');
  }
  const b = body as Record<string, unknown>;
  if (b.type !== undefined && b.type !== 'Feature') throw badRequest('body type must be "Feature"', 'type');
  return b;
}

function geometryOf(layer: LayerDef, body: Record<string, unknown>, required: boolean): Geometry | undefined {
  if (!layer.geometry) {
    if (body.geometry !== undefined && body.geometry !== null) throw badRequest(`layer ${layer.id} has no geometry; send "geometry": null`, 'geometry');
    return undefined;
  }
  if (body.geometry === undefined || body.geometry === null) {
    if (required) throw badRequest(`a ${layer.geometry} geometry is required`, 'geometry');
    return undefined;
  }
  return parseGeometry(body.geometry, layer.geometry);
}

/** Every referenced id must be a live feature the principal can see. */
async function assertReferences(tx: Queryable, layer: LayerDef, p: Principal, values: PropertyValues): Promise<void> {
  for (const prop of layer.properties) {
    const t = prop.type;
    const v = values[prop.name];
    if ((t.kind !== 'reference' && t.kind !== 'ids') || v === undefined || v === null) continue;
    const target = findLayer(t.layer)!;
    const ids = t.kind === 'ids' ? (v as number[]) : [v as number];
    if (ids.length === 0) continue;
    const params: unknown[] = [ids];
    const visible = canRead(target, p) ? rowsWhere(target, roleAccess(target, p)!.read, p, params) : 'false';
    const { rows } = await tx.query<{ id: number }>(
      `SELECT x.id FROM unnest($1::bigint[]) AS x(id)
        WHERE NOT EXISTS (SELECT 1 FROM ${target.table} t WHERE t.id = x.id AND t.deleted_at IS NULL AND ${visible})`, params);
    if (rows.length > 0) {
      throw badRequest(`property "${prop.name}" refers to ${target.id} ${rows.map((r) => r.id).join(', ')}, which do not exist or are not yours`, `properties.${prop.name}`);
    }
  }
}

/** After a write, the row must still be one the principal may write; otherwise explain why. */
async function assertWritableResult(tx: Queryable, layer: LayerDef, p: Principal, id: number, rows: readonly RowCondition[]): Promise<void> {
  // A shape is measured first, so a planner hears how much lies outside however much that is.
  if (rows.includes('precinct') && layer.geometry === 'MultiPolygon') {
    const { rows: out } = await tx.query<{ outside: number }>(
      `SELECT ST_Area(ST_Transform(ST_Difference(t.geom, pr.geom), 3826)) AS outside
         FROM ${layer.table} t, precincts pr WHERE t.id = $1 AND pr.code = $2 AND pr.deleted_at IS NULL`, [id, p.precinctCode]);
    const outside = out[0]?.outside ?? Infinity;
    if (outside > OUTSIDE_PRECINCT_TOLERANCE_M2) {
      const amount = Number.isFinite(outside) ? `${Math.round(outside)} m² of the shape lies` : 'the shape lies';
      throw forbidden(`${amount} outside your precinct ${p.precinctCode}; keep it inside`, 'geometry');
    }
  }
  const params: unknown[] = [id];
  const { rows: ok } = await tx.query(`SELECT 1 FROM ${layer.table} t WHERE t.id = $1 AND ${rowsWhere(layer, rows, p, params)}`, params);
  if (ok.length === 0) {
    const where = rows.includes('precinct') ? `inside your precinct ${p.precinctCode}` : 'within your area';
    throw forbidden(`the feature would not lie ${where}; you may only write features ${where}`, layer.geometry ? 'geometry' : undefined);
  }
}

/** Column assignments for validated properties, appending parameters. */
function columnValues(layer: LayerDef, values: PropertyValues, params: unknown[]): [string, string][] {
  return Object.entries(values).map(([name, value]) => {
    const prop = layer.properties.find((x) => x.name === name)!;
    params.push(toParam(prop.type, value));
    return [name, `$${params.length}::${sqlType(prop.type)}`];
  });
}

async function reread(tx: Queryable, layer: LayerDef, p: Principal, id: number): Promise<StoredFeature> {
  return (await findFeature(tx, layer, p, id))!;
}

export async function createFeature(db: Db, layer: LayerDef, p: Principal, body: unknown): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'create');
  const b = bodyObject(body);
  const values = parseProperties(layer, b.properties, 'create', w.fields);
  const geometry = geometryOf(layer, b, true);
  return db.transaction(async (tx) => {
    await actAs(tx, p.username);
    if (geometry) await assertValidShape(tx, geometry, 'geometry');
    await assertReferences(tx, layer, p, values);
    const params: unknown[] = [];
    const cols = columnValues(layer, values, params);
    if (geometry) {
      params.push(JSON.stringify(geometry));
      cols.push(['geom', geometryParam(layer, `$${params.length}`)]);
    }
    const { rows } = await tx.query<{ id: number }>(
      `INSERT INTO ${layer.table} (${cols.map((c) => c[0]).join(', ')}) VALUES (${cols.map((c) => c[1]).join(', ')}) RETURNING id`, params);
    const id = Number(rows[0]!.id);
    await assertWritableResult(tx, layer, p, id, w.rows);
    return reread(tx, layer, p, id);
  });
}

/** Parses `If-Match` ("3", W/"3" or *); a write without one is refused (428). */
export function expectedVersion(ifMatch: string | undefined): number | '*' {
  if (!ifMatch) {
    throw new HttpError(428, 'precondition_required', 'send If-Match with the ETag you last read, so that a concurrent edit is not overwritten');
  }
  if (ifMatch.trim() === '*') return '*';
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
  if (!m) throw badRequest('If-Match must be an ETag from this server, e.g. "3"', 'If-Match');
  return Number(m[1]);
}

/** Locks the row, checks it is live (or deleted, for restore), current and writable. */
async function lockForWrite(tx: Queryable, layer: LayerDef, p: Principal, id: number, expected: number | '*',
  rows: readonly RowCondition[], wantDeleted = false): Promise<StoredFeature> {
  const current = await findFeature(tx, layer, p, id, true);
  if (!current) throw notFound(`no feature ${id} in ${layer.id}`);
  if (!wantDeleted && current.deletedAt) throw new HttpError(409, 'deleted', `feature ${id} was deleted; restore it first (POST …/features/${id}/restore)`);
  if (wantDeleted && !current.deletedAt) throw new HttpError(409, 'not_deleted', `feature ${id} is not deleted`);
  if (expected !== '*' && expected !== current.version) {
    throw new HttpError(412, 'stale_version', `feature ${id} was changed by someone else since you read it (you sent version ${expected}, it is now ${current.version}); reload it and apply your change again`, undefined, { ETag: `"${current.version}"` });
  }
  await assertWritableResult(tx, layer, p, id, rows);
  return current;
}

const BUMP = `version = t.version + 1, updated_at = now(), updated_by = current_setting('app.actor', true)`;

export async function updateFeature(db: Db, layer: LayerDef, p: Principal, id: number, ifMatch: string | undefined, body: unknown): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'update');
  const expected = expectedVersion(ifMatch);
  const b = bodyObject(body);
  const values = parseProperties(layer, b.properties, 'patch', w.fields);
  if (w.fields && b.geometry !== undefined && b.geometry !== null) {
    throw forbidden(`your role may change only ${w.fields.join(', ')} on ${layer.id}, not its geometry`, 'geometry');
  }
  const geometry = geometryOf(layer, b, false);
  return db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, expected, w.rows);
    if (geometry) await assertValidShape(tx, geometry, 'geometry');
    await assertReferences(tx, layer, p, values);
    const params: unknown[] = [id];
    const columns = columnValues(layer, values, params);
    if (geometry) {
      params.push(JSON.stringify(geometry));
      columns.push(['geom', geometryParam(layer, `$${params.length}`)]);
    }
    // A patch that changes nothing is not a change: no new version, no history, nothing to check.
    const changed = columns.map(([c, v]) => `t.${c} IS DISTINCT FROM ${v}`).join(' OR ') || 'false';
    const { rows } = await tx.query(`UPDATE ${layer.table} t SET ${[...columns.map(([c, v]) => `${c} = ${v}`), BUMP].join(', ')}
      WHERE t.id = $1 AND (${changed}) RETURNING t.id`, params);
    if (rows.length > 0) await assertWritableResult(tx, layer, p, id, w.rows);
    return reread(tx, layer, p, id);
  });
}

/** Soft delete: the row stays, with who deleted it and when, and can be restored. */
export async function deleteFeature(db: Db, layer: LayerDef, p: Principal, id: number, ifMatch: string | undefined): Promise<void> {
  const w = requireWrite(layer, p, 'delete');
  const expected = expectedVersion(ifMatch);
  await db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, expected, w.rows);
    await tx.query(`UPDATE ${layer.table} t SET deleted_at = now(), deleted_by = $2, ${BUMP} WHERE t.id = $1`, [id, p.username]);
  });
}

export async function restoreFeature(db: Db, layer: LayerDef, p: Principal, id: number): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'delete');
  return db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, '*', w.rows, true);
    await tx.query(`UPDATE ${layer.table} t SET deleted_at = NULL, deleted_by = NULL, ${BUMP} WHERE t.id = $1`, [id]);
    return reread(tx, layer, p, id);
  });
}

export type { Feature };
