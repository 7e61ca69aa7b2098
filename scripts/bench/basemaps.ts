/**
 * Reading tiles from local basemap archives (server/basemaps), against the floor: the same
 * tile's bytes read from the file by offset with no archive format around them. An archive of
 * up to `tiles` random tiles (2 kB, over 桃園 from z8 up) is written as PMTiles (leaf directories of
 * 4,096 entries, as go-pmtiles makes them) and as MBTiles; each run reads 5,000 tiles in random
 * order through the service's readers. No database is involved.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readSync, closeSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMbtiles } from '../../server/basemaps/mbtiles.js';
import { openPmtiles } from '../../server/basemaps/pmtiles.js';
import { tileAt } from '../../server/tiles/coords.js';
import { tileId, writeMbtiles, writePmtiles, type ArchiveTile } from '../../test/support/tile-archives.js';
import { fmt, median, table, timeRuns } from './report.js';

const READS = 5_000;

function taoyuanTiles(limit: number): ArchiveTile[] {
  const out: ArchiveTile[] = [];
  for (let z = 8; z <= 16 && out.length < limit; z++) {
    const a = tileAt(120.98, 25.13, z);
    const b = tileAt(121.49, 24.58, z);
    for (let x = a.x; x <= b.x; x++) for (let y = a.y; y <= b.y && out.length < limit; y++) out.push({ z, x, y, data: randomBytes(2048) });
  }
  return out;
}

export async function basemapBench({ runs, tiles: count }: { runs: number; tiles: number }): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'emap-bench-basemaps-'));
  try {
    const tiles = taoyuanTiles(count);
    const pm = join(dir, 'bench.pmtiles');
    const mb = join(dir, 'bench.mbtiles');
    const bytes = writePmtiles(pm, { tileType: 'png', tiles, leafSize: 4096 });
    writeMbtiles(mb, { tiles, metadata: { format: 'png', minzoom: '8', maxzoom: '14' } });
    // Where each tile's bytes lie in the PMTiles file: the floor reads exactly those.
    const dataStart = Number(bytes.readBigUInt64LE(56));
    const sorted = [...tiles].sort((a, b) => tileId(a.z, a.x, a.y) - tileId(b.z, b.x, b.y));
    const offsets = new Map<ArchiveTile, number>();
    sorted.reduce((at, t) => (offsets.set(t, at), at + t.data.length), dataStart);
    const order = Array.from({ length: READS }, () => tiles[Math.floor(Math.random() * tiles.length)]!);

    const pmtiles = await openPmtiles(pm);
    const mbtiles = await openMbtiles(mb);
    const fd = openSync(pm, 'r');
    const handle = await open(pm, 'r');
    const buf = Buffer.alloc(2048);
    const measures: [string, () => Promise<unknown>][] = [
      ['file read at the offset, sync (floor)', async () => { for (const t of order) readSync(fd, buf, 0, t.data.length, offsets.get(t)!); }],
      ['file read at the offset, async (as PMTiles reads)', async () => { for (const t of order) await handle.read(buf, 0, t.data.length, offsets.get(t)!); }],
      ['PMTiles (pmtiles reader, leaf directories)', async () => { for (const t of order) await pmtiles.tile(t.z, t.x, t.y); }],
      ['MBTiles (SQLite in WebAssembly)', async () => { for (const t of order) await mbtiles.tile(t.z, t.x, t.y); }],
    ];
    const rows: (string | number)[][] = [];
    let floor = 0;
    for (const [name, fn] of measures) {
      await fn(); // warm: directories cached, SQLite pages in its cache
      const ms = await timeRuns(runs, fn);
      const us = (median(ms) * 1000) / READS;
      if (!floor) floor = us;
      rows.push([name, ms.map((m) => fmt((m * 1000) / READS, 1)).join(' / '), fmt(us, 1), `${fmt(us / floor, 1)}×`]);
    }
    closeSync(fd);
    await handle.close();
    await pmtiles.close();
    await mbtiles.close();
    const verified = (await Promise.all(order.slice(0, 50).map(async (t) => Buffer.compare((await (await openPmtiles(pm)).tile(t.z, t.x, t.y))!.data, t.data)))).every((c) => c === 0);
    return [`Basemap tiles read from local archives (${fmt(tiles.length)} tiles of 2 kB over 桃園 at z8–${Math.max(...tiles.map((t) => t.z))}; ${fmt(READS)} random reads per run, median of ${runs} runs; tiles verified: ${verified})`,
      table(['reader', 'µs per tile, each run', 'median µs', 'vs floor'], rows)].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
