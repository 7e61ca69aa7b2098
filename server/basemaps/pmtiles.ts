import { open, type FileHandle } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { bytesToHeader, Compression, findTile, SharedPromiseCache, TileType, zxyToTileId,
  type Header, type RangeResponse, type Source } from 'pmtiles';
import { ArchiveError, checkRange, LIMITS, text, validBounds, vectorLayersOf, type ArchiveInfo, type StoredTile, type TileArchive, type TileEncoding, type TileFormat } from './archive.js';

const gunzipAsync = promisify(gunzip);

const HEADER_BYTES = 127;
/** The spec puts the header and root directory in the first 16 KiB, which clients fetch at once. */
const ROOT_SPAN = 16_384;
/** Directories kept in memory per archive (pmtiles' cache counts the header as one). */
const CACHED_DIRECTORIES = 16;

const FORMATS: Partial<Record<TileType, TileFormat>> = {
  [TileType.Mvt]: 'mvt', [TileType.Png]: 'png', [TileType.Jpeg]: 'jpg', [TileType.Webp]: 'webp', [TileType.Avif]: 'avif',
};
const TILE_ENCODINGS: Partial<Record<Compression, TileEncoding>> = {
  [Compression.None]: null, [Compression.Unknown]: null, [Compression.Gzip]: 'gzip', [Compression.Brotli]: 'br',
};

/**
 * The archive's bytes by range from an open file, as pmtiles' reader asks for them. A read past
 * the end returns what there is (the reader asks for the first 16 KiB of any archive), and no
 * read is larger than the largest thing an archive may make us hold.
 */
class FileRangeSource implements Source {
  constructor(private readonly file: FileHandle, private readonly path: string, readonly size: number) {}

  getKey(): string {
    return this.path;
  }

  async getBytes(offset: number, length: number): Promise<RangeResponse> {
    const n = Math.max(0, Math.min(length, this.size - offset, LIMITS.tileBytes));
    const buf = Buffer.alloc(n);
    if (n > 0) await this.file.read(buf, 0, n, offset);
    return { data: buf.buffer.slice(buf.byteOffset, buf.byteOffset + n) as ArrayBuffer };
  }
}

/** Reads one varint at the start of a buffer (the entry count of a directory). */
function leadingVarint(b: Uint8Array): number {
  let value = 0;
  for (let i = 0, shift = 1; i < Math.min(b.length, 8); i++, shift *= 128) {
    value += (b[i]! & 0x7f) * shift;
    if (b[i]! < 0x80) return value;
  }
  throw new ArchiveError('a directory starts with a malformed entry count');
}

/**
 * Inflates a directory for pmtiles' reader, bounded: at most LIMITS.directoryBytes, and an entry
 * count the bytes can hold (each entry takes at least 4 bytes), since the reader loops over the
 * count it reads and would otherwise spin on a corrupt one.
 */
async function inflateDirectory(buf: ArrayBuffer, compression: Compression): Promise<ArrayBuffer> {
  let bytes: Uint8Array;
  try {
    if (compression === Compression.Gzip) bytes = await gunzipAsync(new Uint8Array(buf), { maxOutputLength: LIMITS.directoryBytes });
    else if (compression === Compression.None) bytes = new Uint8Array(buf);
    else throw new ArchiveError(`directories compressed with ${Compression[compression]} are not supported (only gzip or none)`);
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`a directory cannot be decompressed (${(err as Error).message})`);
  }
  if (bytes.length === 0 || bytes.length > LIMITS.directoryBytes) throw new ArchiveError(`a directory is empty or larger than ${LIMITS.directoryBytes} bytes`);
  if (leadingVarint(bytes) * 4 > bytes.length) throw new ArchiveError('a directory claims more entries than its bytes can hold');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer;
}

/** Every claim of the header that points into the file, checked against the file's size. */
function checkHeader(h: Header, size: number): TileFormat {
  if (h.specVersion !== 3) throw new ArchiveError(`PMTiles version ${h.specVersion} is not supported (only version 3)`);
  checkRange('the root directory', h.rootDirectoryOffset, h.rootDirectoryLength, size);
  if (h.rootDirectoryOffset < HEADER_BYTES || h.rootDirectoryLength === 0 || h.rootDirectoryOffset + h.rootDirectoryLength > ROOT_SPAN) {
    throw new ArchiveError(`the root directory (bytes ${h.rootDirectoryOffset}–${h.rootDirectoryOffset + h.rootDirectoryLength}) is not within the first ${ROOT_SPAN} bytes`);
  }
  checkRange('the metadata', h.jsonMetadataOffset, h.jsonMetadataLength, size);
  if (h.jsonMetadataLength > LIMITS.metadataBytes) throw new ArchiveError(`the metadata is larger than ${LIMITS.metadataBytes} bytes`);
  checkRange('the leaf directories', h.leafDirectoryOffset, h.leafDirectoryLength ?? 0, size);
  checkRange('the tile data', h.tileDataOffset, h.tileDataLength ?? 0, size);
  if (h.internalCompression !== Compression.Gzip && h.internalCompression !== Compression.None) {
    throw new ArchiveError(`directories compressed with ${Compression[h.internalCompression] ?? h.internalCompression} are not supported (only gzip or none)`);
  }
  if (!(h.tileCompression in TILE_ENCODINGS)) throw new ArchiveError(`tiles compressed with ${Compression[h.tileCompression] ?? h.tileCompression} are not supported (gzip, brotli or none)`);
  const format = FORMATS[h.tileType as TileType];
  if (!format) throw new ArchiveError(`tile type ${TileType[h.tileType] ?? h.tileType} is not supported (MVT, PNG, JPEG, WebP or AVIF)`);
  if (h.minZoom > h.maxZoom || h.maxZoom > LIMITS.maxZoom) throw new ArchiveError(`zoom levels ${h.minZoom}–${h.maxZoom} are not a range up to ${LIMITS.maxZoom}`);
  return format;
}

/**
 * Opens a PMTiles v3 archive for serving, with pmtiles' reader over the file by range. Refuses
 * (ArchiveError) a file whose header, root directory or metadata is not sound, so a bad file is
 * found at start rather than by the first visitor.
 */
export async function openPmtiles(path: string): Promise<TileArchive> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    if (size < HEADER_BYTES) throw new ArchiveError(`the file has ${size} bytes, fewer than a PMTiles header (${HEADER_BYTES})`);
    const source = new FileRangeSource(file, path, size);
    const { data: head } = await source.getBytes(0, HEADER_BYTES);
    if (Buffer.from(head).toString('latin1', 0, 7) !== 'PMTiles') throw new ArchiveError('it does not start with "PMTiles": not a PMTiles archive');
    const header = bytesToHeader(head);
    const format = checkHeader(header, size);
    const encoding = TILE_ENCODINGS[header.tileCompression as Compression]!;
    // pmtiles' directory cache reads, inflates (bounded, by inflateDirectory) and decodes them.
    const directories = new SharedPromiseCache(CACHED_DIRECTORIES, true, inflateDirectory);
    await directories.getHeader(source);
    const root = await directories.getDirectory(source, header.rootDirectoryOffset, header.rootDirectoryLength, header);
    for (const e of root) checkEntry(header, e);
    const metadata = await readMetadata(source, header);

    const info: ArchiveInfo = {
      format,
      minzoom: header.minZoom,
      maxzoom: header.maxZoom,
      bounds: validBounds([header.minLon, header.minLat, header.maxLon, header.maxLat]),
      center: Number.isFinite(header.centerLon) && Number.isFinite(header.centerLat) ? [header.centerLon, header.centerLat, header.centerZoom] : undefined,
      name: text(metadata.name),
      description: text(metadata.description),
      attribution: text(metadata.attribution),
      vectorLayers: vectorLayersOf(metadata.vector_layers),
    };
    return {
      path, info,
      tile: async (z, x, y) => {
        if (z < header.minZoom || z > header.maxZoom) return null;
        return readTile(directories, source, header, zxyToTileId(z, x, y), encoding);
      },
      close: () => file.close(),
    };
  } catch (err) {
    await file.close();
    throw err instanceof ArchiveError ? err : new ArchiveError((err as Error).message);
  }
}

/** A directory entry's bytes lie in the section they belong to (tile data, or leaf directories). */
function checkEntry(h: Header, e: { offset: number; length: number; runLength: number }): void {
  if (e.runLength > 0) checkRange('a tile', e.offset, e.length, h.tileDataLength ?? 0);
  else {
    checkRange('a leaf directory', e.offset, e.length, h.leafDirectoryLength ?? 0);
    if (e.length === 0) throw new ArchiveError('a leaf directory entry has no bytes');
  }
}

/**
 * Walks the root and leaf directories to a tile, as pmtiles' PMTiles.getZxy does, but checks
 * each entry against its section and keeps the tile as stored (getZxy would inflate it).
 */
async function readTile(directories: SharedPromiseCache, source: FileRangeSource, h: Header, tileId: number, encoding: TileEncoding): Promise<StoredTile | null> {
  let offset = h.rootDirectoryOffset;
  let length = h.rootDirectoryLength;
  for (let depth = 0; depth <= 3; depth++) {
    const entry = findTile(await directories.getDirectory(source, offset, length, h), tileId);
    if (!entry) return null;
    checkEntry(h, entry);
    if (entry.runLength > 0) {
      if (entry.length > LIMITS.tileBytes) throw new ArchiveError(`the tile has ${entry.length} bytes, more than ${LIMITS.tileBytes}`);
      const { data } = await source.getBytes(h.tileDataOffset + entry.offset, entry.length);
      return { data: Buffer.from(data), encoding };
    }
    offset = h.leafDirectoryOffset + entry.offset;
    length = entry.length;
  }
  throw new ArchiveError('directories are nested deeper than the 4 levels PMTiles allows');
}

async function readMetadata(source: FileRangeSource, h: Header): Promise<Record<string, unknown>> {
  if (h.jsonMetadataLength === 0) return {};
  const raw = new Uint8Array((await source.getBytes(h.jsonMetadataOffset, h.jsonMetadataLength)).data);
  let json: unknown;
  try {
    const bytes = h.internalCompression === Compression.Gzip ? await gunzipAsync(raw, { maxOutputLength: LIMITS.metadataBytes }) : raw;
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new ArchiveError(`the metadata is not readable JSON (${(err as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new ArchiveError('the metadata is not a JSON object');
  return json as Record<string, unknown>;
}
