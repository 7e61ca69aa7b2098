import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { parseHours, parseWeekdays } from '../features/list-query.js';
import { cellArea } from './grid.js';
import { GRID_PARAMS, gridSpec } from './hotspots.js';
import { INCIDENT_FILTER_PARAMS, type IncidentFilter } from './incidents.js';
import { countsOf } from './forecast/events.js';
import { FORECAST_METHODS, forecastAll, recommend } from './forecast/methods.js';
import { rank } from './forecast/scores.js';
import { forecastInputs } from './forecast/setup.js';
import { choice, integer, number, parseParams } from './params.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Forecast hot spots: the cells where the most incidents are expected in the coming `horizon`
 * days, from the scope's last `history` days, by one method (forecast/methods.ts). Without
 * `method`, the method the history itself recommends (a nested back-test inside it, as the
 * back-test's `recommended`). The answer flags the top `share` of the scope's cells, best
 * first, each with its share of the expected incidents.
 */
const { datetime: _unused, ...FILTERS_WITHOUT_PERIOD } = INCIDENT_FILTER_PARAMS;
export const FORECAST_PARAMS = {
  ...SCOPE_PARAMS,
  ...FILTERS_WITHOUT_PERIOD,
  ...GRID_PARAMS,
  method: choice(FORECAST_METHODS).optional(),
  history: integer(90, 3650).optional(),
  horizon: integer(1, 365).optional(),
  share: number(0.001, 0.2).optional(),
};
export const DEFAULT_HISTORY_DAYS = 1095;
export const DEFAULT_HORIZON_DAYS = 28;
export const DEFAULT_FORECAST_SHARE = 0.02;
const DAY_MS = 86_400_000;

export async function forecastCells(db: Queryable, p: Principal, input: unknown, now = Date.now()) {
  const q = parseParams(FORECAST_PARAMS, input);
  const spec = gridSpec(p, q);
  const history = { from: now - (q.history ?? DEFAULT_HISTORY_DAYS) * DAY_MS, to: now };
  const horizon = (q.horizon ?? DEFAULT_HORIZON_DAYS) * DAY_MS;
  const filter: IncidentFilter = {
    types: q.types, period: history,
    hours: q.hour === undefined ? undefined : parseHours(q.hour),
    days: q.weekday === undefined ? undefined : parseWeekdays(q.weekday),
  };
  const scope = await resolveScope(db, p, q);
  const { grid, events } = await forecastInputs(db, p, scope, spec, filter, history);
  const recommended = recommend(grid, events, history, horizon);
  const method = q.method ?? recommended.method;
  const forecast = forecastAll(grid, events, history, horizon)[method];
  const counts = countsOf(events, grid.cells.length);
  const order = rank(forecast.scores, counts);
  const total = forecast.scores.reduce((s, v) => s + Math.max(v, 0), 0);
  const k = Math.min(grid.cells.length, Math.max(1, Math.round((q.share ?? DEFAULT_FORECAST_SHARE) * grid.cells.length)));
  // Only cells the method expects something in: a scope without incidents flags nothing.
  const flagged = order.slice(0, k).filter((c) => forecast.scores[c]! > 0);
  return {
    type: 'FeatureCollection' as const,
    features: flagged.map((c, r) => ({
      type: 'Feature' as const,
      id: c,
      geometry: grid.cells[c]!.geometry,
      properties: {
        rank: r + 1, history: counts[c]!,
        // Gi* z-scores are no amounts: their share of a total means nothing.
        expectedShare: method === 'gistar' || total <= 0 ? null : round(forecast.scores[c]! / total, 5),
      },
    })),
    method,
    fallback: forecast.fallback,
    detail: forecast.detail ?? null,
    recommended: { method: recommended.method, fallback: recommended.fallback, inner: recommended.inner.map((r) => ({ method: r.method, criterion: round(r.criterion, 3) })) },
    analysis: {
      scope: describeScope(scope),
      history: { from: new Date(history.from).toISOString(), to: new Date(history.to).toISOString(), incidents: events.t.length },
      horizonDays: horizon / DAY_MS,
      share: q.share ?? DEFAULT_FORECAST_SHARE,
      grid: spec.shape, cellSize: spec.cellSize, cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      cells: grid.cells.length, flagged: flagged.length,
      filters: { types: filter.types ?? null, hours: filter.hours ?? null, days: filter.days ?? null },
    },
  };
}
