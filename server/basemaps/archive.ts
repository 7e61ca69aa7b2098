/**
 * A local basemap archive (.pmtiles or .mbtiles) as the service reads it: what it holds and its
 * tiles by z/x/y, each exactly as stored (a vector tile may be stored gzipped; the handler
 * passes it on with Content-Encoding rather than inflating it).
 */
export type TileFormat = 'png' | 'jpg' | 'webp' | 'avif' | 'mvt';
/** How a tile is compressed inside the archive. */
export type TileEncoding = 'gzip' | 'br' | null;

export const CONTENT_TYPES: Record<TileFormat, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  mvt: 'application/vnd.mapbox-vector-tile',
};

export interface StoredTile {
  data: Buffer;
  encoding: TileEncoding;
}

/** What an archive says about itself (PMTiles header and JSON metadata, MBTiles metadata table). */
export interface ArchiveInfo {
  format: TileFormat;
  minzoom: number;
  maxzoom: number;
  /** [west, south, east, north], when the archive says. */
  bounds?: [number, number, number, number];
  /** [lon, lat, zoom], when the archive says. */
  center?: [number, number, number];
  name?: string;
  description?: string;
  attribution?: string;
  /** TileJSON vector_layers of a vector archive: the layer ids a style can draw. */
  vectorLayers: { id: string; [key: string]: unknown }[];
}

export interface TileArchive {
  readonly path: string;
  readonly info: ArchiveInfo;
  /** The stored tile at XYZ (y from the north), or null when the archive has none there. */
  tile(z: number, x: number, y: number): Promise<StoredTile | null>;
  close(): Promise<void>;
}

/**
 * Bounds on what an archive may make the service read or hold, whatever its header claims: a
 * tile (stored), a tile inflated for a client that takes no gzip, a directory or the metadata.
 */
export const LIMITS = {
  tileBytes: 8 * 2 ** 20,
  inflatedTileBytes: 32 * 2 ** 20,
  directoryBytes: 1 * 2 ** 20,
  metadataBytes: 4 * 2 ** 20,
  /** Deepest zoom the service serves from an archive (PMTiles tile ids are exact to 26). */
  maxZoom: 24,
};

/** An archive that cannot be served: `reason` says why, for the operator's log. */
export class ArchiveError extends Error {}

/** Throws ArchiveError unless the byte range [offset, offset + length) lies within `size`. */
export function checkRange(what: string, offset: number, length: number, size: number): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0 || offset + length > size) {
    throw new ArchiveError(`${what} (bytes ${offset}–${offset + length}) lies beyond the end of the file (${size} bytes): the file is truncated or corrupt`);
  }
}

/** Bounds as TileJSON has them, when all four are numbers in range and west < east, south < north. */
export function validBounds(b: readonly number[] | undefined): [number, number, number, number] | undefined {
  if (!b || b.length !== 4 || !b.every(Number.isFinite)) return undefined;
  const [w, s, e, n] = b as [number, number, number, number];
  return w >= -180 && e <= 180 && s >= -90 && n <= 90 && w < e && s < n ? [w, s, e, n] : undefined;
}

/** A short text from an archive's metadata; anything else is ignored. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length <= 10_000 ? v : undefined);

/** The vector_layers of TileJSON metadata, keeping entries with a string id. */
export function vectorLayersOf(v: unknown): ArchiveInfo['vectorLayers'] {
  if (!Array.isArray(v)) return [];
  return v.filter((l): l is { id: string } => typeof l === 'object' && l !== null && typeof (l as { id?: unknown }).id === 'string').slice(0, 1000);
}
