import type { Queryable } from '../db/db.js';
import { oneRow } from '../db/one-row.js';
import { rowIssue } from './issues.js';
import { LAYERS, property } from '../layers/registry.js';
import type { LayerDef } from '../layers/types.js';
import type { RowIssue } from './issues.js';

/**
 * Imports of police units (precincts, stations, beats). The triggers of
 * sql/migrations/005_unit_assignment.sql re-assign every feature under a changed unit in the
 * same transaction; this module reports what moved, and refuses a new set of boundaries that
 * leaves gaps between units or lets them overlap by more than a tolerance, naming the units
 * and the place.
 */

/** A unit's parent must exist: a beat's station, a station's precinct, a precinct's bureau. */
const PARENTS: Record<string, { property: string; layer: string }> = {
  beats: { property: 'station_code', layer: 'stations' },
  stations: { property: 'precinct_code', layer: 'precincts' },
  precincts: { property: 'bureau_code', layer: 'bureaus' },
};

/** The unit code each feature carries for a unit layer. */
const CODE_COLUMN: Record<string, string> = { beats: 'beat_code', stations: 'station_code', precincts: 'precinct_code' };

/** Layers whose rows carry their beat, station and precinct (derived from their position). */
const ASSIGNED = LAYERS.filter((l) => l.geometry && property(l, 'beat_code')?.derived);

/** Default for `tolerance`: slivers and overlaps smaller than this (m²) are digitising slack. */
export const DEFAULT_TOLERANCE_M2 = 10;
/** Largest `tolerance` (100 km²): real files have gaps of several km² (臺南's 一級發布區 leave one of 2.6 km²). */
export const MAX_TOLERANCE_M2 = 100_000_000;

/** Where an import's tolerance came from: the request, the source's last import, or the default. */
export type ToleranceFrom = 'parameter' | 'saved' | 'default';

export interface Move { layer: string; from: string | null; to: string | null; count: number }
export interface Gap { m2: number; at: [number, number]; between: string[] }
export interface Overlap { units: [string, string]; m2: number; at: [number, number] }

export interface UnitsReport {
  /** Features whose unit changed, by layer and from → to. */
  moves: Move[];
  moved: number;
  gaps: Gap[];
  overlaps: Overlap[];
  toleranceM2: number;
  toleranceFrom: ToleranceFrom;
}

/** Rows whose parent unit does not exist (checked in the transaction, so a file may follow another). */
export async function missingParents(tx: Queryable, layer: LayerDef, codes: readonly (string | undefined)[]): Promise<Map<number, RowIssue>> {
  const parent = PARENTS[layer.id];
  const out = new Map<number, RowIssue>();
  if (!parent) return out;
  const wanted = [...new Set(codes.filter((c): c is string => typeof c === 'string'))];
  const parentLayer = LAYERS.find((l) => l.id === parent.layer)!;
  const table = parentLayer.table;
  const { rows } = await tx.query<{ code: string }>(
    `SELECT c AS code FROM unnest($1::text[]) c WHERE NOT EXISTS (SELECT 1 FROM ${table} u WHERE u.code = c AND u.deleted_at IS NULL)`, [wanted]);
  const missing = new Set(rows.map((r) => r.code));
  codes.forEach((c, i) => {
    if (c !== undefined && missing.has(c)) {
      out.set(i, rowIssue('parent_unit_missing', { label: property(layer, parent.property)?.label ?? parent.property, name: parent.property, code: c, unit: parentLayer.title },
        { field: `properties.${parent.property}` }));
    }
  });
  return out;
}

/** Remembers every assigned feature's unit before the write, to report moves after it. */
export async function rememberUnits(tx: Queryable, layer: LayerDef): Promise<void> {
  const column = CODE_COLUMN[layer.id];
  if (!column) return;
  await tx.exec(`CREATE TEMP TABLE import_units_before ON COMMIT DROP AS
    ${ASSIGNED.map((l) => `SELECT '${l.id}'::text AS layer, id, ${column} AS code FROM ${l.table} WHERE deleted_at IS NULL`).join(' UNION ALL ')}`);
}

async function movesSince(tx: Queryable, layer: LayerDef): Promise<Move[]> {
  const column = CODE_COLUMN[layer.id]!;
  const { rows } = await tx.query<Move>(`
    SELECT b.layer, b.code AS "from", n.code AS "to", count(*)::int AS count
      FROM import_units_before b
      JOIN (${ASSIGNED.map((l) => `SELECT '${l.id}'::text AS layer, id, ${column} AS code FROM ${l.table}`).join(' UNION ALL ')}) n
        ON n.layer = b.layer AND n.id = b.id
     WHERE n.code IS DISTINCT FROM b.code
     GROUP BY 1, 2, 3 ORDER BY 1, 2 NULLS FIRST, 3 NULLS FIRST`);
  return rows;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Slits narrower than twice this (m) between units are sealed before holes are looked for, so a
 * hole joined to the outside by a digitising slit is still found (and the slit counted with it).
 */
const SEAL_M = 1;
/**
 * Corners kept sharp both ways: with GEOS's default mitre limit, the tip of a narrow inlet of the
 * outline (5°) came back bevelled and its tip counted as a gap of 14 m² where there is none.
 */
const SEAL_JOIN = 'join=mitre mitre_limit=1000';

/**
 * Overlaps between units of the layer where at least one was written, and gaps touching what
 * changed (the new shapes, the old shapes of updated units and the shapes of deleted ones, all
 * given by id in `changed`; old shapes are in `before`). A gap is a piece of what the units leave
 * uncovered inside their outline: holes they enclose, less any unit lying inside a hole (so a
 * beat shrunk by 20 m leaves a gap of the ring around it, not of the whole hole), and slits
 * between neighbours. Areas are planar in TWD97 TM2 (EPSG:3826), as surveyors measure them.
 */
async function boundaryProblems(tx: Queryable, layer: LayerDef, changed: readonly number[], toleranceM2: number): Promise<{ gaps: Gap[]; overlaps: Overlap[] }> {
  const t = layer.table;
  // Overlays are snap-rounded to a fixed grid (about 0.1 mm: 1e-9° in degrees, 1e-5 m in TM2),
  // which GEOS computes robustly: a floating-point overlay can fail on nearly coincident edges.
  const { overlaps } = await oneRow<{ overlaps: { a: string; b: string; m2: number; lon: number; lat: number }[] }>(tx, 'overlap check', `
    SELECT coalesce(json_agg(json_build_object('a', a, 'b', b, 'm2', m2, 'lon', ST_X(p), 'lat', ST_Y(p)) ORDER BY m2 DESC)
                      FILTER (WHERE m2 > $2), '[]') AS overlaps FROM (
      SELECT a.code AS a, b.code AS b, ST_Area(ST_Transform(i.g, 3826)) AS m2, ST_PointOnSurface(i.g) AS p
        FROM ${t} a JOIN ${t} b ON a.geom && b.geom AND a.code < b.code
        CROSS JOIN LATERAL (SELECT ST_CollectionExtract(ST_Intersection(a.geom, b.geom, 1e-9), 3) AS g) i
       WHERE a.deleted_at IS NULL AND b.deleted_at IS NULL AND (a.id = ANY($1::bigint[]) OR b.id = ANY($1::bigint[]))
         AND ST_Relate(a.geom, b.geom, '2********')) s`, [changed, toleranceM2]);
  const { gaps } = await oneRow<{ gaps: { m2: number; lon: number; lat: number; between: string[] }[] }>(tx, 'gap check', `
    WITH area AS (
      SELECT ST_Union(g) AS g FROM (
        SELECT geom AS g FROM ${t} WHERE id = ANY($1::bigint[])
        UNION ALL SELECT geom FROM import_units_old) s),
    cover AS (
      SELECT ST_Transform(ST_Union(u.geom), 3826) AS g FROM ${t} u, area
       WHERE u.deleted_at IS NULL AND u.geom && ST_Expand(area.g, 0.02)),
    outline AS (
      SELECT ST_Union(ST_MakePolygon(ST_ExteriorRing(d.geom))) AS g
        FROM cover, LATERAL ST_Dump(ST_Buffer(ST_Buffer(cover.g, ${SEAL_M}, '${SEAL_JOIN}'), -${SEAL_M}, '${SEAL_JOIN}')) d),
    pieces AS (
      SELECT p.geom AS g, ST_Transform(p.geom, 4326) AS g4326 FROM outline, cover, LATERAL ST_Dump(ST_Difference(outline.g, cover.g, 1e-5)) p
       WHERE ST_Area(p.geom) > $2)
    SELECT coalesce(json_agg(json_build_object(
             'm2', ST_Area(h.g), 'lon', ST_X(ST_PointOnSurface(h.g4326)), 'lat', ST_Y(ST_PointOnSurface(h.g4326)),
             'between', ARRAY(SELECT u.code FROM ${t} u WHERE u.deleted_at IS NULL AND u.geom && ST_Expand(h.g4326, 0.00001)
                                 AND ST_DWithin(u.geom, h.g4326, 0.000001) ORDER BY u.code)) ORDER BY ST_Area(h.g) DESC), '[]') AS gaps
      FROM pieces h, area WHERE ST_DWithin(h.g4326, area.g, 0.000001)`, [changed, toleranceM2]);
  const at = (r: { lon: number; lat: number }): [number, number] => [Math.round(r.lon * 1e6) / 1e6, Math.round(r.lat * 1e6) / 1e6];
  return {
    overlaps: overlaps.map((r) => ({ units: [r.a, r.b], m2: round(r.m2), at: at(r) })),
    gaps: gaps.map((r) => ({ m2: round(r.m2), at: at(r), between: r.between })),
  };
}

/** Keeps the shapes updated or deleted units had before the write, for the gap check. */
export async function rememberShapes(tx: Queryable, layer: LayerDef, ids: readonly number[]): Promise<void> {
  if (!layer.geometry) return;
  await tx.query(`CREATE TEMP TABLE import_units_old ON COMMIT DROP AS SELECT geom FROM ${layer.table} WHERE id = ANY($1::bigint[])`, [ids]);
}

export async function unitsReport(tx: Queryable, layer: LayerDef, changed: readonly number[],
  { m2: toleranceM2, from: toleranceFrom }: { m2: number; from: ToleranceFrom }): Promise<UnitsReport | undefined> {
  if (!CODE_COLUMN[layer.id]) return undefined;
  const moves = await movesSince(tx, layer);
  const { gaps, overlaps } = changed.length ? await boundaryProblems(tx, layer, changed, toleranceM2) : { gaps: [], overlaps: [] };
  return { moves, moved: moves.reduce((n, m) => n + m.count, 0), gaps, overlaps, toleranceM2, toleranceFrom };
}

/** File-level refusals for a report: each gap and overlap beyond the tolerance, in words. */
export function boundaryIssues(r: UnitsReport | undefined, layer: LayerDef): RowIssue[] {
  if (!r) return [];
  return [
    ...r.overlaps.map((o) => rowIssue('units_overlap', { unit: layer.title, a: o.units[0], b: o.units[1], m2: o.m2, lon: o.at[0], lat: o.at[1], tolerance: r.toleranceM2 }, { field: 'geometry' })),
    ...r.gaps.map((g) => rowIssue('units_gap', { unit: layer.title, m2: g.m2, lon: g.at[0], lat: g.at[1], between: g.between, tolerance: r.toleranceM2 }, { field: 'geometry' })),
  ];
}
