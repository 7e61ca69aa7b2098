import { refusal } from '../http/messages.js';
import type { Queryable } from '../db/db.js';
import type { Scope } from './scope.js';

/**
 * Square and hexagonal grids in TWD97 metres, laid as PostGIS lays them (ST_SquareGrid,
 * ST_HexagonGrid: origin at (0, 0) of EPSG:3826), so the same cell size always gives the same
 * cells. A square cell (i, j) is [i·s, (i+1)·s) × [j·s, (j+1)·s); a hexagon has flat top and
 * bottom, edge (and centre-to-corner distance) s, centre (1.5·s·i, √3·s·(j + ½ if i is odd)).
 * A point on an edge shared by two cells belongs to one of them only: for squares the one east
 * or north of it, for hexagons the one with the lower i, then the lower j.
 */
export type GridShape = 'square' | 'hexagon';
export const GRID_SHAPES: readonly GridShape[] = ['square', 'hexagon'];
/** The most cells one grid may have. */
export const MAX_CELLS = 60_000;

const SQRT3 = Math.sqrt(3);

export const cellArea = (shape: GridShape, s: number) => (shape === 'square' ? s * s : ((3 * SQRT3) / 2) * s * s);
/** Distance between the centres of neighbouring cells. */
export const cellSpacing = (shape: GridShape, s: number) => (shape === 'square' ? s : SQRT3 * s);

const isOdd = (i: number) => ((i % 2) + 2) % 2 === 1;

export function cellCentre(shape: GridShape, s: number, i: number, j: number): [number, number] {
  if (shape === 'square') return [(i + 0.5) * s, (j + 0.5) * s];
  return [1.5 * s * i, SQRT3 * s * (j + (isOdd(i) ? 0.5 : 0))];
}

/** The cell holding a point: for hexagons the one whose centre is nearest. */
export function cellOf(shape: GridShape, s: number, x: number, y: number): [number, number] {
  if (shape === 'square') return [Math.floor(x / s), Math.floor(y / s)];
  const i0 = Math.floor(x / (1.5 * s));
  let best: [number, number] = [i0, 0];
  let bestD = Infinity;
  for (const i of [i0, i0 + 1]) {
    // Half-way between two centres of a column rounds down: the lower j.
    const j = Math.ceil(y / (SQRT3 * s) - (isOdd(i) ? 0.5 : 0) - 0.5);
    const [cx, cy] = cellCentre(shape, s, i, j);
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (d < bestD - 1e-9) [best, bestD] = [[i, j], d];
  }
  return best;
}

export interface Cell {
  readonly i: number;
  readonly j: number;
  /** Centre in EPSG:3826. */
  readonly x: number;
  readonly y: number;
  /** The cell as GeoJSON (WGS84). */
  readonly geometry: object;
}

/**
 * Refuses a grid that would have more than MAX_CELLS cells over an area of `areaM2`, naming the
 * size parameter to raise, or, when the caller may not change the size (the public grid's
 * squares), the area to narrow.
 */
export function assertGridSize(areaM2: number, shape: GridShape, s: number, field: string | null = 'cellSize') {
  const n = Math.ceil(areaM2 / cellArea(shape, s));
  if (n > MAX_CELLS) {
    throw refusal(400, field ? 'analysis_grid_too_large' : 'analysis_area_too_large',
      { size: s, hexagon: shape === 'hexagon', cells: n, max: MAX_CELLS, field: field ?? 'bbox' }, { field: field ?? 'bbox' });
  }
}

/**
 * The cells of a grid that meet the scope, in (i, j) order, with their WGS84 outlines.
 * `sizeFixed`: the caller cannot choose the cell size (outsiders' public grid).
 */
export async function scopeCells(db: Queryable, scope: Scope, shape: GridShape, s: number, sizeFixed = false): Promise<Cell[]> {
  const [x0, y0, x1, y1] = scope.bounds;
  assertGridSize((x1 - x0 + 2 * s) * (y1 - y0 + 2 * s), shape, s, sizeFixed ? null : 'cellSize');
  const fn = shape === 'square' ? 'ST_SquareGrid' : 'ST_HexagonGrid';
  const { rows } = await db.query<{ i: number; j: number; g: object }>(
    `SELECT c.i, c.j, ST_AsGeoJSON(ST_Transform(c.geom, 4326), 7)::json AS g
       FROM (SELECT ST_Transform($1::geometry, 3826) AS a) s, ${fn}($2, s.a) c
      WHERE ST_Intersects(c.geom, s.a)
      ORDER BY c.i, c.j`, [scope.geom, s]);
  return rows.map((r) => {
    const [x, y] = cellCentre(shape, s, r.i, r.j);
    return { i: r.i, j: r.j, x, y, geometry: r.g };
  });
}

/** The index in `cells` of the cell holding a point, or −1 when that cell is not among them. */
export function cellLocator(cells: readonly Cell[], shape: GridShape, s: number): (x: number, y: number) => number {
  const index = new Map(cells.map((c, k) => [`${c.i},${c.j}`, k]));
  return (x, y) => {
    const [i, j] = cellOf(shape, s, x, y);
    return index.get(`${i},${j}`) ?? -1;
  };
}

/** Counts points per cell; points whose cell is not among `cells` are left out. */
export function countInCells(cells: readonly Cell[], shape: GridShape, s: number, xs: ArrayLike<number>, ys: ArrayLike<number>, ws?: ArrayLike<number>): Float64Array {
  const locate = cellLocator(cells, shape, s);
  const counts = new Float64Array(cells.length);
  for (let p = 0; p < xs.length; p++) {
    const k = locate(xs[p]!, ys[p]!);
    if (k >= 0) counts[k] = counts[k]! + (ws ? ws[p]! : 1);
  }
  return counts;
}

/** WGS84 outlines of square cells (i, j) of size s, as GeoJSON, in the order given. */
export async function squareOutlines(db: Queryable, s: number, is: number[], js: number[]): Promise<object[]> {
  if (is.length === 0) return [];
  const { rows } = await db.query<{ g: object }>(
    `SELECT ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(u.i * $3, u.j * $3, (u.i + 1) * $3, (u.j + 1) * $3, 3826), 4326), 7)::json AS g
       FROM unnest($1::int[], $2::int[]) WITH ORDINALITY AS u(i, j, n) ORDER BY u.n`, [is, js, s]);
  return rows.map((r) => r.g);
}
