import { writeFileSync } from 'node:fs';
import { crc32, deflateSync, gzipSync } from 'node:zlib';
import sqlite from 'node-sqlite3-wasm';
import { fromGeojsonVt } from 'vt-pbf';

/**
 * Small, valid basemap archives written by the tests themselves, from the formats' specs and
 * independently of the code that reads them: PMTiles v3 (header, varint directories, optional
 * leaf directories, gzip) and MBTiles 1.3 (SQLite, TMS rows), with PNG and vector tiles.
 */
export interface ArchiveTile {
  z: number;
  x: number;
  /** XYZ row, from the north. */
  y: number;
  data: Buffer;
  /** PMTiles only: this many consecutive tile ids share the tile (a whole zoom level from its first tile is 4^z). */
  run?: number;
}

/** A w×w PNG of one colour (8-bit RGB), so a test can tell which tile was drawn. */
export function solidPng([r, g, b]: [number, number, number], w = 256): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(w, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(Array.from({ length: w }, () => row)))), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** An uncompressed vector tile with a road across the middle, a water square and a building, Protomaps-named. */
export function streetTile(name: string): Buffer {
  const tile = (features: unknown[]) => ({ features }) as unknown as Parameters<typeof fromGeojsonVt>[0][string];
  return Buffer.from(fromGeojsonVt({
    roads: tile([{ type: 2, geometry: [[[0, 2048], [4096, 2048]]], tags: { kind: 'major_road', name } }]),
    water: tile([{ type: 3, geometry: [[[256, 256], [1024, 256], [1024, 1024], [256, 1024], [256, 256]]], tags: { kind: 'water' } }]),
    buildings: tile([{ type: 3, geometry: [[[2500, 2500], [3000, 2500], [3000, 3000], [2500, 3000], [2500, 2500]]], tags: {} }]),
  }, { version: 2, extent: 4096 }));
}

/** The PMTiles tile id: tiles of all lower zooms, then the position along zoom z's Hilbert curve. */
export function tileId(z: number, x: number, y: number): number {
  let id = (4 ** z - 1) / 3;
  const n = 2 ** z;
  for (let s = n / 2; s >= 1; s /= 2) {
    const rx = (x & s) > 0 ? 1 : 0;
    const ry = (y & s) > 0 ? 1 : 0;
    id += s * s * ((3 * rx) ^ ry);
    if (ry === 0) {
      if (rx === 1) [x, y] = [n - 1 - x, n - 1 - y];
      [x, y] = [y, x];
    }
  }
  return id;
}

function varints(values: number[]): Buffer {
  const out: number[] = [];
  for (let v of values) {
    while (v >= 0x80) {
      out.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    out.push(v);
  }
  return Buffer.from(out);
}

interface Entry { tileId: number; offset: number; length: number; runLength: number }

/** A directory as the spec lays it out: count, id deltas, run lengths, lengths, offsets + 1. */
function directory(entries: Entry[]): Buffer {
  let last = 0;
  return varints([
    entries.length,
    ...entries.map((e) => { const d = e.tileId - last; last = e.tileId; return d; }),
    ...entries.map((e) => e.runLength), ...entries.map((e) => e.length), ...entries.map((e) => e.offset + 1),
  ]);
}

export interface PmtilesOptions {
  tileType: 'mvt' | 'png';
  tiles: ArchiveTile[];
  metadata?: Record<string, unknown>;
  /** Store vector tiles gzipped (as tippecanoe and planetiler do). */
  gzipTiles?: boolean;
  /** Put the entries in leaf directories of this many, under a root of pointers. */
  leafSize?: number;
  bounds?: [number, number, number, number];
}

const TYPES = { mvt: 1, png: 2 };

/** Writes a PMTiles v3 archive and returns its bytes. */
export function writePmtiles(path: string, o: PmtilesOptions): Buffer {
  const sorted = [...o.tiles].sort((a, b) => tileId(a.z, a.x, a.y) - tileId(b.z, b.x, b.y));
  const blobs: Buffer[] = [];
  let offset = 0;
  const entries: Entry[] = sorted.map((t) => {
    const data = o.gzipTiles ? gzipSync(t.data) : t.data;
    blobs.push(data);
    const e = { tileId: tileId(t.z, t.x, t.y), offset, length: data.length, runLength: t.run ?? 1 };
    offset += data.length;
    return e;
  });
  let root: Buffer;
  let leaves = Buffer.alloc(0);
  if (o.leafSize) {
    const parts: Buffer[] = [];
    const pointers: Entry[] = [];
    let leafOffset = 0;
    for (let i = 0; i < entries.length; i += o.leafSize) {
      const chunk = entries.slice(i, i + o.leafSize);
      const leaf = gzipSync(directory(chunk));
      pointers.push({ tileId: chunk[0]!.tileId, offset: leafOffset, length: leaf.length, runLength: 0 });
      parts.push(leaf);
      leafOffset += leaf.length;
    }
    root = gzipSync(directory(pointers));
    leaves = Buffer.concat(parts);
  } else {
    root = gzipSync(directory(entries));
  }
  const metadata = gzipSync(Buffer.from(JSON.stringify(o.metadata ?? {})));
  const data = Buffer.concat(blobs);
  const zooms = sorted.map((t) => t.z);
  const [w, s, e, n] = o.bounds ?? [120, 22, 122, 26];

  const h = Buffer.alloc(127);
  h.write('PMTiles', 0, 'latin1');
  h[7] = 3;
  const u64 = (at: number, v: number) => h.writeBigUInt64LE(BigInt(v), at);
  const rootOff = 127;
  const metaOff = rootOff + root.length;
  const leafOff = metaOff + metadata.length;
  const dataOff = leafOff + leaves.length;
  u64(8, rootOff); u64(16, root.length); u64(24, metaOff); u64(32, metadata.length);
  u64(40, leafOff); u64(48, leaves.length); u64(56, dataOff); u64(64, data.length);
  u64(72, entries.reduce((n, e) => n + e.runLength, 0)); u64(80, entries.length); u64(88, entries.length);
  h[96] = 1; // clustered
  h[97] = 2; // internal compression: gzip
  h[98] = o.gzipTiles ? 2 : 1;
  h[99] = TYPES[o.tileType];
  h[100] = Math.min(...zooms);
  h[101] = Math.max(...zooms);
  h.writeInt32LE(Math.round(w * 1e7), 102); h.writeInt32LE(Math.round(s * 1e7), 106);
  h.writeInt32LE(Math.round(e * 1e7), 110); h.writeInt32LE(Math.round(n * 1e7), 114);
  h[118] = Math.min(...zooms);
  h.writeInt32LE(Math.round(((w + e) / 2) * 1e7), 119); h.writeInt32LE(Math.round(((s + n) / 2) * 1e7), 123);
  const bytes = Buffer.concat([h, root, metadata, leaves, data]);
  writeFileSync(path, bytes);
  return bytes;
}

/** Writes an MBTiles 1.3 archive: metadata rows and tiles with TMS rows (counted from the south). */
export function writeMbtiles(path: string, o: { tiles: ArchiveTile[]; metadata: Record<string, string>; gzipTiles?: boolean }): void {
  const db = new sqlite.Database(path);
  try {
    db.exec(`CREATE TABLE metadata (name text, value text);
             CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);
             CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);`);
    for (const [name, value] of Object.entries(o.metadata)) db.run('INSERT INTO metadata VALUES (?, ?)', [name, value]);
    for (const t of o.tiles) {
      db.run('INSERT INTO tiles VALUES (?, ?, ?, ?)', [t.z, t.x, 2 ** t.z - 1 - t.y, o.gzipTiles ? gzipSync(t.data) : t.data]);
    }
  } finally {
    db.close();
  }
}
