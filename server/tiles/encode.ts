import { fromGeojsonVt } from 'vt-pbf';
import { EXTENT } from './coords.js';

/**
 * MVT encoding in Node for databases whose PostGIS cannot (PGlite). Rows come from the same
 * selection as ST_AsMVT's, with `geom` as GeoJSON text in tile coordinates; the output matches
 * ST_AsMVT's: same layer name, feature ids, properties (nulls left out) and geometry types.
 */
type Position = [number, number];
export interface TileFeature { id?: number; type: 1 | 2 | 3; geometry: Position[] | Position[][]; tags: Record<string, unknown> }

/** Twice the signed area by the surveyor's formula, in tile coordinates (y down). */
function ringArea(ring: Position[]): number {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) sum += (ring[j]![0] - ring[i]![0]) * (ring[j]![1] + ring[i]![1]);
  return sum;
}

/** MVT wants exterior rings of positive area in tile coordinates, holes negative. */
function orient(rings: Position[][]): Position[][] {
  return rings.map((ring, i) => ((ringArea(ring) > 0) === (i === 0) ? ring : [...ring].reverse()));
}

function toTileFeature(g: { type: string; coordinates: unknown }): Pick<TileFeature, 'type' | 'geometry'> | null {
  switch (g.type) {
    // A point clipped away is an empty point, with no coordinates.
    case 'Point': return (g.coordinates as number[]).length === 2 ? { type: 1, geometry: [g.coordinates as Position] } : null;
    case 'MultiPoint': return { type: 1, geometry: g.coordinates as Position[] };
    case 'Polygon': return { type: 3, geometry: orient(g.coordinates as Position[][]) };
    case 'MultiPolygon': return { type: 3, geometry: (g.coordinates as Position[][][]).flatMap(orient) };
    default: return null;
  }
}

/** Rows of the tile query (GeoJSON text of tile coordinates in `geom`) as tile features. */
export function encodeLayer(name: string, rows: readonly Record<string, unknown>[]): Buffer {
  const features: TileFeature[] = [];
  for (const { id, geom, ...props } of rows) {
    if (typeof geom !== 'string') continue;
    const shape = toTileFeature(JSON.parse(geom));
    if (!shape || shape.geometry.length === 0) continue;
    const tags = Object.fromEntries(Object.entries(props).filter(([, v]) => v !== null && v !== undefined));
    // Ids are bigint: a string from node-postgres, a number or bigint from PGlite.
    features.push({ ...shape, tags, ...(id !== null && id !== undefined ? { id: Number(id) } : {}) });
  }
  return encodeFeatures(name, features);
}

/** One MVT layer; an empty buffer when there are no features. */
export function encodeFeatures(name: string, features: TileFeature[]): Buffer {
  if (features.length === 0) return Buffer.alloc(0);
  // vt-pbf's types describe geojson-vt's output; our features have that shape.
  const tile = { features } as unknown as Parameters<typeof fromGeojsonVt>[0][string];
  return Buffer.from(fromGeojsonVt({ [name]: tile }, { version: 2, extent: EXTENT }));
}
