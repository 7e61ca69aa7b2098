import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { describeDisclosure, disclosureFor, MAX_PUBLIC_QUARTERS, publicPeriod } from './disclosure.js';
import { cellArea, type Cell } from './grid.js';
import { GRID_PARAMS, gridSpec } from './hotspots.js';
import { filterOver, INCIDENT_FILTER_PARAMS, type IncidentFilter, type Period } from './incidents.js';
import { countsOf, DAY_MS, type Events } from './forecast/events.js';
import { FORECAST_METHODS, type ForecastMethod, forecastAll, recommend } from './forecast/methods.js';
import { rank } from './forecast/scores.js';
import { forecastGrid, gridEvents } from './forecast/setup.js';
import { choice, integer, number, parseParams } from './params.js';
import { villageNames } from './place-names.js';
import { publishedSquaresByQuarter } from './published.js';
import { nextQuarter, quarterAt, quarterStart, type QuarterPeriod } from './quarters.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Forecast hot spots: the cells where the most incidents are expected in the coming `horizon`
 * days, from the scope's last `history` days, by one method (forecast/methods.ts). Without
 * `method`, the method the history itself recommends (a nested back-test inside it, as the
 * back-test's `recommended`; `recommended` is null when a method was asked for). The answer flags the top `share` of the scope's cells, best
 * first, each with its share of the expected incidents.
 *
 * The community and the public get a forecast made of the published table alone (see
 * disclosure.ts): the published counts of the public grid's squares, quarter by quarter, over
 * the whole quarters of the history, forecasting the next quarter, by the methods that need
 * nothing but counts per square and quarter (PUBLISHED_METHODS). What is computed from published
 * figures tells nothing they do not.
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
/** Methods that need only counts per square and quarter: a self-exciting model needs times, risk terrain police layers. */
export const PUBLISHED_METHODS = ['counts', 'kde', 'gistar', 'tkde'] as const satisfies readonly ForecastMethod[];
const QUARTER_DAYS = 365.25 / 4;

type Params = ReturnType<typeof parseParams<typeof FORECAST_PARAMS>>;

/** The caller's own incidents of the history, as they are. */
async function ownHistory(db: Queryable, p: Principal, q: Params, now: number) {
  const spec = gridSpec(p, q);
  const history: Period = { from: now - (q.history ?? DEFAULT_HISTORY_DAYS) * DAY_MS, to: now };
  const filter = filterOver(q, history);
  const scope = await resolveScope(db, p, q);
  const grid = await forecastGrid(db, p, scope, spec, { covariates: true });
  const events = await gridEvents(db, p, scope, spec, grid, filter);
  const target = { from: now, to: now + (q.horizon ?? DEFAULT_HORIZON_DAYS) * DAY_MS };
  return { spec, scope, grid, events, history, target, methods: FORECAST_METHODS, filter, published: undefined };
}

/**
 * Outsiders' history: the whole quarters of `history` days as the published table has them, each
 * square's published count as that many incidents at its centre in the middle of its quarter.
 */
async function publishedHistory(db: Queryable, p: Principal, q: Params, now: number) {
  if (q.method && !(PUBLISHED_METHODS as readonly string[]).includes(q.method)) {
    throw refusal(400, 'forecast_method_not_published', { methods: PUBLISHED_METHODS.join('、') }, { field: 'method' });
  }
  if (q.horizon !== undefined) throw refusal(400, 'forecast_horizon_published', undefined, { field: 'horizon' });
  const quarters = Math.min(MAX_PUBLIC_QUARTERS, Math.max(2, Math.round((q.history ?? DEFAULT_HISTORY_DAYS) / QUARTER_DAYS)));
  const published: QuarterPeriod = publicPeriod(q, quarters, now);
  const spec = gridSpec(p, q);
  const scope = await resolveScope(db, p, q);
  const grid = await forecastGrid(db, p, scope, spec, { covariates: false, sizeFixed: true });
  const events = pseudoEvents(grid.cells, await publishedSquaresByQuarter(db, p, published, grid.cells));
  // The quarter after the published ones: the one under way.
  const target = { from: published.to, to: quarterStart(nextQuarter(quarterAt(published.to))) };
  return { spec, scope, grid, events, history: published as Period, target, methods: PUBLISHED_METHODS, filter: { period: published } as IncidentFilter, published };
}

/** Each square's published count per quarter as one event standing for that many, at its centre in the middle of the quarter, in time order. */
function pseudoEvents(cells: readonly Cell[], byQuarter: Map<string, Float64Array>): Events {
  const xs: number[] = [];
  const ys: number[] = [];
  const ts: number[] = [];
  const at: number[] = [];
  const ws: number[] = [];
  for (const name of [...byQuarter.keys()].sort()) {
    const middle = quarterStart({ year: Number(name.slice(0, 4)), q: Number(name.slice(5)) }) + (QUARTER_DAYS / 2) * DAY_MS;
    byQuarter.get(name)!.forEach((n, k) => {
      if (n <= 0) return;
      xs.push(cells[k]!.x);
      ys.push(cells[k]!.y);
      ts.push(middle);
      at.push(k);
      ws.push(n);
    });
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys), t: Float64Array.from(ts), cell: Int32Array.from(at), w: Float64Array.from(ws) };
}

/**
 * The most work one forecast may ask for: incidents + 2 × cells ≤ this (each method fitted three
 * times when the history recommends one: once, and in each inner fold).
 */
export const MAX_FORECAST_WORK = 250_000;

export async function forecastCells(db: Queryable, p: Principal, input: unknown, now = Date.now()) {
  const q = parseParams(FORECAST_PARAMS, input);
  const { spec, scope, grid, events, history, target, methods, filter, published } = disclosureFor(p).aggregated
    ? await publishedHistory(db, p, q, now) : await ownHistory(db, p, q, now);
  // Outsiders' events are square-quarters, whatever their counts; what they can narrow is the area and the quarters.
  if (events.t.length + 2 * grid.cells.length > MAX_FORECAST_WORK) {
    throw refusal(400, 'forecast_too_large', { events: events.t.length, cells: grid.cells.length, max: MAX_FORECAST_WORK, published: published !== undefined },
      { field: published ? 'bbox' : 'cellSize' });
  }
  // The recommendation is worked out only when no method was asked for.
  const recommended = q.method ? null : recommend(grid, events, history, target, methods);
  const method = q.method ?? recommended!.method;
  const forecast = forecastAll(grid, events, history, target, [method])[method];
  const counts = countsOf(events, grid.cells.length);
  const order = rank(forecast.scores, counts);
  const total = forecast.scores.reduce((s, v) => s + Math.max(v, 0), 0);
  const k = Math.min(grid.cells.length, Math.max(1, Math.round((q.share ?? DEFAULT_FORECAST_SHARE) * grid.cells.length)));
  // Only cells the method expects something in: a scope without incidents flags nothing.
  const flagged = order.slice(0, k).filter((c) => forecast.scores[c]! > 0);
  const places = await villageNames(db, flagged.map((c) => grid.cx[c]!), flagged.map((c) => grid.cy[c]!));
  return {
    type: 'FeatureCollection' as const,
    features: flagged.map((c, r) => ({
      type: 'Feature' as const,
      id: c,
      geometry: grid.cells[c]!.geometry,
      properties: {
        i: grid.cells[c]!.i, j: grid.cells[c]!.j, rank: r + 1, history: counts[c]!,
        // Where it is in people's words: the 村里 of its centre.
        place: places[r]!,
        // Gi* z-scores are no amounts: their share of a total means nothing. Outsiders get none:
        // with the counts it would tell the total of squares not shown.
        expectedShare: method === 'gistar' || total <= 0 || published ? null : round(forecast.scores[c]! / total, 5),
      },
    })),
    method,
    fallback: forecast.fallback,
    detail: forecast.detail ?? null,
    recommended: recommended && { method: recommended.method, fallback: recommended.fallback, inner: recommended.inner.map((r) => ({ method: r.method, criterion: round(r.criterion, 3) })) },
    analysis: {
      scope: describeScope(scope),
      // Outsiders' squares tell their published counts; a total over squares not shown is left out.
      history: { from: new Date(history.from).toISOString(), to: new Date(history.to).toISOString(), incidents: published ? null : events.t.length },
      horizonDays: round((target.to - target.from) / DAY_MS, 2),
      share: q.share ?? DEFAULT_FORECAST_SHARE,
      grid: spec.shape, cellSize: spec.cellSize, cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      cells: grid.cells.length, flagged: flagged.length, methods,
      filters: { types: filter.types ?? null, hours: filter.hours ?? null, days: filter.days ?? null },
      aggregated: published !== undefined,
      ...(published ? { disclosure: describeDisclosure(published) } : {}),
    },
  };
}
