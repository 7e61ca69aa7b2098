import { refusal } from '../http/messages.js';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { parseBbox } from '../geo/bbox.js';
import { GeometryError, parseGeometry } from '../geo/geojson.js';
import { positionProblemCode } from '../geo/taiwan.js';
import { assertValidShape } from '../geo/validity.js';
import { HttpError } from '../http/errors.js';
import { json, text } from './params.js';

/**
 * The area an analysis covers: a bbox, a beat, station or precinct (by code), or a polygon, at
 * most one of them. Without one it is the caller's own area: a planner's or officer's precinct,
 * a community account's area, else the whole city (every precinct). A planner's or officer's
 * scope is cut to their precinct; a community account's new-site scope to its area.
 */
const code = z.string().min(1).max(40);
export const SCOPE_PARAMS = {
  bbox: text.optional(),
  beat: code.optional(),
  station: code.optional(),
  precinct: code.optional(),
  polygon: json(z.unknown()).optional(),
};
type ScopeParams = { bbox?: string; beat?: string; station?: string; precinct?: string; polygon?: unknown };

const UNIT_TABLES = { beat: 'beats', station: 'stations', precinct: 'precincts' } as const;
/** What people call each kind of scope, in refusals. */
const UNIT_NAMES = { beat: '警勤區', station: '派出所', precinct: '分局' } as const;
const SCOPE_NAMES = { ...UNIT_NAMES, bbox: '範圍', polygon: '多邊形' } as const;

export interface Scope {
  /** What was asked for: `beat`, `bbox`, …, or `default`. */
  readonly kind: 'bbox' | 'beat' | 'station' | 'precinct' | 'polygon' | 'default';
  readonly code: string | null;
  /** The area as hex EWKB (SRID 4326): bind it as `$n::geometry`. */
  readonly geom: string;
  readonly areaM2: number;
  /** [minX, minY, maxX, maxY] in EPSG:3826 metres. */
  readonly bounds: readonly [number, number, number, number];
  /** SQL selecting the rows of a unit-assigned table (alias) that lie in the scope. */
  rows(alias: string, params: unknown[]): string;
}

export interface ScopeOptions {
  /** Cut a community account's scope to its area (new-site suggestions). */
  readonly communityArea?: boolean;
}

/** The caller's own area as SQL (SRID 4326), or null for none. */
function ownArea(p: Principal, opts: ScopeOptions, params: unknown[]): string | null {
  if ((p.role === 'planner' || p.role === 'officer') && p.precinctCode) {
    params.push(p.precinctCode);
    return `(SELECT geom FROM precincts WHERE code = $${params.length} AND deleted_at IS NULL)`;
  }
  if (p.role === 'community' && opts.communityArea && p.userId !== null) {
    params.push(p.userId);
    return `(SELECT area FROM users WHERE id = $${params.length})`;
  }
  return null;
}

function polygonOf(input: unknown) {
  try {
    return parseGeometry(input, 'MultiPolygon');
  } catch (err) {
    if (err instanceof GeometryError) throw new HttpError(400, err.code, err.message, err.path.replace(/^geometry/, 'polygon'));
    throw err;
  }
}

/** The requested area as SQL, with its parameters appended. */
async function requested(db: Queryable, p: Principal, q: ScopeParams, params: unknown[]): Promise<{ kind: Scope['kind']; code: string | null; sql: string }> {
  const given = (['bbox', 'beat', 'station', 'precinct', 'polygon'] as const).filter((k) => q[k] !== undefined);
  if (given.length > 1) throw refusal(400, 'analysis_one_scope', { given }, { field: given[1] });
  const kind = given[0];
  if (kind === 'bbox') {
    const b = parseBbox(q.bbox!);
    for (const [lon, lat] of [[b[0], b[1]], [b[2], b[3]]] as const) {
      // A box's corners may lie at sea or abroad (one around 金門 reaches the mainland); swapped or in metres they may not.
      const problem = positionProblemCode(lon, lat);
      if (problem && problem !== 'position_outside_taiwan') throw refusal(400, problem, { lon, lat, what: 'bbox 的角' }, { field: 'bbox' });
    }
    params.push(...b);
    const n = params.length;
    return { kind, code: null, sql: `ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, 4326)` };
  }
  if (kind === 'polygon') {
    const g = polygonOf(q.polygon);
    await assertValidShape(db, g, 'polygon');
    params.push(JSON.stringify(g));
    return { kind, code: null, sql: `ST_Multi(ST_SetSRID(ST_GeomFromGeoJSON($${params.length}::text), 4326))` };
  }
  if (kind) {
    const table = UNIT_TABLES[kind];
    const { rows } = await db.query(`SELECT 1 FROM ${table} WHERE code = $1 AND deleted_at IS NULL`, [q[kind]]);
    if (rows.length === 0) throw refusal(400, 'analysis_unit_unknown', { unit: UNIT_NAMES[kind], code: q[kind]!, table }, { field: kind });
    params.push(q[kind]);
    return { kind, code: q[kind]!, sql: `(SELECT geom FROM ${table} WHERE code = $${params.length} AND deleted_at IS NULL)` };
  }
  if (p.role === 'community' && p.userId !== null) {
    params.push(p.userId);
    return { kind: 'default', code: null, sql: `(SELECT area FROM users WHERE id = $${params.length})` };
  }
  return { kind: 'default', code: null, sql: `(SELECT ST_Union(geom) FROM precincts WHERE deleted_at IS NULL)` };
}

export async function resolveScope(db: Queryable, p: Principal, q: ScopeParams, opts: ScopeOptions = {}): Promise<Scope> {
  const params: unknown[] = [];
  const asked = await requested(db, p, q, params);
  const own = ownArea(p, opts, params);
  // Cut only what sticks out, so a beat inside a precinct stays that beat exactly.
  const area = own ? `CASE WHEN ST_CoveredBy(a.g, ${own}) THEN a.g ELSE ST_Intersection(a.g, ${own}) END` : 'a.g';
  const { rows } = await db.query<{ geom: string | null; area: number | null; cut: boolean; x0: number; y0: number; x1: number; y1: number }>(
    `SELECT ST_AsHexEWKB(s.g) AS geom, ST_Area(ST_Transform(s.g, 3826)) AS area, NOT ST_Equals(s.g, s.a) AS cut,
            ST_XMin(b) AS x0, ST_YMin(b) AS y0, ST_XMax(b) AS x1, ST_YMax(b) AS y1
       FROM (SELECT ST_Multi(ST_CollectionExtract(${area}, 3)) AS g, a.g AS a FROM (SELECT ${asked.sql} AS g) a) s,
            LATERAL (SELECT ST_Transform(s.g, 3826)::box2d AS b) bb`, params);
  const r = rows[0];
  if (!r?.geom || !r.area || r.area < 1) {
    const where = asked.kind === 'default' ? '你的範圍' : `這個${SCOPE_NAMES[asked.kind]}`;
    const field = { field: asked.kind === 'default' ? undefined : asked.kind };
    if (own && p.role !== 'community') throw refusal(403, 'analysis_outside_precinct', { where, precinct: p.precinctCode ?? '' }, field);
    if (own) throw refusal(403, 'analysis_outside_area', { where }, field);
    throw refusal(400, 'analysis_empty_scope', { where }, field);
  }
  const unit = asked.kind === 'beat' || asked.kind === 'station' || asked.kind === 'precinct';
  const geom = r.geom;
  return {
    kind: asked.kind,
    code: asked.code,
    geom,
    areaM2: r.area,
    bounds: [r.x0, r.y0, r.x1, r.y1],
    // A whole unit selects by the codes the database keeps (and its boundary rule); anything
    // else by where the rows lie.
    rows: (alias, ps) => {
      if (unit && !r.cut) {
        ps.push(asked.code);
        return `${alias}.${asked.kind}_code = $${ps.length}`;
      }
      ps.push(geom);
      return `ST_Intersects(${alias}.geom, $${ps.length}::geometry)`;
    },
  };
}

/** A scope's description in answers. */
export const describeScope = (s: Scope) => ({ kind: s.kind, code: s.code, areaM2: round(s.areaM2, 1) });

export const round = (x: number, digits = 0) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
