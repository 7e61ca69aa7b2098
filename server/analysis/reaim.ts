import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { type Camera, loadCameras, views } from './cameras.js';
import { DEMAND_PARAMS, describeDemand, loadDemand } from './demand.js';
import { describeDisclosure, incidentFilterFor } from './disclosure.js';
import { describeFilter, INCIDENT_FILTER_PARAMS } from './incidents.js';
import { aimCameras, coveredWeight, type Option } from './max-coverage.js';
import { number, parseParams } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';
import { azimuthOptions, inSector, sightings } from './visibility.js';

/**
 * Re-aim suggestions: for the adjustable working cameras in a scope, the azimuth (multiples of
 * `step` degrees from true north, or the current one) that together see the most demand, each
 * demand point counted once; what cameras that cannot turn see counts as seen already.
 */
export const REAIM_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS, ...DEMAND_PARAMS, step: number(1, 180, ' degrees').optional() };
export const DEFAULT_STEP = 15;
/** The most adjustable cameras one request may re-aim. */
export const MAX_REAIM_CAMERAS = 2000;

/** Sign-in is needed to plan with cameras; the public is asked to sign in. */
export function requireSignIn(p: Principal, what: string) {
  if (p.role === 'public') throw refusal(401, 'sign_in_required', { action: `查詢${what}` });
}

const turn = (from: number, to: number) => round(((((to - from) % 360) + 540) % 360) - 180, 3);
const canTurn = (c: Camera) => c.status === 'working' && c.adjustable && c.fov < 360;

export async function reaim(db: Queryable, p: Principal, input: unknown) {
  requireSignIn(p, '監視器轉向建議');
  const q = parseParams(REAIM_PARAMS, input);
  const step = q.step ?? DEFAULT_STEP;
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  const scope = await resolveScope(db, p, q);
  const cameras = (await loadCameras(db, p, scope)).filter((c) => c.status === 'working');
  const movable = cameras.filter(canTurn);
  if (movable.length > MAX_REAIM_CAMERAS) {
    throw refusal(400, 'reaim_too_many_cameras', { count: movable.length, max: MAX_REAIM_CAMERAS }, { field: 'scope' });
  }
  const fixedCams = cameras.filter((c) => !canTurn(c));
  const demand = await loadDemand(db, p, q, filter, scope, published);
  const seen = await sightings(db, cameras, demand.x, demand.y);
  const sightOf = new Map(cameras.map((c, k) => [c.id, seen[k]!]));
  const fixed = fixedCams.flatMap((c) => [...inSector(sightOf.get(c.id)!, c.azimuth, c.fov)]);
  const azimuths = movable.map((c) => azimuthOptions(step, c.azimuth));
  const groups: Option[][] = movable.map((c, g) => azimuths[g]!.map((a) => inSector(sightOf.get(c.id)!, a, c.fov)));
  const start = movable.map((c, g) => azimuths[g]!.indexOf(c.azimuth));
  const problem = { weights: demand.w, fixed, groups };
  const solution = aimCameras(problem, start);
  const before = coveredWeight(demand.w, fixed, groups.map((o, g) => o[start[g]!]!));
  const chosen = groups.map((o, g) => o[solution.choice[g]!]!);
  const total = demand.w.reduce((s, w) => s + w, 0);
  const cams = movable.map((c, g) => {
    const suggested = azimuths[g]![solution.choice[g]!]!;
    // What this camera's turn adds, the others turned as suggested.
    const reverted = chosen.map((o, h) => (h === g ? groups[g]![start[g]!]! : o));
    const gain = solution.value - coveredWeight(demand.w, fixed, reverted);
    return { c, suggested, gain, changed: suggested !== c.azimuth };
  });
  const changed = cams.filter((x) => x.changed);
  const sectors = await views(db, changed.flatMap(({ c, suggested }) => [
    { lon: c.lon, lat: c.lat, azimuth: c.azimuth, fov: c.fov, range: c.range },
    { lon: c.lon, lat: c.lat, azimuth: suggested, fov: c.fov, range: c.range },
  ]));
  // Outsiders' demand is the published counts spread over their squares: a tenth is as fine as it goes.
  const weight = (x: number) => round(x, aggregated ? 1 : 3);
  return {
    type: 'FeatureCollection' as const,
    features: cams.map(({ c, suggested, gain, changed: moved }) => ({
      type: 'Feature' as const,
      id: c.id,
      geometry: { type: 'Point', coordinates: [c.lon, c.lat] },
      properties: {
        id: c.id, name: c.name, fov: c.fov, range_m: c.range,
        currentAzimuth: c.azimuth, suggestedAzimuth: suggested, turn: turn(c.azimuth, suggested), changed: moved,
        gain: weight(gain),
      },
    })),
    sectors: {
      type: 'FeatureCollection' as const,
      features: changed.flatMap(({ c }, k) => (['current', 'suggested'] as const).map((view, v) => ({
        type: 'Feature' as const,
        geometry: sectors[2 * k + v]!,
        properties: { camera_id: c.id, view, azimuth: view === 'current' ? c.azimuth : changed[k]!.suggested },
      }))),
    },
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      step,
      demand: aggregated ? { totalWeight: weight(total) } : { ...describeDemand(demand), totalWeight: round(total, 3) },
      cameras: { adjustable: movable.length, fixed: fixedCams.length, changed: changed.length },
      totals: {
        before: weight(before), after: weight(solution.value), gain: weight(solution.value - before),
        beforeShare: total > 0 ? round(before / total, 4) : null,
        afterShare: total > 0 ? round(solution.value / total, 4) : null,
      },
      aggregated,
      ...(published ? { disclosure: describeDisclosure(published) } : {}),
    },
  };
}
