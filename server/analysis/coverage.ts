import { refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { canRead, readableRows } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { describeDisclosure, disclosureFor, incidentFilterFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, type IncidentFilter } from './incidents.js';
import { parseParams } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS, type Scope } from './scope.js';

/**
 * Camera coverage of a scope, from the camera-coverage layer (sectors cut by buildings, kept
 * by the database): the share of the scope's area working cameras see, the share of incidents
 * inside that, the key places in view (police accounts), and what broken or offline cameras
 * would see that no working camera does (their lost coverage). Areas are measured in TWD97.
 * Only the cameras the caller may read count. Outsiders get no incident figures here: whether an
 * incident lies in a camera's view is finer than anything the published table holds.
 */
export const COVERAGE_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS };

const COVERAGE = findLayer('camera-coverage')!;
const KEY_PLACES = findLayer('key-places')!;

/** SQL condition: coverage row `cc` is one the caller may read. */
function visibleCoverage(p: Principal, params: unknown[], alias = 'cc'): string {
  if (!canRead(COVERAGE, p)) throw refusal(404, 'analysis_not_for_role', undefined);
  return `${alias}.deleted_at IS NULL AND ${readableRows(COVERAGE, p, params, alias)}`;
}

/** SQL of the coverage rows the caller may read that meet the scope, as `cov`, with `s` and their unions `seen`. */
function coverageRows(p: Principal, scope: Scope, params: unknown[]): string {
  const visible = visibleCoverage(p, params);
  params.push(scope.geom);
  const g = `$${params.length}::geometry`;
  return `cov AS (SELECT cc.id, cc.status, cc.geom, ST_Transform(cc.geom, 3826) AS m FROM camera_coverage cc
                   WHERE ${visible} AND cc.geom && ${g} AND ST_Intersects(cc.geom, ${g})),
          s AS (SELECT ${g} AS g, ST_Transform(${g}, 3826) AS m),
          seen AS (SELECT ST_Union(m) FILTER (WHERE status = 'working') AS w,
                          ST_Union(m) FILTER (WHERE status <> 'working') AS o FROM cov),
          -- What only non-working cameras would see: their views less the working views that
          -- meet them (a small union: subtracting the whole working union is much slower).
          lost AS (SELECT ST_Difference(seen.o, coalesce((SELECT ST_Union(c.m) FROM cov c WHERE c.status = 'working'
                            AND EXISTS (SELECT 1 FROM cov b WHERE b.status <> 'working' AND b.m && c.m)),
                          ST_SetSRID('GEOMETRYCOLLECTION EMPTY'::geometry, 3826))) AS l FROM seen)`;
}

/** SQL: whether a camera the caller may read, working or not (`working`), sees point `geom`. */
function seenBy(p: Principal, params: unknown[], geom: string, working: boolean): string {
  return `EXISTS (SELECT 1 FROM camera_coverage cc WHERE ${visibleCoverage(p, params)} AND cc.status ${working ? '=' : '<>'} 'working'
                   AND cc.geom && ${geom} AND ST_Intersects(cc.geom, ${geom}))`;
}

/** Incidents in the scope; in working coverage; in what only non-working cameras would see. */
async function incidentsSeen(db: Queryable, p: Principal, filter: IncidentFilter, scope: Scope) {
  // Tested row by row against the coverage table's index, not against the unions.
  const ip: unknown[] = [];
  const where = [...incidentConditions(p, filter, filter.period, ip), scope.rows('i', ip)];
  const working = seenBy(p, ip, 'i.geom', true);
  const other = seenBy(p, ip, 'i.geom', false);
  const { rows: [inc] } = await db.query<{ total: number; covered: number; lost: number }>(
    `SELECT count(*)::int AS total, count(*) FILTER (WHERE w)::int AS covered, count(*) FILTER (WHERE o AND NOT w)::int AS lost
       FROM (SELECT ${working} AS w, ${other} AS o FROM incidents i WHERE ${where.join(' AND ')}) x`, ip);
  return { total: inc!.total, covered: inc!.covered, inLostCoverage: inc!.lost, coveredShare: inc!.total ? round(inc!.covered / inc!.total, 4) : null };
}

export async function coverageStats(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(COVERAGE_PARAMS, input);
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  const scope = await resolveScope(db, p, q);
  const params: unknown[] = [];
  const cte = coverageRows(p, scope, params);
  const { rows: [area] } = await db.query<{ total: number; working: number; broken: number; offline: number; covered: number | null; lost: number | null }>(
    `WITH ${cte}
     SELECT (SELECT count(*)::int FROM cov) AS total,
            (SELECT count(*)::int FROM cov WHERE status = 'working') AS working,
            (SELECT count(*)::int FROM cov WHERE status = 'broken') AS broken,
            (SELECT count(*)::int FROM cov WHERE status = 'offline') AS offline,
            ST_Area(ST_Intersection(seen.w, s.m)) AS covered,
            ST_Area(ST_Intersection(lost.l, s.m)) AS lost
       FROM seen, lost, s`, params);
  // Each non-working camera: what of its view no working camera sees.
  const bp: unknown[] = [];
  const bcte = coverageRows(p, scope, bp);
  const { rows: broken } = await db.query<{ id: number; name: string; status: string; lon: number; lat: number; lost: number }>(
    `WITH ${bcte}
     SELECT cov.id::float8 AS id, c.name, cov.status, ST_X(c.geom) AS lon, ST_Y(c.geom) AS lat,
            ST_Area(ST_Intersection(ST_Difference(cov.m, coalesce((SELECT ST_Union(w.m) FROM cov w
                      WHERE w.status = 'working' AND w.m && cov.m), ST_SetSRID('GEOMETRYCOLLECTION EMPTY'::geometry, 3826))), s.m)) AS lost
       FROM cov JOIN cameras c ON c.id = cov.id, s
      WHERE cov.status <> 'working' ORDER BY 6 DESC, cov.id`, bp);
  const share = (part: number | null, whole: number) => (part === null || whole === 0 ? null : round(part / whole, 4));
  const covered = area!.covered ?? 0;
  const lost = area!.lost ?? 0;
  return {
    scope: describeScope(scope),
    ...describeFilter(filter),
    cameras: { total: area!.total, working: area!.working, broken: area!.broken, offline: area!.offline },
    area: {
      scopeM2: round(scope.areaM2, 1), coveredM2: round(covered, 1), coveredShare: share(covered, scope.areaM2),
      lostM2: round(lost, 1), lostShare: share(lost, scope.areaM2),
    },
    incidents: published ? null : await incidentsSeen(db, p, filter, scope),
    ...(canRead(KEY_PLACES, p) ? { keyPlaces: await keyPlacesInView(db, p, scope) } : {}),
    broken: {
      type: 'FeatureCollection' as const,
      features: broken.map((b) => ({
        type: 'Feature' as const, id: Number(b.id),
        geometry: { type: 'Point', coordinates: [b.lon, b.lat] },
        properties: { id: Number(b.id), name: b.name, status: b.status, lostM2: round(b.lost, 1) },
      })),
    },
    aggregated,
    ...(published ? { disclosure: describeDisclosure(published) } : {}),
  };
}

/** Listed key places in the scope, and those a working camera sees, with how many do. */
async function keyPlacesInView(db: Queryable, p: Principal, scope: Scope) {
  const params: unknown[] = [];
  const visible = visibleCoverage(p, params);
  const where = ['k.deleted_at IS NULL', `k.listing_status = 'listed'`, readableRows(KEY_PLACES, p, params, 'k'), scope.rows('k', params)];
  const { rows } = await db.query<{ id: number; name: string; category: string; lon: number; lat: number; cameras: number[] }>(
    `SELECT k.id::float8 AS id, k.name, k.category, ST_X(k.geom) AS lon, ST_Y(k.geom) AS lat,
            ARRAY(SELECT cc.id::float8 FROM camera_coverage cc WHERE ${visible} AND cc.status = 'working'
                     AND cc.geom && k.geom AND ST_Intersects(cc.geom, k.geom) ORDER BY cc.id) AS cameras
       FROM key_places k WHERE ${where.join(' AND ')} ORDER BY k.id`, params);
  const inView = rows.filter((r) => r.cameras.length > 0);
  return {
    total: rows.length,
    inView: inView.length,
    share: rows.length ? round(inView.length / rows.length, 4) : null,
    features: {
      type: 'FeatureCollection' as const,
      features: inView.map((r) => ({
        type: 'Feature' as const, id: Number(r.id),
        geometry: { type: 'Point', coordinates: [r.lon, r.lat] },
        properties: { id: Number(r.id), name: r.name, category: r.category, cameras: r.cameras.length, cameraIds: r.cameras.map(Number) },
      })),
    },
  };
}

/**
 * The coverage union as a map layer: what working cameras see in the scope, one MultiPolygon;
 * for police accounts also what only broken or offline cameras would see (lost coverage). The
 * community and the public get the first only: a map of what is not watched is not for them.
 */
export async function coverageUnion(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(SCOPE_PARAMS, input);
  const scope = await resolveScope(db, p, q);
  const params: unknown[] = [];
  const cte = coverageRows(p, scope, params);
  const { rows: [u] } = await db.query<{ working: object | null; lost: object | null; wa: number | null; la: number | null; nw: number; nl: number }>(
    `WITH ${cte}, parts AS (
       SELECT ST_Intersection(seen.w, s.m) AS w, ST_Intersection(lost.l, s.m) AS l FROM seen, lost, s)
     SELECT ST_AsGeoJSON(ST_Transform(ST_Multi(ST_CollectionExtract(w, 3)), 4326), 7)::json AS working, ST_Area(w) AS wa,
            ST_AsGeoJSON(ST_Transform(ST_Multi(ST_CollectionExtract(l, 3)), 4326), 7)::json AS lost, ST_Area(l) AS la,
            (SELECT count(*)::int FROM cov WHERE status = 'working') AS nw,
            (SELECT count(*)::int FROM cov WHERE status <> 'working') AS nl
       FROM parts`, params);
  const internal = !disclosureFor(p).aggregated;
  const features = [
    { kind: 'working', geometry: u!.working, area: u!.wa, cameras: u!.nw },
    ...(internal ? [{ kind: 'lost', geometry: u!.lost, area: u!.la, cameras: u!.nl }] : []),
  ].filter((f) => f.geometry && (f.area ?? 0) > 0);
  return {
    type: 'FeatureCollection' as const,
    features: features.map((f) => ({
      type: 'Feature' as const, id: f.kind, geometry: f.geometry,
      properties: { coverage: f.kind, areaM2: round(f.area ?? 0, 1), cameras: f.cameras },
    })),
    analysis: { scope: describeScope(scope), aggregated: !internal },
  };
}
