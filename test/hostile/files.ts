import { createGzip, gzipSync } from 'node:zlib';

/**
 * Hostile files, built byte by byte: zip archives whose directories say what the test wants them
 * to say (sizes that lie, methods nobody supports, a million entries), Shapefile parts whose
 * headers promise what the file does not hold, and the large texts of the corpus. Large bodies
 * are compressed as a stream, so building a 1 GiB bomb costs its compressed size in memory.
 */

export interface ZipEntry {
  name: string;
  /** The entry's bytes as stored (compressed with `method`). */
  data: Uint8Array;
  /** 0 stored, 8 deflate; anything else is a method the service does not take. */
  method: number;
  /** The uncompressed size the headers announce (true or not). */
  size: number;
  crc: number;
  /** General-purpose flags: bit 0 marks an encrypted entry. */
  flags?: number;
}

/** An entry deflated honestly. The CRC-32 comes from the gzip trailer (zlib computes it). */
export function deflated(name: string, bytes: Uint8Array): ZipEntry {
  const gz = gzipSync(bytes);
  return { name, data: gz.subarray(10, gz.length - 8), method: 8, size: bytes.length, crc: gz.readUInt32LE(gz.length - 8) };
}

/**
 * An entry of `size` bytes repeating `chunk`, deflated as a stream: the 1 GiB bombs of the corpus
 * without ever holding 1 GiB.
 */
export async function deflatedRepeat(name: string, chunk: Uint8Array, size: number): Promise<ZipEntry> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => gz.on('end', resolve));
  for (let left = size; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
    if (!gz.write(part)) await new Promise((resolve) => gz.once('drain', resolve));
  }
  gz.end();
  await ended;
  const all = Buffer.concat(out);
  return { name, data: all.subarray(10, all.length - 8), method: 8, size, crc: all.readUInt32LE(all.length - 8) };
}

/** A zip archive of the entries, each header saying what the entry says. */
export function zipOf(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE((e.flags ?? 0) | 0x800, 6);
    local.writeUInt16LE(e.method, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.data.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE((e.flags ?? 0) | 0x800, 8);
    central.writeUInt16LE(e.method, 10);
    central.writeUInt32LE(e.crc, 16);
    central.writeUInt32LE(e.data.length, 20);
    central.writeUInt32LE(e.size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, Buffer.from(e.data));
    centrals.push(central, name);
    offset += 30 + name.length + e.data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** The 100-byte header of a .shp or .shx: file code, length in 16-bit words, version, shape type. */
export function shpHeader(lengthBytes: number, shapeType: number): Buffer {
  const h = Buffer.alloc(100);
  h.writeInt32BE(9994, 0);
  h.writeInt32BE(lengthBytes / 2, 24);
  h.writeInt32LE(1000, 28);
  h.writeInt32LE(shapeType, 32);
  return h;
}

/** A .shp of point records at the given positions, and its .shx. */
export function pointShp(points: [number, number][]): { shp: Buffer; shx: Buffer } {
  const records = points.map(([x, y], i) => {
    const r = Buffer.alloc(28);
    r.writeInt32BE(i + 1, 0);
    r.writeInt32BE(10, 4);
    r.writeInt32LE(1, 8);
    r.writeDoubleLE(x, 12);
    r.writeDoubleLE(y, 20);
    return r;
  });
  const index = points.map((_, i) => {
    const r = Buffer.alloc(8);
    r.writeInt32BE((100 + 28 * i) / 2, 0);
    r.writeInt32BE(10, 4);
    return r;
  });
  return {
    shp: Buffer.concat([shpHeader(100 + 28 * points.length, 1), ...records]),
    shx: Buffer.concat([shpHeader(100 + 8 * points.length, 1), ...index]),
  };
}

/** A .dbf header with one character field of `fieldLength`, saying whatever count and lengths it is given. */
export function dbfHeader(o: { records: number; recordLength: number; headerLength?: number; fieldLength?: number }): Buffer {
  const h = Buffer.alloc(65);
  h[0] = 0x03;
  h.writeUInt32LE(o.records, 4);
  h.writeUInt16LE(o.headerLength ?? 65, 8);
  h.writeUInt16LE(o.recordLength, 10);
  h.write('NAME', 32, 'latin1');
  h[43] = 'C'.charCodeAt(0);
  h[48] = o.fieldLength ?? 10;
  h[64] = 0x0d;
  return h;
}

/** A zipped Shapefile of the given parts. */
export const shapefileOf = (parts: Record<string, Uint8Array>) => zipOf(Object.entries(parts).map(([name, bytes]) => deflated(name, bytes)));

/**
 * A closed ring of `n` positions (the last repeats the first) on a circle of `radius` degrees
 * about (lon, lat): a polygon with n vertices, valid or not does not matter to a vertex count.
 */
export function ring(n: number, lon = 120.205, lat = 22.995, radius = 0.003): [number, number][] {
  const out: [number, number][] = new Array(n);
  for (let i = 0; i < n - 1; i++) {
    const a = (2 * Math.PI * i) / (n - 1);
    out[i] = [Number((lon + radius * Math.cos(a)).toFixed(7)), Number((lat + radius * Math.sin(a)).toFixed(7))];
  }
  out[n - 1] = out[0]!;
  return out;
}
