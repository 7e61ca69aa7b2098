import { PARAMETER_RULES as RULES, refusal } from '../http/messages.js';
import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { positionRefusal } from '../geo/taiwan.js';
import { loadCameras, views } from './cameras.js';
import { DEMAND_PARAMS, describeDemand, loadDemand } from './demand.js';
import { describeDisclosure, incidentFilterFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS } from './incidents.js';
import { chooseSites, type Option } from './max-coverage.js';
import { choice, integer, json, number, parseParams, typeError } from './params.js';
import { projectPoints } from './projection.js';
import { requireSignIn } from './reaim.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS, type Scope } from './scope.js';
import { azimuthOptions, inSector, sightings, type Viewpoint } from './visibility.js';

/**
 * New camera sites: k camera views chosen from candidate sites (a grid over the scope, sites
 * supplied with the request, or both), each site with its azimuth options, field of view and
 * range, to see the most demand that existing working cameras do not see already. A site may
 * take two cameras looking different ways when that adds most. A community account plans
 * within its own area only and gets no map of what stays uncovered.
 */
const site = z.object({
  lon: z.number(typeError(RULES.longitude())),
  lat: z.number(typeError(RULES.latitude())),
  azimuths: z.array(z.number({ error: RULES.azimuth() }).min(0, RULES.azimuth()).lt(360, RULES.azimuth())).min(1).max(72).optional(),
  fov: z.number().gt(0).max(360).optional(),
  range_m: z.number().gt(0).max(1000).optional(),
  name: z.string().max(200).optional(),
}).strict();

const MAX_SITES = 5000;
const SITES_RULE = RULES.sites({ max: MAX_SITES });

export const NEW_SITE_PARAMS = {
  ...SCOPE_PARAMS,
  ...INCIDENT_FILTER_PARAMS,
  ...DEMAND_PARAMS,
  k: integer(1, 50).optional(),
  candidates: choice(['grid', 'sites', 'both'] as const).optional(),
  spacing: number(10, 2000, ' metres').optional(),
  sites: json(z.array(site, { error: SITES_RULE }).max(MAX_SITES, SITES_RULE)).optional(),
  step: number(1, 180, ' degrees').optional(),
  fov: number(1, 360, ' degrees').optional(),
  range_m: number(1, 1000, ' metres').optional(),
};

export const DEFAULTS = { k: 5, spacing: 50, step: 15, fov: 90, range: 50 } as const;
export const MAX_CANDIDATES = 5000;
const MAX_OPTIONS = 250_000;

interface Candidate extends Viewpoint {
  readonly lon: number;
  readonly lat: number;
  readonly source: 'grid' | 'site';
  readonly name: string | null;
  readonly fov: number;
  readonly azimuths: number[];
}

/** Centres of a square grid of `spacing` metres that lie in the scope (WGS84). */
async function gridSites(db: Queryable, scope: Scope, spacing: number): Promise<{ lon: number; lat: number }[]> {
  const [x0, y0, x1, y1] = scope.bounds;
  const n = Math.ceil(((x1 - x0) / spacing + 1) * ((y1 - y0) / spacing + 1));
  if (n > MAX_CANDIDATES * 4) {
    throw refusal(400, 'new_sites_grid_too_large', { spacing, sites: n }, { field: 'spacing' });
  }
  const { rows } = await db.query<{ lon: number; lat: number }>(
    `SELECT ST_X(p) AS lon, ST_Y(p) AS lat
       FROM (SELECT ST_Transform($1::geometry, 3826) AS a) s, ST_SquareGrid($2, s.a) c,
            LATERAL (SELECT ST_Transform(ST_Centroid(c.geom), 4326) AS p) q
      WHERE ST_Intersects(ST_Centroid(c.geom), s.a)
      ORDER BY c.i, c.j`, [scope.geom, spacing]);
  return rows;
}

async function candidates(db: Queryable, scope: Scope, q: ReturnType<typeof parse>): Promise<Candidate[]> {
  const which = q.candidates ?? (q.sites ? 'both' : 'grid');
  if (which !== 'grid' && !q.sites) throw refusal(400, 'new_sites_needs_sites', { candidates: which }, { field: 'sites' });
  const fov = q.fov ?? DEFAULTS.fov;
  const range = q.range_m ?? DEFAULTS.range;
  const grid = which === 'sites' ? [] : await gridSites(db, scope, q.spacing ?? DEFAULTS.spacing);
  const supplied = which === 'grid' ? [] : q.sites!;
  supplied.forEach((s, i) => {
    const refused = positionRefusal(s.lon, s.lat, `sites[${i}]`);
    if (refused) throw refused;
  });
  if (supplied.length > 0) {
    const { rows } = await db.query<{ n: number }>(
      `SELECT u.n::int - 1 AS n FROM unnest($2::float8[], $3::float8[]) WITH ORDINALITY AS u(lon, lat, n)
        WHERE NOT ST_Intersects($1::geometry, ST_SetSRID(ST_MakePoint(u.lon, u.lat), 4326)) ORDER BY u.n LIMIT 1`,
      [scope.geom, supplied.map((x) => x.lon), supplied.map((x) => x.lat)]);
    if (rows[0]) throw refusal(400, 'new_sites_outside_scope', { index: rows[0].n }, { field: `sites[${rows[0].n}]` });
  }
  const all = [...grid.map((g) => ({ ...g, source: 'grid' as const })), ...supplied.map((s) => ({ ...s, source: 'site' as const }))];
  if (all.length > MAX_CANDIDATES) {
    throw refusal(400, 'new_sites_too_many', { count: all.length, max: MAX_CANDIDATES }, { field: which === 'sites' ? 'sites' : 'spacing' });
  }
  const projected = await projectPoints(db, all.map((a) => a.lon), all.map((a) => a.lat));
  return all.map((a, k) => {
    const own = a.source === 'site' ? (a as (typeof supplied)[number]) : undefined;
    const f = own?.fov ?? fov;
    return {
      lon: a.lon, lat: a.lat, source: a.source, name: own?.name ?? null,
      x: projected.x[k]!, y: projected.y[k]!, north: projected.north[k]!,
      range: own?.range_m ?? range, fov: f,
      azimuths: f >= 360 ? [0] : own?.azimuths ?? azimuthOptions(q.step ?? DEFAULTS.step),
    };
  });
}

const parse = (input: unknown) => parseParams(NEW_SITE_PARAMS, input);

export async function newSites(db: Queryable, p: Principal, input: unknown) {
  requireSignIn(p, '新設監視器地點建議');
  const q = parse(input);
  const k = q.k ?? DEFAULTS.k;
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  const scope = await resolveScope(db, p, q, { communityArea: true });
  const cands = await candidates(db, scope, q);
  const existing = (await loadCameras(db, p, scope)).filter((c) => c.status === 'working');
  const demand = await loadDemand(db, p, q, filter, scope, published);
  const seen = await sightings(db, [...existing, ...cands], demand.x, demand.y);
  const fixed = existing.flatMap((c, i) => [...inSector(seen[i]!, c.azimuth, c.fov)]);
  const options: Option[] = [];
  const optionOf: { site: number; azimuth: number }[] = [];
  cands.forEach((c, s) => {
    for (const a of c.azimuths) {
      options.push(inSector(seen[existing.length + s]!, a, c.fov));
      optionOf.push({ site: s, azimuth: a });
    }
  });
  if (options.length > MAX_OPTIONS) throw refusal(400, 'new_sites_too_many_options', { count: options.length, max: MAX_OPTIONS }, { field: 'step' });
  const plan = chooseSites({ weights: demand.w, fixed, options }, k);
  const total = demand.w.reduce((s, w) => s + w, 0);
  const picked = plan.chosen.map((o) => ({ ...optionOf[o]!, cand: cands[optionOf[o]!.site]! }));
  const sectors = await views(db, picked.map(({ cand, azimuth }) => ({ lon: cand.lon, lat: cand.lat, azimuth, fov: cand.fov, range: cand.range })));
  // Outsiders' demand is the published counts spread over their squares: a tenth is as fine as it goes.
  const weight = (x: number) => round(x, aggregated ? 1 : 3);
  const share = (x: number) => (total > 0 ? round(x / total, 4) : null);
  let covered = plan.before;
  const curve = [{ k: 0, covered: weight(covered), share: share(covered) }];
  const features = picked.map(({ cand, azimuth, site: s }, r) => {
    covered += plan.gains[r]!;
    curve.push({ k: r + 1, covered: weight(covered), share: share(covered) });
    return {
      type: 'Feature' as const,
      id: r + 1,
      geometry: { type: 'Point', coordinates: [cand.lon, cand.lat] },
      properties: {
        rank: r + 1, site: s, source: cand.source, ...(cand.name ? { name: cand.name } : {}),
        azimuth, fov: cand.fov, range_m: cand.range,
        gain: weight(plan.gains[r]!), covered: weight(covered),
      },
    };
  });
  // Demand still unseen after the plan: a map of blind spots, for police accounts only.
  const seenAfter = new Uint8Array(demand.w.length);
  for (const j of fixed) seenAfter[j] = 1;
  for (const o of plan.chosen) for (const j of options[o]!) seenAfter[j] = 1;
  return {
    type: 'FeatureCollection' as const,
    features,
    sectors: {
      type: 'FeatureCollection' as const,
      features: picked.map((x, r) => ({ type: 'Feature' as const, geometry: sectors[r]!, properties: { rank: r + 1, azimuth: x.azimuth } })),
    },
    curve,
    ...(aggregated ? {} : {
      uncovered: {
        type: 'FeatureCollection' as const,
        features: [...seenAfter.keys()].filter((j) => !seenAfter[j]).map((j) => ({
          type: 'Feature' as const,
          geometry: { type: 'Point', coordinates: [demand.lon[j]!, demand.lat[j]!] },
          properties: { weight: round(demand.w[j]!, 4), kind: ['incident', 'key-place', 'point'][demand.kind[j]!]! },
        })),
      },
    }),
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      k,
      candidates: { sites: cands.length, options: options.length, grid: cands.filter((c) => c.source === 'grid').length, supplied: cands.filter((c) => c.source === 'site').length },
      existingCameras: existing.length,
      demand: aggregated ? { totalWeight: weight(total) } : { ...describeDemand(demand), totalWeight: round(total, 3) },
      totals: { before: weight(plan.before), after: weight(plan.value), gain: weight(plan.value - plan.before), beforeShare: share(plan.before), afterShare: share(plan.value) },
      aggregated,
      ...(published ? { disclosure: describeDisclosure(published) } : {}),
    },
  };
}
