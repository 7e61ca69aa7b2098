import type { Queryable } from '../db/db.js';
import { parseGeometry } from '../geo/geojson.js';
import { message, refusal } from '../http/messages.js';
import type { LayerDef } from '../layers/types.js';
import { crsName, CRS, guessFromValues, isProjected, looksLikeTm2, type Srid } from './crs.js';
import { issueOf, rowIssue } from './issues.js';
import type { Candidate } from './rows.js';
import { toWgs84, type TransformItem } from './transform.js';

/**
 * Where each candidate lies, in WGS84. The coordinate system is the one asked for, the one the
 * file declares, the one saved for its source, or a guess from the values: degrees inside
 * Taiwan, or TM2 metres (read as TWD97; Penghu, Kinmen and Matsu's zone 119 when that puts more
 * of the rows inside this service's beats). Columns given the wrong way round are turned back
 * and said so. Problems stay with their row.
 */

export type CrsHow = 'parameter' | 'file' | 'saved' | 'header' | 'guessed';

export interface CrsReport {
  crs: string;
  name: string;
  how: CrsHow;
  /** The file's two coordinate columns (or every position) were (y, x) and were read turned round. */
  swapped: boolean;
  note?: string;
}

export interface CrsChoice {
  parameter?: Srid;
  file?: Srid;
  saved?: Srid;
  header?: Srid;
  /** The coordinate columns are named longitude and latitude (經度/緯度). */
  degreesByName?: boolean;
}

type Pair = [number, number];

/** A MultiPoint of one point is a point; a collection of polygons (KML MultiGeometry) a MultiPolygon. */
function normaliseGeometry(g: unknown): unknown {
  if (typeof g !== 'object' || g === null) return g;
  const x = g as { type?: string; coordinates?: unknown[]; geometries?: { type?: string; coordinates?: unknown }[] };
  if (x.type === 'MultiPoint' && x.coordinates?.length === 1) return { type: 'Point', coordinates: x.coordinates[0] };
  if (x.type === 'GeometryCollection' && x.geometries?.length && x.geometries.every((p) => p.type === 'Polygon' || p.type === 'MultiPolygon')) {
    return { type: 'MultiPolygon', coordinates: x.geometries.flatMap((p) => (p.type === 'Polygon' ? [p.coordinates] : p.coordinates as unknown[])) };
  }
  if (x.type === 'GeometryCollection' && x.geometries?.length === 1) return normaliseGeometry(x.geometries[0]);
  return g;
}

function firstPair(c: Candidate): Pair | undefined {
  const p = c.position;
  if (!p) return undefined;
  if (p.kind === 'xy') return [p.x, p.y];
  if (p.kind === 'wkt') {
    const m = /(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)\s+(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)/i.exec(p.wkt);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  }
  let coords: unknown = (p.geometry as { coordinates?: unknown }).coordinates;
  while (Array.isArray(coords) && Array.isArray(coords[0])) coords = coords[0];
  return Array.isArray(coords) && typeof coords[0] === 'number' && typeof coords[1] === 'number' ? [coords[0], coords[1]] : undefined;
}

const SAMPLE = 200;

/** Zone 119 or 121 for TM2 metres: the one that puts more sample points inside live beats (121 on a tie). */
async function tm2Zone(db: Queryable, samples: readonly Pair[]): Promise<Srid> {
  const { rows } = await db.query<{ z121: number; z119: number }>(
    `SELECT count(*) FILTER (WHERE EXISTS (SELECT 1 FROM beats b WHERE b.deleted_at IS NULL
              AND ST_Covers(b.geom, to_wgs84(ST_SetSRID(ST_MakePoint(s.x, s.y), 3826)))))::int AS z121,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM beats b WHERE b.deleted_at IS NULL
              AND ST_Covers(b.geom, to_wgs84(ST_SetSRID(ST_MakePoint(s.x, s.y), 3825)))))::int AS z119
       FROM jsonb_to_recordset($1::jsonb) AS s(x float8, y float8)`,
    [JSON.stringify(samples.map(([x, y]) => ({ x, y })))]);
  return rows[0]!.z119 > rows[0]!.z121 ? 3825 : 3826;
}

const swapGeometry = (g: unknown): unknown => {
  const swap = (c: unknown): unknown => (Array.isArray(c) && typeof c[0] === 'number' ? [c[1], c[0], ...c.slice(2)] : Array.isArray(c) ? c.map(swap) : c);
  return { ...(g as object), coordinates: swap((g as { coordinates: unknown }).coordinates) };
};

export async function placeCandidates(db: Queryable, layer: LayerDef, candidates: Candidate[], choice: CrsChoice,
  onProgress: (done: number, total: number) => Promise<void>): Promise<{ crs?: CrsReport; geometries: (object | undefined)[] }> {
  const geometries: (object | undefined)[] = candidates.map(() => undefined);
  const kind = layer.geometry;
  if (!kind) return { geometries };
  // Shape first: a malformed geometry is refused before any coordinate is transformed.
  for (const c of candidates) {
    if (c.position?.kind !== 'geometry') continue;
    try {
      c.position.geometry = parseGeometry(normaliseGeometry(c.position.geometry), kind, { positions: false });
    } catch (err) {
      c.errors.push(issueOf(err));
      delete c.position;
    }
  }
  const placed = candidates.filter((c) => c.position);
  if (placed.length === 0) return { geometries };

  const samples = placed.slice(0, SAMPLE).map(firstPair).filter((p): p is Pair => p !== undefined);
  // Columns named longitude and latitude hold degrees, however their values look at first sight.
  const lonLat = placed.some((c) => c.position?.kind === 'xy') && choice.degreesByName === true;
  const guess = guessFromValues(samples, lonLat ? 'degrees' : undefined);
  const given = choice.parameter ?? choice.file ?? choice.saved;
  const how: CrsHow = choice.parameter ? 'parameter' : choice.file ? 'file' : choice.saved ? 'saved' : guess.kind === 'metres' && choice.header ? 'header' : 'guessed';
  let srid: Srid;
  if (given !== undefined) {
    const fits = guess.fit > 0 && (guess.kind === 'metres') === isProjected(given);
    if (!fits && guess.fit > 0) {
      const [x, y] = samples[0]!;
      const from = how === 'file' || how === 'saved' ? how : 'parameter';
      throw refusal(400, 'crs_mismatch', { x, y, metres: guess.kind === 'metres', how: from, crs: crsName(given), name: CRS[given] }, { field: 'crs' });
    }
    srid = given;
  } else if (guess.kind === 'metres') {
    const straight = guess.swapped ? samples.map(([x, y]): Pair => [y, x]) : samples;
    srid = choice.header ?? (await tm2Zone(db, straight));
  } else srid = 4326;
  const swapped = guess.fit > 0 && guess.swapped;

  const notes: string[] = [];
  if (how === 'guessed' && srid === 3826) notes.push(message('crs_guessed_twd97', undefined));
  if (how === 'guessed' && srid === 3825) notes.push(message('crs_guessed_zone119', undefined));
  if (how === 'guessed' && guess.kind === 'degrees') notes.push(message('crs_guessed_degrees', undefined));
  if (swapped) notes.push(message('crs_columns_swapped', { metres: isProjected(srid) }));

  // Rows for the database: every projected position, and WKT whatever its system.
  const items: { c: Candidate; item: TransformItem }[] = [];
  for (const c of placed) {
    const p = c.position!;
    if (p.kind === 'xy') {
      const [x, y] = swapped ? [p.y, p.x] : [p.x, p.y];
      if (!isProjected(srid)) {
        geometries[c.index] = { type: 'Point', coordinates: [x, y] };
        continue;
      }
      if (!looksLikeTm2(x, y)) {
        c.errors.push(rowIssue(looksLikeTm2(y, x) ? 'tm2_swapped' : 'not_tm2', { x: p.x, y: p.y }, { field: 'geometry' }));
        continue;
      }
      items.push({ c, item: { x, y } });
    } else if (p.kind === 'wkt') items.push({ c, item: { wkt: p.wkt } });
    else if (isProjected(srid)) items.push({ c, item: { geometry: swapped ? swapGeometry(p.geometry) : p.geometry } });
    else geometries[c.index] = (swapped ? swapGeometry(p.geometry) : p.geometry) as object;
  }
  const results = await toWgs84(db, srid, items.map((i) => i.item), onProgress);
  await onProgress(placed.length, placed.length);
  results.forEach((r, k) => {
    const { c } = items[k]!;
    if ('geometry' in r) geometries[c.index] = r.geometry;
    else c.errors.push(rowIssue('wkt_invalid', { detail: r.problem }, { field: 'geometry' }));
  });
  return { geometries, crs: { crs: crsName(srid), name: CRS[srid], how, swapped, ...(notes.length ? { note: notes.join('') } : {}) } };
}
