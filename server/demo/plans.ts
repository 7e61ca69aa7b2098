import type { Db } from '../db/db.js';
import { draftPlan } from '../patrol/plan-draft.js';
import { comingMonday, insertPlan, thisMonday } from '../patrol/plans.js';

/**
 * The demo officer's station gets this week's 熱時熱點 plan, drafted from its (made-up)
 * incidents and approved by the demo planner, so the briefing and the plans page have one to
 * show with the month of demo sign-ins against it; and next week's as a draft for the planner.
 * Labelled 示範資料 in its note.
 */
export async function seedDemoPlans(db: Db, station: string, now = Date.now()): Promise<number> {
  const { rows } = await db.query<{ precinct: string }>(`SELECT precinct_code AS precinct FROM stations WHERE code = $1`, [station]);
  if (!rows[0]) return 0;
  const weeks = [{ week: thisMonday(now), approved: true }, { week: comingMonday(now), approved: false }];
  for (const { week, approved } of weeks) {
    const draft = await draftPlan(db, station, null, week);
    await insertPlan(db, { station, precinct: rows[0].precinct, week, types: null, draft, by: 'planner', approved, note: '示範資料：由示範案件產生' });
  }
  return weeks.length;
}
