import { refusal } from '../http/messages.js';
import type { LayerDef } from '../layers/types.js';

/** A tile of the Web Mercator (EPSG:3857) XYZ grid. */
export interface TileId {
  readonly z: number;
  readonly x: number;
  readonly y: number;
}

/** Tile coordinates per side, as in MVT's default. */
export const EXTENT = 4096;
/** Tile-coordinate margin kept around each tile so symbols and outlines don't clip at its edge. */
export const BUFFER = 64;

const HALF_WORLD = 20037508.342789244;

function wholeNumber(s: string, name: string): number {
  if (!/^\d{1,8}$/.test(s)) throw refusal(400, 'tile_coordinate', { field: name, value: s }, { field: name });
  return Number(s);
}

/** The zoom range tiles can be asked for in: the widest of the layers. */
export function zoomRange(layers: readonly LayerDef[]): { minzoom: number; maxzoom: number } {
  return {
    minzoom: Math.min(...layers.map((l) => l.tiles!.minzoom)),
    maxzoom: Math.max(...layers.map((l) => l.tiles!.maxzoom)),
  };
}

/** Parses z/x/y from a URL and checks it lies in the layers' zoom range and in the grid. */
export function parseTile(layers: readonly LayerDef[], zs: string, xs: string, ys: string): TileId {
  const z = wholeNumber(zs, 'z');
  const { minzoom, maxzoom } = zoomRange(layers);
  const names = layers.map((l) => l.id).join(',');
  if (z < minzoom || z > maxzoom) throw refusal(400, 'tile_zoom', { z, layers: names, min: minzoom, max: maxzoom }, { field: 'z' });
  const last = 2 ** z - 1;
  const x = wholeNumber(xs, 'x');
  if (x > last) throw refusal(400, 'tile_outside_grid', { field: 'x', value: x, z, last }, { field: 'x' });
  const y = wholeNumber(ys, 'y');
  if (y > last) throw refusal(400, 'tile_outside_grid', { field: 'y', value: y, z, last }, { field: 'y' });
  return { z, x, y };
}

const mercatorX = (lon: number) => (lon * HALF_WORLD) / 180;
const mercatorY = (lat: number) => {
  const clamped = Math.max(-85.05112878, Math.min(85.05112878, lat));
  return Math.log(Math.tan(((90 + clamped) * Math.PI) / 360)) * (HALF_WORLD / Math.PI);
};

/** [west, south, east, north] in degrees. */
export type LonLatBox = readonly [number, number, number, number];

/** Where a Web Mercator position lies in the world's square, from its west and north edges: 0–1 each way. */
const gridX = (mx: number) => (mx + HALF_WORLD) / (2 * HALF_WORLD);
const gridY = (my: number) => (HALF_WORLD - my) / (2 * HALF_WORLD);

/** The tile at zoom z holding a position. */
export function tileAt(lon: number, lat: number, z: number): TileId {
  const n = 2 ** z;
  return { z, x: Math.floor(gridX(mercatorX(lon)) * n), y: Math.floor(gridY(mercatorY(lat)) * n) };
}

/**
 * A box as fractions of the world's square: [west, north, east, south], each 0–1 from the west
 * and north edges. Worked out once per box, its tiles at each zoom are a multiplication away.
 */
export type GridBox = readonly [number, number, number, number];

export const toGrid = (box: LonLatBox): GridBox => [gridX(mercatorX(box[0])), gridY(mercatorY(box[3])), gridX(mercatorX(box[2])), gridY(mercatorY(box[1]))];

/** A tile's buffer as a fraction of its side. */
const MARGIN = BUFFER / EXTENT;

/**
 * The columns x0–x1 and rows y0–y1 of the tiles at zoom z that a box touches, including tiles
 * whose buffer reaches into it: the tiles whose content may change when something inside the
 * box changes.
 */
export function tileRange(g: GridBox, z: number): { x0: number; x1: number; y0: number; y1: number } {
  const n = 2 ** z;
  const clamp = (i: number) => Math.max(0, Math.min(n - 1, i));
  return {
    x0: clamp(Math.floor(g[0] * n - MARGIN)), x1: clamp(Math.floor(g[2] * n + MARGIN)),
    y0: clamp(Math.floor(g[1] * n - MARGIN)), y1: clamp(Math.floor(g[3] * n + MARGIN)),
  };
}

/** Every tile at zoom z that a box touches (tileRange). */
export function tilesTouching(box: LonLatBox, z: number): TileId[] {
  const { x0, x1, y0, y1 } = tileRange(toGrid(box), z);
  const out: TileId[] = [];
  for (let x = x0; x <= x1; x++) {
    for (let y = y0; y <= y1; y++) out.push({ z, x, y });
  }
  return out;
}
