import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/db.js';
import { roleAccess, rowsWhere } from '../../layers/access.js';
import { findLayer } from '../../layers/registry.js';
import { PointBuckets } from '../buckets.js';
import type { Scope } from '../scope.js';

/**
 * Risk-terrain covariates of each cell from the map's own layers (in the manner of Caplan &
 * Kennedy's Risk Terrain Modeling): how many key places of each group, cameras and basic
 * statistical areas (the block fabric: many small areas mean dense streets and housing) lie
 * within RADIUS_M of the cell's centre, and whether the centre lies in a 守望相助 block.
 * Counts enter the model as log(1 + n). Only rows the caller may read count.
 */
export const RADIUS_M = 250;

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

/** Points of a layer in the scope that the caller may read (none when they may read none). */
async function pointsOf(db: Queryable, p: Principal, scope: Scope, layerId: string, kind: string): Promise<Located[]> {
  const layer = findLayer(layerId)!;
  const conditions = roleAccess(layer, p)?.read;
  if (!conditions) return [];
  const params: unknown[] = [];
  const where = [`t.deleted_at IS NULL`, rowsWhere(layer, conditions, p, params, 't')];
  params.push(scope.geom);
  where.push(`ST_Intersects(t.geom, $${params.length}::geometry)`);
  const { rows } = await db.query<Located>(
    `SELECT ST_X(g) AS x, ST_Y(g) AS y, ${kind} AS kind
       FROM ${layer.table} t CROSS JOIN LATERAL (SELECT ST_Transform(ST_PointOnSurface(t.geom), 3826) AS g) s
      WHERE ${where.join(' AND ')}`, params);
  return rows;
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

export async function riskTerrain(db: Queryable, p: Principal, scope: Scope, cx: Float64Array, cy: Float64Array): Promise<Covariate[]> {
  const places = await pointsOf(db, p, scope, 'key-places', 't.category');
  const covariates: Covariate[] = PLACE_GROUPS.map((g) => ({
    key: g.key, label: g.label, values: nearCounts(places.filter((q) => g.categories.includes(q.kind)), cx, cy),
  }));
  covariates.push({ key: 'cameras', label: '監視器', values: nearCounts(await pointsOf(db, p, scope, 'cameras', `''`), cx, cy) });
  covariates.push({ key: 'blocks', label: '最小統計區（街廓密度）', values: nearCounts(await pointsOf(db, p, scope, 'blocks', `''`), cx, cy) });
  const watch = findLayer('watch-blocks')!;
  const conditions = roleAccess(watch, p)?.read;
  const inside = new Float64Array(cx.length);
  if (conditions) {
    const params: unknown[] = [Array.from(cx), Array.from(cy)];
    const { rows } = await db.query<{ n: number }>(
      `SELECT c.n::int - 1 AS n
         FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS c(x, y, n)
        WHERE EXISTS (SELECT 1 FROM watch_blocks t
                       WHERE t.deleted_at IS NULL AND ${rowsWhere(watch, conditions, p, params, 't')}
                         AND ST_Intersects(t.geom, ST_Transform(ST_SetSRID(ST_MakePoint(c.x, c.y), 3826), 4326)))`, params);
    for (const r of rows) inside[r.n] = 1;
  }
  covariates.push({ key: 'watch_blocks', label: '守望相助治安區塊內', values: inside });
  return covariates;
}
