import type { Principal } from '../../auth/principal.js';
import type { Queryable } from '../../db/db.js';
import { cellArea, cellLocator, cellSpacing, scopeCells } from '../grid.js';
import { assertNeighbourPairs, type GridSpec } from '../hotspots.js';
import { type IncidentFilter, loadIncidents } from '../incidents.js';
import type { Scope } from '../scope.js';
import { riskTerrain } from './covariates.js';
import { type Events, toEvents } from './events.js';
import type { ForecastGrid } from './methods.js';

/**
 * The grid a forecast of a scope ranks: its cells with their centres and, when `covariates`, the
 * risk-terrain covariates of each from the layers as they stood at `asOf` (default: now).
 * `bandwidth` is the fixed KDE's (default two cell spacings).
 */
export async function forecastGrid(db: Queryable, p: Principal, scope: Scope, spec: GridSpec, opts: { covariates: boolean; asOf?: number; bandwidth?: number; sizeFixed?: boolean }): Promise<ForecastGrid> {
  const cells = await scopeCells(db, scope, spec.shape, spec.cellSize, opts.sizeFixed);
  // Every forecast may compute Gi* (a method, and one the recommendation weighs).
  assertNeighbourPairs(cells.length, spec);
  const spacing = cellSpacing(spec.shape, spec.cellSize);
  const cx = Float64Array.from(cells, (c) => c.x);
  const cy = Float64Array.from(cells, (c) => c.y);
  return {
    cells, cx, cy, spacing, cellArea: cellArea(spec.shape, spec.cellSize), band: spec.band, bandwidth: opts.bandwidth ?? 2 * spacing,
    covariates: opts.covariates ? await riskTerrain(db, p, scope, cx, cy, opts.asOf) : [],
  };
}

/** The incidents of the filter's period the caller may read, each in its cell of `grid`, in time order. */
export async function gridEvents(db: Queryable, p: Principal, scope: Scope, spec: GridSpec, grid: ForecastGrid, filter: IncidentFilter): Promise<Events> {
  const all = await loadIncidents(db, p, filter, scope);
  return toEvents(all.x, all.y, all.t, cellLocator(grid.cells, spec.shape, spec.cellSize));
}
