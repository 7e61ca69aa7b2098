import { refusal } from '../http/messages.js';
import { createHmac } from 'node:crypto';
import type { Principal } from '../auth/principal.js';
import { TIME_ZONE, type Queryable } from '../db/db.js';
import { installationKey } from '../db/installation-key.js';
import { rowsWhere } from '../layers/access.js';
import { findLayer } from '../layers/registry.js';
import { PUBLIC_CELL_M, ROUNDING_BASE } from './disclosure.js';
import { sqlInstant } from './incidents.js';
import type { QuarterPeriod } from './quarters.js';

/**
 * The published table: the only source of what the community and the public learn about
 * incidents (see disclosure.ts). Two kinds of counts, each over one calendar quarter:
 *
 * - pieces: incidents in one 200 m square of the public grid and one beat (the beat the database
 *   assigned them; a square crossing beats has a piece in each). A square's figure is the sum of
 *   its pieces, a beat's the sum of its pieces, so squares and beats are built from the same
 *   counts and cannot be played against each other;
 * - hours: incidents of one station on one weekday in one hour (Taiwan time).
 *
 * Each count n is published rounded to a multiple of 5: down to 5⌊n/5⌋, or up with probability
 * (n mod 5)/5, so sums of many counts stay unbiased. The draw is HMAC-SHA-256 of the count's
 * name and n under a key kept in the database: the same count always rounds the same way, and
 * without the key nobody can tell which way it went. Every query here counts whole pieces or
 * whole hours, never part of one, whatever area it is asked for.
 */
const INCIDENTS = findLayer('incidents')!;
const QUARTER = `to_char(i.occurred_at AT TIME ZONE '${TIME_ZONE}', 'YYYY"Q"Q')`;

/** A count as published: n rounded to a multiple of ROUNDING_BASE, unbiased, the same way every time. */
export function publishedCount(key: Buffer, name: string, n: number): number {
  const rest = n % ROUNDING_BASE;
  if (rest === 0) return n;
  const u = createHmac('sha256', key).update(`${name}#${n}`).digest().readUIntBE(0, 6) / 2 ** 48;
  return n - rest + (u < rest / ROUNDING_BASE ? ROUNDING_BASE : 0);
}

/** SQL conditions on incidents `i`: those outsiders' figures count (the registry's `aggregates`), in the period. */
function counted(p: Principal, period: QuarterPeriod, params: unknown[]): string[] {
  const rule = INCIDENTS.aggregates?.[p.role];
  if (!rule) throw refusal(404, 'analysis_not_for_role', undefined);
  const from = sqlInstant(period.from, params);
  const to = sqlInstant(period.to, params);
  return ['i.deleted_at IS NULL', rowsWhere(INCIDENTS, rule, p, params, 'i'), `i.occurred_at >= ${from}`, `i.occurred_at < ${to}`];
}

interface Piece { ci: number; cj: number; beat: string | null; quarter: string; n: number }

/** Published pieces (square × beat × quarter) of the incidents meeting `where`. */
async function pieces(db: Queryable, p: Principal, period: QuarterPeriod, where: (params: unknown[]) => string): Promise<(Piece & { value: number })[]> {
  const params: unknown[] = [PUBLIC_CELL_M];
  const conditions = [...counted(p, period, params), where(params)];
  const [key, { rows }] = await Promise.all([installationKey(db), db.query<Piece>(
    `SELECT floor(ST_X(t.m) / $1)::int AS ci, floor(ST_Y(t.m) / $1)::int AS cj, i.beat_code AS beat, ${QUARTER} AS quarter, count(*)::int AS n
       FROM incidents i CROSS JOIN LATERAL (SELECT ST_Transform(i.geom, 3826) AS m) t
      WHERE ${conditions.join(' AND ')}
      GROUP BY 1, 2, 3, 4`, params)]);
  return rows.map((r) => ({ ...r, value: publishedCount(key, `piece:${r.quarter}:${r.ci}:${r.cj}:${r.beat ?? ''}`, r.n) }));
}

/**
 * Published counts of whole squares of the public grid (i, j as ST_SquareGrid numbers them), in
 * the order given, per quarter of the period (by name; a quarter without any is absent).
 */
export async function publishedSquaresByQuarter(db: Queryable, p: Principal, period: QuarterPeriod, squares: readonly { i: number; j: number }[]): Promise<Map<string, Float64Array>> {
  const out = new Map<string, Float64Array>();
  if (squares.length === 0) return out;
  const index = new Map(squares.map((c, k) => [`${c.i},${c.j}`, k]));
  const s = PUBLIC_CELL_M;
  const [i0, i1] = [Math.min(...squares.map((c) => c.i)), Math.max(...squares.map((c) => c.i))];
  const [j0, j1] = [Math.min(...squares.map((c) => c.j)), Math.max(...squares.map((c) => c.j))];
  const rows = await pieces(db, p, period, (params) => {
    params.push(i0 * s - 1, j0 * s - 1, (i1 + 1) * s + 1, (j1 + 1) * s + 1);
    const n = params.length;
    return `i.geom && ST_Transform(ST_MakeEnvelope($${n - 3}, $${n - 2}, $${n - 1}, $${n}, 3826), 4326)`;
  });
  for (const r of rows) {
    const k = index.get(`${r.ci},${r.cj}`);
    if (k === undefined) continue;
    const quarter = out.get(r.quarter) ?? out.set(r.quarter, new Float64Array(squares.length)).get(r.quarter)!;
    quarter[k] = quarter[k]! + r.value;
  }
  return out;
}

/** Published counts of whole squares over the whole period, in the order given. */
export async function publishedSquares(db: Queryable, p: Principal, period: QuarterPeriod, squares: readonly { i: number; j: number }[]): Promise<Float64Array> {
  const out = new Float64Array(squares.length);
  for (const quarter of (await publishedSquaresByQuarter(db, p, period, squares)).values()) quarter.forEach((v, k) => (out[k]! += v));
  return out;
}

/** Published counts of whole beats (the sum of their pieces), by code. */
export async function publishedBeats(db: Queryable, p: Principal, period: QuarterPeriod, beats: readonly string[]): Promise<Map<string, number>> {
  const out = new Map(beats.map((b) => [b, 0]));
  const rows = await pieces(db, p, period, (params) => {
    params.push(beats);
    return `i.beat_code = ANY($${params.length}::text[])`;
  });
  for (const r of rows) out.set(r.beat!, out.get(r.beat!)! + r.value);
  return out;
}

/** The published 7 × 24 hour-of-week matrix of whole stations (Monday first, Taiwan time), summed. */
export async function publishedHours(db: Queryable, p: Principal, period: QuarterPeriod, stations: readonly string[]): Promise<number[][]> {
  const params: unknown[] = [];
  const conditions = counted(p, period, params);
  params.push(stations);
  conditions.push(`i.station_code = ANY($${params.length}::text[])`);
  const [key, { rows }] = await Promise.all([installationKey(db), db.query<{ station: string; quarter: string; dow: number; hour: number; n: number }>(
    `SELECT i.station_code AS station, ${QUARTER} AS quarter, extract(isodow FROM l.t)::int AS dow, extract(hour FROM l.t)::int AS hour, count(*)::int AS n
       FROM incidents i CROSS JOIN LATERAL (SELECT i.occurred_at AT TIME ZONE '${TIME_ZONE}' AS t) l
      WHERE ${conditions.join(' AND ')}
      GROUP BY 1, 2, 3, 4`, params)]);
  const matrix = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of rows) {
    const row = matrix[r.dow - 1]!;
    row[r.hour] = row[r.hour]! + publishedCount(key, `hours:${r.quarter}:${r.station}:${r.dow}:${r.hour}`, r.n);
  }
  return matrix;
}
