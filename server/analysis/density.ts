import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { describeDisclosure, incidentFilterFor, PUBLIC_CELL_M } from './disclosure.js';
import { assertGridSize, cellCentre, scopeCells, squareOutlines } from './grid.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, type IncidentFilter, loadIncidents } from './incidents.js';
import { quarticKde } from './kde.js';
import { number, parseParams } from './params.js';
import { publishedSquares } from './published.js';
import type { QuarterPeriod } from './quarters.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS, type Scope } from './scope.js';

/**
 * Kernel density surface of incidents: quartic kernel of bandwidth h, sampled at the centres
 * of a square grid (the hot-spot grid's cells, ST_SquareGrid's layout) laid over the scope's
 * extent grown by h, so that every incident's whole kernel is on it and the cells' expected
 * counts add up to the number of incidents. Outsiders get the surface of the published counts of
 * the public grid's squares meeting the scope, each at its square's centre.
 */
export const DENSITY_PARAMS = {
  ...SCOPE_PARAMS,
  ...INCIDENT_FILTER_PARAMS,
  cellSize: number(5, 2000, ' metres').optional(),
  bandwidth: number(10, 10_000, ' metres').optional(),
};
export const DEFAULT_DENSITY_CELL_M = 50;
export const DEFAULT_BANDWIDTH_M = 300;

/** A raster of square cells (i0 + a, j0 + b), a < nx, b < ny, covering [x0, x1] × [y0, y1]. */
export function rasterOver(bounds: readonly number[], pad: number, s: number) {
  const i0 = Math.floor((bounds[0]! - pad) / s);
  const j0 = Math.floor((bounds[1]! - pad) / s);
  const nx = Math.floor((bounds[2]! + pad) / s) - i0 + 1;
  const ny = Math.floor((bounds[3]! + pad) / s) - j0 + 1;
  const cx = new Float64Array(nx * ny);
  const cy = new Float64Array(nx * ny);
  for (let b = 0; b < ny; b++) {
    for (let a = 0; a < nx; a++) {
      cx[b * nx + a] = (i0 + a + 0.5) * s;
      cy[b * nx + a] = (j0 + b + 0.5) * s;
    }
  }
  return { i0, j0, nx, ny, cx, cy };
}

/** Points to smooth: the caller's incidents in the scope, or the published squares meeting it. */
async function densityPoints(db: Queryable, p: Principal, filter: IncidentFilter, scope: Scope, published?: QuarterPeriod) {
  if (!published) return { ...(await loadIncidents(db, p, filter, scope)), w: null };
  const squares = await scopeCells(db, scope, 'square', PUBLIC_CELL_M, true);
  const centres = squares.map((c) => cellCentre('square', PUBLIC_CELL_M, c.i, c.j));
  return { x: centres.map((c) => c[0]), y: centres.map((c) => c[1]), w: await publishedSquares(db, p, published, squares) };
}

export async function densitySurface(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(DENSITY_PARAMS, input);
  const cellSize = q.cellSize ?? DEFAULT_DENSITY_CELL_M;
  const h = q.bandwidth ?? DEFAULT_BANDWIDTH_M;
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  if (aggregated && h < PUBLIC_CELL_M) throw refusal(400, 'public_statistics_bandwidth', { min: PUBLIC_CELL_M }, { field: 'bandwidth' });
  if (cellSize > h) throw refusal(400, 'analysis_cell_over_bandwidth', { cellSize, bandwidth: h }, { field: 'cellSize' });
  const scope = await resolveScope(db, p, q);
  // A published square's centre lies up to half a diagonal outside the scope's extent.
  const pad = published ? h + PUBLIC_CELL_M : h;
  const [x0, y0, x1, y1] = scope.bounds;
  assertGridSize((x1 - x0 + 2 * pad) * (y1 - y0 + 2 * pad), 'square', cellSize);
  const points = await densityPoints(db, p, filter, scope, published);
  const r = rasterOver(scope.bounds, pad, cellSize);
  const { values } = quarticKde(points.x, points.y, points.w, r.cx, r.cy, h);
  const area = cellSize * cellSize;
  const kept: number[] = [];
  let mass = 0;
  let peak = 0;
  for (let k = 0; k < values.length; k++) {
    mass += values[k]! * area;
    peak = Math.max(peak, values[k]!);
    if (values[k]! > 0) kept.push(k);
  }
  const outlines = await squareOutlines(db, cellSize, kept.map((k) => r.i0 + (k % r.nx)), kept.map((k) => r.j0 + Math.floor(k / r.nx)));
  return {
    type: 'FeatureCollection' as const,
    features: kept.map((k, n) => ({
      type: 'Feature' as const,
      id: k,
      geometry: outlines[n]!,
      properties: {
        i: r.i0 + (k % r.nx), j: r.j0 + Math.floor(k / r.nx),
        density: round(values[k]! * 1e6, 3), expected: round(values[k]! * area, 5),
      },
    })),
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      kernel: 'quartic',
      bandwidth: h,
      cellSize,
      cellAreaM2: area,
      units: { density: 'incidents per km²', expected: 'incidents per cell' },
      grid: { cells: values.length, nonZero: kept.length },
      incidents: points.w ? points.w.reduce((a, b) => a + b, 0) : points.x.length,
      totalExpected: round(mass, 3),
      maxDensity: round(peak * 1e6, 3),
      aggregated,
      ...(published ? { disclosure: describeDisclosure(published) } : {}),
    },
  };
}
