import type { Principal } from '../auth/principal.js';
import type { Queryable } from '../db/db.js';
import { PARAMETER_RULES, refusal } from '../http/messages.js';
import { describeFilter, INCIDENT_FILTER_PARAMS, incidentConditions, incidentFilter, loadIncidents } from './incidents.js';
import { choice, integer, list, number, parseParams } from './params.js';
import { INCIDENT_TYPES } from '../layers/vocabularies.js';
import { seededRandom } from './random.js';
import { describeScope, resolveScope, round, SCOPE_PARAMS } from './scope.js';

/**
 * Near-repeat calculation, in the manner of Ratcliffe's Near Repeat Calculator (Ratcliffe &
 * Rengert 2008, Security Journal 21): every pair of incidents is counted by how far apart they
 * are (distance bands, metres in TWD97) and how many days apart (time bands); the observed
 * counts are compared with those of the same places when the dates are shuffled among the
 * incidents (a Monte-Carlo permutation, the Knox test), so that a band holding more pairs than
 * chance would (Knox ratio > 1, p ≤ 0.05) says: after an incident, more follow this close, this
 * soon — the time and distance a warning should cover. Police only: it reads single incidents.
 */
export const NEAR_REPEAT_PARAMS = {
  ...SCOPE_PARAMS,
  ...INCIDENT_FILTER_PARAMS,
  distanceBand: number(10, 1000, ' metres').optional(),
  distanceBands: integer(1, 10).optional(),
  timeBand: integer(1, 60).optional(),
  timeBands: integer(1, 10).optional(),
  iterations: integer(19, 999).optional(),
};
const DEFAULTS = { distanceBand: 100, distanceBands: 4, timeBand: 7, timeBands: 4, iterations: 99 };
/** Most incidents one calculation reads: the pairs within reach grow with the square of the density. */
export const MAX_NEAR_REPEAT_INCIDENTS = 20_000;
/** Most pairs within reach a calculation keeps (each permutation walks them all). */
const MAX_PAIRS = 5_000_000;
const SIGNIFICANT = 0.05;
/**
 * The least Knox ratio worth a warning: with thousands of incidents a band 1 % above chance is
 * "significant" and means nothing on patrol; 20 % more than chance is the customary threshold
 * of the Near Repeat Calculator's reports.
 */
const MEANINGFUL_RATIO = 1.2;
const DAY = 86_400_000;
/** Same seed, same answer: the permutations are drawn from a fixed sequence. */
const SEED = 20_081_231;

export interface NearRepeatCell { observed: number; expected: number; ratio: number | null; p: number; significant: boolean }

/** Pairs of incidents within `reach` metres of each other (grid buckets of that size), and their distance band. */
function pairsWithin(x: Float64Array, y: Float64Array, band: number, bands: number): { a: Int32Array; b: Int32Array; d: Uint8Array } {
  const reach = band * bands;
  const buckets = new Map<string, number[]>();
  for (let i = 0; i < x.length; i++) {
    const key = `${Math.floor(x[i]! / reach)},${Math.floor(y[i]! / reach)}`;
    (buckets.get(key) ?? buckets.set(key, []).get(key)!).push(i);
  }
  const a: number[] = [];
  const b: number[] = [];
  const d: number[] = [];
  for (let i = 0; i < x.length; i++) {
    const [cx, cy] = [Math.floor(x[i]! / reach), Math.floor(y[i]! / reach)];
    for (let gx = cx - 1; gx <= cx + 1; gx++) {
      for (let gy = cy - 1; gy <= cy + 1; gy++) {
        for (const j of buckets.get(`${gx},${gy}`) ?? []) {
          if (j <= i) continue;
          const dist = Math.hypot(x[i]! - x[j]!, y[i]! - y[j]!);
          if (dist > reach) continue;
          if (a.length >= MAX_PAIRS) throw refusal(400, 'near_repeat_too_dense', { max: MAX_PAIRS }, { field: 'distanceBand' });
          a.push(i);
          b.push(j);
          // Band k holds distances in (k·band, (k+1)·band]; 0 m (the same address) is in the first.
          d.push(Math.min(bands - 1, Math.max(0, Math.ceil(dist / band) - 1)));
        }
      }
    }
  }
  return { a: Int32Array.from(a), b: Int32Array.from(b), d: Uint8Array.from(d) };
}

/** Pair counts by distance band × time band (days apart in [k·band, (k+1)·band)); pairs further apart in time are not counted. */
function knoxTable(pairs: { a: Int32Array; b: Int32Array; d: Uint8Array }, t: Float64Array, dBands: number, tBand: number, tBands: number): Float64Array {
  const out = new Float64Array(dBands * tBands);
  const span = tBand * DAY;
  for (let k = 0; k < pairs.a.length; k++) {
    const tb = Math.floor(Math.abs(t[pairs.a[k]!]! - t[pairs.b[k]!]!) / span);
    if (tb < tBands) out[pairs.d[k]! * tBands + tb]! += 1;
  }
  return out;
}

/** A plain sentence of the strongest significant near-repeat band, or that there is none. */
function summary(cells: NearRepeatCell[][], dBand: number, tBand: number): string {
  const strongest = cells.flatMap((row, i) => row.map((c, j) => ({ c, i, j }))).filter((x) => x.c.significant)
    .sort((p, q) => (q.c.ratio ?? 0) - (p.c.ratio ?? 0))[0];
  if (!strongest) return '沒有明顯的近重複現象：各距離、時間帶的案件配對數都與隨機排列相當。';
  const { c, i, j } = strongest;
  return `近重複現象：案件發生後 ${j * tBand}–${(j + 1) * tBand} 天內、${i * dBand}–${(i + 1) * dBand} 公尺內，`
    + `再發生案件的配對是隨機情況的 ${round(c.ratio!, 1)} 倍（p = ${round(c.p, 3)}）。`;
}

export async function nearRepeat(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(NEAR_REPEAT_PARAMS, input);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & typeof q;
  const filter = incidentFilter(q);
  const scope = await resolveScope(db, p, q);
  const pts = await loadIncidents(db, p, filter, scope);
  if (pts.x.length > MAX_NEAR_REPEAT_INCIDENTS) {
    throw refusal(400, 'near_repeat_too_many', { n: pts.x.length, max: MAX_NEAR_REPEAT_INCIDENTS }, { field: 'datetime' });
  }
  const pairs = pairsWithin(pts.x, pts.y, o.distanceBand, o.distanceBands);
  const observed = knoxTable(pairs, pts.t, o.distanceBands, o.timeBand, o.timeBands);
  // The same places with the dates shuffled among them: what the table holds by chance.
  const random = seededRandom(SEED);
  const shuffled = Float64Array.from(pts.t);
  const sums = new Float64Array(observed.length);
  const atLeast = new Float64Array(observed.length);
  for (let it = 0; it < o.iterations; it++) {
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    const table = knoxTable(pairs, shuffled, o.distanceBands, o.timeBand, o.timeBands);
    for (let k = 0; k < table.length; k++) {
      sums[k]! += table[k]!;
      if (table[k]! >= observed[k]!) atLeast[k]! += 1;
    }
  }
  const cells = Array.from({ length: o.distanceBands }, (_, i) => Array.from({ length: o.timeBands }, (_, j): NearRepeatCell => {
    const k = i * o.timeBands + j;
    const expected = sums[k]! / o.iterations;
    const pValue = (atLeast[k]! + 1) / (o.iterations + 1);
    const ratio = expected > 0 ? observed[k]! / expected : null;
    return { observed: observed[k]!, expected: round(expected, 2), ratio: ratio === null ? null : round(ratio, 2), p: round(pValue, 4),
      significant: pValue <= SIGNIFICANT && ratio !== null && ratio >= MEANINGFUL_RATIO };
  }));
  return {
    scope: describeScope(scope),
    ...describeFilter(filter),
    incidents: pts.x.length,
    pairs: pairs.a.length,
    iterations: o.iterations,
    distanceBands: Array.from({ length: o.distanceBands }, (_, i) => ({ from: i * o.distanceBand, to: (i + 1) * o.distanceBand })),
    timeBands: Array.from({ length: o.timeBands }, (_, j) => ({ from: j * o.timeBand, to: (j + 1) * o.timeBand })),
    cells,
    summary: summary(cells, o.distanceBand, o.timeBand),
    method: 'Knox test by Monte-Carlo permutation of dates (Ratcliffe & Rengert 2008); p = (1 + simulations ≥ observed) / (1 + iterations)',
  };
}

/** Crimes that repeat near where they struck (burglary and thefts: the same offenders, the same opportunities). */
export const NEAR_REPEAT_TYPES = ['residential_burglary', 'car_theft', 'scooter_theft', 'bicycle_theft'];

export const NEAR_REPEAT_WARNING_PARAMS = {
  beat: SCOPE_PARAMS.beat,
  types: list(choice(INCIDENT_TYPES.map((c) => c.value)), 20).optional(),
};

/**
 * Near-repeat warnings for a beat's briefing: the near-repeat calculation on its station over
 * the last year (for the types given, burglary and thefts by default); when a band is
 * significant, the strongest one gives the warning's reach (metres) and days, and every incident
 * of those types within that reach of the beat in the last that many days is a warning until its
 * days are over. No significant band: no warning (and the answer says so).
 */
export async function nearRepeatWarnings(db: Queryable, p: Principal, input: unknown) {
  const q = parseParams(NEAR_REPEAT_WARNING_PARAMS, input);
  if (!q.beat) throw refusal(400, 'analysis_parameter_invalid', { field: 'beat', rule: PARAMETER_RULES.required() }, { field: 'beat' });
  const { rows: [beat] } = await db.query<{ station: string }>(`SELECT station_code AS station FROM beats WHERE code = $1 AND deleted_at IS NULL`, [q.beat]);
  if (!beat) throw refusal(400, 'analysis_parameter_invalid', { field: 'beat', rule: '不是既有的警勤區代碼（例如 P01S01B01）' }, { field: 'beat' });
  const types = q.types ?? NEAR_REPEAT_TYPES;
  const year = await nearRepeat(db, p, { station: beat.station, types });
  const strongest = year.cells.flatMap((row, i) => row.map((c, j) => ({ c, i, j }))).filter((x) => x.c.significant)
    .sort((a, b) => (b.c.ratio ?? 0) - (a.c.ratio ?? 0))[0];
  if (!strongest) return { beat: q.beat, station: beat.station, types, warning: null, incidents: [], summary: year.summary };
  const radiusM = year.distanceBands[strongest.i]!.to;
  const days = year.timeBands[strongest.j]!.to;
  const params: unknown[] = [];
  const now = Date.now();
  const where = incidentConditions(p, { types, period: { from: now - days * DAY, to: now } }, { from: now - days * DAY, to: now }, params);
  params.push(q.beat, radiusM);
  const { rows } = await db.query<{ id: number; type: string; at: string; lon: number; lat: number; address: string | null }>(
    `SELECT i.id::int AS id, i.type, to_json(i.occurred_at) #>> '{}' AS at, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, NULL::text AS address
       FROM incidents i, beats b
      WHERE ${where.join(' AND ')} AND b.code = $${params.length - 1}
        AND ST_DWithin(ST_Transform(i.geom, 3826), ST_Transform(b.geom, 3826), $${params.length})
      ORDER BY i.occurred_at DESC, i.id LIMIT 50`, params);
  return {
    beat: q.beat, station: beat.station, types,
    warning: { radiusM, days, ratio: strongest.c.ratio, p: strongest.c.p },
    incidents: rows.map((r) => ({ id: r.id, type: r.type, occurredAt: r.at, until: new Date(Date.parse(r.at) + days * DAY).toISOString(), lon: r.lon, lat: r.lat })),
    summary: `近重複被害警示：${year.summary.replace(/^近重複現象：/, '')}案件後未來 ${days} 天內、${radiusM} 公尺內請加強巡邏。`,
  };
}
