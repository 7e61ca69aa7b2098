import { message, refusal } from '../http/messages.js';
import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { assertPublicGrid, describeDisclosure, disclosureFor, incidentFilterFor, PUBLIC_CELL_M } from './disclosure.js';
import { confidenceBins } from './fdr.js';
import { giStar } from './gistar.js';
import { type Cell, cellArea, cellSpacing, countInCells, GRID_SHAPES, type GridShape, scopeCells } from './grid.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, loadIncidents } from './incidents.js';
import { neighboursWithin } from './neighbours.js';
import { choice, number, parseParams } from './params.js';
import { publishedSquares } from './published.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Hot spots: incident counts on a square or hexagonal grid over a scope, and Getis-Ord Gi* of
 * those counts over a fixed distance band (self included), with ArcGIS's confidence bins with
 * and without FDR correction.
 */
export const GRID_PARAMS = {
  grid: choice(GRID_SHAPES).optional(),
  cellSize: number(10, 5000, ' metres').optional(),
  band: number(1, 50_000, ' metres').optional(),
};
export const HOTSPOT_PARAMS = { ...SCOPE_PARAMS, ...INCIDENT_FILTER_PARAMS, ...GRID_PARAMS };

export const DEFAULT_CELL_M = 150;
/** Default band: 2.5 cell spacings, about 21 neighbours (self included) on a square grid. */
export const DEFAULT_BAND_SPACINGS = 2.5;

export interface GridSpec {
  readonly shape: GridShape;
  readonly cellSize: number;
  readonly band: number;
}

/** Grid shape, cell size and band from parameters, with defaults; outsiders get the public grid. */
export function gridSpec(p: Principal, q: { grid?: GridShape; cellSize?: number; band?: number }): GridSpec {
  const aggregated = disclosureFor(p).aggregated;
  if (aggregated) assertPublicGrid(q);
  const shape = q.grid ?? 'square';
  const cellSize = q.cellSize ?? (aggregated ? PUBLIC_CELL_M : DEFAULT_CELL_M);
  const spacing = cellSpacing(shape, cellSize);
  const band = q.band ?? DEFAULT_BAND_SPACINGS * spacing;
  if (band < spacing) {
    throw refusal(400, 'analysis_band_too_small', { spacing: round(spacing, 1) }, { field: 'band' });
  }
  return { shape, cellSize, band };
}

/**
 * The most cell–neighbour pairs Gi* may compare (5,000,000: about 40 MB of neighbour lists). A
 * band of kilometres over thousands of small cells would need hundreds of millions, more than
 * the process can hold.
 */
export const MAX_NEIGHBOUR_PAIRS = 5_000_000;

/** Refuses a band under which `cells` cells would have more than MAX_NEIGHBOUR_PAIRS neighbours among them. */
export function assertNeighbourPairs(cells: number, spec: GridSpec): void {
  const perCell = Math.min(cells, Math.PI * spec.band ** 2 / cellArea(spec.shape, spec.cellSize) + 1);
  if (cells * perCell > MAX_NEIGHBOUR_PAIRS) {
    throw refusal(400, 'analysis_band_too_large', { band: spec.band, perCell: Math.round(perCell), max: MAX_NEIGHBOUR_PAIRS }, { field: 'band' });
  }
}

export interface HotSpotCells {
  readonly cells: Cell[];
  readonly counts: Float64Array;
  readonly z: Float64Array;
  readonly p: Float64Array;
  readonly bins: Int8Array;
  readonly binsFdr: Int8Array;
  readonly neighbours: Int32Array;
}

/** Gi* of per-cell values over a distance band. */
export function hotSpotStatistics(cells: readonly Cell[], counts: Float64Array, band: number): Omit<HotSpotCells, 'cells' | 'counts'> {
  const nb = neighboursWithin(cells.map((c) => c.x), cells.map((c) => c.y), band);
  const { z, p } = giStar(counts, nb);
  const neighbours = new Int32Array(cells.length);
  for (let i = 0; i < cells.length; i++) neighbours[i] = nb.offsets[i + 1]! - nb.offsets[i]!;
  return { z, p, bins: confidenceBins(z, p, false), binsFdr: confidenceBins(z, p, true), neighbours };
}

const tally = (bins: Int8Array) => Object.fromEntries([3, 2, 1, 0, -1, -2, -3].map((b) => [String(b), bins.filter((x) => x === b).length]));
const stats = (xs: Int32Array) => ({
  min: xs.length ? Math.min(...xs) : 0,
  mean: xs.length ? round(xs.reduce((a, b) => a + b, 0) / xs.length, 2) : 0,
  max: xs.length ? Math.max(...xs) : 0,
});


/**
 * Incidents per cell: the caller's own count of the incidents in the scope, or for outsiders the
 * published counts of the whole squares meeting it.
 */
export async function hotSpots(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(HOTSPOT_PARAMS, input);
  const spec = gridSpec(p, q);
  const { aggregated, published, filter } = incidentFilterFor(p, q);
  const scope = await resolveScope(db, p, q);
  const cells = await scopeCells(db, scope, spec.shape, spec.cellSize, aggregated);
  assertNeighbourPairs(cells.length, spec);
  let counts: Float64Array;
  if (published) {
    counts = await publishedSquares(db, p, published, cells);
  } else {
    const points = await loadIncidents(db, p, filter, scope);
    counts = countInCells(cells, spec.shape, spec.cellSize, points.x, points.y);
  }
  const s = hotSpotStatistics(cells, counts, spec.band);
  const warnings: string[] = [];
  if (cells.length < 30) warnings.push(message('analysis_few_cells', { cells: cells.length }));
  const lonely = s.neighbours.filter((n) => n < 2).length;
  if (lonely > 0) warnings.push(message('analysis_lonely_cells', { cells: lonely }));
  return {
    type: 'FeatureCollection' as const,
    features: cells.map((c, k) => ({
      type: 'Feature' as const,
      id: k,
      geometry: c.geometry,
      properties: {
        i: c.i, j: c.j, count: counts[k]!,
        ...(aggregated ? {} : { z: round(s.z[k]!, 4), p: Number(s.p[k]!.toPrecision(4)), neighbours: s.neighbours[k]! }),
        bin: s.bins[k]!,
        binFdr: s.binsFdr[k]!,
      },
    })),
    analysis: {
      scope: describeScope(scope),
      ...describeFilter(filter),
      grid: spec.shape,
      cellSize: spec.cellSize,
      cellAreaM2: round(cellArea(spec.shape, spec.cellSize), 1),
      band: round(spec.band, 1),
      cells: cells.length,
      incidents: counts.reduce((a, b) => a + b, 0),
      bins: tally(s.bins),
      binsFdr: tally(s.binsFdr),
      neighbours: stats(s.neighbours),
      aggregated,
      ...(published ? { disclosure: describeDisclosure(published) } : {}),
      warnings,
    },
  };
}
