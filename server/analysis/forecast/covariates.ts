import { bbox, booleanPointInPolygon } from '@turf/turf';
import type { MultiPolygon } from 'geojson';
import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/db.js';
import { roleAccess, rowsWhere } from '../../layers/access.js';
import { findLayer } from '../../layers/registry.js';
import { PointBuckets } from '../buckets.js';
import { sqlInstant } from '../incidents.js';
import type { Scope } from '../scope.js';

/**
 * Risk-terrain covariates of each cell from the map's own layers (in the manner of Caplan &
 * Kennedy's Risk Terrain Modeling): how many key places of each group, cameras and basic
 * statistical areas (the block fabric: many small areas mean dense streets and housing) lie
 * within RADIUS_M of the cell's centre, and whether the centre lies in a 守望相助 block.
 * Counts enter the model as log(1 + n). Only rows the caller may read count.
 */
const RADIUS_M = 250;

/** Key-place categories grouped so that each group has enough places to learn from. */
const PLACE_GROUPS: readonly { key: string; label: string; categories: readonly string[] }[] = [
  { key: 'places_entertainment', label: '八大行業', categories: ['dance_hall', 'dance_venue', 'hostess_bar', 'bar', 'special_cafe', 'ktv', 'barber_massage', 'sauna'] },
  { key: 'places_rental', label: '出租大樓與分租套房', categories: ['rental_building', 'subdivided_house'] },
  { key: 'places_derelict', label: '空屋、工寮、廢棄工廠與鐵皮屋', categories: ['vacant_house', 'work_shed', 'abandoned_factory', 'iron_sheet_house'] },
  { key: 'places_goods', label: '易銷贓與財物匯集處所', categories: ['fencing_outlet', 'cash_hub'] },
  { key: 'places_prior', label: '曾遭查獲違法（規）地點', categories: ['prior_violation'] },
];

export interface Covariate {
  readonly key: string;
  /** What it is, for people. */
  readonly label: string;
  readonly values: Float64Array;
}

interface Located { x: number; y: number; kind: string }

/**
 * What a layer held at an instant, for layers that change: key places listed then, cameras and
 * watch blocks created by then. The block fabric (the statistical areas of 2018) is taken as it is.
 */
const AS_OF: Record<string, (at: string) => string> = {
  'key-places': (at) => `t.listed_on <= (${at})::date AND (t.delisted_on IS NULL OR t.delisted_on > (${at})::date)`,
  cameras: (at) => `t.created_at <= ${at}`,
  'watch-blocks': (at) => `t.created_at <= ${at}`,
};

/**
 * SQL conditions on `t` for the rows of a layer in the scope that the caller may read, as they
 * stood at `asOf` (epoch ms) when given; null when they may read none.
 */
function readableInScope(layerId: string, p: Principal, scope: Scope, params: unknown[], asOf?: number): { table: string; where: string } | null {
  const layer = findLayer(layerId)!;
  const conditions = roleAccess(layer, p)?.read;
  if (!conditions) return null;
  const where = [`t.deleted_at IS NULL`, rowsWhere(layer, conditions, p, params, 't')];
  params.push(scope.geom);
  where.push(`ST_Intersects(t.geom, $${params.length}::geometry)`);
  const then = AS_OF[layerId];
  if (asOf !== undefined && then) where.push(then(sqlInstant(asOf, params)));
  return { table: layer.table, where: where.join(' AND ') };
}

/** Points of a layer in the scope that the caller may read, in TWD97 metres, with `kind`. */
async function pointsOf(db: Queryable, p: Principal, scope: Scope, layerId: string, kind: string, asOf?: number): Promise<Located[]> {
  const params: unknown[] = [];
  const rows = readableInScope(layerId, p, scope, params, asOf);
  if (!rows) return [];
  return (await db.query<Located>(
    `SELECT ST_X(g) AS x, ST_Y(g) AS y, ${kind} AS kind
       FROM ${rows.table} t CROSS JOIN LATERAL (SELECT ST_Transform(ST_PointOnSurface(t.geom), 3826) AS g) s
      WHERE ${rows.where}`, params)).rows;
}

/**
 * The areas of a layer in the scope that the caller may read, in TWD97 metres: point-in-polygon
 * on a few hundred areas is quicker here than thousands of cell centres sent to the database.
 */
async function areasOf(db: Queryable, p: Principal, scope: Scope, layerId: string, asOf?: number): Promise<MultiPolygon[]> {
  const params: unknown[] = [];
  const rows = readableInScope(layerId, p, scope, params, asOf);
  if (!rows) return [];
  return (await db.query<{ g: MultiPolygon }>(
    `SELECT ST_AsGeoJSON(ST_Multi(ST_Transform(t.geom, 3826)))::json AS g FROM ${rows.table} t WHERE ${rows.where}`, params)).rows.map((r) => r.g);
}

/** How many of `points` lie within RADIUS_M of each centre, as log(1 + n). */
function nearCounts(points: readonly Located[], cx: Float64Array, cy: Float64Array): Float64Array {
  const buckets = new PointBuckets(points.map((q) => q.x), points.map((q) => q.y), RADIUS_M);
  const r2 = RADIUS_M * RADIUS_M;
  return Float64Array.from(cx, (x, c) => {
    let n = 0;
    buckets.near(x, cy[c]!, (i) => {
      if ((points[i]!.x - x) ** 2 + (points[i]!.y - cy[c]!) ** 2 <= r2) n++;
    });
    return Math.log1p(n);
  });
}

/** The covariates of the cells centred at (cx, cy), from the layers as they stood at `asOf` (default: now). */
export async function riskTerrain(db: Queryable, p: Principal, scope: Scope, cx: Float64Array, cy: Float64Array, asOf?: number): Promise<Covariate[]> {
  const places = await pointsOf(db, p, scope, 'key-places', 't.category', asOf);
  const covariates: Covariate[] = PLACE_GROUPS.map((g) => ({
    key: g.key, label: g.label, values: nearCounts(places.filter((q) => g.categories.includes(q.kind)), cx, cy),
  }));
  covariates.push({ key: 'cameras', label: '監視器', values: nearCounts(await pointsOf(db, p, scope, 'cameras', `''`, asOf), cx, cy) });
  covariates.push({ key: 'blocks', label: '最小統計區（街廓密度）', values: nearCounts(await pointsOf(db, p, scope, 'blocks', `''`, asOf), cx, cy) });
  const inside = new Float64Array(cx.length);
  for (const block of await areasOf(db, p, scope, 'watch-blocks', asOf)) {
    const [x0, y0, x1, y1] = bbox(block);
    for (let c = 0; c < cx.length; c++) {
      if (inside[c] || cx[c]! < x0 || cx[c]! > x1 || cy[c]! < y0 || cy[c]! > y1) continue;
      if (booleanPointInPolygon([cx[c]!, cy[c]!], block)) inside[c] = 1;
    }
  }
  covariates.push({ key: 'watch_blocks', label: '守望相助治安區塊內', values: inside });
  return covariates;
}
