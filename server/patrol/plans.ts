import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Db, Queryable } from '../db/db.js';
import { refusal } from '../http/messages.js';
import { INCIDENT_TYPES } from '../layers/vocabularies.js';
import { draftPlan, MAX_ITEMS, type Draft, type PlanItem } from './plan-draft.js';
import { planProgress, type PlanProgress } from './plan-progress.js';

/**
 * 熱時熱點 patrol plans, one a station a week: drafted from the incidents (plan-draft.ts),
 * edited and approved by planners of the precinct (or the bureau's admin), read by its officers
 * once approved, and checked against sign-ins (plan-progress.ts). Every change is one
 * transaction with its audit-log row; a replaced plan is marked deleted, never removed.
 */

export interface Plan {
  id: number;
  station: { code: string; name: string };
  precinctCode: string;
  weekStart: string;
  types: string[] | null;
  status: 'draft' | 'approved';
  items: (PlanItem & { pointNames: string[] })[];
  basis: object;
  note: string | null;
  version: number;
  createdBy: string;
  updatedBy: string;
  updatedAt: string;
  approvedBy: string | null;
  approvedAt: string | null;
  progress: PlanProgress;
}

const MONDAY = /^\d{4}-\d{2}-\d{2}$/;
/** Most plans a list gives: a precinct's stations for a couple of months. */
const MAX_LISTED = 200;
const TYPES = INCIDENT_TYPES.map((c) => c.value) as [string, ...string[]];

export const newPlanBody = z.strictObject({
  station: z.string().min(1).max(40),
  /** The Monday the week starts on; the coming week when left out. */
  week: z.string().regex(MONDAY).optional(),
  types: z.array(z.enum(TYPES)).min(1).max(TYPES.length).optional(),
  /** Replaces the week's draft (an approved plan is never replaced by a draft). */
  replace: z.boolean().optional(),
});

const itemEdit = z.strictObject({
  cell: z.strictObject({ i: z.number().int(), j: z.number().int() }),
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7),
  from: z.number().int().min(0).max(23),
  hours: z.number().int().min(1).max(8),
  points: z.array(z.number().int().positive()).max(5),
  visits: z.number().int().min(1).max(6),
  minutes: z.number().int().min(5).max(120),
});
export const planChangesBody = z.strictObject({
  items: z.array(itemEdit).max(MAX_ITEMS).optional(),
  note: z.string().trim().max(500).regex(/^[^\p{Cc}]*$/u).nullable().optional(),
});
export type PlanChanges = z.infer<typeof planChangesBody>;

/** The Monday of this week (Taiwan time). */
export function thisMonday(now = Date.now()): string {
  const taiwan = new Date(now + 8 * 3_600_000);
  const isoDay = ((taiwan.getUTCDay() + 6) % 7) + 1;
  return new Date(Date.UTC(taiwan.getUTCFullYear(), taiwan.getUTCMonth(), taiwan.getUTCDate() + 1 - isoDay)).toISOString().slice(0, 10);
}

/** The Monday of the week after today's (Taiwan time): what a supervisor plans on Friday. */
export const comingMonday = (now = Date.now()) => thisMonday(now + 7 * 86_400_000);

const isMonday = (date: string) => !Number.isNaN(Date.parse(`${date}T00:00:00Z`)) && new Date(`${date}T00:00:00Z`).getUTCDay() === 1
  && new Date(`${date}T00:00:00Z`).toISOString().slice(0, 10) === date;

/** Who may make and change plans: the bureau's admin, and planners of the station's precinct. */
function requirePlanner(p: Principal, precinct: string): void {
  if (p.role === 'public') throw refusal(401, 'sign_in_required', { action: '編排巡邏計畫' });
  if (p.role === 'admin' || (p.role === 'planner' && p.precinctCode === precinct)) return;
  throw refusal(403, 'plan_planners_only', undefined);
}

/** Whether a principal may read a plan: police of its precinct (officers once approved), the bureau. */
function mayRead(p: Principal, plan: { precinct_code: string; status: string }): boolean {
  if (p.role === 'admin') return true;
  if (p.role === 'planner') return p.precinctCode === plan.precinct_code;
  return p.role === 'officer' && p.precinctCode === plan.precinct_code && plan.status === 'approved';
}

async function stationOf(db: Queryable, code: string): Promise<{ code: string; name: string; precinct: string }> {
  const { rows } = await db.query<{ code: string; name: string; precinct: string }>(
    `SELECT code, name, precinct_code AS precinct FROM stations WHERE code = $1 AND deleted_at IS NULL`, [code]);
  if (!rows[0]) throw refusal(400, 'plan_station_unknown', { code }, { field: 'station' });
  return rows[0];
}

interface PlanRow {
  id: number; station_code: string; station_name: string; precinct_code: string; week_start: string; types: string[] | null;
  status: 'draft' | 'approved'; items: PlanItem[]; basis: object; note: string | null; version: number;
  created_by: string; updated_by: string; updated_at: string; approved_by: string | null; approved_at: string | null;
}

const PLAN_SELECT = `
  SELECT pl.id::int AS id, pl.station_code, s.name AS station_name, s.precinct_code, to_char(pl.week_start, 'YYYY-MM-DD') AS week_start,
         pl.types, pl.status, pl.items, pl.basis, pl.note, pl.version, pl.created_by, pl.updated_by, pl.updated_at,
         pl.approved_by, pl.approved_at
    FROM patrol_plans pl JOIN stations s ON s.code = pl.station_code`;

async function toPlan(db: Queryable, r: PlanRow): Promise<Plan> {
  const ids = [...new Set(r.items.flatMap((i) => i.points))];
  const { rows } = await db.query<{ id: number; name: string }>(`SELECT id::int AS id, name FROM patrol_points WHERE id = ANY ($1::bigint[])`, [ids]);
  const names = new Map(rows.map((x) => [x.id, x.name]));
  return {
    id: r.id, station: { code: r.station_code, name: r.station_name }, precinctCode: r.precinct_code, weekStart: r.week_start,
    types: r.types, status: r.status, basis: r.basis, note: r.note, version: r.version, createdBy: r.created_by,
    updatedBy: r.updated_by, updatedAt: r.updated_at, approvedBy: r.approved_by, approvedAt: r.approved_at,
    items: r.items.map((i) => ({ ...i, pointNames: i.points.map((id) => names.get(id) ?? `#${id}`) })),
    progress: await planProgress(db, r.week_start, r.items),
  };
}

/** A plan the principal may read, or a 404 that does not tell a hidden plan from none. */
export async function readPlan(db: Queryable, p: Principal, id: number): Promise<Plan> {
  const { rows } = await db.query<PlanRow>(`${PLAN_SELECT} WHERE pl.id = $1 AND pl.deleted_at IS NULL`, [id]);
  if (!rows[0] || !mayRead(p, rows[0])) throw refusal(404, 'plan_unknown', { id });
  return toPlan(db, rows[0]);
}

/** The plans of a station (or of all the stations the principal may read), latest weeks first. */
export async function listPlans(db: Queryable, p: Principal, station: string | undefined, weeks: number): Promise<Plan[]> {
  if (p.role === 'public') throw refusal(401, 'sign_in_required', { action: '查看巡邏計畫' });
  if (p.role === 'community') throw refusal(403, 'plan_police_only', undefined);
  // Police of a precinct read its plans only: asked in SQL, so the limit counts what they may read.
  // Police of a precinct read its plans only (by the station's precinct now: a station moved
  // takes its plans along), officers approved ones: asked in SQL, so the limit counts what they may read.
  const { rows } = await db.query<PlanRow>(`${PLAN_SELECT}
     WHERE pl.deleted_at IS NULL AND ($1::text IS NULL OR pl.station_code = $1) AND ($3::text IS NULL OR s.precinct_code = $3)
       AND ($4 OR pl.status = 'approved') AND pl.week_start >= current_date - make_interval(weeks => $2)
     ORDER BY pl.week_start DESC, pl.station_code LIMIT ${MAX_LISTED}`,
  [station ?? null, weeks, p.role === 'admin' ? null : p.precinctCode ?? '', p.role !== 'officer']);
  // One plan after another: each reads its sign-ins, and a list should not take the pool's every connection.
  const plans: Plan[] = [];
  for (const r of rows.filter((x) => mayRead(p, x))) plans.push(await toPlan(db, r));
  return plans;
}

async function audit(tx: Queryable, actor: string, action: string, detail: object): Promise<void> {
  await tx.query(`INSERT INTO audit_log (actor, action, detail) VALUES ($1, $2, $3::jsonb)`, [actor, action, JSON.stringify(detail)]);
}

/** Writes a drafted plan (approved at once only by the demo's seed); returns its id. */
export async function insertPlan(tx: Queryable, p: { station: string; precinct: string; week: string; types: string[] | null; draft: Draft;
  by: string; approved: boolean; note?: string }): Promise<number> {
  const { rows } = await tx.query<{ id: number }>(
    `INSERT INTO patrol_plans (station_code, precinct_code, week_start, types, items, basis, note, created_by, updated_by, status, approved_by, approved_at)
     VALUES ($1, $2, $3, $4::text[], $5::jsonb, $6::jsonb, $7, $8, $8, CASE WHEN $9 THEN 'approved' ELSE 'draft' END,
             CASE WHEN $9 THEN $8 END, CASE WHEN $9 THEN now() END) RETURNING id::int AS id`,
    [p.station, p.precinct, p.week, p.types, JSON.stringify(p.draft.items), JSON.stringify(p.draft.basis), p.note ?? null, p.by, p.approved]);
  return rows[0]!.id;
}

/** Drafts the station's plan for a week and keeps it as a draft. */
export async function createPlan(db: Db, p: Principal, body: z.infer<typeof newPlanBody>): Promise<Plan> {
  const station = await stationOf(db, body.station);
  requirePlanner(p, station.precinct);
  const week = body.week ?? comingMonday();
  if (!isMonday(week)) throw refusal(400, 'plan_week_not_monday', { week }, { field: 'week' });
  // A plan is for the week under way or the next: a week that is over has its sign-ins already.
  if (week !== thisMonday() && week !== comingMonday()) throw refusal(400, 'plan_week_out_of_range', { week, now: thisMonday(), next: comingMonday() }, { field: 'week' });
  const types = body.types ? [...new Set(body.types)].sort() : null;
  const draft = await draftPlan(db, station.code, types, week);
  const id = await db.transaction(async (tx) => {
    const { rows: existing } = await tx.query<{ id: number; status: string }>(
      `SELECT id::int AS id, status FROM patrol_plans WHERE station_code = $1 AND week_start = $2 AND deleted_at IS NULL FOR UPDATE`, [station.code, week]);
    if (existing[0]) {
      if (existing[0].status === 'approved') throw refusal(409, 'plan_approved_exists', { station: station.name, week }, { field: 'week' });
      if (!body.replace) throw refusal(409, 'plan_exists', { station: station.name, week }, { field: 'week' });
      await tx.query(`UPDATE patrol_plans SET deleted_at = now(), deleted_by = $2 WHERE id = $1`, [existing[0].id, p.username]);
    }
    const id = await insertPlan(tx, { station: station.code, precinct: station.precinct, week, types, draft, by: p.username, approved: false });
    await audit(tx, p.username, 'plan_drafted', { plan: id, station: station.code, week, types, items: draft.items.length, replaced: existing[0]?.id ?? null });
    return id;
  });
  return readPlan(db, p, id);
}

/** Locks a plan for a change by a planner, checking the version the change was made on (`*`: whichever is current). */
async function lockedForChange(tx: Queryable, p: Principal, id: number, version: number | '*'): Promise<PlanRow> {
  const { rows } = await tx.query<PlanRow>(`${PLAN_SELECT} WHERE pl.id = $1 AND pl.deleted_at IS NULL FOR UPDATE OF pl`, [id]);
  const row = rows[0];
  if (!row || !mayRead(p, row)) throw refusal(404, 'plan_unknown', { id });
  requirePlanner(p, row.precinct_code);
  // A week that is over is a record: its plan is kept as it was approved, against its sign-ins.
  if (row.week_start < thisMonday()) throw refusal(409, 'plan_week_over', { week: row.week_start });
  if (version !== '*' && row.version !== version) throw refusal(412, 'plan_changed_meanwhile', { by: row.updated_by }, { headers: { ETag: `"${row.version}"` } });
  return row;
}

/**
 * A planner's edit of the places' days, hours, points and dosage, or of the note. A place left
 * out is dropped; none can be added (a new draft finds places). An approved plan that is
 * changed is a draft again, to be approved again.
 */
export async function changePlan(db: Db, p: Principal, id: number, version: number | '*', c: PlanChanges): Promise<Plan> {
  await db.transaction(async (tx) => {
    const row = await lockedForChange(tx, p, id, version);
    let items = row.items;
    if (c.items) {
      const known = new Map(row.items.map((i) => [`${i.cell.i},${i.cell.j}`, i]));
      const wanted = [...new Set(c.items.flatMap((i) => i.points))];
      const { rows: found } = await tx.query<{ id: number }>(
        `SELECT id::int AS id FROM patrol_points WHERE id = ANY ($1::bigint[]) AND station_code = $2 AND deleted_at IS NULL`, [wanted, row.station_code]);
      const ok = new Set(found.map((f) => f.id));
      const stranger = wanted.find((w) => !ok.has(w));
      if (stranger !== undefined) throw refusal(400, 'plan_point_unknown', { id: stranger, station: row.station_name }, { field: 'items' });
      const cells = c.items.map((e) => `${e.cell.i},${e.cell.j}`);
      if (new Set(cells).size !== cells.length) throw refusal(400, 'plan_item_repeated', undefined, { field: 'items' });
      items = c.items.map((e) => {
        const base = known.get(`${e.cell.i},${e.cell.j}`);
        if (!base) throw refusal(400, 'plan_item_unknown', undefined, { field: 'items' });
        return { ...base, weekdays: [...new Set(e.weekdays)].sort(), from: e.from, hours: e.hours, points: [...new Set(e.points)], visits: e.visits, minutes: e.minutes };
      });
    }
    const note = c.note === undefined ? row.note : c.note || null;
    if (JSON.stringify(items) === JSON.stringify(row.items) && note === row.note) return;
    await tx.query(`UPDATE patrol_plans SET items = $2::jsonb, note = $3, status = 'draft', approved_by = NULL, approved_at = NULL,
                      version = version + 1, updated_by = $4, updated_at = now() WHERE id = $1`, [id, JSON.stringify(items), note, p.username]);
    await audit(tx, p.username, 'plan_changed', { plan: id, before: { items: row.items.length, status: row.status }, after: { items: items.length }, note });
  });
  return readPlan(db, p, id);
}

/** Approval by a planner of the precinct: the plan is what its officers read. */
export async function approvePlan(db: Db, p: Principal, id: number, version: number | '*'): Promise<Plan> {
  await db.transaction(async (tx) => {
    const row = await lockedForChange(tx, p, id, version);
    if (row.status === 'approved') return;
    if (row.items.length === 0) throw refusal(400, 'plan_empty', undefined);
    await tx.query(`UPDATE patrol_plans SET status = 'approved', approved_by = $2, approved_at = now(), version = version + 1,
                      updated_by = $2, updated_at = now() WHERE id = $1`, [id, p.username]);
    await audit(tx, p.username, 'plan_approved', { plan: id, station: row.station_code, week: row.week_start });
  });
  return readPlan(db, p, id);
}

/** A plan as the roll-ups list it: a station's week, planned against done, and who did it. */
export interface PlanRollupRow {
  id: number; station: string; weekStart: string; status: 'draft' | 'approved'; places: number;
  required: number; done: number; share: number | null; byOfficer: { officer: string; signIns: number }[];
}

/**
 * The plans of the stations under `under` (a precinct, a station, a beat's station; the whole
 * bureau when null) whose week meets the period, week by week: for the roll-ups (police only;
 * officers approved plans only, as everywhere).
 */
export async function plansInPeriod(db: Queryable, p: Principal, under: { level: string; code: string } | null, from: string, to: string): Promise<PlanRollupRow[] | undefined> {
  if (p.role !== 'admin' && p.role !== 'planner' && p.role !== 'officer') return undefined;
  const { rows } = await db.query<PlanRow>(`${PLAN_SELECT}
     WHERE pl.deleted_at IS NULL AND pl.week_start <= $2::date AND pl.week_start + 6 >= $1::date
       AND (CASE $3::text WHEN 'precinct' THEN s.precinct_code = $4::text WHEN 'station' THEN pl.station_code = $4::text
                         WHEN 'beat' THEN pl.station_code = (SELECT station_code FROM beats WHERE code = $4::text) ELSE true END)
       AND ($5::text IS NULL OR s.precinct_code = $5) AND ($6 OR pl.status = 'approved')
     ORDER BY pl.week_start, pl.station_code LIMIT ${MAX_LISTED}`,
  [from, to, under?.level ?? 'bureau', under?.code ?? '', p.role === 'admin' ? null : p.precinctCode ?? '', p.role !== 'officer']);
  const out: PlanRollupRow[] = [];
  for (const r of rows) {
    const progress = await planProgress(db, r.week_start, r.items);
    out.push({ id: r.id, station: r.station_name, weekStart: r.week_start, status: r.status, places: r.items.length,
      required: progress.required, done: progress.done, share: progress.share, byOfficer: progress.byOfficer });
  }
  return out;
}
