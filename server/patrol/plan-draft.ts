import { TIME_ZONE, type Queryable } from '../db/db.js';

/**
 * Drafting a 熱時熱點 patrol plan for a station and a week: the places and hours where the
 * station's incidents (of the chosen types) gathered over the weeks before, each with the patrol
 * points nearest it to sign in at and a dosage. The rule is plain enough to say in a sentence and
 * is held to a back-test: the same rule applied to the eight weeks before those, and the share of
 * the following eight weeks' incidents its places and hours caught, against the share of the
 * station's place-hours they take up (what a plan spread evenly would catch).
 */

/** Side of the square cells places are counted in (m, TWD97 TM2): a few blocks, one patrol stop. */
export const CELL_M = 250;
/** Weeks of incidents a draft is made from. */
export const HISTORY_WEEKS = 8;
/** Most places in a plan, and the fewest incidents a place needs to be one. */
export const MAX_ITEMS = 5;
export const MIN_INCIDENTS = 3;
/** Length of a hot window (hours): the two consecutive hours with the most incidents at the place. */
export const WINDOW_HOURS = 2;
/** Patrol points offered for a place: the nearest of the station's within this distance of its centre. */
export const POINT_RADIUS_M = 400;
const POINTS_PER_ITEM = 2;
/** Minutes a visit stays: 10–15 minute stops deter longest for their time (Koper 1995). */
export const VISIT_MINUTES = 15;
/** Fewest incidents a back-test needs before its figure says anything. */
export const MIN_BACKTEST_INCIDENTS = 30;

export interface PlanItem {
  /** The cell: indices of its TM2 square of CELL_M metres, and its outline (GeoJSON, WGS84). */
  cell: { i: number; j: number };
  outline: object;
  /** Where it is, in words: the 村里 at its centre. */
  place: string;
  /** ISO weekdays (1 Monday … 7 Sunday) and the window, hours from (0–23) for `hours` hours (may pass midnight). */
  weekdays: number[];
  from: number;
  hours: number;
  /** Patrol points to sign in at (ids), with their names when read. */
  points: number[];
  /** Visits a day in the window, and minutes each. */
  visits: number;
  minutes: number;
  /** Incidents at the place in the weeks drafted from, and in its window. */
  incidents: number;
  inWindow: number;
}

export interface Backtest {
  trainedFrom: string;
  testedFrom: string;
  testedTo: string;
  /** Incidents in the test weeks, those in the planned places and hours, and their share. */
  incidents: number;
  caught: number;
  share: number | null;
  /** The share of the station's place-hours the planned ones are: what an even spread catches. */
  baseline: number | null;
  ratio: number | null;
  /** Why no figure is given, when none is. */
  note?: 'few_incidents';
}

interface Count { i: number; j: number; hour: number; n: number }

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Incidents of the station in [from, to) (dates, Taiwan time) by cell and hour of the day. */
async function countsIn(db: Queryable, station: string, types: readonly string[] | null, from: string, to: string): Promise<Count[]> {
  const { rows } = await db.query<Count>(`
    SELECT floor(ST_X(x.p) / $5)::int AS i, floor(ST_Y(x.p) / $5)::int AS j, extract(hour FROM x.l)::int AS hour, count(*)::int AS n
      FROM incidents t CROSS JOIN LATERAL (SELECT ST_Transform(t.geom, 3826) AS p, t.occurred_at AT TIME ZONE '${TIME_ZONE}' AS l) x
     WHERE t.deleted_at IS NULL AND t.station_code = $1 AND ($2::text[] IS NULL OR t.type = ANY ($2::text[]))
       AND t.occurred_at >= ($3::date)::timestamp AT TIME ZONE '${TIME_ZONE}' AND t.occurred_at < ($4::date)::timestamp AT TIME ZONE '${TIME_ZONE}'
     GROUP BY 1, 2, 3`, [station, types, from, to, CELL_M]);
  return rows;
}

interface Chosen { i: number; j: number; from: number; incidents: number; inWindow: number }

/** The rule: the cells with the most incidents (at least MIN_INCIDENTS), each with its busiest WINDOW_HOURS. */
export function chooseHotPlaces(counts: readonly Count[]): Chosen[] {
  const cells = new Map<string, { i: number; j: number; byHour: number[]; total: number }>();
  for (const c of counts) {
    const key = `${c.i},${c.j}`;
    const cell = cells.get(key) ?? { i: c.i, j: c.j, byHour: new Array<number>(24).fill(0), total: 0 };
    cell.byHour[c.hour]! += c.n;
    cell.total += c.n;
    cells.set(key, cell);
  }
  return [...cells.values()]
    .filter((c) => c.total >= MIN_INCIDENTS)
    // Ties go to the lower cell index, so a draft is the same every time it is made.
    .sort((a, b) => b.total - a.total || a.i - b.i || a.j - b.j)
    .slice(0, MAX_ITEMS)
    .map((c) => {
      let best = { from: 0, n: -1 };
      for (let h = 0; h < 24; h++) {
        let n = 0;
        for (let k = 0; k < WINDOW_HOURS; k++) n += c.byHour[(h + k) % 24]!;
        if (n > best.n) best = { from: h, n };
      }
      return { i: c.i, j: c.j, from: best.from, incidents: c.total, inWindow: best.n };
    });
}

/** Whether hour h of the day falls in a window from `from` lasting `hours` (which may pass midnight). */
export const inWindow = (h: number, from: number, hours: number) => ((h - from + 24) % 24) < hours;

/** Cells of CELL_M metres meeting the station's area. */
async function stationCells(db: Queryable, station: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`
    SELECT count(*)::int AS n FROM stations s
      CROSS JOIN LATERAL (SELECT ST_Transform(s.geom, 3826) AS g) t
      CROSS JOIN LATERAL generate_series(floor(ST_XMin(t.g) / $2)::int, floor(ST_XMax(t.g) / $2)::int) i
      CROSS JOIN LATERAL generate_series(floor(ST_YMin(t.g) / $2)::int, floor(ST_YMax(t.g) / $2)::int) j
     WHERE s.code = $1 AND s.deleted_at IS NULL AND ST_Intersects(t.g, ST_MakeEnvelope(i * $2, j * $2, (i + 1) * $2, (j + 1) * $2, 3826))`, [station, CELL_M]);
  return rows[0]!.n;
}

/** The rule applied to the eight weeks before the draft's, scored on the draft's own eight weeks. */
async function backtest(db: Queryable, station: string, types: readonly string[] | null, weekStart: string): Promise<Backtest> {
  const trainedFrom = addDays(weekStart, -14 * HISTORY_WEEKS);
  const testedFrom = addDays(weekStart, -7 * HISTORY_WEEKS);
  const [train, test, cells] = await Promise.all([
    countsIn(db, station, types, trainedFrom, testedFrom), countsIn(db, station, types, testedFrom, weekStart), stationCells(db, station)]);
  const incidents = test.reduce((a, c) => a + c.n, 0);
  const base = { trainedFrom, testedFrom, testedTo: weekStart, incidents };
  if (train.reduce((a, c) => a + c.n, 0) < MIN_BACKTEST_INCIDENTS || incidents < MIN_BACKTEST_INCIDENTS) {
    return { ...base, caught: 0, share: null, baseline: null, ratio: null, note: 'few_incidents' };
  }
  const planned = chooseHotPlaces(train);
  const caught = test.filter((c) => planned.some((p) => p.i === c.i && p.j === c.j && inWindow(c.hour, p.from, WINDOW_HOURS)))
    .reduce((a, c) => a + c.n, 0);
  const share = caught / incidents;
  const baseline = cells > 0 ? (planned.length * WINDOW_HOURS) / (cells * 24) : null;
  return { ...base, caught, share, baseline, ratio: baseline ? share / baseline : null };
}

/** Visits a day: one, and one more for every six incidents in the window, at most three. */
const visitsFor = (inWindowCount: number) => Math.min(3, 1 + Math.floor(inWindowCount / 6));

export interface Draft { items: PlanItem[]; basis: { from: string; to: string; weeks: number; incidents: number; cellM: number; backtest: Backtest } }

/** A draft plan for the station's week starting `weekStart` (a Monday), from its incidents of `types` (null: all). */
export async function draftPlan(db: Queryable, station: string, types: readonly string[] | null, weekStart: string): Promise<Draft> {
  const from = addDays(weekStart, -7 * HISTORY_WEEKS);
  const counts = await countsIn(db, station, types, from, weekStart);
  const chosen = chooseHotPlaces(counts);
  const { rows } = await db.query<{ k: number; outline: object; place: string | null; points: number[] }>(`
    SELECT c.k::int AS k, ST_AsGeoJSON(ST_Transform(c.cell, 4326), 7)::json AS outline,
           (SELECT coalesce(v.town_name, '') || v.name FROM villages v
             WHERE v.deleted_at IS NULL AND ST_Intersects(v.geom, ST_Transform(ST_Centroid(c.cell), 4326)) LIMIT 1) AS place,
           array(SELECT p.id::int FROM patrol_points p
                  WHERE p.deleted_at IS NULL AND p.station_code = $1 AND ST_DWithin(ST_Transform(p.geom, 3826), ST_Centroid(c.cell), $5)
                  ORDER BY ST_Distance(ST_Transform(p.geom, 3826), ST_Centroid(c.cell)), p.id LIMIT $6) AS points
      FROM unnest($2::int[], $3::int[]) WITH ORDINALITY AS u(i, j, k)
      CROSS JOIN LATERAL (SELECT u.k, ST_MakeEnvelope(u.i * $4, u.j * $4, (u.i + 1) * $4, (u.j + 1) * $4, 3826) AS cell) c
     ORDER BY c.k`, [station, chosen.map((c) => c.i), chosen.map((c) => c.j), CELL_M, POINT_RADIUS_M, POINTS_PER_ITEM]);
  const items = chosen.map((c, k): PlanItem => ({
    cell: { i: c.i, j: c.j }, outline: rows[k]!.outline, place: rows[k]!.place ? `${rows[k]!.place}一帶` : '轄區內',
    weekdays: [1, 2, 3, 4, 5, 6, 7], from: c.from, hours: WINDOW_HOURS, points: rows[k]!.points,
    visits: visitsFor(c.inWindow), minutes: VISIT_MINUTES, incidents: c.incidents, inWindow: c.inWindow,
  }));
  return {
    items,
    basis: { from, to: weekStart, weeks: HISTORY_WEEKS, incidents: counts.reduce((a, c) => a + c.n, 0), cellM: CELL_M, backtest: await backtest(db, station, types, weekStart) },
  };
}
