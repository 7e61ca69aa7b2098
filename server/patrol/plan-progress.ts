import { TIME_ZONE, type Queryable } from '../db/db.js';
import type { PlanItem } from './plan-draft.js';

/**
 * Plan against done: for each place of a plan, each day of its week in the place's weekdays
 * whose window has begun, the visits planned and the sign-ins made at the place's patrol points
 * within the window (at most the planned number counts: a place visited five times does not make
 * up for one not visited; a sign-in counts for one place and day only); and who made the visits
 * counted, by officer.
 */

export interface DayProgress { date: string; required: number; done: number }
export interface ItemProgress { required: number; done: number; days: DayProgress[] }
export interface PlanProgress {
  items: ItemProgress[];
  required: number;
  done: number;
  /** done ÷ required, null before any window of the week has begun. */
  share: number | null;
  byOfficer: { officer: string; signIns: number }[];
}

const HOUR = 3_600_000;
/** Milliseconds of a Taiwan wall-clock time, read as if it were UTC (Taiwan keeps no summer time). */
const wall = (local: string) => Date.parse(`${local.replace(' ', 'T')}Z`);
const TAIWAN_OFFSET = 8 * HOUR;

export async function planProgress(db: Queryable, weekStart: string, items: readonly PlanItem[], now = Date.now()): Promise<PlanProgress> {
  const points = [...new Set(items.flatMap((i) => i.points))];
  const { rows } = await db.query<{ point: number; officer: string; local: string }>(`
    SELECT point_id::int AS point, officer, to_char(signed_at AT TIME ZONE '${TIME_ZONE}', 'YYYY-MM-DD HH24:MI:SS') AS local
      FROM patrol_signins
     WHERE deleted_at IS NULL AND point_id = ANY ($1::bigint[])
       AND signed_at >= ($2::date)::timestamp AT TIME ZONE '${TIME_ZONE}'
       AND signed_at < ($2::date + 8)::timestamp AT TIME ZONE '${TIME_ZONE}'
     ORDER BY signed_at, id`, [points, weekStart]);
  const signIns = rows.map((r) => ({ ...r, at: wall(r.local) }));
  const nowWall = now + TAIWAN_OFFSET;
  const monday = wall(`${weekStart} 00:00:00`);
  // A sign-in counts once: for the first place and day that needs it (two places may share a
  // point and hours); the visits counted are the sign-ins used, and who made them.
  const used = new Set<number>();
  const progress = items.map((item): ItemProgress => {
    const days: DayProgress[] = [];
    for (let d = 0; d < 7; d++) {
      if (!item.weekdays.includes(d + 1)) continue;
      const start = monday + d * 24 * HOUR + item.from * HOUR;
      if (start > nowWall) continue;
      const end = start + item.hours * HOUR;
      const fits = signIns.map((s, k) => ({ s, k })).filter(({ s, k }) => !used.has(k) && item.points.includes(s.point) && s.at >= start && s.at < end);
      const counted = fits.slice(0, item.visits);
      for (const { k } of counted) used.add(k);
      days.push({ date: new Date(start).toISOString().slice(0, 10), required: item.visits, done: counted.length });
    }
    return { days, required: days.reduce((a, d) => a + d.required, 0), done: days.reduce((a, d) => a + d.done, 0) };
  });
  const counted = new Map<string, number>();
  for (const k of used) counted.set(signIns[k]!.officer, (counted.get(signIns[k]!.officer) ?? 0) + 1);
  const required = progress.reduce((a, p) => a + p.required, 0);
  const done = progress.reduce((a, p) => a + p.done, 0);
  return {
    items: progress, required, done, share: required ? done / required : null,
    // Most first; ties in code-point order, the same on every machine whatever its locale.
    byOfficer: [...counted].map(([officer, n]) => ({ officer, signIns: n })).sort((a, b) => b.signIns - a.signIns || (a.officer < b.officer ? -1 : 1)),
  };
}
