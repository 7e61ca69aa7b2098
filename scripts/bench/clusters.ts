import type { Principal } from '../../server/auth/principal.js';
import type { Db } from '../../server/db/db.js';
import { migrate } from '../../server/db/migrate.js';
import { seedDemo } from '../../server/demo/seed.js';
import { findLayer } from '../../server/layers/registry.js';
import type { LayerDef } from '../../server/layers/types.js';
import { EXTENT, tilesTouching, type TileId } from '../../server/tiles/coords.js';
import { encodeLayer } from '../../server/tiles/encode.js';
import { TileRenderer } from '../../server/tiles/render.js';
import { envelope, inMercator, snappedGeom, visibleRows } from '../../server/tiles/sql.js';
import { fmt, median, table } from './report.js';
import { scratchDb } from './scratch-db.js';

/**
 * Which clustering serves the demo city's tiles faster: supercluster indexes (what the tile
 * server uses: server/tiles/clusters.ts) or grouping each tile's points on a grid in SQL (the
 * alternative, kept here as the reference). Both produce an encoded MVT for every clustered
 * tile over the city, z10–z14, as the admin sees it. An edit costs supercluster a rebuild of
 * the index; the SQL grid nothing but its per-tile work.
 */
const ADMIN: Principal = { username: 'bench', role: 'admin', precinctCode: null, stationCode: null, beatCode: null, userId: null };
const ZOOMS = [10, 11, 12, 13, 14];
const GRID_CELLS = 8;

/** Clusters of one tile on an 8×8 grid (64 px cells on a 512 px tile), in one SQL statement. */
function gridClusterSql(layer: LayerDef, t: TileId, params: unknown[]): string {
  const countBy = layer.tiles!.cluster!.countBy;
  const env = envelope(t, params);
  const g = inMercator('t');
  const cell = EXTENT / GRID_CELLS;
  return `WITH ${env}
    SELECT CASE WHEN count(*) = 1 THEN min(m.id) END AS id, count(*)::int AS point_count,
           mode() WITHIN GROUP (ORDER BY m.v) AS "${countBy}",
           ${snappedGeom('ST_SetSRID(ST_MakePoint(avg(m.mx), avg(m.my)), 3857)')} AS geom
      FROM (SELECT t.id, t.${countBy} AS v, ST_X(${g}) AS mx, ST_Y(${g}) AS my,
                   floor((ST_X(${g}) - ST_XMin(env.tile)) * env.scale / ${cell}) AS cx,
                   floor((ST_YMax(env.tile) - ST_Y(${g})) * env.scale / ${cell}) AS cy
              FROM ${layer.table} t CROSS JOIN env
             WHERE ${visibleRows(layer, ADMIN, params)} AND ${g} && env.tile) m
      CROSS JOIN env
     GROUP BY m.cx, m.cy, env.tile, env.buffered, env.scale`;
}

async function msOf(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

export async function clusterBench(opts: { runs: number; scale: number; databaseUrl?: string }): Promise<string> {
  const out: string[] = [];
  for (const kind of opts.databaseUrl ? (['pglite', 'postgres'] as const) : (['pglite'] as const)) {
    const db: Db = await scratchDb(kind, opts.databaseUrl);
    try {
      await migrate(db);
      await seedDemo(db, { password: 'bench-password', scale: opts.scale });
      const incidents = findLayer('incidents')!;
      const { rows: [city] } = await db.query<{ w: number; s: number; e: number; n: number; count: number }>(
        `SELECT ST_XMin(x) w, ST_YMin(x) s, ST_XMax(x) e, ST_YMax(x) n, c::int AS count
           FROM (SELECT ST_Extent(geom)::geometry x, count(*) c FROM incidents) q`);
      const tilesAt = (z: number) => tilesTouching([city!.w, city!.s, city!.e, city!.n], z);
      const grid = new Map<number, number[]>(ZOOMS.map((z) => [z, []]));
      const indexed = new Map<number, number[]>(ZOOMS.map((z) => [z, []]));
      const rebuilds: number[] = [];
      for (let run = 0; run < opts.runs; run++) {
        // A new renderer has no index yet: its first tile pays the build, as after an edit.
        const renderer = new TileRenderer(db);
        rebuilds.push(await msOf(() => renderer.render(incidents, ADMIN, tilesAt(14)[0]!)));
        for (const z of ZOOMS) {
          const tiles = tilesAt(z);
          indexed.get(z)!.push(await msOf(async () => {
            for (const t of tiles) await renderer.render(incidents, ADMIN, t);
          }) / tiles.length);
          grid.get(z)!.push(await msOf(async () => {
            for (const t of tiles) {
              const params: unknown[] = [];
              encodeLayer(incidents.id, (await db.query<Record<string, unknown>>(gridClusterSql(incidents, t, params), params)).rows);
            }
          }) / tiles.length);
        }
      }
      out.push(`Clustering ${fmt(city!.count)} incidents on ${kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} ` +
        `(median of ${opts.runs} runs, ms per encoded tile; supercluster index build after an edit: ${fmt(median(rebuilds))} ms)\n` +
        table(['zoom', 'tiles over the city', 'supercluster (used)', 'SQL grid', 'SQL grid ÷ supercluster'], ZOOMS.map((z) => [
          z, tilesAt(z).length, fmt(median(indexed.get(z)!), 2), fmt(median(grid.get(z)!), 2),
          `${fmt(median(grid.get(z)!) / median(indexed.get(z)!), 1)}×`,
        ])));
    } finally {
      await db.close();
    }
  }
  return out.join('\n\n');
}
