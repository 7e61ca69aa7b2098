import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { NEW_VERSION, referenceProblems, unwritableRows, type WriteRule } from '../features/checks.js';
import { invalidGeometry, invalidityReasonSql } from '../geo/validity.js';
import { geometryParam } from '../features/sql.js';
import type { Geometry } from '../geo/geojson.js';
import { readableRows } from '../layers/access.js';
import type { PropertyValues } from '../layers/schema.js';
import { property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import { issueOf, rowIssue, type RowIssue } from './issues.js';

/**
 * Validated rows into the layer, inside the caller's transaction, set-based: the rows go into a
 * staging table a batch per statement, the checks that need the database run over all of it at
 * once (topology, references, whether a target may be changed), and each batch is written by one
 * INSERT … SELECT or UPDATE … FROM. The layer's triggers do what they do for any edit: beat
 * assignment, a history row per changed feature by the acting user, tile-change notes.
 *
 * The write is then checked as the feature API checks one (a planner's rows must lie inside
 * their precinct); rows that fail are taken out and the write is done again from a savepoint,
 * so what remains is exactly the rows that pass.
 */

export interface Ready {
  /** Index of the candidate (staging key) and its row number. */
  index: number;
  row: number;
  action: 'create' | 'update';
  /** The feature updated; for a create, the id drawn for it. */
  target?: number;
  values: PropertyValues;
  geometry?: Geometry;
  rule: WriteRule;
}

export interface Written {
  /** Rows (by index) that created or changed a feature, and rows whose feature was already so. */
  created: Map<number, number>;
  updated: Map<number, number>;
  unchanged: Map<number, number>;
  /** The beat each written feature lies in (layers with units), by feature id. */
  beats: Map<number, string | null>;
  /** Problems found in the database, by row index. */
  problems: Map<number, RowIssue>;
}

const BATCH = 5000;
/** Positions that differ by less than this (degrees, about 2 cm) are the same: files round coordinates. */
export const SAME_POSITION_DEG = 2e-7;

export type Progress = (done: number, total: number) => Promise<void>;

/** Column defaults of a table (`'working'::text`), for rows that leave a property out. */
async function columnDefaults(tx: Queryable, table: string): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ column_name: string; column_default: string | null }>(
    `SELECT column_name, column_default FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND column_default IS NOT NULL`, [table]);
  return new Map(rows.map((r) => [r.column_name, r.column_default!]));
}

/** A point travels as its two numbers (ST_MakePoint is far cheaper than parsing GeoJSON); a shape as GeoJSON. */
function geometryOf(r: Ready): { p?: [number, number]; g?: string } {
  if (!r.geometry) return {};
  return r.geometry.type === 'Point' ? { p: r.geometry.coordinates } : { g: JSON.stringify(r.geometry) };
}

async function stage(tx: Queryable, layer: LayerDef, rows: readonly Ready[]): Promise<void> {
  await tx.exec(`CREATE TEMP TABLE import_rows (
    n int NOT NULL, target bigint NOT NULL, action text NOT NULL, props jsonb NOT NULL, geom geometry
  ) ON COMMIT DROP`);
  const byIndex = new Map(rows.map((r) => [r.index, r]));
  const shape = layer.geometry ? geometryParam(layer, "(e->>'g')") : 'NULL';
  // The sequence is looked up once: pg_get_serial_sequence in the statement ran for every row.
  const sequence = (await tx.query<{ s: string }>(`SELECT pg_get_serial_sequence($1, 'id') AS s`, [layer.table])).rows[0]!.s;
  for (let from = 0; from < rows.length; from += BATCH) {
    const batch = rows.slice(from, from + BATCH).map((r) => ({ n: r.index, target: r.target ?? null, action: r.action, props: r.values, ...geometryOf(r) }));
    // Ids for new features are drawn now, so every row knows its feature before it is written.
    const { rows: drawn } = await tx.query<{ n: number; target: string | number }>(`INSERT INTO import_rows (n, target, action, props, geom)
      SELECT (e->>'n')::int, coalesce((e->>'target')::bigint, nextval($2::regclass)), e->>'action', e->'props',
             CASE WHEN e ? 'p' THEN ST_SetSRID(ST_MakePoint((e->'p'->>0)::float8, (e->'p'->>1)::float8), 4326) WHEN e ? 'g' THEN ${shape} END
        FROM jsonb_array_elements($1::jsonb) e
      RETURNING n, CASE WHEN action = 'create' THEN target END AS target`, [JSON.stringify(batch), sequence]);
    for (const d of drawn) if (d.target !== null) byIndex.get(d.n)!.target = Number(d.target);
  }
  // A new temporary table has no statistics; the joins over it plan badly without them.
  await tx.exec('CREATE INDEX ON import_rows (n); ANALYZE import_rows');
}

/** Takes staged rows out of the import: they are reported, not written. */
export async function leaveOut(tx: Queryable, indexes: Iterable<number>): Promise<void> {
  const list = [...indexes];
  if (list.length) await tx.query('DELETE FROM import_rows WHERE n = ANY($1::int[])', [list]);
}

/** Checks before writing: topology (PostGIS), references, and that each updated feature may be changed. */
async function checkStaged(tx: Queryable, layer: LayerDef, p: Principal, rows: readonly Ready[], problems: Map<number, RowIssue>): Promise<void> {
  if (layer.geometry === 'MultiPolygon') {
    const { rows: invalid } = await tx.query<{ n: number; reason: string }>(
      `SELECT n, reason FROM (SELECT n, ${invalidityReasonSql('geom')} AS reason FROM import_rows WHERE geom IS NOT NULL) s WHERE reason IS NOT NULL`);
    for (const r of invalid) problems.set(r.n, issueOf(invalidGeometry(r.reason)));
  }
  const live = rows.filter((r) => !problems.has(r.index));
  (await referenceProblems(tx, layer, p, live.map((r) => r.values))).forEach((e, i) => { if (e) problems.set(live[i]!.index, issueOf(e)); });
  const updates = live.filter((r) => r.action === 'update' && !problems.has(r.index));
  for (const rule of new Set(updates.map((r) => r.rule))) {
    const mine = updates.filter((r) => r.rule === rule);
    const refused = await unwritableRows(tx, layer, p, mine.map((r) => r.target!), rule.rows);
    for (const r of mine) { const e = refused.get(r.target!); if (e) problems.set(r.index, issueOf(e)); }
  }
  await leaveOut(tx, problems.keys());
}

const UNIT_COLUMNS = 'beat_code, station_code, precinct_code';
/**
 * The units of staged row r, by locate_beat as the trigger finds them. The point is computed
 * once (OFFSET 0 keeps the planner from inlining it into every beat the lookup considers).
 */
const UNITS_OF_ROW = `CROSS JOIN LATERAL (SELECT ST_PointOnSurface(r.geom) AS p OFFSET 0) pos
      LEFT JOIN LATERAL locate_beat(pos.p) u ON true`;
/** Whether a layer's rows carry units derived from their geometry (sql/migrations/005). */
const assignedUnits = (layer: LayerDef) => layer.geometry !== null && property(layer, 'beat_code')?.derived === true;

/** A column's value from the row's properties, or the table's default when the row leaves it out. */
const createValue = (c: string, defaults: Map<string, string>) => (defaults.has(c) ? `coalesce(v.${c}, ${defaults.get(c)})` : `v.${c}`);
const moved = `(NOT ST_OrderingEquals(t.geom, r.geom) AND ST_HausdorffDistance(t.geom, r.geom) > ${SAME_POSITION_DEG})`;

/** Properties a create sets, properties an update may change, and whether the file moves features. */
export interface WriteColumns { create: string[]; update: string[]; geometry: boolean }

async function writeBatches(tx: Queryable, layer: LayerDef, rows: readonly Ready[], columns: WriteColumns,
  defaults: Map<string, string>, progress: Progress): Promise<{ written: Map<number, string | null> }> {
  const t = layer.table;
  const returning = property(layer, 'beat_code')?.derived ? 'RETURNING t.id, t.beat_code' : 'RETURNING t.id, NULL AS beat_code';
  const geom = layer.geometry !== null;
  const moves = geom && columns.geometry;
  const changedIf = [...columns.update.map((c) => `(r.props ? '${c}' AND t.${c} IS DISTINCT FROM v.${c})`), ...(moves ? [`(r.geom IS NOT NULL AND ${moved})`] : [])];
  // Units for new rows come from locate_beat in the statement itself (013_units_given.sql).
  const units = assignedUnits(layer);
  const insert = `INSERT INTO ${t} AS t (id, ${[...columns.create, ...(geom ? ['geom'] : []), ...(units ? [UNIT_COLUMNS] : [])].join(', ')})
    SELECT r.target, ${[...columns.create.map((c) => createValue(c, defaults)), ...(geom ? ['r.geom'] : []), ...(units ? ['u.beat_code, u.station_code, u.precinct_code'] : [])].join(', ')}
      FROM import_rows r CROSS JOIN LATERAL jsonb_populate_record(NULL::${t}, r.props) v
      ${units ? UNITS_OF_ROW : ''}
     WHERE r.action = 'create' AND r.n >= $1 AND r.n < $2 ${returning}`;
  const sets = [...columns.update.map((c) => `${c} = CASE WHEN r.props ? '${c}' THEN v.${c} ELSE t.${c} END`),
    ...(moves ? [`geom = CASE WHEN r.geom IS NOT NULL AND ${moved} THEN r.geom ELSE t.geom END`] : []), NEW_VERSION];
  const update = `UPDATE ${t} t SET ${sets.join(', ')}
      FROM import_rows r CROSS JOIN LATERAL jsonb_populate_record(NULL::${t}, r.props) v
     WHERE t.id = r.target AND r.action = 'update' AND t.deleted_at IS NULL AND r.n >= $1 AND r.n < $2
       AND (${changedIf.join(' OR ') || 'false'}) ${returning}`;
  const written = new Map<number, string | null>();
  const indexes = rows.map((r) => r.index);
  const last = Math.max(-1, ...indexes) + 1;
  for (let from = 0, done = 0; from < last; from += BATCH) {
    if (units) await tx.query(`SELECT set_config('app.units_given', 'on', true)`);
    const { rows: created } = await tx.query<{ id: string | number; beat_code: string | null }>(insert, [from, from + BATCH]);
    if (units) await tx.query(`SELECT set_config('app.units_given', 'off', true)`);
    const { rows: updated } = await tx.query<{ id: string | number; beat_code: string | null }>(update, [from, from + BATCH]);
    for (const r of [...created, ...updated]) written.set(Number(r.id), r.beat_code);
    done += indexes.filter((i) => i >= from && i < from + BATCH).length;
    await progress(done, rows.length);
  }
  return { written };
}

/**
 * Puts the rows into the staging table (drawing the ids of new features) and runs the checks
 * that come before writing. Returns the problems, by row index; those rows are not staged.
 */
export async function stageRows(tx: Queryable, layer: LayerDef, p: Principal, rows: Ready[]): Promise<Map<number, RowIssue>> {
  const problems = new Map<number, RowIssue>();
  await stage(tx, layer, rows);
  await checkStaged(tx, layer, p, rows, problems);
  return problems;
}

/**
 * Writes the staged rows. `columns.update` are the properties the file gives (an update changes
 * only what the file says); creates also set what the rows' fills gave. Rows in `problems` are
 * left out, and the rows the write check refuses are added to it.
 */
export async function writeRows(tx: Queryable, layer: LayerDef, p: Principal, rows: readonly Ready[], columns: WriteColumns,
  problems: Map<number, RowIssue>, progress: Progress): Promise<Written> {
  const defaults = await columnDefaults(tx, layer.table);
  await tx.exec('SAVEPOINT import_write');
  for (;;) {
    const live = rows.filter((r) => !problems.has(r.index));
    const { written } = await writeBatches(tx, layer, live, columns, defaults, progress);
    // The write as the feature API would judge it: each written feature must be one the principal may write.
    const refused = new Map<number, RowIssue>();
    for (const rule of new Set(live.map((r) => r.rule))) {
      const mine = live.filter((r) => r.rule === rule && written.has(r.target!));
      const bad = await unwritableRows(tx, layer, p, mine.map((r) => r.target!), rule.rows);
      for (const r of mine) { const e = bad.get(r.target!); if (e) refused.set(r.index, issueOf(e)); }
    }
    if (refused.size === 0) {
      const result: Written = { created: new Map(), updated: new Map(), unchanged: new Map(), beats: written, problems };
      for (const r of live) {
        const into = r.action === 'create' ? result.created : written.has(r.target!) ? result.updated : result.unchanged;
        into.set(r.index, r.target!);
      }
      return result;
    }
    await tx.exec('ROLLBACK TO SAVEPOINT import_write');
    for (const [i, e] of refused) problems.set(i, e);
    await leaveOut(tx, refused.keys());
  }
}

/** Within this many metres, a new feature with the same label as another is likely the same one. */
const DUPLICATE_METRES = 20;

/** A row that likely repeats a feature: the warning, and the feature (when it repeats one that exists, not an earlier row). */
export interface LikelyDuplicate { warning: RowIssue; existing?: number }

/**
 * Rows that create a feature much like one that exists (same label, within 20 m or overlapping;
 * for a layer with a time, at the same time) or like an earlier row of the file: a warning, since
 * a register without ids gives no other way to tell. Only features the principal may read count.
 */
export async function likelyDuplicates(tx: Queryable, layer: LayerDef, p: Principal, rowOf: (index: number) => number): Promise<Map<number, LikelyDuplicate>> {
  const out = new Map<number, LikelyDuplicate>();
  if (!layer.geometry) return out;
  const { label, temporal } = layer;
  const near = (a: string, b: string) => layer.geometry === 'Point'
    ? `${a}.geom && ST_Expand(${b}.geom, 0.001) AND ST_DWithin(${a}.geom::geography, ${b}.geom::geography, ${DUPLICATE_METRES})`
    : `ST_Intersects(${a}.geom, ${b}.geom)`;
  const params: unknown[] = [];
  const readable = readableRows(layer, p, params);
  // A join on the label first (a hash join), then the distance: far cheaper than a nearest-
  // neighbour probe for each of 100,000 rows, since few rows share a label with a feature.
  const { rows: existing } = await tx.query<{ n: number; id: string | number; metres: number }>(
    `SELECT DISTINCT ON (r.n) r.n, t.id, round(ST_Distance(t.geom::geography, r.geom::geography))::int AS metres
       FROM import_rows r JOIN ${layer.table} t ON t.${label}::text = r.props->>'${label}'
      WHERE r.action = 'create' AND t.deleted_at IS NULL AND ${readable}
        ${temporal ? `AND t.${temporal} = (r.props->>'${temporal}')::timestamptz` : ''}
        AND ${near('t', 'r')}
      ORDER BY r.n, ST_Distance(t.geom, r.geom)`, params);
  // What the two have in common, in words: 「名稱」, or 「案類」與「發生時間」.
  const same = [label, temporal].filter((name): name is string => name !== undefined).map((name) => `「${property(layer, name)?.label ?? name}」`).join('與');
  for (const r of existing) {
    out.set(r.n, { warning: rowIssue('possible_duplicate', { same, id: r.id, metres: r.metres }, { field: 'geometry' }), existing: Number(r.id) });
  }
  const { rows: inFile } = await tx.query<{ n: number; first: number }>(
    `SELECT b.n, min(a.n) AS first FROM import_rows a JOIN import_rows b
        ON a.n < b.n AND a.action = 'create' AND b.action = 'create' AND a.props->>'${label}' = b.props->>'${label}'
       ${temporal ? `AND (a.props->>'${temporal}')::timestamptz = (b.props->>'${temporal}')::timestamptz` : ''}
       AND ${near('a', 'b')}
     GROUP BY b.n`);
  for (const r of inFile) {
    if (!out.has(r.n)) out.set(r.n, { warning: rowIssue('possible_duplicate', { same, row: rowOf(r.first) }, { field: 'geometry' }) });
  }
  return out;
}
