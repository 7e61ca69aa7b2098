import type { Principal } from '../auth/principal.js';
import { refusal } from '../http/messages.js';
import { canRead } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { taiwanToday } from '../rollups/period.js';
import { type IncidentFilter, incidentFilter, periodOf } from './incidents.js';
import { asQuarters, lastQuarters, type QuarterPeriod } from './quarters.js';

/**
 * What analysis may tell a caller who may not read individual incidents (community, public).
 *
 * Their figures are never computed from incidents but from one published table (published.ts):
 * incidents counted per 200 m square of a fixed grid, per beat within it, per calendar quarter
 * (and, for hot hours, per station, quarter, weekday and hour), each count rounded at random to
 * a multiple of 5 with a secret key, so that the same count always rounds the same way. Every
 * figure an outsider receives — a cell, a beat, an hour cell, a total, a Gi* bin, a density, a
 * camera's gain — is a sum of, or computed from, those rounded counts alone. Subtracting answers
 * from one another therefore only ever subtracts rounded counts: each leaves at least five
 * possible values (0 is 0–4, 5 is 1–9), and no window, box, grid, beat or filter reaches below
 * a quarter, a 200 m square or a beat, because outsiders can only ask for whole ones. The
 * argument and what the public loses are in the README (Analysis, Limits and hardening).
 */
export interface Disclosure {
  /** True: the caller gets the published (aggregated, rounded) figures only. */
  readonly aggregated: boolean;
}

const INCIDENTS = findLayer('incidents')!;

export const disclosureFor = (p: Principal): Disclosure => ({ aggregated: !canRead(INCIDENTS, p) });

/** The side of the public grid's squares, metres of TWD97 from its origin (ST_SquareGrid's cells). */
export const PUBLIC_CELL_M = 200;
/** Every published count is a multiple of this. */
export const ROUNDING_BASE = 5;
/** Quarters an outsider's answer covers by default: the last four complete ones, about a year. */
export const DEFAULT_PUBLIC_QUARTERS = 4;
/** The most quarters one outsider's request may cover. */
export const MAX_PUBLIC_QUARTERS = 20;

/** How an answer's figures were published, echoed in it (and in GET /api/analysis). */
export function describeDisclosure(period?: QuarterPeriod) {
  return {
    grid: { shape: 'square' as const, cellSize: PUBLIC_CELL_M },
    period: 'quarter' as const,
    ...(period ? { quarters: period.quarters } : { latestQuarter: lastQuarters(1, Date.now()).quarters[0]! }),
    rounding: { method: 'random' as const, base: ROUNDING_BASE },
  };
}

interface FilterParams {
  types?: string[];
  datetime?: string;
  hour?: string;
  weekday?: string;
  halfLifeDays?: number;
}

/**
 * The period an outsider's figure counts: whole complete quarters (the last `defaultQuarters`
 * unless `datetime` names others), of every type and hour. Filters that would cut below the
 * published table are refused, naming the parameter.
 */
export function publicPeriod(q: FilterParams, defaultQuarters = DEFAULT_PUBLIC_QUARTERS, now = Date.now()): QuarterPeriod {
  for (const field of ['types', 'hour', 'weekday', 'halfLifeDays'] as const) {
    if (q[field] !== undefined) throw refusal(400, 'public_statistics_filter', { field }, { field });
  }
  const latest = lastQuarters(1, now);
  const period = q.datetime === undefined ? lastQuarters(defaultQuarters, now) : asQuarters(periodOf(q.datetime, 365, 'datetime', now));
  if (!period || period.to > latest.to) {
    const example = `${taiwanToday(new Date(latest.from))}/${taiwanToday(new Date(latest.to - 1))}`;
    throw refusal(400, 'public_statistics_period', { example, latest: latest.quarters[0]! }, { field: 'datetime' });
  }
  if (period.quarters.length > MAX_PUBLIC_QUARTERS) throw refusal(400, 'public_statistics_period_too_long', { max: MAX_PUBLIC_QUARTERS }, { field: 'datetime' });
  return period;
}

/**
 * What an answer counts, decided once per request: for outsiders (`published`) the published
 * period, for everyone else the incident filter they ask for. Refusals come before any work.
 */
export function incidentFilterFor(p: Principal, q: FilterParams, defaults: { days?: number; quarters?: number } = {}) {
  const { aggregated } = disclosureFor(p);
  const published = aggregated ? publicPeriod(q, defaults.quarters) : undefined;
  const filter: IncidentFilter = published ? { period: published } : incidentFilter(q, defaults.days);
  return { aggregated, published, filter };
}

/** Outsiders' grids are the public grid's squares. */
export function assertPublicGrid(q: { grid?: string; cellSize?: number }) {
  if ((q.grid ?? 'square') !== 'square' || (q.cellSize ?? PUBLIC_CELL_M) !== PUBLIC_CELL_M) {
    throw refusal(400, 'public_statistics_grid', { size: PUBLIC_CELL_M }, { field: q.grid && q.grid !== 'square' ? 'grid' : 'cellSize' });
  }
}
