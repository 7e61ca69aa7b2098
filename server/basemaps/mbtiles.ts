import { mkdtemp, open, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Database, Statement } from 'node-sqlite3-wasm';
import { ArchiveError, LIMITS, text, validBounds, vectorLayersOf, type ArchiveInfo, type TileArchive, type TileFormat } from './archive.js';

/**
 * SQLite compiled to WebAssembly with a VFS on Node's fs (node-sqlite3-wasm): it reads the
 * pages a query needs from the file, so a multi-gigabyte archive is not loaded into memory, and
 * it needs no native build. Loaded only when an .mbtiles is to be served.
 */
const sqlite = async () => (await import('node-sqlite3-wasm')).default;

const SQLITE_MAGIC = 'SQLite format 3\0';
const HEADER_BYTES = 100;

const FORMATS: Record<string, TileFormat> = { png: 'png', jpg: 'jpg', jpeg: 'jpg', webp: 'webp', avif: 'avif', pbf: 'mvt', mvt: 'mvt' };

/**
 * The SQLite header's claims against the file: a page size SQLite can have, and the pages it
 * says the database has all present (a truncated copy is the common way an archive breaks).
 */
function checkSqliteHeader(head: Buffer, size: number): void {
  if (size < HEADER_BYTES || head.toString('latin1', 0, 16) !== SQLITE_MAGIC) throw new ArchiveError('it is not an SQLite database (an MBTiles file is one)');
  const raw = head.readUInt16BE(16);
  const pageSize = raw === 1 ? 65_536 : raw;
  if (pageSize < 512 || pageSize > 65_536 || (pageSize & (pageSize - 1)) !== 0) throw new ArchiveError(`its page size ${raw} is not one SQLite uses`);
  if (head[18] === 2 || head[19] === 2) {
    throw new ArchiveError('it is in WAL journal mode; convert it once with: sqlite3 FILE "PRAGMA journal_mode=DELETE"');
  }
  const pages = head.readUInt32BE(28);
  // The page count is valid when the "version-valid-for" number equals the change counter.
  if (pages > 0 && head.readUInt32BE(92) === head.readUInt32BE(24)) {
    if (pages * pageSize > size) throw new ArchiveError(`its header says ${pages} pages of ${pageSize} bytes (${pages * pageSize} bytes) but the file has ${size}: the file is truncated`);
  } else if (size % pageSize !== 0) {
    throw new ArchiveError(`its size ${size} is not a whole number of ${pageSize}-byte pages: the file is truncated`);
  }
}

/** The tile format from the first bytes of a tile, for archives whose metadata does not say. */
function sniffFormat(b: Uint8Array): TileFormat | undefined {
  if (b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b[0] === 0xff && b[1] === 0xd8) return 'jpg';
  if (Buffer.from(b.subarray(0, 4)).toString('latin1') === 'RIFF' && Buffer.from(b.subarray(8, 12)).toString('latin1') === 'WEBP') return 'webp';
  if (b[0] === 0x1f && b[1] === 0x8b) return 'mvt';
  return undefined;
}

const numbers = (s: string | undefined) => (s ? s.split(',').map((v) => Number(v.trim())) : undefined);

function readInfo(db: Database): ArchiveInfo {
  const tables = db.all(`SELECT name FROM sqlite_master WHERE name IN ('tiles', 'metadata') AND type IN ('table', 'view')`).map((r) => r.name);
  if (!tables.includes('tiles')) throw new ArchiveError('it has no "tiles" table: not an MBTiles file');
  const meta: Record<string, string> = {};
  if (tables.includes('metadata')) {
    for (const r of db.all('SELECT name, value FROM metadata WHERE length(value) <= ? LIMIT 1000', [LIMITS.metadataBytes])) {
      if (typeof r.name === 'string' && typeof r.value === 'string') meta[r.name] = r.value;
    }
  }
  const first = db.get('SELECT zoom_level, tile_column, tile_row, substr(tile_data, 1, 16) AS head FROM tiles LIMIT 1');
  if (!first) throw new ArchiveError('it holds no tiles');
  const format = FORMATS[(meta.format ?? '').toLowerCase()] ?? sniffFormat(first.head as Uint8Array);
  if (!format) throw new ArchiveError(`its tile format "${meta.format ?? ''}" is not supported (png, jpg, webp or pbf); set "format" in its metadata table`);

  let [minzoom, maxzoom] = [Number(meta.minzoom), Number(meta.maxzoom)];
  if (!Number.isInteger(minzoom) || !Number.isInteger(maxzoom)) {
    const z = db.get('SELECT min(zoom_level) AS lo, max(zoom_level) AS hi FROM tiles')!;
    [minzoom, maxzoom] = [Number(z.lo), Number(z.hi)];
  }
  if (!(minzoom >= 0 && minzoom <= maxzoom && maxzoom <= LIMITS.maxZoom)) throw new ArchiveError(`zoom levels ${minzoom}–${maxzoom} are not a range up to ${LIMITS.maxZoom}`);

  let json: Record<string, unknown> = {};
  if (meta.json) {
    try {
      json = JSON.parse(meta.json) as Record<string, unknown>;
    } catch (err) {
      throw new ArchiveError(`its metadata "json" is not JSON (${(err as Error).message})`);
    }
  }
  const center = numbers(meta.center);
  return {
    format, minzoom, maxzoom,
    bounds: validBounds(numbers(meta.bounds)),
    center: center?.length === 3 && center.every(Number.isFinite) ? center as [number, number, number] : undefined,
    name: text(meta.name),
    description: text(meta.description),
    attribution: text(meta.attribution),
    vectorLayers: vectorLayersOf(json?.vector_layers),
  };
}

/**
 * node-sqlite3-wasm locks a database by creating a directory `<path>.lock` beside the file for
 * each read transaction and removing it after: that would write into tiles/ (and fail on a
 * read-only mount), let one instance's lock stop another, leave a stale lock after a crash, and
 * cost two directory operations per tile (~2 ms here). So the archive is opened through a
 * symbolic link in a private temporary folder, where the lock lives, and one read transaction is
 * held for the connection's life: the file is only ever read, and replacing it needs a restart.
 */
async function openReadOnly(path: string): Promise<{ db: Database; close(): Promise<void> }> {
  const { Database } = await sqlite();
  const lockDir = await mkdtemp(join(tmpdir(), 'emap-mbtiles-'));
  const link = join(lockDir, 'archive.mbtiles');
  let db: Database;
  try {
    await symlink(resolve(path), link);
    db = new Database(link, { readOnly: true });
  } catch (err) {
    await rm(lockDir, { recursive: true, force: true });
    throw new ArchiveError(`SQLite cannot open it (${(err as Error).message})`);
  }
  db.exec('BEGIN');
  return {
    db,
    close: async () => {
      db.exec('ROLLBACK');
      db.close();
      await rm(lockDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens an MBTiles 1.3 archive read-only for serving. Refuses (ArchiveError) a file that is not
 * SQLite, is truncated, lacks the tiles table or whose format and zoom range cannot be told.
 * Rows are TMS: tile_row counts from the south, so y is flipped.
 */
export async function openMbtiles(path: string): Promise<TileArchive> {
  const file = await open(path, 'r');
  try {
    const size = (await file.stat()).size;
    const head = Buffer.alloc(HEADER_BYTES);
    await file.read(head, 0, HEADER_BYTES, 0);
    checkSqliteHeader(head, size);
  } finally {
    await file.close();
  }
  const connection = await openReadOnly(path);
  const { db } = connection;
  let lookup: Statement | undefined;
  try {
    const info = readInfo(db);
    lookup = db.prepare(`SELECT length(tile_data) AS n, CASE WHEN length(tile_data) <= ? THEN tile_data END AS data
                           FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?`);
    const statement = lookup;
    return {
      path, info,
      tile: async (z, x, y) => {
        if (z < info.minzoom || z > info.maxzoom) return null;
        let row;
        try {
          row = statement.get([LIMITS.tileBytes, z, x, 2 ** z - 1 - y]);
        } catch (err) {
          throw new ArchiveError(`SQLite could not read the tile (${(err as Error).message})`);
        }
        if (!row) return null;
        if (!(row.data instanceof Uint8Array)) throw new ArchiveError(`the tile has ${row.n} bytes, more than ${LIMITS.tileBytes}, or is not a blob`);
        const data = Buffer.from(row.data);
        return { data, encoding: data[0] === 0x1f && data[1] === 0x8b ? 'gzip' : null };
      },
      close: async () => {
        statement.finalize();
        await connection.close();
      },
    };
  } catch (err) {
    lookup?.finalize();
    await connection.close();
    throw err instanceof ArchiveError ? err : new ArchiveError(`SQLite cannot read it (${(err as Error).message})`);
  }
}
