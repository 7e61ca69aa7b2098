import type { Principal } from '../auth/principal.js';
import { actAs, type Db, type Queryable } from '../db/db.js';
import { assertValidShape } from '../geo/validity.js';
import { refusal } from '../http/messages.js';
import { property } from '../layers/registry.js';
import { sqlType, toParam, type PropertyValues } from '../layers/schema.js';
import type { LayerDef, RowCondition } from '../layers/types.js';
import {
  featureInput, NEW_VERSION, referenceProblems, requireWrite, unwritableRows,
} from './checks.js';
import { findFeature, type Feature, type StoredFeature } from './read.js';
import { geoJsonGeometry, geometryParam } from './sql.js';

/**
 * Writes to a layer. Each runs in one transaction: version check, write, access check of the
 * result, and (through triggers) history rows and beat assignment; any failure writes nothing.
 */

async function assertReferences(tx: Queryable, layer: LayerDef, p: Principal, values: PropertyValues): Promise<void> {
  const [problem] = await referenceProblems(tx, layer, p, [values]);
  if (problem) throw problem;
}

/** After a write, the row must still be one the principal may write; otherwise explain why. */
async function assertWritableResult(tx: Queryable, layer: LayerDef, p: Principal, id: number, rows: readonly RowCondition[]): Promise<void> {
  const problem = (await unwritableRows(tx, layer, p, [id], rows)).get(id);
  if (problem) throw problem;
}

/** Column assignments for validated properties, appending parameters. */
function columnValues(layer: LayerDef, values: PropertyValues, params: unknown[]): [string, string][] {
  return Object.entries(values).map(([name, value]) => {
    const prop = layer.properties.find((x) => x.name === name)!;
    params.push(toParam(prop.type, value));
    return [name, `$${params.length}::${sqlType(prop.type)}`];
  });
}

/**
 * A unit's code is unique among live units (sql/migrations/003_units.sql): a write that takes a
 * code another unit has is a 409 that names the code and the unit holding it, not the
 * database's duplicate-key text.
 */
async function codeTaken<T>(db: Db, layer: LayerDef, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const e = err as { code?: string; detail?: string };
    const code = e.code === '23505' && property(layer, 'code') ? /\(code\)=\((.*)\)/.exec(e.detail ?? '')?.[1] : undefined;
    if (code === undefined) throw err;
    const { rows } = await db.query<{ id: string | number; name: string | null }>(
      `SELECT id, ${property(layer, 'name') ? 'name' : 'NULL'} AS name FROM ${layer.table} WHERE code = $1 AND deleted_at IS NULL`, [code]);
    const holder = rows[0] ? { id: Number(rows[0].id), ...(rows[0].name ? { name: rows[0].name } : {}) } : {};
    throw refusal(409, 'duplicate_code', { unit: layer.title, layer: layer.id, code, ...holder }, { field: 'properties.code' });
  }
}

async function reread(tx: Queryable, layer: LayerDef, p: Principal, id: number): Promise<StoredFeature> {
  return (await findFeature(tx, layer, p, id))!;
}

export async function createFeature(db: Db, layer: LayerDef, p: Principal, body: unknown): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'create');
  const { values, geometry } = featureInput(layer, body, 'create', w.fields);
  return codeTaken(db, layer, () => db.transaction(async (tx) => {
    await actAs(tx, p.username);
    if (geometry) await assertValidShape(tx, geometry);
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
  }));
}

/** Parses `If-Match` ("3", W/"3" or *); a write without one is refused (428). */
export function expectedVersion(ifMatch: string | undefined): number | '*' {
  if (!ifMatch) {
    throw refusal(428, 'precondition_required', undefined);
  }
  if (ifMatch.trim() === '*') return '*';
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(ifMatch.trim());
  if (!m) throw refusal(400, 'if_match_invalid', undefined, { field: 'If-Match' });
  return Number(m[1]);
}

/** Locks the row, checks it is live (or deleted, for restore), current and writable. */
async function lockForWrite(tx: Queryable, layer: LayerDef, p: Principal, id: number, expected: number | '*',
  rows: readonly RowCondition[], wantDeleted = false): Promise<StoredFeature> {
  const current = await findFeature(tx, layer, p, id, true);
  if (!current) throw refusal(404, 'feature_unknown', { layer: layer.title, id });
  if (!wantDeleted && current.deletedAt) throw refusal(409, 'deleted', { layer: layer.title, id });
  if (wantDeleted && !current.deletedAt) throw refusal(409, 'not_deleted', { layer: layer.title, id });
  if (expected !== '*' && expected !== current.version) {
    throw refusal(412, 'stale_version', { layer: layer.title, id, sent: expected, current: current.version }, { headers: { ETag: `"${current.version}"` } });
  }
  await assertWritableResult(tx, layer, p, id, rows);
  return current;
}

export async function updateFeature(db: Db, layer: LayerDef, p: Principal, id: number, ifMatch: string | undefined, body: unknown): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'update');
  const expected = expectedVersion(ifMatch);
  const { values, geometry } = featureInput(layer, body, 'patch', w.fields);
  return codeTaken(db, layer, () => db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, expected, w.rows);
    if (geometry) await assertValidShape(tx, geometry);
    await assertReferences(tx, layer, p, values);
    const params: unknown[] = [id];
    const columns = columnValues(layer, values, params);
    if (geometry) {
      params.push(JSON.stringify(geometry));
      columns.push(['geom', geometryParam(layer, `$${params.length}`)]);
    }
    // A patch that changes nothing is not a change: no new version, no history, nothing to check.
    // A geometry is compared as the API shows it (to COORDINATE_DECIMALS, rings wound as RFC 7946
    // says), so sending back the geometry one read, rounded to a centimetre, is no change either.
    const differs = ([c, v]: [string, string]) => (c === 'geom'
      ? `${geoJsonGeometry(layer, 't.geom')} IS DISTINCT FROM ${geoJsonGeometry(layer, v)}`
      : `t.${c} IS DISTINCT FROM ${v}`);
    const changed = columns.map(differs).join(' OR ') || 'false';
    const { rows } = await tx.query(`UPDATE ${layer.table} t SET ${[...columns.map(([c, v]) => `${c} = ${v}`), NEW_VERSION].join(', ')}
      WHERE t.id = $1 AND (${changed}) RETURNING t.id`, params);
    if (rows.length > 0) await assertWritableResult(tx, layer, p, id, w.rows);
    return reread(tx, layer, p, id);
  }));
}

/** Soft delete: the row stays, with who deleted it and when, and can be restored. */
export async function deleteFeature(db: Db, layer: LayerDef, p: Principal, id: number, ifMatch: string | undefined): Promise<void> {
  const w = requireWrite(layer, p, 'delete');
  const expected = expectedVersion(ifMatch);
  await db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, expected, w.rows);
    await tx.query(`UPDATE ${layer.table} t SET deleted_at = now(), deleted_by = $2, ${NEW_VERSION} WHERE t.id = $1`, [id, p.username]);
  });
}

export async function restoreFeature(db: Db, layer: LayerDef, p: Principal, id: number): Promise<StoredFeature> {
  const w = requireWrite(layer, p, 'delete');
  return codeTaken(db, layer, () => db.transaction(async (tx) => {
    await actAs(tx, p.username);
    await lockForWrite(tx, layer, p, id, '*', w.rows, true);
    await tx.query(`UPDATE ${layer.table} t SET deleted_at = NULL, deleted_by = NULL, ${NEW_VERSION} WHERE t.id = $1`, [id]);
    return reread(tx, layer, p, id);
  }));
}

export type { Feature };
